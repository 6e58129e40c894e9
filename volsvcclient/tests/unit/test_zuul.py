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

"""The gate configuration names only Zuul jobs and templates that exist."""

import importlib.util
import pathlib

import testtools
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]


def _check_zuul():
    spec = importlib.util.spec_from_file_location(
        'check_zuul', ROOT / 'tools' / 'check_zuul.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestZuulConfig(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.check = _check_zuul()
        self.config = yaml.safe_load((ROOT / '.zuul.yaml').read_text())
        self.known = yaml.safe_load(
            (ROOT / 'tools' / 'zuul-names.yaml').read_text())

    def test_our_config_names_only_known_jobs_and_templates(self):
        self.assertEqual([], self.check.problems(self.config, self.known))

    def test_uses_the_standard_client_templates_and_no_plugin_jobs(self):
        project = next(item['project'] for item in self.config
                       if 'project' in item)
        self.assertEqual(
            {'openstack-python3-jobs', 'openstack-cover-jobs',
             'publish-openstack-docs-pti', 'release-notes-jobs-python3',
             'check-requirements'},
            set(project['templates']))

    def test_unknown_names_are_reported_one_line_each(self):
        config = [
            {'job': {'name': 'ours', 'parent': 'devstack-tox-functionall'}},
            {'project': {
                'templates': ['openstack-python3-jobs', 'no-such-template'],
                'check': {'jobs': ['ours', {'openstack-tox-py3': {}}]},
                'gate': {'jobs': ['openstack-tox-pep8']}}},
            {'pragma': {}},
        ]
        self.assertEqual(
            ['job ours: unknown parent devstack-tox-functionall',
             'project: unknown template no-such-template',
             'project check: unknown job openstack-tox-py3',
             "unexpected item 'pragma': only job and project"],
            self.check.problems(config, self.known))
