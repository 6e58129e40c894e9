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

"""Every numeric option of the three modules out of its range (nan, inf,
negative, 0 where a request needs time) is refused in one line naming it,
before Keystone or Cinder is asked anything; in the modules' own words (the
Python API checks its arguments too), or ansible's for concurrency's
choices."""

import fixtures

from ansible_collections.volsvc.cinder.plugins.module_utils import bounds
from ansible_collections.volsvc.cinder.plugins.modules import volume_service
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_check
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_wait
from volsvcclient import api
from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit import fakes

CHANGE = dict(host='node1@lvm', binary='cinder-volume', status='disabled')
WAIT = dict(host='node1@lvm', binary='cinder-volume', state='down')

#: Values as a playbook gives them (YAML reads nan and inf as strings).
NOT_FINITE = ('nan', 'inf', '-inf', float('nan'), float('inf'))


class Hung(BaseException):
    """A loop that would never end, stopped (not an Exception: nothing in
    the module catches it)."""


class BoundedClock(fakes.FakeClock):
    """A fake clock that stops a wait that would never end (no test here
    waits more than a few reads)."""

    sleeps = 0

    def sleep(self, seconds):
        super().sleep(seconds)
        self.sleeps += 1
        if self.sleeps > 100:
            raise Hung(f'still waiting after {self.sleeps} reads')


class TestNumbers(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', BoundedClock()))
        self.cinder.add('node1@lvm')

    def refused(self, module, args, message):
        run = self.run_module(module, **args)
        if module is volume_service_check:
            self.assertFailsWith(run, dict(
                changed=False, verdict='UNKNOWN', level=3, msg=message,
                status_line=f'UNKNOWN - {message}'))
        elif module is volume_service_wait:
            self.assertFailsWith(run, dict(changed=False, msg=message))
        else:
            self.assertFailsWith(run, dict(msg=message))
        # Nothing asked of Keystone or Cinder.
        self.assertEqual([], self.mock.request_history)

    def test_wait_timeout_nan_ends(self):
        # It waited forever: no time is past a NaN deadline.
        self.refused(volume_service_wait, dict(WAIT, timeout='nan'),
                     'timeout must be a finite number of seconds, at least 0 (got nan)')

    def test_seconds_at_least_0(self):
        for module, args, name in (
            (volume_service_wait, WAIT, 'timeout'),
            (volume_service, dict(CHANGE, wait=True), 'timeout'),
            (volume_service_check, {}, 'timeout'),
        ):
            for value in NOT_FINITE + (-1, '-0.5'):
                shown = '%s' % float(value)
                self.refused(module, dict(args, **{name: value}),
                             f'{name} must be a finite number of seconds, at least 0 '
                             f'(got {shown})')

    def test_seconds_more_than_0(self):
        for module, args in ((volume_service, CHANGE), (volume_service_check, {})):
            for value in NOT_FINITE + (0, -1):
                shown = '%s' % float(value)
                self.refused(module, dict(args, rpc_timeout=value),
                             'rpc_timeout must be a finite number of seconds, more than '
                             f'0 (got {shown})')
        for module, args in ((volume_service, CHANGE), (volume_service_check, {}),
                             (volume_service_wait, WAIT)):
            for value in (0, -1):
                self.refused(module, dict(args, api_timeout=value),
                             'api_timeout must be a finite number of seconds, more than '
                             f'0 (got {value})')

    def test_interval(self):
        for value in NOT_FINITE + (0, 0.5, -1):
            shown = '%s' % float(value)
            self.refused(volume_service_wait, dict(WAIT, interval=value),
                         f'interval must be a finite number of seconds, at least 1 '
                         f'(got {shown})')

    def test_concurrency(self):
        # Ansible's spec says it (choices), as for every other choice.
        for value in (0, 11, -1):
            self.refused(volume_service, dict(CHANGE, concurrency=value),
                         'value of concurrency must be one of: 1, 2, 3, 4, 5, 6, 7, 8, '
                         f'9, 10, got: {value}')
        self.assertEqual(api.MAX_CONCURRENCY, bounds.MAX_CONCURRENCY)

    def test_in_range(self):
        run = self.run_module(volume_service_wait, **dict(
            WAIT, state='up', timeout=0, interval=1, api_timeout=1))
        self.assertEqual(0, run.code, run)
        run = self.run_module(volume_service, **dict(
            CHANGE, wait=True, timeout=0, rpc_timeout=0.5, concurrency=10))
        self.assertEqual(0, run.code, run)
