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

One list request reads every live state, the planned actions run with
bounded concurrency (each service's own actions in order), and one more
list request verifies them all.  Mutating requests are never retried
blindly: when one gets no clear answer, the verifying read decides what
happened, and when that read fails too the service is reported
``unknown``.  After a lost connection or Ctrl-C no new service is started;
those are reported ``not attempted``.  A second Ctrl-C stops waiting for
the requests under way (their services are re-read, else ``unknown``);
no number of them loses the report.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import threading
from typing import TYPE_CHECKING, Callable

from osc_lib import exceptions

from volsvcclient import columns
from volsvcclient import desired_state
from volsvcclient import errors
from volsvcclient import interrupts
from volsvcclient import polling
from volsvcclient import reasons
from volsvcclient import services
from volsvcclient import workflows

if TYPE_CHECKING:
    from volsvcclient import voice as voice_module

RESULT_COLUMNS = ('Host', 'Binary', 'Actions', 'Result', 'Detail')
#: One service's row under RESULT_COLUMNS.
Row = tuple[str, str, str, str, str]
CHANGED = 'changed'
UNCHANGED = 'unchanged'
FAILED = 'failed'
UNKNOWN = 'unknown'
NOT_ATTEMPTED = 'not attempted'
WOULD_CHANGE = 'would change'
#: Results that make ``commit`` exit non-zero.
UNFINISHED = (FAILED, UNKNOWN, NOT_ATTEMPTED)
#: On a terminal, the plan is listed service by service up to this many.
PLAN_LINES = 50
#: Seconds between looks at Ctrl-C while requests are under way.
POLL_SECONDS = 0.05


@dataclasses.dataclass
class Outcome:
    wanted: desired_state.Wanted
    actions: list[desired_state.Action]
    #: Actions the server acknowledged.
    acknowledged: list[desired_state.Action] = dataclasses.field(default_factory=list)
    #: The action whose request got no clear answer, if any.
    unanswered: str | None = None
    #: The server's refusal, if any.
    refused: str | None = None
    #: A freeze or thaw the backend did not confirm in time.
    unconfirmed: bool = False
    #: What a dry run would also send, depending on the server.
    fallback: str = ''
    #: What the wanted state asks that commit leaves as it is.
    kept: str = ''
    #: What the server said of a failure it answered 200 to (a thaw).
    said: str | None = None
    #: The action whose request is being sent (set by the sending thread).
    sending: desired_state.Action | None = None
    #: The action under way when a second Ctrl-C stopped waiting for it.
    abandoned: desired_state.Action | None = None
    result: str = ''
    detail: str = ''

    @property
    def attempted(self) -> bool:
        return bool(self.acknowledged or self.unanswered or self.refused
                    or self.abandoned)

    @property
    def row(self) -> Row:
        planned = ', '.join(map(str, self.actions)) or '-'
        if self.fallback:
            planned += f' ({self.fallback})'
        return (
            self.wanted.host, self.wanted.binary, planned, self.result,
            '; '.join(filter(None, (self.detail, self.kept))),
        )


class _SharedRequest:
    """A request several services wait for: the first sends it, the others
    get its outcome."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent = False
        self.error: Exception | None = None
        self.answer: str | None = None

    def send_once(self, send: Callable[[], str | None]) -> str | None:
        with self.lock:
            if not self.sent:
                self.sent = True
                try:
                    self.answer = send()
                except Exception as exc:
                    self.error = exc
        if self.error is not None:
            raise self.error
        return self.answer


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
        self.even_if_down = even_if_down
        #: Ctrl-C as counted by the command (a fresh counter, not listening
        #: to SIGINT, when none is given).
        self.ctrl_c = ctrl_c or interrupts.Interrupts()
        self.voice = voice
        self.terminal = voice.terminal
        self.interrupted = False
        self.final: dict[tuple[str, str], services.Service] = {}
        #: (cluster or host, action) -> the one request its services share.
        self._shared: dict[tuple[str, str], _SharedRequest] = {}
        self._shared_lock = threading.Lock()
        live = self.live = self._read_live(request)
        self.outcomes: list[Outcome] = []
        for wanted in request.resolve(live.values()):
            service = live.get(wanted.key)
            outcome = Outcome(
                wanted, desired_state.plan(service, wanted) if service else []
            )
            if service is None:
                outcome.result, outcome.detail = FAILED, 'no such service'
            else:
                outcome.kept = self._not_set(service, wanted)
            self.outcomes.append(outcome)

    def _not_set(self, service: services.Service, wanted: desired_state.Wanted) -> str:
        """What the wanted state asks that commit leaves as it is."""
        kept = []
        if (wanted.status == 'disabled' and not wanted.disabled_reason
                and service.status == 'disabled' and service.disabled_reason):
            kept.append(f'reason {service.disabled_reason!r} kept: none wanted')
        for name, value in wanted.unapplied:
            now = getattr(service, columns.ATTRIBUTE_BY_NAME[name])
            if (value or None) != (now or None):
                kept.append(self.voice.not_failed_over(name, now, value))
        return '; '.join(kept)

    def _read_live(
        self, request: desired_state.Request
    ) -> dict[tuple[str, str], services.Service]:
        if request.selector:
            request.selector.check_version(self.api)
        if request.selector is None and len(request.wanted) == 1:
            wanted = request.wanted[0]
            return {wanted.key: self.api.find(wanted.host, wanted.binary)}
        binary = request.selector.binary if request.selector else None
        return {(s.host, s.binary): s for s in self.api.list(binary=binary)}

    def irreversible(self) -> collections.Counter[str]:
        """Binary -> how many services the plan disables for good."""
        return collections.Counter(
            o.wanted.binary for o in self.to_change
            if reasons.irreversible(o.wanted.binary)
            and any(a.name == 'disable' for a in o.actions)
        )

    def warn_irreversible(self) -> None:
        """Say once per binary when a plan disables what cannot be undone."""
        for binary in self.irreversible():
            self.note(f'warning: {self.voice.irreversible(binary)}')

    def refuse_irreversible(self) -> None:
        """Refuse, before any request, a plan that disables for good."""
        for binary, count in self.irreversible().items():
            raise exceptions.CommandError(self.voice.refuse_irreversible(
                f'{count} {binary} service(s)', binary, reasons.IRREVERSIBLE_OPTION))

    @property
    def to_change(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.actions and not o.result]

    def plan_rows(
        self, enable_via_thaw: bool
    ) -> tuple[tuple[str, ...], list[Row]]:
        self.warn_irreversible()
        for outcome in self.outcomes:
            if not outcome.result:
                outcome.result = WOULD_CHANGE if outcome.actions else UNCHANGED
            if enable_via_thaw and self._may_thaw_to_enable(outcome):
                live = self.live[outcome.wanted.key]
                steps = 'thaw' if live.is_frozen else 'freeze, thaw'
                outcome.fallback = f'then {steps} if the server ignores enable'
        return RESULT_COLUMNS, [o.row for o in self.outcomes]

    # Applying

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
        self._announce(changing)
        stop = threading.Event()
        # From here on Ctrl-C is counted, not raised, but while a verifying
        # read (that a KeyboardInterrupt may cut short) is under way.
        self.ctrl_c.raising = False
        self._run_all(changing, concurrency, stop)
        try:
            self.ctrl_c.raising = True
            self._verify(changing, wait_timeout)
            if enable_via_thaw and not stop.is_set() and not self.ctrl_c.count:
                for outcome in changing:
                    if outcome.result == FAILED and self._enable_ignored(outcome):
                        self._enable_via_thaw(outcome)
            self.ctrl_c.raising = False
        except KeyboardInterrupt:
            self.ctrl_c.raising = False
            self.interrupted = True
            self.note('\ninterrupted while verifying')
            for outcome in changing:
                if not outcome.result:
                    outcome.result = UNKNOWN
                    outcome.detail = 'interrupted before it was verified'
        for outcome in self.outcomes:
            if not outcome.result:
                outcome.result = UNCHANGED
        unfinished = sum(o.result in UNFINISHED for o in self.outcomes)
        return RESULT_COLUMNS, [o.row for o in self.outcomes], unfinished

    def _announce(self, changing: list[Outcome]) -> None:
        if not self.terminal or not changing:
            return
        if len(changing) <= PLAN_LINES:
            for outcome in changing:
                self.note(
                    f'{outcome.wanted.binary} on {outcome.wanted.host}: '
                    f"{', '.join(map(str, outcome.actions))}"
                )
        counts = collections.Counter(
            a.name for o in changing for a in o.actions
        )
        summary = ', '.join(f'{n} {name}' for name, n in sorted(counts.items()))
        self.note(
            f'changing {len(changing)} of {len(self.outcomes)} '
            f'service(s): {summary}'
        )

    def _run_all(
        self, changing: list[Outcome], concurrency: int, stop: threading.Event
    ) -> None:
        """Send every plan; the first Ctrl-C starts nothing new, the second
        stops waiting for the answers under way."""
        pool = concurrent.futures.ThreadPoolExecutor(max(1, concurrency))
        futures = {pool.submit(self._run, o, stop): o for o in changing}
        pending = set(futures)
        seen = 0
        try:
            while pending:
                done, pending = concurrent.futures.wait(
                    pending, POLL_SECONDS, concurrent.futures.FIRST_COMPLETED
                )
                for future in done:
                    if not future.cancelled():
                        try:
                            future.result()
                        except KeyboardInterrupt:
                            self.ctrl_c.record()
                self._progress(len(futures) - len(pending), len(futures))
                if self.ctrl_c.count > seen:
                    seen = self.ctrl_c.count
                    if self._interrupted(pending, stop):
                        return
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            if self.terminal and changing:
                self.note('')

    def _interrupted(
        self, pending: set[concurrent.futures.Future[None]], stop: threading.Event
    ) -> bool:
        """React to Ctrl-C while sending; True to stop waiting."""
        if not self.interrupted:
            self.interrupted = True
            stop.set()
            for future in pending:
                future.cancel()
            self.note('\ninterrupted: finishing the requests under way '
                      '(Ctrl-C again to stop waiting for them)')
        if self.ctrl_c.count < 2:
            return False
        under_way = [o for o in self.to_change if o.sending and not o.result]
        for outcome in under_way:
            outcome.abandoned = outcome.sending
        self.note(f'interrupted again: not waiting for the {len(under_way)} '
                  f'request(s) under way')
        return True

    def note(self, message: str) -> None:
        self.voice.note(message)

    def _freeze_or_thaw(
        self, wanted: desired_state.Wanted, action: desired_state.Action
    ) -> str | None:
        """Cinder freezes and thaws a clustered host's whole cluster: the
        members of one cluster share one request."""
        live = self.live[wanted.key]
        members = [
            s for s in self.live.values()
            if live.cluster and s.cluster == live.cluster
            and s.binary == services.VOLUME_BINARY
        ] or [live]

        def send() -> str | None:
            workflows.check_up(members, action.name, self.even_if_down, self.voice)
            target = services.Target(host=wanted.host)
            if action.name == 'freeze':
                self.api.freeze(target)
                return None
            return self.api.thaw(target)

        with self._shared_lock:
            shared = self._shared.setdefault(
                (live.cluster or live.host, action.name), _SharedRequest()
            )
        return shared.send_once(send)

    def _progress(self, done: int, total: int) -> None:
        self.voice.progress(f'{done}/{total} service(s) sent')

    def _run(self, outcome: Outcome, stop: threading.Event) -> None:
        """Send one service's requests in order; stop at the first error."""
        wanted = outcome.wanted
        service = services.Service({'host': wanted.host, 'binary': wanted.binary})
        senders: dict[str, Callable[[desired_state.Action], str | None]] = {
            'freeze': lambda action: self._freeze_or_thaw(wanted, action),
            'thaw': lambda action: self._freeze_or_thaw(wanted, action),
            'disable': lambda action: self.api.disable(service, action.reason),
            'enable': lambda action: self.api.enable(service),
        }
        for action in outcome.actions:
            if stop.is_set():
                return
            outcome.sending = action
            try:
                outcome.said = senders[action.name](action) or outcome.said
            except Exception as exc:
                translated = errors.translate(exc)
                if translated is None:
                    raise
                outcome.unconfirmed = isinstance(exc, services.Unconfirmed)
                if services.is_uncertain(exc):
                    outcome.unanswered = f'{action}: {translated}'
                    if services.is_unreachable(exc):
                        # cinder-api is gone: start nothing more.
                        stop.set()
                else:
                    outcome.refused = f'{action.name}: {translated}'
                return
            finally:
                outcome.sending = None
            outcome.acknowledged.append(action)

    # Verifying

    def _verify(self, changing: list[Outcome], wait_timeout: float) -> None:
        """Re-list until every attempted service is as wanted, or give up."""
        attempted = [o for o in changing if o.attempted]
        why = 'interrupted' if self.interrupted else 'cinder-api stopped answering'
        for outcome in changing:
            if not outcome.attempted:
                outcome.result, outcome.detail = NOT_ATTEMPTED, f'not sent: {why}'

        if not attempted:
            return
        for _ in polling.attempts(wait_timeout, polling.VERIFY_INTERVAL):
            try:
                final = {(s.host, s.binary): s for s in self.api.list()}
            except Exception as exc:
                translated = errors.translate(exc)
                if translated is None:
                    raise
                self._unverifiable(attempted, translated)
                return
            self.final = final
            pending = [o for o in attempted if not self._check(o, final.get(o.wanted.key))]
            if not pending or self.ctrl_c.count:
                return

    def _unverifiable(
        self, attempted: list[Outcome], why: exceptions.CommandError
    ) -> None:
        for outcome in attempted:
            if outcome.refused and not outcome.acknowledged:
                outcome.result, outcome.detail = FAILED, outcome.refused
                continue
            parts = []
            if outcome.acknowledged:
                accepted = ', '.join(map(str, outcome.acknowledged))
                parts.append(f'the server accepted {accepted}')
            if outcome.unanswered:
                parts.append(f'no answer to {outcome.unanswered}')
            if outcome.abandoned:
                parts.append(f'interrupted while {outcome.abandoned} was under way')
            if outcome.refused:
                parts.append(f'refused {outcome.refused}')
            parts.append(f'could not re-read: {why}')
            outcome.result, outcome.detail = UNKNOWN, '; '.join(parts)

    def _check(self, outcome: Outcome, service: services.Service | None) -> bool:
        """Mark ``outcome`` from the re-read; True when it ended as asked."""
        if service is None:
            outcome.result, outcome.detail = FAILED, 'disappeared'
            return True
        if outcome.abandoned and services.mismatches(service, outcome.wanted.expected):
            outcome.result = UNKNOWN
            outcome.detail = (
                f'interrupted while {outcome.abandoned} was under way: it may '
                f'still be applied'
            )
            return True
        if outcome.unconfirmed:
            outcome.result = UNKNOWN
            outcome.detail = (
                f'{outcome.unanswered}. {workflows.database_shows([service])}; '
                f'{self.voice.check_later([service])}'
            )
            return True
        wrong = services.mismatches(service, outcome.wanted.expected)
        if not wrong:
            outcome.result, outcome.detail = CHANGED, ''
            return True
        outcome.result = FAILED
        why = outcome.refused or outcome.unanswered
        if why:
            outcome.detail = why
        else:
            outcome.detail = (
                'the server accepted every request but ' + ', '.join(wrong)
            )
            before = self.live[outcome.wanted.key]
            if services.changed_by_another(before, service, outcome.wanted.expected):
                outcome.detail += f': {services.ANOTHER_CLIENT}'
            elif outcome.said:
                outcome.detail += f'. The server said: {outcome.said}'
            elif self._enable_ignored(outcome):
                outcome.detail += f'. {services.ENABLE_IGNORED}'
                if outcome.wanted.binary == services.VOLUME_BINARY:
                    outcome.detail += (
                        '; --enable-via-thaw re-enables it by freeze and thaw'
                    )
            elif (service.cluster and service.status == 'disabled'
                  and desired_state.Action('thaw') in outcome.acknowledged):
                outcome.detail += f'. {self.voice.cluster_thaw()}'
        return False

    @staticmethod
    def _may_thaw_to_enable(outcome: Outcome) -> bool:
        return (
            outcome.wanted.binary == services.VOLUME_BINARY
            and desired_state.Action('enable') in outcome.actions
        )

    def _enable_ignored(self, outcome: Outcome) -> bool:
        service = self.final.get(outcome.wanted.key)
        return (
            service is not None
            and not outcome.refused
            and desired_state.Action('enable') in outcome.acknowledged
            and service.status == 'disabled'
        )

    def _enable_via_thaw(self, outcome: Outcome) -> None:
        service = self.final[outcome.wanted.key]
        try:
            workflows.enable_via_thaw(self.api, service, self.voice, self.even_if_down)
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
        outcome.actions = outcome.actions + (
            [desired_state.Action('thaw')] if service.is_frozen
            else [desired_state.Action('freeze'), desired_state.Action('thaw')]
        )
        outcome.result, outcome.detail = CHANGED, ''
