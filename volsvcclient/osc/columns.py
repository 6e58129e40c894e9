#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Output columns of ``volume service`` commands, in one table.

Names match upstream OSC where the column exists there, so scripts that
parse ``-f json`` keep working.
"""

from __future__ import annotations

from typing import Any, Mapping

from volsvcclient.cinder import records
from volsvcclient.cinder import versions

# (SDK attribute, column name, minimum microversion, shown with --long only)
SERVICE_COLUMNS = (
    ('binary', 'Binary', None, False),
    ('host', 'Host', None, False),
    ('availability_zone', 'Zone', None, False),
    ('status', 'Status', None, False),
    ('state', 'State', None, False),
    ('updated_at', 'Updated At', None, False),
    ('cluster', 'Cluster', versions.CLUSTER, False),
    ('backend_state', 'Backend State', versions.BACKEND_STATE, False),
    ('disabled_reason', 'Disabled Reason', None, True),
    ('replication_status', 'Replication Status', None, True),
    ('active_backend_id', 'Active Backend ID', None, True),
    ('is_frozen', 'Frozen', None, True),
)

#: Server field name for each SDK attribute whose names differ.
SERVER_FIELDS = records.SERVER_FIELDS

#: Column name -> SDK attribute, for reading saved ``list -f json`` output.
ATTRIBUTE_BY_NAME = {name: attr for attr, name, _, _ in SERVICE_COLUMNS}


def for_list(
    microversion: str | None, long: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(attributes, names) that ``list`` shows at this microversion."""
    chosen = [
        (attr, name)
        for attr, name, minimum, long_only in SERVICE_COLUMNS
        if (minimum is None or versions.at_least(microversion, minimum))
        and (long or not long_only)
    ]
    return tuple(a for a, _ in chosen), tuple(n for _, n in chosen)


def for_show(
    fields: Mapping[str, Any], microversion: str | None
) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """(names, values) of every field the server returned, known ones first.

    Columns that ``list`` shows at this microversion are always there, as
    in ``list`` (Cinder gives ``backend_state`` for cinder-volume only). A
    field a newer Cinder adds shows under its own name in Title Case.
    """
    shown: list[tuple[str, Any]] = []
    for attr, name, minimum, _ in SERVICE_COLUMNS:
        field = SERVER_FIELDS.get(attr, attr)
        if field in fields:
            shown.append((name, fields[field]))
        elif minimum and versions.at_least(microversion, minimum):
            shown.append((name, None))
    known = {SERVER_FIELDS.get(attr, attr) for attr, _, _, _ in SERVICE_COLUMNS}
    for field in sorted(set(fields) - known):
        shown.append((field.replace('_', ' ').title(), fields[field]))
    return tuple(n for n, _ in shown), tuple(v for _, v in shown)
