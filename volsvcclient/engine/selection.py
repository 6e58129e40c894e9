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

"""Which services a command acts on, as plain values: one named by host
and binary, or all that a Selector matches. Import-light: command modules
use it at parse time; turning options into a Selector is the command
layer's (``volsvcclient.osc.arguments``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from osc_lib import exceptions

from volsvcclient.cinder import versions

if TYPE_CHECKING:
    from collections.abc import Iterable

    from volsvcclient.cinder import services


class Selector:
    """Services chosen by what they are rather than named one by one.

    A plain class: this module is imported on every ``openstack`` run, and
    a dataclass costs a millisecond to build.
    """

    FIELDS = ('host_pattern', 'binary', 'zone', 'cluster', 'host')

    def __init__(self, host_pattern: str | None = None, binary: str | None = None,
                 zone: str | None = None, cluster: str | None = None,
                 host: str | None = None) -> None:
        self.host_pattern = host_pattern
        self.binary = binary
        self.zone = zone
        self.cluster = cluster
        #: Exactly this host (with ``binary``), for <host> <binary>.
        self.host = host

    def _values(self) -> tuple[str | None, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Selector) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f'Selector{self._values()!r}'

    def replace(self, **changes: str | None) -> Selector:
        values = dict(zip(self.FIELDS, self._values()), **changes)
        return Selector(**values)

    def check_version(self, api: services.ServiceAPI) -> None:
        """Fail before any request when a cluster needs a newer version."""
        if self.cluster:
            api.require(versions.CLUSTER, 'cluster')

    def matches(self, service: services.Service) -> bool:
        import fnmatch

        return (
            (self.host is None or service.host == self.host)
            and (self.host_pattern is None
                 or fnmatch.fnmatchcase(service.host, self.host_pattern))
            and (self.binary is None or service.binary == self.binary)
            and (self.zone is None or service.availability_zone == self.zone)
            and (self.cluster is None or service.cluster == self.cluster)
        )


def chosen(selector: Selector, services: Iterable[services.Service]) -> list[services.Service]:
    """The services ``selector`` matches; an error when none."""
    found = [s for s in services if selector.matches(s)]
    if not found:
        raise exceptions.CommandError('No service matches the selection')
    return found
