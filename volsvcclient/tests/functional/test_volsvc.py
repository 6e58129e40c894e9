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

"""``volsvc`` against a real Cinder: the read-only tests of
``openstack volume service`` run through it unchanged, and one change and
its undoing, each checked by the raw reader."""

from volsvcclient.tests.functional import base
from volsvcclient.tests.functional import test_service

#: What may differ between two reads a moment apart.
MOVING = ('Updated At',)


class TestListThroughVolsvc(base.ThroughVolsvc, test_service.TestList):
    pass


class TestShowThroughVolsvc(base.ThroughVolsvc, test_service.TestShow):
    pass


class TestVolsvc(base.FunctionalTestCase):
    def test_same_rows_as_openstack(self):
        for version in (None, '3.0', '3.7'):
            ours = self.volsvc('list', '--long', '-f', 'json', version=version)
            theirs = self.service_cmd('list', '--long', '-f', 'json', version=version)
            self.assertEqual(0, ours.code, ours)
            self.assertEqual(0, theirs.code, theirs)
            self.assertEqual(
                *(sorted(
                    [{k: v for k, v in row.items() if k not in MOVING} for row in rows],
                    key=lambda row: (row['Binary'], row['Host'])
                ) for rows in (ours.json(), theirs.json())),
                version,
            )

    def test_disable_and_enable_again(self):
        host = self.pick_backend()
        result = self.volsvc('set', '--disable', '--disable-reason', 'volsvc test',
                             host, 'cinder-volume')
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        raw = self.raw.service(host)
        self.assertEqual(('disabled', 'volsvc test'),
                         (raw['status'], raw['disabled_reason']))
        # --enable-via-thaw: what works on every Cinder release.
        result = self.volsvc('set', '--enable', '--enable-via-thaw', host,
                             'cinder-volume')
        self.assertEqual((0, ''), (result.code, result.stdout), result)
        raw = self.raw.service(host)
        self.assertEqual(('enabled', False), (raw['status'], raw['frozen']))

    def test_errors_match_openstack(self):
        for args in (
            ('show', 'no-such-host@x', 'cinder-volume'),
            ('list', '--cluster', 'x'),
        ):
            ours = self.volsvc(*args, version='3.6')
            theirs = self.service_cmd(*args, version='3.6')
            self.assertEqual((theirs.code, theirs.stderr), (ours.code, ours.stderr))
            self.assertEqual(1, ours.code, ours)
