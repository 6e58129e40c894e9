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

"""The checks of the Client's arguments that no layer below makes (their
types), each raising InvalidRequest naming the argument, before the first
request. The rules on values (seconds, reasons, desired states) are the
engine's and the Cinder layer's, called from the Client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from volsvcclient.cinder import exceptions
from volsvcclient.engine import selection as selection_module

if TYPE_CHECKING:
    from volsvcclient.engine.selection import Selection


def flag(value: object, keyword: str) -> bool:
    """``value`` when it is a bool."""
    if not isinstance(value, bool):
        raise exceptions.InvalidRequest(
            '{%s} must be True or False, not {given}' % keyword, keyword,
            given=repr(value))
    return value


def one_of(value: object, keyword: str, choices: Sequence[str]) -> None:
    """``value`` is None or one of ``choices``."""
    if value is not None and value not in choices:
        raise exceptions.InvalidRequest(
            '{%s} must be %s or None, not {given}' % (
                keyword, ', '.join(repr(c) for c in choices)), keyword, given=repr(value))


def selection(value: object) -> selection_module.Selection:
    """A Selection, every service when None."""
    if value is None:
        return selection_module.Selection()
    if not isinstance(value, selection_module.Selection):
        raise exceptions.InvalidRequest(
            '{selection} must be a Selection or None, not {given}', 'selection',
            given=type(value).__name__)
    return value


def backends(
    host: object, cluster: object, selection_given: object
) -> tuple[str | None, str | None, Selection | None]:
    """The one target a drain or a resume is given."""
    given = [name for name, value in (('host', host), ('cluster', cluster),
                                      ('selection', selection_given))
             if value is not None]
    if len(given) != 1:
        raise exceptions.InvalidRequest(
            'give one of {host}, {cluster} or {selection}', 'host')
    for keyword, value in (('host', host), ('cluster', cluster)):
        exceptions.check_text(value, keyword)
    chosen = selection(selection_given) if selection_given is not None else None
    return (host, cluster, chosen)  # type: ignore[return-value]


def ctrl_c(given: object) -> None:
    """``ctrl_c``: an Interrupts, or None."""
    from volsvcclient.engine import interrupts

    if given is not None and not isinstance(given, interrupts.Interrupts):
        raise exceptions.InvalidRequest(
            '{ctrl_c} must be an Interrupts or None, not {given}', 'ctrl_c',
            given=type(given).__name__)
