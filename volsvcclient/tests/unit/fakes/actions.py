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

"""os-services PUT: the routes each release has, the schema and policy
checks, and enable, disable and disable-log-reason."""

from volsvcclient.tests.unit.fakes.facts import host_matches
from volsvcclient.tests.unit.fakes.facts import REPLICATION_CLUSTER
from volsvcclient.tests.unit.fakes.schemas import SCHEMAS
from volsvcclient.tests.unit.fakes.schemas import validate
from volsvcclient.tests.unit.fakes.wsgi import DatabaseError
from volsvcclient.tests.unit.fakes.wsgi import Fault
from volsvcclient.tests.unit.fakes.wsgi import GatewayAnswer
from volsvcclient.tests.unit.fakes.wsgi import invalid_input
from volsvcclient.tests.unit.fakes.wsgi import webob_not_found


class Actions:
    """FakeCinder's answers to os-services PUT, and the actions that change
    a service's status."""

    def _update(self, request, context):
        self._request = request
        self._actions_seen += 1
        action = request.path.rsplit('/', 1)[1]
        return self._answer(
            request, context, lambda version: self._act(action, request, version)
        )

    def _act(self, action, request, version):
        body = request.json()
        if self.before_action:
            self.before_action(action, body)
        if action in self.ignored:
            return {}
        if action in self.refused:
            raise Fault(400, self.refused[action])
        if self.release >= 28:
            # cinder/api/v3/router.py routes these alone.
            if action not in ('enable', 'disable', 'disable-log-reason', 'freeze',
                              'thaw', 'failover_host'):
                return webob_not_found(request)
        else:
            # cinder/api/contrib/services.py update(): policy first.
            self._authorize()
            routed = action in SCHEMAS and (
                action != 'failover' or (version or (0,)) >= REPLICATION_CLUSTER
            )
            if not routed:
                raise invalid_input('Unknown action')
        validate(action, body)
        # From 28 on each action checks the policy after its schema.
        self._authorize()
        handler = getattr(self, '_do_' + action.replace('-', '_'))
        reply = handler(body, version)
        if self.after_action:
            self.after_action(action, body)
        if (action, body.get('host')) in self.applied_then_504:
            raise GatewayAnswer(504)
        return reply

    def _authorize(self):
        if self.forbidden:
            raise Fault(403, "Policy doesn't allow volume_extension:services:update "
                             "to be performed.")

    @staticmethod
    def _cluster_host(body, version, cluster_version):
        """cinder/api/common.py get_cluster_host: one of host and cluster,
        cluster only at ``cluster_version`` (False: never) and later."""
        if cluster_version and (version or (0,)) >= cluster_version:
            cluster = body.get('cluster')
            message = 'One and only one of cluster and host must be set.'
        else:
            cluster = None
            message = 'Host field is missing.'
        host = body.get('host')
        if bool(cluster) == bool(host):
            raise invalid_input(message)
        return cluster, host

    def _by_args(self, body, version):
        """objects.Service.get_by_args on the body's host and binary."""
        _, host = self._cluster_host(body, version, False)
        binary = body.get('binary') or body.get('service')
        for service in self.services:
            if host_matches(service['host'], host) and service['binary'] == binary:
                self._remember()
                return service
        # cinder/db/api.py service_get
        raise Fault(404, f'Service {binary} could not be found on host {host}.')

    def _do_enable(self, body, version):
        return self._enable_or_disable(body, version, disabled=False)

    def _do_disable(self, body, version):
        return self._enable_or_disable(body, version, disabled=True)

    def _enable_or_disable(self, body, version, disabled):
        # From 28.0.0 on the API answers as if it had, and changes nothing.
        service = self._by_args(body, version)
        if self.release < 28:
            service['disabled'] = disabled
        return {'host': body['host'], 'service': body.get('service', ''),
                'binary': body.get('binary', ''),
                'status': 'disabled' if disabled else 'enabled',
                'disabled': disabled}

    def _do_disable_log_reason(self, body, version):
        service = self._by_args(body, version)
        reason = body.get('disabled_reason')
        if reason and max(map(ord, reason)) > 0xFFFF:
            # Cinder's tables are utf8 (utf8mb3) in MySQL: the UPDATE fails.
            raise DatabaseError()
        service['disabled'] = True
        # 27 saves the body's reason, None included; 28 and later only one
        # that is given.
        if reason or self.release < 28:
            service['disabled_reason'] = reason
        return {'host': body['host'], 'service': body.get('service', ''),
                'binary': body.get('binary', ''), 'status': 'disabled',
                'disabled': True, 'disabled_reason': reason}
