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

"""What the Python API returns: the outcome of a change per service, its
report, the notes an operator should read, and the health verdict.

Each result holds facts in named fields; ``str()`` and the properties that
say a sentence word them in the API's names, and ``worded(words)`` in a
caller's own (the command line names its options, an Ansible module its
module options).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Sequence

from volsvcclient.cinder import advice as advice_module
from volsvcclient.cinder.advice import Advice
from volsvcclient.cinder.advice import Said
from volsvcclient.engine import health
from volsvcclient.engine.in_flight import InFlight
from volsvcclient.engine.outcomes import Result
from volsvcclient.engine.outcomes import UNFINISHED

__all__ = ['BackendDrain', 'Drain', 'Finding', 'InFlight', 'Note', 'RULES', 'Report',
           'Result', 'ServiceOutcome', 'UNFINISHED', 'Verdict', 'verdict']

if TYPE_CHECKING:
    from volsvcclient.cinder.advice import Words
    from volsvcclient.cinder import exceptions
    from volsvcclient.cinder.records import Service
    from volsvcclient.engine import events
    from volsvcclient.engine import outcomes

#: The fields a change sets, under the SDK's attribute names.
STATE_FIELDS = ('status', 'disabled_reason', 'is_frozen')


@dataclasses.dataclass(frozen=True)
class Note:
    """Something an operator should read that is not a result (a disable
    no API undoes, a cluster member that is down): ``facts`` and
    ``advice``; ``kind`` names it ('members-down')."""

    kind: str
    facts: str
    advice: Advice | None = None

    def worded(self, words: Words) -> str:
        if self.advice is None:
            return self.facts
        return f'{self.facts} ({words.advise(self.advice)})'

    def __str__(self) -> str:
        return self.worded(advice_module.API)

    @classmethod
    def of(cls, event: events.Event) -> Note:
        return cls(event.kind, event.facts, event.advice)


@dataclasses.dataclass(frozen=True)
class ServiceOutcome:
    """What a plan or a change did to one service.

    ``actions`` are the requests planned (``'disable (reason 'x')'``), and
    ``fallback`` what a plan may also send (freeze and thaw, where the
    server ignores enable). ``result`` says how it ended; ``said`` why it
    did not end as asked, and what was kept as it was, in facts and
    advice. ``before`` is the service as read before any request (None
    when it does not exist), ``after`` as last re-read (None in a plan, or
    when no re-read could tell); ``wanted`` maps the SDK attributes the
    change sets to the values asked. ``refused`` and ``unanswered`` name
    the action the server refused or did not clearly answer, ``problem``
    says why, ``unconfirmed`` a backend did not confirm it, ``unread`` why
    the verifying read failed, ``mismatches`` what that read found not as
    asked.
    """

    host: str
    binary: str
    actions: tuple[str, ...]
    result: Result
    said: tuple[Said, ...]
    before: Service | None
    after: Service | None
    wanted: dict[str, Any]
    fallback: tuple[str, ...] = ()
    refused: str | None = None
    unanswered: str | None = None
    problem: exceptions.Error | None = None
    unconfirmed: bool = False
    unread: exceptions.Error | None = None
    mismatches: tuple[str, ...] = ()
    #: The exception the request that failed raised, as raised.
    error: BaseException | None = None
    #: Why, every request answered, it is not as asked (led by its
    #: punctuation); None when no reason is known.
    explanation: Said | None = None
    #: The verifying read did not find the service.
    gone: bool = False
    #: An ignored enable was followed by a freeze and thaw that re-enable
    #: it (``enable_via_thaw``).
    re_enabling: bool = False
    #: The actions the server answered, by name ('disable', 'freeze'...).
    acknowledged: tuple[str, ...] = ()
    #: In a plan: the fields a change sets (status, disabled_reason,
    #: is_frozen) as the planned requests would leave them, as Cinder's
    #: code does (a freeze disables with reason 'frozen', a thaw
    #: re-enables); {} when the service does not exist or after a change.
    predicted: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def label(self) -> str:
        return f'{self.binary} on {self.host}'

    @property
    def detail(self) -> str:
        """Why it did not end as asked, and what was kept, in the API's
        words; '' when there is nothing to say."""
        return self.worded(advice_module.API)

    def worded(self, words: Words) -> str:
        """:attr:`detail` in a caller's ``words``."""
        return advice_module.worded(self.said, words)

    @property
    def facts(self) -> str:
        """:attr:`detail` without its advice."""
        return '; '.join(part.facts for part in self.said if part.facts)

    @property
    def advice(self) -> Advice | None:
        """The first advice of ``said``, if any."""
        return next((part.advice for part in self.said if part.advice), None)

    @property
    def changed(self) -> bool:
        """Whether this service changed (in a plan: would change): its
        result says so, a field the change sets differs between before and
        after (a failed change may still have changed something), or the
        server answered a request that changes it whatever a later read
        shows (Cinder writes a disable before it answers, and answers a
        freeze or thaw once cinder-volume did it; only an enable may be
        answered and ignored, on 28.0.0 and later)."""
        if self.result in (Result.CHANGED, Result.WOULD_CHANGE):
            return True
        if set(self.acknowledged) - {'enable'}:
            return True
        if self.before is None or self.after is None:
            return False
        return any(
            getattr(self.before, attr) != getattr(self.after, attr)
            for attr in STATE_FIELDS
        )

    @classmethod
    def of(
        cls, outcome: outcomes.Outcome, before: Service | None, after: Service | None,
        planned: bool = False,
    ) -> ServiceOutcome:
        from volsvcclient.engine import desired_state

        assert outcome.result is not None
        predicted = {}
        if planned and before is not None:
            predicted = desired_state.predict(before, outcome.actions)
        return cls(
            outcome.desired.host, outcome.desired.binary,
            tuple(map(str, outcome.actions)), outcome.result,
            tuple(outcome.why) + tuple(outcome.kept), before, after,
            dict(outcome.expected) or dict(outcome.desired.expected),
            fallback=outcome.fallback,
            refused=outcome.refused.name if outcome.refused else None,
            unanswered=str(outcome.unanswered) if outcome.unanswered else None,
            problem=outcome.problem, unconfirmed=outcome.unconfirmed,
            unread=outcome.unread, mismatches=tuple(outcome.wrong),
            error=outcome.error, explanation=outcome.explanation, gone=outcome.gone,
            re_enabling=outcome.re_enabling, predicted=predicted,
            acknowledged=tuple(a.name for a in outcome.acknowledged),
        )


