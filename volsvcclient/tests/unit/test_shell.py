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

"""volsvc's own program, and the configuration both programs share."""

import os
import subprocess
import sys
from unittest import mock
import warnings

import fixtures

from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests

VOLSVC = [scenario for scenario in base.PROGRAMS if scenario[0] == 'volsvc']


def _modules_after(*argv, fake_cloud=True, executed=()):
    """Exit code of a volsvc run in a fresh interpreter, and the modules it
    imported (beyond the fake cloud's); of the modules named in
    ``executed``, those whose code ran are named in full (a module imported
    lazily is in sys.modules before it runs)."""
    code = ['import sys', 'import types']
    if fake_cloud:
        code += [
            'import requests_mock',
            'from volsvcclient.tests.unit import fakes',
            'mock = requests_mock.Mocker()',
            'mock.start()',
            'fakes.Cloud(mock)',
        ]
    code += [
        'before = set(sys.modules)',
        'from volsvcclient.osc import shell',
        'try:',
        f'    code = shell.main({list(argv)!r})',
        'except SystemExit as exc:',
        '    code = exc.code',
        'print(code, *sorted(set(sys.modules) - before), file=sys.stderr)',
        f'print(*[name for name in {list(executed)!r}',
        '        if type(sys.modules.get(name)) is types.ModuleType], file=sys.stderr)',
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(fakes.OS_ENVIRONMENT)
    out = subprocess.run(
        [sys.executable, '-c', '\n'.join(code)], capture_output=True, text=True,
        env=env,
    ).stderr.splitlines()
    first = out[-2].split()
    modules = {name.split('.')[0] for name in first[1:]}
    return first[0], modules | set(out[-1].split())


class TestStandalone(base.ShellTestCase):
    scenarios = VOLSVC
    program = 'volsvc'   # also where scenarios do not apply (pytest)

    def test_commands_are_named_without_volume_service(self):
        result = self.cli('--help')
        self.assertFalse(result.code, result.stderr)
        self.assertIn('usage: volsvc ', result.stdout)
        self.assertIn('--os-cloud <name>', result.stdout)
        self.assertIn('--os-volume-api-version', result.stdout)
        self.assertIn('\n  list  ', result.stdout)
        self.assertNotIn('  volume service ', result.stdout)

    def test_help_command_and_dash_h_agree(self):
        by_help = self.cli('help', 'set')
        by_option = self.cli('set', '-h')
        self.assertEqual(0, by_help.code, by_help)
        self.assertEqual(by_help.stdout, by_option.stdout)
        self.assertIn('usage: volsvc set ', by_help.stdout)
        self.assertIn('--enable-via-thaw', by_help.stdout)
        self.assertNotIn('provided by', by_help.stdout)

    def test_v2_commands_for_api_version_2(self):
        self.cinder.v2 = True
        result = self.cli('list', '--help', version='2')
        self.assertEqual(0, result.code, result)
        self.assertNotIn('--cluster', result.stdout)

    def test_timeout_belongs_to_the_command(self):
        # keystoneauth registers a global --timeout; openstack has none, and
        # wait's own would be taken from it wherever it is typed.
        result = self.cli('wait', '--timeout', 'soon', 'h', 'cinder-volume')
        self.assertEqual(2, result.code, result)
        self.assertIn("'soon' is not a number of seconds", result.stderr)
        self.assertNotIn('--timeout', self.cli('--help').stdout)

    def test_unknown_api_version_is_one_line(self):
        result = self.cli('list', version='4')
        self.assertFails(
            result, 'Block Storage API version 4 is not available: volsvc '
            'offers 2 and 3',
        )
        self.assertEqual([], self.cinder.requests())

    def test_bad_clouds_yaml_is_one_line(self):
        with open(os.environ['OS_CLIENT_CONFIG_FILE'], 'w') as stream:
            stream.write('clouds: [unclosed\n')
        result = self.cli('list', global_options=['--os-cloud', 'lab'])
        self.assertEqual(1, result.code, result)
        skipped, error = result.stderr.splitlines()
        self.assertIn("clouds.yaml: while parsing a flow sequence", skipped)
        self.assertIn("expected ',' or ']'", skipped)
        self.assertEqual('Cloud lab was not found.', error)

    def test_runs_without_openstackclient(self):
        code, modules = _modules_after('list', '-f', 'value')
        self.assertEqual('0', code)
        self.assertIn('openstack', modules)
        self.assertNotIn('openstackclient', modules)

    def test_list_runs_no_password_masking_it_does_not_print(self):
        # osc-lib's client_config masks the configuration with
        # oslo_utils.strutils (40 ms of regular expressions at import) for
        # a debug line: only --debug prints it.
        strutils = 'oslo_utils.strutils'
        code, modules = _modules_after('list', '-f', 'value', executed=[strutils])
        self.assertEqual('0', code)
        self.assertNotIn(strutils, modules)
        code, modules = _modules_after('--debug', 'list', '-f', 'value', executed=[strutils])
        self.assertEqual('0', code)
        self.assertIn(strutils, modules)

    def test_debug_masks_the_configuration(self):
        result = self.cli('list', global_options=['--debug'])
        self.assertEqual(0, result.code, result)
        lines = [line for line in result.stderr.splitlines()
                 if line.startswith('auth_config_hook(): ')]
        self.assertTrue(lines, result.stderr)
        for line in lines:
            self.assertIn("'password': '***'", line)
        self.assertNotIn(fakes.OS_ENVIRONMENT['OS_PASSWORD'], result.stderr)

    def test_help_imports_no_sdk(self):
        # Printing help must stay cheap: openstacksdk costs 0.3 s to import.
        code, modules = _modules_after('--help', fake_cloud=False)
        self.assertEqual('None', code)
        self.assertIn('keystoneauth1', modules)
        self.assertNotIn('openstack', modules)


class TestSignIn(base.ShellTestCase):
    def test_config_validated_and_token_fetched_once_per_command(self):
        from openstack.config import loader

        real = loader.OpenStackConfig.get_one
        with mock.patch.object(loader.OpenStackConfig, 'get_one',
                               autospec=True, side_effect=real) as get_one:
            result = self.cli('list', '-f', 'json')
        self.assertEqual(0, result.code, result)
        validated = [call for call in get_one.call_args_list
                     if call.kwargs.get('validate')]
        self.assertEqual(1, len(validated), get_one.call_args_list)
        tokens = [r for r in self.mock.request_history
                  if r.method == 'POST' and r.path.endswith('/auth/tokens')]
        self.assertEqual(1, len(tokens))


class TestWarnings(base.ShellTestCase):
    scenarios = VOLSVC
    program = 'volsvc'

    def test_no_sdk_warning_at_any_verbosity(self):
        # A warning shown once is never shown again in this process: clear
        # that record so the SDK's warnings would show if not filtered.
        warnings.onceregistry.clear()
        for options in ([], ['-v'], ['-v', '-v']):
            result = self.cli('list', global_options=options)
            self.assertEqual(0, result.code, result)
            self.assertNotIn('Warning', result.stderr, options)


class TestConfiguration(base.ShellTestCase):
    """OSC's configuration conventions, in both programs alike."""

    def setUp(self):
        super().setUp()
        for name in fakes.OS_ENVIRONMENT:
            self.useFixture(fixtures.EnvironmentVariable(name))
        self.cinder.add('node1@lvm')

    def keystone_bodies(self):
        return [
            r.json() for r in self.mock.request_history
            if r.url.endswith('/auth/tokens')
        ]

    def test_named_cloud_from_clouds_yaml(self):
        with open(os.environ['OS_CLIENT_CONFIG_FILE'], 'w') as stream:
            stream.write(
                'clouds:\n'
                '  lab:\n'
                '    region_name: RegionOne\n'
                '    auth:\n'
                f'      auth_url: {fakes.AUTH_URL}\n'
                '      username: admin\n'
                '      password: from-clouds-yaml\n'
                '      project_name: admin\n'
                '      user_domain_id: default\n'
                '      project_domain_id: default\n'
            )
        result = self.cli('list', '-f', 'json', global_options=['--os-cloud', 'lab'])
        self.assertEqual(0, result.code, result)
        self.assertEqual(len(self.cinder.services), len(result.json()))
        password = self.keystone_bodies()[0]['auth']['identity']['password']
        self.assertEqual('from-clouds-yaml', password['user']['password'])
        # OS_CLOUD names it as well.
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'lab'))
        self.assertEqual(0, self.cli('list').code)
        self.assertEqual(2, len(self.keystone_bodies()))

    def write_clouds_yaml(self, **settings):
        lines = ['clouds:', '  lab:', '    region_name: RegionOne']
        lines += [f'    {key}: {value}' for key, value in settings.items()]
        lines += [
            '    auth:',
            f'      auth_url: {fakes.AUTH_URL}',
            '      username: admin',
            '      password: pw',
            '      project_name: admin',
            '      user_domain_id: default',
            '      project_domain_id: default',
        ]
        with open(os.environ['OS_CLIENT_CONFIG_FILE'], 'w') as stream:
            stream.write('\n'.join(lines) + '\n')

    def test_clouds_yaml_interface_verify_and_api_version(self):
        # Cinder's public endpoint does not answer here: only the internal
        # one, which clouds.yaml asks for.
        catalog = self.cloud.token['token']['catalog']
        for service in catalog:
            for endpoint in service['endpoints']:
                endpoint['url'] = endpoint['url'].replace(
                    'cinder.test', 'public.invalid')
            service['endpoints'].append(
                dict(service['endpoints'][0], interface='internal',
                     url=fakes.V3_ENDPOINT, id=service['id'] + '-internal'))
        self.write_clouds_yaml(interface='internal', verify='false',
                               volume_api_version="'3.7'")
        result = self.cli('list', '-f', 'json', global_options=['--os-cloud', 'lab'])
        self.assertEqual(0, result.code, result)
        self.assertEqual(['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated At',
                          'Cluster'], list(result.json()[0]))
        self.assertEqual({False}, {r.verify for r in self.mock.request_history})
        # Help on a command is the help of the cloud's API version.
        self.write_clouds_yaml(volume_api_version=2)
        result = self.cli('list', '-h', global_options=['--os-cloud', 'lab'])
        self.assertEqual(0, result.code, result)
        self.assertNotIn('--cluster', result.stdout)

    def test_default_domain(self):
        self.useFixture(fixtures.EnvironmentVariable('OS_IDENTITY_API_VERSION', '3'))
        result = self.cli('list', global_options=[
            '--os-auth-url', fakes.AUTH_URL, '--os-username', 'admin',
            '--os-password', 'pw', '--os-project-name', 'admin',
        ])
        self.assertEqual(0, result.code, result)
        identity = self.keystone_bodies()[0]['auth']['identity']
        self.assertEqual({'id': 'default'}, identity['password']['user']['domain'])

    def test_no_password_without_a_terminal(self):
        result = self.cli('list', global_options=[
            '--os-auth-url', fakes.AUTH_URL, '--os-username', 'admin',
            '--os-project-name', 'admin', '--os-user-domain-id', 'default',
            '--os-project-domain-id', 'default',
        ])
        self.assertEqual(1, result.code, result)
        self.assertIn('No password entered, or found via --os-password or '
                      'OS_PASSWORD', result.stderr)
        self.assertEqual([], self.keystone_bodies())

    def test_token_auth(self):
        result = self.cli('list', global_options=[
            '--os-auth-type', 'token', '--os-token', 'operator-token',
            '--os-auth-url', fakes.AUTH_URL, '--os-project-name', 'admin',
            '--os-project-domain-id', 'default',
        ])
        self.assertEqual(0, result.code, result)
        identity = self.keystone_bodies()[0]['auth']['identity']
        self.assertEqual({'id': 'operator-token'}, identity['token'])

    def test_application_credential(self):
        result = self.cli('list', global_options=[
            '--os-auth-type', 'v3applicationcredential', '--os-auth-url',
            fakes.AUTH_URL, '--os-application-credential-id', 'ac-id',
            '--os-application-credential-secret', 'ac-secret',
        ])
        self.assertEqual(0, result.code, result)
        identity = self.keystone_bodies()[0]['auth']['identity']
        self.assertEqual(['application_credential'], identity['methods'])
        self.assertEqual({'id': 'ac-id', 'secret': 'ac-secret'},
                         identity['application_credential'])

    def test_tls_options_reach_every_request(self):
        for option, verify in (
            (['--insecure'], False), (['--os-cacert', '/etc/ssl/lab.pem'], '/etc/ssl/lab.pem'),
        ):
            start = len(self.mock.request_history)
            self.useFixture(fixtures.EnvironmentVariable('OS_AUTH_URL', fakes.AUTH_URL))
            result = self.cli('list', global_options=[
                *option, '--os-username', 'admin', '--os-password', 'pw',
                '--os-project-name', 'admin', '--os-user-domain-id', 'default',
                '--os-project-domain-id', 'default',
            ])
            self.assertEqual(0, result.code, result)
            self.assertEqual(
                {verify}, {r.verify for r in self.mock.request_history[start:]},
                option,
            )

    def test_cinder_without_keystone(self):
        result = self.cli('list', '-f', 'json', global_options=[
            '--os-auth-type', 'none', '--os-endpoint', fakes.V3_ENDPOINT,
        ])
        self.assertEqual(0, result.code, result)
        self.assertEqual(len(self.cinder.services), len(result.json()))
        self.assertEqual([], self.keystone_bodies())


