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

"""engine.in_flight: what is in flight, per status, for each release: the
rows go into the fake Cinder as its database holds them, are read through
the real SDK by cinder.workload, and judged."""

import datetime

from volsvcclient.cinder import connection
from volsvcclient.cinder import records
from volsvcclient.cinder import workload
from volsvcclient.engine import in_flight
from volsvcclient.tests.unit import base
from volsvcclient.tests.unit.test_services import _Manager

IN_FLIGHT = in_flight.IN_FLIGHT
WAITING = in_flight.WAITING
SETTLED = in_flight.SETTLED
FAILED = in_flight.FAILED
POOL = 'vm@fake-2#fake-2'
TARGET = records.Target(host='vm@fake-2')
SOURCE = 'c0ffee00-0000-4000-8000-000000000001'

#: (status in the database, migration_status, what the API shows, activity)
VOLUMES = [
    ('creating', None, 'creating', IN_FLIGHT),
    ('managing', None, 'creating', IN_FLIGHT),
    ('deleting', None, 'deleting', IN_FLIGHT),
    ('error_managing_deleting', None, 'deleting', IN_FLIGHT),
    ('attaching', None, 'attaching', IN_FLIGHT),
    ('detaching', None, 'detaching', IN_FLIGHT),
    ('extending', None, 'extending', IN_FLIGHT),
    ('backing-up', None, 'backing-up', IN_FLIGHT),
    ('restoring-backup', None, 'restoring-backup', IN_FLIGHT),
    ('downloading', None, 'downloading', IN_FLIGHT),
    ('uploading', None, 'uploading', IN_FLIGHT),
    ('retyping', None, 'retyping', IN_FLIGHT),
    ('maintenance', 'migrating', 'maintenance', IN_FLIGHT),
    ('reverting', None, 'reverting', IN_FLIGHT),
    ('unmanaging', None, 'unmanaging', IN_FLIGHT),
    ('reserved', None, 'reserved', WAITING),
    ('awaiting-transfer', None, 'awaiting-transfer', WAITING),
    ('available', None, 'available', SETTLED),
    ('in-use', None, 'in-use', SETTLED),
    ('error', None, 'error', FAILED),
    ('error_managing', None, 'error', FAILED),
    ('error_deleting', None, 'error_deleting', FAILED),
    ('error_extending', None, 'error_extending', FAILED),
    ('error_restoring', None, 'error_restoring', FAILED),
    ('error_backing-up', None, 'error_backing-up', FAILED),
    ('error_unmanaging', None, 'error_unmanaging', FAILED),
    # A migration from this backend, by its stage.
    ('available', 'starting', 'available', IN_FLIGHT),
    ('in-use', 'migrating', 'in-use', IN_FLIGHT),
    ('in-use', 'completing', 'in-use', IN_FLIGHT),
    ('available', 'success', 'available', SETTLED),
    ('available', 'error', 'available', SETTLED),
    ('available', 'deleting', 'available', SETTLED),
    ('available', 'none', 'available', SETTLED),
    # The destination row of a migration to this backend: in flight while
    # it is created and while the data is copied into it.
    ('creating', f'target:{SOURCE}', 'creating', IN_FLIGHT),
    ('available', f'target:{SOURCE}', 'available', IN_FLIGHT),
    ('error', f'target:{SOURCE}', 'error', FAILED),
    # What no release has: not known to be settled.
    ('resizing', None, 'resizing', IN_FLIGHT),
    ('available', 'pausing', 'available', IN_FLIGHT),
]
SNAPSHOTS = [
    ('creating', IN_FLIGHT), ('deleting', IN_FLIGHT), ('updating', IN_FLIGHT),
    ('backing-up', IN_FLIGHT), ('restoring', IN_FLIGHT), ('unmanaging', IN_FLIGHT),
    ('available', SETTLED), ('error', FAILED), ('error_deleting', FAILED),
]
#: cinder/objects/fields.py of 27.0.0, 28.0.0 and 29.0.0 (the same values).
CINDER_VOLUME_STATUSES = {
    'creating', 'available', 'deleting', 'error', 'error_deleting', 'error_managing',
    'managing', 'attaching', 'in-use', 'detaching', 'maintenance', 'restoring-backup',
    'error_restoring', 'reserved', 'awaiting-transfer', 'backing-up',
    'error_backing-up', 'error_extending', 'downloading', 'uploading', 'retyping',
    'extending',
}
CINDER_SNAPSHOT_STATUSES = {
    'error', 'available', 'creating', 'deleting', 'updating', 'error_deleting',
    'unmanaging', 'backing-up', 'restoring',
}
CINDER_BACKUP_STATUSES = {
    'error', 'error_deleting', 'creating', 'available', 'deleting', 'restoring',
}
CINDER_MIGRATION_STATUSES = {
    'migrating', 'error', 'success', 'completing', 'none', 'starting',
}
load_tests = base.load_tests


