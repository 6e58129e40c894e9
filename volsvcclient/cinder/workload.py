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

"""What is on a backend: every project's volumes on it, their snapshots,
and the backups being made of them or restored into them, read through the
block-storage proxy as plain read-only records.

Cinder 27.0.0 to 29.0.0 answer these listings alike, from the database
alone (no RPC). The facts below are from their code; the research with
file and function for each is in the drain notes:

- The admin ``host`` filter (cinder/db/api.py ``_filter_host``) is exact
  at pool level (``h@b#p``), ``h@b`` or ``h@b#%`` at backend level, and
  also ``h@%`` for a bare host, with SQL LIKE: a ``_`` in the name matches
  any character, so each volume's host is checked again here.
- A filter Cinder does not know finds nothing, and so does ``all_tenants=0``
  for an admin: the parameters here are spelt exactly.
- Pages hold ``osapi_max_limit`` items (1000 by default) when no limit is
  asked; a full page carries a next link even when it is the last, so N
  items take N // limit + 1 requests. The next link is rebuilt from its
  marker, not followed: its host is cinder-api's idea of its public URL.
- The marker is looked up first: when that row is deleted between two
  pages Cinder answers 404, and the listing starts again.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING, Any, Iterable, Mapping
import urllib.parse

from openstack import exceptions as sdk_exceptions

from volsvcclient.cinder import exceptions
from volsvcclient.cinder import failures
from volsvcclient.cinder import reads
from volsvcclient.cinder import records
from volsvcclient.cinder import versions

if TYPE_CHECKING:
    from volsvcclient.cinder import connection

#: The newest microversion these reads ask for. From 3.31 Cinder refuses a
#: non-admin's ``host`` filter with 400 instead of dropping it and listing
#: the project's volumes; 3.61 shows an admin each volume's
#: ``cluster_name``. Every field read here is in 3.0 otherwise, except a
#: backup's project (3.18).
MICROVERSION = '3.61'
CLUSTER_NAME_SHOWN = '3.61'
#: How often one listing starts again because its marker was deleted.
RESTARTS = 3
#: Restores whose backup is looked up, per read; more are named by the
#: volume alone.
RESTORE_LOOKUPS = 10

#: Volume and snapshot statuses that mean a backup of them is being made
#: (cinder/backup/api.py create), and restored into them (restore).
BACKING_UP = 'backing-up'
RESTORING_BACKUP = 'restoring-backup'


class NotAdmin(exceptions.Error):
    """The listing by backend needs the admin role (policy
    volume_extension:volume_host_attribute and the admin-only filters)."""


def on_backend(value: str | None, wanted: str) -> bool:
    """Cinder's ``_filter_host`` without LIKE's wildcards: ``value`` is
    ``wanted``, or in it (a pool of a backend, a backend of a host)."""
    if value is None:
        return False
    if value == wanted or '#' in wanted:
        return value == wanted
    if value.startswith(wanted + '#'):
        return True
    return '@' not in wanted and value.startswith(wanted + '@')


@dataclasses.dataclass(frozen=True)
class Volume:
    """One volume as an admin's GET /volumes/detail shows it."""

    id: str
    name: str | None
    project_id: str | None
    status: str
    migration_status: str | None
    host: str | None
    #: None where the microversion (below 3.61) does not show it.
    cluster_name: str | None
    #: The attachments that are 'attached' (Cinder lists no other), and
    #: the servers among their holders (a Glance or another service's
    #: attachment has none).
    attachment_ids: tuple[str, ...]
    server_ids: tuple[str, ...]
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None

    @property
    def attached(self) -> bool:
        return bool(self.attachment_ids)

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Volume:
        attachments = item.get('attachments') or ()
        return cls(
            id=item['id'],
            name=item.get('name'),
            project_id=item.get('os-vol-tenant-attr:tenant_id'),
            # The API shows 'managing' as 'creating' (bug 1504007).
            status=item['status'],
            migration_status=item.get('migration_status'),
            host=item.get('os-vol-host-attr:host'),
            cluster_name=item.get('cluster_name'),
            attachment_ids=tuple(str(a.get('attachment_id')) for a in attachments),
            server_ids=tuple(str(a['server_id']) for a in attachments if a.get('server_id')),
            created_at=records.when(item.get('created_at')),
            updated_at=records.when(item.get('updated_at')),
        )


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """One snapshot as an admin's GET /snapshots/detail shows it."""

    id: str
    name: str | None
    project_id: str | None
    status: str
    volume_id: str
    progress: str | None
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Snapshot:
        return cls(
            id=item['id'],
            name=item.get('name'),
            project_id=item.get('os-extended-snapshot-attributes:project_id'),
            status=item['status'],
            volume_id=item['volume_id'],
            progress=item.get('os-extended-snapshot-attributes:progress'),
            created_at=records.when(item.get('created_at')),
            updated_at=records.when(item.get('updated_at')),
        )


