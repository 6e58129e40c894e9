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

"""``volsvc``: the ``openstack volume service`` commands as a program of
their own, for scripts, cron jobs and monitoring agents.

The commands are the plugin's own classes, loaded from the same entry
points with "volume service" taken off their names. What ``openstack``
adds around them is done here with the libraries OSC uses underneath:
openstacksdk reads clouds.yaml, ``OS_*`` and the ``--os-*`` options and
keystoneauth registers them; ``openstack``'s own start-up (osc-lib's
shell, every other plugin) is what this program does without.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import getpass
import importlib.metadata
import importlib.util
import logging
import os
import sys
import typing
import warnings

from cliff import app
from cliff import commandmanager

from volsvcclient.osc import plugin

if typing.TYPE_CHECKING:
    from cliff import command
    from openstack.config import cloud_region as cloud_region_module
    from openstack import connection
    from osc_lib.cli import client_config

NAME = 'volsvc'
DESCRIPTION = (
    'Control the Cinder (Block Storage) services of an OpenStack cloud: '
    "the commands of 'openstack volume service', without openstack"
)
#: What the command names lose here: "volume service list" is "list".
PREFIX = 'volume service '
#: Services whose options OSC has (--os-volume-api-version and the like,
#: --os-identity-api-version), under the names openstacksdk and OSC use.
SERVICE_KEYS = ['volume', 'identity']
#: osc-lib's configuration, whose debug line masks passwords with
#: oslo_utils.strutils.
CLIENT_CONFIG_LOGGER = 'osc_lib.cli.client_config'


class Commands(commandmanager.CommandManager):
    """The plugin's commands for one Block Storage API version."""

    def load_commands(self, namespace: str) -> None:
        super().load_commands(namespace)
        self.commands = {
            name.removeprefix(PREFIX): entry_point
            for name, entry_point in self.commands.items()
        }


class ClientManager:
    """What our commands use of OSC's ClientManager: one SDK connection."""

    def __init__(self, cloud: cloud_region_module.CloudRegion) -> None:
        self.cloud = cloud

    @functools.cached_property
    def sdk_connection(self) -> connection.Connection:
        from openstack import connection

        return connection.Connection(config=self.cloud)


