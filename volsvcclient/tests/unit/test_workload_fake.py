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

"""The fake Cinder's volume, snapshot and backup listings against the rules
of Cinder's code (the same in 27.0.0, 28.0.0 and 29.0.0); each test names
the function it follows. Raw HTTP: no client code of ours runs here."""

import urllib.parse

import requests

from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

V3 = fakes.V3_ENDPOINT
load_tests = base.load_tests


class FakeListingTestCase(base.ShellTestCase):
    scenarios = [('27', {'release': 27}), ('29', {'release': 29})]

    def get(self, path, version='3.0', **query):
        response = requests.get(
            f'{V3}/{path}', params=query,
            headers={'OpenStack-API-Version': f'volume {version}'})
        return response.status_code, response.json()

    def ids(self, path, version='3.0', **query):
        status, body = self.get(path, version, **query)
        self.assertEqual(200, status, body)
        resource = path.split('/')[0]
        return [item['id'] for item in body[resource]]


class TestVolumeFilters(FakeListingTestCase):

    def test_host_matches_as_filter_host_does(self):
        # cinder/db/api.py _filter_host: pool exact; backend and its pools;
        # a bare host and all its backends; LIKE's '_' is a wildcard.
        pool = self.cinder.add_volume('vm@fake-2#fake-2')['id']
        other_pool = self.cinder.add_volume('vm@fake-2#b')['id']
        longer = self.cinder.add_volume('vm@fake-20#fake-20')['id']
        self.cinder.add_volume('vm2@fake-2#fake-2')
        underscore = self.cinder.add_volume('vm@lvm_a#p')['id']
        lookalike = self.cinder.add_volume('vm@lvmxa#p')['id']
        found = {
            host: set(self.ids('volumes/detail', all_tenants='1', host=host))
            for host in ('vm@fake-2#fake-2', 'vm@fake-2', 'vm', 'vm@lvm_a')
        }
        self.assertEqual({pool}, found['vm@fake-2#fake-2'])
        self.assertEqual({pool, other_pool}, found['vm@fake-2'])
        self.assertEqual({pool, other_pool, longer, underscore, lookalike}, found['vm'])
        self.assertEqual({underscore, lookalike}, found['vm@lvm_a'])

    def test_unknown_filters_and_all_tenants_0_find_nothing_for_an_admin(self):
        # reject_invalid_filters lets an admin use any filter, and
        # _process_volume_filters returns no query for a key that is not a
        # column; volume/api.py get_all leaves a false all_tenants in the
        # filters, where it is such a key.
        self.cinder.add_volume('vm@fake-2#fake-2')
        for version in ('3.0', '3.31'):
            self.assertEqual([], self.ids('volumes/detail', version,
                                          all_tenants='1', hots='vm@fake-2'))
        self.assertEqual([], self.ids('volumes/detail', all_tenants='0'))
        self.assertEqual(1, len(self.ids('volumes/detail', all_tenants='1')))
        self.assertEqual(1, len(self.ids('volumes/detail')))

    def test_a_member_gets_400_from_3_31_and_the_host_filter_dropped_below(self):
        # common.reject_invalid_filters (3.31+) against resource_filters.json;
        # below, api_utils.remove_invalid_filter_options strips it; the
        # non-admin never sees migration targets (volume/api.py get_all).
        mine = self.cinder.add_volume('elsewhere@lvm#lvm')['id']
        self.cinder.add_volume('vm@fake-2#fake-2', migration_status='target:x')
        self.cinder.add_volume('vm@fake-2#fake-2', project_id='f' * 32)
        self.cinder.admin = False
        status, body = self.get('volumes/detail', '3.31', all_tenants='1', host='vm@fake-2')
        self.assertEqual((400, 'Invalid filters host are found in query options.'),
                         (status, body['badRequest']['message']))
        status, body = self.get('volumes/detail', '3.30', all_tenants='1', host='vm@fake-2')
        self.assertEqual([mine], [v['id'] for v in body['volumes']])
        self.assertNotIn('os-vol-host-attr:host', body['volumes'][0])
        self.assertNotIn('migration_status', body['volumes'][0])

    def test_statuses_the_api_never_shows(self):
        # cinder/api/v3/views/volumes.py _get_volume_status.
        for status in ('managing', 'error_managing', 'error_managing_deleting'):
            self.cinder.add_volume('vm@fake-2#fake-2', status)
        _, body = self.get('volumes/detail', all_tenants='1')
        self.assertEqual(['deleting', 'error', 'creating'],
                         [v['status'] for v in body['volumes']])

    def test_admin_fields_by_microversion(self):
        # The views' microversion gates; the contrib extensions add host,
        # project and migration status at any version.
        self.cinder.add_volume('n1@c#c', cluster_name='cl@c#c')
        fields = {}
        for version in ('3.0', '3.60', '3.61', '3.65'):
            _, body = self.get('volumes/detail', version, all_tenants='1')
            fields[version] = set(body['volumes'][0])
        for version in fields:
            self.assertLessEqual(
                {'os-vol-host-attr:host', 'os-vol-tenant-attr:tenant_id',
                 'migration_status', 'os-vol-mig-status-attr:migstat', 'updated_at'},
                fields[version])
        self.assertNotIn('cluster_name', fields['3.60'])
        self.assertIn('cluster_name', fields['3.61'])
        self.assertEqual({'volume_type_id', 'consumes_quota'},
                         fields['3.65'] - fields['3.61'])


