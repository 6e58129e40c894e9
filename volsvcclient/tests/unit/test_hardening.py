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

"""What an operator hit while trying to break the commands (issue 9)."""

import json

from volsvcclient.tests.unit import base

load_tests = base.load_tests

HOST = 'node1@lvm'
VOLUME = ('set', HOST, 'cinder-volume')


class TestAcceptedButNotVerified(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.service = self.cinder.add(HOST)

        def reads_fail_after(action, body):
            self.cinder.read_failures = [503] * 4

        self.cinder.after_action = reads_fail_after

    def test_set_says_the_change_went_through_unverified(self):
        result = self.cli(*VOLUME, '--disable', '--disable-reason', 'R')
        self.assertFails(
            result,
            'cinder-volume on node1@lvm: the server accepted the disable request '
            'and the service could not be re-read (GET '
            'http://cinder.test:8776/v3/os-services?host=node1%40lvm&binary=cinder-volume '
            'failed with HTTP 503',
            retries=1,
        )
        self.assertIn('): the change is not verified', result.stderr)
        self.assertEqual((True, 'R'), (self.service['disabled'],
                                       self.service['disabled_reason']))

    def test_freeze_and_thaw_say_it_too(self):
        result = self.cli('freeze', HOST)
        self.assertFails(
            result, "the server accepted freeze of host 'node1@lvm' and the "
            "service could not be re-read", retries=1,
        )
        self.assertTrue(self.service['frozen'])
        result = self.cli('thaw', HOST)
        self.assertFails(result, "the server accepted thaw of host 'node1@lvm' and",
                         retries=1)


class TestLostRace(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.service = self.cinder.add(HOST)

    def another_client_does(self, update):
        def act(action, body):
            self.service.update(update)
            self.cinder.before_action = None

        self.cinder.before_action = act

    def test_freeze_someone_else_did(self):
        self.another_client_does(
            {'frozen': True, 'disabled': True, 'disabled_reason': 'frozen'})
        result = self.cli('freeze', HOST)
        self.assertEqual(0, result.code, result)
        self.assertIn(
            "cinder-volume on node1@lvm: the server refused freeze of host "
            "'node1@lvm' (The server refused the request: Invalid input "
            "received: No service could be changed: ['node1@lvm'] already frozen), but "
            "it is already as asked: another client changed it",
            result.stderr,
        )

    def test_thaw_someone_else_did(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='frozen')
        self.another_client_does(
            {'frozen': False, 'disabled': False, 'disabled_reason': ''})
        result = self.cli('thaw', HOST)
        self.assertEqual(0, result.code, result)
        self.assertIn('another client changed it', result.stderr)

    def test_a_refusal_that_is_no_race_is_worded_for_operators(self):
        self.cinder.refused['freeze'] = (
            "Invalid input received: frozen in ['node1@lvm'] must be False to "
            "failover.")
        result = self.cli('freeze', HOST)
        self.assertFails(
            result,
            "The server refused the request: Invalid input received: "
            "['node1@lvm'] already frozen",
        )


class TestReasonBeyondBmp(base.ShellTestCase):
    def test_500_is_an_answer_with_its_likely_cause(self):
        self.cinder.add(HOST)
        result = self.cli(*VOLUME, '--disable', '--disable-reason', 'maintenance \U0001F527')
        self.assertFails(
            result,
            "cinder-volume on node1@lvm: the disable request failed with HTTP 500 "
            "(PUT http://cinder.test:8776/v3/os-services/disable-log-reason failed "
            "with HTTP 500: The server has either erred or is incapable of "
            "performing the requested operation.) but status is 'enabled', disabled "
            "reason is None. The "
            "reason has characters outside the Basic Multilingual Plane (such as "
            "emoji)",
        )

    def test_other_failures_do_not_blame_the_reason(self):
        self.cinder.add(HOST)
        self.cinder.ignored = {'disable-log-reason'}
        result = self.cli(*VOLUME, '--disable', '--disable-reason', 'maintenance')
        self.assertFails(result, "but status is 'enabled'")
        self.assertNotIn('Basic Multilingual Plane', result.stderr)


class TestOnlyNamedBinariesAreDisabled(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add(HOST)
        self.cinder.add('node1', binary='cinder-scheduler')
        self.cinder.add('node1', binary='cinder-backup')

    def test_selection_takes_cinder_volume_unless_named(self):
        result = self.cli('commit', '--host-pattern', '*', '--status', 'disabled',
                          '--dry-run', '-f', 'json')
        self.assertEqual((0, ''), (result.code, result.stderr))
        self.assertEqual([(HOST, 'cinder-volume', 'would change')],
                         [(r['Host'], r['Binary'], r['Result']) for r in result.json()])

    def test_named_binary_is_disabled_only_when_the_operator_insists(self):
        why = ('Cinder 28.0.0 and later have no API that re-enables '
               'cinder-scheduler: disabling it may not be reversible')
        # A dry run predicts the run: refused, unless the operator insists
        # (issue 23, item 6).
        result = self.cli('commit', '--host-pattern', '*', '--service',
                          'cinder-scheduler', '--status', 'disabled', '--dry-run')
        self.assertFails(result, f'1 cinder-scheduler service(s): {why}. Give '
                         f'--even-if-irreversible to disable it anyway')
        result = self.cli('commit', '--host-pattern', '*', '--service',
                          'cinder-scheduler', '--status', 'disabled', '--dry-run',
                          '--even-if-irreversible')
        self.assertEqual((0, [f'warning: {why}']),
                         (result.code, result.stderr.splitlines()))
        # Refused, before any request, by set and commit alike.
        result = self.cli('set', 'node1', 'cinder-scheduler', '--disable')
        self.assertFails(result, f'cinder-scheduler on node1: {why}. Give '
                         f'--even-if-irreversible to disable it anyway')
        result = self.cli('commit', '--host-pattern', '*', '--service',
                          'cinder-scheduler', '--status', 'disabled')
        self.assertFails(result, f'1 cinder-scheduler service(s): {why}. Give '
                         f'--even-if-irreversible to disable it anyway')
        self.assertEqual([], self.cinder.puts())
        result = self.cli('set', 'node1', 'cinder-scheduler', '--disable',
                          '--even-if-irreversible')
        self.assertEqual(
            (0, [f'cinder-scheduler on node1: warning: {why}']),
            (result.code, result.stderr.splitlines()),
        )
        self.assertTrue(self.cinder.get('node1', 'cinder-scheduler')['disabled'])
        result = self.cli('commit', 'node1', 'cinder-backup', '--status', 'disabled',
                          '--even-if-irreversible')
        self.assertEqual(0, result.code, result)
        self.assertTrue(self.cinder.get('node1', 'cinder-backup')['disabled'])

    def test_warned_once_per_binary_and_only_for_a_disable(self):
        self.cinder.add('node2', binary='cinder-scheduler')
        self.cinder.add('node3', binary='cinder-scheduler', disabled=True)
        result = self.cli('commit', '--host-pattern', '*', '--service',
                          'cinder-scheduler', '--status', 'disabled', '--dry-run',
                          '--even-if-irreversible')
        self.assertEqual(0, result.code, result)
        self.assertEqual(1, len(result.stderr.splitlines()), result.stderr)
        self.assertIn('re-enables cinder-scheduler', result.stderr)
        result = self.cli('commit', '--host-pattern', '*', '--service',
                          'cinder-scheduler', '--status', 'enabled', '--dry-run')
        self.assertEqual((0, ''), (result.code, result.stderr))
        wanted = [
            {'Host': host, 'Binary': binary, 'Status': 'disabled'}
            for host, binary in (('node1', 'cinder-scheduler'),
                                 ('node1', 'cinder-backup'), (HOST, 'cinder-volume'))
        ]
        result = self.cli('commit', '--from-file', '-', '--dry-run',
                          '--even-if-irreversible', stdin=json.dumps(wanted))
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            ['cinder-scheduler', 'cinder-backup'],
            [line.split(' re-enables ')[1].split(':')[0]
             for line in result.stderr.splitlines()],
        )


class TestCtrlC(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.service = self.cinder.add(HOST, disabled=True, disabled_reason='maint')
        self.other = self.cinder.add('node2@lvm')

    @staticmethod
    def interrupt_after(actions):
        """Ctrl-C once Cinder has applied one of ``actions``, before its
        answer reaches the client."""
        def interrupt(action, body):
            if action in actions:
                raise KeyboardInterrupt

        return interrupt

    def test_while_verifying_the_report_says_what_is_known(self):
        # The live read is the first, the verifying read the second.
        def interrupt(read):
            if read == 2:
                raise KeyboardInterrupt

        self.cinder.after_read = interrupt
        result = self.cli('commit', '--host-pattern', '*', '--status', 'disabled',
                          '--disable-reason', 'maint', '-f', 'json')
        self.assertEqual(130, result.code, result)
        self.assertEqual(
            {'node2@lvm': ('unknown', 'interrupted before it was verified')},
            {r['Host']: (r['Result'], r['Detail']) for r in result.json()
             if r['Result'] != 'unchanged'},
        )
        self.assertIn('interrupted while verifying', result.stderr)
        self.assertTrue(self.other['disabled'])

    def test_during_enable_via_thaw_our_freeze_is_thawed_back(self):
        self.cinder.after_action = self.interrupt_after({'freeze'})
        result = self.cli('commit', HOST, 'cinder-volume', '--status', 'enabled',
                          '--enable-via-thaw', '-f', 'json')
        self.assertEqual(130, result.code, result)
        [row] = result.json()
        self.assertEqual(('unknown', 'interrupted during the freeze and thaw that '
                          're-enable it'), (row['Result'], row['Detail']))
        self.assertIn(f'cinder-volume on {HOST}: interrupted after freezing it; thawing it '
                      f'back', result.stderr)
        self.assertEqual(['enable', 'freeze', 'thaw'], [a for a, _ in self.cinder.puts()])
        self.assertFalse(self.service['frozen'])

    def test_interrupted_before_the_freeze_arrived_sends_no_thaw(self):
        def interrupt(action, body):
            if action == 'freeze':
                raise KeyboardInterrupt

        self.cinder.before_action = interrupt
        result = self.cli(*VOLUME, '--enable', '--enable-via-thaw')
        self.assertEqual(130, result.code, result)
        self.assertEqual(['enable', 'freeze'], [a for a, _ in self.cinder.puts()])
        self.assertNotIn('frozen', result.stderr)
        self.assertFalse(self.service['frozen'])

    def test_a_backend_that_cannot_be_thawed_back_is_named(self):
        self.cinder.after_action = self.interrupt_after({'freeze', 'thaw'})
        result = self.cli(*VOLUME, '--enable', '--enable-via-thaw')
        self.assertEqual(130, result.code, result)
        self.assertIn(
            f"cinder-volume on {HOST} may be left frozen: "
            f"{self.command('thaw ' + HOST)} thaws and re-enables it", result.stderr,
        )


class TestPlansAndContradictions(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add(HOST, disabled=True, disabled_reason='maint')
        self.cinder.add('node2@lvm', disabled=True, disabled_reason='frozen', frozen=True)

    def test_dry_run_shows_the_freeze_and_thaw_it_may_send(self):
        result = self.cli('commit', '--host-pattern', '*', '--status', 'enabled',
                          '--enable-via-thaw', '--dry-run', '-f', 'json')
        self.assertEqual(
            {HOST: 'enable (then freeze, thaw if the server ignores enable)',
             'node2@lvm': 'enable (then thaw if the server ignores enable)'},
            {r['Host']: r['Actions'] for r in result.json()},
        )
        self.assertEqual([], self.cinder.puts())

    def test_enabled_and_frozen_is_refused_before_any_request(self):
        result = self.cli('commit', HOST, 'cinder-volume', '--status', 'enabled',
                          '--frozen')
        self.assertFails(result, 'status enabled and frozen contradict each other: '
                         'a freeze disables the service')
        result = self.cli('commit', '--from-file', '-', stdin=(
            '[{"Host": "node1@lvm", "Binary": "cinder-volume", '
            '"Status": "enabled", "Frozen": true}]'))
        self.assertFails(result, '-, entry 1: status enabled and frozen contradict')
        self.assertEqual([], self.cinder.requests())

    def test_freeze_and_thaw_say_when_they_end_an_operator_disable(self):
        result = self.cli('freeze', HOST)
        self.assertEqual(0, result.code, result)
        self.assertIn(
            f"cinder-volume on {HOST}: disabled with reason 'maint': the freeze "
            f"replaces the reason with 'frozen', and a thaw will re-enable it",
            result.stderr,
        )
        self.cinder.get(HOST)['disabled_reason'] = 'still maint'
        result = self.cli('thaw', HOST)
        self.assertEqual(0, result.code, result)
        self.assertIn(
            "disabled with reason 'still maint': the thaw re-enables it and "
            "clears the reason", result.stderr,
        )
        self.assertEqual('', self.cli('thaw', 'node2@lvm').stderr)


class TestSavedFiles(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add(HOST, disabled=True, disabled_reason='maint',
                        replication_status='enabled')

    def commit(self, *entries):
        import json

        return self.cli('commit', '--from-file', '-', '-f', 'json',
                        stdin=json.dumps(list(entries)))

    def test_an_empty_list_is_nothing_to_do(self):
        result = self.commit()
        self.assertEqual((0, '[]', '- lists no service: nothing to do'),
                         (result.code, result.stdout.strip(), result.stderr.strip()))
        self.assertEqual([], self.cinder.requests())

    def test_a_reason_without_status_is_refused(self):
        result = self.commit({'Host': HOST, 'Binary': 'cinder-volume',
                              'Disabled Reason': 'x'})
        self.assertFails(result, '-, entry 1: Disabled Reason goes with Status disabled')

    def test_an_enabled_row_with_a_reason_says_it_is_not_applied(self):
        # Cinder before 28.0.0 enables and keeps the reason: a listing saved
        # there has such rows. Not refused, not dropped silently (issue 23).
        self.cinder.get(HOST).update(disabled=False, disabled_reason=None)
        result = self.commit({'Host': HOST, 'Binary': 'cinder-volume',
                              'Status': 'enabled', 'Disabled Reason': 'maint'})
        self.assertEqual(0, result.code, result)
        [row] = result.json()
        self.assertEqual(('unchanged', "reason 'maint' not applied: a reason goes with "
                                       "status disabled"), (row['Result'], row['Detail']))

    def test_what_commit_does_not_set_is_said(self):
        result = self.commit({'Host': HOST, 'Binary': 'cinder-volume',
                              'Status': 'disabled', 'Disabled Reason': None,
                              'Replication Status': 'failed-over',
                              'Active Backend ID': 'secondary'})
        self.assertEqual(0, result.code, result)
        [row] = result.json()
        self.assertEqual(
            ('unchanged',
             "reason 'maint' kept: none wanted; replication status is 'enabled', "
             f"not 'failed-over': only a failover sets it "
             f"({self.command('failover')} does); active backend ID is None, not "
             f"'secondary': only a failover sets it "
             f"({self.command('failover')} does)"),
            (row['Result'], row['Detail']),
        )
        self.assertEqual([], self.cinder.puts())


class TestSmallerEdges(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add(HOST, frozen=True, disabled=True, disabled_reason='frozen')
        self.cinder.add('node2@lvm')
        self.cinder.add('node1', binary='cinder-scheduler')

    def test_selection_names_hosts_already_in_state(self):
        result = self.cli('freeze', '--host-pattern', 'node*')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            [f'cinder-volume on {HOST} is already frozen; nothing to do'],
            result.stderr.splitlines(),
        )
        self.assertEqual([('freeze', {'host': 'node2@lvm'})], self.cinder.puts())

    def test_show_has_the_columns_list_has(self):
        shown = self.cli('show', 'node1', 'cinder-scheduler', '-f', 'json').json()
        self.assertIsNone(shown['Backend State'])
        self.assertIn('Cluster', shown)
        shown = self.cli('show', 'node1', 'cinder-scheduler', '-f', 'json',
                         version='3.48').json()
        self.assertNotIn('Backend State', shown)


class TestAnotherClient(base.ShellTestCase):
    """Two operators at once: what the loser is told blames neither the
    server nor its own request."""

    def setUp(self):
        super().setUp()
        self.service = self.cinder.add(HOST)

        def the_other_wins(action, body):
            self.service.update(disabled=True, disabled_reason='BBB')

        self.cinder.after_action = the_other_wins

    def test_commit_row_says_another_client_changed_it(self):
        result = self.cli('commit', HOST, 'cinder-volume', '--status', 'disabled',
                          '--disabled-reason', 'AAA', '-f', 'json')
        self.assertEqual(1, result.code, result)
        [row] = result.json()
        self.assertEqual(
            ('failed', "the server accepted every request but disabled reason is "
                       "'BBB': another client changed it meanwhile"),
            (row['Result'], row['Detail']),
        )

    def test_set_says_another_client_changed_it(self):
        result = self.cli(*VOLUME, '--disable', '--disable-reason', 'AAA')
        self.assertFails(
            result, "cinder-volume on node1@lvm: the server accepted the disable "
            "request but disabled reason is 'BBB': another client changed it "
            "meanwhile")