@dataclasses.dataclass(frozen=True)
class Backup:
    """One backup as an admin's GET /backups/detail shows it. Its host (the
    cinder-backup service's) is not shown; ``restoring_to`` is the volume
    a restore writes into, known only when it was asked for by that
    volume."""

    id: str
    name: str | None
    project_id: str | None
    status: str
    volume_id: str | None
    snapshot_id: str | None
    restoring_to: str | None
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None

    @classmethod
    def from_api(cls, item: Mapping[str, Any], restoring_to: str | None = None) -> Backup:
        return cls(
            id=item['id'],
            name=item.get('name'),
            project_id=item.get('os-backup-project-attr:project_id'),
            status=item['status'],
            volume_id=item.get('volume_id'),
            snapshot_id=item.get('snapshot_id'),
            restoring_to=restoring_to,
            created_at=records.when(item.get('created_at')),
            updated_at=records.when(item.get('updated_at')),
        )


@dataclasses.dataclass(frozen=True)
class Workload:
    """One read of what is on a backend."""

    target: records.Target
    volumes: tuple[Volume, ...]
    snapshots: tuple[Snapshot, ...]
    backups: tuple[Backup, ...]
    #: GET requests this read sent (keystoneauth's retries of a 502, 503,
    #: 504 or a lost connection come on top).
    requests: int
    #: cinder-api's clock at the last answer (its Date header), or None.
    read_at: datetime.datetime | None


def _marker(links: Iterable[Mapping[str, Any]] | None, items: list[Any]) -> str | None:
    """The marker of the next page, or None on the last one."""
    for link in links or ():
        if link.get('rel') == 'next' and items:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.get('href', '')).query)
            return query.get('marker', [items[-1]['id']])[-1]
    return None


