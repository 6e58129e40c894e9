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

"""``volume service failover``: to a replication target and back.

The v3 module subclasses these and adds only what microversions gate.
Module-level imports stay light: OSC imports this module on every run.
"""

from __future__ import annotations

import typing

from osc_lib import exceptions

from volsvcclient.osc import arguments
from volsvcclient.osc import command
from volsvcclient.osc import options

if typing.TYPE_CHECKING:
    import argparse


_FAILOVER_COLUMNS = (
    ('host', 'Host'),
    ('binary', 'Binary'),
    ('status', 'Status'),
    ('disabled_reason', 'Disabled Reason'),
    ('replication_status', 'Replication Status'),
    ('active_backend_id', 'Active Backend ID'),
)


class FailoverService(arguments.HostTarget, command.Lister):
    _description = (
        'Fail over a replicating cinder-volume backend to a replication '
        'target, or back with --backend-id default'
    )
    #: Default of --wait-timeout.
    wait_timeout = 300.0

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--backend-id',
            metavar='<backend-id>',
            help="Replication target to fail over to (as in the backend's "
            "replication_device); 'default' fails back to the primary",
        )
        parser.add_argument(
            '--wait',
            action='store_true',
            help='Wait until the failover has finished, and fail when it '
            'ends in error',
        )
        parser.add_argument(
            '--wait-timeout',
            metavar='<seconds>',
            type=options.seconds,
            help='With --wait: give up after this many seconds, for all the '
            f'members of a cluster together (default {self.wait_timeout:g})',
        )
        options.add_action_bounds(parser)
        return parser

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], list[tuple[typing.Any, ...]]]:
        from volsvcclient.cinder import records
        from volsvcclient.osc import terminal

        if parsed_args.wait_timeout is None:
            parsed_args.wait_timeout = self.wait_timeout
        elif not parsed_args.wait:
            raise exceptions.CommandError('--wait-timeout goes with --wait')
        if parsed_args.wait_timeout <= 0:
            raise exceptions.CommandError('--wait-timeout must be positive')
        client = self.client(parsed_args.rpc_timeout)
        final = client.failover(
            parsed_args.host, cluster=self.cluster(parsed_args),
            backend_id=parsed_args.backend_id, even_if_down=parsed_args.even_if_down,
            wait=parsed_args.wait, timeout=parsed_args.wait_timeout)
        attributes = tuple(a for a, _ in _FAILOVER_COLUMNS)
        names = tuple(n for _, n in _FAILOVER_COLUMNS)
        return names, list(terminal.rows_for(
            parsed_args.formatter, records.rows(final, attributes)))
