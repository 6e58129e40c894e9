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

"""Apply planned service changes: concurrently, verified, honestly reported.

One list request reads every live state, ``desired_state.plan`` gives each
service its actions, ``sending.Sender`` sends them, and one more list
request (repeated up to ``--wait-timeout``) verifies them all;
``outcomes.judge`` says how each ended and ``Outcome.row`` reports it. When
the verifying read fails too, the service is reported ``unknown`` with what
the server accepted; no number of Ctrl-C loses the report.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING

from volsvcclient.cinder import reasons
from volsvcclient.cinder import services
from volsvcclient.engine import desired_state
from volsvcclient.engine import interrupts
from volsvcclient.engine import outcomes
from volsvcclient.engine.outcomes import CHANGED
from volsvcclient.engine.outcomes import FAILED
from volsvcclient.engine.outcomes import NOT_ATTEMPTED
from volsvcclient.engine.outcomes import Outcome
from volsvcclient.engine.outcomes import RESULT_COLUMNS
from volsvcclient.engine.outcomes import Row
from volsvcclient.engine.outcomes import UNCHANGED
from volsvcclient.engine.outcomes import UNFINISHED
from volsvcclient.engine.outcomes import UNKNOWN
from volsvcclient.engine.outcomes import WOULD_CHANGE
from volsvcclient.engine import sending
from volsvcclient.engine import single
from volsvcclient.engine import verifying
from volsvcclient.osc import errors

if TYPE_CHECKING:
    from volsvcclient.osc import voice as voice_module

__all__ = ['Batch', 'RESULT_COLUMNS', 'Row', 'UNCHANGED', 'UNFINISHED', 'WOULD_CHANGE']
#: On a terminal, the plan is listed service by service up to this many.
PLAN_LINES = 50


def read_live(
    api: services.ServiceAPI, request: desired_state.Request
) -> dict[tuple[str, str], services.Service]:
    """The live services a request may change, in one list request (a
    single named service: the read that names what exists instead)."""
    if request.selector:
        request.selector.check_version(api)
    if request.selector is None and len(request.wanted) == 1:
        wanted = request.wanted[0]
        return {wanted.key: api.find(wanted.host, wanted.binary)}
    binary = request.selector.binary if request.selector else None
    return {(s.host, s.binary): s for s in api.list(binary=binary)}


class Batch:
    """Wanted states matched with live services, planned and applied."""

    def __init__(
        self,
        api: services.ServiceAPI,
        request: desired_state.Request,
        voice: voice_module.Voice,
        even_if_down: bool = False,
        ctrl_c: interrupts.Interrupts | None = None,
    ) -> None:
        self.api = api
        self.voice = voice
        #: Ctrl-C as counted by the command (a fresh counter, not listening
        #: to SIGINT, when none is given).
        self.ctrl_c = ctrl_c or interrupts.Interrupts()
        self.final: dict[tuple[str, str], services.Service] = {}
        live = self.live = read_live(api, request)
        self.sender = sending.Sender(api, live, voice, self.ctrl_c, even_if_down)
        self.outcomes: list[Outcome] = []
        for wanted in request.resolve(live.values()):
            service = live.get(wanted.key)
            outcome = Outcome(
                wanted, desired_state.plan(service, wanted) if service else []
            )
            if service is None:
                outcome.result, outcome.detail = FAILED, 'no such service'
            else:
                outcome.kept = outcomes.kept(service, wanted, voice)
            self.outcomes.append(outcome)

    @property
    def interrupted(self) -> bool:
        return self.sender.interrupted

    def irreversible(self) -> collections.Counter[str]:
        """Binary -> how many services the plan disables for good."""
        return collections.Counter(
            o.wanted.binary for o in self.to_change
            if reasons.irreversible(o.wanted.binary)
            and any(a.name == 'disable' for a in o.actions)
        )

    def refuse_irreversible(self) -> None:
        """Refuse, before any request, a plan that disables for good."""
        for binary, count in self.irreversible().items():
            raise self.voice.refuse_irreversible(f'{count} {binary} service(s)', binary)

    def warn_irreversible(self) -> None:
        """Say once per binary when a plan disables what cannot be undone."""
        for binary in self.irreversible():
            self.voice.note(f'warning: {self.voice.irreversible(binary)}')

    @property
    def to_change(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.actions and not o.result]

    def plan_rows(self, enable_via_thaw: bool) -> tuple[tuple[str, ...], list[Row]]:
        self.warn_irreversible()
        for outcome in self.outcomes:
            if not outcome.result:
                outcome.result = WOULD_CHANGE if outcome.actions else UNCHANGED
            if enable_via_thaw and outcomes.may_thaw_to_enable(outcome):
                live = self.live[outcome.wanted.key]
                steps = 'thaw' if live.is_frozen else 'freeze, thaw'
                outcome.fallback = f'then {steps} if the server ignores enable'
        return RESULT_COLUMNS, [o.row for o in self.outcomes]

    def apply(
        self,
        enable_via_thaw: bool = False,
        concurrency: int = 8,
        wait_timeout: float = 0,
        even_if_irreversible: bool = False,
    ) -> tuple[tuple[str, ...], list[Row], int]:
        """Apply every plan; (columns, rows, number not ending as asked)."""
        changing = self.to_change
        if not even_if_irreversible:
            self.refuse_irreversible()
        self.warn_irreversible()
        if self.voice.terminal and changing:
            self.voice.announce(
                [(o.wanted.host, o.wanted.binary, o.actions) for o in changing],
                len(self.outcomes), PLAN_LINES,
            )
        # From here on Ctrl-C is counted, not raised, but while a verifying
        # read (that a KeyboardInterrupt may cut short) is under way.
        self.ctrl_c.raising = False
        self.sender.send_all(changing, concurrency)
        try:
            self.ctrl_c.raising = True
            self._verify(changing, wait_timeout)
            if enable_via_thaw and not self.sender.stop.is_set() and not self.ctrl_c.count:
                for outcome in changing:
                    now = self.final.get(outcome.wanted.key)
                    if outcome.result == FAILED and outcomes.enable_ignored(outcome, now):
                        self._enable_via_thaw(outcome)
            self.ctrl_c.raising = False
        except KeyboardInterrupt:
            self.ctrl_c.raising = False
            self.sender.interrupted = True
            self.voice.interrupted_verifying()
            for outcome in changing:
                if not outcome.result:
                    outcome.result = UNKNOWN
                    outcome.detail = 'interrupted before it was verified'
        for outcome in self.outcomes:
            if not outcome.result:
                outcome.result = UNCHANGED
        unfinished = sum(o.result in UNFINISHED for o in self.outcomes)
        return RESULT_COLUMNS, [o.row for o in self.outcomes], unfinished

    def _verify(self, changing: list[Outcome], wait_timeout: float) -> None:
        """Re-list until every attempted service is as wanted, or give up."""
        attempted = [o for o in changing if o.attempted]
        why = 'interrupted' if self.interrupted else 'cinder-api stopped answering'
        for outcome in changing:
            if not outcome.attempted:
                outcome.result, outcome.detail = NOT_ATTEMPTED, f'not sent: {why}'
        if attempted:
            self.final = dict(verifying.verify(
                lambda: {s.key: s for s in self.api.list()}, attempted, self.live,
                wait_timeout, self.voice, lambda: bool(self.ctrl_c.count)))

    def _enable_via_thaw(self, outcome: Outcome) -> None:
        try:
            sent = single.enable_via_thaw(
                self.api, self.final[outcome.wanted.key], self.voice,
                self.sender.even_if_down)
        except KeyboardInterrupt:
            outcome.result = UNKNOWN
            outcome.detail = 'interrupted during the freeze and thaw that re-enable it'
            raise
        except Exception as exc:
            translated = errors.translate(exc)
            if translated is None:
                raise
            outcome.detail = f'freeze and thaw: {translated}'
            return
        outcome.actions = outcome.actions + sent
        outcome.result, outcome.detail = CHANGED, ''
