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

"""What the Cinder API layer raises, and how it tells one failure from
another. Each exception carries the facts; the command layer
(``errors.translate``) words the ones that need a command line's terms.

Import-light: ``errors`` uses the text helpers at module level.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    from openstack import exceptions as sdk_exceptions

_TITLE = re.compile(r'<title>\s*(.*?)\s*</title>', re.IGNORECASE | re.DOTALL)


def one_line(text: object) -> str:
    """Collapse a server message onto one line."""
    return '; '.join(
        part.strip() for part in str(text).splitlines() if part.strip()
    )


def plain(text: object) -> str:
    """A server's error text on one line; an HTML page by its title."""
    title = _TITLE.search(str(text))
    return one_line(title.group(1) if title else text)


class CinderError(Exception):
    """What this layer raises: one sentence on what Cinder did or lacks,
    which the command layer prints as its one-line error
    (``errors.translate``)."""


class NoSuchService(CinderError):
    """No service (or cluster) of that name; the message says what exists."""


class VersionUnavailable(CinderError):
    """The Block Storage API version or microversion asked for is not
    offered by this cloud."""


class NoSuchAPI(VersionUnavailable):
    """The cloud offers no API of the ``requested`` major version; the
    command layer names the option that asked for it."""

    def __init__(self, requested: str) -> None:
        super().__init__(
            f"This cloud's Block Storage service does not offer API version "
            f"{requested}; current Cinder offers only version 3"
        )
        self.requested = requested


class TooOld(VersionUnavailable):
    """``option`` (the API's keyword, such as ``'cluster'``) needs
    microversion ``minimum``; the session runs at ``version_label``. The
    command layer spells it as its option and names the one that sets the
    version."""

    def __init__(self, option: str, minimum: str, version_label: str) -> None:
        super().__init__(
            f'{option} requires Block Storage API {minimum} or later (this '
            f'command is using Block Storage {version_label})'
        )
        self.option = option
        self.minimum = minimum
        self.version_label = version_label


class Untrusted(CinderError):
    """cinder-api's TLS certificate was refused while reading its version
    document; ``cause`` is keystoneauth's SSLError, which names the URL."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(one_line(cause))
        self.cause = cause


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
    from openstack import exceptions as sdk_exceptions

    return (
        isinstance(exc, sdk_exceptions.HttpException)
        and (exc.status_code or 500) >= 500
    )


def is_uncertain(exc: BaseException) -> bool:
    """Whether a request got no clear answer, so may have been applied."""
    return (
        is_unreachable(exc) or is_server_error(exc) or isinstance(exc, Unconfirmed)
    )