class TestPaging(FakeListingTestCase):

    def test_a_full_page_has_a_next_link_even_when_it_is_the_last(self):
        # cinder/api/common.py _get_collection_links: limit <= items.
        for _ in range(3):
            self.cinder.add_volume('vm@fake-2#fake-2')
        _, body = self.get('volumes/detail', all_tenants='1', host='vm@fake-2', limit='3')
        link = urllib.parse.urlsplit(body['volumes_links'][0]['href'])
        self.assertEqual(f'/v3/{fakes.PROJECT_ID}/volumes/detail', link.path)
        # _get_next_link: every parameter of the request, the marker last.
        self.assertEqual(
            [('all_tenants', '1'), ('host', 'vm@fake-2'), ('limit', '3'),
             ('marker', body['volumes'][-1]['id'])],
            urllib.parse.parse_qsl(link.query))
        _, body = self.get('volumes/detail', all_tenants='1', host='vm@fake-2',
                           limit='3', marker=body['volumes'][-1]['id'])
        self.assertEqual({'volumes': []}, body)

    def test_the_max_limit_caps_the_page(self):
        self.cinder.osapi_max_limit = 2
        for _ in range(3):
            self.cinder.add_volume('vm@fake-2#fake-2')
        _, body = self.get('volumes/detail', all_tenants='1', limit='10')
        self.assertEqual(2, len(body['volumes']))
        self.assertIn('volumes_links', body)

    def test_newest_first_and_a_deleted_marker_is_not_found(self):
        # _generate_paginate_query: created_at then id, descending; the
        # marker row is read first (_volume_get), so a deleted one is a 404.
        first = self.cinder.add_volume('vm@fake-2#fake-2')
        tied = [self.cinder.add_volume('vm@fake-2#fake-2', created_at=first['created_at'])
                for _ in range(3)]
        order = [first] + tied
        order.sort(key=lambda r: r['id'], reverse=True)
        self.assertEqual([r['id'] for r in order], self.ids('volumes/detail', all_tenants='1'))
        order[1]['deleted'] = True
        status, body = self.get('volumes/detail', all_tenants='1', marker=order[1]['id'])
        self.assertEqual((404, f"Volume {order[1]['id']} could not be found."),
                         (status, body['itemNotFound']['message']))


class TestSnapshotsAndBackups(FakeListingTestCase):

    def test_snapshots_by_their_volumes_host(self):
        # cinder/db/api.py _process_snaps_filters joins the volume for
        # host and cluster_name; snapshots show neither.
        here = self.cinder.add_volume('vm@fake-2#fake-2')
        there = self.cinder.add_volume('vm@fake-20#fake-20')
        mine = self.cinder.add_snapshot(here, 'creating')['id']
        self.cinder.add_snapshot(there, 'deleting')
        _, body = self.get('snapshots/detail', all_tenants='1', host='vm@fake-2')
        self.assertEqual([mine], [s['id'] for s in body['snapshots']])
        self.assertEqual(fakes.PROJECT_ID,
                         body['snapshots'][0]['os-extended-snapshot-attributes:project_id'])

    def test_backups_all_tenants_must_be_a_boolean_and_the_project_needs_3_18(self):
        # cinder/backup/api.py get_all; cinder/api/v3/backups.py detail.
        volume = self.cinder.add_volume('vm@fake-2#fake-2')
        self.cinder.add_backup(volume, 'creating')
        status, body = self.get('backups/detail', all_tenants='maybe')
        self.assertEqual((400, "all_tenants must be a boolean, got 'maybe'."),
                         (status, body['badRequest']['message']))
        _, old = self.get('backups/detail', '3.17', all_tenants='1')
        _, new = self.get('backups/detail', '3.18', all_tenants='1')
        self.assertNotIn('os-backup-project-attr:project_id', old['backups'][0])
        self.assertEqual(fakes.PROJECT_ID, new['backups'][0]['os-backup-project-attr:project_id'])
        # Any backup column filters for an admin, the restore target too.
        self.assertEqual([], self.ids('backups/detail', all_tenants='1',
                                      restore_volume_id=volume['id']))
