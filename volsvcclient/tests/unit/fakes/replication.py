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

"""Freeze, thaw and failover: the database change Cinder makes first, the
RPC to the backend's cinder-volume, and what that service does then."""

from volsvcclient.tests.unit.fakes.facts import FAILOVER_FROM
from volsvcclient.tests.unit.fakes.facts import host_matches
from volsvcclient.tests.unit.fakes.facts import REPLICATION_CLUSTER
from volsvcclient.tests.unit.fakes.facts import THAW_FAILED
from volsvcclient.tests.unit.fakes.facts import VOLUME
from volsvcclient.tests.unit.fakes.wsgi import Accepted
from volsvcclient.tests.unit.fakes.wsgi import Fault
from volsvcclient.tests.unit.fakes.wsgi import invalid_input
from volsvcclient.tests.unit.fakes.wsgi import Page


class Replication:
    """FakeCinder's freeze, thaw and failover (cinder/volume/api.py and
    cinder/volume/manager.py)."""

    def _replication_change(self, cluster_name, host, field, expected, new, check_up):
        """cinder/volume/api.py _replication_db_change: the database change
        freeze, thaw and failover make before any RPC; the services."""
        services = [
            s for s in self.services
            if s['binary'] == VOLUME
            and (not host or host_matches(s['host'], host))
            and (not cluster_name or host_matches(s['cluster_name'], cluster_name))
        ]
        if not services:
            # ServiceNotFound(msg), turned into InvalidInput(msg) as it is.
            raise Fault(400, f'No service found with host={host}' if host
                        else f'No service found with cluster={cluster_name}')
        clustered = services[0]['cluster_name']
        attribute = 'cluster_name' if cluster_name else 'host'
        if any(s[attribute] != services[0][attribute] for s in services):
            raise Fault(400, 'Services from different clusters found.')
        if host and clustered:
            services = self.members(clustered)

        def wanted(value):
            return value in expected if isinstance(expected, list) else value == expected

        def error(where):
            up = 'and must be up ' if check_up else ''
            return f'{field} in {where} must be {expected} {up}to failover.'

        self._remember()
        if clustered:
            row = self.cluster(clustered)
            cluster_up = any(s['state'] == 'up' for s in services)
            if (check_up and not cluster_up) or not wanted(row[field]):
                raise invalid_input(error(clustered))
            old, row[field] = row[field], new
        changed = [s for s in services
                   if (not check_up or s['state'] == 'up') and wanted(s[field])]
        if not changed:
            if clustered:
                row[field] = old
            raise invalid_input(
                f"No service could be changed: {error([s['host'] for s in services])}"
            )
        for service in changed:
            service[field] = new
        return services

    def _rpc_taker(self, services):
        """The cinder-volume that takes an RPC sent to services[0]'s queue:
        its own host's, or for a cluster any member that is up."""
        if not services[0]['cluster_name']:
            return services[0] if services[0]['state'] == 'up' else None
        up = [s for s in self.members(services[0]['cluster_name']) if s['state'] == 'up']
        chosen = [s for s in up if s['host'] == self.rpc_member]
        return (chosen or up or [None])[0]

    def _do_freeze(self, body, version):
        cluster, host = self._cluster_host(body, version, REPLICATION_CLUSTER)
        services = self._replication_change(cluster, host, 'frozen', False, True, False)
        # Then an RPC call; the member that takes it disables only itself
        # (volume/manager.py freeze_host).
        taker = self._rpc_taker(services)
        self._call(taker, self._request, 'freeze')
        taker.update(disabled=True, disabled_reason='frozen')
        return None

    def _do_thaw(self, body, version):
        cluster, host = self._cluster_host(body, version, REPLICATION_CLUSTER)
        services = self._replication_change(cluster, host, 'frozen', True, False, False)
        taker = self._rpc_taker(services)
        self._call(taker, self._request, 'thaw')
        if self.driver_fails_thaw:
            # The controller returns this string: webob sends it as the body
            # of a text/html 200, outside Cinder's JSON serializer.
            return Page(THAW_FAILED)
        taker.update(disabled=False, disabled_reason='')
        return None

    def _do_failover_host(self, body, version, cluster_version=None):
        # 27 reads the cluster field only on the failover route; 29's
        # failover_host reads it from 3.26 on.
        if cluster_version is None:
            cluster_version = REPLICATION_CLUSTER if self.release >= 28 else False
        cluster, host = self._cluster_host(body, version, cluster_version)
        services = self._replication_change(
            cluster, host, 'replication_status', FAILOVER_FROM, 'failing-over', True
        )
        for service in services:
            if service['replication_status'] == 'failing-over':
                service['_failover_to'] = body.get('backend_id')
        # A cast: Cinder waits only to publish it, on RabbitMQ.
        self._rpc(self.volume_rpc, self._request, 'failover')
        return Accepted()

    def _do_failover(self, body, version):
        return self._do_failover_host(body, version, REPLICATION_CLUSTER)

    def settle_failovers(self, outcome=None, hosts=None):
        """What cinder-volume does once the failover cast is processed
        (volume/manager.py failover, finish_failover), for ``hosts`` or
        every service failing over."""
        for service in self.services:
            if service['replication_status'] != 'failing-over':
                continue
            if hosts is not None and service['host'] not in hosts:
                continue
            target = service.pop('_failover_to', None)
            if outcome == 'refused':
                # InvalidReplicationTarget: the status it had before.
                failed_over = bool(service['active_backend_id'])
                updates = {'replication_status':
                           'failed-over' if failed_over else 'enabled'}
            elif outcome == 'error':
                updates = {'replication_status': 'failover-error', 'disabled': True}
            elif target == 'default':
                updates = {'replication_status': 'enabled', 'active_backend_id': '',
                           'disabled': service['frozen'],
                           'disabled_reason': 'frozen' if service['frozen'] else ''}
            else:
                updates = {'replication_status': 'failed-over',
                           'active_backend_id': target or 'secondary',
                           'disabled': True, 'disabled_reason': 'failed-over'}
            service.update(updates)
            if service['cluster_name']:
                row = self.cluster(service['cluster_name'])
                row.update({k: v for k, v in updates.items() if k in row})
