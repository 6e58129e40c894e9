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

"""The os-services API of one Cinder, through openstacksdk's block-storage
proxy: ``connect`` and ``ServiceAPI``, the front door of the Cinder API
layer. Its parts live in ``volsvcclient.cinder`` (``records``: the read
model; ``failures``: what it raises; ``connection``: version negotiation,
bounds and retries; ``reads``: GET requests); this module adds the
requests that change services and re-exports every name callers use.
The engine that composes its requests (plan, send, verify) lives one layer
up. It pulls in openstacksdk, which ``openstack`` must not pay for on
unrelated commands: nothing imports it at a command module's import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, NoReturn

from openstack import exceptions as sdk_exceptions

from volsvcclient.cinder import connection
from volsvcclient.cinder import exceptions
from volsvcclient.cinder import failures
from volsvcclient.cinder import reads
from volsvcclient.cinder import records
from volsvcclient.cinder import versions

if TYPE_CHECKING:
    import requests

__all__ = [
    'ANOTHER_CLIENT', 'Error', 'ENABLE_IGNORED', 'FAILBACK',
    'FAILING_OVER', 'NoSuchAPI', 'NoSuchService', 'NotApplied',
    'READ_RETRIES', 'RETRIED_STATUSES', 'RPC_ACTIONS', 'Service',
    'ServiceAPI', 'Target', 'TooOld', 'UNKNOWN', 'Unconfirmed', 'Untrusted',
    'VOLUME_BINARY', 'VersionUnavailable', 'changed_by_another', 'connect',
    'heartbeat_age', 'is_server_error', 'is_uncertain', 'is_unreachable',
    'mismatches', 'rows', 'shorten',
]

# The read model (cinder/records.py).
ANOTHER_CLIENT = records.ANOTHER_CLIENT
ENABLE_IGNORED = records.ENABLE_IGNORED
FAILBACK = records.FAILBACK
FAILING_OVER = records.FAILING_OVER
UNKNOWN = records.UNKNOWN
VOLUME_BINARY = records.VOLUME_BINARY
Service = records.Service
Target = records.Target
changed_by_another = records.changed_by_another
heartbeat_age = records.heartbeat_age
mismatches = records.mismatches
rows = records.rows
shorten = records.shorten
# What the layer raises (cinder/exceptions.py).
Error = exceptions.Error
NoSuchAPI = exceptions.NoSuchAPI
NoSuchService = exceptions.NoSuchService
NotApplied = exceptions.NotApplied
TooOld = exceptions.TooOld
Unconfirmed = exceptions.Unconfirmed
Untrusted = exceptions.Untrusted
VersionUnavailable = exceptions.VersionUnavailable
is_server_error = failures.is_server_error
is_uncertain = failures.is_uncertain
is_unreachable = failures.is_unreachable
# Retries of reads (cinder/connection.py).
READ_RETRIES = connection.READ_RETRIES
RETRIED_STATUSES = connection.RETRIED_STATUSES

#: Actions Cinder answers only after the backend's cinder-volume has taken
#: the RPC (failover is a cast, but publishing it waits on RabbitMQ).
RPC_ACTIONS = ('freeze', 'thaw', 'failover', 'failover_host')


def connect(
    client_manager: connection.ConnectionHolder,
    requested: str,
    rpc_timeout: float | None = None,
    unknown: connection.Listener | None = None,
) -> ServiceAPI:
    """A ServiceAPI for OSC's SDK connection at the ``requested`` version.

    ``rpc_timeout`` bounds requests that wait on RPC (the option's value,
    None for the defaults); ``unknown`` is told what a fallback leaves
    unknown.
    """
    proxy = connection.block_storage(client_manager, requested)
    return ServiceAPI(proxy, requested.split('.')[0], rpc_timeout, unknown)


class ServiceAPI(reads.Reads):
    """os-services requests at one negotiated microversion: the reads of
    ``reads.Reads`` and the requests that change services."""

    def put(self, action: str, body: Mapping[str, Any]) -> requests.Response:
        # Never retried: a request that got no clear answer may have been
        # applied. Callers re-read the service to learn what happened.
        options: dict[str, float] = {}
        if action in RPC_ACTIONS:
            options['timeout'] = self.action_bound
        try:
            response = self.proxy.put(
                f'/os-services/{action}',
                json=body,
                microversion=self.microversion,
                connect_retries=0,
                status_code_retries=0,
                **options,
            )
            sdk_exceptions.raise_from_response(response)
        except Exception as exc:
            if action not in RPC_ACTIONS:
                raise
            self._unconfirmed(action, exc)
        return response

    def _unconfirmed(self, action: str, exc: Exception) -> NoReturn:
        from keystoneauth1 import exceptions as ksa_exceptions

        if isinstance(exc, ksa_exceptions.ConnectTimeout):
            why = f'got no answer within {self.action_bound:g} s'
        elif is_server_error(exc):
            why = (
                f'failed with HTTP {exc.status_code} '
                f'({failures.one_line(exc.details or "")})'
            )
        else:
            raise exc
        verb = 'failover' if action.startswith('failover') else action
        raise Unconfirmed(
            f'{verb} {why}: Cinder answers it only once the backend\'s '
            f'cinder-volume has, over RabbitMQ (is either down?)'
        ) from exc

    def disable(self, service: Service, reason: str | None = None) -> None:
        body = {'host': service.host, 'binary': service.binary}
        if reason:
            body['disabled_reason'] = reason
        # disable-log-reason works on every release; plain disable is a
        # no-op on Cinder 28.0.0 and later.
        self.put('disable-log-reason', body)

    def enable(self, service: Service) -> None:
        self.put('enable', {'host': service.host, 'binary': service.binary})

    def freeze(self, target: Target) -> None:
        self.put('freeze', target.body)

    def thaw(self, target: Target) -> str | None:
        response = self.put('thaw', target.body)
        # Cinder answers 200 with a plain-text error when the driver fails.
        return response.text.strip().strip('"') or None

    def failover(self, target: Target, backend_id: str | None = None) -> requests.Response:
        body = dict(target.body)
        if backend_id:
            body['backend_id'] = backend_id
        if self.supports(versions.CLUSTER_ACTIONS):
            try:
                return self.put('failover', body)
            except sdk_exceptions.NotFoundException:
                # Cinder 28.0.0 and later route only failover_host, which
                # takes the cluster field itself at 3.26 and later.
                pass
        return self.put('failover_host', body)
