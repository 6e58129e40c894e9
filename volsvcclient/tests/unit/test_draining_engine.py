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

"""The drain and resume engine (``engine/draining.py``) through the Python
API against the fake Cinder: what the mutation run of 2026-12-07 found no
test of (a selection of plain hosts, a cluster's members, Ctrl-C while the
drain disables or the resume thaws, the resume's verifying time)."""

import datetime
import signal
import threading
import time

from volsvcclient import api
from volsvcclient.engine import interrupts
from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import test_api
from volsvcclient.tests.unit import test_drain

load_tests = base.load_tests
HOST = test_drain.HOST
OTHER = 'node2@lvm'
CLUSTER = 'c1@aa'


class EngineTestCase(test_drain.DrainMixin, base.ShellTestCase):
    scenarios = [('api', {})]

    def setUp(self):
        super().setUp()
        self.client = api.Client(test_api._connection())
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, previous)

    def add_cluster(self, **fields):
        return [self.cinder.add(member, cluster_name=CLUSTER, **fields)
                for member in ('m1@aa', 'm2@aa')]

    def ctrl_c_at(self, action):
        """Ctrl-C (SIGINT to the main thread) while ``action``'s request is
        under way; it ends after the main thread has seen the signal."""
        main = threading.main_thread().ident

        def press(name, body):
            if name == action:
                signal.pthread_kill(main, signal.SIGINT)
                time.sleep(0.2)

        self.cinder.before_action = press

    def calling(self, call):
        """``call()``, failing the test (not the run) on a KeyboardInterrupt
        that should have been counted."""
        try:
            return call()
        except KeyboardInterrupt:
            self.fail('Ctrl-C raised KeyboardInterrupt instead of being counted')

    def notes(self, report):
        return [n.facts for n in report.notes]


class TestBackends(EngineTestCase):

    def test_a_selection_of_plain_hosts_drains_each_as_its_own_backend(self):
        creating = self.cinder.add_volume(OTHER, 'creating')
        self.settle_after(creating, 4)
        drain = self.client.drain(selection=api.Selection(host_pattern='node*@lvm'),
                                  timeout=20, interval=2)
        # The services are listed once for the selection, cinder-volume only.
        first = self.cinder.requests('GET')[0]
        self.assertEqual({'binary': ['cinder-volume']}, first.qs)
        self.assertEqual([(HOST, [HOST]), (OTHER, [OTHER])],
                         [(b.backend, [s.host for s in b.services]) for b in drain.backends])
        self.assertEqual([HOST, OTHER], [o.host for o in drain.report.outcomes])
        self.assertTrue(drain.drained, drain.reason)
        # node1 is drained after two reads; node2 is read once more: its
        # volume was in flight at its first read.
        self.assertEqual([2, 3], [b.reads for b in drain.backends])
        self.assertEqual(4.0, drain.watched)
        self.assertEqual(4.0, self.clock.slept)

    def test_a_cluster_is_its_members_and_nothing_else(self):
        self.add_cluster()
        drain = self.client.drain(cluster=CLUSTER, interval=2)
        self.assertTrue(drain.drained, drain.reason)
        [backend] = drain.backends
        self.assertEqual((CLUSTER, ['m1@aa', 'm2@aa']),
                         (backend.backend, [s.host for s in backend.services]))
        self.assertEqual(['m1@aa', 'm2@aa'], [o.host for o in drain.report.outcomes])
        self.assertEqual(['freeze'], [a for a, _ in self.cinder.puts()])
        self.assertFalse(self.service['frozen'] or self.service['disabled'])
        self.assertIn(
            f"cluster '{CLUSTER}': frozen, not disabled member by member (Cinder 28.0.0 "
            f"and later have no API that re-enables a member; a frozen cluster is "
            f"scheduled to no more)", self.notes(drain.report))

    def test_a_cluster_needs_3_7_however_it_is_given(self):
        self.add_cluster()
        old = api.Client(test_api._connection(block_storage_api_version='3.6'))
        for call in (lambda: old.drain(cluster=CLUSTER),
                     lambda: old.drain(selection=api.Selection(cluster=CLUSTER)),
                     lambda: old.resume(cluster=CLUSTER, plan=True)):
            error = self.assertRaises(api.VersionUnavailable, call)
            self.assertTrue(str(error).startswith(
                'cluster requires Block Storage API 3.7 or later'), error)
        self.assertEqual([], self.cinder.requests())
        drain = self.client.drain(selection=api.Selection(cluster=CLUSTER), plan=True)
        self.assertEqual([CLUSTER], [b.backend for b in drain.backends])