class TestWhatTheUserSaysWins(base.ShellTestCase):
    """An option, then an OS_* variable, then the named cloud: the identity
    and connection a user asks for always win over clouds.yaml, exactly as
    in ``openstack`` (a wrong precedence signs in as someone else)."""

    #: option, variable, what clouds.yaml says, what the user says, and
    #: where the token request shows it.
    AUTH = [
        ('--os-username', 'OS_USERNAME', 'yaml-user', 'demo',
         lambda body: body['identity']['password']['user']['name']),
        ('--os-password', 'OS_PASSWORD', 'yaml-password', 'wrong',
         lambda body: body['identity']['password']['user']['password']),
        ('--os-user-domain-id', 'OS_USER_DOMAIN_ID', 'yaml-domain', 'users',
         lambda body: body['identity']['password']['user']['domain']['id']),
        ('--os-project-name', 'OS_PROJECT_NAME', 'yaml-project', 'demo',
         lambda body: body['scope']['project']['name']),
        ('--os-project-domain-id', 'OS_PROJECT_DOMAIN_ID', 'yaml-domain', 'projects',
         lambda body: body['scope']['project']['domain']['id']),
    ]

    def setUp(self):
        super().setUp()
        for name in fakes.OS_ENVIRONMENT:
            self.useFixture(fixtures.EnvironmentVariable(name))
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'lab'))
        self.cinder.add('node1@lvm')

    def write_clouds_yaml(self, auth_url=fakes.AUTH_URL, region='RegionOne', **extra):
        auth = {
            'auth_url': auth_url, 'username': 'yaml-user',
            'password': 'yaml-password', 'project_name': 'yaml-project',
            'user_domain_id': 'yaml-domain', 'project_domain_id': 'yaml-domain',
        }
        lines = ['clouds:', '  lab:']
        if region:
            lines.append(f'    region_name: {region}')
        lines += [f'    {key}: {value}' for key, value in extra.items()]
        lines += ['    auth:'] + [f'      {k}: {v}' for k, v in auth.items()]
        with open(os.environ['OS_CLIENT_CONFIG_FILE'], 'w') as stream:
            stream.write('\n'.join(lines) + '\n')

    def token_requests(self):
        return [r for r in self.mock.request_history if r.url.endswith('/auth/tokens')]

    def test_auth_options_and_variables_override_the_named_cloud(self):
        self.write_clouds_yaml()
        for option, variable, in_yaml, asked, shown in self.AUTH:
            for how in ('option', 'variable', 'both'):
                start = len(self.token_requests())
                global_options = []
                with fixtures.EnvironmentVariable(variable):
                    if how in ('variable', 'both'):
                        os.environ[variable] = asked if how == 'variable' else 'loses'
                    if how in ('option', 'both'):
                        global_options = [option, asked]
                    result = self.cli('list', global_options=global_options)
                self.assertEqual(0, result.code, (option, how, result))
                body = self.token_requests()[start].json()['auth']
                self.assertEqual(asked, shown(body), (option, how))
        # And without either, clouds.yaml's.
        self.assertEqual(0, self.cli('list').code)
        body = self.token_requests()[-1].json()['auth']
        self.assertEqual('yaml-password', self.AUTH[1][4](body))

    def test_auth_url_option_and_variable_override_the_named_cloud(self):
        self.write_clouds_yaml(auth_url='http://127.0.0.1:9/v3')
        result = self.cli('list', global_options=['--os-auth-url', fakes.AUTH_URL])
        self.assertEqual(0, result.code, result)
        self.useFixture(fixtures.EnvironmentVariable('OS_AUTH_URL', fakes.AUTH_URL))
        result = self.cli('list')
        self.assertEqual(0, result.code, result)
        self.assertEqual(2, len(self.token_requests()))
        self.assertFalse(any('127.0.0.1' in r.url for r in self.mock.request_history))

    def test_region_and_interface_override_the_named_cloud(self):
        # clouds.yaml's first region has no Cinder, nor has its interface.
        self.write_clouds_yaml(
            region=None, regions='[Elsewhere, RegionOne]', interface='internal')
        for global_options, variables in (
            (['--os-region-name', 'RegionOne', '--os-interface', 'public'], {}),
            ([], {'OS_REGION_NAME': 'RegionOne', 'OS_INTERFACE': 'public'}),
        ):
            with fixtures.EnvironmentVariable('OS_REGION_NAME', variables.get('OS_REGION_NAME')), \
                    fixtures.EnvironmentVariable('OS_INTERFACE', variables.get('OS_INTERFACE')):
                result = self.cli('list', '-f', 'json', global_options=global_options)
            self.assertEqual(0, result.code, (global_options, result))
            self.assertEqual(len(self.cinder.services), len(result.json()))

    def test_tls_options_override_the_named_cloud(self):
        self.write_clouds_yaml(cacert='/etc/ssl/yaml.pem')
        for global_options, variables, verify in (
            (['--os-cacert', '/etc/ssl/asked.pem'], {}, '/etc/ssl/asked.pem'),
            ([], {'OS_CACERT': '/etc/ssl/env.pem'}, '/etc/ssl/env.pem'),
            (['--insecure'], {}, False),
        ):
            start = len(self.mock.request_history)
            with fixtures.EnvironmentVariable('OS_CACERT', variables.get('OS_CACERT')):
                result = self.cli('list', global_options=global_options)
            self.assertEqual(0, result.code, (global_options, result))
            self.assertEqual(
                {verify}, {r.verify for r in self.mock.request_history[start:]},
                global_options or variables,
            )


