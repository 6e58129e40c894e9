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

"""What is on a lab backend, for the drain tests: volumes really created
through Cinder's API on a raw keystoneauth session, rows put in the lab's
database in any status, and the database read back as the second reader.

Nothing here goes through volsvcclient. Rows are written as Cinder's own
code leaves them: a real ``volume_type_id`` (from API 3.63 the volume view
reads the type, and a row without one makes the listing answer 500),
``deleted = 0``, the host with its pool (``vm@fake-2#fake-2``). They never
touch quota usage, and they are deleted for good (not soft-deleted) at
cleanup.
"""

from __future__ import annotations

import time
import uuid

from volsvcclient.tests.functional.lab import database
from volsvcclient.tests.functional.lab import lab as lab_module

#: The display name of every row a test inserts, with a suffix per test.
ROW_NAME = 'volsvc-row'
#: The name of volumes and volume types a test creates through the API.
REAL_NAME = 'volsvc-drain'
#: How the API shows database statuses it renames
#: (cinder/api/v3/views/volumes.py _get_volume_status).
SHOWN_AS = {'managing': 'creating', 'error_managing': 'error',
            'error_managing_deleting': 'deleting'}


def sql_value(value: object) -> str:
    """``value`` as a MariaDB literal."""
    if value is None:
        return 'NULL'
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, int):
        return str(value)
    text = str(value).replace('\\', '\\\\').replace("'", "\\'")
    return f"'{text}'"


def ago(seconds: int) -> str:
    """SQL for the database clock ``seconds`` ago, in UTC as Cinder keeps it."""
    return f'UTC_TIMESTAMP() - INTERVAL {int(seconds)} SECOND'


def on_backend_sql(host: str, column: str = 'host') -> str:
    """Cinder's admin host filter for ``host@backend``: the backend or any
    pool of it, spelt without LIKE (whose ``_`` would match anything)."""
    pool = host + '#'
    return (f'({column} = {sql_value(host)} OR '
            f'LEFT({column}, {len(pool)}) = {sql_value(pool)})')


class LabDatabase:
    """Cinder's database in the lab, as MariaDB's root through its socket."""

    def __init__(self, lab_dir: str) -> None:
        # A running lab's state file names its ports; none are needed here.
        self.lab = lab_module.Lab(lab_dir, {})

    def run(self, statement: str) -> str:
        return database.sql(self.lab, statement, 'cinder')

    def rows(self, statement: str) -> list[list[str | None]]:
        """The rows of a query, each a list of its columns (NULL is None)."""
        return [[None if column == 'NULL' else column for column in line.split('\t')]
                for line in self.run(statement).splitlines() if line]

    def scalar(self, statement: str) -> str | None:
        found = self.rows(statement)
        return found[0][0] if found else None

    # The second reader of what a drain reports.

    def volumes_on(self, host: str) -> dict[str, dict[str, str | None]]:
        """id -> status (as the API shows it), project_id, migration_status,
        host of every volume Cinder lists on ``host`` (a host@backend)."""
        found = self.rows(
            'SELECT id, status, project_id, migration_status, host FROM volumes '
            f'WHERE deleted = 0 AND {on_backend_sql(host)}')
        return {id_: {'status': SHOWN_AS.get(status or '', status), 'project_id': project,
                      'migration_status': migration, 'host': where}
                for id_, status, project, migration, where in found}

    def volumes_in_cluster(self, cluster: str) -> dict[str, dict[str, str | None]]:
        found = self.rows(
            'SELECT id, status, project_id FROM volumes WHERE deleted = 0 AND '
            f"(cluster_name = {sql_value(cluster)} OR "
            f"LEFT(cluster_name, {len(cluster) + 1}) = {sql_value(cluster + '#')})")
        return {id_: {'status': SHOWN_AS.get(status or '', status), 'project_id': project}
                for id_, status, project in found}

    def attached_on(self, host: str) -> int:
        """Volumes on ``host`` with an attachment Cinder shows ('attached')."""
        return int(self.scalar(
            'SELECT COUNT(DISTINCT v.id) FROM volumes v JOIN volume_attachment a '
            "ON a.volume_id = v.id AND a.deleted = 0 AND a.attach_status = 'attached' "
            f'WHERE v.deleted = 0 AND {on_backend_sql(host, "v.host")}'
        ) or 0)

    def snapshots_on(self, host: str) -> dict[str, dict[str, str | None]]:
        """id -> status, project_id, volume_id of the snapshots of the volumes
        on ``host``."""
        found = self.rows(
            'SELECT s.id, s.status, s.project_id, s.volume_id FROM snapshots s '
            'JOIN volumes v ON v.id = s.volume_id WHERE s.deleted = 0 AND '
            f'v.deleted = 0 AND {on_backend_sql(host, "v.host")}')
        return {id_: {'status': status, 'project_id': project, 'volume_id': volume}
                for id_, status, project, volume in found}

    def backup(self, backup_id: str) -> dict[str, str | None]:
        [[status, project, volume, restore]] = self.rows(
            'SELECT status, project_id, volume_id, restore_volume_id FROM backups '
            f'WHERE id = {sql_value(backup_id)}')
        return {'status': status, 'project_id': project, 'volume_id': volume,
                'restore_volume_id': restore}

    def volume_status(self, volume_id: str) -> tuple[str | None, str | None]:
        """(status, host) of a volume row, (None, None) when there is none."""
        found = self.rows(f'SELECT status, host FROM volumes WHERE id = {sql_value(volume_id)} '
                          'AND deleted = 0')
        return (found[0][0], found[0][1]) if found else (None, None)


