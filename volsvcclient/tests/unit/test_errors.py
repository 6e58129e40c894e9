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

"""Failures around Cinder: each is one line naming what failed and where."""

from keystoneauth1 import exceptions as ksa_exceptions
from keystoneauth1 import fixture as ksa_fixture
import requests
import testtools

from volsvcclient.osc import errors
from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests

HOST = 'node1@lvm'
VOLUME = ('set', HOST, 'cinder-volume', '--disable')
#: What Keystone and keystonemiddleware answer a request they cannot
#: authenticate.
UNAUTHORIZED = {
    'status_code': 401,
    'headers': {'Content-Type': 'application/json'},
    'json': {'error': {'code': 401, 'title': 'Unauthorized',
                       'message': 'The request you have made requires '
                                  'authentication.'}},
}


class TestErrors(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add(HOST)

    def catalog(self, **endpoints):
        """Keystone's catalog with only these service types."""
        token = ksa_fixture.V3Token(
            project_id=fakes.PROJECT_ID, project_name='admin',
            project_domain_id='default', user_id='u1', user_name='admin',
            user_domain_id='default',
        )
        token.set_project_scope()
        for service_type, url in endpoints.items():
            service = token.add_service(service_type.replace('_', '-'))
            service.add_standard_endpoints(public=url, region='RegionOne')
        self.mock.post(fakes.AUTH_URL + '/auth/tokens', json=token,
                       headers={'X-Subject-Token': 'fake-token-0123456789'})

    def test_keystone_tls_failure(self):
        self.mock.post(
            fakes.AUTH_URL + '/auth/tokens',
            exc=requests.exceptions.SSLError('certificate verify failed'),
        )
        self.assertFails(
            self.cli('list'),
            'TLS failure talking to Keystone at http://keystone.test/v3/auth/tokens: '
            "give its CA with --os-cacert or 'cacert' in clouds.yaml (SSL "
            'exception connecting to http://keystone.test/v3/auth/tokens: '
            'certificate verify failed)',
        )

    def test_keystone_refuses_the_credentials(self):
        self.mock.post(fakes.AUTH_URL + '/auth/tokens', **UNAUTHORIZED)
        result = self.cli('list')
        self.assertEqual(
            (1, 'Keystone at http://keystone.test/v3/auth/tokens answered HTTP '
                '401: The request you have made requires authentication.\n'),
            (result.code, result.stderr),
        )
        self.assertEqual([], self.cinder.requests())

    def test_cinder_refuses_the_token_twice(self):
        # keystoneauth signs in again once before giving up.
        self.mock.get(fakes.CINDER_ROOT + '/v3/os-services', **UNAUTHORIZED)
        self.assertFails(
            self.cli(*VOLUME),
            'Authentication failed: The request you have made requires '
            'authentication.',
        )
        signs_in = [r for r in self.mock.request_history
                    if r.path.endswith('/auth/tokens')]
        self.assertEqual(2, len(signs_in))
        self.assertEqual([], self.cinder.puts())

    def test_no_block_storage_endpoint(self):
        self.catalog(compute='http://nova.test/v2.1')
        self.assertFails(
            self.cli('list'),
            'No Block Storage endpoint for this API version in the service '
            'catalog (public endpoint for block-storage service in RegionOne '
            'region not found)',
        )
        self.assertEqual([], self.cinder.requests())

    def test_version_discovery_fails(self):
        # A catalog endpoint without a version: the SDK must read Cinder's
        # version document to find v3.
        self.catalog(block_storage=fakes.CINDER_ROOT + '/')
        for answer, message in (
            ({'exc': requests.exceptions.SSLError('certificate verify failed')},
             'TLS failure talking to cinder-api at http://cinder.test:8776/: '
             'give its CA with --os-cacert'),
            ({'status_code': 500, 'text': 'Internal Server Error'},
             'cinder-api at http://cinder.test:8776/ answered its version '
             'document with HTTP 500: Internal Server Error'),
            ({'status_code': 400, 'text': 'Bad Request'},
             'cinder-api at http://cinder.test:8776/ answered its version '
             'document with HTTP 400: Bad Request'),
        ):
            self.mock.get(fakes.CINDER_ROOT + '/', **answer)
            self.assertFails(self.cli('list'), message)
        self.assertEqual([], self.cinder.requests())
        # The version document is public: asking it again sends no token.
        asked = [r for r in self.mock.request_history
                 if r.url == fakes.CINDER_ROOT + '/']
        self.assertTrue(asked)
        self.assertEqual([], [r for r in asked if 'X-Auth-Token' in r.headers])

    def test_gateway_error_that_outlasts_the_retries(self):
        self.cinder.read_failures = [504] * 4
        self.assertFails(
            self.cli(*VOLUME),
            'GET http://cinder.test:8776/v3/os-services?host=node1%40lvm&'
            "binary=cinder-volume failed with HTTP 504: 504 Gateway Time-out: "
            "The server didn't respond in time.",
            retries=1,
        )
        self.assertEqual(4, len(self.cinder.requests('GET')))
        self.assertEqual([], self.cinder.puts())
        # -v shows every retry, as keystoneauth words it.
        self.cinder.read_failures = [504] * 4
        result = self.cli(*VOLUME, global_options=['-v'])
        retried = [line for line in result.stderr.splitlines() if 'Retrying in' in line]
        self.assertEqual(3, len(retried), result.stderr)
        self.assertNotIn('(-v shows every retry)', result.stderr)

    def test_cinder_api_older_than_its_version_document(self):
        # During an upgrade one cinder-api behind the load balancer answers
        # discovery, an older one the request.
        self.cinder.max_version = '3.40'
        self.assertFails(
            self.cli('list'),
            'GET http://cinder.test:8776/v3/os-services failed with HTTP 406: '
            'Version 3.49 is not supported by the API. Minimum is 3.0 and '
            'maximum is 3.40.',
        )


class TestWhichServerFailed(testtools.TestCase):
    """Keystone or cinder-api, by the failed URL against the auth URL: on
    devstack both sit behind one Apache, at /identity and /volume."""

    HOST = 'http://10.0.0.5'

    def server_named(self, url, auth_url):
        exc = ksa_exceptions.ConnectFailure(
            f'Unable to establish connection to {url}: refused'
        )
        message = str(errors.translate(exc, auth_url))
        self.assertIn(f' at {url} ', message)
        return message.split(' at ')[0].removeprefix('Cannot connect to ')

    def test_devstack_layout(self):
        for url, auth_url, server in (
            ('/identity/v3/auth/tokens', '/identity/v3', 'Keystone'),
            ('/identity', '/identity/v3', 'Keystone'),
            ('/identity', '/identity/v3/', 'Keystone'),
            ('/identity/v2.0/tokens', '/identity/v2.0', 'Keystone'),
            ('/identity', '/identity/v2.0', 'Keystone'),
            ('/identity/v3/auth/tokens', '/identity', 'Keystone'),
            ('/volume/v3/abc/os-services', '/identity/v3', 'cinder-api'),
            ('/volume/v3/abc/os-services', None, 'cinder-api'),
            ('/volume/v3/abc/os-services', '', 'cinder-api'),
            # Keystone at the root on port 80, cinder-api on its own port.
            (':8776/v3/abc/os-services', '/v3', 'cinder-api'),
            (':8776/v3/abc/os-services', '/', 'cinder-api'),
            ('/v3/auth/tokens', '/', 'Keystone'),
        ):
            auth = auth_url if auth_url in (None, '') else self.HOST + auth_url
            self.assertEqual(
                server, self.server_named(self.HOST + url, auth), (url, auth_url)
            )

    def test_http_error_names_keystone_or_the_server(self):
        for url, server in (
            (f'{self.HOST}/identity/v3/auth/tokens', 'Keystone'),
            (f'{self.HOST}/volume/v3/abc/os-services', 'the server'),
        ):
            exc = ksa_exceptions.HttpError(
                message='Internal Server Error', http_status=500, url=url,
            )
            message = str(errors.translate(exc, f'{self.HOST}/identity/v3'))
            self.assertTrue(message.startswith(f'{server} at {url} answered HTTP 500'),
                            message)

    def test_other_failures_in_one_line(self):
        from openstack import exceptions as sdk_exceptions

        for exc, message in (
            (ksa_exceptions.DiscoveryFailure('Could not find versioned identity\n'
                                             'endpoints'),
             'Could not find versioned identity; endpoints'),
            (sdk_exceptions.SDKException('first line\n\n  second line  '),
             'first line; second line'),
            (ksa_exceptions.HttpError(message='Bad Gateway', url=None),
             'the server at the Block Storage endpoint answered HTTP 0: '
             'Bad Gateway'),
            (sdk_exceptions.ServiceDisabledException(
                'Service volume is not present in the service catalog: no '
                'endpoint: here'),
             'No Block Storage endpoint for this API version in the service '
             'catalog (no endpoint: here)'),
        ):
            self.assertEqual(message, str(errors.translate(exc)), exc)
        self.assertIsNone(errors.translate(ValueError('ours to raise')))