class TestTables(base.ShellTestCase):
    scenarios = [('tables', {})]

    def test_every_status_of_cinder_has_a_row(self):
        self.assertLessEqual(CINDER_VOLUME_STATUSES, set(in_flight.VOLUME_STATUSES))
        self.assertLessEqual(CINDER_SNAPSHOT_STATUSES, set(in_flight.SNAPSHOT_STATUSES))
        self.assertEqual(CINDER_BACKUP_STATUSES, set(in_flight.BACKUP_STATUSES))
        self.assertLessEqual(CINDER_MIGRATION_STATUSES, set(in_flight.MIGRATION_STATUSES))

    def test_volume_activity(self):
        for _, migration, shown, activity in VOLUMES:
            self.assertIs(activity, in_flight.volume_activity(shown, migration),
                          (shown, migration))


class TestPerRelease(base.ShellTestCase):
    """Each row through the fake Cinder of each release and the reader."""

    scenarios = [(str(release), {'release': release}) for release in (27, 28, 29)]

    def judge(self):
        proxy = connection.block_storage(_Manager(), '3')
        reader = workload.WorkloadReads(connection.Connection(proxy, '3'))
        return in_flight.judge(reader.read(TARGET))

    def test_volumes(self):
        rows = {}
        for status, migration, shown, activity in VOLUMES:
            row = self.cinder.add_volume(POOL, status, migration_status=migration)
            rows[row['id']] = (shown, migration, activity)
        judged = self.judge()
        moving = {m.id: m for m in judged.in_flight}
        waiting = {m.id: m for m in judged.waiting}
        for volume_id, (shown, migration, activity) in rows.items():
            expected = (activity is IN_FLIGHT, activity is WAITING)
            self.assertEqual(expected, (volume_id in moving, volume_id in waiting),
                             (shown, migration))
            found = moving.get(volume_id) or waiting.get(volume_id)
            if found:
                self.assertEqual((shown, migration), (found.status, found.migration_status))
        self.assertEqual(len(VOLUMES), judged.on_backend.volumes)
        self.assertFalse(judged.quiet)

    def test_snapshots(self):
        volume = self.cinder.add_volume(POOL)
        rows = {self.cinder.add_snapshot(volume, status)['id']: activity
                for status, activity in SNAPSHOTS}
        judged = self.judge()
        moving = {m.id for m in judged.in_flight}
        self.assertEqual({i for i, a in rows.items() if a is IN_FLIGHT}, moving)
        self.assertEqual((1, len(SNAPSHOTS)),
                         (judged.on_backend.volumes, judged.on_backend.snapshots))

    def test_backups_being_made_and_restored(self):
        source = self.cinder.add_volume(POOL, 'backing-up')
        target = self.cinder.add_volume(POOL, 'restoring-backup')
        made = self.cinder.add_backup(source, 'creating')
        restored = self.cinder.add_backup(source, 'restoring',
                                          restore_volume_id=target['id'])
        self.cinder.add_backup(source, 'available')
        judged = self.judge()
        backups = {m.id: m.volume_id for m in judged.in_flight if m.kind == 'backup'}
        self.assertEqual({made['id']: source['id'], restored['id']: target['id']}, backups)


