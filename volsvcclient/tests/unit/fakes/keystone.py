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

"""Keystone: its version document, and a token whose catalog points at one
fake Cinder."""

import copy

from keystoneauth1 import fixture as ksa_fixture

from volsvcclient.tests.unit import fakes
from volsvcclient.tests.unit.fakes.endpoints import AUTH_URL
from volsvcclient.tests.unit.fakes.endpoints import PROJECT_ID
from volsvcclient.tests.unit.fakes.endpoints import V2_ENDPOINT
from volsvcclient.tests.unit.fakes.endpoints import V3_ENDPOINT


class Cloud:
    """Keystone with a catalog pointing at one FakeCinder."""

    def __init__(self, mock, **cinder_options):
        self.mock = mock
        token = ksa_fixture.V3Token(
            project_id=PROJECT_ID,
            project_name='admin',
            project_domain_id='default',
            user_id='u1',
            user_name='admin',
            user_domain_id='default',
        )
        token.set_project_scope()
        service = token.add_service('block-storage', name='cinder')
        service.add_standard_endpoints(public=V3_ENDPOINT, region='RegionOne')
        service = token.add_service('volumev3', name='cinderv3')
        service.add_standard_endpoints(public=V3_ENDPOINT, region='RegionOne')
        if cinder_options.get('v2'):
            service = token.add_service('volumev2', name='cinderv2')
            service.add_standard_endpoints(public=V2_ENDPOINT, region='RegionOne')
        self.token = token
        mock.get(
            AUTH_URL,
            json=ksa_fixture.V3Discovery(AUTH_URL),
        )
        mock.post(
            AUTH_URL + '/auth/tokens',
            json=token,
            headers={'X-Subject-Token': 'fake-token-0123456789'},
        )
        # Looked up on the package, so that a tool may substitute its own
        # (tools/list_bench.py patches fakes.FakeCinder).
        self.cinder = fakes.FakeCinder(mock, **cinder_options)

    def copy_services(self):
        return copy.deepcopy(self.cinder.services)