class Shell(app.App):
    """``volsvc``: a cliff application with OSC's configuration options."""

    NAME = NAME

    def __init__(self) -> None:
        super().__init__(
            description=DESCRIPTION,
            version=_version(),
            command_manager=Commands(None),
            deferred_help=True,
        )
        self.api_version: dict[str, str] = {}
        self.cloud: cloud_region_module.CloudRegion | None = None
        self.client_manager: ClientManager | None = None
        self.helping = False

    def build_option_parser(
        self,
        description: str | None,
        version: str | None,
        argparse_kwargs: dict[str, typing.Any] | None = None,
    ) -> argparse.ArgumentParser:
        parser = super().build_option_parser(description, version, argparse_kwargs)
        parser.prog = NAME
        return parser

    def run(self, argv: list[str]) -> int:
        # As openstack does: openstacksdk's deprecation warnings name code
        # the operator cannot change (-v would otherwise print them).
        warnings.filterwarnings('ignore', module='openstack')
        argv = list(argv)
        self.helping = _only_help(argv)
        # Logging is set up from the options, after this: until then
        # openstacksdk's warnings (a clouds.yaml it skips, with the YAML
        # parser's several lines) come out one line each.
        early = logging.StreamHandler(self.stderr)
        early.setFormatter(_OneLine())
        config_log = logging.getLogger('openstack.config')
        config_log.addHandler(early)
        try:
            self._add_connection_options(argv)
        except Exception as exc:
            # No such cloud, a clouds.yaml it cannot use, an unknown auth type.
            if '--debug' in argv:
                raise
            reason = ' '.join(str(exc).split())
            if _command_of(argv) == 'check':
                return self.check_unknown(argv, reason)
            self.stderr.write(reason + '\n')
            return 1
        finally:
            config_log.removeHandler(early)
        try:
            return super().run(argv)
        except Exception:
            # cliff has logged it, with its traceback under --debug.
            return 1

    def _add_connection_options(self, argv: list[str]) -> None:
        config = None if self.helping else self.config
        add_connection_options(self.parser, argv, config)

    @functools.cached_property
    def config(self) -> client_config.OSC_Config:
        # osc-lib's subclass, as openstack's: the auth options and OS_*
        # variables a user gives win over the named cloud's (openstacksdk's
        # own lets clouds.yaml's auth win), and it applies
        # --os-default-domain as openstack does.
        _defer_import('oslo_utils.strutils')
        from osc_lib.cli import client_config

        return client_config.OSC_Config(
            app_name=NAME, app_version=_version(), pw_func=_prompt_for_password,
            override_defaults={'interface': None, 'auth_type': None},
        )

    def configure_logging(self) -> None:
        if self.helping:
            return super().configure_logging()
        from osc_lib import logs

        # openstack's own levels and formats: -q, -v, --debug and --log-file
        # mean what they mean there.
        self.log_configurator = logs.LogConfigurator(self.options)
        _ignore_sdk_warnings()

    def check_unknown(self, argv: list[str], reason: str) -> int:
        """``check`` that could not start: UNKNOWN, never WARNING (Nagios
        reads the first line of stdout and the exit code), and its textfile
        says the check did not run."""
        from volsvcclient.osc.v2 import operations

        return operations.unknown_before_running(
            argv, reason, self.stdout.write)

    def initialize_app(self, argv: list[str]) -> None:
        try:
            self._initialize(argv)
        except Exception as exc:
            if self.helping or _command_of(argv) != 'check' or self.options.debug:
                raise
            # cliff would log it and exit 1 (WARNING).
            raise SystemExit(self.check_unknown(
                argv, ' '.join(str(exc).split()))) from exc

    def _initialize(self, argv: list[str]) -> None:
        if self.helping:
            version = self.options.os_volume_api_version
        else:
            self.cloud = self.cloud_region(validate=False)
            self.log_configurator.configure(self.cloud)
            _ignore_sdk_warnings()
            version = self.cloud.config.get(plugin.API_VERSION_OPTION.removeprefix('os_'))
        version = str(version or plugin.DEFAULT_API_VERSION)
        major = version.split('.')[0]
        if major not in plugin.API_VERSIONS:
            raise ValueError(
                f'Block Storage API version {version} is not available: '
                f'{NAME} offers {" and ".join(plugin.API_VERSIONS)}'
            )
        self.api_version = {plugin.API_NAME: version}
        self.command_manager.load_commands(f'openstack.{plugin.API_NAME}.v{major}')

    def cloud_region(self, validate: bool) -> cloud_region_module.CloudRegion:
        """The cloud the options, OS_* variables and clouds.yaml describe."""
        options = self.options
        if not options.debug:
            # False would override clouds.yaml's debug, as osc-lib knows.
            options.debug = None
        with _debug_only_if_logged(CLIENT_CONFIG_LOGGER):
            return self.config.get_one(argparse=options, validate=validate)

    def prepare_to_run_command(self, cmd: command.Command) -> None:
        """Sign in when a command asks to (our commands do so from run())."""
        if not getattr(cmd, 'auth_required', False):
            return
        self.cloud = self.cloud_region(validate=True)
        self.client_manager = ClientManager(self.cloud)
        # Signs in now, and keeps the token for the command's requests.
        self.client_manager.sdk_connection.session.get_auth_headers()


