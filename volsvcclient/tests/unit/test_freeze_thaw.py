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

"""volume service freeze and thaw."""

import fixtures

from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests

HOST = 'node1@lvm'


class TestFreezeThaw(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.service = self.cinder.add(HOST)
        self.other = self.cinder.add('node2@lvm')
        self.member1 = self.cinder.add('node4@aa', cluster_name='c1@aa')
        self.member2 = self.cinder.add('node5@aa', cluster_name='c1@aa')

    def test_freeze_then_thaw_round_trip(self):
        result = self.cli('freeze', HOST)
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertEqual(
            (True, True, 'frozen'),
            (self.service['frozen'], self.service['disabled'],
             self.service['disabled_reason']),
        )
        self.assertEqual(['GET', 'PUT', 'GET'], [r.method for r in self.cinder.requests()])
        result = self.cli('thaw', HOST)
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertEqual((False, False), (self.service['frozen'], self.service['disabled']))
        self.assertEqual(
            [('freeze', {'host': HOST}), ('thaw', {'host': HOST})], self.cinder.puts()
        )

    def test_already_in_state_sends_no_action(self):
        result = self.cli('thaw', HOST)
        self.assertEqual(0, result.code)
        self.assertEqual(f"host '{HOST}' is already thawed; nothing to do\n", result.stderr)
        self.service['frozen'] = True
        result = self.cli('freeze', HOST)
        self.assertEqual(0, result.code)
        self.assertIn('already frozen', result.stderr)
        self.assertEqual([], self.cinder.puts())

    def test_freeze_ignored_by_server_fails(self):
        self.cinder.ignored.add('freeze')
        result = self.cli('freeze', HOST)
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: the server accepted freeze of host "
            f"'{HOST}' but frozen is False",
        )

    def test_thaw_with_backend_error_reports_it(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='frozen')
        self.cinder.driver_fails_thaw = True
        result = self.cli('thaw', HOST)
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: the server accepted thaw of host '{HOST}' "
            f"but status is 'disabled'. The server said: Backend reported error "
            f"during thaw_host operation.",
        )
        # Cinder thawed the database before the driver failed.
        self.assertEqual((False, True), (self.service['frozen'], self.service['disabled']))

    def test_cluster(self):
        result = self.cli('freeze', '--cluster', 'c1@aa', version='3.26')
        self.assertEqual(0, result.code, result)
        self.assertEqual([('freeze', {'cluster': 'c1@aa'})], self.cinder.puts())
        self.assertTrue(self.member1['frozen'] and self.member2['frozen'])
        self.assertEqual('volume 3.26', self.microversions('PUT')[0])
        # Only the member that took the RPC disabled its own service.
        self.assertEqual(
            (True, 'frozen', False),
            (self.member1['disabled'], self.member1['disabled_reason'],
             self.member2['disabled']),
        )

    def test_a_clustered_host_alone_is_refused(self):
        # Cinder would freeze node5@aa too, unasked (issue 23, item 2).
        for verb in ('freeze', 'thaw'):
            if verb == 'thaw':
                for member in (self.member1, self.member2):
                    member.update(frozen=True, disabled=True, disabled_reason='frozen')
            result = self.cli(verb, 'node4@aa')
            self.assertFails(
                result, f"cinder-volume on node4@aa is a member of cluster 'c1@aa': "
                f"Cinder would {verb} its other members too (node5@aa). Give "
                f"--cluster c1@aa to {verb} the whole cluster")
            self.assertEqual([], self.cinder.puts())
        # Selecting every member is the whole cluster.
        for member in (self.member1, self.member2):
            member.update(frozen=False, disabled=False, disabled_reason=None)
        result = self.cli('freeze', '--host-pattern', 'node[45]@aa')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        self.assertEqual([('freeze', {'host': 'node4@aa'})], self.cinder.puts())
        self.assertTrue(self.member2['frozen'])

    def test_cluster_thaw_that_leaves_a_member_disabled_says_why(self):
        for member in (self.member1, self.member2):
            member.update(frozen=True, disabled=True, disabled_reason='frozen')
        self.cinder.rpc_member = 'node5@aa'
        result = self.cli('thaw', '--cluster', 'c1@aa')
        self.assertFails(
            result,
            "cinder-volume on node4@aa: the server accepted thaw of cluster "
            "'c1@aa' but status is 'disabled'. Cinder delivers freeze and thaw "
            "of a cluster to one of its members, and only that member disables "
            "or re-enables its own service",
        )
        self.assertEqual(
            (False, True, False, False),
            (self.member1['frozen'], self.member1['disabled'],
             self.member2['frozen'], self.member2['disabled']),
        )

    def test_cluster_with_a_member_in_another_state_is_sent(self):
        # A member that joined in replication error keeps its own frozen
        # flag (cinder/service.py): the cluster is not "already" frozen or
        # thawed until every member is.
        self.member2.update(frozen=True, replication_status='error')
        result = self.cli('freeze', '--cluster', 'c1@aa')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        self.assertEqual([('freeze', {'cluster': 'c1@aa'})], self.cinder.puts())
        self.assertTrue(self.member1['frozen'])
        self.cinder.forget_requests()
        self.member1.update(frozen=False, disabled=False, disabled_reason='')
        result = self.cli('thaw', '--cluster', 'c1@aa')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        self.assertEqual([('thaw', {'cluster': 'c1@aa'})], self.cinder.puts())
        self.assertFalse(self.member2['frozen'])

    def test_cluster_by_name_from_3_26_through_a_member_before(self):
        result = self.cli('freeze', '--cluster', 'c1@aa', version='3.6')
        self.assertFails(
            result, '--cluster requires --os-volume-api-version 3.7 or later '
            '(this command is using Block Storage API 3.6)'
        )
        self.assertEqual([], self.cinder.requests())
        # Below 3.26 os-services takes no cluster: a member's host freezes
        # the whole cluster (cinder/volume/api.py).
        result = self.cli('freeze', '--cluster', 'c1@aa', version='3.25')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        self.assertEqual([('freeze', {'host': 'node4@aa'})], self.cinder.puts())
        self.assertTrue(self.member2['frozen'])

    def test_unknown_cluster(self):
        result = self.cli('thaw', '--cluster', 'nope')
        self.assertFails(result, "No cinder-volume service in cluster 'nope'. Clusters: c1@aa")
        self.assertEqual(['binary=cinder-volume'] * 2,
                         [r.query for r in self.cinder.requests('GET')])
        for name in ('c1@aa', 'c2@aa'):
            for member in self.cinder.members(name):
                member['cluster_name'] = None
        result = self.cli('thaw', '--cluster', 'nope')
        self.assertFails(result, "No cinder-volume service in cluster 'nope'. Clusters: none")

    def test_host_or_cluster_or_selection(self):
        for args, message in (
            ((), 'Give <host> or --cluster <cluster>, or a selection '
                 '(--host-pattern, --zone)'),
            ((HOST, '--cluster', 'c1@aa'), 'Give either <host> or --cluster <cluster>'),
            ((HOST, '--zone', 'nova'), 'Give <host> or --cluster <cluster> or a '
                                       'selection (--host-pattern, --zone), not both'),
        ):
            self.assertFails(self.cli('freeze', *args), message)
        self.assertEqual([], self.cinder.requests())

    def test_selection(self):
        self.cinder.add('node3@lvm', zone='az2')
        result = self.cli('freeze', '--host-pattern', 'node[12]@*')
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertEqual(
            [('freeze', {'host': HOST}), ('freeze', {'host': 'node2@lvm'})],
            sorted(self.cinder.puts(), key=lambda p: p[1]['host']),
        )
        result = self.cli('thaw', '--zone', 'nova', '--host-pattern', '*')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            (False, False, False),
            (self.service['frozen'], self.other['frozen'],
             self.cinder.get('node3@lvm')['frozen']),
        )
        self.assertEqual(4, len(self.cinder.puts()))

    def test_selection_reports_each_failure(self):
        self.cinder.ignored.add('freeze')
        result = self.cli('freeze', '--host-pattern', 'node[12]@*')
        self.assertEqual(1, result.code)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(
            [f"cinder-volume on {HOST}: failed: the server accepted every "
             f"request but frozen is False",
             "cinder-volume on node2@lvm: failed: the server accepted every "
             "request but frozen is False",
             "2 of 2 service(s) did not end frozen"],
            lines,
        )

    def test_wait_timeout_rereads_then_says_what_it_saw(self):
        self.cinder.ignored.add('freeze')
        result = self.cli('freeze', HOST, '--wait-timeout', '0.2')
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: the server accepted freeze of host "
            f"'{HOST}' but after 0.2 s frozen is False",
        )
        self.assertGreaterEqual(len(self.cinder.requests('GET')), 3)

    def clock(self):
        clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', clock))
        return clock

    def test_wait_timeout_rereads_until_the_change_shows(self):
        # Reads from a database replica that lags two reads behind.
        clock = self.clock()
        self.cinder.read_lag = 2
        result = self.cli('freeze', HOST, '--wait-timeout', '5')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        # find, then a re-read every 2 s until the third shows it.
        self.assertEqual(4, len(self.cinder.requests('GET')))
        self.assertEqual(4.0, clock.slept)

    def test_wait_timeout_gives_up_at_its_end(self):
        clock = self.clock()
        self.cinder.read_lag = 10
        result = self.cli('freeze', HOST, '--wait-timeout', '5')
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: the server accepted freeze of host "
            f"'{HOST}' but after 5 s frozen is False",
        )
        # Re-reads at 0, 2, 4 and 5 s.
        self.assertEqual(5, len(self.cinder.requests('GET')))
        self.assertEqual(5.0, clock.slept)

    def test_selection_wait_timeout_rereads_every_service(self):
        clock = self.clock()
        self.cinder.read_lag = 2
        result = self.cli('freeze', '--host-pattern', 'node[12]@lvm', '--wait-timeout', '5')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        # One list, two freezes, three verifying lists.
        self.assertEqual(['GET', 'PUT', 'PUT', 'GET', 'GET', 'GET'],
                         [r.method for r in self.cinder.requests()])
        self.assertEqual(4.0, clock.slept)
        self.cinder.read_lag = 10
        result = self.cli('thaw', '--host-pattern', 'node[12]@lvm', '--wait-timeout', '5')
        self.assertEqual(1, result.code)
        self.assertEqual(
            [f"cinder-volume on {host}: failed: the server accepted every request "
             f"but status is 'disabled', frozen is True" for host in (HOST, 'node2@lvm')]
            + ['2 of 2 service(s) did not end thawed'],
            result.stderr.splitlines(),
        )
        self.assertEqual(9.0, clock.slept)

    def test_unknown_host(self):
        result = self.cli('freeze', 'nodeX@lvm')
        self.assertFails(result, "No cinder-volume service on host 'nodeX@lvm'")


class TestFreezeV2(base.ShellTestCase):
    v2 = True

    def test_v2_host_only(self):
        self.cinder.add(HOST)
        result = self.cli('freeze', HOST, version='2')
        self.assertEqual(0, result.code, result)
        self.assertEqual([('freeze', {'host': HOST})], self.cinder.puts())
        self.assertTrue(all('/v2/' in r.url for r in self.cinder.requests()))
        result = self.cli('thaw', '--cluster', 'c1', version='2')
        self.assertEqual(2, result.code)
