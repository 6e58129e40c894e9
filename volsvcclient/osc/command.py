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

"""Base classes of volsvcclient commands.

They give every command the same three things: authentication inside the
command, so that a Keystone that is down or hangs gets one bounded,
worded failure; a ServiceAPI bound to the user's Block Storage API
version; and one-line errors for SDK and keystoneauth failures (full
tracebacks stay behind ``--debug``).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Iterator

from osc_lib.command import command
from osc_lib import exceptions

from volsvcclient.osc import plugin
from volsvcclient.osc import voice

DISTRIBUTION = 'volsvcclient'

if TYPE_CHECKING:
    import argparse

    from openstack.config import cloud_region

    from volsvcclient import api

    # What the mixin is mixed into, for the checker: osc-lib's commands.
    _Mixin = command.Command
else:
    _Mixin = object


class _ServiceCommand(_Mixin):
    # OSC authenticates before a command runs when this is True, where a
    # failure gets keystoneauth's words and no time bound: sign_in() does
    # the same work from inside run().
    auth_required = False

    def sign_in(self) -> None:
        """OSC's own authentication, with a time bound on every request."""
        from volsvcclient.cinder import bounds

        cloud = getattr(self.app, 'cloud', None)
        if cloud is not None:
            _check_configured(cloud, self.app.options)
        if cloud is not None and not cloud.config.get('api_timeout'):
            # Read by the cloud config as if clouds.yaml said it.
            self.app.options.api_timeout = bounds.REQUEST
        # Why prepare_to_run_command runs a second time (under openstack):
        # cliff calls it before every command, before even parsing its
        # arguments, and osc-lib's builds the cloud config there, validated
        # (auth plugin loaded) only when auth_required is True, in which
        # case it also fetches the token (ClientManager.auth_ref) outside
        # run(): no request bound, no words of ours. With auth_required
        # False it builds an unvalidated config, and neither osc-lib nor
        # openstacksdk validates an existing CloudRegion (get_one is the
        # only public way to one with an auth plugin). So the validated
        # config and the token come from this call, each once per command
        # (test_shell.TestSignIn); under volsvc the first call does nothing.
        self.auth_required = True
        self.app.prepare_to_run_command(self)

    def client(self, rpc_timeout: float | None = None) -> api.Client:
        """The Python API's client, at the Block Storage API version the
        user asked for, on OSC's connection, its notes told by the voice.

        ``rpc_timeout`` bounds the requests that wait on RPC (None: the
        defaults of ``volsvcclient.cinder.bounds``).
        """
        from volsvcclient import api
        from volsvcclient.cinder import services

        requested = self.app.api_version.get(
            plugin.API_NAME, plugin.DEFAULT_API_VERSION
        )
        return api.Client.for_service_api(
            services.connect(self.app.client_manager, requested, rpc_timeout),
            self.voice)

    @property
    def voice(self) -> voice.Voice:
        """Notes, progress and advice that name the program that runs."""
        if getattr(self, '_voice', None) is None:
            self._voice = voice.Voice(voice.program_of(self.app), self.app.stderr)
        return self._voice

    def get_epilog(self) -> str:
        """cliff's epilog, without its scan of every installed distribution
        (0.1 s on each run, help or not) to find which one we come from."""
        parts = [self._epilog or '']
        if not type(self.app).__module__.startswith('volsvcclient.'):
            parts.append(f'This command is provided by the {DISTRIBUTION} plugin.')
        return '\n\n'.join(parts)

    def note(self, message: str) -> None:
        """A line for the operator on stderr, never mixed into output."""
        self.voice.note(message)

    def run(self, parsed_args: argparse.Namespace) -> int:
        options = self.app.options
        from volsvcclient.osc import terminal

        try:
            with _quiet_logging(options.debug, getattr(options, 'verbose_level', 1)):
                self.sign_in()
                return super().run(parsed_args)
        except exceptions.CommandError as exc:
            # Our lines quote the server (reasons, host names): escaped, so
            # that they neither drive the terminal nor break into two.
            raise exceptions.CommandError(terminal.escape(str(exc))) from exc
        except Exception as exc:
            from volsvcclient.osc import errors

            translated = errors.translate(exc, self._auth_url(), self.voice)
            if translated is None:
                raise
            raise exceptions.CommandError(terminal.escape(str(translated))) from exc

    def _auth_url(self) -> str | None:
        cloud = getattr(self.app, 'cloud', None)
        return ((cloud.config.get('auth') or {}).get('auth_url')
                if cloud is not None else None)


