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

"""The os-services layer on its own, through the real SDK against the fake
Cinder: it raises its own exceptions, never a command line's."""

from keystoneauth1 import fixture as ksa_fixture
from openstack import connection
from osc_lib import exceptions
import requests

from volsvcclient.cinder import services
from volsvcclient.osc import errors
from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes


class _Manager:
    def __init__(self, **config):
        self.sdk_connection = connection.Connection(
            auth_url=fakes.AUTH_URL, username='admin', password='pw',
            project_name='admin', user_domain_id='default',
            project_domain_id='default', region_name='RegionOne', **config,
        )


class TestServiceAPI(base.ShellTestCase):
    scenarios = [('api', {})]

    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm', cluster_name='c1@lvm')
        self.api = services.connect(_Manager(), '3')

    def test_what_it_raises(self):
        for call, raised, words in (
            (lambda: self.api.find('nowhere', 'cinder-volume'),
             services.NoSuchService, "No cinder-volume service on host 'nowhere'"),
            (lambda: self.api.cluster_members('c9'),
             services.NoSuchService, "Clusters: c1@lvm"),
            (lambda: services.connect(_Manager(block_storage_api_version='2'), '2'),
             services.VersionUnavailable, 'does not offer API version 2'),
        ):
            error = self.assertRaises(raised, call)
            self.assertNotIsInstance(error, exceptions.CommandError)
            self.assertIn(words, str(error))

    def test_the_command_layer_names_the_options(self):
        # The API layer states what the server lacks; which option or
        # variable sets the version is the command line's to say.
        for call, raised, facts, worded in (
            (lambda: self.api.require('3.99', 'newer'), services.TooOld,
             'newer requires Block Storage API 3.99 or later (this client '
             'is using Block Storage API 3.49)',
             '--newer requires --os-volume-api-version 3.99 or later (this '
             'command is using Block Storage API 3.49)'),
            (lambda: services.connect(_Manager(block_storage_api_version='2'), '2'),
             services.NoSuchAPI,
             "This cloud's Block Storage service does not offer API version 2 "
             "(api_version); current Cinder offers only version 3",
             "This cloud's Block Storage service does not offer API version 2 "
             "(--os-volume-api-version or OS_VOLUME_API_VERSION); current "
             "Cinder offers only version 3"),
        ):
            error = self.assertRaises(raised, call)
            self.assertEqual(facts, str(error))
            self.assertEqual(worded, str(errors.translate(error)))

    def test_an_untrusted_certificate_is_a_cinder_error(self):
        token = ksa_fixture.V3Token(
            project_id=fakes.PROJECT_ID, project_name='admin',
            project_domain_id='default', user_id='u1', user_name='admin',
            user_domain_id='default',
        )
        token.set_project_scope()
        token.add_service('block-storage').add_standard_endpoints(
            public=fakes.CINDER_ROOT + '/', region='RegionOne')
        self.mock.post(fakes.AUTH_URL + '/auth/tokens', json=token,
                       headers={'X-Subject-Token': 'fake-token-0123456789'})
        self.mock.get(fakes.CINDER_ROOT + '/',
                      exc=requests.exceptions.SSLError('certificate verify failed'))
        error = self.assertRaises(
            services.Untrusted, services.connect, _Manager(), '3')
        self.assertNotIsInstance(error, exceptions.CommandError)
        self.assertNotIn('--os-cacert', str(error))
        self.assertIn(
            'TLS failure talking to cinder-api at http://cinder.test:8776/: give '
            "its CA with --os-cacert or 'cacert' in clouds.yaml (",
            str(errors.translate(error)))

    def test_the_command_layer_words_them_on_one_line(self):
        translated = errors.translate(services.NotApplied('a\nb'))
        self.assertIsInstance(translated, exceptions.CommandError)
        self.assertEqual('a\nb', str(translated))
