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

"""``openstack volume service`` commands for Block Storage API v3.

They extend the v2 commands with what microversions gate: the cluster
column and filter (3.7), cluster-wide freeze, thaw and failover (3.26).
"""

from __future__ import annotations

import typing

from osc_lib import exceptions

from volsvcclient.cinder import versions
from volsvcclient.osc import arguments
from volsvcclient.osc import options
from volsvcclient.osc.v2 import changing
from volsvcclient.osc.v2 import commit
from volsvcclient.osc.v2 import maintenance
from volsvcclient.osc.v2 import reading
from volsvcclient.osc.v2 import replication

if typing.TYPE_CHECKING:
    import argparse

    from volsvcclient import api

CLUSTER_HELP = 'Name of the cluster to {action} instead of one host ({needs})'


def _add_cluster_option(parser: argparse.ArgumentParser, action: str, minimum: str) -> None:
    parser.add_argument(
        '--cluster',
        metavar='<cluster>',
        help=CLUSTER_HELP.format(
            action=action, needs=options.needs('--cluster', minimum)),
    )


if typing.TYPE_CHECKING:
    # What the mixin extends, for the checker: freeze and thaw (a
    # _FrozenCommand) and failover (a Lister) are both HostTargets.
    _Mixin = arguments.HostTarget
else:
    _Mixin = object


class _ClusterTarget(_Mixin):
    """freeze, thaw and failover of one host, or of a cluster at 3.26+."""

    #: Verb for the --cluster help text.
    cluster_action = ''
    #: The microversion --cluster needs.
    cluster_minimum = versions.CLUSTER
    host_required = False
    target_options = '<host> or --cluster <cluster>'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _add_cluster_option(parser, self.cluster_action, self.cluster_minimum)
        return parser

    def cluster(self, parsed_args: argparse.Namespace) -> str | None:
        if parsed_args.host and parsed_args.cluster:
            raise exceptions.CommandError(f'Give either {self.target_options}')
        return typing.cast('str | None', parsed_args.cluster)


class ListService(reading.ListService):
    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--cluster',
            metavar='<cluster>',
            help='List only services of this cluster '
            f"({options.needs('--cluster', versions.CLUSTER)})",
        )
        return parser

    def selection(self, parsed_args: argparse.Namespace) -> api.Selection | None:
        from volsvcclient import api

        if parsed_args.cluster:
            return api.Selection(cluster=parsed_args.cluster)
        return None


class ShowService(reading.ShowService):
    pass


class SetService(changing.SetService):
    pass


class FreezeService(_ClusterTarget, changing.FreezeService):
    cluster_action = 'freeze'


class ThawService(_ClusterTarget, changing.ThawService):
    cluster_action = 'thaw'


class FailoverService(_ClusterTarget, replication.FailoverService):
    cluster_action = 'fail over'
    cluster_minimum = versions.CLUSTER_ACTIONS


class CommitService(commit.CommitService):
    def add_cluster_selector(self, group: argparse._ArgumentGroup) -> None:
        group.add_argument(
            '--cluster',
            metavar='<cluster>',
            help='Services of this cluster '
            f"({options.needs('--cluster', versions.CLUSTER)})",
        )


class DrainService(_ClusterTarget, maintenance.DrainService):
    cluster_action = 'drain'


class ResumeService(_ClusterTarget, maintenance.ResumeService):
    cluster_action = 'resume'
