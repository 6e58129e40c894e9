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

"""Desired states read from a saved ``list --long -f json|yaml``: the
file ``commit --from-file`` takes. Its rules are the engine's
(``desired_state.check``), worded in the file's column names.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from osc_lib import exceptions

from volsvcclient.osc import columns

if TYPE_CHECKING:
    from volsvcclient import api
    from volsvcclient.osc import voice as voice_module

#: Columns of a saved listing that only failover changes: a difference is
#: reported, not acted on.
UNAPPLIED_COLUMNS = ('Replication Status', 'Active Backend ID')


class _Columns:
    """The engine's keyword arguments named as a saved listing's columns."""

    def name(self, keyword: str) -> str:
        names = {'disabled_reason': 'Disabled Reason', 'status': 'Status',
                 'frozen': 'Frozen', 'host': 'Host', 'binary': 'Binary'}
        return names.get(keyword, keyword)

    def advise(self, advice: api.Advice) -> str:
        return advice.purpose


def load(path: str, voice: voice_module.Voice) -> list[api.Desired]:
    """Desired states from saved ``list --long -f json|yaml`` output."""
    try:
        if path == '-':
            import sys

            text = sys.stdin.read()
        else:
            with open(path, encoding='utf-8') as stream:
                text = stream.read()
    except OSError as exc:
        raise exceptions.CommandError(f'Cannot read {path}: {exc.strerror}') from exc
    except UnicodeDecodeError as exc:
        raise exceptions.CommandError(
            f'{path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at '
            f'offset {exc.start}): give saved {voice.saved_listing()} output'
        ) from exc
    entries = _parse(path, text)
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        raise exceptions.CommandError(
            f'{path}: expected a list of services as printed by '
            f'{voice.saved_listing()}'
        )
    desired = [_entry(path, number, entry) for number, entry in enumerate(entries, 1)]
    seen = set()
    for item in desired:
        if item.key in seen:
            raise exceptions.CommandError(
                f'{path}: {item.binary} on {item.host} is listed twice'
            )
        seen.add(item.key)
    return desired


def _parse(path: str, text: str) -> Any:
    # A saved listing is two levels deep: deeper nesting exhausts the
    # parsers' recursion before any entry is looked at.
    too_deep = exceptions.CommandError(
        f'{path} is nested too deeply to be a saved service list'
    )
    try:
        return json.loads(text)
    except ValueError:
        pass
    except RecursionError:
        raise too_deep from None
    import yaml

    from volsvcclient.cinder import failures

    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise too_deep from None
    # ValueError: a value YAML takes for a date that is none (2026-02-30).
    except (yaml.YAMLError, ValueError) as exc:
        raise exceptions.CommandError(
            f'{path} is neither JSON nor YAML: {failures.one_line(exc)}'
        ) from exc


def _entry(path: str, number: int, entry: Any) -> api.Desired:
    from volsvcclient import api
    from volsvcclient.cinder import exceptions as engine_exceptions
    from volsvcclient.engine import desired_state

    where = f'{path}, entry {number}'
    if not isinstance(entry, dict):
        raise exceptions.CommandError(f'{where}: expected a mapping of column names')
    # YAML keys need not be text: sorted by their repr, as they are shown.
    unknown = sorted(set(entry) - set(columns.ATTRIBUTE_BY_NAME), key=repr)
    if unknown:
        raise exceptions.CommandError(
            f"{where}: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(columns.ATTRIBUTE_BY_NAME)}"
        )
    for required in ('Host', 'Binary'):
        if not isinstance(entry.get(required), str) or not entry[required]:
            raise exceptions.CommandError(f'{where}: {required} is missing')
    status = entry.get('Status')
    if status not in (None, 'enabled', 'disabled'):
        raise exceptions.CommandError(
            f"{where}: Status must be 'enabled' or 'disabled', not {status!r}"
        )
    frozen = entry.get('Frozen')
    if frozen not in (None, True, False):
        raise exceptions.CommandError(
            f'{where}: Frozen must be true, false or null, not {frozen!r}'
        )
    reason = entry.get('Disabled Reason') or None
    if reason is not None and not isinstance(reason, str):
        raise exceptions.CommandError(f'{where}: Disabled Reason must be text')
    unapplied = tuple(
        (columns.ATTRIBUTE_BY_NAME[name], entry[name])
        for name in UNAPPLIED_COLUMNS if name in entry
    )
    if status == 'enabled' and reason is not None:
        # Cinder before 28.0.0 enables and keeps the reason: a listing
        # saved there has enabled rows with one. Said, not set.
        unapplied += (('disabled_reason', reason),)
        reason = None
    desired = api.Desired(entry['Host'], entry['Binary'], status, reason, frozen,
                          unapplied)
    try:
        desired_state.check(desired, where)
    except engine_exceptions.InvalidRequest as exc:
        raise exceptions.CommandError(exc.worded(_Columns())) from exc
    return desired