class Rows:
    """Volume, snapshot, backup and attachment rows one test puts in the
    database, in whatever status it asks; ``delete`` removes them all."""

    def __init__(self, db: LabDatabase, volume_type_id: str, user_id: str) -> None:
        self.db = db
        self.volume_type_id = volume_type_id
        #: Who asked for each row (a backup's user_id cannot be NULL).
        self.user_id = user_id
        #: Every row of this test carries this display name.
        self.name = f'{ROW_NAME}-{uuid.uuid4().hex[:12]}'

    def volume(self, host: str, status: str, project_id: str, *,
               migration_status: str | None = None, cluster_name: str | None = None,
               age: int = 60, deleted: bool = False) -> str:
        """A volume row on ``host`` (host@backend#pool), last changed ``age``
        seconds ago; its id."""
        volume_id = str(uuid.uuid4())
        attach_status = 'attached' if status == 'in-use' else 'detached'
        self.db.run(
            'INSERT INTO volumes (id, created_at, updated_at, deleted, deleted_at, '
            'user_id, project_id, host, cluster_name, size, availability_zone, status, '
            'attach_status, display_name, volume_type_id, migration_status, '
            'replication_status, bootable, multiattach) VALUES ('
            f'{sql_value(volume_id)}, {ago(age + 60)}, {ago(age)}, {sql_value(deleted)}, '
            f'{ago(age) if deleted else "NULL"}, {sql_value(self.user_id)}, '
            f'{sql_value(project_id)}, {sql_value(host)}, {sql_value(cluster_name)}, 1, '
            f"'nova', {sql_value(status)}, {sql_value(attach_status)}, "
            f'{sql_value(self.name)}, {sql_value(self.volume_type_id)}, '
            f"{sql_value(migration_status)}, 'disabled', 0, 0)")
        return volume_id

    def volumes(self, host: str, count: int, project_id: str, status: str = 'available') -> None:
        """``count`` volume rows on ``host`` in one statement (MariaDB's
        sequence engine numbers them)."""
        self.db.run(
            'INSERT INTO volumes (id, created_at, updated_at, deleted, user_id, '
            'project_id, host, size, availability_zone, status, attach_status, '
            'display_name, volume_type_id, replication_status, bootable, multiattach) '
            f'SELECT UUID(), {ago(120)}, {ago(60)}, 0, {sql_value(self.user_id)}, '
            f'{sql_value(project_id)}, '
            f"{sql_value(host)}, 1, 'nova', {sql_value(status)}, 'detached', "
            f"{sql_value(self.name)}, {sql_value(self.volume_type_id)}, 'disabled', 0, 0 "
            f'FROM seq_1_to_{int(count)}')

    def attach(self, volume_id: str, server_id: str | None = None) -> str:
        """An 'attached' attachment of ``volume_id`` to a server; its id."""
        attachment_id = str(uuid.uuid4())
        self.db.run(
            'INSERT INTO volume_attachment (id, created_at, updated_at, deleted, '
            'volume_id, instance_uuid, mountpoint, attach_time, attach_mode, '
            'attach_status) VALUES ('
            f'{sql_value(attachment_id)}, {ago(120)}, {ago(60)}, 0, {sql_value(volume_id)}, '
            f"{sql_value(server_id or str(uuid.uuid4()))}, '/dev/vdb', {ago(60)}, 'rw', "
            "'attached')")
        return attachment_id

    def snapshot(self, volume_id: str, status: str, project_id: str, age: int = 60) -> str:
        snapshot_id = str(uuid.uuid4())
        self.db.run(
            'INSERT INTO snapshots (id, created_at, updated_at, deleted, volume_id, '
            'user_id, project_id, status, progress, volume_size, display_name, '
            f'volume_type_id) VALUES ({sql_value(snapshot_id)}, {ago(age + 60)}, '
            f'{ago(age)}, 0, {sql_value(volume_id)}, {sql_value(self.user_id)}, '
            f"{sql_value(project_id)}, {sql_value(status)}, '0%', "
            f'1, {sql_value(self.name)}, {sql_value(self.volume_type_id)})')
        return snapshot_id

    def backup(self, volume_id: str, status: str, project_id: str, *,
               restore_volume_id: str | None = None, age: int = 60) -> str:
        """A backup row of ``volume_id`` (being restored into
        ``restore_volume_id`` when given), as backup/api.py writes it."""
        backup_id = str(uuid.uuid4())
        self.db.run(
            'INSERT INTO backups (id, created_at, updated_at, deleted, volume_id, '
            'user_id, project_id, availability_zone, display_name, status, size, '
            'restore_volume_id) VALUES ('
            f'{sql_value(backup_id)}, {ago(age + 60)}, {ago(age)}, 0, {sql_value(volume_id)}, '
            f"{sql_value(self.user_id)}, {sql_value(project_id)}, 'nova', "
            f'{sql_value(self.name)}, {sql_value(status)}, 1, '
            f'{sql_value(restore_volume_id)})')
        return backup_id

    def delete(self) -> None:
        """Remove every row of this test, children first."""
        name = sql_value(self.name)
        ours = f'SELECT id FROM volumes WHERE display_name = {name}'
        self.db.run(
            f'DELETE FROM volume_attachment WHERE volume_id IN ({ours});'
            f'DELETE FROM backups WHERE display_name = {name};'
            f'DELETE FROM snapshots WHERE display_name = {name};'
            f'DELETE FROM volume_admin_metadata WHERE volume_id IN ({ours});'
            f'DELETE FROM volumes WHERE display_name = {name}')


