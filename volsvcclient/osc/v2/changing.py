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

"""``volume service set``, ``freeze`` and ``thaw``: change one service,
a cluster or a selection, and check that it took.

The v3 module subclasses these and adds only what microversions gate.
Module-level imports stay light: OSC imports this module on every run.
"""

from __future__ import annotations

import typing

from osc_lib import exceptions

from volsvcclient.cinder import reasons
from volsvcclient.osc import arguments
from volsvcclient.osc import command
from volsvcclient.osc import options

if typing.TYPE_CHECKING:
    import argparse

    from volsvcclient import api


class _OneTarget(command.Command):
    """A change of one service, host or cluster, told in one line."""

    def change(
        self, client: api.Client, asked: str, word: str, target: str, verb: str,
        waited: float = 0, **apply: typing.Any,
    ) -> int | None:
        """Apply ``apply`` (Client.apply's arguments); fail with one line
        unless every service ended as asked. Ctrl-C is counted until the
        outcome is told: see engine.interrupts."""
        from volsvcclient import api
        from volsvcclient.osc import rendering

        self.voice.announcing = False
        with api.Interrupts(linger=True) as self.ctrl_c:
            report = client.apply(ctrl_c=self.ctrl_c, **apply)
            if report.interrupted:
                for outcome in report.outcomes:
                    if outcome.result in api.UNFINISHED:
                        self.note(f'{outcome.label}: {outcome.result}: '
                                  f'{outcome.worded(self.voice)}')
                self.note(f'{verb} {target}: interrupted')
                return 130
        refusal = rendering.refusal(report.outcomes, self.voice)
        if refusal is not None:
            raise refusal
        if all(o.result == api.Result.UNCHANGED for o in report.outcomes):
            self.note(f'{target} is already {word}; nothing to do')
            return None
        failed = [o for o in report.outcomes if o.re_enabling and o.said]
        if failed:
            raise exceptions.CommandError(
                f'{failed[0].label}: {failed[0].worded(self.voice)}')
        line = rendering.one_line(report.outcomes, asked, self.voice, waited)
        if line is not None:
            raise exceptions.CommandError(line)
        return None


