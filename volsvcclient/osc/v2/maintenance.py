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

"""``volume service drain`` and ``resume``: a backend out for maintenance,
and back. The v3 module adds --cluster. Module-level imports stay light:
OSC imports this module on every run.
"""

from __future__ import annotations

import argparse
import typing

from osc_lib import exceptions

from volsvcclient.cinder import bounds
from volsvcclient.cinder import reasons
from volsvcclient.osc import arguments
from volsvcclient.osc import command
from volsvcclient.osc import options

if typing.TYPE_CHECKING:
    from volsvcclient import api

DRAIN_COLUMNS = ('Backend', 'Status', 'Disabled Reason', 'Frozen', 'Volumes', 'Attached',
                 'Snapshots', 'In Flight', 'Waiting', 'Verdict')
#: The keys of each thing in flight, in the In Flight and Waiting columns.
IN_FLIGHT_KEYS = ('Kind', 'ID', 'Project', 'Status', 'Age', 'Why')
#: Defaults of the options (the engine's).
DRAIN_TIMEOUT = 600.0
DRAIN_INTERVAL = 5.0
RESUME_TIMEOUT = 300.0
RESUME_INTERVAL = 2.0


class _Maintenance(arguments.HostTarget, command.Lister):
    """drain and resume: a host@backend, a cluster (v3) or a selection."""

    host_required = False
    timeout = 0.0
    interval = 0.0
    #: What the command did (None before).
    outcome: typing.Any = None
    ctrl_c: api.Interrupts

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        arguments.add_selectors(
            parser, 'Every cinder-volume backend that matches all of these, instead '
            'of <host> (a cluster\'s members all, or none)', service_help=None)
        parser.add_argument(
            '--wait-timeout', metavar='<seconds>', type=options.seconds,
            default=self.timeout, help=self.timeout_help())
        parser.add_argument(
            '--interval', metavar='<seconds>', type=options.interval, default=self.interval,
            help=f'Seconds between reads (default {self.interval:g}, at least '
            f'{bounds.MIN_INTERVAL:g})')
        options.add_action_bounds(parser)
        return parser

    def timeout_help(self) -> str:
        raise NotImplementedError

    def targets(self, parsed_args: argparse.Namespace) -> dict[str, typing.Any]:
        """Client.drain's and resume's host, cluster or selection."""
        from volsvcclient import api

        cluster = self.cluster(parsed_args)
        named = parsed_args.host or cluster
        selecting = parsed_args.host_pattern or parsed_args.zone
        if named and selecting:
            raise exceptions.CommandError(
                f'Give {self.target_options} or a selection (--host-pattern, --zone), '
                f'not both')
        if selecting:
            return dict(selection=api.Selection(parsed_args.host_pattern, zone=parsed_args.zone))
        if not named:
            raise exceptions.CommandError(
                f'Give {self.target_options}, or a selection (--host-pattern, --zone)')
        return dict(host=parsed_args.host, cluster=cluster)

    def run(self, parsed_args: argparse.Namespace) -> int:
        from volsvcclient import api

        self.outcome = None
        # Installed until the summary is printed: however many Ctrl-C
        # come, it comes out (see engine.interrupts).
        with api.Interrupts(linger=True) as self.ctrl_c:
            code = super().run(parsed_args)
        return self.ended(code)

    def ended(self, code: int) -> int:
        raise NotImplementedError

    def error(self, line: str) -> None:
        """Why the command failed, after its rows: on stderr whatever -q
        says, as an error is."""
        from volsvcclient.osc import terminal

        self.app.stderr.write(terminal.escape(line) + '\n')


