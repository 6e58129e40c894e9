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

"""volume_service interrupted by a real signal, as ansible-playbook's worker
delivers Ctrl-C (SIGINT) or SIGTERM to the module's process group: the task
returns, and logs, what was sent."""

import signal
import threading
import time

import fixtures

from ansible_collections.volsvc.cinder.plugins.modules import volume_service
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_check
from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit import fakes

HOSTS = [f'node{n}@lvm' for n in range(1, 7)]
#: The engine's notes of a change interrupted once, and twice (SIGTERM).
FINISHING = 'interrupted: finishing the requests under way'
NOT_WAITING = 'interrupted again: not waiting for the 1 request(s) under way'


def row(host, result, detail=''):
    return dict(host=host, binary='cinder-volume', actions='disable', result=result,
                detail=detail)


class TestInterrupted(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time',
                                             fakes.FakeClock()))
        for host in HOSTS:
            self.cinder.add(host)
        for signum in (signal.SIGINT, signal.SIGTERM):
            self.addCleanup(signal.signal, signum, signal.getsignal(signum))
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def signal_at(self, host, signum, hook='after_action', answer_after=0.2):
        """``signum`` to this process while the request for ``host`` is under
        way (after Cinder applied it, or before), as a worker's killpg."""
        main = threading.main_thread().ident

        def deliver(action, body):
            if body['host'] == host:
                signal.pthread_kill(main, signum)
                # The request under way ends after the main thread has seen it.
                time.sleep(answer_after)

        setattr(self.cinder, hook, deliver)
        # The sending thread may outlive the module: let it end here.
        self.addCleanup(time.sleep, answer_after)

    def disable_all(self):
        return self.run_module(volume_service, host_pattern='node*', status='disabled',
                               concurrency=1, diff=True)

    def disabled(self):
        return [s['host'] for s in self.cinder.services if s['disabled']]

    def assertReported(self, run, signal_name, rows, warnings):
        summary = '; '.join(
            f"cinder-volume on {r['host']}: {r['result']}"
            + (f" ({r['detail']})" if r['detail'] else '') for r in rows)
        message = f'Interrupted by {signal_name}: {summary}'
        enabled, disabled = dict(status='enabled', disabled_reason=None, is_frozen=False), \
            dict(status='disabled', disabled_reason=None, is_frozen=False)
        self.assertFailsWith(run, dict(
            changed=True, msg=message, services=rows,
            diff=[dict(before=enabled,
                       after=disabled if r['result'] == 'changed' else enabled,
                       before_header=f"cinder-volume on {r['host']}",
                       after_header=f"cinder-volume on {r['host']}") for r in rows],
            warnings=warnings))
        # The journal or syslog keeps it when ansible-playbook is gone.
        self.assertEqual(message, run.logged[-1]['msg'])

    def test_sigint_finishes_the_requests_under_way(self):
        self.signal_at(HOSTS[2], signal.SIGINT)
        run = self.disable_all()
        unsent = row(None, 'not attempted', 'not sent: interrupted')
        self.assertReported(run, 'SIGINT', [row(h, 'changed') for h in HOSTS[:3]]
                            + [dict(unsent, host=h) for h in HOSTS[3:]], [FINISHING])
        self.assertEqual(HOSTS[:3], self.disabled())

    def test_sigterm_stops_waiting_and_still_reports(self):
        # Cinder applied it; its answer is slow: the re-read tells.
        self.signal_at(HOSTS[2], signal.SIGTERM)
        run = self.disable_all()
        unsent = row(None, 'not attempted', 'not sent: interrupted')
        self.assertReported(run, 'SIGTERM', [row(h, 'changed') for h in HOSTS[:3]]
                            + [dict(unsent, host=h) for h in HOSTS[3:]],
                            [FINISHING, NOT_WAITING])
        self.assertEqual(HOSTS[:3], self.disabled())

    def test_sigterm_before_cinder_applied_it(self):
        # requests-mock answers one request at a time, so the re-read comes
        # after the one under way: a lagging read shows what a read made
        # meanwhile would.
        def lag(action, body):
            if body['host'] == HOSTS[2]:
                self.cinder.read_lag = 1

        self.signal_at(HOSTS[2], signal.SIGTERM, hook='before_action')
        previous = self.cinder.before_action
        self.cinder.before_action = lambda action, body: (lag(action, body),
                                                          previous(action, body))
        run = self.disable_all()
        unsent = row(None, 'not attempted', 'not sent: interrupted')
        self.assertReported(run, 'SIGTERM', [row(h, 'changed') for h in HOSTS[:2]] + [
            row(HOSTS[2], 'unknown',
                'interrupted while disable was under way: it may still be applied; '
                'a volume_service_check task with host: node3@lvm, binary: '
                'cinder-volume shows whether it was')]
            + [dict(unsent, host=h) for h in HOSTS[3:]], [FINISHING, NOT_WAITING])

    def test_before_anything_was_sent(self):
        def interrupt(read):
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

        self.cinder.after_read = interrupt
        run = self.disable_all()
        message = ('Interrupted by SIGINT before the change could say what it sent: '
                   'read the services again (volume_service_check) to see them')
        self.assertFailsWith(run, dict(msg=message))
        self.assertEqual(message, run.logged[-1]['msg'])
        self.assertEqual([], self.cinder.puts())

    def test_handlers_restored(self):
        before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
        self.disable_all()
        self.assertEqual(before, (signal.getsignal(signal.SIGINT),
                                  signal.getsignal(signal.SIGTERM)))


class TestReadInterrupted(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm')
        self.addCleanup(signal.signal, signal.SIGINT, signal.getsignal(signal.SIGINT))
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def test_check(self):
        def interrupt(read):
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

        self.cinder.after_read = interrupt
        message = 'Interrupted by SIGINT; nothing was changed'
        self.assertFailsWith(self.run_module(volume_service_check), dict(
            changed=False, verdict='UNKNOWN', level=3, msg=message,
            status_line=f'UNKNOWN - {message}'))
