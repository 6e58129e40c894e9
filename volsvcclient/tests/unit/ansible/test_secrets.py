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

"""No secret of the connection leaves a module: not in its result (what
``ansible-playbook -vvv`` prints, ``invocation`` included), not in a failed
task's message, not in what it logs to syslog or the journal, however the
connection is given: a ``cloud`` dict, ``auth``, a cloud of clouds.yaml, or
the OS_* variables."""

import json
import os

from keystoneauth1 import loading

from ansible_collections.volsvc.cinder.plugins.module_utils import connection
from ansible_collections.volsvc.cinder.plugins.modules import volume_service
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_check
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_wait
from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit import fakes

PASSWORD = 'Pa55-of-the-cloud-dict'


def cloud_dict(password=PASSWORD):
    """A whole cloud configuration, as doc/source/ansible.rst shows it."""
    return dict(
        auth=dict(auth_url=fakes.AUTH_URL, username='admin', password=password,
                  project_name='admin', user_domain_id='default',
                  project_domain_id='default'),
        region_name='RegionOne', interface='public', identity_api_version=3)


def masked_cloud_dict():
    """The cloud dict as ``invocation`` shows it: the password alone masked."""
    shown = cloud_dict()
    shown['auth']['password'] = runner.MASKED
    return shown


class SecretsTestCase(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm')
        self.cinder.add('node1', 'cinder-scheduler')

    def keystone_echoes(self, secret):
        """Keystone refuses the token with a message that quotes ``secret``
        (as a proxy or a verbose identity backend may)."""
        self.mock.post(fakes.AUTH_URL + '/auth/tokens', status_code=401,
                       headers={'Content-Type': 'text/plain'},
                       text=f'The password {secret} is not valid')

    def assertKeptOut(self, run, secret, logged=True):
        """``secret`` is nowhere in what the module let out, and the module
        logged its invocation (unless it failed before it could)."""
        self.assertNotIn(secret, run.text)
        if logged:
            (entry,) = run.logged
            self.assertTrue(entry['msg'].startswith('Invoked with '), entry)


class TestCloudDict(SecretsTestCase):

    def setUp(self):
        super().setUp()
        self.without_environment()

    def test_success_masks_the_password_alone(self):
        run = self.run_module(volume_service_check, cloud=cloud_dict())
        self.assertEqual(0, run.code, run)
        self.assertEqual('OK', run.result['verdict'])
        self.assertKeptOut(run, PASSWORD)
        # Only the secret is masked: masking replaces the value wherever it
        # appears in the result, so masking 'admin' or 3 would mangle it.
        self.assertEqual(masked_cloud_dict(),
                         run.result['invocation']['module_args']['cloud'])
        self.assertIn("'username': 'admin'", run.logged[0]['log_args']['cloud'])

    def test_change_failed_by_the_server(self):
        run = self.run_module(volume_service, cloud=cloud_dict(), host='node9@lvm',
                              binary='cinder-volume', status='disabled', diff=True)
        self.assertEqual(1, run.code, run)
        self.assertIn('node9@lvm', run.result['msg'])
        self.assertKeptOut(run, PASSWORD)
        self.assertEqual(masked_cloud_dict(),
                         run.result['invocation']['module_args']['cloud'])

    def test_arguments_refused_by_ansible(self):
        # AnsibleModule fails the task before anything else runs.
        run = self.run_module(volume_service_wait, cloud=cloud_dict(), state='sideways')
        self.assertEqual(1, run.code, run)
        self.assertIn('state', run.result['msg'])
        self.assertKeptOut(run, PASSWORD, logged=False)
        self.assertEqual(masked_cloud_dict(),
                         run.result['invocation']['module_args']['cloud'])

    def test_options_beside_it(self):
        run = self.run_module(volume_service_check, cloud=cloud_dict(), region_name='r2')
        self.assertFailsWith(run, dict(
            msg='cloud is a whole cloud configuration (a dict): give region_name '
                'inside it, not beside it',
            changed=False, verdict='UNKNOWN', level=3,
            status_line='UNKNOWN - cloud is a whole cloud configuration (a dict): '
                        'give region_name inside it, not beside it'))
        self.assertKeptOut(run, PASSWORD)

    def test_a_message_that_quotes_it(self):
        self.keystone_echoes(PASSWORD)
        run = self.run_module(volume_service_check, cloud=cloud_dict())
        self.assertEqual(1, run.code, run)
        self.assertIn('The password ******** is not valid', run.result['msg'])
        self.assertKeptOut(run, PASSWORD)

    def test_nested_and_listed_secrets(self):
        cloud = cloud_dict()
        cloud['auth']['application_credential'] = dict(id='ac1', secret='ac-secret')
        cloud['regions'] = [dict(name='RegionOne', values=dict(token='listed-token'))]
        run = self.run_module(volume_service_wait, cloud=cloud, state='nowhere')
        self.assertEqual(1, run.code, run)
        for secret in (PASSWORD, 'ac-secret', 'listed-token'):
            self.assertKeptOut(run, secret, logged=False)
        shown = run.result['invocation']['module_args']['cloud']
        self.assertEqual(dict(id='ac1', secret=runner.MASKED),
                         shown['auth']['application_credential'])

    def test_a_string_that_holds_a_configuration(self):
        # A dict turned into text by templating is refused, and masked whole.
        run = self.run_module(volume_service_check, cloud=json.dumps(cloud_dict()))
        message = ('cloud is a string that holds a configuration: give the '
                   'configuration as a dict (from_json or from_yaml), or the '
                   'name of a cloud in clouds.yaml')
        self.assertFailsWith(run, dict(
            msg=message, changed=False, verdict='UNKNOWN', level=3,
            status_line='UNKNOWN - ' + message))
        self.assertKeptOut(run, PASSWORD)
        self.assertEqual(runner.MASKED, run.result['invocation']['module_args']['cloud'])


class TestOtherConnections(SecretsTestCase):

    def test_auth(self):
        self.without_environment()
        auth = cloud_dict()['auth']
        run = self.run_module(volume_service_check, auth=auth, region_name='RegionOne')
        self.assertEqual(0, run.code, run)
        self.assertKeptOut(run, PASSWORD)
        self.assertEqual('NOT_LOGGING_PARAMETER', run.logged[0]['log_args']['auth'])

    def test_environment(self):
        # fakes.OS_ENVIRONMENT, as an openrc exports it.
        secret = fakes.OS_ENVIRONMENT['OS_PASSWORD']
        run = self.run_module(volume_service_check)
        self.assertEqual(0, run.code, run)
        self.keystone_echoes(secret)
        run = self.run_module(volume_service_check)
        self.assertEqual(1, run.code, run)
        self.assertIn('The password ******** is not valid', run.result['msg'])
        self.assertKeptOut(run, secret)

    def test_cloud_of_clouds_yaml(self):
        self.without_environment()
        secret = 'Pa55-of-clouds-yaml'
        config = dict(clouds=dict(lab=cloud_dict(secret)))
        with open(os.environ['OS_CLIENT_CONFIG_FILE'], 'w') as stream:
            json.dump(config, stream)
        run = self.run_module(volume_service_check, cloud='lab')
        self.assertEqual(0, run.code, run)
        self.assertEqual('lab', run.result['invocation']['module_args']['cloud'])
        self.keystone_echoes(secret)
        run = self.run_module(volume_service_check, cloud='lab')
        self.assertEqual(1, run.code, run)
        self.assertIn('The password ******** is not valid', run.result['msg'])
        self.assertKeptOut(run, secret)


class TestSecretNames(runner.ModuleTestCase):

    def test_every_secret_option_of_keystoneauth(self):
        # What keystoneauth marks secret in each plugin is masked by name.
        for name in loading.get_available_plugin_names():
            for option in loading.get_plugin_options(name):
                if option.secret:
                    self.assertRegex(option.dest, connection.SECRET_NAME, name)

    def test_names_that_are_no_secret(self):
        for name in ('auth_url', 'username', 'project_name', 'user_domain_id',
                     'region_name', 'interface', 'identity_api_version', 'cloud',
                     'application_credential_id', 'verify', 'cacert'):
            self.assertNotRegex(name, connection.SECRET_NAME)
