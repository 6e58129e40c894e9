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

"""The os-services API of one Cinder and its read model, through
openstacksdk's block-storage proxy. The engine that composes its requests
(plan, send, verify) lives one layer up.

Commands import this module inside ``take_action`` only: it pulls in
openstacksdk, which ``openstack`` must not pay for on unrelated commands.
"""

from __future__ import annotations

import builtins
import re
from typing import (
    TYPE_CHECKING, Any, Iterable, Iterator, Mapping, NoReturn, Protocol, Sequence,
    TypeGuard, cast,
)

from openstack import exceptions as sdk_exceptions
from openstack import utils as sdk_utils

from volsvcclient import bounds
from volsvcclient import columns
from volsvcclient import errors
from volsvcclient import versions

if TYPE_CHECKING:
    import datetime

    from openstack import connection
    from openstack import proxy as sdk_proxy
    from osc_lib import exceptions as osc_exceptions
    import requests

    from volsvcclient import voice as voice_module

    class ConnectionHolder(Protocol):
        """OSC's ClientManager, or volsvc's: what holds the SDK connection."""

        @property
        def sdk_connection(self) -> connection.Connection: ...

VOLUME_BINARY = 'cinder-volume'

#: Why a 200 from os-services/enable may change nothing.
ENABLE_IGNORED = (
    'Cinder 28.0.0 and later answer os-services/enable with 200 without '
    'enabling the service'
)

_FIELD_LABELS = {
    'status': 'status',
    'disabled_reason': 'disabled reason',
    'is_frozen': 'frozen',
    'replication_status': 'replication status',
}

#: How often a read is retried on a connection error or a status below.
READ_RETRIES = 3
RETRIED_STATUSES = (502, 503, 504)

#: The replication status of a backend while cinder-volume fails it over.
FAILING_OVER = 'failing-over'
#: The --backend-id that fails back to the primary backend.
FAILBACK = 'default'
#: Backend State when cinder-scheduler did not say.
UNKNOWN = 'unknown'
#: Actions Cinder answers only after the backend's cinder-volume has taken
#: the RPC (failover is a cast, but publishing it waits on RabbitMQ).
RPC_ACTIONS = ('freeze', 'thaw', 'failover', 'failover_host')


class Service:
    """One os-services entry, read-only, under openstacksdk's attribute names.

    openstacksdk's Service resource costs about 0.3 ms to build (3 s for a
    10,000-service list) and adds nothing to a read-only listing; this
    costs about a microsecond. Requests still go through the SDK's
    block-storage proxy, and attribute names follow the SDK's
    (``availability_zone``, ``is_frozen``), so osc-lib's
    ``get_item_properties`` reads both alike.
    """

    __slots__ = ('fields',)
    ATTRIBUTES = frozenset(attr for attr, _, _, _ in columns.SERVICE_COLUMNS)

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def __getattr__(self, attr: str) -> Any:
        if attr not in self.ATTRIBUTES:
            raise AttributeError(attr)
        return self.fields.get(columns.SERVER_FIELDS.get(attr, attr))

    def __repr__(self) -> str:
        return f'Service({self.fields!r})'

    @property
    def label(self) -> str:
        return f'{self.binary} on {self.host}'

    @property
    def key(self) -> tuple[str, str]:
        return (self.host, self.binary)


def rows(
    listed: Iterable[Service], attributes: Sequence[str]
) -> Iterator[tuple[Any, ...]]:
    """Each service's values of ``attributes``, as osc-lib's
    ``get_item_properties`` gives them, without its per-cell string work
    and ``getattr`` (0.1 s for 10,000 services)."""
    keys = [columns.SERVER_FIELDS.get(attr, attr) for attr in attributes]
    return (tuple(map(service.fields.get, keys)) for service in listed)


class CinderError(Exception):
    """What this layer raises: one sentence on what Cinder did or lacks,
    which the command layer prints as its one-line error
    (``errors.translate``)."""


