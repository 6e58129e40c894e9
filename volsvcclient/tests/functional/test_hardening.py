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

"""Races and Ctrl-C forced where they hurt, through a proxy that holds
chosen requests on their way to cinder-api (tests/functional/proxy.py).

Every outcome is checked with the raw reader, which does not go through the
proxy.
"""

import time

import yaml

from volsvcclient.tests.functional import base


class ProxiedTestCase(base.FunctionalTestCase):
    def setUp(self):
        super().setUp()
        self.use_proxy()
        self.host = self.pick_backend()

    def wait_for(self, method, path_end, timeout=60):
        """Until the proxy holds such a request (see proxy.hold)."""
        deadline = time.monotonic() + timeout
        while not self.proxy.holding(method, path_end):
            self.assertLess(time.monotonic(), deadline, f'no {method} {path_end} held')
            time.sleep(0.05)


class TestLostRace(ProxiedTestCase):
    def test_the_slower_freeze_succeeds_saying_another_client_did_it(self):
        released = self.proxy.hold('PUT', '/os-services/freeze', 120)
        command = self.start_command('freeze', self.host)
        self.wait_for('PUT', '/os-services/freeze')
        # The other client wins while ours is held, however long it takes.
        self.assertEqual(200, self.raw.put('freeze', {'host': self.host}).status_code)
        released.set()
        result = command.finish(120)
        self.assertEqual(0, result.code, result)
        self.assertIn('already frozen), but it is already as asked: another '
                      'client changed it', result.stderr)
        self.assertTrue(self.raw.service(self.host)['frozen'])


class TestCtrlC(ProxiedTestCase):
    def interrupt(self, command):
        command.interrupt()
        result = command.finish(120)
        self.assertEqual(130, result.code, result)
        self.assertNotIn('Traceback', result.stderr)
        return yaml.safe_load(result.stdout), result.stderr

    def test_while_verifying(self):
        self.proxy.hold('GET', '/os-services', 120, once_seen='PUT')
        command = self.start_command('commit', self.host, 'cinder-volume', '--status',
                                     'disabled', '--disable-reason', 'ctrl-c', '-f', 'json')
        # Ctrl-C once the verifying read is held (it was 1 s after the PUT
        # was seen, which a slow machine could miss).
        self.wait_for('GET', '/os-services')
        rows, stderr = self.interrupt(command)
        self.assertEqual(
            [('unknown', 'interrupted before it was verified')],
            [(r['Result'], r['Detail']) for r in rows],
        )
        self.assertIn('interrupted while verifying', stderr)
        self.assertEqual(('disabled', 'ctrl-c'), (
            self.raw.service(self.host)['status'],
            self.raw.service(self.host)['disabled_reason']))

    def test_during_enable_via_thaw_our_freeze_is_undone(self):
        if base.release_applies_enable(self.raw):
            self.skipTest('this Cinder applies os-services/enable: no freeze and thaw')
        self.raw.put('disable-log-reason', {'host': self.host, 'binary': 'cinder-volume',
                                            'disabled_reason': 'maint'})
        # Cinder freezes; its answer is held, and Ctrl-C comes meanwhile
        # (it came 1.5 s after the freeze was seen, perhaps before Cinder
        # had answered on a slow machine).
        self.proxy.hold('PUT', '/os-services/freeze', 120, answered=True)
        command = self.start_command('commit', self.host, 'cinder-volume', '--status',
                                     'enabled', '--enable-via-thaw', '-f', 'json')
        self.wait_for('PUT', '/os-services/freeze')
        rows, stderr = self.interrupt(command)
        self.assertEqual(['unknown'], [r['Result'] for r in rows])
        self.assertIn('interrupted after freezing it; thawing it back', stderr)
        service = self.raw.service(self.host)
        self.assertEqual((False, 'enabled'), (service['frozen'], service['status']))
