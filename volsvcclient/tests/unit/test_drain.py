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

"""``volume service drain`` and ``resume`` (issue 25), through both
programs and the Python API, against the fake Cinder's services and what
is on its backends."""

import datetime

import fixtures

from volsvcclient import api
from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests
HOST = 'node1@lvm'
VOLUME = 'cinder-volume'


class DrainMixin:
    def setUp(self):
        super().setUp()
        self.service = self.cinder.add(HOST)
        self.cinder.add('node2@lvm')
        self.cinder.add('node1', 'cinder-scheduler')
        self.clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', self.clock))

    def settle_after(self, volume, listings, status='available'):
        """``volume`` becomes ``status`` once ``listings`` volume listings
        have been answered."""
        def later(resource, answered):
            if resource == 'volumes' and answered >= listings:
                volume['status'] = status

        self.cinder.between_pages = later


class TestDrain(DrainMixin, base.ShellTestCase):

    def test_a_quiet_backend_is_drained_after_two_quiet_reads(self):
        for _ in range(3):
            self.cinder.add_volume(HOST + '#pool')
        self.cinder.attach(self.cinder.add_volume(HOST), 'server-1')
        self.cinder.add_volume('node2@lvm')
        result = self.cli('drain', HOST, '-f', 'json', '--interval', '3')
        self.assertEqual(0, result.code, result)
        [row] = result.json()
        self.assertEqual(
            {'Backend': HOST, 'Status': 'disabled', 'Disabled Reason': 'maintenance',
             'Frozen': False, 'Volumes': 4, 'Attached': 1, 'Snapshots': 0,
             'In Flight': [], 'Waiting': [], 'Verdict': 'drained'}, row)
        self.assertEqual(f'drained: safe to stop cinder-volume on {HOST}',
                         result.stderr.splitlines()[-1])
        self.assertEqual((True, 'maintenance'),
                         (self.service['disabled'], self.service['disabled_reason']))
        # Two reads, one interval apart, each of volumes and snapshots.
        self.assertEqual(3.0, self.clock.slept)
        self.assertEqual(4, len(self.cinder.workload_requests()))

    def test_it_waits_for_what_is_in_flight(self):
        creating = self.cinder.add_volume(HOST, 'creating')
        self.settle_after(creating, 3)
        result = self.cli('drain', HOST, '-f', 'json', '--interval', '2')
        self.assertEqual(0, result.code, result)
        # In flight at the first two reads (the third volume listing is
        # answered before it changes), quiet at the third and the fourth.
        self.assertEqual(6.0, self.clock.slept)
        self.assertEqual(4, len(self.cinder.workload_requests('volumes')))
        self.assertEqual('drained', result.json()[0]['Verdict'])

    def test_the_timeout_names_what_is_still_in_flight(self):
        volume = self.cinder.add_volume(HOST, 'extending')
        snapshot = self.cinder.add_snapshot(volume, 'deleting')
        self.cinder.add_volume(HOST, 'reserved')
        result = self.cli('drain', HOST, '-f', 'json', '--wait-timeout', '10',
                          '--interval', '5')
        self.assertEqual(1, result.code, result)
        [row] = result.json()
        self.assertEqual('in flight', row['Verdict'])
        self.assertEqual(
            [('snapshot', snapshot['id'], 'deleting'), ('volume', volume['id'], 'extending')],
            sorted((m['Kind'], m['ID'], m['Status']) for m in row['In Flight']))
        self.assertEqual(['reserved'], [m['Status'] for m in row['Waiting']])
        line = result.stderr.splitlines()[-1]
        self.assertTrue(line.startswith(f'Still in flight after 10 s: {HOST}: '), line)
        self.assertIn(f"volume {volume['id']} (project {fakes.PROJECT_ID}, extending, ", line)
        self.assertEqual(10.0, self.clock.slept)

    def test_freeze_and_a_second_drain(self):
        result = self.cli('drain', HOST, '--freeze', '--disable-reason', 'firmware',
                          '-f', 'value', '-c', 'Verdict')
        self.assertEqual((0, 'drained\n'), (result.code, result.stdout), result)
        self.assertEqual((True, True, 'firmware'),
                         (self.service['frozen'], self.service['disabled'],
                          self.service['disabled_reason']))
        self.assertEqual(['freeze', 'disable-log-reason'], [a for a, _ in self.cinder.puts()])
        self.cinder.forget_requests()
        result = self.cli('drain', HOST, '--freeze', '--disable-reason', 'firmware')
        self.assertEqual(0, result.code, result)
        # Already drained: nothing is sent, the summary comes again.
        self.assertEqual([], self.cinder.puts())
        self.assertIn('drained', result.stdout)

    def test_refused_before_any_change(self):
        self.cinder.add('m1@aa', cluster_name='c1@aa')
        self.cinder.add('m2@aa', cluster_name='c1@aa')
        for args, message in (
            (('m1@aa',), "cinder-volume on m1@aa is a member of cluster 'c1@aa': Cinder "
                         "schedules to its other members too (m2@aa), and freezes and "
                         "thaws them together. Give --cluster c1@aa to drain or resume "
                         "the whole cluster"),
            (('--host-pattern', 'm1*'), "cinder-volume on m1@aa is a member of cluster"),
            (('node1',), "No cinder-volume service on host 'node1'. Hosts running "
                         "cinder-volume: m1@aa, m2@aa, node1@lvm, node2@lvm"),
            (('nothing@here',), "No cinder-volume service on host 'nothing@here'"),
            ((HOST, '--disable-reason', ' '), '--disable-reason must not be empty'),
            ((), 'Give <host> or --cluster <cluster>, or a selection'),
            ((HOST, '--zone', 'nova'), 'Give <host> or --cluster <cluster> or a selection'),
        ):
            self.assertFails(self.cli('drain', *args), message)
        self.assertEqual([], self.cinder.puts())
        self.assertEqual([], self.cinder.workload_requests())
        # The whole cluster, by name or by a selection of every member.
        for args in (('--cluster', 'c1@aa'), ('--host-pattern', 'm*@aa')):
            result = self.cli('drain', *args, '-f', 'json')
            self.assertEqual(0, result.code, result)
            self.assertEqual(['c1@aa'], [r['Backend'] for r in result.json()])

    def test_a_failed_disable_watches_nothing(self):
        self.cinder.ignored.add('disable-log-reason')
        result = self.cli('drain', HOST, '-f', 'json')
        self.assertEqual(1, result.code, result)
        self.assertEqual(('not disabled', None),
                         (result.json()[0]['Verdict'], result.json()[0]['Volumes']))
        self.assertEqual([], self.cinder.workload_requests())
        self.assertIn("the server accepted every request but status is 'enabled'",
                      result.stderr)

    def test_a_backend_down_needs_even_if_down_to_freeze(self):
        self.service['state'] = 'down'
        result = self.cli('drain', HOST, '--freeze')
        self.assertEqual(1, result.code, result)
        self.assertIn('is down: Cinder would wait for it over RPC', result.stderr)
        self.assertIn('give --even-if-down to send the request anyway', result.stderr)
        result = self.cli('drain', HOST)
        self.assertEqual(0, result.code, result)

    def test_ctrl_c_while_watching_says_what_was_done(self):
        import signal
        import threading

        self.cinder.add_volume(HOST, 'creating')
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, previous)

        def press(resource, answered):
            # The second read's volume listing: one read has ended.
            if answered == 3:
                signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

        self.cinder.between_pages = press
        result = self.cli('drain', HOST, '-f', 'json')
        self.assertEqual(130, result.code, result)
        [row] = result.json()
        self.assertEqual(('disabled', 'interrupted', 1),
                         (row['Status'], row['Verdict'], len(row['In Flight'])))
        self.assertEqual(
            ['', 'interrupted while watching what is in flight',
             'drain: interrupted; the rows above say what is on each backend'],
            result.stderr.splitlines()[-3:])

    def test_progress_on_a_terminal(self):
        creating = self.cinder.add_volume(HOST, 'creating')
        self.settle_after(creating, 2)
        result = self.cli('drain', HOST, '--interval', '1', tty=True)
        self.assertEqual(0, result.code, result)
        self.assertIn('\r1 in flight on 1 backend(s) (0 s)\033[K', result.stderr)
        self.assertIn('\r0 in flight on 1 backend(s) (3 s)\033[K', result.stderr)