class NoSuchService(CinderError):
    """No service (or cluster) of that name; the message says what exists."""


class VersionUnavailable(CinderError):
    """The Block Storage API version or microversion asked for is not
    offered by this cloud."""


class NotApplied(CinderError):
    """The server accepted a request but the service did not change."""


class Unconfirmed(CinderError):
    """A request that waits on a cinder-volume got no answer in time, or
    Cinder failed it with 5xx: the database may have changed, the backend
    has not confirmed."""


def is_unreachable(exc: BaseException) -> bool:
    """Whether the server could not be reached or stopped answering."""
    from keystoneauth1 import exceptions as ksa_exceptions

    return isinstance(exc, ksa_exceptions.ConnectionError)


def is_server_error(exc: BaseException) -> TypeGuard[sdk_exceptions.HttpException]:
    return (
        isinstance(exc, sdk_exceptions.HttpException)
        and (exc.status_code or 500) >= 500
    )


def is_uncertain(exc: BaseException) -> bool:
    """Whether a request got no clear answer, so may have been applied."""
    return (
        is_unreachable(exc) or is_server_error(exc) or isinstance(exc, Unconfirmed)
    )


def _server_time(response: requests.Response) -> datetime.datetime | None:
    import email.utils

    try:
        return email.utils.parsedate_to_datetime(response.headers['Date'])
    except (KeyError, TypeError, ValueError):
        return None


def heartbeat_age(service: Service, now: datetime.datetime | None) -> float | None:
    """Seconds since ``service`` last reported, by the server's clock
    ``now`` (Cinder's updated_at is UTC without a zone); None if unknown."""
    import datetime

    if now is None or not service.updated_at:
        return None
    try:
        updated = datetime.datetime.fromisoformat(str(service.updated_at))
    except ValueError:
        return None
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=datetime.timezone.utc)
    return (now - updated).total_seconds()


def mismatches(service: Service, expected: Mapping[str, Any]) -> list[str]:
    """Human phrases for each expected field the service does not have."""
    return [
        f'{_FIELD_LABELS.get(attr, attr)} is {getattr(service, attr)!r}'
        for attr, want in expected.items()
        if getattr(service, attr) != want
    ]


#: Said of a service that ended neither as it was nor as asked.
ANOTHER_CLIENT = 'another client changed it meanwhile'


def changed_by_another(before: Service, now: Service, expected: Mapping[str, Any]) -> bool:
    """Whether a field is neither as it was before our requests nor as
    asked: no Cinder release does that by ignoring a request (it answers
    200 and changes nothing), so another client did."""
    return any(
        getattr(now, attr) != want and getattr(now, attr) != getattr(before, attr)
        for attr, want in expected.items()
    )


def shorten(names: Iterable[str], most: int = 10) -> str:
    names = sorted(names)
    if len(names) <= most:
        return ', '.join(names)
    return f"{', '.join(names[:most])} and {len(names) - most} more"


class Target:
    """What freeze, thaw and failover act on: one host or one cluster."""

    def __init__(self, host: str | None = None, cluster: str | None = None) -> None:
        self.host = host
        self.cluster = cluster

    @property
    def body(self) -> dict[str, str | None]:
        return {'cluster': self.cluster} if self.cluster else {'host': self.host}

    def __str__(self) -> str:
        return f"cluster '{self.cluster}'" if self.cluster else f"host '{self.host}'"


