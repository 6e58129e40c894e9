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

"""cinder-api's clock from its Date header, whatever the zone is spelt."""

import datetime

import requests
import testtools

from volsvcclient.cinder import reads


class TestServerTime(testtools.TestCase):
    def test_always_aware_utc(self):
        for header in ('Mon, 07 Dec 2026 20:38:30 GMT', 'Mon, 07 Dec 2026 20:38:30 -0000',
                       'Mon, 07 Dec 2026 21:38:30 +0100'):
            response = requests.Response()
            response.headers['Date'] = header
            self.assertEqual(
                datetime.datetime(2026, 12, 7, 20, 38, 30, tzinfo=datetime.timezone.utc),
                reads.server_time(response), header)
        self.assertIsNone(reads.server_time(requests.Response()))