def _defer_import(name: str) -> None:
    """Import ``name`` when first used, not now: osc-lib's client_config
    imports oslo_utils.strutils (40 ms of regular expressions compiled at
    import) for the debug line below, which a list without --debug never
    prints."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    # ``from parent import child`` finds the attribute and goes no further:
    # the import system's own look-up would read __spec__, which loads it.
    parent, _, child = name.rpartition('.')
    setattr(sys.modules[parent], child, module)


@contextlib.contextmanager
def _debug_only_if_logged(name: str) -> typing.Iterator[None]:
    """While no handler takes DEBUG records, let logger ``name`` skip
    its debug lines: osc-lib sets the root logger to DEBUG whatever the
    verbosity, so its client_config masks passwords in a line nobody sees
    (and imports oslo_utils.strutils to do it). With --debug, -vvv or a
    clouds.yaml ``debug: true`` the line is built and masked as before."""
    logger = logging.getLogger(name)
    handlers = logging.getLogger().handlers
    if logger.level != logging.NOTSET or any(h.level <= logging.DEBUG for h in handlers):
        yield
        return
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(logging.NOTSET)


def _ignore_sdk_warnings() -> None:
    """run()'s filter of openstacksdk's warnings, again after each of
    osc-lib's set_warning_filter(): under -v that puts 'once' for every
    warning ahead of it, and volsvc -v printed them (twice)."""
    warnings.filterwarnings('ignore', module='openstack')


def add_connection_options(
    target: argparse.ArgumentParser,
    argv: list[str],
    config: client_config.OSC_Config | None,
) -> None:
    """OSC's global options, registered by openstacksdk and keystoneauth
    under openstack's names, and the few of osc-lib's shell they lack.

    ``volsvc --help`` alone (no ``config``) gets keystoneauth's registration
    of the same options (for the auth type that --os-auth-type or
    OS_AUTH_TYPE names, else password): importing openstacksdk to print them
    would triple its cost. Everything else gets openstacksdk's, which also
    reads the auth type from clouds.yaml.
    """
    # Duck-typed: it stands for the parser wherever one is taken.
    parser = typing.cast(argparse.ArgumentParser, _AsOpenstackNamesThem(target))
    if config is None:
        from keystoneauth1 import loading

        parser.add_argument(
            '--os-cloud', metavar='<name>',
            default=os.environ.get('OS_CLOUD'),
            help='Named cloud to connect to',
        )
        loading.register_auth_argparse_arguments(parser, argv, default='password')
        loading.register_session_argparse_arguments(parser)
        for service in SERVICE_KEYS:
            loading.register_service_adapter_argparse_arguments(
                parser, service_type=service
            )
        loading.register_adapter_argparse_arguments(parser, service_type=SERVICE_KEYS[0])
    else:
        config.register_argparse_arguments(parser, argv, service_keys=SERVICE_KEYS)
    # osc-lib's shell has these; keystoneauth's defaults ('public', no
    # --insecure) would override clouds.yaml's interface and verify.
    target.add_argument(
        '--verify', action='store_true', default=None,
        help='Verify server certificate (default)',
    )
    target.add_argument(
        '--os-default-domain', metavar='<auth-domain>', dest='default_domain',
        default=os.environ.get('OS_DEFAULT_DOMAIN', 'default'),
        help='Default domain ID, default=default (Env: OS_DEFAULT_DOMAIN)',
    )
    target.set_defaults(os_interface=os.environ.get('OS_INTERFACE'), insecure=None)


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return ' '.join(super().format(record).split())


class _AsOpenstackNamesThem:
    """A parser that takes keystoneauth's options under openstack's names.

    keystoneauth names some auth options with underscores
    (--os-application_credential_id), which openstacksdk's registration
    keeps and ``openstack`` spells with dashes; and it adds a global
    --timeout, which ``openstack`` does not have (a request bound comes
    from clouds.yaml's api_timeout) and which would take ``wait
    --timeout`` from the command wherever it is typed.
    """

    def __init__(self, parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
        self._parser = parser

    def __getattr__(self, name: str) -> typing.Any:
        return getattr(self._parser, name)

    def add_argument_group(self, *args: typing.Any, **kwargs: typing.Any) -> _AsOpenstackNamesThem:
        return _AsOpenstackNamesThem(self._parser.add_argument_group(*args, **kwargs))

    def add_argument(self, *names: str, **kwargs: typing.Any) -> argparse.Action | None:
        if '--timeout' in names:
            return None
        dashed = [
            name.replace('_', '-') if name.startswith('--os-') else name
            for name in names
        ]
        return self._parser.add_argument(*dashed, **kwargs)


#: The commands, by the names volsvc gives them.
COMMANDS = ('list', 'show', 'set', 'freeze', 'thaw', 'failover', 'commit',
            'wait', 'check', 'drain', 'resume')


def _command_of(argv: list[str]) -> str | None:
    """The command a command line runs, before the parser has read it."""
    return next((arg for arg in argv if arg in COMMANDS), None)


def _only_help(argv: list[str]) -> bool:
    """Whether this run only lists the commands and global options:
    ``volsvc --help`` or ``volsvc help``. Help on a command goes the way of
    the command, which reads clouds.yaml for its API version and auth type."""
    return bool(argv) and set(argv) <= {'-h', '--help', 'help'}


def _prompt_for_password(prompt: str | None = None) -> str:
    """As openstack does: ask on a terminal, else say where it was looked for."""
    from osc_lib import exceptions

    password = None
    if sys.stdin.isatty():
        try:
            password = getpass.getpass(prompt or 'Password: ')
        except EOFError:
            pass
    if not password:
        raise exceptions.CommandError(
            'No password entered, or found via --os-password or OS_PASSWORD'
        )
    return password


def _version() -> str:
    return importlib.metadata.version('volsvcclient')


def main(argv: list[str] | None = None) -> int:
    return Shell().run(sys.argv[1:] if argv is None else argv)


if __name__ == '__main__':
    sys.exit(main())
