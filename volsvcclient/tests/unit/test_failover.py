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

"""volume service failover: route fallback, output, --wait."""

import fixtures

from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests

HOST = 'node1@rep'


class FailoverMixin:
    def setUp(self):
        super().setUp()
        self.useFixture(
            fixtures.MonkeyPatch(
                'volsvcclient.engine.failing_over.INTERVAL', 0.0
            )
        )
        self.service = self.cinder.add(HOST, replication_status='enabled')
        for member in ('node4@rep', 'node5@rep'):
            self.cinder.add(member, replication_status='enabled',
                            cluster_name='c1@rep')
        self.cinder.add('node1@lvm')


class TestFailover29(FailoverMixin, base.ShellTestCase):
    release = 29

    def test_falls_back_to_failover_host_on_404(self):
        result = self.cli('failover', HOST, '--backend-id', 'secondary', '-f', 'json')
        self.assertEqual(0, result.code, result)
        body = {'host': HOST, 'backend_id': 'secondary'}
        self.assertEqual(
            [('failover', body), ('failover_host', body)], self.cinder.puts()
        )
        (row,) = result.json()
        self.assertEqual('failing-over', row['Replication Status'])

    def test_wait_until_failed_over(self):
        self.cinder.settle_after_reads = 2
        result = self.cli('failover', HOST, '--backend-id', 'secondary',
                          '--wait', '-f', 'json')
        self.assertEqual(0, result.code, result)
        (row,) = result.json()
        self.assertEqual(
            ('failed-over', 'secondary'),
            (row['Replication Status'], row['Active Backend ID']),
        )
        self.assertEqual('', result.stderr)

    def test_failback_with_default(self):
        self.service.update(replication_status='failed-over', active_backend_id='secondary')
        self.cinder.settle_after_reads = 2
        result = self.cli('failover', HOST, '--backend-id', 'default', '--wait',
                          '-f', 'json')
        self.assertEqual(0, result.code, result)
        (row,) = result.json()
        self.assertEqual(('enabled', ''), (row['Replication Status'], row['Active Backend ID']))

    def test_wait_reports_error(self):
        self.cinder.settle_after_reads = 2
        self.cinder.settle_outcome = 'error'
        result = self.cli('failover', HOST, '--wait')
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: failover did not complete: replication "
            f"status failover-error, active backend None, status disabled "
            f"(reason None); the driver refused or failed it",
        )

    def test_wait_reports_refused_target(self):
        # cinder-volume puts the status back to enabled when the driver
        # refuses the target: that is no success.
        self.cinder.settle_after_reads = 2
        self.cinder.settle_outcome = 'refused'
        result = self.cli('failover', HOST, '--backend-id', 'bogus', '--wait')
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: failover did not complete: replication "
            f"status enabled, active backend None",
        )

    def test_wait_fails_when_the_backend_stays_on_another_target(self):
        # Failed over to 'secondary' before; the driver refuses 'tertiary'
        # and cinder-volume puts back failed-over, still on 'secondary'.
        self.service.update(replication_status='failed-over',
                            active_backend_id='secondary', disabled=True,
                            disabled_reason='failed-over')
        self.cinder.settle_after_reads = 2
        self.cinder.settle_outcome = 'refused'
        result = self.cli('failover', HOST, '--backend-id', 'tertiary', '--wait')
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: failover did not complete: replication "
            f"status failed-over, active backend 'secondary'",
        )

    def test_wait_timeout_says_last_state(self):
        result = self.cli('failover', HOST, '--wait', '--wait-timeout', '0.05')
        self.assertFails(
            result,
            f'cinder-volume on {HOST}: still failing-over after 0.05 s (last '
            f'seen: replication status failing-over, active backend None)',
        )

    def test_non_replicated_backend(self):
        result = self.cli('failover', 'node1@lvm')
        self.assertFails(
            result,
            "The server refused the request: Invalid input received: No service "
            "could be changed: ['node1@lvm'] cannot fail over: replication status "
            "must be ['enabled', 'failed-over'] and must be up",
        )

    def test_cluster_uses_failover_host_with_cluster_field(self):
        result = self.cli('failover', '--cluster', 'c1@rep', '-f', 'value',
                          '-c', 'Host', version='3.26')
        self.assertEqual(0, result.code, result)
        self.assertEqual('node4@rep\nnode5@rep\n', result.stdout)
        self.assertEqual(
            [('failover', {'cluster': 'c1@rep'}),
             ('failover_host', {'cluster': 'c1@rep'})],
            self.cinder.puts(),
        )
        # The members are re-read in one request, for their one binary.
        reread = self.cinder.requests('GET')[-1]
        self.assertEqual({'binary': ['cinder-volume']}, reread.qs)

    def test_cluster_wait_timeout_bounds_the_whole_wait(self):
        # node4@rep finishes after 4 s, node5@rep never: --wait-timeout is
        # the operator's bound for the command, not for each member.
        clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', clock))
        self.useFixture(fixtures.MonkeyPatch(
            'volsvcclient.engine.failing_over.INTERVAL', 2.0))
        start = clock.now

        def node4_finishes(read):
            if clock.now - start >= 4:
                self.cinder.settle_failovers(hosts=['node4@rep'])

        self.cinder.after_read = node4_finishes
        result = self.cli('failover', '--cluster', 'c1@rep', '--wait',
                          '--wait-timeout', '10')
        self.assertFails(
            result,
            'cinder-volume on node5@rep: still failing-over after 10 s (last '
            'seen: replication status failing-over, active backend None)',
        )
        self.assertEqual(10.0, clock.slept)
        self.assertEqual('failed-over', self.cinder.get('node4@rep')['replication_status'])

    def test_wait_ends_at_the_timeout_not_the_next_poll(self):
        clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', clock))
        self.useFixture(fixtures.MonkeyPatch(
            'volsvcclient.engine.failing_over.INTERVAL', 2.0))
        result = self.cli('failover', '--cluster', 'c1@rep', '--wait',
                          '--wait-timeout', '9')
        self.assertEqual(1, result.code, result)
        # Four polls 2 s apart, then the last second.
        self.assertEqual(9.0, clock.slept)

    def test_cluster_wait_succeeds_when_every_member_has(self):
        self.cinder.settle_after_reads = 3
        result = self.cli('failover', '--cluster', 'c1@rep', '--backend-id',
                          'secondary', '--wait', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            [('node4@rep', 'failed-over', 'secondary'),
             ('node5@rep', 'failed-over', 'secondary')],
            [(r['Host'], r['Replication Status'], r['Active Backend ID'])
             for r in result.json()],
        )

    def test_cluster_member_that_is_down_is_left_out(self):
        # Cinder needs the cluster up, then fails over the members that are
        # up (volume/api.py _replication_db_change with check_up).
        self.cinder.get('node5@rep')['state'] = 'down'
        result = self.cli('failover', '--cluster', 'c1@rep', '-f', 'value',
                          '-c', 'Host', '-c', 'Replication Status')
        self.assertEqual(0, result.code, result)
        self.assertEqual('node4@rep failing-over\nnode5@rep enabled\n', result.stdout)
        self.assertIn("node5@rep of cluster 'c1@rep' down: a member that is up "
                      "takes the failover", result.stderr)

    def test_a_cluster_below_3_26_is_refused_naming_the_option(self):
        result = self.cli('failover', '--cluster', 'c1@rep', version='3.25')
        self.assertFails(
            result, '--cluster requires --os-volume-api-version 3.26 or later')
        self.assertEqual([], self.cinder.puts())

    def test_an_unconfirmed_failover_says_what_the_database_shows(self):
        # The failover is a cast: Cinder answers once RabbitMQ took it.
        self.cinder.volume_rpc = 'silent'
        result = self.cli('failover', HOST, '--rpc-timeout', '2')
        self.assertFails(
            result,
            "failover got no answer within 2 s: Cinder answers it only once the "
            "backend's cinder-volume has, over RabbitMQ (is either down?). The "
            f"database now shows cinder-volume on {HOST}: status enabled, frozen "
            "False, reason None, replication failing-over; the backend has not "
            "confirmed; the request may still complete: "
            f"{self.command('show ' + HOST + ' cinder-volume')} shows whether it did",
        )

    def test_a_member_gone_from_the_re_read_is_named(self):
        for args, when in ((('failover', HOST), 'after the failover request'),
                           (('failover', HOST, '--wait'), 'while failing over')):
            self.service['replication_status'] = 'enabled'
            self.cinder.after_action = lambda action, body: self.cinder.services.remove(
                self.service)
            result = self.cli(*args)
            self.assertFails(result, f'cinder-volume on {HOST} disappeared {when}')
            self.cinder.services.append(self.service)

    def test_bad_timeout(self):
        result = self.cli('failover', HOST, '--wait', '--wait-timeout', '0')
        self.assertFails(result, '--wait-timeout must be positive')
        result = self.cli('failover', HOST, '--wait-timeout', '5')
        self.assertFails(result, '--wait-timeout goes with --wait')
        self.assertEqual([], self.cinder.puts())


