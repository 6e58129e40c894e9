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

"""check --prometheus-textfile: the labels that let its series sit beside
openstack-exporter's and other clouds', and the names node_exporter reads
(issue 26, item 4). Read back with prometheus_client's own parser."""

import os

import fixtures

from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests

HOST = 'node1@lvm'
#: The region the fake's OS_* variables ask for.
REGION = fakes.OS_ENVIRONMENT['OS_REGION_NAME']


class TestTextfileLabels(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add(HOST, zone='zone-a')
        self.cinder.add('node1', binary='cinder-scheduler')
        self.directory = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(self.directory, 'volsvc.prom')

    def series(self, *global_options):
        """Every sample of one check's file: (name, labels)."""
        from prometheus_client import parser

        result = self.cli('check', '--prometheus-textfile', self.path,
                          global_options=global_options)
        self.assertIn(result.code, (0, 3), result)
        with open(self.path) as stream:
            return [(s.name, s.labels)
                    for family in parser.text_string_to_metric_families(stream.read())
                    for s in family.samples]

    def test_every_series_names_the_cloud_and_region(self):
        # OS_* variables: openstacksdk calls that cloud "envvars".
        series = self.series()
        self.assertEqual(
            {'volsvc_check_success', 'volsvc_check_last_run_timestamp_seconds',
             'volsvc_check_level', 'volsvc_service_up', 'volsvc_service_enabled',
             'volsvc_service_frozen', 'volsvc_heartbeat_age_seconds',
             'volsvc_backend_up', 'volsvc_replication_status'},
            {name for name, _ in series})
        self.assertEqual({('envvars', REGION)},
                         {(labels['cloud'], labels['region']) for _, labels in series})

    def test_a_clouds_yaml_cloud_and_its_region(self):
        with open(os.environ['OS_CLIENT_CONFIG_FILE'], 'w') as stream:
            stream.write(f'clouds: {{production: {{region_name: {REGION}}}}}\n')
        self.useFixture(fixtures.EnvironmentVariable('OS_REGION_NAME'))
        series = self.series('--os-cloud', 'production')
        self.assertEqual({('production', REGION)},
                         {(labels['cloud'], labels['region']) for _, labels in series})

    def test_no_region_asked_for_is_an_empty_label(self):
        self.useFixture(fixtures.EnvironmentVariable('OS_REGION_NAME'))
        series = self.series()
        self.assertEqual({('envvars', '')},
                         {(labels['cloud'], labels['region']) for _, labels in series})

    def test_services_are_named_as_openstack_exporter_names_them(self):
        # openstack_cinder_agent_state{hostname, service, zone}: the same
        # names join without label_replace.
        series = self.series()
        up = {labels['hostname']: labels for name, labels in series
              if name == 'volsvc_service_up'}
        self.assertEqual(
            {'cloud': 'envvars', 'region': REGION, 'hostname': HOST,
             'service': 'cinder-volume', 'zone': 'zone-a', 'cluster': ''},
            up[HOST])
        self.assertEqual('cinder-scheduler', up['node1']['service'])

    def test_a_check_that_could_not_read_names_its_cloud_too(self):
        self.cinder.forbidden = True
        series = self.series()
        self.assertEqual(
            [('volsvc_check_success', {'cloud': 'envvars', 'region': REGION}),
             ('volsvc_check_level', {'cloud': 'envvars', 'region': REGION})],
            [(name, labels) for name, labels in series if 'timestamp' not in name])

    def test_a_check_that_cannot_start_names_the_cloud_asked_for(self):
        # No cloud can be made of a name clouds.yaml does not have: the
        # labels are what the options asked for.
        if self.program == 'openstack':
            self.skipTest("openstack's own shell reads the configuration before it "
                          "runs any plugin's command: that failure is openstack's")
        series = self.series('--os-cloud', 'nosuch', '--os-region-name', 'Nowhere')
        self.assertEqual(
            [('volsvc_check_success', {'cloud': 'nosuch', 'region': 'Nowhere'}),
             ('volsvc_check_level', {'cloud': 'nosuch', 'region': 'Nowhere'})],
            [(name, labels) for name, labels in series if 'timestamp' not in name])
        # OS_CLOUD and OS_REGION_NAME, as openstacksdk reads them.
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'nosuch'))
        self.useFixture(fixtures.EnvironmentVariable('OS_REGION_NAME', 'Elsewhere'))
        self.assertEqual({('nosuch', 'Elsewhere')},
                         {(labels['cloud'], labels['region']) for _, labels in self.series()})

    def test_two_clouds_in_one_directory_do_not_collide(self):
        from prometheus_client import parser

        with open(os.environ['OS_CLIENT_CONFIG_FILE'], 'w') as stream:
            stream.write('clouds: {east: {}, west: {}}\n')
        text = ''
        for cloud in ('east', 'west'):
            self.path = os.path.join(self.directory, f'volsvc-{cloud}.prom')
            self.series('--os-cloud', cloud)
            with open(self.path) as stream:
                text += stream.read()
        # node_exporter merges the directory's files: one family, two
        # series per figure, none repeated.
        keys = [(s.name, tuple(sorted(s.labels.items())))
                for family in parser.text_string_to_metric_families(text)
                for s in family.samples]
        self.assertEqual(len(keys), len(set(keys)))
        self.assertEqual(2, sum(1 for name, _ in keys if name == 'volsvc_check_success'))


class TestTextfileName(base.ShellTestCase):
    def test_a_name_node_exporter_ignores_is_refused(self):
        directory = self.useFixture(fixtures.TempDir()).path
        self.cinder.add(HOST)
        for name in ('volsvc.txt', 'volsvc.prom.tmp', 'volsvc', 'prom'):
            path = os.path.join(directory, name)
            result = self.cli('check', '--prometheus-textfile', path)
            self.assertEqual(3, result.code, result)
            [line] = result.stdout.splitlines()
            self.assertTrue(line.startswith('UNKNOWN - '), line)
            self.assertTrue(line.endswith(
                f"error: argument --prometheus-textfile: '{path}' does not end "
                f"in .prom: node_exporter's textfile collector reads only *.prom "
                f"files"), line)
            self.assertEqual([], os.listdir(directory))
        self.assertEqual([], self.cinder.requests())
        self.assertEqual(0, self.cli('check', '--prometheus-textfile',
                                     os.path.join(directory, 'volsvc.prom')).code)