class TestDrainEngine(EngineTestCase):

    def test_a_plan_reads_each_backend_once_and_watches_nothing(self):
        self.cinder.add_volume(HOST)
        self.cinder.add_volume(OTHER, 'creating')
        drain = self.client.drain(selection=api.Selection(host_pattern='node*@lvm'),
                                  plan=True)
        self.assertEqual([(1, 2, 0), (1, 2, 1)],
                         [(b.reads, b.requests, len(b.in_flight)) for b in drain.backends])
        self.assertIs(False, drain.interrupted)
        self.assertEqual(0.0, drain.watched)
        self.assertEqual(0.0, self.clock.slept)

    def test_a_plan_refuses_a_backend_that_is_down_as_the_drain_does(self):
        self.service['state'] = 'down'
        drain = self.client.drain(HOST, freeze=True, plan=True)
        [outcome] = drain.report.outcomes
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertIn('is down: Cinder would wait for it over RPC', outcome.said[0].facts)
        drain = self.client.drain(HOST, freeze=True, even_if_down=True, plan=True)
        [outcome] = drain.report.outcomes
        self.assertEqual(api.Result.WOULD_CHANGE, outcome.result)
        self.assertEqual([], self.cinder.puts())

    def test_a_plan_of_a_cluster_tells_of_a_member_that_is_down(self):
        self.add_cluster()[1]['state'] = 'down'
        drain = self.client.drain(cluster=CLUSTER, plan=True)
        self.assertEqual(
            [f"m2@aa of cluster '{CLUSTER}' down: a member that is up takes the freeze"],
            self.notes(drain.report))
        self.assertEqual([api.Result.WOULD_CHANGE] * 2,
                         [o.result for o in drain.report.outcomes])

    def test_a_failed_disable_is_judged_by_one_read_at_once(self):
        self.cinder.ignored.add('disable-log-reason')
        drain = self.client.drain(HOST)
        self.assertEqual(api.Result.FAILED, drain.report.outcomes[0].result)
        self.assertEqual(0.0, self.clock.slept)
        # The backends' read, the change's read and one verifying read.
        self.assertEqual(3, len(self.cinder.requests('GET')))

    def test_even_if_down_freezes_a_backend_that_is_down(self):
        self.service['state'] = 'down'
        drain = self.client.drain(HOST, freeze=True, even_if_down=True, interval=1)
        # Sent; Cinder's RPC to the backend then times out.
        self.assertEqual(['freeze'], [a for a, _ in self.cinder.puts()])
        self.assertIn(f'cinder-volume on {HOST} (last heartbeat 2026-11-24T10:00:00.000000) '
                      f'down; sending the freeze anyway', self.notes(drain.report))

    def test_ctrl_c_while_disabling_ends_the_drain_before_the_watch(self):
        self.ctrl_c_at('disable-log-reason')
        with interrupts.Interrupts() as ctrl_c:
            drain = self.calling(lambda: self.client.drain(HOST, ctrl_c=ctrl_c))
        self.assertEqual(1, ctrl_c.count)
        self.assertTrue(drain.interrupted)
        self.assertFalse(drain.drained)
        # The disable under way was finished and verified; nothing was watched.
        self.assertEqual(api.Result.CHANGED, drain.report.outcomes[0].result)
        self.assertEqual([], self.cinder.workload_requests())
        self.assertEqual('interrupted; the drain says what was done', drain.reason)

    def test_ctrl_c_after_the_watch_is_counted_not_raised(self):
        # A program prints its report after the drain: a Ctrl-C then must
        # not lose it.
        with interrupts.Interrupts() as ctrl_c:
            drain = self.client.drain(HOST, interval=1, ctrl_c=ctrl_c)
            self.calling(lambda: signal.raise_signal(signal.SIGINT))
        self.assertEqual(1, ctrl_c.count)
        self.assertTrue(drain.drained)


