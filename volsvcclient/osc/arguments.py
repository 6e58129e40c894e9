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

"""The options that name services, and the Selection they make: the command
layer's half of ``volsvcclient.engine.selection``. Import-light: command modules
use it at parse time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from osc_lib import exceptions

from volsvcclient.cinder import versions
from volsvcclient.engine.selection import Selection
from volsvcclient.osc import options

if TYPE_CHECKING:
    import argparse

SELECTORS = '--host-pattern, --service, --zone, --cluster'


def add_service_arguments(
    parser: argparse.ArgumentParser, binary_dest: str = 'binary', required: bool = True
) -> None:
    """The <host> <binary> pair that names one service."""
    nargs = None if required else '?'
    parser.add_argument(
        'host', metavar='<host>', nargs=nargs, help='Host of the service, as listed'
    )
    parser.add_argument(
        binary_dest,
        metavar=f'<{binary_dest}>',
        nargs=nargs,
        help='Binary name of the service (e.g. cinder-volume)',
    )


def add_selectors(
    parser: argparse.ArgumentParser,
    intro: str,
    service_help: str | None = 'Services of this binary',
    cluster: bool = False,
) -> argparse._ArgumentGroup:
    """--host-pattern, --service (unless ``service_help`` is None), --zone
    and (v3) --cluster, in one argument group, which is returned."""
    group = parser.add_argument_group('selection', intro)
    group.add_argument(
        '--host-pattern',
        metavar='<pattern>',
        help="Hosts matching this shell pattern (e.g. 'node1*@lvm*')",
    )
    if service_help:
        group.add_argument('--service', metavar='<binary>', help=service_help)
    group.add_argument(
        '--zone', metavar='<zone>', help='Services in this availability zone'
    )
    if cluster:
        group.add_argument(
            '--cluster',
            metavar='<cluster>',
            help='Services of this cluster '
            f"({options.needs('--cluster', versions.CLUSTER)})",
        )
    return group


def selectors(parsed_args: argparse.Namespace) -> Selection:
    """The Selection of the selector options alone (--cluster is v3's)."""
    return Selection(
        parsed_args.host_pattern,
        parsed_args.service,
        parsed_args.zone,
        getattr(parsed_args, 'cluster', None),
    )


def from_arguments(
    parsed_args: argparse.Namespace, everything: bool = False, also: str | None = None
) -> Selection:
    """The Selection of <host> <binary>, or of the selectors; an error for
    both, and for neither unless ``everything`` then is chosen. ``also``
    names another way the command takes, for that error."""
    named = (parsed_args.host, parsed_args.binary)
    selector = selectors(parsed_args)
    if selector != Selection():
        if any(named):
            raise exceptions.CommandError(
                f'Give <host> <binary> or selectors ({SELECTORS}), not both'
            )
        return selector
    if everything and not any(named):
        return Selection()
    if not all(named):
        ways = f'selectors ({SELECTORS}), or {also}' if also else f'or selectors ({SELECTORS})'
        raise exceptions.CommandError(f'Give <host> <binary>, {ways}')
    return Selection(host=parsed_args.host, binary=parsed_args.binary)


if TYPE_CHECKING:
    # What the mixin is mixed into, for the checker: osc-lib's commands.
    from osc_lib.command import command as _osc_command

    _Mixin = _osc_command.Command
else:
    _Mixin = object


class HostTarget(_Mixin):
    """Commands that act on the cinder-volume service of one host."""

    #: False where something else can stand in for <host>.
    host_required = True
    #: How the operator names what to act on, for messages.
    target_options = '<host>'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'host',
            metavar='<host>',
            nargs=None if self.host_required else '?',
            help='Host of the cinder-volume service, as listed (host@backend)',
        )
        return parser

    def cluster(self, parsed_args: argparse.Namespace) -> str | None:
        """The cluster named instead of <host> (v3), if any."""
        return None