@dataclasses.dataclass(frozen=True)
class Report:
    """The outcome of :meth:`Client.plan` or :meth:`Client.apply`: one
    :class:`ServiceOutcome` per service, in the order asked or listed
    (``outcomes``); whether Ctrl-C stopped the change (``interrupted``,
    only with ``ctrl_c`` given to :meth:`Client.apply`: the outcomes say
    what was done); whether it is a plan, with nothing sent
    (``planned``); and the ``notes`` an operator should read."""

    outcomes: tuple[ServiceOutcome, ...]
    #: Whether Ctrl-C stopped the change (then the outcomes say what was
    #: done); only with ``ctrl_c`` given to :meth:`Client.apply`.
    interrupted: bool = False
    #: True for the report of :meth:`Client.plan`: nothing was sent.
    planned: bool = False
    #: What an operator should read, as the engine told it.
    notes: tuple[Note, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether any service changed (in a plan: would change)."""
        return any(o.changed for o in self.outcomes)

    @property
    def unfinished(self) -> int:
        """How many services did not end as asked (failed, unknown, not
        attempted)."""
        return sum(o.result in UNFINISHED for o in self.outcomes)

    @property
    def unfinished_counts(self) -> str:
        """``'1 failed, 2 unknown'``: the unfinished results counted, in
        name order; '' when every service ended as asked."""
        import collections

        counts = collections.Counter(
            o.result.value for o in self.outcomes if o.result in UNFINISHED)
        return ', '.join(f'{n} {result}' for result, n in sorted(counts.items()))

    @property
    def reason(self) -> str | None:
        """One line on what was not applied or not verified, naming each
        such service and why; None when every service ended as asked.
        Advice names the keyword argument to give."""
        return self.worded(advice_module.API)

    def worded(self, words: Words) -> str | None:
        """:attr:`reason` in a caller's ``words``."""
        if self.interrupted:
            return 'interrupted; the outcomes say what was done'
        if not self.unfinished:
            return None
        each = '; '.join(
            f'{o.label}: {o.result}' + (f' ({o.worded(words)})' if o.said else '')
            for o in self.outcomes if o.result in UNFINISHED
        )
        return f'Not every service ended as asked ({self.unfinished_counts}): {each}'


@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing :meth:`Client.check` found: its ``rule`` (see
    ``RULES``), ``level`` (1 WARNING, 2 CRITICAL), ``detail``, and the
    service it concerns (None for the whole cloud)."""

    rule: str
    level: int
    detail: str
    service: Service | None

    @property
    def level_name(self) -> str:
        return health.LEVELS[self.level]

    @property
    def line(self) -> str:
        """The finding as ``check`` prints it under the status line."""
        return health.Finding(self.service, self.rule, self.detail).line


#: (rule, level, what it finds) of :meth:`Client.check`, in the order checked.
RULES = health.RULES


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The health of services as ``volume service check`` judges it:
    ``level`` 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the Nagios plugin
    convention), the Nagios ``status_line``, the perfdata ``counts`` (up,
    down, disabled, frozen, failed_over), the ``findings``, the
    ``services`` judged, and ``ages``: (host, binary) -> seconds since each
    one's last heartbeat by cinder-api's clock (negative when ahead of it;
    None when unknown)."""

    level: int
    status_line: str
    counts: dict[str, int]
    findings: tuple[Finding, ...]
    services: tuple[Service, ...]
    ages: dict[tuple[str, str], float | None] = dataclasses.field(default_factory=dict)

    @property
    def level_name(self) -> str:
        return health.LEVELS[self.level]

    @classmethod
    def unknown(cls, reason: str) -> Verdict:
        """The verdict when the services could not be read (an
        :class:`Error` of :meth:`Client.check`), as ``check`` gives it."""
        level, line = health.unknown(reason)
        return cls(level, line, {}, (), ())

    def with_finding(self, rule: str, detail: str) -> Verdict:
        """This verdict with one more finding of a rule of :data:`RULES`
        that concerns no single service (as ``check`` adds ``textfile``),
        judged again."""
        findings = [health.Finding(f.service, f.rule, f.detail) for f in self.findings]
        findings.append(health.Finding(None, rule, detail))
        return verdict(self.services, findings, self.ages)


def verdict(
    listed: Sequence[Service],
    judged: Sequence[health.Finding],
    ages: dict[tuple[str, str], float | None],
) -> Verdict:
    """The Verdict of ``listed`` services and the findings on them."""
    from typing import cast

    level, line = health.verdict(listed, judged)
    return Verdict(
        level, line, health.counts(listed),
        tuple(Finding(f.rule, f.level, f.detail, cast('Service | None', f.service))
              for f in judged),
        tuple(listed), ages,
    )


#: How many things in flight :attr:`Drain.reason` names, per backend; the
#: backends' ``in_flight`` hold them all.
NAMED_IN_FLIGHT = 20


@dataclasses.dataclass(frozen=True)
class BackendDrain:
    """What one drained backend (``backend``: a host@backend, or a
    cluster's name) holds at the last read: its cinder-volume
    ``services`` as the drain left them, how many ``volumes`` (of every
    project, migration targets included), ``attached`` volumes and
    ``snapshots`` are on it, what is still ``in_flight`` (each an
    :class:`InFlight`, the longest unchanged first), what is ``waiting``
    on someone else (a reservation of Nova's, a transfer: reported, not
    waited for), whether it is ``drained`` (nothing in flight in two reads
    in a row), and how many ``reads`` it took, the last of ``requests``
    GET requests. The counts are None when no read of it ended (the
    disable failed, or Ctrl-C came first)."""

    backend: str
    services: tuple[Service, ...]
    volumes: int | None
    attached: int | None
    snapshots: int | None
    in_flight: tuple[InFlight, ...]
    waiting: tuple[InFlight, ...]
    drained: bool
    reads: int
    requests: int


@dataclasses.dataclass(frozen=True)
class Drain:
    """The outcome of :meth:`Client.drain`: the change that disabled (and
    froze) each backend's cinder-volume (``report``), then what is on each
    backend (``backends``), after ``watched`` seconds of at most
    ``timeout``; whether Ctrl-C stopped it (``interrupted``)."""

    report: Report
    backends: tuple[BackendDrain, ...]
    watched: float
    timeout: float
    interrupted: bool = False

    @property
    def notes(self) -> tuple[Note, ...]:
        return self.report.notes

    @property
    def drained(self) -> bool:
        """Every backend disabled as asked, and quiet: safe to stop (never
        for a plan, which disables nothing)."""
        return (not self.interrupted and not self.report.planned
                and not self.report.unfinished
                and all(b.drained for b in self.backends))

    @property
    def reason(self) -> str | None:
        """Why it is not safe to stop a backend's cinder-volume (None when
        it is): the change did not end as asked, it was interrupted, or
        what was still in flight at the timeout, each with its id, project,
        status and age."""
        return self.worded(advice_module.API)

    def worded(self, words: Words) -> str | None:
        """:attr:`reason` in a caller's ``words``."""
        if self.interrupted:
            return 'interrupted; the drain says what was done'
        if self.report.unfinished:
            return self.report.worded(words)
        moving = [b for b in self.backends if not b.drained]
        if not moving:
            return None
        if not any(b.reads for b in moving):
            return 'the change took no backend out: nothing was watched'
        most = NAMED_IN_FLIGHT
        each = '; '.join(
            f"{b.backend}: " + (', '.join(m.line for m in b.in_flight[:most])
                                + (f' and {len(b.in_flight) - most} more'
                                   if len(b.in_flight) > most else '')
                                or 'not yet two quiet reads in a row')
            for b in moving)
        return f'Still in flight after {self.timeout:g} s: {each}'
