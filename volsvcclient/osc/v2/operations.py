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

"""``volume service wait`` and ``check``: for runbooks, deployment tools and
monitoring systems. The v3 module adds --cluster. Module-level imports stay
light: OSC imports this module on every run.
"""

from __future__ import annotations

import argparse
import functools
from typing import TYPE_CHECKING, NoReturn

from osc_lib import exceptions

from volsvcclient.cinder import bounds
from volsvcclient.osc import arguments
from volsvcclient.osc import command
from volsvcclient.osc import options

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

    from volsvcclient import api

#: ``wait``'s exit code when the services were not as asked in time (as
#: GNU timeout's): a script tells it from an error (1).
TIMED_OUT = 124
_CHECK_COLUMNS = ('Binary', 'Host', 'Zone', 'Cluster', 'State', 'Status',
                  'Level', 'Rule', 'Detail')
#: Formats in which check prints the Nagios status line when it cannot judge.
_NAGIOS_FORMATS = ('table', 'value')


def _add_selection(parser: argparse.ArgumentParser, clusters: bool, what: str) -> None:
    arguments.add_service_arguments(parser, required=False)
    arguments.add_selectors(
        parser,
        f'{what} every service that matches all of these, instead of <host> '
        f'<binary>',
        cluster=clusters,
    )


class CheckService(command.Lister):
    _description = (
        'Judge the health of Block Storage services for monitoring: exit 0 '
        'OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, with a Nagios status line'
    )
    #: --cluster (v3).
    clusters = False

    def get_epilog(self) -> str:
        from volsvcclient.engine import health

        return health.rules() + (
            '; UNKNOWN when cinder-api or Keystone cannot be reached or '
            'refuses (403), and for every error that is not a verdict on the '
            'services (a bad option included). Heartbeat ages are measured by '
            'cinder-api\'s clock. '
            'The default output is the status line, then one line per finding; '
            '-f json, yaml, csv or value print one row per service and finding. '
            'When the check cannot judge, table and value print the UNKNOWN '
            'status line, and json, yaml and csv one row: Level UNKNOWN, the '
            'reason as Detail.'
        )

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        from volsvcclient.osc import textfile

        parser = super().get_parser(prog_name)
        # Nagios reads any exit code but 0 to 3 as a failed plugin: a bad
        # option is UNKNOWN, not argparse's 2 (CRITICAL).
        parser.error = functools.partial(  # type: ignore[method-assign]
            self._unknown_usage, parser)
        _add_selection(parser, self.clusters, 'Check')
        parser.add_argument(
            '--ignore-disabled',
            action='store_true',
            help='A disabled service is no WARNING',
        )
        parser.add_argument(
            '--prometheus-textfile',
            metavar='<path>',
            type=textfile.path,
            help='Also write the figures in the Prometheus text format to this '
            f'file (its name ending in {textfile.SUFFIX}: node_exporter\'s textfile collector '
            'reads no other), atomically and readable by all (0644), '
            'on every run: volsvc_check_success is 0 and '
            'no service figure is written when the services could not be '
            'read (needs the \'prometheus\' extra: pip install '
            "'volsvcclient[prometheus]')",
        )
        options.add_rpc_timeout(
            parser, bounds.BACKEND_STATE,
            'Seconds to wait for Backend State, which Cinder asks '
            'cinder-scheduler for; past them the check says it is unknown',
        )
        return parser

    def _unknown_usage(self, parser: argparse.ArgumentParser, message: str) -> NoReturn:
        from volsvcclient.engine import health

        parser.print_usage(self.app.stderr)
        level, line = health.unknown(f'{parser.prog}: error: {message}')
        self.app.stdout.write(line + '\n')
        raise SystemExit(level)

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], Iterable[tuple[Any, ...]]]:
        from volsvcclient.osc import terminal

        if parsed_args.prometheus_textfile:
            from volsvcclient.osc import textfile

            textfile.check_available()
        chooser = arguments.from_arguments(parsed_args, everything=True)
        client = self.client(parsed_args.rpc_timeout)
        self.verdict = client.check(chooser, ignore_disabled=parsed_args.ignore_disabled)
        if parsed_args.prometheus_textfile:
            self.verdict = _write_figures(parsed_args.prometheus_textfile, self.verdict,
                                          _cloud(self.app))
        return _CHECK_COLUMNS, terminal.rows_for(parsed_args.formatter, _rows(self.verdict))

    def produce_output(
        self,
        parsed_args: argparse.Namespace,
        column_names: Sequence[str],
        data: Iterable[Sequence[Any]],
    ) -> int:
        from volsvcclient.osc import terminal

        if parsed_args.formatter != 'table':
            return super().produce_output(parsed_args, column_names, data)
        self.app.stdout.write(terminal.escape(self.verdict.status_line) + '\n')
        for finding in self.verdict.findings:
            self.app.stdout.write(terminal.escape(finding.line) + '\n')
        return 0

    def run(self, parsed_args: argparse.Namespace) -> int:
        try:
            super().run(parsed_args)
        except Exception as exc:
            # Anything but a verdict on the services, a bad -c included
            # (cliff's ValueError), is UNKNOWN: never exit 1 (WARNING).
            return self._unknown(parsed_args, exc)
        return self.verdict.level

    def _unknown(self, parsed_args: argparse.Namespace, exc: Exception) -> int:
        from volsvcclient.engine import health
        from volsvcclient.osc import terminal

        if self.app.options.debug:
            self.log.exception(exc)
        reason = str(exc) if isinstance(exc, exceptions.CommandError) else (
            f'{type(exc).__name__}: {exc}')
        from volsvcclient.osc import textfile

        if parsed_args.prometheus_textfile and textfile.available():
            try:
                textfile.write(parsed_args.prometheus_textfile, health.UNKNOWN,
                               cloud=_cloud(self.app))
            except exceptions.CommandError as write_error:
                reason = f'{reason}; {write_error}'
        level, line = health.unknown(reason)
        if parsed_args.formatter not in _NAGIOS_FORMATS:
            # Scripts parse -f json, yaml and csv: the verdict comes as a
            # row of the same columns, its reason as the Detail. cliff picks
            # the formatter only once signed in. When even that cannot be
            # printed (a bad -c), the Nagios line says why.
            formatter = self._formatter_plugins[parsed_args.formatter].obj
            assert formatter is not None  # as cliff's run() has it
            self.formatter = formatter
            row = (None,) * 6 + (health.LEVELS[level], None, reason)
            try:
                super().produce_output(parsed_args, _CHECK_COLUMNS, [row])
                return level
            except Exception:
                pass
        self.app.stdout.write(terminal.escape(line) + '\n')
        return level


