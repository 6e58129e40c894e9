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

"""One Cinder at one microversion: the block-storage proxy of OSC's SDK
connection, the version negotiated with the server, the time bounds and
retry settings each request carries, and why discovery failed when the SDK
does not say.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

from openstack import exceptions as sdk_exceptions
from openstack import utils as sdk_utils

from volsvcclient.cinder import bounds
from volsvcclient.cinder import exceptions
from volsvcclient.cinder import failures
from volsvcclient.cinder import versions

if TYPE_CHECKING:
    import datetime

    from openstack import connection
    from openstack import proxy as sdk_proxy

    class ConnectionHolder(Protocol):
        """OSC's ClientManager, or volsvc's: what holds the SDK connection."""

        @property
        def sdk_connection(self) -> connection.Connection: ...


class Listener(Protocol):
    """Who hears what a read's fallback leaves unknown: this layer states
    the fact (``what``, and the microversion it listed at instead), the
    engine's listener tells it."""

    def __call__(self, what: str, listed_at: str) -> None: ...


#: How often a read is retried on a connection error or a status below.
READ_RETRIES = 3
RETRIED_STATUSES = (502, 503, 504)


def block_storage(client_manager: ConnectionHolder, requested: str) -> sdk_proxy.Proxy:
    """The block-storage proxy at the ``requested`` API version, or the
    Error that says why there is none."""
    try:
        # Not client_manager.volume_service: OSC caches that proxy on the
        # ClientManager class, so it would outlive this command's options
        # in a process that runs several commands.
        return client_manager.sdk_connection.block_storage
    except sdk_exceptions.NotSupported as exc:
        if requested.split('.')[0] == '3':
            # No usable version at all: the version document was not read.
            raise _why_undiscovered(client_manager) or exc
        raise exceptions.NoSuchAPI(requested) from exc
    except sdk_exceptions.ServiceDiscoveryException as exc:
        raise _why_undiscovered(client_manager) or exc
    except sdk_exceptions.ConfigException as exc:
        offered = re.search(r'minimum of (\S+) and a maximum of ([\d.]+)', str(exc))
        if not offered:
            raise
        if requested.split('.')[0] != offered.group(1).split('.')[0]:
            raise exceptions.NoSuchAPI(requested) from exc
        raise exceptions.VersionUnavailable(
            f'Block Storage API {requested} is not available: the server '
            f'supports {offered.group(1)} to {offered.group(2)}'
        ) from exc


def _why_undiscovered(client_manager: ConnectionHolder) -> exceptions.Error | None:
    """The cause openstacksdk's discovery keeps to itself: TLS, or an
    error answer to the version document."""
    from keystoneauth1 import exceptions as ksa_exceptions

    connection = client_manager.sdk_connection
    try:
        url = connection.endpoint_for('block-storage')
        if url:
            response = connection.session.get(url, authenticated=False, raise_exc=False)
            if response.status_code >= 400:
                return exceptions.Error(
                    f'cinder-api at {url} answered its version document with '
                    f'HTTP {response.status_code}: {failures.plain(response.text)}'
                )
    except ksa_exceptions.SSLError as exc:
        return exceptions.Untrusted('cinder-api', failures.endpoint(exc), exc)
    except Exception:
        pass
    return None


def _configured(value: int | None, default: int) -> int:
    """clouds.yaml's setting when it has one (0 included), else ours."""
    return default if value is None else value


class Connection:
    """The proxy at one negotiated microversion, with the bounds and retry
    settings that every request passes (the proxy is shared: nothing is
    set on it)."""

    def __init__(
        self,
        proxy: sdk_proxy.Proxy,
        major: str,
        rpc_timeout: float | None = None,
        unknown: Listener | None = None,
    ) -> None:
        self.proxy = proxy
        self.major = major
        api_timeout = proxy.session.timeout
        self.read_bound = bounds.effective(
            rpc_timeout, bounds.BACKEND_STATE, api_timeout
        )
        self.action_bound = bounds.effective(rpc_timeout, bounds.ACTION, api_timeout)
        #: Told when Backend State falls back to unknown.
        self.unknown = unknown
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
        self.read_retries: dict[str, Any] = {
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
            raise exceptions.TooOld(option, minimum, self.version_label)
