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

"""What Cinder accepts as a disabled reason, checked before any request.

Import-light: command modules use it at parse time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from osc_lib import exceptions

if TYPE_CHECKING:
    import argparse

#: Cinder's column and schema limit for disabled_reason.
MAX_REASON = 255
#: The only binary a disable of which can be undone on Cinder 28.0.0 and
#: later, which ignore os-services/enable: a thaw re-enables it.
REVERSIBLE_BINARY = 'cinder-volume'
IRREVERSIBLE_OPTION = '--even-if-irreversible'


def irreversible(binary: str) -> bool:
    """Whether disabling ``binary`` may not be undone through the API."""
    return binary != REVERSIBLE_BINARY


def add_irreversible_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        IRREVERSIBLE_OPTION,
        action='store_true',
        help='Disable services other than cinder-volume (cinder-scheduler, '
        'cinder-backup) even though Cinder 28.0.0 and later have no API that '
        're-enables them: only their database records can then be changed '
        'back. Without it such a disable is refused',
    )


def check_reason(reason: str | None, option: str = '--disable-reason') -> None:
    """Refuse a reason Cinder would reject, before any request."""
    if reason is None:
        return
    if not reason.strip():
        raise exceptions.CommandError(f'{option} must not be empty')
    if len(reason) > MAX_REASON:
        raise exceptions.CommandError(
            f'{option} is {len(reason)} characters long; Cinder accepts at '
            f'most {MAX_REASON}'
        )


#: Why Cinder may fail a reason with HTTP 500.
BEYOND_BMP = (
    'The reason has characters outside the Basic Multilingual Plane (such '
    "as emoji), which Cinder's utf8 (utf8mb3) database columns cannot "
    'store in many deployments'
)


def beyond_bmp(reason: str | None) -> bool:
    """Whether ``reason`` has a character MySQL's utf8mb3 cannot store."""
    return bool(reason and max(map(ord, reason)) > 0xFFFF)