class SetService(_OneTarget):
    _description = 'Enable or disable a Block Storage service, and check it took effect'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        # Upstream OSC names the binary <service> here: keep its spelling.
        arguments.add_service_arguments(parser, binary_dest='service')
        enabled = parser.add_mutually_exclusive_group()
        enabled.add_argument(
            '--enable', action='store_true', help='Enable volume service'
        )
        enabled.add_argument(
            '--disable', action='store_true', help='Disable volume service'
        )
        parser.add_argument(
            '--disable-reason',
            metavar='<reason>',
            help=f'Reason for disabling the service (with --disable; at most '
            f'{reasons.MAX_REASON} characters)',
        )
        parser.add_argument(
            '--enable-via-thaw',
            action='store_true',
            help='With --enable: when the server ignores the enable request '
            '(Cinder 28.0.0 and later), re-enable a cinder-volume service by '
            'freezing and thawing it',
        )
        options.add_action_bounds(parser)
        options.add_irreversible_option(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int | None:
        from volsvcclient import api

        if parsed_args.disable_reason is not None and not parsed_args.disable:
            raise exceptions.CommandError(
                'Cannot specify option --disable-reason without --disable specified.'
            )
        if not (parsed_args.enable or parsed_args.disable):
            raise exceptions.CommandError('Nothing to set: give --enable or --disable')
        if parsed_args.enable_via_thaw and not parsed_args.enable:
            raise exceptions.CommandError('--enable-via-thaw goes with --enable')
        status = 'disabled' if parsed_args.disable else 'enabled'
        desired = api.Desired(parsed_args.host, parsed_args.service, status,
                              parsed_args.disable_reason)
        return self.change(
            self.client(parsed_args.rpc_timeout),
            'the disable request' if parsed_args.disable else 'os-services/enable',
            status, desired.label, 'set',
            desired=[desired], enable_via_thaw=parsed_args.enable_via_thaw,
            even_if_down=parsed_args.even_if_down,
            even_if_irreversible=parsed_args.even_if_irreversible,
        )


class _FrozenCommand(arguments.HostTarget, _OneTarget):
    """freeze and thaw: a host, a cluster (v3) or a selection, to one state."""

    #: The frozen state the command sets.
    frozen = True
    #: A selection can stand in for <host>.
    host_required = False

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        arguments.add_selectors(
            parser,
            'Act on every cinder-volume service that matches all of these, '
            'instead of <host>',
            service_help=None,
        )
        options.add_wait_timeout(parser)
        options.add_action_bounds(parser)
        return parser

    @property
    def word(self) -> str:
        return 'frozen' if self.frozen else 'thawed'

    @property
    def verb(self) -> str:
        return 'freeze' if self.frozen else 'thaw'

    def take_action(self, parsed_args: argparse.Namespace) -> int | None:
        from volsvcclient import api
        from volsvcclient.cinder import records

        cluster = self.cluster(parsed_args)
        named = parsed_args.host or cluster
        if parsed_args.host_pattern or parsed_args.zone:
            if named:
                raise exceptions.CommandError(
                    f'Give {self.target_options} or a selection '
                    f'(--host-pattern, --zone), not both'
                )
            return self._change_selection(parsed_args)
        if not named:
            raise exceptions.CommandError(
                f'Give {self.target_options}, or a selection (--host-pattern, --zone)'
            )
        client = self.client(parsed_args.rpc_timeout)
        state = api.State(frozen=self.frozen)
        if cluster:
            target, given = f"cluster '{cluster}'", dict(
                selection=api.Selection(cluster=cluster, binary=records.VOLUME_BINARY),
                template=state)
        else:
            target, given = f"host '{parsed_args.host}'", dict(desired=[api.Desired(
                parsed_args.host, records.VOLUME_BINARY, frozen=self.frozen)])
        return self.change(
            client, f'{self.verb} of {target}', self.word, target, self.verb,
            parsed_args.wait_timeout, wait_timeout=parsed_args.wait_timeout,
            even_if_down=parsed_args.even_if_down, **given)

    def _change_selection(self, parsed_args: argparse.Namespace) -> int | None:
        from volsvcclient import api
        from volsvcclient.cinder import records

        selection = api.Selection(
            parsed_args.host_pattern, records.VOLUME_BINARY, parsed_args.zone
        )
        client = self.client(parsed_args.rpc_timeout)
        # Counted, not raised, until every row is told: see interrupts.
        with api.Interrupts(linger=True) as self.ctrl_c:
            report = client.apply(
                selection=selection, template=api.State(frozen=self.frozen),
                wait_timeout=parsed_args.wait_timeout,
                even_if_down=parsed_args.even_if_down, ctrl_c=self.ctrl_c)
            for outcome in report.outcomes:
                if outcome.result in api.UNFINISHED:
                    self.note(f'{outcome.label}: {outcome.result}: '
                              f'{outcome.worded(self.voice)}')
                elif outcome.result == api.Result.UNCHANGED:
                    self.note(f'{outcome.label} is already {self.word}; nothing to do')
        summary = (f'{report.unfinished} of {len(report.outcomes)} service(s) did not '
                   f'end {self.word}')
        if report.interrupted:
            self.note(f'{self.verb}: interrupted; {summary}')
            return 130
        if report.unfinished:
            raise exceptions.CommandError(summary)
        return None


class FreezeService(_FrozenCommand):
    _description = (
        'Freeze cinder-volume backends: disable them and block management '
        'of their volumes'
    )
    frozen = True


class ThawService(_FrozenCommand):
    _description = (
        'Thaw frozen cinder-volume backends, which also re-enables them and '
        'clears their disabled reason, whoever set it'
    )
    frozen = False
