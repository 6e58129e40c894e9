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

"""Block Storage API v2 (--os-volume-api-version 2): no microversion, no
cluster; Cinder answered it with the controller Cinder 27 still had."""

import json

import fixtures

from volsvcclient.tests.unit import base

load_tests = base.load_tests

HOST = 'node1@lvm'


class TestApiV2(base.ShellTestCase):
    release = 27
    v2 = True

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'volsvcclient.engine.failing_over.INTERVAL', 0.0))
        self.lvm = self.cinder.add(HOST, cluster_name='c1@lvm')
        self.rep = self.cinder.add('node1@rep', replication_status='enabled')

    def run_v2(self, *args):
        result = self.cli(*args, version='2')
        for request in self.cinder.requests():
            self.assertIn('/v2/', request.url)
            self.assertNotIn('OpenStack-API-Version', request.headers)
        return result

    def test_set(self):
        result = self.run_v2('set', HOST, 'cinder-volume', '--disable',
                             '--disable-reason', 'maint')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        result = self.run_v2('set', HOST, 'cinder-volume', '--enable')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        self.assertEqual(
            [('disable-log-reason', {'host': HOST, 'binary': 'cinder-volume',
                                     'disabled_reason': 'maint'}),
             ('enable', {'host': HOST, 'binary': 'cinder-volume'})],
            self.cinder.puts(),
        )
        self.assertEqual((False, 'maint'),
                         (self.lvm['disabled'], self.lvm['disabled_reason']))

    def test_show_has_no_v3_fields(self):
        result = self.run_v2('show', HOST, 'cinder-volume', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            ['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated At',
             'Disabled Reason', 'Replication Status', 'Active Backend ID',
             'Frozen'],
            list(result.json()),
        )

    def test_failover_uses_failover_host(self):
        self.cinder.settle_after_reads = 2
        result = self.run_v2('failover', 'node1@rep', '--backend-id', 'secondary',
                             '--wait', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            [('failover_host', {'host': 'node1@rep', 'backend_id': 'secondary'})],
            self.cinder.puts(),
        )
        (row,) = result.json()
        self.assertEqual(('failed-over', 'secondary'),
                         (row['Replication Status'], row['Active Backend ID']))
        result = self.run_v2('failover', '--cluster', 'c1@lvm')
        self.assertEqual(2, result.code)
        self.assertIn('unrecognized arguments: --cluster', result.stderr)

    def test_commit(self):
        path = self.useFixture(fixtures.TempDir()).join('wanted.json')
        with open(path, 'w') as stream:
            json.dump([
                {'Host': HOST, 'Binary': 'cinder-volume', 'Frozen': True},
                {'Host': 'node1@rep', 'Binary': 'cinder-volume',
                 'Status': 'disabled', 'Disabled Reason': 'repair'},
            ], stream)
        result = self.run_v2('commit', '--from-file', path, '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual({'changed'}, {r['Result'] for r in result.json()})
        self.assertEqual(
            (True, True, 'repair'),
            (self.lvm['frozen'], self.rep['disabled'], self.rep['disabled_reason']),
        )
        result = self.run_v2('commit', '--cluster', 'c1@lvm', '--frozen')
        self.assertEqual(2, result.code)
        self.assertIn('unrecognized arguments: --cluster', result.stderr)

    def test_selections_without_cluster(self):
        # The v2 commands have no --cluster at all: selections must not
        # look for one.
        result = self.run_v2('freeze', '--host-pattern', 'node1@*')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        self.assertEqual(
            [('freeze', {'host': HOST}), ('freeze', {'host': 'node1@rep'})],
            sorted(self.cinder.puts(), key=lambda put: put[1]['host']),
        )
        result = self.run_v2('wait', '--host-pattern', 'node1@*', '--frozen',
                             '--wait-timeout', '0')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        result = self.run_v2('check', '--host-pattern', 'node1@*', '-f', 'json')
        self.assertEqual(1, result.code, result)   # WARNING: they are frozen
        self.assertEqual({HOST, 'node1@rep'}, {r['Host'] for r in result.json()})
