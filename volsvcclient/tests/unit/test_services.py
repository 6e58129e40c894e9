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

from openstack import connection
from osc_lib import exceptions

from volsvcclient import services
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

    def test_the_command_layer_words_them_on_one_line(self):
        from volsvcclient import errors

        translated = errors.translate(services.NotApplied('a\nb'))
        self.assertIsInstance(translated, exceptions.CommandError)
        self.assertEqual('a\nb', str(translated))