class TestRetries(base.ShellTestCase):
    """Reads are retried as clouds.yaml says, else three times; the
    settings go with each read, never onto the shared SDK proxy."""

    def setUp(self):
        super().setUp()
        for name in fakes.OS_ENVIRONMENT:
            self.useFixture(fixtures.EnvironmentVariable(name))
        self.cinder.add('node1@lvm')
        lines = ['clouds:', '  lab:', '    region_name: RegionOne',
                 '    block_storage_status_code_retries: 1', '    auth:',
                 f'      auth_url: {fakes.AUTH_URL}', '      username: admin',
                 '      password: pw', '      project_name: admin',
                 '      user_domain_id: default', '      project_domain_id: default']
        with open(os.environ['OS_CLIENT_CONFIG_FILE'], 'w') as stream:
            stream.write('\n'.join(lines) + '\n')

    def test_clouds_yaml_retries_are_respected(self):
        self.cinder.read_failures = [503] * 4
        # Below 3.49: that read is bounded and not retried at all.
        result = self.cli('list', version='3.48', global_options=['--os-cloud', 'lab'])
        self.assertFails(result, 'failed with HTTP 503', retries=1)
        self.assertEqual(2, len(self.cinder.requests('GET')))

    def test_our_retries_leave_the_proxy_as_configured(self):
        from openstack import connection
        from volsvcclient.cinder import services

        cloud = connection.Connection(cloud='lab')
        api = services.connect(_Manager(cloud), '3')
        self.assertEqual(1, api.read_retries['status_code_retries'])
        self.assertEqual(3, api.read_retries['connect_retries'])
        self.assertIsNone(cloud.block_storage.connect_retries)


class _Manager:
    def __init__(self, connection):
        self.sdk_connection = connection


class TestCheckWithoutACloud(base.ShellTestCase):
    scenarios = VOLSVC
    program = 'volsvc'

    def test_unknown_cloud_is_nagios_unknown(self):
        # Issue 15, item 11: 'openstack' fails before loading plugins (it
        # exits 1 there); volsvc can answer as a check must.
        result = self.cli('check', global_options=['--os-cloud', 'nowhere'])
        self.assertEqual(3, result.code, result)
        self.assertEqual('UNKNOWN - Cloud nowhere was not found.\n', result.stdout)
        result = self.cli('list', global_options=['--os-cloud', 'nowhere'])
        self.assertEqual((1, 'Cloud nowhere was not found.\n'),
                         (result.code, result.stderr))
