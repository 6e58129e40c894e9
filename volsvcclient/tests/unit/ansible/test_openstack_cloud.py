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

"""An openstack.cloud user at home: its common options with its defaults
(or a documented reason), services under its volume_service_info's field
names, its SDK logging options, and a clear failure when volsvcclient is
missing or too old."""

from importlib import metadata
import os
import platform
import sys

import fixtures
from openstack import connection as sdk_connection

from ansible_collections.volsvc.cinder.plugins.module_utils import connection
from ansible_collections.volsvc.cinder.plugins.module_utils import module
from ansible_collections.volsvc.cinder.plugins.modules import volume_service
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_check
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_wait
from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit import fakes

#: openstack.cloud's openstack_full_argument_spec (plugins/module_utils/
#: openstack.py), as of its 2.x releases.
OPENSTACK_CLOUD = dict(
    cloud=dict(type='raw'),
    auth_type=dict(),
    auth=dict(type='dict', no_log=True),
    region_name=dict(),
    validate_certs=dict(type='bool', aliases=['verify']),
    ca_cert=dict(aliases=['cacert']),
    client_cert=dict(aliases=['cert']),
    client_key=dict(no_log=True, aliases=['key']),
    wait=dict(default=True, type='bool'),
    timeout=dict(default=180, type='int'),
    api_timeout=dict(type='int'),
    interface=dict(default='public', choices=['public', 'internal', 'admin'],
                   aliases=['endpoint_type']),
    sdk_log_path=dict(),
    sdk_log_level=dict(default='INFO', choices=['INFO', 'DEBUG']),
)

#: Where ours differ, each documented in doc_fragments/connection.py.
DIFFERENCES = {
    # The cloud's own interface (clouds.yaml, OS_INTERFACE) wins.
    ('interface', 'default'): None,
    # Any number of seconds.
    ('timeout', 'type'): 'float',
}


class TestCommonOptions(runner.ModuleTestCase):

    def test_openstack_clouds_with_documented_differences(self):
        ours = connection.argument_spec()
        self.assertEqual(sorted(OPENSTACK_CLOUD), sorted(ours))
        for name, theirs in OPENSTACK_CLOUD.items():
            for key in set(theirs) | set(ours[name]):
                expected = DIFFERENCES.get((name, key), theirs.get(key))
                if key == 'type' and expected is None:
                    expected = 'str'
                self.assertEqual(expected, ours[name].get(key), (name, key))

    def test_every_module_takes_them(self):
        # What a module_defaults group sets for openstack.cloud's modules is
        # never "Unsupported parameters" here.
        for module_class in (volume_service.VolumeServiceModule,
                             volume_service_wait.VolumeServiceWaitModule,
                             volume_service_check.VolumeServiceCheckModule):
            spec = connection.argument_spec(**module_class.argument_spec)
            self.assertLessEqual(set(OPENSTACK_CLOUD), set(spec))

    def test_volume_service_does_not_wait_by_default(self):
        # Cinder answers once applied; a wait re-reads an ignored enable
        # until the timeout (documented under its wait).
        self.assertEqual(dict(type='bool', default=False),
                         volume_service.VolumeServiceModule.argument_spec['wait'])


class TestFieldNames(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm', cluster_name='cl@lvm', disabled=True,
                        disabled_reason='frozen', frozen=True)
        self.cinder.add('node1', 'cinder-scheduler')

    def test_services_are_as_volume_service_info_returns_them(self):
        # openstack.cloud.volume_service_info returns openstacksdk's
        # to_dict(computed=False) of each service.
        conn = sdk_connection.Connection(
            auth_url=fakes.AUTH_URL, username='admin', password='pw',
            project_name='admin', user_domain_id='default',
            project_domain_id='default', region_name='RegionOne')
        theirs = [s.to_dict(computed=False) for s in conn.block_storage.services()]
        run = self.run_module(volume_service_wait, state='up')
        self.assertExits(run, dict(changed=False, services=theirs))
        run = self.run_module(volume_service_check)
        self.assertEqual([dict(s, backend_state=None) for s in run.result['services']],
                         theirs)


class TestSdkLog(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm')
        # enable_logging configures process-wide loggers: put them back.
        for name in ('openstack', 'keystoneauth', 'volsvcclient'):
            logger = __import__('logging').getLogger(name)
            self.addCleanup(setattr, logger, 'handlers', list(logger.handlers))
            self.addCleanup(setattr, logger, 'propagate', logger.propagate)
            self.addCleanup(logger.setLevel, logger.level)
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'sdk.log')

    def read(self):
        with open(self.path) as stream:
            return stream.read()

    def test_debug_logs_the_requests_and_no_secret(self):
        run = self.run_module(volume_service_check, sdk_log_path=self.path,
                              sdk_log_level='DEBUG')
        self.assertEqual(0, run.code, run)
        logged = self.read()
        # keystoneauth's request lines; the token is hashed.
        self.assertIn('REQ: curl -g -i -X GET http://cinder.test:8776/v3/os-services '
                      '-H "OpenStack-API-Version: volume 3.49"', logged)
        self.assertNotIn(fakes.OS_ENVIRONMENT['OS_PASSWORD'], logged)
        self.assertNotIn('fake-token-0123456789', logged)

    def test_notes_reach_it(self):
        self.cinder.get('node1@lvm')['disabled'] = True
        run = self.run_module(volume_service, host='node1@lvm', binary='cinder-volume',
                              status='enabled', enable_via_thaw=True,
                              sdk_log_path=self.path)
        self.assertEqual(0, run.code, run)
        self.assertIn('volsvcclient cinder-volume on node1@lvm: the server ignored '
                      'os-services/enable; re-enabling it by freeze and thaw', self.read())

    def test_nothing_without_a_path(self):
        self.assertEqual(0, self.run_module(volume_service_check).code)
        self.assertFalse(os.path.exists(self.path))


class TestVolsvcclientVersion(runner.ModuleTestCase):

    def installed(self, version):
        def version_of(name):
            if name != 'volsvcclient':
                return real(name)
            if version is None:
                raise metadata.PackageNotFoundError(name)
            return version

        real = metadata.version
        self.useFixture(fixtures.MonkeyPatch('importlib.metadata.version', version_of))

    def test_missing(self):
        self.installed(None)
        message = (
            f"Failed to import the required Python library (volsvcclient >= "
            f"{module.MIN_VOLSVCCLIENT}) on {platform.node()}'s Python "
            f"{sys.executable}. Please read the module documentation and install it in "
            f"the appropriate location. If the required library is installed, but "
            f"Ansible is using the wrong Python interpreter, please consult the "
            f"documentation on ansible_python_interpreter")
        self.assertFailsWith(self.run_module(volume_service, host='h', binary='b',
                                             status='enabled'), dict(msg=message))
        self.assertFailsWith(self.run_module(volume_service_check), dict(
            msg=message, changed=False, verdict='UNKNOWN', level=3,
            status_line=f'UNKNOWN - {message}'))

    def test_too_old(self):
        self.installed('0.0.0')
        message = (
            f"volsvcclient 0.0.0 on {platform.node()}'s Python {sys.executable} is "
            f"older than volsvc.cinder needs: install volsvcclient >= "
            f"{module.MIN_VOLSVCCLIENT} there")
        self.assertFailsWith(self.run_module(volume_service_wait, state='up'),
                             dict(msg=message, changed=False))
        self.assertEqual([], self.mock.request_history)

    def test_this_one(self):
        self.assertGreaterEqual(module.version_key(metadata.version('volsvcclient')),
                                module.version_key(module.MIN_VOLSVCCLIENT))
