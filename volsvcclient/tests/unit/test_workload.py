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

"""cinder.workload: the reads of what is on a backend, through the real SDK
against the fake Cinder, with the number of requests each costs."""

import datetime
import urllib.parse

import testtools

from volsvcclient.cinder import connection
from volsvcclient.cinder import records
from volsvcclient.cinder import workload
from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes
from volsvcclient.tests.unit.test_services import _Manager

BACKEND = 'vm@fake-2'
POOL = 'vm@fake-2#fake-2'
TARGET = records.Target(host=BACKEND)


class WorkloadTestCase(base.ShellTestCase):
    scenarios = [('api', {})]

    def reader(self, **config):
        proxy = connection.block_storage(_Manager(**config), '3')
        return workload.WorkloadReads(connection.Connection(proxy, '3'))

    def listings(self, resource=None):
        """(path, query) of each listing the fake received."""
        return [
            (r.path.rsplit('/', 2)[-2],
             dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.url).query)))
            for r in self.cinder.workload_requests(resource)
        ]


class TestPaging(WorkloadTestCase):

    def fill(self, count, host=POOL):
        for _ in range(count):
            self.cinder.add_volume(host)

    def test_requests_per_listing_at_the_default_max_limit(self):
        # Cinder gives a full page a next link even when it is the last, so
        # N volumes take N // 1000 + 1 requests.
        for count, requests in ((0, 1), (999, 1), (1000, 2), (2500, 3)):
            self.cinder.volumes.clear()
            self.fill(count)
            self.cinder.forget_requests()
            reader = self.reader()
            volumes = reader.volumes(TARGET)
            self.assertEqual(count, len(volumes))
            self.assertEqual(count, len({v.id for v in volumes}))
            self.assertEqual(requests, reader.requests, count)
            self.assertEqual(requests, len(self.cinder.workload_requests()))

    def test_pages_follow_the_marker_with_the_same_filters(self):
        self.fill(2500)
        self.fill(3, host='vm@fake-20#fake-20')
        self.cinder.forget_requests()
        volumes = self.reader().volumes(TARGET)
        self.assertEqual(2500, len(volumes))
        queries = [query for _, query in self.listings()]
        self.assertEqual({'all_tenants': '1', 'host': BACKEND}, queries[0])
        # Newest first (created_at, then id, descending): each marker is the
        # last volume of the page before.
        order = sorted(self.cinder.volumes[:2500],
                       key=lambda r: (r['created_at'], r['id']), reverse=True)
        self.assertEqual([r['id'] for r in order], [v.id for v in volumes])
        self.assertEqual([order[999]['id'], order[1999]['id']],
                         [query['marker'] for query in queries[1:]])
        for query in queries[1:]:
            self.assertEqual({'all_tenants': '1', 'host': BACKEND},
                             {k: v for k, v in query.items() if k != 'marker'})

    def test_a_smaller_max_limit_takes_more_pages(self):
        self.cinder.osapi_max_limit = 100
        self.fill(250)
        reader = self.reader()
        self.assertEqual(250, len(reader.volumes(TARGET)))
        self.assertEqual(3, reader.requests)

    def test_the_next_link_host_is_not_followed(self):
        # cinder-api builds next links from public_endpoint; one set wrong
        # (or a proxy's inside name) must not send the read elsewhere: the
        # fake has no route there, so following it would fail.
        self.cinder.public_endpoint = 'http://cinder-internal.example:8776'
        self.fill(1500)
        self.cinder.add_volume(POOL)
        self.assertEqual(1501, len(self.reader().volumes(TARGET)))

    def test_a_deleted_marker_starts_the_listing_again(self):
        self.fill(1500)

        def delete_the_last_of_the_first_page(resource, answered):
            if answered == 1:
                order = sorted(self.cinder.volumes,
                               key=lambda r: (r['created_at'], r['id']), reverse=True)
                order[999]['deleted'] = True

        self.cinder.between_pages = delete_the_last_of_the_first_page
        reader = self.reader()
        volumes = reader.volumes(TARGET)
        self.assertEqual(1499, len(volumes))
        # Page 1, the 404 for its deleted marker, then pages 1 and 2 again.
        self.assertEqual(4, reader.requests)

    def test_a_listing_that_never_settles_fails_with_the_reason(self):
        self.fill(1500)

        def delete_every_marker(resource, answered):
            live = [r for r in self.cinder.volumes if not r['deleted']]
            order = sorted(live, key=lambda r: (r['created_at'], r['id']), reverse=True)
            if len(order) >= 1000:
                order[999]['deleted'] = True

        self.cinder.between_pages = delete_every_marker
        error = self.assertRaises(workload.exceptions.Error,
                                  self.reader().volumes, TARGET)
        self.assertIn('volumes kept changing while they were listed', str(error))


