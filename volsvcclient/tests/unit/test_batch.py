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

"""volume service commit on many services: selectors, concurrency, faults."""

import json
import re
import signal
import threading
import time

import fixtures

from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests


class BatchMixin:
    hosts = [f'node{n:02d}@lvm' for n in range(1, 21)]

    def setUp(self):
        super().setUp()
        for number, host in enumerate(self.hosts):
            self.cinder.add(host, zone='az1' if number % 2 else 'az2',
                            cluster_name='c1@lvm' if number < 5 else None)
        self.cinder.add('node01', binary='cinder-scheduler')

    def rows(self, result):
        return {r['Host']: r for r in result.json()}

    def disabled(self):
        return sorted(s['host'] for s in self.cinder.services if s['disabled'])

    @staticmethod
    def cells(rows, host):
        return tuple(rows[host][name] for name in ('Actions', 'Result', 'Detail'))


class TestSelection(BatchMixin, base.ShellTestCase):
    def test_host_pattern_and_zone(self):
        result = self.cli('commit', '--host-pattern', 'node0*@lvm', '--zone', 'az1',
                          '--status', 'disabled', '--disable-reason', 'rack 0',
                          '-f', 'json')
        self.assertEqual(0, result.code, result)
        expected = [h for n, h in enumerate(self.hosts) if n % 2 and h < 'node10']
        self.assertEqual(expected, self.disabled())
        self.assertEqual({'changed'}, {r['Result'] for r in result.json()})
        self.assertEqual(len(expected), len(result.json()))

    def test_one_list_the_actions_and_one_verifying_list(self):
        result = self.cli('commit', '--service', 'cinder-volume', '--status',
                          'disabled', '--concurrency', '4', '-f', 'json')
        self.assertEqual(0, result.code, result)
        methods = [r.method for r in self.cinder.requests()]
        self.assertEqual(['GET'] + ['PUT'] * 20 + ['GET'], methods)
        self.assertEqual({'binary': ['cinder-volume']}, self.cinder.requests('GET')[0].qs)
        self.assertEqual('', result.stderr)

    def test_plan_lines_only_up_to_plan_lines(self):
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.osc.voice.PLAN_LINES', 4))
        result = self.cli('commit', '--host-pattern', 'node1[0-3]@lvm', '--status',
                          'disabled', '-f', 'value', '-c', 'Result', tty=True)
        self.assertEqual(0, result.code, result)
        plan = [f'cinder-volume on {h}: disable' for h in self.hosts[9:13]]
        self.assertEqual(
            plan + ['changing 4 of 4 service(s): 4 disable'],
            result.stderr.splitlines()[:5],
        )
        # One more than PLAN_LINES: the summary alone.
        result = self.cli('commit', '--host-pattern', 'node1[4-8]@lvm', '--status',
                          'disabled', '-f', 'value', '-c', 'Result', tty=True)
        self.assertEqual(0, result.code, result)
        self.assertEqual('changing 5 of 5 service(s): 5 disable',
                         result.stderr.splitlines()[0])
        self.assertNotIn('cinder-volume on', result.stderr)

    def test_concurrency_sends_from_that_many_workers(self):
        # requests-mock answers one request at a time (it holds a lock), so
        # what shows the concurrency is how many threads send requests.
        senders = set()

        def note_sender(action, body):
            senders.add(threading.current_thread().name)
            time.sleep(0.01)

        self.cinder.after_action = note_sender
        result = self.cli('commit', '--service', 'cinder-volume', '--status',
                          'disabled', '--concurrency', '4', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(4, len(senders), senders)
        # Eight by default.
        senders.clear()
        result = self.cli('commit', '--service', 'cinder-volume', '--status',
                          'disabled', '--disable-reason', 'again', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(8, len(senders), senders)

    def test_cluster_needs_3_7(self):
        result = self.cli('commit', '--cluster', 'c1@lvm', '--frozen', version='3.6')
        self.assertFails(result, '--cluster requires --os-volume-api-version 3.7')
        self.assertEqual([], self.cinder.requests())

    def test_frozen_selects_cinder_volume_by_default(self):
        result = self.cli('commit', '--cluster', 'c1@lvm', '--frozen', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(self.hosts[:5], sorted(self.rows(result)))
        self.assertEqual(1, len(self.cinder.puts()))

    def test_a_cluster_is_down_only_when_every_member_is(self):
        # Cinder sends a cluster's freeze to any member that is up: one
        # member down is a note; all down is a refusal before any request.
        members = self.hosts[:5]
        self.cinder.get(members[0])['state'] = 'down'
        result = self.cli('commit', '--cluster', 'c1@lvm', '--frozen', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(['freeze'], [a for a, _ in self.cinder.puts()])
        self.assertIn(f"{members[0]} of cluster 'c1@lvm' down: a member that is up "
                      f"takes the freeze", result.stderr)
        for host in members[1:]:
            self.cinder.get(host)['state'] = 'down'
        for service in self.cinder.services:
            service['frozen'] = False
        self.cinder.forget_requests()
        result = self.cli('commit', '--cluster', 'c1@lvm', '--frozen', '-f', 'json')
        self.assertEqual(1, result.code, result)
        self.assertEqual([], self.cinder.puts())
        self.assertEqual({'failed'}, {r['Result'] for r in result.json()})
        self.assertIn('is down: Cinder would wait for it over RPC',
                      result.json()[0]['Detail'])

    def test_cluster_freeze_and_thaw_are_one_request_each(self):
        # Cinder freezes and thaws a clustered host's whole cluster, and
        # only the member that takes the RPC changes its own status.
        members = self.hosts[:5]
        result = self.cli('commit', '--cluster', 'c1@lvm', '--frozen', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual({'changed'}, {r['Result'] for r in result.json()})
        self.assertEqual(['freeze'], [a for a, _ in self.cinder.puts()])
        self.assertEqual(members[:1], self.disabled())
        # Another member takes the thaw: the first stays disabled.
        self.cinder.rpc_member = members[1]
        self.cinder.forget_requests()
        result = self.cli('commit', '--cluster', 'c1@lvm', '--thawed', '--status',
                          'enabled', '-f', 'json')
        self.assertEqual(1, result.code)
        self.assertEqual(['thaw'], [a for a, _ in self.cinder.puts()])
        rows = self.rows(result)
        self.assertEqual(
            ('thaw', 'failed',
             "the server accepted every request but status is 'disabled'. "
             'Cinder delivers freeze and thaw of a cluster to one of its '
             'members, and only that member disables or re-enables its own '
             'service; where os-services/enable works (before 28.0.0), '
             f"{self.command('set --enable')} re-enables the others"),
            self.cells(rows, members[0]),
        )
        for host in members[1:]:
            self.assertEqual(('thaw', 'changed', ''), self.cells(rows, host))
        self.assertFalse(any(self.cinder.get(h)['frozen'] for h in members))
        self.assertEqual(members[:1], self.disabled())

    def test_no_match(self):
        result = self.cli('commit', '--host-pattern', 'nothing*', '--status', 'enabled')
        self.assertFails(result, 'No service matches the selection')

    def test_progress_and_plan_on_a_terminal_only(self):
        result = self.cli('commit', '--service', 'cinder-volume', '--status',
                          'disabled', '-f', 'value', '-c', 'Result', tty=True)
        self.assertEqual(0, result.code, result)
        self.assertIn('changing 20 of 20 service(s): 20 disable', result.stderr)
        self.assertIn('\r20/20 service(s) sent', result.stderr)
        self.assertEqual('changed\n' * 20, result.stdout)


class TestFaults(BatchMixin, base.ShellTestCase):
    release = 27

    def test_cinder_api_dies_mid_batch(self):
        self.cinder.dies_at_action = 6
        result = self.cli('commit', '--service', 'cinder-volume', '--status',
                          'disabled', '--concurrency', '1', '-f', 'json')
        self.assertEqual(1, result.code)
        rows = result.json()
        results = [r['Result'] for r in rows]
        # Five accepted but unverifiable, one lost, the rest never sent.
        self.assertEqual(['unknown'] * 6 + ['not attempted'] * 14, results)
        self.assertTrue(
            rows[0]['Detail'].startswith(
                'the server accepted disable; could not re-read: Cannot connect'),
            rows[0]['Detail'],
        )
        self.assertTrue(
            rows[5]['Detail'].startswith('no answer to disable: Cannot connect'),
            rows[5]['Detail'],
        )
        self.assertEqual('not sent: cinder-api stopped answering', rows[6]['Detail'])
        self.assertEqual(self.hosts[:5], self.disabled())
        self.assertIn('Not every service ended as asked (14 not attempted, 6 unknown)',
                      result.stderr)

    def test_refused_then_the_re_read_fails(self):
        # node06's disable is accepted, node07's freeze refused, and
        # cinder-api dies on node08's disable: no answer, and no re-read.
        self.cinder.refused = {'freeze': 'Invalid input received: not now'}
        self.cinder.dies_at_action = 3
        wanted = [
            {'Host': 'node06@lvm', 'Binary': 'cinder-volume', 'Status': 'disabled'},
            {'Host': 'node07@lvm', 'Binary': 'cinder-volume', 'Frozen': True},
            {'Host': 'node08@lvm', 'Binary': 'cinder-volume', 'Status': 'disabled'},
        ]
        result = self.cli('commit', '--from-file', '-', '--concurrency', '1',
                          '-f', 'json', stdin=json.dumps(wanted))
        self.assertEqual(1, result.code, result)
        accepted, refused, unanswered = result.json()
        self.assertEqual('unknown', accepted['Result'])
        self.assertTrue(accepted['Detail'].startswith(
            'the server accepted disable; could not re-read: Cannot connect'),
            accepted)
        self.assertEqual(
            ('failed', 'freeze: The server refused the request: Invalid input '
                       'received: not now'),
            (refused['Result'], refused['Detail']),
        )
        self.assertEqual('unknown', unanswered['Result'])
        self.assertTrue(unanswered['Detail'].startswith(
            'no answer to disable: Cannot connect'), unanswered)
        self.assertIn('; could not re-read: Cannot connect', unanswered['Detail'])

    def interrupt_at(self, host, presses=1, hook='after_action', answer_after=0.2,
                     meanwhile=lambda: None):
        """Ctrl-C (``presses`` times, 15 ms apart, as ``timeout -s INT`` to
        a process group or a double press) while the request for ``host``
        is under way: after Cinder applied it, or before."""
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, previous)
        main = threading.main_thread().ident

        def press_ctrl_c(action, body):
            if body['host'] == host:
                meanwhile()
                for _ in range(presses):
                    signal.pthread_kill(main, signal.SIGINT)
                    time.sleep(0.015)
                # The request under way ends after the main thread has seen it.
                time.sleep(answer_after)

        setattr(self.cinder, hook, press_ctrl_c)
        # The sending thread outlives a second Ctrl-C: let it end here.
        self.addCleanup(time.sleep, answer_after)

    def interrupted_commit(self):
        """Disable every service, one at a time, to be interrupted: 130."""
        result = self.cli('commit', '--service', 'cinder-volume', '--status',
                          'disabled', '--concurrency', '1', '-f', 'json')
        self.assertEqual(130, result.code, result)
        return result, result.json()

    def test_ctrl_c_finishes_the_requests_under_way_and_exits_130(self):
        self.interrupt_at(self.hosts[5])
        result, rows = self.interrupted_commit()
        self.assertEqual(
            ['changed'] * 6 + ['not attempted'] * 14, [r['Result'] for r in rows]
        )
        self.assertEqual('not sent: interrupted', rows[6]['Detail'])
        self.assertEqual(self.hosts[:6], self.disabled())
        self.assertEqual(6, len(self.cinder.puts()))
        self.assertEqual(
            ['', 'interrupted: finishing the requests under way (Ctrl-C again '
             'to stop waiting for them)',
             'commit: interrupted; the rows above say what was done'],
            result.stderr.splitlines(),
        )

    def test_ctrl_c_of_one_host_says_what_was_sent_and_how_to_see_it(self):
        # Issue 23, item 3: cinder-volume stopped but not yet shown down;
        # Cinder changed its database, then waited for the RPC.
        host = self.hosts[5]
        self.cinder.volume_rpc = 'silent'
        self.interrupt_at(host, hook='before_action')
        result = self.cli('freeze', host, '--even-if-down', '--rpc-timeout', '20')
        self.assertEqual(130, result.code, result)
        lines = result.stderr.splitlines()
        self.assertEqual(
            ['', 'interrupted: finishing the requests under way (Ctrl-C again to '
             'stop waiting for them)'], lines[:2])
        self.assertEqual(
            f"cinder-volume on {host}: unknown: freeze: freeze got no answer within "
            f"20 s: Cinder answers it only once the backend's cinder-volume has, "
            f"over RabbitMQ (is either down?). The database now shows cinder-volume "
            f"on {host}: status enabled, frozen True, reason None, replication "
            f"disabled; the backend has not confirmed; the request may still "
            f"complete: {self.command(f'show {host} cinder-volume')} shows whether "
            f"it did", lines[2])
        self.assertEqual([f"freeze host '{host}': interrupted"], lines[3:])
        self.assertTrue(self.cinder.get(host)['frozen'])

    def test_second_ctrl_c_stops_waiting_but_never_loses_the_report(self):
        # Cinder applied it; its answer is slow: the re-read tells.
        self.interrupt_at(self.hosts[5], presses=2)
        result, rows = self.interrupted_commit()
        self.assertEqual(
            ['changed'] * 6 + ['not attempted'] * 14, [r['Result'] for r in rows]
        )
        self.assertEqual(self.hosts[:6], self.disabled())
        self.assertIn('interrupted again: not waiting for the 1 request(s) under '
                      'way', result.stderr)
        self.assertNotIn('Traceback', result.stderr)

    def test_second_ctrl_c_before_cinder_applied_it_says_it_may_still_be(self):
        # requests-mock answers one request at a time, so the re-read comes
        # after the one under way: a lagging read shows what a read made
        # meanwhile would.
        self.interrupt_at(self.hosts[5], presses=3, hook='before_action',
                          meanwhile=lambda: setattr(self.cinder, 'read_lag', 1))
        result, rows = self.interrupted_commit()
        self.assertEqual(
            ['changed'] * 5 + ['unknown'] + ['not attempted'] * 14,
            [r['Result'] for r in rows],
        )
        self.assertEqual(
            'interrupted while disable was under way: it may still be applied; '
            f"{self.command(f'show {self.hosts[5]} cinder-volume')} shows whether it was",
            rows[5]['Detail'])
        # And so it was, after the report.
        self.assertEqual(self.hosts[:6], self.disabled())

    def test_ctrl_c_in_a_freeze_selection_exits_130(self):
        # The other requests under way outlast the Ctrl-C, so that services
        # are usually left unsent (freeze has no --concurrency to make it
        # one at a time); on a loaded machine every one may have gone out
        # first, so the count is read from the output, not assumed.
        self.cinder.before_action = lambda action, body: (
            time.sleep(0.5) if body['host'] != self.hosts[5] else None)
        self.interrupt_at(self.hosts[5])
        result = self.cli('freeze', '--host-pattern', 'node*@lvm')
        self.assertEqual(130, result.code, result)
        lines = result.stderr.splitlines()
        summary = re.fullmatch(
            r'freeze: interrupted; (\d+) of 20 service\(s\) did not end frozen',
            lines[-1])
        self.assertIsNotNone(summary, lines[-1])
        unsent = lines[lines.index(
            'interrupted: finishing the requests under way (Ctrl-C again to stop '
            'waiting for them)') + 1:-1]
        self.assertEqual(int(summary.group(1)), len(unsent), lines)
        for line in unsent:
            self.assertRegex(line, r'^cinder-volume on node\d+@lvm: not attempted: '
                                   r'not sent: interrupted$')
        self.assertEqual(20 - len(unsent), sum(
            s['frozen'] for s in self.cinder.services if s['binary'] == 'cinder-volume'))

    def test_after_ctrl_c_the_verifying_read_is_not_repeated(self):
        # Interrupted, the operator wants the report now, not after
        # --wait-timeout of re-reads for changes that may never show.
        clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', clock))
        self.cinder.ignored.add('disable-log-reason')
        self.interrupt_at(self.hosts[2], hook='before_action')
        result = self.cli('commit', '--service', 'cinder-volume', '--status',
                          'disabled', '--disable-reason', 'x', '--concurrency', '1',
                          '--wait-timeout', '30', '-f', 'json')
        self.assertEqual(130, result.code, result)
        self.assertEqual(0.0, clock.slept)

    def test_rerun_finishes_and_touches_nothing_already_right(self):
        self.cinder.dies_at_action = 6
        self.cli('commit', '--service', 'cinder-volume', '--status', 'disabled',
                 '--concurrency', '1')
        self.cinder.dies_at_action = None
        self.cinder.forget_requests()
        result = self.cli('commit', '--service', 'cinder-volume', '--status',
                          'disabled', '-f', 'json')
        self.assertEqual(0, result.code, result)
        rows = self.rows(result)
        self.assertEqual(
            ['unchanged'] * 5 + ['changed'] * 15,
            [rows[h]['Result'] for h in self.hosts],
        )
        self.assertEqual(15, len(self.cinder.puts()))
        self.assertEqual(self.hosts, self.disabled())

    def test_answer_lost_but_applied_is_changed(self):
        self.cinder.applied_then_504.add(('disable-log-reason', self.hosts[2]))
        result = self.cli('commit', '--service', 'cinder-volume', '--status',
                          'disabled', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual('changed', self.rows(result)[self.hosts[2]]['Result'])

    def test_refusal_is_failed_and_others_go_on(self):
        self.cinder.ignored.add('freeze')
        result = self.cli('commit', '--host-pattern', 'node1*', '--frozen', '-f', 'json')
        self.assertEqual(1, result.code)
        self.assertEqual({'failed'}, {r['Result'] for r in result.json()})
        self.assertEqual(10, len(self.cinder.puts()))


class TestDroppedConnection(BatchMixin, base.ShellTestCase):
    """A request that reached cinder-api, whose connection then closed
    without an answer, is no "cannot connect" (issue 23, hazards)."""

    def test_an_answer_lost_after_the_request_arrived(self):
        import requests

        host = self.hosts[5]
        fail_reads = []

        def drop(action, body):
            if body['host'] == host:
                self.cinder.read_failures = list(fail_reads)
                raise requests.exceptions.ConnectionError(
                    "('Connection aborted.', RemoteDisconnected('Remote end closed "
                    "connection without response'))")

        self.cinder.after_action = drop
        result = self.cli('commit', host, 'cinder-volume', '--status', 'disabled',
                          '-f', 'json')
        # Applied, as the re-read tells: the lost answer changes nothing.
        self.assertEqual(0, result.code, result)
        self.assertEqual('changed', result.json()[0]['Result'])
        self.cinder.get(host).update(disabled=False)
        fail_reads[:] = [503] * 10
        result = self.cli('commit', host, 'cinder-volume', '--status', 'disabled',
                          '-f', 'json')
        self.assertEqual(1, result.code, result)
        [row] = result.json()
        self.assertEqual('unknown', row['Result'])
        self.assertTrue(row['Detail'].startswith(
            'no answer to disable: cinder-api at http://cinder.test:8776/v3/os-services/'
            'disable-log-reason closed the connection without an answer (it may have '
            'received the request)'), row['Detail'])
        self.assertNotIn('Cannot connect', row['Detail'])