def connect(
    client_manager: ConnectionHolder,
    requested: str,
    rpc_timeout: float | None = None,
    voice: voice_module.Voice | None = None,
) -> ServiceAPI:
    """A ServiceAPI for OSC's SDK connection at the ``requested`` version.

    ``rpc_timeout`` bounds requests that wait on RPC (the option's value,
    None for the defaults); ``voice`` tells the operator what a fallback
    leaves unknown.
    """
    try:
        # Not client_manager.volume_service: OSC caches that proxy on the
        # ClientManager class, so it would outlive this command's options
        # in a process that runs several commands.
        proxy = client_manager.sdk_connection.block_storage
    except sdk_exceptions.NotSupported as exc:
        if requested.split('.')[0] == '3':
            # No usable version at all: the version document was not read.
            raise _why_undiscovered(client_manager) or exc
        raise _no_such_api(requested) from exc
    except sdk_exceptions.ServiceDiscoveryException as exc:
        raise _why_undiscovered(client_manager) or exc
    except sdk_exceptions.ConfigException as exc:
        bounds = re.search(r'minimum of (\S+) and a maximum of ([\d.]+)', str(exc))
        if not bounds:
            raise
        if requested.split('.')[0] != bounds.group(1).split('.')[0]:
            raise _no_such_api(requested) from exc
        raise VersionUnavailable(
            f'Block Storage API {requested} is not available: the server '
            f'supports {bounds.group(1)} to {bounds.group(2)}'
        ) from exc
    return ServiceAPI(proxy, requested.split('.')[0], rpc_timeout, voice)


def _configured(value: int | None, default: int) -> int:
    """clouds.yaml's setting when it has one (0 included), else ours."""
    return default if value is None else value


def _no_such_api(requested: str) -> VersionUnavailable:
    return VersionUnavailable(
        f"This cloud's Block Storage service does not offer API version "
        f"{requested} (--os-volume-api-version or OS_VOLUME_API_VERSION); "
        f"current Cinder offers only version 3"
    )


def _why_undiscovered(
    client_manager: ConnectionHolder,
) -> CinderError | osc_exceptions.CommandError | None:
    """The cause openstacksdk's discovery keeps to itself: TLS, or an
    error answer to the version document."""
    from keystoneauth1 import exceptions as ksa_exceptions

    connection = client_manager.sdk_connection
    try:
        url = connection.endpoint_for('block-storage')
        if url:
            response = connection.session.get(url, authenticated=False, raise_exc=False)
            if response.status_code >= 400:
                return CinderError(
                    f'cinder-api at {url} answered its version document with '
                    f'HTTP {response.status_code}: {errors.plain(response.text)}'
                )
    except ksa_exceptions.SSLError as exc:
        return errors.translate(exc)
    except Exception:
        pass
    return None