class TestResume(DrainMixin, base.ShellTestCase):

    def beat(self):
        """The cinder-volume reports again: a new heartbeat on each read."""
        start = datetime.datetime(2026, 11, 24, 10, 0, 0)

        def heartbeat(read):
            self.service['updated_at'] = (
                start + datetime.timedelta(seconds=2 * read)).strftime('%Y-%m-%dT%H:%M:%S.%f')

        self.cinder.after_read = heartbeat

    def test_resume_after_a_frozen_drain(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='maintenance')
        self.beat()
        result = self.cli('resume', HOST, '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual([{'Host': HOST, 'Binary': VOLUME, 'Actions': 'thaw',
                           'Result': 'changed', 'Detail': ''}], result.json())
        self.assertEqual((False, False), (self.service['frozen'], self.service['disabled']))

    def test_resume_re_enables_by_freeze_and_thaw_where_enable_is_ignored(self):
        self.service.update(disabled=True, disabled_reason='maintenance')
        self.beat()
        result = self.cli('resume', HOST, '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual('enable, freeze, thaw', result.json()[0]['Actions'])
        self.assertFalse(self.service['disabled'])

    def test_resume_waits_for_the_backend_to_report(self):
        self.service.update(disabled=True, disabled_reason='maintenance')
        result = self.cli('resume', HOST, '--wait-timeout', '6')
        self.assertEqual(1, result.code, result)
        self.assertIn('no heartbeat since the wait began', result.stderr)
        self.assertIn('1 cinder-volume service(s) did not report again in 6 s: nothing '
                      'was changed', result.stderr)
        self.assertEqual([], self.cinder.puts())


class TestDrainAPI(DrainMixin, base.ShellTestCase):
    scenarios = [('api', {})]

    def test_drain_and_resume(self):
        client = api.Client(test_api_connection())
        creating = self.cinder.add_volume(HOST, 'creating')
        drain = client.drain(HOST, timeout=4, interval=2)
        self.assertFalse(drain.drained)
        [backend] = drain.backends
        self.assertEqual((HOST, 1, 3, 2), (backend.backend, backend.volumes, backend.reads,
                                           backend.requests))
        [moving] = backend.in_flight
        self.assertEqual(('volume', creating['id'], 'creating', fakes.PROJECT_ID),
                         (moving.kind, moving.id, moving.status, moving.project_id))
        self.assertTrue(drain.reason.startswith('Still in flight after 4 s'), drain.reason)
        creating['status'] = 'available'
        drain = client.drain(HOST, timeout=4, interval=2)
        self.assertTrue(drain.drained)
        self.assertIsNone(drain.reason)
        self.assertFalse(drain.report.changed)
        for call, keyword in (
            (lambda: client.drain(), 'host'),
            (lambda: client.drain(HOST, cluster='c'), 'host'),
            (lambda: client.drain(HOST, disabled_reason=''), 'disabled_reason'),
            (lambda: client.drain(HOST, interval=0), 'interval'),
            (lambda: client.drain(HOST, freeze='yes'), 'freeze'),
            (lambda: client.resume(HOST, timeout=float('nan')), 'timeout'),
        ):
            error = self.assertRaises(api.InvalidRequest, call)
            self.assertEqual(keyword, error.keyword)

    def test_a_thousand_volumes_take_three_requests_a_read(self):
        # The figure doc/source/performance.rst quotes: volumes and
        # snapshots take N // 1000 + 1 requests each.
        for _ in range(1000):
            self.cinder.add_volume(HOST)
        client = api.Client(test_api_connection())
        drain = client.drain(HOST, timeout=10, interval=2)
        self.assertTrue(drain.drained)
        self.assertEqual((1000, 3), (drain.backends[0].volumes, drain.backends[0].requests))


def test_api_connection():
    from volsvcclient.tests.unit import test_api

    return test_api._connection()


class TestDrainPlan(DrainMixin, base.ShellTestCase):
    """What Ansible's check mode shows: the change planned, what is in
    flight now, nothing sent."""

    scenarios = [('api', {})]

    def test_a_plan_sends_nothing_and_reads_once(self):
        creating = self.cinder.add_volume(HOST, 'creating')
        self.cinder.add_volume(HOST)
        client = api.Client(test_api_connection())
        drain = client.drain(HOST, freeze=True, plan=True)
        self.assertEqual([], self.cinder.puts())
        self.assertTrue(drain.report.planned)
        self.assertFalse(drain.drained)
        [outcome] = drain.report.outcomes
        self.assertEqual((api.Result.WOULD_CHANGE, ('freeze', "disable (reason 'maintenance')"),
                          {'status': 'disabled', 'disabled_reason': 'maintenance',
                           'is_frozen': True}),
                         (outcome.result, outcome.actions, outcome.predicted))
        [backend] = drain.backends
        self.assertEqual((2, 1, [creating['id']]),
                         (backend.volumes, backend.reads, [m.id for m in backend.in_flight]))
        self.assertEqual(0.0, self.clock.slept)