#: Auth types that sign in without Keystone's URL.
_NO_AUTH_URL = ('none', 'noauth', 'admin_token', 'http_basic')


def _check_configured(cloud: cloud_region.CloudRegion,
                      options: argparse.Namespace) -> None:
    """Say what is missing when nothing names Keystone, before any prompt
    for a password: with no configuration at all, ``volsvc`` asked for one
    and ``openstack`` said "Missing value auth-url required for auth plugin
    password"."""
    if cloud.config.get('auth_type') in _NO_AUTH_URL:
        return
    # --os-auth-url and OS_AUTH_URL are in the options (the variable is
    # the option's default; osc-lib names it auth_url, openstacksdk
    # os_auth_url) and reach the cloud's auth only when it is validated,
    # which asks for the password first.
    if (cloud.config.get('auth') or {}).get('auth_url') or any(
            getattr(options, dest, None) for dest in ('auth_url', 'os_auth_url')):
        return
    if cloud.name == 'defaults':
        raise exceptions.CommandError(
            'No cloud is configured: name one of clouds.yaml with --os-cloud or '
            'OS_CLOUD, or give --os-auth-url or OS_AUTH_URL and credentials'
        )
    if cloud.name == 'envvars':
        raise exceptions.CommandError(
            'The OS_* variables give no auth URL: set OS_AUTH_URL or '
            '--os-auth-url, or name a cloud of clouds.yaml with --os-cloud'
        )
    raise exceptions.CommandError(
        f"Cloud '{cloud.name}' has no auth URL: set its auth_url in "
        f"clouds.yaml, or give --os-auth-url or OS_AUTH_URL"
    )


#: keystoneauth warns when Keystone or cinder-api does not answer its
#: version discovery, then goes on or fails: the command's own one line
#: says what matters (--debug shows everything).
_DISCOVERY_LOGGERS = ('keystoneauth.identity.generic.base', 'keystoneauth.discover')
#: keystoneauth logs each request and response at DEBUG, which osc-lib and
#: cliff set on the root logger: it decodes every response body to redact
#: it even when no handler prints the record (20 ms for 10,000 services).
_HTTP_LOGGER = 'keystoneauth.session'


class _FirstRetryOnly(logging.Filter):
    """keystoneauth warns of every retried read ("Retrying in 0.5s. 3
    retries left"), three a read, for as long as a wait or a batch keeps
    reading through an outage: one line says it; ``-v`` shows them all."""

    def __init__(self) -> None:
        super().__init__()
        self.told = False

    def filter(self, record: logging.LogRecord) -> bool:
        if 'Retrying in' not in record.getMessage():
            return True
        if self.told:
            return False
        self.told = True
        record.msg = f"{' '.join(record.getMessage().split())} {voice.EVERY_RETRY}"
        record.args = ()
        return True


@contextlib.contextmanager
def _quiet_logging(debug: bool, verbose_level: int = 1) -> Iterator[None]:
    """Discovery warnings hidden unless ``debug``; keystoneauth's request
    log skipped when nothing would print it; its retry warnings one line
    unless -v."""
    quieted: dict[str, int] = {}
    if not debug:
        quieted.update(dict.fromkeys(_DISCOVERY_LOGGERS, logging.ERROR))
    if not voice.printed(logging.getLogger(_HTTP_LOGGER), logging.DEBUG):
        quieted[_HTTP_LOGGER] = logging.INFO
    levels: dict[logging.Logger, int] = {}
    for name, level in quieted.items():
        logger = logging.getLogger(name)
        levels[logger] = logger.level
        logger.setLevel(level)
    retries = _FirstRetryOnly()
    http_log = logging.getLogger(_HTTP_LOGGER)
    if verbose_level < 2:
        http_log.addFilter(retries)
    try:
        yield
    finally:
        http_log.removeFilter(retries)
        for logger, level in levels.items():
            logger.setLevel(level)


class Command(_ServiceCommand, command.Command):
    pass


class Lister(_ServiceCommand, command.Lister):
    pass


class ShowOne(_ServiceCommand, command.ShowOne):
    pass
