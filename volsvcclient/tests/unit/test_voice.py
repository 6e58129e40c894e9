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

"""Notes and progress go through logging: -q hides them, errors stay."""

from volsvcclient.tests.unit import base

load_tests = base.load_tests
HOST = 'node1@lvm'


class TestQuiet(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.service = self.cinder.add(HOST)

    def test_quiet_hides_notes(self):
        empty = ['commit', '--from-file', '-']
        self.assertEqual('- lists no service: nothing to do\n',
                         self.cli(*empty, stdin='[]').stderr)
        result = self.cli(*empty, stdin='[]', global_options=['-q'])
        self.assertEqual((0, ''), (result.code, result.stderr))
        result = self.cli('freeze', HOST, global_options=['-q'])
        self.assertEqual((0, ''), (result.code, result.stderr))
        result = self.cli('freeze', HOST, global_options=['-q'])
        self.assertEqual((0, ''), (result.code, result.stderr))
        self.assertIn('already frozen; nothing to do',
                      self.cli('freeze', HOST).stderr)

    def test_quiet_hides_progress_on_a_terminal(self):
        for number in range(2, 5):
            self.cinder.add(f'node{number}@lvm')
        selection = ['commit', '--host-pattern', '*', '--status', 'disabled']
        result = self.cli(*selection, '--disabled-reason', 'a', tty=True)
        self.assertIn('4/4 service(s) sent', result.stderr)
        result = self.cli(*selection, '--disabled-reason', 'b', tty=True,
                          global_options=['-q'])
        self.assertEqual((0, ''), (result.code, result.stderr))
        self.assertEqual({'b'}, {s['disabled_reason'] for s in self.cinder.services})

    def test_quiet_keeps_errors(self):
        result = self.cli('show', 'nowhere', 'cinder-volume', global_options=['-q'])
        self.assertFails(result, "No cinder-volume service on host 'nowhere'")
