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

"""Reading os-services: listings at the cheapest microversion that shows
what is asked, one service by name, a cluster's members, and the re-read
that verifies a change."""

from __future__ import annotations

import builtins
import datetime
from typing import TYPE_CHECKING, Any, Mapping, Sequence, cast

from openstack import exceptions as sdk_exceptions

from volsvcclient.cinder import connection
from volsvcclient.cinder import exceptions
from volsvcclient.cinder import failures
from volsvcclient.cinder import records
from volsvcclient.cinder import versions

if TYPE_CHECKING:
    import requests

Service = records.Service


def server_time(response: requests.Response) -> datetime.datetime | None:
    """cinder-api's clock, from an answer's Date header (None without one)."""
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(response.headers['Date'])
    except (KeyError, TypeError, ValueError):
        return None
    # '-0000' (RFC 2822's "zone unknown") gives no zone: HTTP dates are UTC.
    return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)


class Reads(connection.Connection):
    """os-services GET requests, retried as ``read_retries`` says."""

    def list(
        self, host: str | None = None, binary: str | None = None, backend_state: bool = False
    ) -> builtins.list[Service]:
        """Services, at the session's microversion when ``backend_state``
        is shown or the user pinned one, else at most just below it: from
        3.49 on, Cinder asks the scheduler for every backend's state on each
        os-services GET."""
        query: dict[str, str] = {}
        if host:
            query['host'] = host
        if binary:
            query['binary'] = binary
        microversion = self.microversion
        if not (backend_state or self.pinned) and self.supports(versions.BACKEND_STATE):
            microversion = versions.BEFORE_BACKEND_STATE
        if not versions.at_least(microversion, versions.BACKEND_STATE):
            return self._get(query, microversion)
        if self.backend_state_unknown is None:
            try:
                # Bounded and not retried: the fallback below is the retry.
                return self._get(
                    query, microversion, timeout=self.read_bound,
                    connect_retries=0, status_code_retries=0,
                )
            except Exception as exc:
                if not failures.is_uncertain(exc):
                    raise
                self._scheduler_silent(exc)
        listed = self._get(query, versions.BEFORE_BACKEND_STATE)
        for service in listed:
            if service.binary == records.VOLUME_BINARY:
                service.fields['backend_state'] = records.UNKNOWN
        return listed

    def _get(
        self, query: Mapping[str, str], microversion: str | None, **options: Any
    ) -> builtins.list[Service]:
        response = self.proxy.get(
            '/os-services', params=query, microversion=microversion,
            **{**self.read_retries, **options},
        )
        sdk_exceptions.raise_from_response(response)
        self.server_time = server_time(response)
        return [Service(fields) for fields in response.json()['services']]

    def _scheduler_silent(self, exc: BaseException) -> None:
        if failures.is_server_error(exc):
            what = (
                f'cinder-api failed the {versions.BACKEND_STATE} read with HTTP '
                f'{exc.status_code}'
            )
        else:
            what = f'cinder-scheduler did not answer within {self.read_bound:g} s'
        self.backend_state_unknown = what
        if self.unknown is not None:
            self.unknown(what, versions.BEFORE_BACKEND_STATE)

    def read(self, host: str, binary: str, backend_state: bool = False) -> Service | None:
        """The service ``binary`` on exactly ``host``, or None."""
        # Cinder's host filter also matches 'host@backend': keep exact ones.
        listed = self.list(host=host, binary=binary, backend_state=backend_state)
        for service in listed:
            if service.host == host and service.binary == binary:
                return service
        return None

    def find(self, host: str, binary: str, backend_state: bool = False) -> Service:
        """Like :meth:`read`, failing with what does exist instead."""
        service = self.read(host, binary, backend_state)
        if service is None:
            raise exceptions.NoSuchService(self._not_found(host, binary))
        return service

    def _not_found(self, host: str, binary: str) -> str:
        hosts = {s.host for s in self.list(binary=binary)}
        if hosts:
            return (
                f"No {binary} service on host '{host}'. Hosts running "
                f"{binary}: {records.shorten(hosts)}"
            )
        binaries = {s.binary for s in self.list(host=host) if s.host == host}
        if binaries:
            return (
                f"No service '{binary}' on host '{host}'; that host runs: "
                f"{records.shorten(binaries)}"
            )
        return f"No service '{binary}' on host '{host}', and no host runs {binary}"

    def cluster_members(self, cluster: str) -> builtins.list[Service]:
        """cinder-volume services of ``cluster``; an error when none."""
        volume = records.VOLUME_BINARY
        members = [s for s in self.list(binary=volume) if s.cluster == cluster]
        if not members:
            clusters = {s.cluster for s in self.list(binary=volume) if s.cluster}
            known = records.shorten(clusters) if clusters else 'none'
            raise exceptions.NoSuchService(
                f"No {volume} service in cluster '{cluster}'. Clusters: {known}"
            )
        return members

    def members(self, target: records.Target) -> builtins.list[Service]:
        """The cinder-volume services that ``target`` changes.

        Cinder applies freeze, thaw and failover of a clustered host to its
        whole cluster.
        """
        if target.cluster:
            return self.cluster_members(target.cluster)
        # A Target without a cluster names a host (the commands see to it).
        assert target.host is not None
        service = self.find(target.host, records.VOLUME_BINARY)
        if service.cluster:
            return self.cluster_members(service.cluster)
        return [service]

    def reread(self, services: Sequence[Service], after: str = '') -> builtins.list[Service]:
        """The current state of each of ``services``, in one request."""
        if len(services) == 1:
            listed = [self.read(services[0].host, services[0].binary)]
        else:
            binaries = {s.binary for s in services}
            one_binary = binaries.pop() if len(binaries) == 1 else None
            current = {(s.host, s.binary): s for s in self.list(binary=one_binary)}
            listed = [current.get((s.host, s.binary)) for s in services]
        for service, found in zip(services, listed):
            if found is None:
                raise exceptions.NotApplied(f'{service.label} disappeared{after}')
        # Every one was found: a None raised above.
        return cast('builtins.list[Service]', listed)
