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

"""volsvc.cinder.volume_service_wait's main() against the fake Cinder, on a
fake clock: met, timed out, and each failure, whole."""

import datetime

import fixtures

from ansible_collections.volsvc.cinder.plugins.modules import volume_service_wait
from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit import fakes

VOLUME = 'cinder-volume'
SERVER_ERROR = (
    'GET http://cinder.test:8776/v3/os-services failed with HTTP 500: The server '
    'has either erred or is incapable of performing the requested operation.')


class WaitTestCase(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', self.clock))
        self.cinder.add('node1@lvm')
        self.cinder.add('node2@lvm', state='down')
        self.cinder.add('node1', 'cinder-scheduler')

    def run_module(self, **args):
        return super().run_module(volume_service_wait, **args)

    def reads(self):
        return len(self.cinder.requests('GET'))


class TestMet(WaitTestCase):

    def test_one_service_up(self):
        for check_mode in (False, True):
            run = self.run_module(host='node1@lvm', binary=VOLUME, state='up',
                                  check_mode=check_mode)
            self.assertExits(run, dict(changed=False, services=[runner.service('node1@lvm')]))
        self.assertEqual(2, self.reads())
        self.assertEqual(dict(
            cloud=None, auth=None, auth_type=None, region_name=None, interface=None,
            validate_certs=None, ca_cert=None, client_cert=None, client_key=None,
            api_timeout=None, wait=True, timeout=180.0, sdk_log_path=None,
            sdk_log_level='INFO', host='node1@lvm',
            binary=VOLUME, host_pattern=None, zone=None, cluster=None, state='up',
            status=None, frozen=None, replication_status=None, fresh=False,
            interval=2.0),
            run.result['invocation']['module_args'])

    def test_met_after_some_reads(self):
        def come_up(read):
            if read == 3:
                self.cinder.get('node2@lvm')['state'] = 'up'

        self.cinder.after_read = come_up
        # A wait's selection takes every binary unless binary says one.
        run = self.run_module(host_pattern='node*', state='up', interval=5)
        self.assertExits(run, dict(changed=False, services=[
            runner.service('node1@lvm'), runner.service('node2@lvm'),
            runner.service('node1', 'cinder-scheduler')]))
        self.assertEqual(4, self.reads())
        self.assertEqual(15, self.clock.slept)

    def test_every_condition(self):
        self.cinder.get('node1@lvm').update(disabled=True, disabled_reason='frozen',
                                            frozen=True)
        run = self.run_module(host='node1@lvm', binary=VOLUME, state='up',
                              status='disabled', frozen=True, replication_status='disabled')
        self.assertExits(run, dict(changed=False, services=[runner.service(
            'node1@lvm', status='disabled', disabled_reason='frozen', is_frozen=True)]))

    def test_fresh_heartbeats(self):
        def heartbeat(read):
            service = self.cinder.get('node1@lvm')
            beat = datetime.datetime.fromisoformat(service['updated_at'])
            service['updated_at'] = (beat + datetime.timedelta(seconds=10)).isoformat(
                timespec='microseconds')

        self.cinder.after_read = heartbeat
        run = self.run_module(host='node1@lvm', binary=VOLUME, fresh=True)
        self.assertExits(run, dict(changed=False, services=[runner.service(
            'node1@lvm', updated_at='2026-11-24T10:00:20.000000')]))
        self.assertEqual(3, self.reads())

    def test_a_failed_read_is_retried(self):
        self.cinder.read_failures = [500, 500]
        run = self.run_module(host='node1@lvm', binary=VOLUME, state='up')
        self.assertExits(run, dict(changed=False, services=[runner.service('node1@lvm')]))
        self.assertEqual(3, self.reads())


class TestNotMet(WaitTestCase):

    def test_timed_out(self):
        for check_mode in (False, True):
            self.cinder.forget_requests()
            run = self.run_module(host_pattern='node*', binary=VOLUME, state='up',
                                  timeout=10, check_mode=check_mode)
            unmet = ("cinder-volume on node2@lvm: state 'down', wanted 'up'; last "
                     "heartbeat 2026-11-24T10:00:00.000000")
            self.assertFailsWith(run, dict(
                changed=False, unmet=[unmet],
                msg=f'1 service(s) not as asked after 10 s: {unmet}'))
            # At once, every 2 s, and at the deadline.
            self.assertEqual(6, self.reads())

    def test_no_wait_reads_once(self):
        # openstack.cloud's wait: false.
        run = self.run_module(host='node2@lvm', binary=VOLUME, state='up', wait=False)
        unmet = ("cinder-volume on node2@lvm: state 'down', wanted 'up'; last "
                 "heartbeat 2026-11-24T10:00:00.000000")
        self.assertFailsWith(run, dict(
            changed=False, unmet=[unmet],
            msg=f'1 service(s) not as asked after 0 s: {unmet}'))
        self.assertEqual(1, self.reads())

    def test_server_error_until_the_timeout(self):
        self.cinder.read_failures = [500] * 6
        run = self.run_module(host='node1@lvm', binary=VOLUME, state='up', timeout=10)
        self.assertFailsWith(run, dict(changed=False, msg='Gave up after 10 s: ' + SERVER_ERROR))
        self.assertEqual(6, self.reads())

    def test_forbidden(self):
        self.cinder.forbidden = True
        run = self.run_module(state='up')
        self.assertFailsWith(run, dict(
            changed=False,
            msg="Forbidden by the server's policy (managing volume services requires "
                "an administrator by default): Policy doesn't allow "
                "volume_extension:services:index to be performed."))
        self.assertEqual(1, self.reads())

    def test_nothing_selected(self):
        run = self.run_module(zone='elsewhere', state='up')
        self.assertFailsWith(run, dict(changed=False, msg='No service matches the selection'))

    def test_requests_refused(self):
        for args, message in (
            (dict(), 'nothing to wait for: give state, status, frozen, '
                     'replication_status or fresh'),
            (dict(state='up', interval=0.5),
             'interval must be a finite number of seconds, at least 1 (got 0.5)'),
        ):
            run = self.run_module(**args)
            self.assertFailsWith(run, dict(changed=False, msg=message))
        self.assertEqual(0, self.reads())

    def test_arguments_ansible_refuses(self):
        for args, message in (
            (dict(state='sideways'), 'value of state must be one of: up, down, got: sideways'),
            (dict(host='node1@lvm', state='up'),
             "missing parameter(s) required by 'host': binary"),
            (dict(host='node1@lvm', binary=VOLUME, cluster='c', state='up'),
             'parameters are mutually exclusive: host|cluster'),
        ):
            run = self.run_module(**args)
            self.assertFailsWith(run, dict(msg=message))
        self.assertEqual([], self.cinder.requests())

    def test_bad_connection_options(self):
        run = self.run_module(state='up', cloud=dict(auth=dict()), auth_type='password')
        self.assertFailsWith(run, dict(
            changed=False,
            msg='cloud is a whole cloud configuration (a dict): give auth_type inside '
                'it, not beside it'))