class TestJudgement(base.ShellTestCase):
    scenarios = [('judge', {})]
    NOW = datetime.datetime(2026, 11, 24, 10, 0, 30, tzinfo=datetime.timezone.utc)

    def volume(self, status, updated, created=None, attached=False, migration=None):
        return workload.Volume(
            id=f'v-{status}-{updated}', name=None, project_id='p1', status=status,
            migration_status=migration, host=POOL, cluster_name=None,
            attachment_ids=('a1',) if attached else (), server_ids=(),
            created_at=self.NOW - datetime.timedelta(seconds=created or 600),
            updated_at=(None if updated is None
                        else self.NOW - datetime.timedelta(seconds=updated)))

    def read(self, volumes=(), snapshots=(), read_at=NOW, backups=()):
        return workload.Workload(TARGET, tuple(volumes), tuple(snapshots), tuple(backups), 2,
                                 read_at)

    def ago(self, seconds):
        return None if seconds is None else self.NOW - datetime.timedelta(seconds=seconds)

    def snapshot(self, status, updated, created=600):
        return workload.Snapshot(
            id=f's-{status}', name=None, project_id='p2', status=status, volume_id='v1',
            progress=None, created_at=self.ago(created), updated_at=self.ago(updated))

    def backup(self, status, updated, created=600, restoring_to=None):
        return workload.Backup(
            id=f'b-{status}', name=None, project_id='p3', status=status, volume_id='v1',
            snapshot_id=None, restoring_to=restoring_to, created_at=self.ago(created),
            updated_at=self.ago(updated))

    def test_what_is_on_the_backend_and_the_oldest_first(self):
        read = self.read([
            self.volume('in-use', 5, attached=True),
            self.volume('creating', 30),
            self.volume('deleting', None, created=90),
            self.volume('reserved', 3000),
            self.volume('error', 9000),
        ])
        judged = in_flight.judge(read)
        self.assertEqual(in_flight.OnBackend(volumes=5, attached=1, snapshots=0),
                         judged.on_backend)
        # Without an updated_at, the age runs from created_at.
        self.assertEqual([('deleting', 90.0), ('creating', 30.0)],
                         [(m.status, m.age) for m in judged.in_flight])
        self.assertEqual(['reserved'], [m.status for m in judged.waiting])
        self.assertEqual('p1', judged.in_flight[0].project_id)
        self.assertFalse(judged.quiet)

    def test_attached_counts_attachments_not_in_use(self):
        # An in-use volume being backed up or detached is attached still.
        judged = in_flight.judge(self.read([
            self.volume('backing-up', 1, attached=True),
            self.volume('detaching', 2, attached=True),
            self.volume('available', 3),
        ]))
        self.assertEqual(2, judged.on_backend.attached)

    def test_quiet_when_only_settled_failed_and_waiting(self):
        judged = in_flight.judge(self.read([
            self.volume('available', 1), self.volume('error_deleting', 1),
            self.volume('awaiting-transfer', 1),
        ]))
        self.assertTrue(judged.quiet)
        self.assertEqual(1, len(judged.waiting))

    def test_ages_by_the_given_clock_or_none_without_one(self):
        read = self.read([self.volume('extending', 10)], read_at=None)
        self.assertIsNone(in_flight.judge(read).in_flight[0].age)
        later = self.NOW + datetime.timedelta(seconds=50)
        self.assertEqual(60.0, in_flight.judge(read, now=later).in_flight[0].age)

    def test_why_a_settled_status_is_in_flight(self):
        judged = in_flight.judge(self.read([
            self.volume('in-use', 1, migration='migrating'),
            self.volume('available', 2, migration=f'target:{SOURCE}'),
            self.volume('resizing', 3),
        ]))
        self.assertEqual(
            ["status 'resizing', unknown to this client",
             f'destination of the migration of volume {SOURCE}',
             'migration migrating'],
            [m.why for m in judged.in_flight])

    def test_snapshots_and_backups_in_flight(self):
        # Each with its project, status, age (from updated_at, else
        # created_at), why and volume (a restore's: the volume it writes
        # into); a status no table knows is in flight.
        judged = in_flight.judge(self.read(
            snapshots=[self.snapshot('creating', 20), self.snapshot('exporting', None, 40),
                       self.snapshot('available', 1)],
            backups=[self.backup('creating', 10),
                     self.backup('restoring', None, 30, restoring_to='v2'),
                     self.backup('available', 1), self.backup('importing', 5)]))
        self.assertEqual(
            [('snapshot', 's-exporting', 'p2', 'exporting', 40.0,
              "status 'exporting', unknown to this client", 'v1'),
             ('backup', 'b-restoring', 'p3', 'restoring', 30.0, 'restoring', 'v2'),
             ('snapshot', 's-creating', 'p2', 'creating', 20.0, 'creating', 'v1'),
             ('backup', 'b-creating', 'p3', 'creating', 10.0, 'creating', 'v1'),
             ('backup', 'b-importing', 'p3', 'importing', 5.0,
              "status 'importing', unknown to this client", 'v1')],
            [(m.kind, m.id, m.project_id, m.status, m.age, m.why, m.volume_id)
             for m in judged.in_flight])
        self.assertEqual(in_flight.OnBackend(volumes=0, attached=0, snapshots=3),
                         judged.on_backend)

    def test_the_oldest_first_and_those_of_unknown_age_last(self):
        unknown = workload.Volume(
            id='v-unknown', name=None, project_id='p1', status='extending',
            migration_status=None, host=POOL, cluster_name=None, attachment_ids=(),
            server_ids=(), created_at=None, updated_at=None)
        judged = in_flight.judge(self.read([
            unknown, self.volume('creating', 0), self.volume('deleting', 0.5)]))
        self.assertEqual([('deleting', 0.5), ('creating', 0.0), ('extending', None)],
                         [(m.status, m.age) for m in judged.in_flight])

    def test_why_is_the_status_when_the_status_decides(self):
        # In flight by its own status, though also a migration's
        # destination; waiting, after a migration that succeeded earlier.
        judged = in_flight.judge(self.read([
            self.volume('creating', 1, migration=f'target:{SOURCE}'),
            self.volume('reserved', 2, migration='success'),
        ]))
        self.assertEqual(['creating'], [m.why for m in judged.in_flight])
        self.assertEqual(['reserved'], [m.why for m in judged.waiting])
