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

"""OpenStackClient plugin entry point for volsvcclient.

OSC imports this module on every ``openstack`` run, so it imports nothing
beyond the standard library.

The plugin shares OSC's ``--os-volume-api-version`` option instead of adding
its own: OSC then loads ``openstack.volume_service.v2`` or ``.v3`` to match
the version the user asked for.  Our ``volume service list`` and ``volume
service set`` deliberately replace OSC's core commands of the same name
(plugin groups load after OSC's own, and cliff keeps the later entry).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from openstack import proxy
    from osc_lib import clientmanager

LOG = logging.getLogger(__name__)

DEFAULT_API_VERSION = '3'
# Never 'volume': OSC would replace its own volume client with ours.
API_NAME = 'volume_service'
API_VERSION_OPTION = 'os_volume_api_version'
API_VERSIONS = ('2', '3')


def make_client(instance: clientmanager.ClientManager) -> proxy.Proxy:
    """Return the openstacksdk block-storage proxy of OSC's connection."""
    return instance.sdk_connection.block_storage


def build_option_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add no global option: ``--os-volume-api-version`` is OSC's own."""
    return parser


def check_api_version(check_version: str) -> bool:
    """Accept any version: the SDK negotiates microversions with Cinder."""
    return True
