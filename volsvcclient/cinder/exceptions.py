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

"""The one exception family of volsvcclient, raised by the Cinder layer and
the engine and re-exported by ``volsvcclient.api``.

Each instance carries facts in fields and says them in one sentence in the
Python API's vocabulary (its keyword arguments); the command line and the
Ansible collection word the same fields in their own names (an option such
as ``--even-if-down``, a module option ``even_if_down: true``). They derive
from openstacksdk's exceptions, so an openstacksdk user's ``except
SDKException`` holds around the API too.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any, Sequence

from openstack import exceptions as sdk_exceptions

from volsvcclient.cinder import advice as advice_module

if TYPE_CHECKING:
    from volsvcclient.cinder.advice import Advice
    from volsvcclient.cinder.advice import Said
    from volsvcclient.cinder.advice import Words


class Error(sdk_exceptions.SDKException):
    """One sentence on what Cinder did or lacks, or why a request cannot be
    sent: fit to show an operator as it is (in the API's words)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __str__(self) -> str:
        return self.worded(advice_module.API)

    def worded(self, words: Words) -> str:
        """The sentence in a face's ``words``: its spelling of the keyword
        arguments and advice it names."""
        return self.message


class _Names(dict[str, Any]):
    """A format mapping that spells every field it is not given."""

    def __init__(self, words: Words, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.words = words

    def __missing__(self, key: str) -> str:
        return self.words.name(key)


def fill(template: str, words: Words, **values: Any) -> str:
    """``template`` with its ``{keyword}`` fields spelled in ``words`` and
    its other fields from ``values``."""
    return string.Formatter().vformat(template, (), _Names(words, values))


class InvalidRequest(Error):
    """What was asked cannot be sent (a value out of range, a desired state
    no request reaches); nothing was sent. ``keyword`` is the argument at
    fault; ``template`` names arguments as ``{status}``, so that each face
    spells them, and ``where`` says which entry of several it concerns."""

    def __init__(
        self, template: str, keyword: str | None = None, where: str = '', **values: Any
    ) -> None:
        self.template = template
        self.keyword = keyword
        self.where = where
        self.values = values
        super().__init__(self.worded(advice_module.API))

    def worded(self, words: Words) -> str:
        text = fill(self.template, words, **self.values)
        return f'{self.where}: {text}' if self.where else text


def check_text(value: object, keyword: str) -> None:
    """Refuse ``value`` for ``keyword`` unless it is text or None."""
    if value is not None and not isinstance(value, str):
        raise InvalidRequest('{%s} must be text or None, not {given}' % keyword, keyword,
                             given=type(value).__name__)


class Refused(Error):
    """Refused before anything was sent: ``facts`` says why, ``advice``
    what would overrule it (a keyword argument such as even_if_down) or
    what to ask instead (``cluster``); None when nothing would."""

    def __init__(self, facts: str, advice: Advice | None = None) -> None:
        self.facts = facts
        self.advice = advice
        super().__init__(self.worded(advice_module.API))

    @property
    def keyword(self) -> str | None:
        """The keyword argument the advice names, if any."""
        return self.advice.keyword if self.advice else None

    def worded(self, words: Words) -> str:
        if self.advice is None:
            return self.facts
        return f'{self.facts}. {words.advise(self.advice)}'


class NoSuchService(Error, sdk_exceptions.NotFoundException):
    """No service (or cluster) of that name; the message says what exists."""

    def __init__(self, message: str) -> None:
        sdk_exceptions.NotFoundException.__init__(self, message)
        self.status_code = 404

    def __str__(self) -> str:
        return self.message


class VersionUnavailable(Error):
    """The Block Storage API version or microversion asked for is not
    offered by this cloud."""


class NoSuchAPI(VersionUnavailable):
    """The cloud offers no API of the ``requested`` major version."""

    def __init__(self, requested: str) -> None:
        self.requested = requested
        super().__init__(self.worded(advice_module.API))

    def worded(self, words: Words) -> str:
        return (
            f"This cloud's Block Storage service does not offer API version "
            f"{self.requested} ({words.name('api_version')}); current Cinder offers "
            f"only version 3"
        )


class TooOld(VersionUnavailable):
    """``option`` (the API's keyword, such as ``'cluster'``) needs
    microversion ``minimum``; the session runs at ``version_label``."""

    def __init__(self, option: str, minimum: str, version_label: str) -> None:
        self.option = option
        self.minimum = minimum
        self.version_label = version_label
        super().__init__(self.worded(advice_module.API))

    def worded(self, words: Words) -> str:
        return (
            f"{words.name(self.option)} requires {words.name('microversion')} "
            f"{self.minimum} or later ({words.name('session')} is using Block "
            f"Storage {self.version_label})"
        )


class Untrusted(Error):
    """A TLS certificate was refused: ``server`` (Keystone or cinder-api)
    at ``url``; ``cause`` is keystoneauth's SSLError."""

    def __init__(self, server: str, url: str, cause: BaseException) -> None:
        self.server = server
        self.url = url
        self.cause = cause
        super().__init__(self.worded(advice_module.API))

    def worded(self, words: Words) -> str:
        from volsvcclient.cinder import text

        return (
            f'TLS failure talking to {self.server} at {self.url}: give its CA '
            f"with {words.name('cacert')} or 'cacert' in clouds.yaml "
            f'({text.one_line(self.cause)})'
        )


class Unreachable(Error):
    """``server`` (Keystone or cinder-api) could not be reached, or did not
    answer in time."""

    def __init__(self, message: str, server: str) -> None:
        super().__init__(message)
        self.server = server


class RequestFailed(Error):
    """The server answered a request with an HTTP error (``status_code``)."""

    def __init__(self, message: str, status_code: int | None) -> None:
        super().__init__(message)
        self.status_code = status_code


class NotApplied(Error):
    """The server accepted a request but the service did not change."""


class Unconfirmed(Error):
    """A request that waits on a cinder-volume got no answer in time, or
    Cinder failed it with 5xx: the database may have changed, the backend
    has not confirmed. ``said`` adds what the database shows and how to
    learn more, worded by each face."""

    def __init__(self, message: str, said: Said | None = None) -> None:
        self.said = said
        super().__init__(message)

    def worded(self, words: Words) -> str:
        return self.message if self.said is None else self.said.worded(words)


class WaitTimedOut(Error, sdk_exceptions.ResourceTimeout):
    """A wait timed out; ``unmet`` has one line per service that was not as
    asked."""

    def __init__(self, message: str, unmet: Sequence[str]) -> None:
        super().__init__(message)
        self.unmet = list(unmet)
