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

"""volsvc.cinder.volume_service_drain's main(), state drained and resumed,
in check mode and not, with diff, against the fake Cinder's services and
what is on its backends: each result whole, what was sent, what was read,
how long the fake clock ran, and what the fake holds after."""

import datetime
import signal
import threading

import fixtures

from ansible_collections.volsvc.cinder.plugins.modules import volume_service_drain
from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit import fakes

HOST = 'node1@lvm'
VOLUME = 'cinder-volume'
PROJECT = fakes.PROJECT_ID
DISABLE = "disable (reason 'maintenance')"
#: The engine's note when it re-enables where Cinder ignores enable.
RE_ENABLING = (f'{VOLUME} on {HOST}: the server ignored os-services/enable; '
               're-enabling it by freeze and thaw')
MEMBER_ALONE = (
    "cinder-volume on m1@aa is a member of cluster 'c1@aa': Cinder schedules to "
    "its other members too (m2@aa), and freezes and thaws them together. Set "
    "cluster: c1@aa to drain or resume the whole cluster")
CLUSTER_FROZEN = (
    "cluster 'c1@aa': frozen, not disabled member by member (Cinder 28.0.0 and "
    "later have no API that re-enables a member; a frozen cluster is scheduled "
    "to no more)")


def row(host=HOST, actions='-', result='unchanged', detail=''):
    """One of the returned outcomes (volume_service's rows)."""
    return dict(host=host, binary=VOLUME, actions=actions, result=result, detail=detail)


def fields(status='enabled', disabled_reason=None, frozen=False):
    """What a change sets, as the diff shows it."""
    return dict(status=status, disabled_reason=disabled_reason, is_frozen=frozen)


def diff(before, after, host=HOST):
    header = f'{VOLUME} on {host}'
    return dict(before=before, after=after, before_header=header, after_header=header)


def moving(thing, kind='volume', age=3600.0, why=None):
    """One entry of in_flight or waiting: a fake volume or snapshot."""
    return dict(kind=kind, id=thing['id'], project=PROJECT, status=thing['status'],
                age=age, why=why or thing['status'])


def backend(volumes=0, attached=0, snapshots=0, in_flight=(), waiting=(), drained=True,
            name=HOST):
    return dict(backend=name, volumes=volumes, attached=attached, snapshots=snapshots,
                in_flight=list(in_flight), waiting=list(waiting), drained=drained)


