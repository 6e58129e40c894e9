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

"""How the Cinder API layer tells one failure from another, and describes
each failure of keystoneauth and openstacksdk as one of the facts of
``volsvcclient.cinder.exceptions`` (every face words them from there).

Import-light: the command layer uses the text helpers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeGuard

from volsvcclient.cinder.text import one_line
from volsvcclient.cinder.text import plain

if TYPE_CHECKING:
    from openstack import exceptions as sdk_exceptions

    from volsvcclient.cinder import exceptions

__all__ = ['describe', 'endpoint', 'is_server_error', 'is_uncertain',
           'is_unreachable', 'one_line', 'plain']

_URL = re.compile(r'https?://[^\s:/]+(?::\d+)?[^\s:]*')
#: What keystoneauth appends to the server's message of an HTTP error.
_KSA_STATUS = re.compile(r' \(HTTP \d+\)( \(Request-ID: [^)]*\))?$')
#: How openstacksdk words a service missing from the catalog, which it
#: reports only once the service is used.
_NOT_IN_CATALOG = 'not present in the service catalog: '


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


def endpoint(exc: BaseException) -> str:
    """The URL a keystoneauth failure names."""
    match = _URL.search(str(exc))
    return match.group(0) if match else 'the Block Storage endpoint'


def describe(exc: BaseException, keystone: str | None = None) -> exceptions.Error | None:
    """``exc`` as one of our exceptions, or None when it is not ours to
    word (a bug, an interrupt). ``keystone`` is the auth URL, to tell
    Keystone's failures from cinder-api's."""
    from keystoneauth1 import exceptions as ksa_exceptions
    from openstack import exceptions as sdk_exceptions

    from volsvcclient.cinder import exceptions

    if isinstance(exc, exceptions.Error):
        return exc
    if isinstance(exc, sdk_exceptions.HttpException):
        return _http_error(exc)
    server = 'Keystone' if _is_keystone(endpoint(exc), keystone) else 'cinder-api'
    if isinstance(exc, ksa_exceptions.SSLError):
        return exceptions.Untrusted(server, endpoint(exc), exc)
    if isinstance(exc, ksa_exceptions.ConnectTimeout):
        return exceptions.Unreachable(
            f'{server} at {endpoint(exc)} did not answer in time: is it '
            f'running, and is its database up?', server)
    if isinstance(exc, ksa_exceptions.ConnectFailure) and _dropped(exc):
        return exceptions.Unreachable(
            f'{server} at {endpoint(exc)} closed the connection without an answer '
            f'(it may have received the request): is {server} restarting?', server)
    if isinstance(exc, ksa_exceptions.ConnectFailure):
        return exceptions.Unreachable(
            f'Cannot connect to {server} at {endpoint(exc)} (connection '
            f'refused or unreachable): is {server} running?', server)
    if isinstance(exc, ksa_exceptions.HttpError):
        server = 'Keystone' if _is_keystone(exc.url or '', keystone) else 'the server'
        advice = ': is its database up?' if (exc.http_status or 0) >= 500 else ''
        said = exc.details or _KSA_STATUS.sub('', exc.message or '')
        return exceptions.RequestFailed(
            f'{server} at {exc.url or endpoint(exc)} answered HTTP '
            f'{exc.http_status}: {plain(said)}{advice}', exc.http_status)
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
        return exceptions.Error(one_line(exc))
    return None


#: What the connection error of a request that reached the server says:
#: the server (or something on the way) closed it before answering.
_DROPPED = ('Connection aborted', 'RemoteDisconnected', 'reset by peer',
            'BrokenPipe', 'Broken pipe')


def _dropped(exc: BaseException) -> bool:
    """Whether a connection failure came after the request was sent, not
    from a connection refused or never made."""
    return any(sign in str(exc) for sign in _DROPPED)


def _no_endpoint(why: str) -> exceptions.Error:
    from volsvcclient.cinder import exceptions

    return exceptions.Error(
        f'No Block Storage endpoint for this API version in the service '
        f'catalog ({why})'
    )


def _http_error(exc: sdk_exceptions.HttpException) -> exceptions.Error:
    from volsvcclient.cinder import exceptions

    details = one_line(exc.details or '') or 'no details given'
    if exc.status_code == 403:
        text = (f"Forbidden by the server's policy (managing volume services "
                f"requires an administrator by default): {details}")
    elif exc.status_code == 400:
        text = f'The server refused the request: {_for_operators(details)}'
    elif exc.status_code == 401:
        text = f'Authentication failed: {details}'
    else:
        text = (f'{exc.method or "Request"} {exc.url} failed with HTTP '
                f'{exc.status_code}: {details}')
    return exceptions.RequestFailed(text, exc.status_code)


def is_unreachable(exc: BaseException) -> bool:
    """Whether the server could not be reached or stopped answering."""
    from keystoneauth1 import exceptions as ksa_exceptions

    return isinstance(exc, ksa_exceptions.ConnectionError)


def is_server_error(exc: BaseException) -> TypeGuard[sdk_exceptions.HttpException]:
    from openstack import exceptions as sdk_exceptions

    return (
        isinstance(exc, sdk_exceptions.HttpException)
        and (exc.status_code or 500) >= 500
    )


def is_uncertain(exc: BaseException) -> bool:
    """Whether a request got no clear answer, so may have been applied."""
    from volsvcclient.cinder import exceptions

    return (
        is_unreachable(exc) or is_server_error(exc)
        or isinstance(exc, exceptions.Unconfirmed)
    )
