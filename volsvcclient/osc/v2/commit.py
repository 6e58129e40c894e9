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

"""``volume service commit``: many services to wanted states in one
process, from options or from saved listings.

The v3 module subclasses these and adds only what microversions gate.
Module-level imports stay light: OSC imports this module on every run.
"""

from __future__ import annotations

import argparse
import dataclasses
import typing

from osc_lib import exceptions

from volsvcclient.cinder import reasons
from volsvcclient.engine.selection import Selection
from volsvcclient.osc import arguments
from volsvcclient.osc import command
from volsvcclient.osc import options

if typing.TYPE_CHECKING:
    from volsvcclient import api


class CommitService(command.Lister):
    _description = (
        'Bring services to a wanted state (status, disabled reason, frozen): '
        'one service, every service a selection matches, or the states saved '
        'from "volume service list --long"'
    )
    ctrl_c: 'api.Interrupts'
    #: What plan or apply reported (None before).
    report: 'api.Report | None'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        arguments.add_service_arguments(parser, required=False)
        parser.add_argument(
            '--from-file',
            metavar='<file>',
            help='Wanted states of many services: JSON or YAML as printed by '
            '"openstack volume service list --long -f json" (or -f yaml); '
            '"-" reads standard input',
        )
        group = arguments.add_selectors(
            parser,
            'Change every service that matches all of these, instead of '
            '<host> <binary>',
            service_help='Services of this binary (default cinder-volume; '
            'other binaries are changed only when named here)',
        )
        self.add_cluster_selector(group)
        wanted = parser.add_argument_group('wanted state')
        wanted.add_argument(
            '--status',
            choices=('enabled', 'disabled'),
            help='Wanted status',
        )
        wanted.add_argument(
            '--disable-reason',
            dest='disabled_reason',
            metavar='<reason>',
            help=f'Wanted disabled reason (with --status disabled; at most '
            f'{reasons.MAX_REASON} characters)',
        )
        # The first spelling, kept working for scripts (release note).
        wanted.add_argument(
            '--disabled-reason', dest='disabled_reason',
            default=argparse.SUPPRESS, help=argparse.SUPPRESS,
        )
        frozen = wanted.add_mutually_exclusive_group()
        frozen.add_argument(
            '--frozen', action='store_true', help='Wanted frozen (cinder-volume only)'
        )
        frozen.add_argument(
            '--thawed', action='store_true', help='Wanted not frozen (cinder-volume only)'
        )
        parser.add_argument(
            '--enable-via-thaw',
            action='store_true',
            help='Where the server ignores enable requests (Cinder 28.0.0 and '
            'later), re-enable cinder-volume services by freezing and thawing '
            'them',
        )
        options.add_action_bounds(parser)
        options.add_concurrency(parser)
        options.add_wait_timeout(parser)
        options.add_irreversible_option(parser)
        parser.add_argument(
            '--dry-run',
            action='store_true',
            help='Print the plan and change nothing',
        )
        return parser

    def add_cluster_selector(self, group: argparse._ArgumentGroup) -> None:
        """Block Storage API v2 has no clusters: v3 adds --cluster here."""

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
        from volsvcclient import api
        from volsvcclient.osc import rendering
        from volsvcclient.osc import saved
        from volsvcclient.osc import terminal

        frozen = True if parsed_args.frozen else False if parsed_args.thawed else None
        state = api.State(parsed_args.status, parsed_args.disabled_reason, frozen)
        given: dict[str, typing.Any]
        if parsed_args.from_file:
            asked = (parsed_args.host, parsed_args.binary, *dataclasses.astuple(state))
            if any(value is not None for value in asked) or (
                    arguments.selectors(parsed_args) != Selection()):
                raise exceptions.CommandError(
                    '--from-file takes the wanted states from the file: give no '
                    '<host>, <binary>, selector, --status, --disable-reason, '
                    '--frozen or --thawed with it'
                )
            desired = saved.load(parsed_args.from_file, self.voice)
            if not desired:
                self.note(f'{parsed_args.from_file} lists no service: nothing to do')
                return rendering.COLUMNS, []
            given = dict(desired=desired)
        else:
            given = dict(selection=arguments.from_arguments(
                parsed_args, also='--from-file <file>'), template=state)
        client = self.client(parsed_args.rpc_timeout)
        common = dict(enable_via_thaw=parsed_args.enable_via_thaw,
                      even_if_down=parsed_args.even_if_down,
                      even_if_irreversible=parsed_args.even_if_irreversible)
        if parsed_args.dry_run:
            report = self.report = client.plan(**given, **common)
        else:
            report = self.report = client.apply(
                **given, **common, wait_timeout=parsed_args.wait_timeout,
                concurrency=parsed_args.concurrency, ctrl_c=self.ctrl_c)
        return rendering.COLUMNS, list(terminal.rows_for(
            parsed_args.formatter, rendering.rows(report, self.voice)))

    def run(self, parsed_args: argparse.Namespace) -> int:
        from volsvcclient import api

        self.report = None
        # Installed until the report is printed: however many Ctrl-C come
        # once requests are sent, the rows come out.
        with api.Interrupts(linger=True) as self.ctrl_c:
            code = super().run(parsed_args)
        if self.report is not None and self.report.interrupted:
            self.note('commit: interrupted; the rows above say what was done')
            return 130
        if self.report is not None and self.report.unfinished:
            self.note(
                f'Not every service ended as asked ({self.report.unfinished_counts}); '
                f'see the Result column'
            )
            return 1
        return code
