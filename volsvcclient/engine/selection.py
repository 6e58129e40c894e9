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

"""Which services a request acts on: all that a Selection matches.
Import-light: command modules use it at parse time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from volsvcclient.cinder import versions

if TYPE_CHECKING:
    from collections.abc import Iterable

    from volsvcclient.cinder.records import Service
    from volsvcclient.cinder import services


class Selection:
    """Services chosen by what they are: each field given must match
    (``host_pattern`` is a shell pattern, ``fnmatch``; ``host`` exactly
    this host; ``cluster`` needs Block Storage API 3.7).

    A plain class: this module is imported on every ``openstack`` run, and
    a dataclass costs a millisecond to build.
    """

    FIELDS = ('host_pattern', 'binary', 'zone', 'cluster', 'host')

    def __init__(self, host_pattern: str | None = None, binary: str | None = None,
                 zone: str | None = None, cluster: str | None = None,
                 host: str | None = None) -> None:
        from volsvcclient.cinder import exceptions

        for name, value in zip(self.FIELDS, (host_pattern, binary, zone, cluster, host)):
            exceptions.check_text(value, name)
        self.host_pattern = host_pattern
        self.binary = binary
        self.zone = zone
        self.cluster = cluster
        self.host = host

    def _values(self) -> tuple[str | None, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Selection) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        given = ', '.join(f'{name}={value!r}' for name, value in zip(
            self.FIELDS, self._values()) if value is not None)
        return f'Selection({given})'

    def replace(self, **changes: str | None) -> Selection:
        values = dict(zip(self.FIELDS, self._values()), **changes)
        return Selection(**values)

    @property
    def only_cluster(self) -> bool:
        """Whether it names a cluster's cinder-volume services, nothing more."""
        return bool(self.cluster) and self.host_pattern is None and (
            self.zone is None and self.host is None
            and self.binary in (None, 'cinder-volume'))

    def check_version(self, api: services.ServiceAPI) -> None:
        """Fail before any request when a cluster needs a newer version."""
        if self.cluster:
            api.require(versions.CLUSTER, 'cluster')

    def matches(self, service: Service) -> bool:
        import fnmatch

        return (
            (self.host is None or service.host == self.host)
            and (self.host_pattern is None
                 or fnmatch.fnmatchcase(service.host, self.host_pattern))
            and (self.binary is None or service.binary == self.binary)
            and (self.zone is None or service.availability_zone == self.zone)
            and (self.cluster is None or service.cluster == self.cluster)
        )


def chosen(selection: Selection, listed: Iterable[Service]) -> list[Service]:
    """The services ``selection`` matches; Refused when none."""
    from volsvcclient.cinder import exceptions

    found = [s for s in listed if selection.matches(s)]
    if not found:
        raise exceptions.NoSuchService('No service matches the selection')
    return found
