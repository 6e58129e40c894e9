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

"""What tests inspect of the traffic the fake Cinder received."""

from volsvcclient.tests.unit.fakes.endpoints import CINDER_ROOT


class Traffic:
    """The os-services requests a FakeCinder received (its ``mock``'s
    history), from the last :meth:`forget_requests` on."""

    def forget_requests(self):
        """Make :meth:`requests` report only requests sent from now on."""
        self._forgotten = len(self.mock.request_history)

    def requests(self, method=None):
        return [
            r
            for r in self.mock.request_history[self._forgotten:]
            if r.url.startswith(CINDER_ROOT)
            and '/os-services' in r.url
            and (method is None or r.method == method)
        ]

    def puts(self):
        return [
            (r.path.rsplit('/', 1)[1], r.json()) for r in self.requests('PUT')
        ]