class RealVolumes:
    """Volume types and volumes made through Cinder's API with raw
    keystoneauth sessions (``base.RawReader``), and deleted through it."""

    def __init__(self, raw, timeout: float = 120) -> None:
        self.raw = raw
        self.timeout = timeout
        #: Volumes asked for, by any project; the admin deletes them.
        self.created: list[str] = []
        self.types: list[str] = []

    def volume_type(self, backend: str) -> tuple[str, str]:
        """(name, id) of a new public type whose volumes Cinder's
        CapabilitiesFilter places on ``backend`` (its volume_backend_name)."""
        name = f'{REAL_NAME}-{backend}-{uuid.uuid4().hex[:8]}'
        response = self.raw.request('POST', '/types', json={'volume_type': {
            'name': name, 'extra_specs': {'volume_backend_name': backend}}})
        if response.status_code != 200:
            raise AssertionError(f'cannot create volume type {name}: HTTP '
                                 f'{response.status_code} {response.text}')
        type_id = response.json()['volume_type']['id']
        self.types.append(type_id)
        return name, type_id

    def create(self, type_name: str, reader=None) -> str:
        """Ask Cinder for a 1 GiB volume of ``type_name`` as ``reader``'s
        project (the admin's unless given); its id, at once (202)."""
        reader = reader or self.raw
        response = reader.request('POST', '/volumes', json={'volume': {
            'size': 1, 'volume_type': type_name, 'name': REAL_NAME}})
        if response.status_code != 202:
            raise AssertionError(f'cannot create a volume of {type_name}: HTTP '
                                 f'{response.status_code} {response.text}')
        volume_id = response.json()['volume']['id']
        self.created.append(volume_id)
        return volume_id

    def get(self, volume_id: str) -> dict | None:
        """The volume as the admin sees it, None once it is gone."""
        response = self.raw.request('GET', f'/volumes/{volume_id}')
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()['volume']

    def wait_for(self, volume_id: str, status: str, timeout: float | None = None) -> dict:
        """The volume once its status is ``status``; fails on another
        settled status (error) or after ``timeout`` seconds."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            volume = self.get(volume_id)
            if volume is None:
                raise AssertionError(f'volume {volume_id} is gone')
            if volume['status'] == status:
                return volume
            if volume['status'].startswith('error'):
                raise AssertionError(f'volume {volume_id} is {volume["status"]}, not {status}')
            if time.monotonic() >= deadline:
                raise AssertionError(f'volume {volume_id} still {volume["status"]}, '
                                     f'not {status}, after {timeout or self.timeout} s')
            time.sleep(0.5)

    def delete_all(self) -> None:
        """Delete every volume made here (detached first; reset to 'error'
        when Cinder refuses the delete of its status), wait until each is
        gone, then delete the types."""
        problems = []
        for volume_id in self.created:
            try:
                self._delete(volume_id)
            except AssertionError as exc:
                problems.append(str(exc))
        deadline = time.monotonic() + self.timeout
        for volume_id in self.created:
            while self.get(volume_id) is not None:
                if time.monotonic() >= deadline:
                    problems.append(f'volume {volume_id} not deleted in {self.timeout} s')
                    break
                time.sleep(0.5)
        for type_id in self.types:
            response = self.raw.request('DELETE', f'/types/{type_id}')
            if response.status_code not in (202, 404):
                problems.append(f'volume type {type_id}: HTTP {response.status_code} '
                                f'{response.text}')
        if problems:
            raise AssertionError('cleanup: ' + '; '.join(problems))

    def _delete(self, volume_id: str) -> None:
        volume = self.get(volume_id)
        if volume is None:
            return
        for attachment in volume.get('attachments') or ():
            self._action(volume_id, {'os-force_detach': {
                'attachment_id': attachment['attachment_id']}})
        response = self.raw.request('DELETE', f'/volumes/{volume_id}')
        if response.status_code == 400:
            # A status Cinder will not delete from (a create cut short).
            self._action(volume_id, {'os-reset_status': {
                'status': 'error', 'attach_status': 'detached'}})
            response = self.raw.request('DELETE', f'/volumes/{volume_id}')
        if response.status_code not in (202, 404):
            raise AssertionError(f'cannot delete volume {volume_id}: HTTP '
                                 f'{response.status_code} {response.text}')

    def _action(self, volume_id: str, body: dict) -> None:
        response = self.raw.request('POST', f'/volumes/{volume_id}/action', json=body)
        if response.status_code >= 400:
            raise AssertionError(f'{list(body)[0]} of volume {volume_id}: HTTP '
                                 f'{response.status_code} {response.text}')
