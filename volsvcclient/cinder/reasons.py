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

"""What Cinder accepts as a disabled reason, and which disables no API
undoes: checked before any request.

Import-light (stdlib only): command modules quote it in their help.
"""

from __future__ import annotations

from typing import Any

#: Cinder's column and schema limit for disabled_reason.
MAX_REASON = 255
#: The only binary a disable of which can be undone on Cinder 28.0.0 and
#: later, which ignore os-services/enable: a thaw re-enables it.
REVERSIBLE_BINARY = 'cinder-volume'


def irreversible(binary: str) -> bool:
    """Whether disabling ``binary`` may not be undone through the API."""
    return binary != REVERSIBLE_BINARY


def irreversibly(binary: str) -> str:
    """Why a disable of ``binary`` may not be undone."""
    return (
        f'Cinder 28.0.0 and later have no API that re-enables {binary}: '
        f'disabling it may not be reversible'
    )


def check_reason(reason: Any, where: str = '') -> None:
    """Refuse a reason Cinder would reject, before any request."""
    from volsvcclient.cinder import exceptions

    if reason is None:
        return
    if not isinstance(reason, str):
        raise exceptions.InvalidRequest(
            '{disabled_reason} must be text, not {given}', 'disabled_reason', where,
            given=type(reason).__name__)
    if not reason.strip():
        raise exceptions.InvalidRequest(
            '{disabled_reason} must not be empty', 'disabled_reason', where)
    if len(reason) > MAX_REASON:
        raise exceptions.InvalidRequest(
            '{disabled_reason} is {length} characters long; Cinder accepts at '
            'most {most}', 'disabled_reason', where, length=len(reason),
            most=MAX_REASON)


#: Why Cinder may fail a reason with HTTP 500.
BEYOND_BMP = (
    'The reason has characters outside the Basic Multilingual Plane (such '
    "as emoji), which Cinder's utf8 (utf8mb3) database columns cannot "
    'store in many deployments'
)


def beyond_bmp(reason: str | None) -> bool:
    """Whether ``reason`` has a character MySQL's utf8mb3 cannot store."""
    return bool(reason and max(map(ord, reason)) > 0xFFFF)