class ServiceAPI:
    """os-services requests at one negotiated microversion."""

    def __init__(
        self,
        proxy: sdk_proxy.Proxy,
        major: str,
        rpc_timeout: float | None = None,
        voice: voice_module.Voice | None = None,
    ) -> None:
        self.proxy = proxy
        self.major = major
        api_timeout = proxy.session.timeout
        self.read_bound = bounds.effective(
            rpc_timeout, bounds.BACKEND_STATE, api_timeout
        )
        self.action_bound = bounds.effective(rpc_timeout, bounds.ACTION, api_timeout)
        self.voice = voice
        #: Why Backend State is unknown, once a 3.49 read went unanswered.
        self.backend_state_unknown: str | None = None
        #: cinder-api's clock at the last read (its Date header), which is
        #: the clock Cinder judges up and down by; None when not sent.
        self.server_time: datetime.datetime | None = None
        #: The user asked for this exact microversion: every request uses it.
        self.pinned = bool(proxy.default_microversion)
        self.microversion = self._negotiate()
        #: Reads are safe to repeat, so keystoneauth retries them with
        #: backoff, as clouds.yaml says (connect_retries,
        #: block_storage_status_code_retries) or else READ_RETRIES times;
        #: writes are not (see put). Given per request: the proxy is shared.
        self.read_retries = {
            'connect_retries': _configured(proxy.connect_retries, READ_RETRIES),
            'status_code_retries': _configured(proxy.status_code_retries, READ_RETRIES),
            'retriable_status_codes': (
                proxy.retriable_status_codes or list(RETRIED_STATUSES)
            ),
        }

    def _negotiate(self) -> str | None:
        if self.major == '2':
            return None
        if self.proxy.default_microversion:
            return self.proxy.default_microversion
        newest = sdk_utils.maximum_supported_microversion(
            self.proxy, versions.NEWEST_USED
        )
        return newest or '3.0'

    @property
    def version_label(self) -> str:
        return f'API {self.microversion}' if self.microversion else 'API v2'

    def supports(self, minimum: str) -> bool:
        return versions.at_least(self.microversion, minimum)

    def require(self, minimum: str, option: str) -> None:
        """Fail before any request when ``option`` needs a newer version."""
        if not self.supports(minimum):
            raise VersionUnavailable(
                f'{versions.needs(option, minimum)} (this command is using '
                f'Block Storage {self.version_label})'
            )

    # Reading

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
                if not is_uncertain(exc):
                    raise
                self._scheduler_silent(exc)
        listed = self._get(query, versions.BEFORE_BACKEND_STATE)
        for service in listed:
            if service.binary == VOLUME_BINARY:
                service.fields['backend_state'] = UNKNOWN
        return listed

    def _get(
        self, query: Mapping[str, str], microversion: str | None, **options: Any
    ) -> builtins.list[Service]:
        response = self.proxy.get(
            '/os-services', params=query, microversion=microversion,
            **{**self.read_retries, **options},
        )
        sdk_exceptions.raise_from_response(response)
        self.server_time = _server_time(response)
        return [Service(fields) for fields in response.json()['services']]

    def _scheduler_silent(self, exc: BaseException) -> None:
        if is_server_error(exc):
            what = (
                f'cinder-api failed the {versions.BACKEND_STATE} read with HTTP '
                f'{exc.status_code}'
            )
        else:
            what = f'cinder-scheduler did not answer within {self.read_bound:g} s'
        self.backend_state_unknown = what
        if self.voice is not None:
            self.voice.backend_state_unknown(what, versions.BEFORE_BACKEND_STATE)

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
            raise NoSuchService(self._not_found(host, binary))
        return service

    def _not_found(self, host: str, binary: str) -> str:
        hosts = {s.host for s in self.list(binary=binary)}
        if hosts:
            return (
                f"No {binary} service on host '{host}'. Hosts running "
                f"{binary}: {shorten(hosts)}"
            )
        binaries = {s.binary for s in self.list(host=host) if s.host == host}
        if binaries:
            return (
                f"No service '{binary}' on host '{host}'; that host runs: "
                f"{shorten(binaries)}"
            )
        return f"No service '{binary}' on host '{host}', and no host runs {binary}"

    def cluster_members(self, cluster: str) -> builtins.list[Service]:
        """cinder-volume services of ``cluster``; an error when none."""
        members = [
            s for s in self.list(binary=VOLUME_BINARY) if s.cluster == cluster
        ]
        if not members:
            clusters = {
                s.cluster for s in self.list(binary=VOLUME_BINARY) if s.cluster
            }
            known = shorten(clusters) if clusters else 'none'
            raise NoSuchService(
                f"No {VOLUME_BINARY} service in cluster '{cluster}'. "
                f"Clusters: {known}"
            )
        return members

    def members(self, target: Target) -> builtins.list[Service]:
        """The cinder-volume services that ``target`` changes.

        Cinder applies freeze, thaw and failover of a clustered host to its
        whole cluster.
        """
        if target.cluster:
            return self.cluster_members(target.cluster)
        # A Target without a cluster names a host (the commands see to it).
        assert target.host is not None
        service = self.find(target.host, VOLUME_BINARY)
        if service.cluster:
            return self.cluster_members(service.cluster)
        return [service]

    # Acting

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
            why = f'failed with HTTP {exc.status_code} ({errors.one_line(exc.details or "")})'
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

    # Checking

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
                raise NotApplied(f'{service.label} disappeared{after}')
        # Every one was found: a None raised above.
        return cast('builtins.list[Service]', listed)