class TestWhatIsOnTheBackend(WorkloadTestCase):

    def test_the_host_filter_and_the_record(self):
        attached = self.cinder.add_volume(POOL, attached_to=['server-1'])
        moving = self.cinder.add_volume(
            'vm@fake-2#other', 'creating', project_id='f' * 32,
            migration_status='target:' + attached['id'])
        self.cinder.add_volume('vm@fake-20#fake-20')
        self.cinder.add_volume('vm2@fake-2#fake-2')
        volumes = {v.id: v for v in self.reader().volumes(TARGET)}
        self.assertEqual({attached['id'], moving['id']}, set(volumes))
        one = volumes[attached['id']]
        self.assertEqual(('in-use', None, POOL, fakes.PROJECT_ID), (
            one.status, one.migration_status, one.host, one.project_id))
        self.assertTrue(one.attached)
        self.assertEqual(('server-1',), one.server_ids)
        self.assertEqual(2026, one.updated_at.year)
        self.assertIsNotNone(one.updated_at.tzinfo)
        other = volumes[moving['id']]
        self.assertEqual(('creating', 'target:' + attached['id'], 'f' * 32), (
            other.status, other.migration_status, other.project_id))
        self.assertFalse(other.attached)

    def test_managing_shows_as_creating(self):
        self.cinder.add_volume(POOL, 'managing')
        self.assertEqual(['creating'], [v.status for v in self.reader().volumes(TARGET)])

    def test_asks_at_3_61_or_the_newest_below_it(self):
        self.cinder.add_volume(POOL)
        self.reader().volumes(TARGET)
        self.assertEqual(
            ['volume 3.61'],
            [r.headers['OpenStack-API-Version'] for r in self.cinder.workload_requests()])
        self.cloud = fakes.Cloud(self.mock, max_version='3.50')
        self.cloud.cinder.forget_requests()
        self.cloud.cinder.add_volume(POOL)
        self.reader().volumes(TARGET)
        self.assertEqual(
            ['volume 3.50'],
            [r.headers['OpenStack-API-Version']
             for r in self.cloud.cinder.workload_requests()])

    def test_a_like_wildcard_in_the_name_lets_in_no_other_backend(self):
        # '_' in SQL LIKE matches any character: Cinder's filter for
        # vm@lvm_a also returns vm@lvmxa's volumes (and their snapshots).
        mine = self.cinder.add_volume('vm@lvm_a#p')
        other = self.cinder.add_volume('vm@lvmxa#p')
        self.cinder.add_snapshot(mine)
        self.cinder.add_snapshot(other)
        reader = self.reader()
        target = records.Target(host='vm@lvm_a')
        volumes = reader.volumes(target)
        self.assertEqual([mine['id']], [v.id for v in volumes])
        self.assertEqual([mine['id']],
                         [s.volume_id for s in reader.snapshots(target, volumes)])

    def test_a_cluster_by_its_volumes_cluster_name(self):
        clustered = self.cinder.add_volume(
            'cluster-node-1@clustered#clustered',
            cluster_name='labcluster@clustered#clustered')
        self.cinder.add_volume('cluster-node-1@clustered#clustered')
        target = records.Target(cluster='labcluster@clustered')
        self.assertEqual([clustered['id']],
                         [v.id for v in self.reader().volumes(target)])
        self.assertEqual({'all_tenants': '1', 'cluster_name': 'labcluster@clustered'},
                         self.listings()[-1][1])

    def test_a_member_is_told_it_needs_the_admin_role(self):
        self.cinder.add_volume(POOL)
        self.cinder.admin = False
        # From 3.31 Cinder refuses the host filter.
        error = self.assertRaises(workload.NotAdmin, self.reader().volumes, TARGET)
        self.assertIn('Invalid filters host are found in query options', str(error))
        self.assertIn('needs the admin role', str(error))

    def test_below_3_31_a_member_would_get_the_project_unfiltered(self):
        self.cloud = fakes.Cloud(self.mock, max_version='3.30')
        self.cloud.cinder.add_volume('elsewhere@lvm#lvm')
        self.cloud.cinder.admin = False
        error = self.assertRaises(workload.NotAdmin, self.reader().volumes, TARGET)
        self.assertIn("did not show the volumes' host", str(error))

    def test_gateway_errors_are_retried_as_reads_are(self):
        self.cinder.add_volume(POOL)
        self.cinder.workload_failures = [503]
        reader = self.reader()
        self.assertEqual(1, len(reader.volumes(TARGET)))
        self.assertEqual(1, reader.requests)
        self.assertEqual(2, len(self.cinder.workload_requests()))


