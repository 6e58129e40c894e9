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

"""Every failure as the command line's one line: the engine's exceptions
in the command line's words (its options, its program's commands), and
keystoneauth's and openstacksdk's as the Cinder layer describes them.

Every command's exceptions pass through :func:`translate` (see
``volsvcclient.osc.command``), so each failure reads the same everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from osc_lib import exceptions

if TYPE_CHECKING:
    from volsvcclient.cinder.advice import Words


def translate(
    exc: BaseException, keystone: str | None = None, words: Words | None = None
) -> exceptions.CommandError | None:
    """A CommandError for ``exc``, or None when it is not ours to word.

    ``keystone`` is the auth URL, to tell Keystone's failures from
    cinder-api's; ``words`` the command line's (the voice of the program
    that runs).
    """
    from volsvcclient.cinder import failures
    from volsvcclient.osc import voice

    if isinstance(exc, exceptions.CommandError):
        return exc
    described = failures.describe(exc, keystone)
    if described is None:
        return None
    return exceptions.CommandError(described.worded(words or voice.Voice()))
