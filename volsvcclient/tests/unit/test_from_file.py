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

"""commit --from-file: what is wrong with a file, in one line naming it
(issue 15, item 14)."""

import io

import fixtures

from volsvcclient.tests.unit import base

load_tests = base.load_tests


class TestFromFileErrors(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm')
        self.tmp = self.useFixture(fixtures.TempDir())

    def write(self, content: bytes) -> str:
        path = self.tmp.join('saved.json')
        with open(path, 'wb') as stream:
            stream.write(content)
        return path

    def test_each_error_names_the_file_in_one_line(self):
        for content, message in (
            # Was "'utf-8' codec can't decode byte 0xff in position 0".
            (b'\xff[]', 'saved.json is not UTF-8 text (byte 0xff at offset 0)'),
            # Was "maximum recursion depth exceeded while decoding a JSON array".
            (b'[' * 5000, 'saved.json is nested too deeply to be a saved service list'),
            (b'- ' * 5000 + b'x', 'saved.json is nested too deeply'),
            # Was "day is out of range for month", from YAML's date.
            (b'- Host: 2026-02-30\n', 'saved.json is neither JSON nor YAML: day is '
                                      'out of range for month'),
            # Was a TypeError: keys of two types cannot be sorted.
            (b'- {1: x, Host: h, Binary: cinder-volume}\n',
             "saved.json, entry 1: unknown column(s) 1; known:"),
        ):
            result = self.cli('commit', '--from-file', self.write(content))
            self.assertFails(result, message)
            self.assertIn(self.tmp.path, result.stderr)
        self.assertEqual([], self.cinder.requests('PUT'))

    def test_undecodable_standard_input(self):
        stdin = io.TextIOWrapper(io.BytesIO(b'[]\xfe'), encoding='utf-8')
        self.useFixture(fixtures.MonkeyPatch('sys.stdin', stdin))
        result = self.cli('commit', '--from-file', '-')
        self.assertFails(result, '- is not UTF-8 text (byte 0xfe at offset 2)')
