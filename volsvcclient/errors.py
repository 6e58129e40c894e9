"""Turn SDK and keystoneauth failures into one-line operator messages.

Every command's exceptions pass through :func:`translate` (see
``volsvcclient.command``), so each failure reads the same everywhere.
"""

import re

from osc_lib import exceptions

_URL = re.compile(r'https?://[^\s:/]+(?::\d+)?[^\s:]*')


def one_line(text):
    """Collapse a server message onto one line."""
    return '; '.join(
        part.strip() for part in str(text).splitlines() if part.strip()
    )


def _endpoint(exc):
    match = _URL.search(str(exc))
    return match.group(0) if match else 'the Block Storage endpoint'


def translate(exc):
    """A CommandError for ``exc``, or None when it is not ours to word."""
    from keystoneauth1 import exceptions as ksa_exceptions
    from openstack import exceptions as sdk_exceptions

    if isinstance(exc, sdk_exceptions.HttpException):
        return _http_error(exc)
    if isinstance(exc, ksa_exceptions.SSLError):
        return exceptions.CommandError(
            f'TLS failure talking to {_endpoint(exc)}: check --os-cacert, '
            f'--insecure and the certificate ({one_line(exc)})'
        )
    if isinstance(exc, ksa_exceptions.ConnectTimeout):
        return exceptions.CommandError(
            f'Timed out connecting to {_endpoint(exc)}: is cinder-api '
            f'running and reachable?'
        )
    if isinstance(exc, ksa_exceptions.ConnectFailure):
        return exceptions.CommandError(
            f'Cannot connect to {_endpoint(exc)} (connection refused or '
            f'unreachable): is cinder-api running?'
        )
    if isinstance(
        exc, (ksa_exceptions.EndpointNotFound, sdk_exceptions.EndpointNotFound)
    ):
        return exceptions.CommandError(
            f'No Block Storage endpoint for this API version in the service '
            f'catalog ({one_line(exc)})'
        )
    if isinstance(
        exc, (ksa_exceptions.DiscoveryFailure, sdk_exceptions.SDKException)
    ):
        return exceptions.CommandError(one_line(exc))
    return None


def _http_error(exc):
    details = one_line(exc.details or '') or 'no details given'
    if exc.status_code == 403:
        return exceptions.CommandError(
            f"Forbidden by the server's policy (managing volume services "
            f"requires an administrator by default): {details}"
        )
    if exc.status_code == 400:
        return exceptions.CommandError(f'The server refused the request: {details}')
    if exc.status_code == 401:
        return exceptions.CommandError(f'Authentication failed: {details}')
    return exceptions.CommandError(
        f'{exc.method or "Request"} {exc.url} failed with HTTP '
        f'{exc.status_code}: {details}'
    )