class DrainTestCase(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', self.clock))
        self.service = self.cinder.add(HOST)
        self.cinder.add('node2@lvm')
        self.cinder.add('node1', 'cinder-scheduler')

    def run_module(self, **args):
        return super().run_module(volume_service_drain, **args)

    def drain(self, **args):
        return self.run_module(**dict(dict(host=HOST), **args))

    def settle_after(self, volume, listings, status='available'):
        """``volume`` becomes ``status`` once ``listings`` volume listings
        have been answered (another client's operation ends)."""
        def later(resource, answered):
            if resource == 'volumes' and answered >= listings:
                volume['status'] = status

        self.cinder.between_pages = later


class TestDrained(DrainTestCase):

    def test_a_quiet_backend(self):
        for _ in range(3):
            self.cinder.add_volume(HOST + '#pool')
        self.cinder.attach(self.cinder.add_volume(HOST), 'server-1')
        self.cinder.add_volume('node2@lvm')
        run = self.drain(diff=True)
        self.assertExits(run, dict(
            changed=True, drained=True,
            services=[runner.service(HOST, status='disabled', disabled_reason='maintenance')],
            outcomes=[row(actions=DISABLE, result='changed')],
            backends=[backend(volumes=4, attached=1)],
            diff=[diff(fields(), fields('disabled', 'maintenance'))]))
        self.assertEqual([('disable-log-reason', dict(
            host=HOST, binary=VOLUME, disabled_reason='maintenance'))], self.cinder.puts())
        # Two reads (volumes and snapshots each), one interval (5 s) apart.
        self.assertEqual(5.0, self.clock.slept)
        self.assertEqual(4, len(self.cinder.workload_requests()))

    def test_it_waits_for_what_is_in_flight(self):
        creating = self.cinder.add_volume(HOST, 'creating')
        self.settle_after(creating, 3)
        run = self.drain(interval=2, disabled_reason='firmware 4.2')
        # In flight at the first two reads, quiet at the third and fourth.
        self.assertExits(run, dict(
            changed=True, drained=True,
            services=[runner.service(HOST, status='disabled', disabled_reason='firmware 4.2')],
            outcomes=[row(actions="disable (reason 'firmware 4.2')", result='changed')],
            backends=[backend(volumes=1)]))
        self.assertEqual(6.0, self.clock.slept)
        self.assertEqual(4, len(self.cinder.workload_requests('volumes')))

    def test_the_timeout_names_what_is_in_flight(self):
        extending = self.cinder.add_volume(HOST, 'extending')
        deleting = self.cinder.add_snapshot(extending, 'deleting')
        reserved = self.cinder.add_volume(HOST, 'reserved')
        run = self.drain(timeout=10, interval=5)
        self.assertFailsWith(run, dict(
            changed=True, drained=False,
            services=[runner.service(HOST, status='disabled', disabled_reason='maintenance')],
            outcomes=[row(actions=DISABLE, result='changed')],
            backends=[backend(
                volumes=2, snapshots=1, drained=False,
                in_flight=[moving(extending), moving(deleting, 'snapshot', 1800.0)],
                waiting=[moving(reserved, age=3599.0)])],
            msg=f'Still in flight after 10 s: {HOST}: '
                f"volume {extending['id']} (project {PROJECT}, extending, 1h), "
                f"snapshot {deleting['id']} (project {PROJECT}, deleting, 30m)"))
        # Read at 0, 5 and 10 s; none after the timeout.
        self.assertEqual(10.0, self.clock.slept)
        self.assertEqual(3, len(self.cinder.workload_requests('volumes')))

    def test_a_second_drain_changes_nothing(self):
        run = self.drain(freeze=True, disabled_reason='firmware')
        self.assertEqual(0, run.code, run)
        self.assertEqual(['freeze', 'disable-log-reason'], [a for a, _ in self.cinder.puts()])
        self.cinder.forget_requests()
        self.cinder.add_volume(HOST)
        drained = fields('disabled', 'firmware', True)
        run = self.drain(freeze=True, disabled_reason='firmware', diff=True)
        self.assertExits(run, dict(
            changed=False, drained=True,
            services=[runner.service(HOST, status='disabled', disabled_reason='firmware',
                                     is_frozen=True)],
            outcomes=[row()],
            backends=[backend(volumes=1)],
            diff=[diff(drained, drained)]))
        # Nothing sent; what is on the backend read again, twice.
        self.assertEqual([], self.cinder.puts())
        self.assertEqual(4, len(self.cinder.workload_requests()))

    def test_a_cluster_member_alone_is_refused(self):
        self.cinder.add('m1@aa', cluster_name='c1@aa')
        self.cinder.add('m2@aa', cluster_name='c1@aa')
        for args in (dict(host='m1@aa'), dict(host_pattern='m1*')):
            for check_mode in (False, True):
                for state in ('drained', 'resumed'):
                    if state == 'resumed' and check_mode:
                        continue
                    run = self.run_module(state=state, check_mode=check_mode, **args)
                    self.assertFailsWith(run, dict(msg=MEMBER_ALONE))
        self.assertEqual([], self.cinder.puts())
        self.assertEqual([], self.cinder.workload_requests())

    def test_a_cluster_is_frozen_whole(self):
        self.cinder.add('m1@aa', cluster_name='c1@aa')
        self.cinder.add('m2@aa', cluster_name='c1@aa')
        # The member that takes the freeze disables itself (volume/manager.py
        # freeze_host); the cluster's row is frozen, so every member is.
        members = [runner.service('m1@aa', status='disabled', disabled_reason='frozen',
                                  is_frozen=True, cluster='c1@aa'),
                   runner.service('m2@aa', is_frozen=True, cluster='c1@aa')]
        run = self.run_module(cluster='c1@aa')
        self.assertExits(run, dict(
            changed=True, drained=True, services=members,
            outcomes=[row('m1@aa', 'freeze', 'changed'), row('m2@aa', 'freeze', 'changed')],
            backends=[backend(name='c1@aa')], warnings=[CLUSTER_FROZEN]))
        # One freeze, by a member's host: Cinder freezes its cluster.
        self.assertEqual([('freeze', dict(host='m1@aa'))], self.cinder.puts())
        # Again, by a selection of every member: nothing to send.
        self.cinder.forget_requests()
        run = self.run_module(host_pattern='m*@aa')
        self.assertExits(run, dict(
            changed=False, drained=True, services=members,
            outcomes=[row('m1@aa'), row('m2@aa')],
            backends=[backend(name='c1@aa')], warnings=[CLUSTER_FROZEN]))
        self.assertEqual([], self.cinder.puts())

    def test_a_failed_disable_watches_nothing(self):
        self.cinder.ignored.add('disable-log-reason')
        run = self.drain()
        detail = ("the server accepted every request but status is 'enabled', disabled "
                  "reason is None")
        self.assertFailsWith(run, dict(
            changed=True, drained=False,
            services=[runner.service(HOST)],
            outcomes=[row(actions=DISABLE, result='failed', detail=detail)],
            backends=[backend(volumes=None, attached=None, snapshots=None, drained=False)],
            msg=f'Not every service ended as asked (1 failed): {VOLUME} on {HOST}: '
                f'failed ({detail})'))
        self.assertEqual([], self.cinder.workload_requests())

    def test_a_freeze_of_a_backend_that_is_down(self):
        self.service['state'] = 'down'
        detail = (f'freeze: {VOLUME} on {HOST} (last heartbeat 2026-11-24T10:00:00.000000) '
                  'is down: Cinder would wait for it over RPC (60 s by default) and no '
                  'driver would freeze. Start it first, or set even_if_down: true to send '
                  'the request anyway')
        for check_mode in (True, False):
            run = self.drain(freeze=True, check_mode=check_mode)
            self.assertEqual(1, run.code, run)
            self.assertEqual(
                f'Not every service ended as asked (1 failed): {VOLUME} on {HOST}: '
                f'failed ({detail})', run.result['msg'])
        self.assertEqual([], self.cinder.puts())

    def test_wait_false_reads_once(self):
        self.cinder.add_volume(HOST, 'creating')
        run = self.drain(wait=False)
        # Taken out; one read cannot tell, and fails nothing.
        self.assertEqual(0, run.code, run)
        self.assertEqual((True, False, 1),
                         (run.result['changed'], run.result['drained'],
                          len(run.result['backends'][0]['in_flight'])))
        self.assertEqual(0.0, self.clock.slept)
        self.assertEqual(2, len(self.cinder.workload_requests()))


class TestCheckMode(DrainTestCase):

    def test_drained_sends_nothing_and_shows_what_is_in_flight_now(self):
        creating = self.cinder.add_volume(HOST, 'creating')
        self.cinder.add_volume(HOST)
        run = self.drain(freeze=True, check_mode=True, diff=True)
        self.assertExits(run, dict(
            changed=True, drained=False,
            services=[runner.service(HOST)],
            outcomes=[row(actions=f'freeze, {DISABLE}', result='would change')],
            backends=[backend(volumes=2, in_flight=[moving(creating)], drained=False)],
            diff=[diff(fields(), fields('disabled', 'maintenance', True))]))
        self.assertEqual([], self.cinder.puts())
        self.assertFalse(self.service['disabled'])
        # One read, at once.
        self.assertEqual(2, len(self.cinder.workload_requests()))
        self.assertEqual(0.0, self.clock.slept)

    def test_drained_when_already_drained(self):
        self.service.update(disabled=True, disabled_reason='maintenance')
        run = self.drain(check_mode=True, diff=True)
        drained = fields('disabled', 'maintenance')
        self.assertExits(run, dict(
            changed=False, drained=False,
            services=[runner.service(HOST, status='disabled', disabled_reason='maintenance')],
            outcomes=[row()], backends=[backend(drained=False)],
            diff=[diff(drained, drained)]))

    def test_resumed_plans_the_thaw_and_waits_for_nothing(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='maintenance')
        run = self.run_module(host=HOST, state='resumed', check_mode=True, diff=True)
        self.assertExits(run, dict(
            changed=True,
            services=[runner.service(HOST, status='disabled', disabled_reason='maintenance',
                                     is_frozen=True)],
            outcomes=[row(actions='thaw', result='would change')],
            # A thaw re-enables, and clears the reason.
            diff=[diff(fields('disabled', 'maintenance', True), fields(disabled_reason=''))]))
        self.assertEqual(([], 0.0), (self.cinder.puts(), self.clock.slept))

    def test_resumed_where_enable_is_ignored(self):
        self.service.update(disabled=True, disabled_reason='maintenance')
        run = self.run_module(host_pattern='node*', state='resumed', check_mode=True)
        self.assertExits(run, dict(
            changed=True,
            services=[runner.service(HOST, status='disabled', disabled_reason='maintenance'),
                      runner.service('node2@lvm')],
            outcomes=[row(actions='enable (then freeze, thaw if the server ignores enable)',
                          result='would change'),
                      row('node2@lvm')]))
        self.assertEqual([], self.cinder.puts())

    def test_resumed_of_a_cluster_member_alone(self):
        # The plan refuses the thaw the resume would send (the resume itself
        # refuses the member before its wait: TestDrained).
        self.cinder.add('m1@aa', cluster_name='c1@aa', frozen=True, disabled=True,
                        disabled_reason='frozen')
        self.cinder.add('m2@aa', cluster_name='c1@aa', frozen=True)
        run = self.run_module(host='m1@aa', state='resumed', check_mode=True)
        self.assertFailsWith(run, dict(
            msg="cinder-volume on m1@aa is a member of cluster 'c1@aa': Cinder would thaw "
                "its other members too (m2@aa). Set cluster: c1@aa to thaw the whole "
                "cluster"))
        run = self.run_module(cluster='c1@aa', state='resumed', check_mode=True)
        self.assertEqual(
            (0, [row('m1@aa', 'thaw', 'would change'), row('m2@aa', 'thaw', 'would change')]),
            (run.code, run.result['outcomes']))
        self.assertEqual([], self.cinder.puts())


class TestResumed(DrainTestCase):
    #: Where Cinder ignores enable (28.0.0 and later): the actions sent, the
    #: reason left (a thaw clears it), the note.
    re_enabled = ('enable, freeze, thaw', '', dict(warnings=[RE_ENABLING]))

    def beat(self, from_read=1):
        """cinder-volume reports again: a new heartbeat on each read from
        read ``from_read`` on."""
        start = datetime.datetime(2026, 11, 24, 10, 0, 0)
        #: Each heartbeat written: a read returns the one before its own.
        self.beats = []

        def heartbeat(read):
            if read >= from_read:
                self.service['updated_at'] = (start + datetime.timedelta(
                    seconds=2 * read)).strftime('%Y-%m-%dT%H:%M:%S.%f')
                self.beats.append(self.service['updated_at'])

        self.cinder.after_read = heartbeat

    def resume(self, **args):
        return self.run_module(**dict(dict(host=HOST, state='resumed'), **args))

    def test_after_a_frozen_drain(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='maintenance')
        self.beat()
        run = self.resume(diff=True)
        after = self.beats[-2]
        self.assertExits(run, dict(
            changed=True,
            services=[runner.service(HOST, disabled_reason='', updated_at=after)],
            outcomes=[row(actions='thaw', result='changed')],
            diff=[diff(fields('disabled', 'maintenance', True), fields(disabled_reason=''))]))
        self.assertEqual(['thaw'], [a for a, _ in self.cinder.puts()])
        self.assertEqual((False, False), (self.service['frozen'], self.service['disabled']))

    def test_re_enabled_by_freeze_and_thaw_where_enable_is_ignored(self):
        self.service.update(disabled=True, disabled_reason='maintenance')
        self.beat()
        run = self.resume()
        actions, reason, warnings = self.re_enabled
        self.assertExits(run, dict(
            changed=True,
            services=[runner.service(HOST, disabled_reason=reason,
                                     updated_at=self.beats[-2])],
            outcomes=[row(actions=actions, result='changed')],
            **warnings))
        self.assertEqual(actions.split(', '), [a for a, _ in self.cinder.puts()])
        self.assertFalse(self.service['disabled'])

    def test_it_waits_for_the_heartbeat_before_any_change(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='maintenance')
        sent_at = []
        self.cinder.before_action = lambda action, body: sent_at.append(self.clock.slept)
        # cinder-volume starts reporting at the fourth read.
        self.beat(from_read=4)
        run = self.resume(interval=3)
        self.assertEqual(0, run.code, run)
        # Reads at 0, 3, 6 (no new heartbeat), 9 and 12 (two): the thaw then.
        self.assertEqual([12.0], sent_at)

    def test_the_timeout_changes_nothing(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='maintenance')
        run = self.resume(timeout=6)
        unmet = (f'{VOLUME} on {HOST}: no heartbeat since the wait began '
                 '(2026-11-24T10:00:00.000000); last heartbeat 2026-11-24T10:00:00.000000')
        self.assertFailsWith(run, dict(
            changed=False,
            unmet=[unmet],
            msg=f'1 service(s) not back after 6 s: {unmet}; nothing was changed'))
        self.assertEqual([], self.cinder.puts())
        self.assertEqual(6.0, self.clock.slept)

    def test_an_enabled_thawed_backend_changes_nothing(self):
        self.beat()
        run = self.resume(diff=True)
        self.assertExits(run, dict(
            changed=False,
            services=[runner.service(HOST, updated_at=self.beats[-2])],
            outcomes=[row()],
            diff=[diff(fields(), fields())]))
        self.assertEqual([], self.cinder.puts())

    def test_a_thaw_the_backend_refuses(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='maintenance')
        self.cinder.driver_fails_thaw = True
        self.beat()
        run = self.resume()
        detail = ("the server accepted every request but status is 'disabled'. The server "
                  "said: Backend reported error during thaw_host operation.")
        self.assertFailsWith(run, dict(
            changed=True,
            services=[runner.service(HOST, status='disabled', disabled_reason='maintenance',
                                     updated_at=self.beats[-2])],
            outcomes=[row(actions='thaw', result='failed', detail=detail)],
            msg=f'Not every service ended as asked (1 failed): {VOLUME} on {HOST}: failed '
                f'({detail})'))


class TestResumedOn27(TestResumed):
    release = 27
    # Cinder 27 enables (and keeps the reason).
    re_enabled = ('enable', 'maintenance', {})


class TestOptions(DrainTestCase):

    def refused(self, message, **args):
        run = self.run_module(**args)
        self.assertFailsWith(run, dict(msg=message))
        return run

    def test_numbers_out_of_range(self):
        for state in ('drained', 'resumed'):
            for value in ('nan', 'inf', float('nan'), -1, '-0.5'):
                self.refused(f'timeout must be a finite number of seconds, at least 0 '
                             f'(got {float(value)})', host=HOST, state=state, timeout=value)
            for value in ('nan', 0, 0.5, -1):
                self.refused(f'interval must be a finite number of seconds, at least 1 '
                             f'(got {float(value)})', host=HOST, state=state, interval=value)
            for value in ('nan', 0, -1):
                self.refused(f'rpc_timeout must be a finite number of seconds, more than 0 '
                             f'(got {float(value)})', host=HOST, state=state,
                             rpc_timeout=value)
        # Nothing asked of Keystone or Cinder.
        self.assertEqual([], self.mock.request_history)

    def test_targets(self):
        self.refused('one of the following is required: host, cluster, host_pattern, zone')
        self.refused('one of the following is required: host, cluster, host_pattern, zone',
                     state='resumed', freeze=False)
        for args, names in (
            (dict(host=HOST, cluster='c1'), 'host|cluster'),
            (dict(host=HOST, zone='nova'), 'host|zone'),
            (dict(cluster='c1', host_pattern='n*'), 'cluster|host_pattern'),
        ):
            self.refused(f'parameters are mutually exclusive: {names}', **args)
        self.refused('value of state must be one of: drained, resumed, got: present',
                     host=HOST, state='present')
        self.assertEqual([], self.mock.request_history)

    def test_what_goes_with_drained_only(self):
        for args, message in (
            (dict(disabled_reason='x'), 'disabled_reason goes with state=drained'),
            (dict(freeze=True),
             'freeze goes with state=drained (a resume thaws what the drain froze)'),
            (dict(wait=False),
             'wait: false goes with state=drained: a resume waits for cinder-volume to '
             'report again before it changes anything (volume_service thaws and enables '
             'without waiting)'),
        ):
            for check_mode in (False, True):
                self.refused(message, host=HOST, state='resumed', check_mode=check_mode,
                             **args)
        self.assertEqual([], self.mock.request_history)

    def test_reasons_cinder_refuses(self):
        for reason, message in (
            ('', 'disabled_reason must not be empty'),
            (' ', 'disabled_reason must not be empty'),
            ('x' * 256, 'disabled_reason is 256 characters long; Cinder accepts at most 255'),
        ):
            for check_mode in (False, True):
                self.refused(message, host=HOST, disabled_reason=reason,
                             check_mode=check_mode)
        self.assertEqual([], self.cinder.puts())

    def test_no_such_backend(self):
        for state in ('drained', 'resumed'):
            self.refused("No cinder-volume service on host 'node9@lvm'. Hosts running "
                         "cinder-volume: node1@lvm, node2@lvm", host='node9@lvm', state=state)
        self.refused('No service matches the selection', zone='elsewhere')
        self.assertEqual([], self.cinder.puts())


class TestInterrupted(DrainTestCase):
    """Ctrl-C (SIGINT) or SIGTERM, as ansible-playbook's worker delivers
    them to the module's process group: the task says, and logs, what was
    done."""

    def setUp(self):
        super().setUp()
        for signum in (signal.SIGINT, signal.SIGTERM):
            self.addCleanup(signal.signal, signum, signal.getsignal(signum))
        signal.signal(signal.SIGINT, signal.default_int_handler)

    @staticmethod
    def deliver(signum):
        signal.pthread_kill(threading.main_thread().ident, signum)

    def assertInterrupted(self, run, msg, **result):
        self.assertFailsWith(run, dict(result, msg=msg))
        # The journal or syslog keeps it when ansible-playbook is gone.
        self.assertEqual(msg, run.logged[-1]['msg'])

    def interrupt_the_watch(self, signum, name):
        creating = self.cinder.add_volume(HOST, 'creating')

        def press(resource, answered):
            # The second read's volume listing: one read has ended.
            if answered == 3:
                self.deliver(signum)

        self.cinder.between_pages = press
        run = self.drain(freeze=True)
        self.assertInterrupted(
            run, f'Interrupted by {name}: {VOLUME} on {HOST}: changed; then, while watching '
                 f'what is in flight: {HOST}: volume {creating["id"]} (project {PROJECT}, '
                 'creating, 1h)',
            changed=True, drained=False,
            services=[runner.service(HOST, status='disabled', disabled_reason='maintenance',
                                     is_frozen=True)],
            outcomes=[row(actions=f'freeze, {DISABLE}', result='changed')],
            backends=[backend(volumes=1, in_flight=[moving(creating)], drained=False)],
            warnings=['interrupted while watching what is in flight'])
        # The backend stays disabled and frozen; no read after the signal.
        self.assertEqual((True, True), (self.service['disabled'], self.service['frozen']))
        self.assertEqual(3, len(self.cinder.workload_requests()))

    def test_sigint_while_watching(self):
        self.interrupt_the_watch(signal.SIGINT, 'SIGINT')

    def test_sigterm_while_watching(self):
        self.interrupt_the_watch(signal.SIGTERM, 'SIGTERM')

    def test_during_the_change(self):
        self.cinder.after_action = lambda action, body: self.deliver(signal.SIGINT)
        run = self.drain()
        self.assertInterrupted(
            run, f'Interrupted by SIGINT: {VOLUME} on {HOST}: changed',
            changed=True, drained=False,
            services=[runner.service(HOST, status='disabled', disabled_reason='maintenance')],
            outcomes=[row(actions=DISABLE, result='changed')],
            backends=[backend(volumes=None, attached=None, snapshots=None, drained=False)],
            warnings=['interrupted: finishing the requests under way'])
        # Nothing watched after it.
        self.assertEqual([], self.cinder.workload_requests())

    def test_before_anything_was_sent(self):
        self.cinder.after_read = lambda read: self.deliver(signal.SIGINT)
        for check_mode in (False, True):
            run = self.drain(check_mode=check_mode)
            self.assertInterrupted(
                run, 'Interrupted by SIGINT before anything was sent; nothing was changed')
        self.assertEqual([], self.cinder.puts())

    def test_resume_while_waiting_for_the_heartbeat(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='maintenance')
        self.cinder.after_read = lambda read: read == 2 and self.deliver(signal.SIGTERM)
        run = self.run_module(host=HOST, state='resumed')
        self.assertInterrupted(
            run, 'Interrupted by SIGTERM while waiting for cinder-volume to report again; '
                 'nothing was changed')
        self.assertEqual([], self.cinder.puts())

    def test_resume_during_the_thaw(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='maintenance')

        def heartbeat(read):
            self.service['updated_at'] = f'2026-11-24T10:00:{10 + read:02d}.000000'

        self.cinder.after_read = heartbeat
        self.cinder.after_action = lambda action, body: self.deliver(signal.SIGINT)
        run = self.run_module(host=HOST, state='resumed')
        self.assertEqual(1, run.code, run)
        self.assertEqual(f'Interrupted by SIGINT: {VOLUME} on {HOST}: changed',
                         run.result['msg'])
        self.assertEqual(run.result['msg'], run.logged[-1]['msg'])
        self.assertEqual([row(actions='thaw', result='changed')], run.result['outcomes'])

    def test_handlers_restored(self):
        before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
        self.drain()
        self.run_module(host=HOST, state='resumed', timeout=0)
        self.assertEqual(before, (signal.getsignal(signal.SIGINT),
                                  signal.getsignal(signal.SIGTERM)))
