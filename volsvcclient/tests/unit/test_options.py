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

"""Options that only pass through to where they act: each reaches it.

Every command that takes --rpc-timeout bounds its RPC-bound request with
it, every one that takes --even-if-down sends to a service that is down,
and --zone and --cluster narrow what a command acts on.
"""

from volsvcclient.tests.unit import base

load_tests = base.load_tests

DOWN = 'node2@lvm'


class TestRpcTimeout(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm', replication_status='enabled')
        self.cinder.add('node3@lvm', zone='az2')

    def test_reads_that_ask_cinder_scheduler(self):
        for args in (('check',), ('show', 'node1@lvm', 'cinder-volume')):
            self.cinder.timeouts.clear()
            result = self.cli(*args, '--rpc-timeout', '0.5')
            self.assertEqual(0, result.code, result)
            self.assertEqual({'read': 0.5}, self.cinder.timeouts, args)

    def test_freeze_of_a_selection_and_failover(self):
        result = self.cli('freeze', '--host-pattern', 'node1*', '--rpc-timeout', '1.5')
        self.assertEqual(0, result.code, result)
        result = self.cli('failover', 'node3@lvm', '--rpc-timeout', '2.5')
        self.assertEqual(1, result.code, result)
        self.cinder.get('node1@lvm')['frozen'] = False
        self.cinder.get('node1@lvm')['disabled'] = False
        result = self.cli('failover', 'node1@lvm', '--rpc-timeout', '2.5')
        self.assertEqual(0, result.code, result)
        self.assertEqual({'freeze': 1.5, 'failover': 2.5}, self.cinder.timeouts)


class TestEvenIfDown(base.ShellTestCase):
    """A cinder-volume that is down: refused without --even-if-down, sent with."""

    def setUp(self):
        super().setUp()
        self.down = self.cinder.add(
            DOWN, state='down', disabled=True, disabled_reason='maint',
            replication_status='enabled', updated_at='2026-11-24T09:00:00.000000',
        )
        self.cinder.add('node1@lvm')

    def sent(self, *args, notice=None):
        """(actions sent without --even-if-down, actions sent with it); the
        second run's stderr has ``notice``."""
        sent = []
        for extra in ((), ('--even-if-down',)):
            self.cinder.forget_requests()
            result = self.cli(*args, *extra)
            sent.append([action for action, _ in self.cinder.puts()])
        if notice:
            self.assertIn(f'cinder-volume on {DOWN} (last heartbeat '
                          f'2026-11-24T09:00:00.000000) down; {notice}',
                          result.stderr.splitlines())
        return tuple(sent)

    def test_set_enable_via_thaw(self):
        self.assertEqual(
            (['enable'], ['enable', 'freeze']),
            self.sent('set', '--enable', '--enable-via-thaw', DOWN, 'cinder-volume',
                      notice='sending the freeze and thaw anyway (--even-if-down)'),
        )

    def test_freeze_of_a_selection(self):
        self.assertEqual(([], ['freeze']), self.sent('freeze', '--host-pattern', 'node2*'))

    def test_commit_freeze(self):
        self.assertEqual(([], ['freeze']), self.sent(
            'commit', DOWN, 'cinder-volume', '--frozen',
            notice='sending the freeze anyway (--even-if-down)'))

    def test_failover(self):
        self.assertEqual(([], ['failover', 'failover_host']), self.sent('failover', DOWN))


class TestNarrowing(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm')
        self.cinder.add('node2@lvm', zone='az2')

    def test_freeze_and_thaw_by_zone(self):
        result = self.cli('freeze', '--host-pattern', 'node*', '--zone', 'az2')
        self.assertEqual(0, result.code, result)
        self.assertEqual([('freeze', {'host': 'node2@lvm'})], self.cinder.puts())

    def test_check_cluster_needs_3_7(self):
        result = self.cli('check', '--cluster', 'c1@lvm', version='3.6')
        self.assertEqual(
            (3, 'UNKNOWN - --cluster requires --os-volume-api-version 3.7 or '
                'later (this command is using Block Storage API 3.6)\n'),
            (result.code, result.stdout),
        )
        self.assertEqual([], self.cinder.requests())

    def test_wait_cluster_needs_3_7(self):
        result = self.cli('wait', '--cluster', 'c1@lvm', '--state', 'up', version='3.6')
        self.assertFails(result, '--cluster requires --os-volume-api-version 3.7 or '
                                 'later (this command is using Block Storage API 3.6)')
        self.assertEqual([], self.cinder.requests())

    def test_wait_replication_status(self):
        self.cinder.get('node1@lvm')['replication_status'] = 'enabled'
        for status, code in (('enabled', 0), ('failed-over', 124)):
            result = self.cli('wait', 'node1@lvm', 'cinder-volume', '--replication-status',
                              status, '--wait-timeout', '0')
            self.assertEqual(code, result.code, result)

    def test_check_rows_of_findings_that_name_no_service(self):
        self.cinder.add('node1', binary='cinder-scheduler', state='down')
        rows = self.cli('check', '--service', 'cinder-scheduler', '-f', 'json').json()
        self.assertEqual(
            [{'Binary': 'cinder-scheduler', 'Host': 'node1', 'Zone': 'nova',
              'Cluster': None, 'State': 'down', 'Status': 'enabled', 'Level': 'CRITICAL',
              'Rule': 'enabled-down',
              'Detail': 'cinder-scheduler on node1 down (no heartbeat for 30s)'},
             {'Binary': None, 'Host': None, 'Zone': None, 'Cluster': None,
              'State': None, 'Status': None, 'Level': 'CRITICAL',
              'Rule': 'binary-down', 'Detail': 'every enabled cinder-scheduler down (1)'}],
            rows,
        )


class TestChoices(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add('up@lvm')
        self.cinder.add('down@lvm', state='down', disabled=True, frozen=True)

    def test_list_filters(self):
        for args, hosts in (
            (('--status', 'enabled'), ['up@lvm']), (('--status', 'disabled'), ['down@lvm']),
            (('--state', 'up'), ['up@lvm']), (('--state', 'down'), ['down@lvm']),
        ):
            result = self.cli('list', *args, '-f', 'json')
            self.assertEqual(0, result.code, result)
            self.assertEqual(hosts, [r['Host'] for r in result.json()], args)

    def test_wait_conditions(self):
        for host, args in (
            ('up@lvm', ('--status', 'enabled', '--state', 'up', '--thawed')),
            ('down@lvm', ('--status', 'disabled', '--state', 'down', '--frozen')),
        ):
            result = self.cli('wait', host, 'cinder-volume', *args, '--wait-timeout', '0')
            self.assertEqual((0, ''), (result.code, result.stderr), args)
        for host, args in (('up@lvm', ('--frozen',)),
                           ('down@lvm', ('--state', 'down', '--thawed'))):
            result = self.cli('wait', host, 'cinder-volume', *args, '--wait-timeout', '0')
            self.assertEqual(124, result.code, result)
        self.cinder.add('c1m@lvm', cluster_name='c1@lvm')
        result = self.cli('wait', '--cluster', 'c1@lvm', '--state', 'up', '--wait-timeout', '0')
        self.assertEqual(0, result.code, result)

    def test_other_values_are_refused(self):
        for args in (('list', '--status', 'on'), ('list', '--state', 'sideways'),
                     ('wait', '--host-pattern', '*', '--state', 'sideways', '--wait-timeout', '0'),
                     ('wait', '--host-pattern', '*', '--status', 'on', '--wait-timeout', '0')):
            result = self.cli(*args)
            self.assertEqual(2, result.code, args)
            self.assertIn('invalid choice', result.stderr)
        self.assertEqual([], self.cinder.requests())


class TestSelectionOfCheckAndWait(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm', cluster_name='c1@lvm')
        self.cinder.add('node2@lvm', cluster_name='c2@lvm', zone='az2')
        self.cinder.add('node2', binary='cinder-scheduler', zone='az2', state='down')

    def hosts(self, *args):
        rows = self.cli('check', *args, '-f', 'json').json()
        return [(r['Host'], r['Binary']) for r in rows if r['Host']]

    def test_check_by_cluster_and_zone(self):
        self.assertEqual([('node1@lvm', 'cinder-volume')], self.hosts('--cluster', 'c1@lvm'))
        self.assertEqual([('node2@lvm', 'cinder-volume'), ('node2', 'cinder-scheduler')],
                         self.hosts('--zone', 'az2'))

    def test_wait_for_one_named_service(self):
        self.cinder.add('node2', binary='cinder-backup')
        result = self.cli('wait', 'node2', 'cinder-backup', '--state', 'up', '--wait-timeout', '0')
        self.assertEqual((0, ''), (result.code, result.stderr))
