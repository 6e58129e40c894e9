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

"""volsvc.cinder.volume_service_check's main() against the fake Cinder:
each verdict returned whole (never a failure), and UNKNOWN, a failure that
still returns verdict and level, for each way the check cannot judge."""

import requests

from ansible_collections.volsvc.cinder.plugins.modules import volume_service_check
from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit import fakes

VOLUME = 'cinder-volume'
SCHEDULER = 'cinder-scheduler'


def counts(up=0, down=0, disabled=0, frozen=0, failed_over=0):
    return dict(up=up, down=down, disabled=disabled, frozen=frozen, failed_over=failed_over)


def finding(level, rule, detail, host=None, binary=None):
    return dict(level=level, rule=rule, detail=detail, host=host, binary=binary)


class CheckTestCase(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm')
        self.cinder.add('node2@lvm')
        self.cinder.add('node1', SCHEDULER)

    def run_module(self, **args):
        return super().run_module(volume_service_check, **args)

    def assertUnknown(self, run, message):
        """A failed task that still says UNKNOWN, level 3."""
        self.assertFailsWith(run, dict(
            changed=False, verdict='UNKNOWN', level=3, msg=message,
            status_line=f'UNKNOWN - {message}'))


class TestVerdicts(CheckTestCase):

    def test_ok(self):
        for check_mode in (False, True):
            run = self.run_module(check_mode=check_mode)
            self.assertExits(run, dict(
                changed=False, verdict='OK', level=0,
                status_line='OK - 3 services up | up=3 down=0 disabled=0 frozen=0 '
                            'failed_over=0',
                counts=counts(up=3), findings=[],
                services=[runner.service('node1@lvm', backend_state='up'),
                          runner.service('node2@lvm', backend_state='up'),
                          runner.service('node1', SCHEDULER)]))
        self.assertEqual(dict(
            cloud=None, auth=None, auth_type=None, region_name=None, interface=None,
            validate_certs=None, ca_cert=None, client_cert=None, client_key=None,
            api_timeout=None, wait=True, timeout=180.0, sdk_log_path=None,
            sdk_log_level='INFO', host=None, binary=None,
            host_pattern=None, zone=None, cluster=None, ignore_disabled=False,
            rpc_timeout=None),
            run.result['invocation']['module_args'])

    def test_critical_is_no_failure(self):
        self.cinder.get('node2@lvm')['state'] = 'down'
        run = self.run_module(binary=VOLUME)
        down = 'cinder-volume on node2@lvm down (no heartbeat for 30s)'
        self.assertExits(run, dict(
            changed=False, verdict='CRITICAL', level=2,
            status_line=f'CRITICAL - 1 of 2 services down: {down} | up=1 down=1 '
                        'disabled=0 frozen=0 failed_over=0',
            counts=counts(up=1, down=1),
            findings=[finding('CRITICAL', 'enabled-down', down, 'node2@lvm', VOLUME)],
            services=[runner.service('node1@lvm', backend_state='up'),
                      runner.service('node2@lvm', state='down')]))

    def test_warning_and_ignore_disabled(self):
        self.cinder.get('node2@lvm').update(disabled=True, disabled_reason='frozen',
                                            frozen=True)
        run = self.run_module(host='node2@lvm', binary=VOLUME)
        disabled = 'cinder-volume on node2@lvm disabled (frozen)'
        frozen = 'cinder-volume on node2@lvm frozen'
        node2 = runner.service('node2@lvm', status='disabled', disabled_reason='frozen',
                               is_frozen=True)
        self.assertExits(run, dict(
            changed=False, verdict='WARNING', level=1,
            status_line=f'WARNING - {disabled}; {frozen} | up=1 down=0 disabled=1 '
                        'frozen=1 failed_over=0',
            counts=counts(up=1, disabled=1, frozen=1),
            findings=[finding('WARNING', 'disabled', disabled, 'node2@lvm', VOLUME),
                      finding('WARNING', 'frozen', frozen, 'node2@lvm', VOLUME)],
            services=[node2]))
        run = self.run_module(host='node2@lvm', binary=VOLUME, ignore_disabled=True)
        self.assertExits(run, dict(
            changed=False, verdict='WARNING', level=1,
            status_line=f'WARNING - {frozen} | up=1 down=0 disabled=1 frozen=1 '
                        'failed_over=0',
            counts=counts(up=1, disabled=1, frozen=1),
            findings=[finding('WARNING', 'frozen', frozen, 'node2@lvm', VOLUME)],
            services=[node2]))

    def test_backend_state_unknown(self):
        self.cinder.scheduler_rpc = 'silent'
        run = self.run_module(host='node1@lvm', binary=VOLUME, rpc_timeout=3)
        unknown = 'Backend State unknown: cinder-scheduler did not answer within 3 s'
        self.assertExits(run, dict(
            changed=False, verdict='WARNING', level=1,
            status_line=f'WARNING - {unknown} | up=1 down=0 disabled=0 frozen=0 '
                        'failed_over=0',
            counts=counts(up=1),
            findings=[finding('WARNING', 'backend-state-unknown', unknown)],
            services=[runner.service('node1@lvm', backend_state='unknown')]))
        self.assertEqual(3, self.cinder.timeouts['read'])


class TestUnknown(CheckTestCase):

    def test_forbidden(self):
        self.cinder.forbidden = True
        self.assertUnknown(
            self.run_module(),
            "Forbidden by the server's policy (managing volume services requires an "
            "administrator by default): Policy doesn't allow "
            "volume_extension:services:index to be performed.")

    def test_server_error(self):
        # The Backend State read (3.49), then the read without it.
        self.cinder.read_failures = [500, 500]
        self.assertUnknown(
            self.run_module(),
            'GET http://cinder.test:8776/v3/os-services failed with HTTP 500: The '
            'server has either erred or is incapable of performing the requested '
            'operation.')

    def test_keystone_unreachable(self):
        self.mock.post(fakes.AUTH_URL + '/auth/tokens',
                       exc=requests.exceptions.ConnectionError('refused'))
        self.assertUnknown(
            self.run_module(),
            'Cannot connect to Keystone at http://keystone.test/v3/auth/tokens '
            '(connection refused or unreachable): is Keystone running?')

    def test_nothing_selected(self):
        self.assertUnknown(self.run_module(zone='elsewhere'),
                           'No service matches the selection')

    def test_bad_connection_options(self):
        for args, message in (
            (dict(cloud=dict(region_name='RegionOne'), interface='admin'),
             'cloud is a whole cloud configuration (a dict): give interface inside '
             'it, not beside it'),
            (dict(cloud='nosuch'), 'Cloud nosuch was not found.'),
            (dict(cloud=5), 'cloud must be the name of a cloud in clouds.yaml or a '
                            'dict of its configuration'),
        ):
            self.assertUnknown(self.run_module(**args), message)
        self.assertEqual([], self.cinder.requests())

    def test_arguments_ansible_refuses(self):
        for args, message in (
            (dict(host='node1@lvm'), "missing parameter(s) required by 'host': binary"),
            (dict(host='node1@lvm', binary=VOLUME, host_pattern='x'),
             'parameters are mutually exclusive: host|host_pattern'),
            (dict(interface='private'),
             'value of interface must be one of: public, internal, admin, got: private'),
        ):
            run = self.run_module(**args)
            self.assertFailsWith(run, dict(msg=message))
        self.assertEqual([], self.cinder.requests())
