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

"""``volume service list`` and ``show``: what the server reports.

The v3 module subclasses these and adds only what microversions gate.
Module-level imports stay light: OSC imports this module on every run.
"""

from __future__ import annotations

import argparse
import typing

from volsvcclient.osc import arguments
from volsvcclient.osc import columns
from volsvcclient.osc import command
from volsvcclient.osc import options

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

    from volsvcclient import api


class ListService(command.Lister):
    _description = 'List Block Storage services'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--host',
            metavar='<host>',
            help='List services on this host only (a host name also '
            'matches its host@backend services)',
        )
        parser.add_argument(
            '--service',
            metavar='<service>',
            help='List only this service (binary name, e.g. cinder-volume)',
        )
        parser.add_argument(
            '--status',
            choices=('enabled', 'disabled'),
            help='List only enabled or only disabled services',
        )
        parser.add_argument(
            '--state',
            choices=('up', 'down'),
            help='List only services that are up, or only those down',
        )
        parser.add_argument(
            '--zone', metavar='<zone>', help='List only services of this zone'
        )
        frozen = parser.add_mutually_exclusive_group()
        frozen.add_argument(
            '--frozen',
            action='store_true',
            help='List only frozen cinder-volume services',
        )
        frozen.add_argument(
            '--thawed',
            dest='no_frozen',
            action='store_true',
            help='List only cinder-volume services that are not frozen',
        )
        # The first spelling, kept working for scripts (release note).
        frozen.add_argument(
            '--no-frozen', dest='no_frozen', action='store_true',
            default=argparse.SUPPRESS, help=argparse.SUPPRESS,
        )
        parser.add_argument(
            '--replication-status',
            metavar='<status>',
            help='List only cinder-volume services in this replication '
            'status (enabled, disabled, failing-over, failed-over, ...)',
        )
        parser.add_argument(
            '--long',
            action='store_true',
            default=False,
            help='List additional fields in output (Disabled Reason, '
            'Replication Status, Active Backend ID, Frozen)',
        )
        parser.add_argument(
            '--down-for',
            metavar='<duration>',
            type=options.duration,
            help='List only stale records to clean up with cinder-manage '
            'service remove: services Cinder shows down that have sent no '
            'heartbeat for at least this long (90s, 30m, 2h, 7d: the unit is '
            'required), by cinder-api\'s own clock, or never sent one',
        )
        options.add_backend_state_timeout(parser)
        return parser

    def selection(self, parsed_args: argparse.Namespace) -> api.Selection | None:
        """Block Storage API v2 has no clusters: v3 selects one here."""
        return None

    def client_filters(self, parsed_args: argparse.Namespace) -> dict[str, typing.Any]:
        """SDK attribute -> wanted value, applied to what the server lists."""
        filters = {
            'status': parsed_args.status,
            'state': parsed_args.state,
            'availability_zone': parsed_args.zone,
            'replication_status': parsed_args.replication_status,
        }
        if parsed_args.frozen:
            filters['is_frozen'] = True
        if parsed_args.no_frozen:
            filters['is_frozen'] = False
        return {k: v for k, v in filters.items() if v is not None}

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], Iterable[tuple[typing.Any, ...]]]:
        from volsvcclient.cinder import records
        from volsvcclient.osc import terminal

        client = self.client(parsed_args.rpc_timeout)
        filters = self.client_filters(parsed_args)
        attributes, names = columns.for_list(client.microversion, parsed_args.long)
        listed = client.services(
            host=parsed_args.host,
            binary=parsed_args.service,
            selection=self.selection(parsed_args),
            backend_state='backend_state' in attributes,
            silent_for=parsed_args.down_for,
        )
        if filters:
            listed = [s for s in listed if not records.mismatches(s, filters)]
        return names, terminal.rows_for(
            parsed_args.formatter, records.rows(listed, attributes))


class ShowService(command.ShowOne):
    _description = 'Show every field the server reports for one service'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        arguments.add_service_arguments(parser)
        options.add_backend_state_timeout(parser)
        return parser

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], tuple[typing.Any, ...]]:
        from volsvcclient.osc import terminal

        client = self.client(parsed_args.rpc_timeout)
        service = client.get_service(parsed_args.host, parsed_args.binary)
        names, values = columns.for_show(service.fields, client.microversion)
        (values,) = terminal.rows_for(parsed_args.formatter, [values])
        return names, values