class DrainService(_Maintenance):
    _description = (
        'Take cinder-volume backends out for maintenance: disable them (and '
        'freeze them), then wait until nothing is in flight on them, and say '
        'when it is safe to stop cinder-volume'
    )
    timeout = DRAIN_TIMEOUT
    interval = DRAIN_INTERVAL

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--disable-reason', metavar='<reason>', default='maintenance',
            help=f'Reason for disabling (default "maintenance"; at most '
            f'{reasons.MAX_REASON} characters)')
        parser.add_argument(
            '--freeze', action='store_true',
            help='Freeze the backends too: Cinder then refuses to delete their '
            'volumes and to create or delete their snapshots (a disable alone '
            'only stops new volumes being placed there)')
        return parser

    def timeout_help(self) -> str:
        return (f'Give up waiting after this many seconds (default {self.timeout:g}): '
                f'exit 1, naming what is still in flight')

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], list[tuple[typing.Any, ...]]]:
        from volsvcclient.osc import terminal

        given = self.targets(parsed_args)
        client = self.client(parsed_args.rpc_timeout)
        drain = self.outcome = client.drain(
            **given, disabled_reason=parsed_args.disable_reason,
            freeze=parsed_args.freeze, timeout=parsed_args.wait_timeout,
            interval=parsed_args.interval, even_if_down=parsed_args.even_if_down,
            ctrl_c=self.ctrl_c)
        return DRAIN_COLUMNS, list(terminal.rows_for(
            parsed_args.formatter, [_row(drain, b) for b in drain.backends]))

    def ended(self, code: int) -> int:
        drain = self.outcome
        if drain is None:
            return code
        if drain.interrupted:
            self.note('drain: interrupted; the rows above say what is on each backend')
            return 130
        from volsvcclient import api

        for outcome in drain.report.outcomes:
            if outcome.said and outcome.result in api.UNFINISHED:
                self.error(f'{outcome.label}: {outcome.result}: '
                           f'{outcome.worded(self.voice)}')
        if drain.drained:
            names = ', '.join(b.backend for b in drain.backends)
            self.note(f'drained: safe to stop cinder-volume on {names}')
            return code
        self.error(drain.worded(self.voice) or '')
        return 1


def _one(values: typing.Iterable[typing.Any]) -> typing.Any:
    """One value, or each of several joined."""
    found = list(dict.fromkeys(values))
    return found[0] if len(found) == 1 else ', '.join(map(str, found))


def _row(drain: api.Drain, backend: api.BackendDrain) -> tuple[typing.Any, ...]:
    from osc_lib.cli import format_columns

    def things(moving: typing.Sequence[api.InFlight]) -> format_columns.ListDictColumn:
        return format_columns.ListDictColumn([
            dict(zip(IN_FLIGHT_KEYS, (m.kind, m.id, m.project_id, m.status, m.age, m.why)))
            for m in moving])

    if drain.interrupted:
        verdict = 'interrupted'
    elif backend.drained:
        verdict = 'drained'
    elif backend.reads:
        verdict = 'in flight'
    else:
        verdict = 'not disabled'
    services = backend.services
    return (backend.backend, _one(s.status for s in services),
            _one(s.disabled_reason for s in services), _one(s.is_frozen for s in services),
            backend.volumes, backend.attached, backend.snapshots,
            things(backend.in_flight), things(backend.waiting), verdict)


class ResumeService(_Maintenance):
    _description = (
        'Bring drained cinder-volume backends back: wait for a fresh heartbeat, '
        'thaw and re-enable them (by freeze and thaw where the server ignores '
        'enable), and check they took'
    )
    timeout = RESUME_TIMEOUT
    interval = RESUME_INTERVAL

    def timeout_help(self) -> str:
        return (f'Give up waiting for cinder-volume to report again after this many '
                f'seconds (default {self.timeout:g})')

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], list[tuple[typing.Any, ...]]]:
        from volsvcclient import api
        from volsvcclient.osc import rendering
        from volsvcclient.osc import terminal

        given = self.targets(parsed_args)
        client = self.client(parsed_args.rpc_timeout)
        try:
            report = self.outcome = client.resume(
                **given, timeout=parsed_args.wait_timeout, interval=parsed_args.interval,
                even_if_down=parsed_args.even_if_down, ctrl_c=self.ctrl_c)
        except KeyboardInterrupt:
            # Only the wait for a heartbeat raises it: nothing was sent.
            self.note('resume: interrupted while waiting for cinder-volume to report '
                      'again; nothing was changed')
            raise SystemExit(130)
        except api.WaitTimedOut as exc:
            for line in exc.unmet:
                self.note(line)
            raise exceptions.CommandError(
                f'{len(exc.unmet)} cinder-volume service(s) did not report again in '
                f'{parsed_args.wait_timeout:g} s: nothing was changed') from exc
        return rendering.COLUMNS, list(terminal.rows_for(
            parsed_args.formatter, rendering.rows(report, self.voice)))

    def ended(self, code: int) -> int:
        report = self.outcome
        if report is None:
            return code
        if report.interrupted:
            self.note('resume: interrupted; the rows above say what was done')
            return 130
        if report.unfinished:
            self.error(report.worded(self.voice) or '')
            return 1
        return code