def _cloud(app: Any) -> tuple[str, str]:
    """The textfile's cloud and region labels: the cloud's clouds.yaml name
    (``envvars`` from OS_* variables) and the region asked for, if any."""
    cloud = getattr(app, 'cloud', None)
    if cloud is None:
        return '', ''
    return cloud.name or '', cloud.region_name or ''


def _given(argv: list[str], name: str, default: str | None = None) -> str | None:
    """The value ``argv`` gives option ``name`` (``name X`` or ``name=X``;
    the last one wins, as in argparse), or ``default``: read by hand, as
    the command's own parser never ran."""
    value = default
    for n, arg in enumerate(argv):
        if arg == name and n + 1 < len(argv):
            value = argv[n + 1]
        elif arg.startswith(name + '='):
            value = arg.partition('=')[2]
    return value


def _cloud_asked(argv: list[str]) -> tuple[str, str]:
    """The textfile's labels when no cloud could be made (one that does not
    exist): the cloud and region ``argv`` or OS_CLOUD and OS_REGION_NAME ask
    for, so the file still says which check did not run."""
    import os

    return (_given(argv, '--os-cloud', os.environ.get('OS_CLOUD', '')) or '',
            _given(argv, '--os-region-name', os.environ.get('OS_REGION_NAME', '')) or '')


def unknown_before_running(argv: list[str], reason: str, write: Callable[[str], object]) -> int:
    """``check``'s UNKNOWN when it fails before the command runs (a cloud
    or region that does not exist): the status line, and the textfile it
    was given (read from ``argv``) saying that the check did not run."""
    from volsvcclient.engine import health
    from volsvcclient.osc import textfile

    path = _given(argv, '--prometheus-textfile')
    if path and textfile.available():
        try:
            textfile.write(path, health.UNKNOWN, cloud=_cloud_asked(argv))
        except exceptions.CommandError as exc:
            reason = f'{reason}; {exc}'
    level, line = health.unknown(reason)
    write(line + '\n')
    return level


def _write_figures(path: str, verdict: api.Verdict, cloud: tuple[str, str]) -> api.Verdict:
    """The Prometheus textfile, at the verdict on the services; a file that
    cannot be written is a finding of its own."""
    from volsvcclient.osc import textfile

    ages = {id(s): verdict.ages[s.key] for s in verdict.services}
    try:
        textfile.write(path, verdict.level, verdict.services, ages, cloud=cloud)
    except exceptions.CommandError as exc:
        return verdict.with_finding('textfile', str(exc))
    return verdict


