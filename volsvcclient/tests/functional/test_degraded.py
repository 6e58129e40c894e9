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

"""Part of the cloud down: each command ends within its bound, in one line,
and says what the server really holds.

Each class stops one part of the lab (``tools/lab stop``), runs list, show,
set --disable, freeze, thaw, failover and a small commit, and starts the
part again in a cleanup, so the lab is mended even when a test fails.
Elsewhere (devstack) they skip: they need the lab to stop its parts.
"""

import concurrent.futures
import time

from volsvcclient.tests.functional import base

#: Seconds of start-up, authentication and fallback read a command may add
#: to its own bound before the test calls it unbounded.
SLACK = 8
#: --rpc-timeout for actions here: short, so that CI stays quick.
ACTION_BOUND = 5
#: What the commands wait on without --rpc-timeout (volsvcclient.cinder.bounds).
BACKEND_STATE_BOUND = 2
REQUEST_BOUND = 30


class DegradedTestCase(base.FunctionalTestCase):
    #: The lab process to stop.
    part = None

    def setUp(self):
        super().setUp()
        self.needs_lab(f'to stop {self.part}')
        # Last of all, once the services are back as they were.
        self.addCleanup(self.wait_until_pools_reported)
        self.host = self.pick_backend()
        self.replicated = self.pick_backend(replicated=True, required=False)
        self.before = self.raw.services()
        # Cleanups run last first: start the part, wait for every service
        # to report again, settle what was left in flight, then restore.
        self.addCleanup(self.settle)
        self.addCleanup(self.wait_until_healthy)
        self.addCleanup(self.lab, 'start', self.part)
        self.lab('stop', self.part)

    def settle(self):
        """What the stopped part held back, acted on before restore()."""

    def timed(self, *args, bound, code, message, **kwargs):
        """Run one command: its exit code, one stderr line with ``message``
        (or none when ``message`` is None), within ``bound`` + SLACK s."""
        started = time.monotonic()
        result = self.service_cmd(*args, **kwargs)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, bound + SLACK, (args, result))
        self.assertEqual(code, result.code, (args, result))
        self.assertNotIn('Traceback', result.stderr)
        lines = result.stderr.splitlines()
        if message is None:
            self.assertEqual([], lines, (args, result))
        else:
            self.assertEqual(1, len(lines), (args, result))
            self.assertIn(message, lines[0])
        return result

    def raw_volume(self, host):
        return self.raw.service(host)


class TestSchedulerDown(DegradedTestCase):
    part = 'cinder-scheduler'

    def test_reads_fall_back_and_actions_work(self):
        unknown = 'Backend State unknown: cinder-scheduler did not answer within'
        listed = self.timed('list', '-f', 'json', bound=BACKEND_STATE_BOUND,
                            code=0, message=unknown)
        rows = {(r['Host'], r['Binary']): r for r in listed.json()}
        self.assertEqual(
            {(s['host'], s['binary']) for s in self.raw.services()}, set(rows)
        )
        self.assertEqual('unknown', rows[(self.host, 'cinder-volume')]['Backend State'])
        shown = self.timed('show', self.host, 'cinder-volume', '-f', 'json',
                           bound=BACKEND_STATE_BOUND, code=0, message=unknown)
        self.assertEqual('unknown', shown.json()['Backend State'])

        # Nothing below asks cinder-scheduler.
        self.timed('freeze', self.host, bound=ACTION_BOUND, code=0, message=None)
        self.assertTrue(self.raw_volume(self.host)['frozen'])
        self.timed('thaw', self.host, bound=ACTION_BOUND, code=0, message=None)
        self.assertFalse(self.raw_volume(self.host)['frozen'])
        self.timed('commit', self.host, 'cinder-volume', '--frozen', '-f', 'json',
                   bound=ACTION_BOUND, code=0, message=None)
        self.assertTrue(self.raw_volume(self.host)['frozen'])
        if self.replicated:
            self.timed('failover', self.replicated, '--wait', '--wait-timeout', '60',
                       bound=60, code=0, message=None)
            self.assertEqual('failed-over',
                             self.raw_volume(self.replicated)['replication_status'])
        self.timed('set', '--disable', '--disable-reason', 'degraded', self.host,
                   'cinder-volume', bound=0, code=0, message=None)
        self.assertEqual('degraded', self.raw_volume(self.host)['disabled_reason'])