class WorkloadReads:
    """GET /volumes/detail, /snapshots/detail and /backups/detail on one
    Connection, with its retry settings; ``requests`` counts what was
    sent."""

    def __init__(self, conn: connection.Connection) -> None:
        from openstack import utils as sdk_utils

        self.conn = conn
        # The session's pinned version is for os-services; these listings
        # use their own, the newest up to MICROVERSION the server offers.
        self.microversion = (
            sdk_utils.maximum_supported_microversion(conn.proxy, MICROVERSION) or '3.0'
        )
        self.requests = 0
        self.server_time: datetime.datetime | None = None

    def _get(self, resource: str, query: Mapping[str, str]) -> dict[str, Any]:
        self.requests += 1
        response = self.conn.proxy.get(
            f'/{resource}/detail', params=dict(query), microversion=self.microversion,
            **self.conn.read_retries,
        )
        sdk_exceptions.raise_from_response(response)
        self.server_time = reads.server_time(response) or self.server_time
        body: dict[str, Any] = response.json()
        return body

    def listing(self, resource: str, query: Mapping[str, str]) -> list[dict[str, Any]]:
        """Every item of a detail listing, page after page, by id once."""
        for _attempt in range(RESTARTS + 1):
            found: dict[str, dict[str, Any]] = {}
            marker: str | None = None
            markers: set[str] = set()
            try:
                while True:
                    page = dict(query, marker=marker) if marker else query
                    body = self._get(resource, page)
                    items = body.get(resource) or []
                    found.update((item['id'], item) for item in items)
                    marker = _marker(body.get(f'{resource}_links'), items)
                    if marker is None:
                        return list(found.values())
                    if marker in markers:
                        raise exceptions.Error(
                            f'cinder-api sent the same next page of {resource} twice '
                            f'(marker {marker})'
                        )
                    markers.add(marker)
            except sdk_exceptions.NotFoundException:
                # The marker row was deleted between two pages.
                if marker is None:
                    raise
        raise exceptions.Error(
            f'{resource} kept changing while they were listed: the last row of a '
            f'page was deleted before the next page, {RESTARTS + 1} times'
        )

    def _by_backend(self, target: records.Target) -> dict[str, str]:
        if target.cluster:
            return {'all_tenants': '1', 'cluster_name': target.cluster}
        assert target.host is not None
        return {'all_tenants': '1', 'host': target.host}

    def volumes(self, target: records.Target) -> list[Volume]:
        """Every project's volumes on ``target`` (a host@backend, a pool, or
        a cluster@backend), migration targets included."""
        try:
            items = self.listing('volumes', self._by_backend(target))
        except sdk_exceptions.BadRequestException as exc:
            raise NotAdmin(
                f'cinder-api refused to list volumes by backend '
                f'({failures.plain(exc.details or exc)}): that needs the admin role'
            ) from exc
        if any('os-vol-host-attr:host' not in item for item in items):
            raise NotAdmin(
                "cinder-api did not show the volumes' host: listing volumes by "
                'backend needs the admin role'
            )
        volumes = [Volume.from_api(item) for item in items]
        if target.cluster:
            if not versions.at_least(self.microversion, CLUSTER_NAME_SHOWN):
                return volumes
            return [v for v in volumes if on_backend(v.cluster_name, target.cluster)]
        assert target.host is not None
        return [v for v in volumes if on_backend(v.host, target.host)]

    def snapshots(self, target: records.Target, volumes: Iterable[Volume]) -> list[Snapshot]:
        """The snapshots of the volumes on ``target``: Cinder filters them
        by their volume's host or cluster; ``volumes`` (read first) drops
        those a LIKE wildcard let in."""
        listed = [Snapshot.from_api(item)
                  for item in self.listing('snapshots', self._by_backend(target))]
        wanted = target.cluster or target.host or ''
        if '_' not in wanted and '%' not in wanted:
            return listed
        ids = {v.id for v in volumes}
        return [s for s in listed if s.volume_id in ids]

    def backups(
        self, volumes: Iterable[Volume], snapshots: Iterable[Snapshot]
    ) -> list[Backup]:
        """The backups being made of these volumes (or of their snapshots),
        and those being restored into them; none is read when no volume or
        snapshot shows one."""
        volumes = list(volumes)
        ids = {v.id for v in volumes}
        backups: list[Backup] = []
        if (any(v.status == BACKING_UP for v in volumes)
                or any(s.status == BACKING_UP for s in snapshots)):
            query = {'all_tenants': '1', 'status': 'creating'}
            backups += [Backup.from_api(item) for item in self.listing('backups', query)
                        if item.get('volume_id') in ids]
        restoring = [v.id for v in volumes if v.status == RESTORING_BACKUP]
        for volume_id in restoring[:RESTORE_LOOKUPS]:
            query = {'all_tenants': '1', 'status': 'restoring',
                     'restore_volume_id': volume_id}
            backups += [Backup.from_api(item, restoring_to=volume_id)
                        for item in self.listing('backups', query)]
        return backups

    def read(self, target: records.Target, backups: bool = True) -> Workload:
        """One read of ``target``: its volumes, then their snapshots, then
        the backups the statuses show (``backups=False`` skips those)."""
        sent = self.requests
        volumes = self.volumes(target)
        snapshots = self.snapshots(target, volumes)
        found = self.backups(volumes, snapshots) if backups else []
        return Workload(
            target=target,
            volumes=tuple(volumes),
            snapshots=tuple(snapshots),
            backups=tuple(found),
            requests=self.requests - sent,
            read_at=self.server_time,
        )