class TestOneRead(WorkloadTestCase):

    def test_a_quiet_backend_of_1000_volumes_takes_three_requests(self):
        for index in range(1000):
            volume = self.cinder.add_volume(POOL)
            if index % 100 == 0:
                self.cinder.add_snapshot(volume)
        read = self.reader().read(TARGET)
        self.assertEqual((1000, 10, 0), (len(read.volumes), len(read.snapshots),
                                         len(read.backups)))
        # Two pages of volumes (the second empty), one of snapshots.
        self.assertEqual(3, read.requests)
        self.assertEqual(['volumes', 'volumes', 'snapshots'],
                         [path for path, _ in self.listings()])
        self.assertEqual(self.cinder.now, read.read_at)

    def test_backups_are_read_when_a_status_shows_one(self):
        volume = self.cinder.add_volume(POOL, 'backing-up')
        target = self.cinder.add_volume(POOL, 'restoring-backup')
        elsewhere = self.cinder.add_volume('vm@fake-20#fake-20', 'backing-up')
        making = self.cinder.add_backup(volume, 'creating')
        self.cinder.add_backup(elsewhere, 'creating')
        restoring = self.cinder.add_backup(elsewhere, 'restoring',
                                           restore_volume_id=target['id'])
        read = self.reader().read(TARGET)
        self.assertEqual({making['id']: None, restoring['id']: target['id']},
                         {b.id: b.restoring_to for b in read.backups})
        self.assertEqual(fakes.PROJECT_ID, read.backups[0].project_id)
        self.assertEqual(
            [('volumes', {'all_tenants': '1', 'host': BACKEND}),
             ('snapshots', {'all_tenants': '1', 'host': BACKEND}),
             ('backups', {'all_tenants': '1', 'status': 'creating'}),
             ('backups', {'all_tenants': '1', 'status': 'restoring',
                          'restore_volume_id': target['id']})],
            self.listings())
        self.assertEqual(4, read.requests)

    def test_a_snapshot_backing_up_reads_the_backups_too(self):
        volume = self.cinder.add_volume(POOL)
        snapshot = self.cinder.add_snapshot(volume, 'backing-up')
        backup = self.cinder.add_backup(volume, 'creating', snapshot_id=snapshot['id'])
        read = self.reader().read(TARGET)
        self.assertEqual([backup['id']], [b.id for b in read.backups])
        self.assertEqual(3, read.requests)

    def test_no_backup_read_when_none_is_shown(self):
        volume = self.cinder.add_volume(POOL)
        self.cinder.add_backup(volume, 'creating')
        read = self.reader().read(TARGET)
        self.assertEqual((), read.backups)
        self.assertEqual(2, read.requests)


class TestTimestamps(testtools.TestCase):
    """records.when: the one reading of Cinder's timestamps (workload rows,
    heartbeat ages, wait --fresh)."""

    def test_cinder_writes_utc_without_a_zone(self):
        when = records.when('2026-12-07T23:23:38.000000')
        self.assertEqual(datetime.datetime(2026, 12, 7, 23, 23, 38,
                                           tzinfo=datetime.timezone.utc), when)

    def test_a_zone_given_is_kept(self):
        when = records.when('2026-12-08T01:23:38+02:00')
        self.assertEqual(datetime.timedelta(hours=2), when.utcoffset())

    def test_none_and_nonsense_are_unknown(self):
        for text in (None, '', 'yesterday', 12):
            self.assertIsNone(records.when(text), text)