class TestRabbitMQDown(DegradedTestCase):
    part = 'rabbitmq'

    def settle(self, timeout=90):
        """cinder-api records a failover before it publishes it, and
        oslo.messaging goes on trying to publish the cast until RabbitMQ is
        back: cinder-volume may fail over long after the test. Wait for it
        to act before restore() fails back (a failover that lands after the
        restore leaves the backend failed over under the next tests); no
        API takes a backend out of failing-over, so when none arrives the
        lab's database ends it."""
        if not self.replicated:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.raw_volume(self.replicated)['replication_status']
            if status != 'failing-over':
                return
            time.sleep(1)
        self.lab('reset-failover', self.replicated)

    def test_reads_fall_back_and_actions_report_the_database(self):
        unknown = 'Backend State unknown: cinder-scheduler did not answer within'
        self.timed('list', bound=BACKEND_STATE_BOUND, code=0, message=unknown)
        self.timed('show', self.host, 'cinder-volume', bound=BACKEND_STATE_BOUND,
                   code=0, message=unknown)
        bound = ['--rpc-timeout', str(ACTION_BOUND)]
        unconfirmed = f'got no answer within {ACTION_BOUND} s'
        result = self.timed('freeze', self.host, *bound, bound=ACTION_BOUND, code=1,
                            message=f'freeze {unconfirmed}')
        self.assertTrue(self.raw_volume(self.host)['frozen'])
        self.assertIn('frozen True', result.stderr)
        result = self.timed('thaw', self.host, *bound, bound=ACTION_BOUND, code=1,
                            message=f'thaw {unconfirmed}')
        self.assertFalse(self.raw_volume(self.host)['frozen'])
        self.assertIn('frozen False', result.stderr)
        result = self.timed('commit', self.host, 'cinder-volume', '--frozen',
                            '-f', 'json', *bound, bound=ACTION_BOUND, code=1,
                            message='Not every service ended as asked')
        [row] = result.json()
        self.assertEqual('unknown', row['Result'])
        self.assertTrue(self.raw_volume(self.host)['frozen'])
        if self.replicated:
            result = self.timed('failover', self.replicated, *bound,
                                bound=ACTION_BOUND, code=1,
                                message=f'failover {unconfirmed}')
            self.assertEqual('failing-over',
                             self.raw_volume(self.replicated)['replication_status'])
        # Heartbeats go to the database: every service still looks up, and
        # disable needs no RPC.
        self.timed('set', '--disable', '--disable-reason', 'degraded', self.host,
                   'cinder-volume', bound=0, code=0, message=None)
        self.assertEqual('degraded', self.raw_volume(self.host)['disabled_reason'])


class TestVolumeDown(DegradedTestCase):
    part = 'cinder-volume'

    def setUp(self):
        super().setUp()
        deadline = time.monotonic() + 60
        while self.raw_volume(self.host)['state'] != 'down':
            self.assertLess(time.monotonic(), deadline, 'cinder-volume still up')
            time.sleep(1)

    def test_actions_refused_before_any_request(self):
        listed = self.timed('list', '-f', 'json', bound=BACKEND_STATE_BOUND,
                            code=0, message=None)
        self.assertIn(self.host, [r['Host'] for r in listed.json()])
        self.timed('show', self.host, 'cinder-volume', bound=BACKEND_STATE_BOUND,
                   code=0, message=None)
        self.timed('set', '--disable', self.host, 'cinder-volume', bound=0,
                   code=0, message=None)
        self.assertEqual('disabled', self.raw_volume(self.host)['status'])

        down = f'cinder-volume on {self.host} (last heartbeat'
        self.timed('freeze', self.host, bound=0, code=1, message=down)
        self.assertFalse(self.raw_volume(self.host)['frozen'])
        self.timed('thaw', self.host, bound=0, code=0, message='already thawed')
        result = self.timed('commit', self.host, 'cinder-volume', '--frozen',
                            '-f', 'json', bound=0, code=1,
                            message='Not every service ended as asked')
        [row] = result.json()
        self.assertEqual(('failed', True), (row['Result'], down in row['Detail']))
        self.assertFalse(self.raw_volume(self.host)['frozen'])
        if self.replicated:
            self.timed('failover', self.replicated, bound=0, code=1,
                       message=f'cinder-volume on {self.replicated} (last heartbeat')
            self.assertEqual('enabled',
                             self.raw_volume(self.replicated)['replication_status'])


class _AuthDown:
    """Keystone cannot issue a token: every command fails alike, at once."""

    message = None
    bound = 0

    def test_every_command_fails_in_one_line(self):
        commands = (
            ('list',), ('show', self.host, 'cinder-volume'),
            ('set', '--disable', self.host, 'cinder-volume'),
            ('freeze', self.host), ('thaw', self.host),
            ('failover', self.replicated or self.host),
            ('commit', self.host, 'cinder-volume', '--frozen'),
        )
        # Each may wait for Keystone up to its bound: run them side by side
        # then, one after the other when they fail at once (seven start-ups
        # at a time would only measure the machine).
        workers = len(commands) if self.bound else 1
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            futures = [
                pool.submit(self.timed, *args, bound=self.bound, code=1,
                            message=self.message)
                for args in commands
            ]
            for future in futures:
                future.result()
        self.lab('start', self.part)
        self.wait_until_healthy()
        self.assertEqual(
            [(s['host'], s['status'], s.get('frozen')) for s in self.before],
            [(s['host'], s['status'], s.get('frozen')) for s in self.raw.services()],
        )


class TestKeystoneDown(_AuthDown, DegradedTestCase):
    part = 'keystone'
    message = 'Cannot connect to Keystone at http://127.0.0.1:'


class TestDatabaseDown(_AuthDown, DegradedTestCase):
    part = 'mariadb'
    # Keystone retries its database before it answers 500, or the bound
    # passes first.
    message = 'Keystone at http://127.0.0.1:'
    bound = REQUEST_BOUND