class TestFailover27(FailoverMixin, base.ShellTestCase):
    release = 27

    def test_uses_failover_route_at_3_26(self):
        result = self.cli('failover', HOST)
        self.assertEqual(0, result.code, result)
        self.assertEqual([('failover', {'host': HOST})], self.cinder.puts())

    def test_cluster_uses_the_failover_route(self):
        # Cinder 27's failover_host never reads the cluster field: it would
        # answer 400 'Host field is missing.'
        result = self.cli('failover', '--cluster', 'c1@rep')
        self.assertEqual(0, result.code, result)
        self.assertEqual([('failover', {'cluster': 'c1@rep'})], self.cinder.puts())
        self.assertEqual(
            ['failing-over'] * 2,
            [self.cinder.get(h)['replication_status'] for h in ('node4@rep', 'node5@rep')],
        )

    def test_uses_failover_host_below_3_26(self):
        result = self.cli('failover', HOST, version='3.25')
        self.assertEqual(0, result.code, result)
        self.assertEqual([('failover_host', {'host': HOST})], self.cinder.puts())


class TestFailoverProgress(FailoverMixin, base.ShellTestCase):
    def test_progress_only_on_a_terminal(self):
        self.cinder.settle_after_reads = 3
        result = self.cli('failover', HOST, '--wait', '-f', 'value',
                          '-c', 'Replication Status', tty=True)
        self.assertEqual(0, result.code, result)
        self.assertEqual('failed-over\n', result.stdout)
        self.assertIn(f'\rcinder-volume on {HOST}: failing-over (0 s)', result.stderr)
        self.assertIn(f'\rcinder-volume on {HOST}: failed-over (0 s)', result.stderr)
        self.assertTrue(result.stderr.endswith('\n'))
