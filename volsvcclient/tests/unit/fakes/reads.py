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

"""os-services GET: the listing, filtered as Cinder's database filters it,
each service rendered at the request's microversion."""

import urllib.parse

from volsvcclient.tests.unit.fakes.facts import BACKEND_STATE_REPORT
from volsvcclient.tests.unit.fakes.facts import CLUSTER_SUPPORT
from volsvcclient.tests.unit.fakes.facts import host_matches
from volsvcclient.tests.unit.fakes.facts import VOLUME
from volsvcclient.tests.unit.fakes.facts import VOLUME_ONLY
from volsvcclient.tests.unit.fakes.wsgi import DatabaseError
from volsvcclient.tests.unit.fakes.wsgi import Fault
from volsvcclient.tests.unit.fakes.wsgi import GatewayAnswer


class Reads:
    """FakeCinder's answers to os-services GET."""

    def _index(self, request, context):
        return self._answer(request, context, lambda version: self._list(request, version))

    def _list(self, request, version):
        if self.read_failures:
            status = self.read_failures.pop(0)
            if status == 500:
                raise DatabaseError()
            raise GatewayAnswer(status)
        if self.forbidden:
            raise Fault(403, "Policy doesn't allow volume_extension:services:index "
                             "to be performed.")
        if version and version >= BACKEND_STATE_REPORT:
            # get_pools, after the database read.
            self._rpc(self.scheduler_rpc, request, 'read')
        self._reads_seen += 1
        if self.settle_after_reads is not None:
            self.settle_after_reads -= 1
            if self.settle_after_reads <= 0:
                self.settle_failovers(self.settle_outcome)
        services = self.services
        if self._lagging is not None:
            services, self._lagging[1] = self._lagging[0], self._lagging[1] - 1
            if self._lagging[1] <= 0:
                self._lagging = None
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
        host = query.get('host', [None])[0]
        binary = query.get('binary', [None])[0]
        found = [
            s for s in services
            if (host is None or host_matches(s['host'], host))
            and (binary is None or s['binary'] == binary)
        ]
        answer = {'services': [self._render(s, version) for s in found]}
        if self.after_read:
            self.after_read(self._reads_seen)
        return answer

    def _backend_state(self, service):
        """cinder-scheduler's pools, keyed by backend: a cluster's pools carry
        its cluster name, so no member's host finds them; disabled, frozen
        and down services have none (scheduler/host_manager.py
        _update_backend_state_map)."""
        if (service['cluster_name'] or service['disabled'] or service['frozen']
                or service['state'] != 'up'):
            return None
        return service['backend_state']

    def _render(self, service, version):
        shown = {
            'binary': service['binary'],
            'host': service['host'],
            'zone': service['zone'],
            'status': 'disabled' if service['disabled'] else 'enabled',
            'state': service['state'],
            'updated_at': service['updated_at'],
        }
        if version and version >= BACKEND_STATE_REPORT and service['binary'] == VOLUME:
            shown['backend_state'] = self._backend_state(service)
        if version and version >= CLUSTER_SUPPORT:
            shown['cluster'] = service['cluster_name']
        shown['disabled_reason'] = service['disabled_reason']
        if service['binary'] == VOLUME:
            for field in VOLUME_ONLY:
                shown[field] = service[field]
        return shown
