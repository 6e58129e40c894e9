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

"""The read model of os-services: a service as Cinder lists it, the
targets of freeze, thaw and failover, and how to compare what was read with
what was asked. Pure: no requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

if TYPE_CHECKING:
    import datetime

VOLUME_BINARY = 'cinder-volume'

#: Why a 200 from os-services/enable may change nothing.
ENABLE_IGNORED = (
    'Cinder 28.0.0 and later answer os-services/enable with 200 without '
    'enabling the service'
)

#: The replication status of a backend while cinder-volume fails it over.
FAILING_OVER = 'failing-over'
#: The --backend-id that fails back to the primary backend.
FAILBACK = 'default'
#: Backend State when cinder-scheduler did not say.
UNKNOWN = 'unknown'

#: How a sentence names each attribute a change compares.
LABELS = {
    'status': 'status',
    'disabled_reason': 'disabled reason',
    'is_frozen': 'frozen',
    'replication_status': 'replication status',
    'active_backend_id': 'active backend ID',
}

#: The SDK's attribute names of an os-services entry, as the server names
#: its fields but these two (openstacksdk's Service resource spells them so).
ATTRIBUTES = frozenset((
    'binary', 'host', 'availability_zone', 'status', 'state', 'updated_at',
    'cluster', 'backend_state', 'disabled_reason', 'replication_status',
    'active_backend_id', 'is_frozen',
))
#: Server field name for each SDK attribute whose names differ.
SERVER_FIELDS = {'availability_zone': 'zone', 'is_frozen': 'frozen'}

#: Said of a service that ended neither as it was nor as asked.
ANOTHER_CLIENT = 'another client changed it meanwhile'


class Service:
    """One os-services entry, read-only, under openstacksdk's attribute names.

    openstacksdk's Service resource costs about 0.3 ms to build (3 s for a
    10,000-service list) and adds nothing to a read-only listing; this
    costs about a microsecond. Requests still go through the SDK's
    block-storage proxy, and attribute names follow the SDK's
    (``availability_zone``, ``is_frozen``), so osc-lib's
    ``get_item_properties`` reads both alike.
    """

    __slots__ = ('fields',)
    ATTRIBUTES = ATTRIBUTES

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def __getattr__(self, attr: str) -> Any:
        if attr not in self.ATTRIBUTES:
            raise AttributeError(attr)
        return self.fields.get(SERVER_FIELDS.get(attr, attr))

    def __repr__(self) -> str:
        return f'Service({self.fields!r})'

    @property
    def label(self) -> str:
        return f'{self.binary} on {self.host}'

    @property
    def key(self) -> tuple[str, str]:
        return (self.host, self.binary)


def rows(
    listed: Iterable[Service], attributes: Sequence[str]
) -> Iterator[tuple[Any, ...]]:
    """Each service's values of ``attributes``, as osc-lib's
    ``get_item_properties`` gives them, without its per-cell string work
    and ``getattr`` (0.1 s for 10,000 services)."""
    keys = [SERVER_FIELDS.get(attr, attr) for attr in attributes]
    return (tuple(map(service.fields.get, keys)) for service in listed)


def heartbeat_age(service: Service, now: datetime.datetime | None) -> float | None:
    """Seconds since ``service`` last reported, by the server's clock
    ``now`` (Cinder's updated_at is UTC without a zone); None if unknown."""
    updated = when(service.updated_at)
    if now is None or updated is None:
        return None
    return (now - updated).total_seconds()


def when(text: Any) -> datetime.datetime | None:
    """A Cinder timestamp, UTC written without a zone, as an aware
    datetime; None for none (a row never updated) or one that does not
    parse. datetime.fromisoformat reads every form Cinder writes
    (``2026-12-07T23:23:38.000000``, with a zone or without), so neither
    iso8601 nor oslo_utils.timeutils is imported for it."""
    import datetime

    if not text:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def mismatches(service: Service, expected: Mapping[str, Any]) -> list[str]:
    """Human phrases for each expected field the service does not have."""
    return [
        f'{LABELS.get(attr, attr)} is {getattr(service, attr)!r}'
        for attr, want in expected.items()
        if getattr(service, attr) != want
    ]


def changed_by_another(before: Service, now: Service, expected: Mapping[str, Any]) -> bool:
    """Whether a field is neither as it was before our requests nor as
    asked: no Cinder release does that by ignoring a request (it answers
    200 and changes nothing), so another client did."""
    return any(
        getattr(now, attr) != want and getattr(now, attr) != getattr(before, attr)
        for attr, want in expected.items()
    )


def shorten(names: Iterable[str], most: int = 10) -> str:
    names = sorted(names)
    if len(names) <= most:
        return ', '.join(names)
    return f"{', '.join(names[:most])} and {len(names) - most} more"


class Target:
    """What freeze, thaw and failover act on: one host or one cluster."""

    def __init__(self, host: str | None = None, cluster: str | None = None) -> None:
        self.host = host
        self.cluster = cluster

    @property
    def body(self) -> dict[str, str | None]:
        return {'cluster': self.cluster} if self.cluster else {'host': self.host}

    def __str__(self) -> str:
        return f"cluster '{self.cluster}'" if self.cluster else f"host '{self.host}'"
