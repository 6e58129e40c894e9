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

"""Turn SDK and keystoneauth failures into one-line operator messages.

Every command's exceptions pass through :func:`translate` (see
``volsvcclient.osc.command``), so each failure reads the same everywhere.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from osc_lib import exceptions

from volsvcclient.cinder import failures

if TYPE_CHECKING:
    from openstack import exceptions as sdk_exceptions

_URL = re.compile(r'https?://[^\s:/]+(?::\d+)?[^\s:]*')
#: What keystoneauth appends to the server's message of an HTTP error.
_KSA_STATUS = re.compile(r' \(HTTP \d+\)( \(Request-ID: [^)]*\))?$')
#: How openstacksdk words a service missing from the catalog, which it
#: reports only once the service is used.
_NOT_IN_CATALOG = 'not present in the service catalog: '


#: Server text on one line (the API layer's helpers, used here too).
one_line = failures.one_line
plain = failures.plain

#: Cinder's refusals of freeze, thaw and failover name the database
#: condition that failed, and every one ends "to failover".
_REFUSALS = (
    (re.compile(r'frozen in (.+?) must be False to failover\.?'),
     r'\1 already frozen'),
    (re.compile(r'frozen in (.+?) must be True to failover\.?'),
     r'\1 not frozen'),
    (re.compile(r'replication_status in (.+?) must be (.+?) to failover\.?'),
     r'\1 cannot fail over: replication status must be \2'),
)


def _for_operators(details: str) -> str:
    for pattern, words in _REFUSALS:
        details = pattern.sub(words, details)
    return details


def _is_keystone(url: str, auth_url: str | None) -> bool:
    """Whether ``url`` is under the auth URL, less its API version: on
    devstack Keystone and cinder-api share a host (/identity, /volume), and
    elsewhere a port (Keystone on 443, cinder-api on 8776)."""
    base = (auth_url or '').rstrip('/')
    for suffix in ('/v3', '/v2.0'):
        base = base.removesuffix(suffix)
    return bool(base) and (url == base or url.startswith(base + '/'))


def _endpoint(exc: BaseException) -> str:
    match = _URL.search(str(exc))
    return match.group(0) if match else 'the Block Storage endpoint'


def translate(
    exc: BaseException, keystone: str | None = None
) -> exceptions.CommandError | None:
    """A CommandError for ``exc``, or None when it is not ours to word.

    ``keystone`` is the auth URL, to tell Keystone's failures from
    cinder-api's.
    """
    from keystoneauth1 import exceptions as ksa_exceptions
    from openstack import exceptions as sdk_exceptions

    if isinstance(exc, exceptions.CommandError):
        return exc
    if isinstance(exc, failures.CinderError):
        return _cinder_error(exc)
    if isinstance(exc, sdk_exceptions.HttpException):
        return _http_error(exc)
    server = 'Keystone' if _is_keystone(_endpoint(exc), keystone) else 'cinder-api'
    if isinstance(exc, ksa_exceptions.SSLError):
        return _tls_failure(server, exc)
    if isinstance(exc, ksa_exceptions.ConnectTimeout):
        return exceptions.CommandError(
            f'{server} at {_endpoint(exc)} did not answer in time: is it '
            f'running, and is its database up?'
        )
    if isinstance(exc, ksa_exceptions.ConnectFailure):
        return exceptions.CommandError(
            f'Cannot connect to {server} at {_endpoint(exc)} (connection '
            f'refused or unreachable): is {server} running?'
        )
    if isinstance(exc, ksa_exceptions.HttpError):
        server = 'Keystone' if _is_keystone(exc.url or '', keystone) else 'the server'
        advice = ': is its database up?' if (exc.http_status or 0) >= 500 else ''
        said = exc.details or _KSA_STATUS.sub('', exc.message or '')
        return exceptions.CommandError(
            f'{server} at {exc.url or _endpoint(exc)} answered HTTP '
            f'{exc.http_status}: {plain(said)}{advice}'
        )
    if isinstance(
        exc, (ksa_exceptions.EndpointNotFound, sdk_exceptions.EndpointNotFound)
    ):
        return _no_endpoint(one_line(exc))
    if isinstance(exc, sdk_exceptions.ServiceDisabledException):
        missing = str(exc).partition(_NOT_IN_CATALOG)[2]
        if missing:
            return _no_endpoint(one_line(missing))
    if isinstance(
        exc, (ksa_exceptions.DiscoveryFailure, sdk_exceptions.SDKException)
    ):
        return exceptions.CommandError(one_line(exc))
    return None


def _cinder_error(exc: failures.CinderError) -> exceptions.CommandError:
    """The API layer's sentence, with the option that would change it
    where one would."""
    from volsvcclient.cinder import versions
    from volsvcclient.osc import voice

    if isinstance(exc, failures.Untrusted):
        return _tls_failure('cinder-api', exc.cause)
    if isinstance(exc, failures.NoSuchAPI):
        return exceptions.CommandError(
            f"This cloud's Block Storage service does not offer API version "
            f"{exc.requested} (--os-volume-api-version or OS_VOLUME_API_VERSION); "
            f"current Cinder offers only version 3"
        )
    if isinstance(exc, failures.TooOld):
        option = voice.Voice.option(exc.option)
        return exceptions.CommandError(
            f'{versions.needs(option, exc.minimum)} (this command is using '
            f'Block Storage {exc.version_label})'
        )
    return exceptions.CommandError(str(exc))


def _tls_failure(server: str, exc: BaseException) -> exceptions.CommandError:
    return exceptions.CommandError(
        f'TLS failure talking to {server} at {_endpoint(exc)}: give its CA '
        f"with --os-cacert or 'cacert' in clouds.yaml ({one_line(exc)})"
    )


def _no_endpoint(why: str) -> exceptions.CommandError:
    return exceptions.CommandError(
        f'No Block Storage endpoint for this API version in the service '
        f'catalog ({why})'
    )


def _http_error(exc: sdk_exceptions.HttpException) -> exceptions.CommandError:
    details = one_line(exc.details or '') or 'no details given'
    if exc.status_code == 403:
        return exceptions.CommandError(
            f"Forbidden by the server's policy (managing volume services "
            f"requires an administrator by default): {details}"
        )
    if exc.status_code == 400:
        return exceptions.CommandError(
            f'The server refused the request: {_for_operators(details)}'
        )
    if exc.status_code == 401:
        return exceptions.CommandError(f'Authentication failed: {details}')
    return exceptions.CommandError(
        f'{exc.method or "Request"} {exc.url} failed with HTTP '
        f'{exc.status_code}: {details}'
    )
