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

"""Advice in no face's words: what would help an operator, as facts that
the command line, the Python API and the Ansible collection each word in
their own names (``--even-if-down``, ``even_if_down=True``, ``Set
even_if_down: true``; ``volsvc thaw H``, a Desired with frozen=False, a
task with ``frozen: false``).

Import-light (stdlib only).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol, Sequence

#: The keyword arguments of the Python API that overrule a refusal or work
#: around what a release lacks; each face spells them as its option.
EVEN_IF_DOWN = 'even_if_down'
EVEN_IF_IRREVERSIBLE = 'even_if_irreversible'
ENABLE_VIA_THAW = 'enable_via_thaw'
RPC_TIMEOUT = 'rpc_timeout'
CLUSTER = 'cluster'

#: What advice can ask to run, on ``host`` (and ``binary``).
THAW = 'thaw'                 # thaws and re-enables a cinder-volume
FREEZE_THEN_THAW = 'freeze-then-thaw'  # re-enables a cinder-volume on 28+
SHOW = 'show'                 # shows a service as it now is
FAILOVER = 'failover'         # fails a backend over, or back
ENABLE = 'enable'             # re-enables a service where enable works


#: How advice on a keyword reads: "Give K to <purpose>", or "K <purpose>".
GIVE = 'give'
DOES = 'does'


@dataclasses.dataclass(frozen=True)
class Advice:
    """Give ``keyword`` (set to ``value``; None: a value of the caller's) to
    ``purpose`` (``form`` GIVE), or say that it does ``purpose`` (DOES); or
    run ``verb`` on
    ``host``/``binary``, which does ``purpose``. ``also`` is a keyword
    that does the same in one step, and what it does ('does both')."""

    purpose: str
    keyword: str | None = None
    value: Any = True
    verb: str | None = None
    host: str | None = None
    binary: str | None = None
    also: tuple[str, str] | None = None
    form: str = GIVE
    #: What to try first, before giving ``keyword`` ('Start it first').
    first: str | None = None


@dataclasses.dataclass(frozen=True)
class Said:
    """Part of a sentence: ``facts``, then ``joiner`` and the advice in a
    face's words, then ``closer``."""

    facts: str
    advice: Advice | None = None
    joiner: str = '. '
    closer: str = ''

    def worded(self, words: Words) -> str:
        if self.advice is None:
            return self.facts
        return f'{self.facts}{self.joiner}{words.advise(self.advice)}{self.closer}'


def worded(parts: Sequence[Said], words: Words, separator: str = '; ') -> str:
    """Parts of a sentence in a face's words."""
    return separator.join(part.worded(words) for part in parts if part.facts)


class Words(Protocol):
    """How one face names things: its spelling of each keyword argument,
    and its sentence for each piece of advice."""

    def name(self, keyword: str) -> str: ...

    def advise(self, advice: Advice) -> str: ...


def give(advice: Advice) -> str:
    """How advice to give a keyword begins: 'Give', or 'Start it first,
    or give'."""
    return f'{advice.first}, or give' if advice.first else 'Give'


class ApiWords:
    """The Python API's words: its keyword arguments and methods."""

    def name(self, keyword: str) -> str:
        return {'microversion': 'Block Storage API',
                'session': 'this client'}.get(keyword, keyword)

    def advise(self, advice: Advice) -> str:
        if advice.keyword is not None:
            given = advice.keyword if advice.value is None else (
                f'{advice.keyword}={advice.value!r}')
            if advice.form == DOES:
                return f'{given} {advice.purpose}'
            return f'{give(advice)} {given} to {advice.purpose}'
        how = {
            THAW: f'a Desired({advice.host!r}, {advice.binary!r}, frozen=False)',
            FREEZE_THEN_THAW: (f'a Desired({advice.host!r}, {advice.binary!r}, '
                               f'frozen=True), then frozen=False,'),
            SHOW: f'Client.show({advice.host!r}, {advice.binary!r})',
            FAILOVER: 'Client.failover()',
            ENABLE: "a Desired with status='enabled'",
        }[advice.verb or '']
        also = f' ({advice.also[0]}=True {advice.also[1]})' if advice.also else ''
        return f'{how} {advice.purpose}{also}'


#: The words of exceptions' str(): the Python API's.
API = ApiWords()