def _rows(verdict: api.Verdict) -> list[tuple[Any, ...]]:
    by_service: dict[int, list[api.Finding]] = {}
    for finding in verdict.findings:
        by_service.setdefault(id(finding.service), []).append(finding)
    rows: list[tuple] = []
    for service in verdict.services:
        base = (service.binary, service.host, service.availability_zone,
                service.cluster, service.state, service.status)
        for finding in by_service.get(id(service), ()):
            rows.append(base + (finding.level_name, finding.rule, finding.detail))
        if id(service) not in by_service:
            rows.append(base + ('OK', None, None))
    for finding in by_service.get(id(None), ()):
        rows.append((None,) * 6 + (finding.level_name, finding.rule, finding.detail))
    return rows


class WaitService(command.Command):
    _description = (
        'Wait until every selected service is as asked (state, status, '
        'frozen, replication status, a fresh heartbeat); exit 1 at the timeout'
    )
    clusters = False

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _add_selection(parser, self.clusters, 'Wait for')
        condition = parser.add_argument_group('condition', 'What every service must show')
        condition.add_argument(
            '--state', choices=('up', 'down'),
            help='Up (a recent heartbeat) or down, as Cinder judges it',
        )
        condition.add_argument(
            '--status', choices=('enabled', 'disabled'),
            help='Enabled or disabled (for the scheduler)',
        )
        frozen = condition.add_mutually_exclusive_group()
        frozen.add_argument(
            '--frozen', action='store_true', default=None,
            help='Frozen (cinder-volume only)',
        )
        frozen.add_argument(
            '--thawed', dest='frozen', action='store_false',
            help='Not frozen (cinder-volume only)',
        )
        condition.add_argument(
            '--replication-status', metavar='<status>',
            help='In this replication status (cinder-volume only: enabled, '
            'disabled, failing-over, failed-over, ...)',
        )
        condition.add_argument(
            '--fresh',
            action='store_true',
            help='Two new heartbeats since the wait began, by the server\'s '
            'own timestamps: the service really came back (a restarted one '
            'looks up on its old heartbeat for a while, and one write to its '
            'record, such as a disable, also counts as a heartbeat)',
        )
        parser.add_argument(
            '--wait-timeout', metavar='<seconds>', type=options.seconds,
            default=300.0, help='Give up after this many seconds (default 300; '
            f'exit {TIMED_OUT} then)',
        )
        # The first spelling, kept working for scripts (release note).
        parser.add_argument(
            '--timeout', dest='wait_timeout', type=options.seconds,
            default=argparse.SUPPRESS, help=argparse.SUPPRESS,
        )
        parser.add_argument(
            '--interval', metavar='<seconds>', type=options.interval, default=2.0,
            help=f'Seconds between reads (default 2, at least '
            f'{bounds.MIN_INTERVAL:g})',
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        from volsvcclient import api

        conditions = (parsed_args.state, parsed_args.status, parsed_args.frozen,
                      parsed_args.replication_status)
        if all(c is None for c in conditions) and not parsed_args.fresh:
            raise exceptions.CommandError(
                'Nothing to wait for: give --state, --status, --frozen, '
                '--thawed, --replication-status or --fresh'
            )
        from volsvcclient.engine import polling

        chooser = arguments.from_arguments(parsed_args)
        started = polling.now()
        client = self._connected(parsed_args.wait_timeout, parsed_args.interval)
        left = max(0.0, parsed_args.wait_timeout - (polling.now() - started))
        try:
            client.wait(
                chooser, state=parsed_args.state, status=parsed_args.status,
                frozen=parsed_args.frozen,
                replication_status=parsed_args.replication_status,
                fresh=parsed_args.fresh, timeout=left, interval=parsed_args.interval,
            )
        except api.WaitTimedOut as exc:
            # The voice escapes the server's text in them.
            for line in exc.unmet:
                self.note(line)
            return TIMED_OUT
        return 0

    def sign_in(self) -> None:
        """Signed in by _connected, which waits for Keystone to answer."""

    def _connected(self, timeout: float, interval: float) -> api.Client:
        """Signed in and connected, trying again while Keystone or
        cinder-api does not answer, within the wait's ``timeout``: a wait
        across a controller's restart starts before they are back."""
        from volsvcclient.cinder import exceptions as cinder_exceptions
        from volsvcclient.cinder import failures
        from volsvcclient.engine import polling

        failure: Exception | None = None
        for _ in polling.attempts(timeout, interval):
            try:
                super().sign_in()
                return self.client()
            except Exception as exc:
                described = failures.describe(exc, self._auth_url())
                passing = isinstance(described, cinder_exceptions.Unreachable) or (
                    isinstance(described, cinder_exceptions.RequestFailed)
                    and (described.status_code or 500) >= 500)
                if not passing:
                    raise
                failure = exc
        assert failure is not None
        raise failure
