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

"""What is in flight on a backend, judged from one read of it: pure, no
requests.

A volume, snapshot or backup is in flight while a Cinder service works on
it through the backend's cinder-volume; stopping cinder-volume then leaves
it stuck, or, for a volume in 'creating', set to 'error' when cinder-volume
starts again (cinder/volume/manager.py _do_cleanup). Cinder 27.0.0, 28.0.0
and 29.0.0 have the same statuses (cinder/objects/fields.py, and the
strings cinder/volume/api.py and manager.py set), so one table serves all
three. A status no table knows counts as in flight: not known to be
settled.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from volsvcclient.cinder import workload


class Activity(enum.Enum):
    """What a status says about the work on a resource."""

    #: A Cinder service is working on it, through the backend.
    IN_FLIGHT = 'in flight'
    #: It waits on someone else (Nova, the receiver of a transfer), maybe
    #: for ever; the backend is not working on it.
    WAITING = 'waiting'
    SETTLED = 'settled'
    #: An error status: settled, for an administrator to look at.
    FAILED = 'failed'


IN_FLIGHT = Activity.IN_FLIGHT
WAITING = Activity.WAITING
SETTLED = Activity.SETTLED
FAILED = Activity.FAILED

#: Volume statuses as the API shows them (it shows 'managing' as
#: 'creating', 'error_managing' as 'error' and 'error_managing_deleting' as
#: 'deleting': cinder/api/v3/views/volumes.py _get_volume_status).
VOLUME_STATUSES: Mapping[str, Activity] = {
    # API create -> scheduler -> cinder-volume create_volume; also a manage.
    'creating': IN_FLIGHT,
    # What a manage is in the database (shown as 'creating').
    'managing': IN_FLIGHT,
    # cinder-volume delete_volume (resumed when it starts again).
    'deleting': IN_FLIGHT,
    # os-reserve / attachment_update, then the driver's connection.
    'attaching': IN_FLIGHT,
    'detaching': IN_FLIGHT,
    # cinder-volume extend_volume (volume/api.py _extend).
    'extending': IN_FLIGHT,
    # cinder-backup reads it through cinder-volume (backup/api.py create).
    'backing-up': IN_FLIGHT,
    # cinder-backup writes into it (backup/api.py restore).
    'restoring-backup': IN_FLIGHT,
    # Created from an image or re-imaged; copied to an image.
    'downloading': IN_FLIGHT,
    'uploading': IN_FLIGHT,
    # volume/api.py retype: cinder-volume retype, or a migration.
    'retyping': IN_FLIGHT,
    # volume/api.py migrate_volume sets it on an available volume it moves.
    'maintenance': IN_FLIGHT,
    # volume/api.py revert_to_snapshot (not in fields.VolumeStatus).
    'reverting': IN_FLIGHT,
    # volume/api.py delete(unmanage_only=True) (not in fields.VolumeStatus).
    'unmanaging': IN_FLIGHT,
    # An attachment without a connector yet: Nova's to complete; a
    # shelved-offloaded server keeps it so.
    'reserved': WAITING,
    # A transfer waits for its receiver.
    'awaiting-transfer': WAITING,
    'available': SETTLED,
    'in-use': SETTLED,
    'error': FAILED,
    'error_deleting': FAILED,
    'error_extending': FAILED,
    'error_restoring': FAILED,
    'error_backing-up': FAILED,
    'error_unmanaging': FAILED,
    'error_managing': FAILED,
}

#: Migration statuses (admin-only ``migration_status``): volume/api.py
#: _is_volume_migrating counts all but None, 'deleting', 'error' and
#: 'success' as migrating; 'none' is what os-reset_status may set and means
#: no migration (fields.VolumeMigrationStatus). 'target:<id>' marks the
#: destination row of a migration of volume <id> (volume/manager.py
#: _migrate_volume_generic), in flight whatever its status says.
MIGRATION_STATUSES: Mapping[str | None, Activity] = {
    None: SETTLED,
    'none': SETTLED,
    'success': SETTLED,
    # The source left behind after a migration could not be deleted.
    'deleting': SETTLED,
    'error': FAILED,
    'starting': IN_FLIGHT,
    'migrating': IN_FLIGHT,
    'completing': IN_FLIGHT,
}
MIGRATION_TARGET = 'target:'

#: cinder/objects/fields.py SnapshotStatus ('deleted' rows are not listed).
SNAPSHOT_STATUSES: Mapping[str, Activity] = {
    'creating': IN_FLIGHT,
    'deleting': IN_FLIGHT,
    # In the enum, set by no code of these releases.
    'updating': IN_FLIGHT,
    # A backup made from it (backup/api.py create with snapshot_id).
    'backing-up': IN_FLIGHT,
    # The volume reverts to it (volume/api.py revert_to_snapshot).
    'restoring': IN_FLIGHT,
    'unmanaging': IN_FLIGHT,
    'available': SETTLED,
    'error': FAILED,
    'error_deleting': FAILED,
}

#: cinder/objects/fields.py BackupStatus, for the backend: creating and
#: restoring go through its cinder-volume, deleting only through
#: cinder-backup.
BACKUP_STATUSES: Mapping[str, Activity] = {
    'creating': IN_FLIGHT,
    'restoring': IN_FLIGHT,
    'deleting': SETTLED,
    'available': SETTLED,
    'error': FAILED,
    'error_deleting': FAILED,
}


def volume_activity(status: str, migration_status: str | None) -> Activity:
    """The activity of a volume: its status's, or in flight while a
    migration from or to it is under way. A destination row is in flight
    even when 'available' (the data is copied into it then), not when in
    an error status: that is what a failed migration left behind."""
    activity = VOLUME_STATUSES.get(status, IN_FLIGHT)
    if activity is IN_FLIGHT:
        return activity
    if (migration_status or '').startswith(MIGRATION_TARGET):
        return activity if activity is FAILED else IN_FLIGHT
    if MIGRATION_STATUSES.get(migration_status, IN_FLIGHT) is IN_FLIGHT:
        return IN_FLIGHT
    return activity


def _why(status: str, migration: str | None, known: Mapping[str, Activity]) -> str:
    if status not in known:
        return f'status {status!r}, unknown to this client'
    if known[status] is IN_FLIGHT or known[status] is WAITING or migration is None:
        return status
    if migration.startswith(MIGRATION_TARGET):
        return f'destination of the migration of volume {migration[len(MIGRATION_TARGET):]}'
    return f'migration {migration}'


@dataclasses.dataclass(frozen=True)
class InFlight:
    """One volume, snapshot or backup that is not settled."""

    #: 'volume', 'snapshot' or 'backup'.
    kind: str
    id: str
    project_id: str | None
    status: str
    migration_status: str | None
    #: Seconds since Cinder last changed it (updated_at, else created_at),
    #: by cinder-api's clock; None when either is unknown.
    age: float | None
    #: Its status, or why a settled status is not settled.
    why: str
    #: The volume a snapshot or backup belongs to.
    volume_id: str | None = None

    @property
    def line(self) -> str:
        """'volume 3f2a... (project p1, creating, 40s)'."""
        from volsvcclient.cinder import bounds

        age = f', {bounds.spoken(self.age)}' if self.age is not None else ''
        return f'{self.kind} {self.id} (project {self.project_id}, {self.why}{age})'


@dataclasses.dataclass(frozen=True)
class OnBackend:
    volumes: int
    attached: int
    snapshots: int


@dataclasses.dataclass(frozen=True)
class Judgement:
    """What one read says about a backend."""

    on_backend: OnBackend
    #: What a drain waits for, the longest unchanged first.
    in_flight: tuple[InFlight, ...]
    #: What waits on someone else: reported, not waited for.
    waiting: tuple[InFlight, ...]

    @property
    def quiet(self) -> bool:
        return not self.in_flight


def _age(now: datetime.datetime | None, updated: datetime.datetime | None,
         created: datetime.datetime | None) -> float | None:
    since = updated or created
    if now is None or since is None:
        return None
    return (now - since).total_seconds()


def _oldest_first(moving: list[InFlight]) -> tuple[InFlight, ...]:
    return tuple(sorted(moving, key=lambda m: (m.age is None, -(m.age or 0.0), m.kind, m.id)))


def judge(read: workload.Workload, now: datetime.datetime | None = None) -> Judgement:
    """Judge ``read``; ages are measured to ``now``, else to cinder-api's
    clock at the read."""
    now = now or read.read_at
    in_flight: list[InFlight] = []
    waiting: list[InFlight] = []
    for volume in read.volumes:
        activity = volume_activity(volume.status, volume.migration_status)
        if activity is IN_FLIGHT or activity is WAITING:
            (in_flight if activity is IN_FLIGHT else waiting).append(InFlight(
                'volume', volume.id, volume.project_id, volume.status,
                volume.migration_status,
                _age(now, volume.updated_at, volume.created_at),
                _why(volume.status, volume.migration_status, VOLUME_STATUSES),
            ))
    for snapshot in read.snapshots:
        if SNAPSHOT_STATUSES.get(snapshot.status, IN_FLIGHT) is IN_FLIGHT:
            in_flight.append(InFlight(
                'snapshot', snapshot.id, snapshot.project_id, snapshot.status, None,
                _age(now, snapshot.updated_at, snapshot.created_at),
                _why(snapshot.status, None, SNAPSHOT_STATUSES), snapshot.volume_id,
            ))
    for backup in read.backups:
        if BACKUP_STATUSES.get(backup.status, IN_FLIGHT) is IN_FLIGHT:
            in_flight.append(InFlight(
                'backup', backup.id, backup.project_id, backup.status, None,
                _age(now, backup.updated_at, backup.created_at),
                _why(backup.status, None, BACKUP_STATUSES),
                backup.restoring_to or backup.volume_id,
            ))
    return Judgement(
        on_backend=OnBackend(
            volumes=len(read.volumes),
            attached=sum(1 for v in read.volumes if v.attached),
            snapshots=len(read.snapshots),
        ),
        in_flight=_oldest_first(in_flight),
        waiting=_oldest_first(waiting),
    )