class TestResumeEngine(EngineTestCase):

    def setUp(self):
        super().setUp()
        self.service.update(frozen=True, disabled=True, disabled_reason='maintenance')

    def beat(self, down_after=None):
        """The cinder-volume reports again, a new heartbeat on each read; it
        goes down again after read ``down_after``."""
        start = datetime.datetime(2026, 11, 24, 10, 0, 0)

        def heartbeat(read):
            self.service['updated_at'] = (
                start + datetime.timedelta(seconds=2 * read)).strftime('%Y-%m-%dT%H:%M:%S.%f')
            if read == down_after:
                self.service['state'] = 'down'

        self.cinder.after_read = heartbeat

    def test_even_if_down_thaws_a_backend_that_went_down_after_it_reported(self):
        # The backends' read, then three reads that see two new heartbeats;
        # the change's own read then finds it down.
        self.beat(down_after=4)
        report = self.client.resume(HOST)
        [outcome] = report.outcomes
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertIn('is down: Cinder would wait for it over RPC', outcome.said[0].facts)
        self.assertEqual([], self.cinder.puts())
        self.service['state'] = 'up'
        self.beat(down_after=self.cinder._reads_seen + 4)
        report = self.client.resume(HOST, even_if_down=True)
        # Sent; Cinder's RPC to the backend then times out.
        self.assertEqual(['thaw'], [a for a, _ in self.cinder.puts()])
        self.assertTrue(any(n.endswith('down; sending the thaw anyway')
                            for n in self.notes(report)), report.notes)

    def test_ctrl_c_while_thawing_is_counted_and_reported(self):
        self.beat()
        self.ctrl_c_at('thaw')
        with interrupts.Interrupts() as ctrl_c:
            report = self.calling(lambda: self.client.resume(HOST, ctrl_c=ctrl_c))
        self.assertEqual(1, ctrl_c.count)
        self.assertTrue(report.interrupted)
        self.assertEqual(api.Result.CHANGED, report.outcomes[0].result)

    def test_the_change_is_verified_for_two_intervals_at_most(self):
        # Reads that lag behind the thaw: the verifying reads go on, one
        # every 2 s, for 2 * interval (4 s) after the wait (3 reads, 4 s).
        self.beat()
        self.cinder.read_lag = 100
        report = self.client.resume(HOST, timeout=300, interval=2)
        self.assertEqual(api.Result.FAILED, report.outcomes[0].result)
        self.assertEqual(8.0, self.clock.slept)

    def test_the_change_is_verified_within_what_is_left_of_the_timeout(self):
        # The wait took the whole timeout (its third read at 4 s): one
        # verifying read, no more.
        self.beat()
        self.cinder.read_lag = 100
        report = self.client.resume(HOST, timeout=4, interval=2)
        self.assertEqual(api.Result.FAILED, report.outcomes[0].result)
        self.assertEqual(4.0, self.clock.slept)


class TestResumePlanEngine(EngineTestCase):

    def test_a_plan_of_an_enable_names_the_freeze_and_thaw_that_may_follow(self):
        self.service.update(disabled=True, disabled_reason='maintenance')
        report = self.client.resume(HOST, plan=True)
        [outcome] = report.outcomes
        self.assertEqual((api.Result.WOULD_CHANGE, ('enable',), ('freeze', 'thaw')),
                         (outcome.result, outcome.actions, outcome.fallback))

    def test_a_plan_judges_each_member_by_its_own_read(self):
        # Between the backends' read and the plan's: m1 goes down, m2 is
        # deleted (cinder-manage service remove).
        members = self.add_cluster(frozen=True)

        def meanwhile(read):
            if read == 1:
                members[0]['state'] = 'down'
                self.cinder.services.remove(members[1])

        self.cinder.after_read = meanwhile
        report = self.client.resume(cluster=CLUSTER, plan=True)
        self.assertEqual([('m1@aa', api.Result.WOULD_CHANGE), ('m2@aa', api.Result.FAILED)],
                         [(o.host, o.result) for o in report.outcomes])
        self.assertEqual(['cinder-volume on m1@aa is down now: a resume waits up to 300 s '
                          'for it to report again, and changes nothing if it does not'],
                         self.notes(report))


class TestProgress(test_drain.DrainMixin, base.ShellTestCase):

    def test_the_watch_clears_its_progress_line_before_the_verdict(self):
        creating = self.cinder.add_volume(HOST, 'creating')
        self.settle_after(creating, 2)
        result = self.cli('drain', HOST, '--interval', '1', tty=True)
        self.assertEqual(0, result.code, result)
        self.assertTrue(result.stderr.endswith(
            f'\r0 in flight on 1 backend(s) (3 s)\033[K\r\033[Kdrained: safe to stop '
            f'cinder-volume on {HOST}\n'), result.stderr)

    def test_the_wait_for_a_heartbeat_shows_its_progress_on_a_terminal(self):
        self.service.update(disabled=True, disabled_reason='maintenance')
        start = datetime.datetime(2026, 11, 24, 10, 0, 0)

        def heartbeat(read):
            self.service['updated_at'] = (
                start + datetime.timedelta(seconds=2 * read)).strftime('%Y-%m-%dT%H:%M:%S.%f')

        self.cinder.after_read = heartbeat
        result = self.cli('resume', HOST, tty=True)
        self.assertEqual(0, result.code, result)
        self.assertIn('\r0 of 1 service(s) ready (0 s)\033[K', result.stderr)
        self.assertIn('\r0 of 1 service(s) ready (2 s)\033[K', result.stderr)
