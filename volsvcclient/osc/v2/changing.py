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

from volsvcclient.cinder import bounds
from volsvcclient.cinder import reasons
from volsvcclient.engine import selection
from volsvcclient.osc import arguments
from volsvcclient.osc import command

if typing.TYPE_CHECKING:
    import argparse

    from volsvcclient.cinder import services
    from volsvcclient.engine import desired_state


class SetService(command.Command):
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
        bounds.add_action_bounds(parser)
        reasons.add_irreversible_option(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        if parsed_args.disable_reason is not None and not parsed_args.disable:
            raise exceptions.CommandError(
                'Cannot specify option --disable-reason without --disable specified.'
            )
        if not (parsed_args.enable or parsed_args.disable):
            raise exceptions.CommandError('Nothing to set: give --enable or --disable')
        if parsed_args.enable_via_thaw and not parsed_args.enable:
            raise exceptions.CommandError('--enable-via-thaw goes with --enable')
        reasons.check_reason(parsed_args.disable_reason)

        api = self.service_api(parsed_args.rpc_timeout)
        service = api.find(parsed_args.host, parsed_args.service)
        if parsed_args.disable:
            self._disable(
                api, service, parsed_args.disable_reason,
                parsed_args.even_if_irreversible,
            )
        else:
            self._enable(
                api, service, parsed_args.enable_via_thaw, parsed_args.even_if_down
            )

    def _disable(
        self, api: services.ServiceAPI, service: services.Service, reason: str | None,
        even_if_irreversible: bool,
    ) -> None:
        from volsvcclient.engine import desired_state
        from volsvcclient.engine import single

        if service.status == 'disabled' and not reason:
            self.note(f'{service.label} is already disabled; nothing to do')
            return
        if reasons.irreversible(service.binary):
            if not even_if_irreversible:
                raise self.voice.refuse_irreversible(
                    service.label, service.binary, reasons.IRREVERSIBLE_OPTION)
            self.note(f'{service.label}: warning: '
                      f'{self.voice.irreversible(service.binary)}')
        single.Change(
            api, self.voice, [service],
            desired_state.Wanted('', '', 'disabled', reason),
            [desired_state.Action('disable', reason)], 'the disable request',
        ).run(cause=reasons.BEYOND_BMP if reasons.beyond_bmp(reason) else None)

    def _enable(
        self, api: services.ServiceAPI, service: services.Service, via_thaw: bool,
        even_if_down: bool,
    ) -> None:
        from volsvcclient.engine import desired_state
        from volsvcclient.engine import outcomes
        from volsvcclient.engine import single

        if service.status == 'enabled':
            self.note(f'{service.label} is already enabled; nothing to do')
            return
        change = single.Change(
            api, self.voice, [service], desired_state.Wanted('', '', 'enabled'),
            [outcomes.ENABLE], 'os-services/enable',
        )
        change.send()
        change.verify()
        [outcome] = change.outcomes
        if via_thaw and outcomes.enable_ignored(outcome, outcome.now):
            assert outcome.now is not None
            single.enable_via_thaw(api, outcome.now, self.voice, even_if_down)
            return
        change.finish()


class _FrozenCommand(arguments.HostTarget, command.Command):
    """freeze and thaw: a host, a cluster (v3) or a selection, to one state."""

    #: The frozen state the command sets.
    frozen = True
    #: The status the command leaves (a thaw re-enables), None as it is.
    status: str | None = None
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
        bounds.add_wait_timeout(parser)
        bounds.add_action_bounds(parser)
        return parser

    @property
    def word(self) -> str:
        return 'frozen' if self.frozen else 'thawed'

    @property
    def verb(self) -> str:
        return 'freeze' if self.frozen else 'thaw'

    def take_action(self, parsed_args: argparse.Namespace) -> int | None:
        named = parsed_args.host or getattr(parsed_args, 'cluster', None)
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
        self._change_target(parsed_args)
        return None

    def _change_target(self, parsed_args: argparse.Namespace) -> None:
        """A host or a cluster: a plan of its members, told in one line."""
        from volsvcclient.engine import desired_state
        from volsvcclient.engine import single

        api = self.service_api(parsed_args.rpc_timeout)
        target = self.target(parsed_args, api)
        members = api.members(target)
        if all(member.is_frozen is self.frozen for member in members):
            self.note(f'{target} is already {self.word}; nothing to do')
            return
        change = single.Change(
            api, self.voice, members, self.wanted(),
            [desired_state.Action(self.verb)], f'{self.verb} of {target}', target,
            parsed_args.even_if_down,
        )
        change.check_up(self.verb)
        for member in members:
            if member.status == 'disabled' and member.disabled_reason != 'frozen':
                reason = member.disabled_reason
                said = f'with reason {reason!r}' if reason else 'without a reason'
                self.note(f'{member.label}: disabled {said}: {self.ends_disable()}')
        change.run(parsed_args.wait_timeout)

    def wanted(self) -> desired_state.Wanted:
        """The state the command leaves each service in."""
        from volsvcclient.cinder import services
        from volsvcclient.engine import desired_state

        return desired_state.Wanted(
            '', services.VOLUME_BINARY, self.status, None, self.frozen)

    def ends_disable(self) -> str:
        """What the command does to a disable an operator made."""
        raise NotImplementedError

    def _change_selection(self, parsed_args: argparse.Namespace) -> int | None:
        from volsvcclient.cinder import services
        from volsvcclient.engine import batch
        from volsvcclient.engine import desired_state
        from volsvcclient.engine import interrupts

        selector = selection.Selector(
            parsed_args.host_pattern, services.VOLUME_BINARY, parsed_args.zone
        )
        request = desired_state.Request(selector=selector, template=self.wanted())
        api = self.service_api(parsed_args.rpc_timeout)
        # Counted, not raised, until every row is told: see interrupts.
        with interrupts.Interrupts() as ctrl_c:
            run = batch.Batch(api, request, self.voice, parsed_args.even_if_down, ctrl_c)
            _, rows, unfinished = run.apply(wait_timeout=parsed_args.wait_timeout)
            for host, binary, _, result, detail in rows:
                if result in batch.UNFINISHED:
                    self.note(f'{binary} on {host}: {result}: {detail}')
                elif result == batch.UNCHANGED:
                    self.note(f'{binary} on {host} is already {self.word}; nothing to do')
        summary = f'{unfinished} of {len(rows)} service(s) did not end {self.word}'
        if run.interrupted:
            self.note(f'{self.verb}: interrupted; {summary}')
            return 130
        if unfinished:
            raise exceptions.CommandError(summary)
        return None


class FreezeService(_FrozenCommand):
    _description = (
        'Freeze cinder-volume backends: disable them and block management '
        'of their volumes'
    )
    frozen = True

    def ends_disable(self) -> str:
        return "the freeze replaces the reason with 'frozen', and a thaw will re-enable it"


class ThawService(_FrozenCommand):
    _description = (
        'Thaw frozen cinder-volume backends, which also re-enables them and '
        'clears their disabled reason, whoever set it'
    )
    frozen = False
    status = 'enabled'

    def ends_disable(self) -> str:
        return (
            'the thaw re-enables it and clears the reason; disable it again if '
            'it must stay out of service'
        )
