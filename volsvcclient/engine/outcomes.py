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

"""What happened to each service of a change: one model with named
fields, judged by pure functions.

The sender fills in what the server answered (acknowledged, unanswered,
refused, unconfirmed, abandoned); the verifying read gives the service as
it now is; ``judge`` decides the result and says why, in facts and advice
(``cinder.advice.Said``) that each face words: the command line as a row
or one line, the Python API as its ServiceOutcome, the Ansible collection
as its ``services``. Each explanation of why a service is not as asked is
made once, in ``explain``.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import TYPE_CHECKING, Any, Iterable

from volsvcclient.cinder import advice as advice_module
from volsvcclient.cinder.advice import Advice
from volsvcclient.cinder.advice import Said
from volsvcclient.cinder import failures
from volsvcclient.cinder import reasons
from volsvcclient.cinder import records
from volsvcclient.engine import desired_state

if TYPE_CHECKING:
    from volsvcclient.cinder import exceptions
    from volsvcclient.cinder.records import Service


class Result(str, enum.Enum):
    """How one service ended."""

    CHANGED = 'changed'
    UNCHANGED = 'unchanged'
    FAILED = 'failed'
    UNKNOWN = 'unknown'
    NOT_ATTEMPTED = 'not attempted'
    #: In a plan: a request would be sent.
    WOULD_CHANGE = 'would change'

    def __str__(self) -> str:
        return self.value


#: Results of a service that did not end as asked.
UNFINISHED = (Result.FAILED, Result.UNKNOWN, Result.NOT_ATTEMPTED)
ENABLE = desired_state.ENABLE
THAW = desired_state.THAW


@dataclasses.dataclass
class Outcome:
    desired: desired_state.Desired
    actions: list[desired_state.Action]
    #: What the re-read must show (the desired state, and a thaw's enable).
    expected: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: Actions the server acknowledged.
    acknowledged: list[desired_state.Action] = dataclasses.field(default_factory=list)
    #: The action whose request got no clear answer, if any, and why.
    unanswered: desired_state.Action | None = None
    #: The action the server (or the engine, before sending) refused.
    refused: desired_state.Action | None = None
    #: Why it went wrong: the refusal, or the failure of the unanswered
    #: request, as one of our exceptions.
    problem: exceptions.Error | None = None
    #: A freeze or thaw the backend did not confirm in time.
    unconfirmed: bool = False
    #: What a plan would also send, depending on the server.
    fallback: tuple[str, ...] = ()
    #: What the desired state asks that a change leaves as it is.
    kept: list[Said] = dataclasses.field(default_factory=list)
    #: What the server said of a failure it answered 200 to (a thaw).
    said: str | None = None
    #: The action whose request is being sent (set by the sending thread).
    sending: desired_state.Action | None = None
    #: The action under way when a second Ctrl-C stopped waiting for it.
    abandoned: desired_state.Action | None = None
    #: The exception the request that failed raised, as raised.
    error: Exception | None = None
    #: The service before the change, and as the verifying read found it.
    before: Service | None = None
    now: Service | None = None
    #: What the verifying read found not as asked.
    wrong: list[str] = dataclasses.field(default_factory=list)
    #: Why the verifying read failed, if it did.
    unread: exceptions.Error | None = None
    result: Result | None = None
    #: Why it did not end as asked (empty when it did).
    why: list[Said] = dataclasses.field(default_factory=list)
    #: Why a service whose every request was answered is not as asked,
    #: led by its punctuation (``explain``); None when no reason is known.
    explanation: Said | None = None
    #: The verifying read did not find the service.
    gone: bool = False
    #: An ignored enable was followed by a freeze and thaw that re-enable
    #: (``why`` then says how that went, when it did not).
    re_enabling: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.desired.key

    @property
    def label(self) -> str:
        return self.desired.label

    @property
    def attempted(self) -> bool:
        return bool(self.acknowledged or self.unanswered or self.refused
                    or self.abandoned)

    def end(self, result: Result, *why: Said) -> None:
        self.result, self.why = result, list(why)


def kept(service: Service, desired: desired_state.Desired) -> list[Said]:
    """What the desired state asks that a change leaves as it is."""
    said = []
    if (desired.status == 'disabled' and not desired.disabled_reason
            and service.status == 'disabled' and service.disabled_reason):
        said.append(Said(f'reason {service.disabled_reason!r} kept: none wanted'))
    for attr, value in desired.unapplied:
        now = getattr(service, attr)
        if attr == 'disabled_reason':
            # A listing saved where enable keeps the reason (before 28.0.0).
            said.append(Said(f'reason {value!r} not applied: a reason goes with '
                             f'status disabled'))
            continue
        if (value or None) != (now or None):
            said.append(Said(
                f'{records.LABELS[attr]} is {now!r}, not {value!r}: only a failover '
                f'sets it', Advice('does', verb=advice_module.FAILOVER),
                joiner=' (', closer=')'))
    return said


def may_thaw_to_enable(outcome: Outcome) -> bool:
    return (
        outcome.desired.binary == records.VOLUME_BINARY
        and ENABLE in outcome.actions
    )


def enable_ignored(outcome: Outcome, now: Service | None) -> bool:
    """Whether the server answered our enable and left the service disabled."""
    return (
        now is not None
        and not outcome.refused
        and ENABLE in outcome.acknowledged
        and now.status == 'disabled'
    )


def unverifiable(outcome: Outcome, why: exceptions.Error) -> None:
    """Mark ``outcome`` when no re-read could tell what happened."""
    outcome.unread = why
    if outcome.refused and not outcome.acknowledged:
        outcome.end(Result.FAILED, *refusal(outcome))
        return
    parts = []
    if outcome.acknowledged:
        accepted = ', '.join(map(str, outcome.acknowledged))
        parts.append(f'the server accepted {accepted}')
    if outcome.unanswered:
        parts.append(f'no answer to {outcome.unanswered}: {outcome.problem}')
    if outcome.abandoned:
        parts.append(f'interrupted while {outcome.abandoned} was under way')
    if outcome.refused:
        parts.append(f'refused {outcome.refused.name}: {outcome.problem}')
    parts.append(f'could not re-read: {why}')
    outcome.end(Result.UNKNOWN, Said('; '.join(parts)))


def refusal(outcome: Outcome) -> list[Said]:
    """Why the refused action was refused: the refusal's facts, its
    advice (a keyword that overrules it) worded by each face."""
    from volsvcclient.cinder import exceptions

    # Only a refused outcome is asked why (judge, unverifiable, and the
    # engine's refusals all set ``refused`` first).
    assert outcome.refused is not None
    name = outcome.refused.name
    problem = outcome.problem
    if isinstance(problem, exceptions.Refused):
        return [Said(f'{name}: {problem.facts}', problem.advice)]
    return [Said(f'{name}: {problem}')]


def unanswered(outcome: Outcome) -> Said:
    """The request that got no clear answer, and how it ended."""
    return Said(f'{outcome.unanswered}: {outcome.problem}')


def judge(outcome: Outcome, before: Service, now: Service | None) -> bool:
    """Mark ``outcome`` from the re-read ``now`` of the service that was
    ``before``; True when nothing more can change it (done, or failed for
    good, as an ignored enable), False when a later read may still show it
    as asked."""
    outcome.before, outcome.now, outcome.wrong = before, now, []
    if now is None:
        outcome.gone = True
        outcome.end(Result.FAILED, Said('disappeared'))
        return True
    wrong = outcome.wrong = records.mismatches(now, outcome.expected)
    if outcome.abandoned and wrong:
        outcome.end(Result.UNKNOWN, Said(
            f'interrupted while {outcome.abandoned} was under way: it may still '
            f'be applied', Advice('shows whether it was', verb=advice_module.SHOW,
                                  host=now.host, binary=now.binary), joiner='; '))
        return True
    if outcome.abandoned and outcome.abandoned.name in ('freeze', 'thaw'):
        # Cinder writes frozen before it asks cinder-volume, and answers
        # once cinder-volume has: the database is no confirmation.
        outcome.end(Result.UNKNOWN, Said(
            f'interrupted while {outcome.abandoned} was under way: the database '
            f'shows it as asked, but the backend has not confirmed',
            Advice('shows whether it did', verb=advice_module.SHOW, host=now.host,
                   binary=now.binary), joiner='; '))
        return True
    if outcome.unconfirmed:
        outcome.end(Result.UNKNOWN, unconfirmed(
            f'{outcome.unanswered}: {outcome.problem}', [now]))
        return True
    if not wrong:
        outcome.end(Result.CHANGED)
        return True
    if outcome.refused:
        outcome.end(Result.FAILED, *refusal(outcome))
    elif outcome.unanswered:
        outcome.explanation = explain(outcome)
        outcome.end(Result.FAILED, unanswered(outcome))
    else:
        outcome.end(Result.FAILED, *accepted_but(outcome))
    # cinder-api writes enable to the database before it answers: an enable
    # it answered and did not apply (28.0.0 and later) never shows later.
    return enable_ignored(outcome, now)


def accepted_but(outcome: Outcome) -> list[Said]:
    """Every request was answered, yet the service is not as asked: why."""
    but = 'the server accepted every request but ' + ', '.join(outcome.wrong)
    why = outcome.explanation = explain(outcome)
    if why is None:
        return [Said(but)]
    return [dataclasses.replace(why, facts=but + why.facts)]


def explain(outcome: Outcome) -> Said | None:
    """Why a judged ``outcome`` whose requests were all answered is not as
    asked (facts, led by their punctuation, and advice for each face to
    word); None when no reason is known."""
    now, before = outcome.now, outcome.before
    if now is None:
        return None
    if before is not None and records.changed_by_another(before, now, outcome.expected):
        return Said(f': {records.ANOTHER_CLIENT}')
    if outcome.said:
        return Said(f'. The server said: {outcome.said}')
    if enable_ignored(outcome, now):
        if now.binary != records.VOLUME_BINARY:
            return Said(f'. {records.ENABLE_IGNORED}. No API re-enables '
                        f'{now.binary} on such a release')
        return Said(f'. {records.ENABLE_IGNORED}', Advice(
            're-enables it by freeze and thaw', advice_module.ENABLE_VIA_THAW,
            form=advice_module.DOES), joiner='; ')
    if now.cluster and now.status == 'disabled' and THAW in outcome.acknowledged:
        return Said(
            '. Cinder delivers freeze and thaw of a cluster to one of its members, '
            'and only that member disables or re-enables its own service; where '
            'os-services/enable works (before 28.0.0)',
            Advice('re-enables the others', verb=advice_module.ENABLE,
                   host=now.host, binary=now.binary), joiner=', ')
    if reasons.beyond_bmp(outcome.desired.disabled_reason):
        return Said(f'. {reasons.BEYOND_BMP}')
    return None


def re_enable(service: Service) -> Advice:
    """How to re-enable a cinder-volume ``service`` whose enable the server
    ignored: thaw it if frozen, else freeze and thaw it."""
    if service.is_frozen:
        return Advice('thaws and re-enables it', verb=advice_module.THAW,
                      host=service.host, binary=service.binary,
                      also=(advice_module.ENABLE_VIA_THAW, 'does that'))
    return Advice('re-enables it', verb=advice_module.FREEZE_THEN_THAW,
                  host=service.host, binary=service.binary,
                  also=(advice_module.ENABLE_VIA_THAW, 'does both'))


def database_shows(current: Iterable[Service]) -> str:
    """What the database says of the ``current`` services, for an
    unconfirmed change."""
    states = '; '.join(
        f'{s.label}: status {s.status}, frozen {s.is_frozen}, reason '
        f'{s.disabled_reason!r}, replication {s.replication_status}'
        for s in current
    )
    return f'The database now shows {states}; the backend has not confirmed'


def unconfirmed(happened: str, current: list[Service]) -> Said:
    """An unconfirmed request (``happened``), what the database shows of
    the ``current`` services it changes, and how to learn more."""
    first = current[0]
    return Said(
        f'{happened}. {database_shows(current)}; the request may still complete',
        Advice('shows whether it did', verb=advice_module.SHOW, host=first.host,
               binary=first.binary), joiner=': ')


def no_clear_answer(exc: BaseException) -> str:
    """How a request that may have been applied ended, in words."""
    from volsvcclient.cinder import connection

    if failures.is_server_error(exc) and exc.status_code not in connection.RETRIED_STATUSES:
        return f'failed with HTTP {exc.status_code}'
    return 'got no answer'
