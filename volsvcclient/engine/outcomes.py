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
fields, judged by pure functions, rendered as a report row.

The sender fills in what the server answered (acknowledged, unanswered,
refused, unconfirmed, abandoned); the verifying read gives the service as
it now is; ``judge`` decides the result and words the detail, once for
every command that changes services. A report shows each outcome as a
``row``; a command that changes one target (a service, a host or a
cluster) shows its outcomes as ``one_line``. Each explanation of why a
service is not as asked is worded once, in ``explain``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Iterable, Sequence

from volsvcclient.cinder import services
from volsvcclient.engine import desired_state
from volsvcclient.osc import columns
from volsvcclient.osc import errors

if TYPE_CHECKING:
    from volsvcclient.osc import voice as voice_module

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
ENABLE = desired_state.Action('enable')
THAW = desired_state.Action('thaw')


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
    #: The exception the last request sent raised, if any.
    error: Exception | None = None
    #: The service before the change, and as the verifying read found it.
    before: services.Service | None = None
    now: services.Service | None = None
    #: What the verifying read found not as asked.
    wrong: list[str] = dataclasses.field(default_factory=list)
    #: Why the verifying read failed, if it did.
    unread: str | None = None
    result: str = ''
    detail: str = ''
    #: The advice in the detail that a keyword argument of the API
    #: overrules (a refusal, or an ignored enable), so that the API gives
    #: its fields and each caller words it in its own names.
    advised: voice_module.Advised | None = None

    @property
    def attempted(self) -> bool:
        return bool(self.acknowledged or self.unanswered or self.refused
                    or self.abandoned)

    @property
    def advice(self) -> voice_module.Advised | None:
        """``advised`` while the detail gives it."""
        given = self.advised
        return given if given is not None and str(given) in self.detail else None

    @property
    def facts(self) -> str:
        """The detail without the command line's words of its advice."""
        given = self.advice
        return self.detail.replace(str(given), given.facts) if given else self.detail

    @property
    def row(self) -> Row:
        planned = ', '.join(map(str, self.actions)) or '-'
        if self.fallback:
            planned += f' ({self.fallback})'
        return (
            self.wanted.host, self.wanted.binary, planned, self.result,
            '; '.join(filter(None, (self.detail, self.kept))),
        )


def kept(
    service: services.Service, wanted: desired_state.Wanted, voice: voice_module.Voice
) -> str:
    """What the wanted state asks that commit leaves as it is."""
    said = []
    if (wanted.status == 'disabled' and not wanted.disabled_reason
            and service.status == 'disabled' and service.disabled_reason):
        said.append(f'reason {service.disabled_reason!r} kept: none wanted')
    for name, value in wanted.unapplied:
        now = getattr(service, columns.ATTRIBUTE_BY_NAME[name])
        if (value or None) != (now or None):
            said.append(voice.not_failed_over(name, now, value))
    return '; '.join(said)


def may_thaw_to_enable(outcome: Outcome) -> bool:
    return (
        outcome.wanted.binary == services.VOLUME_BINARY
        and ENABLE in outcome.actions
    )


def enable_ignored(outcome: Outcome, now: services.Service | None) -> bool:
    """Whether the server answered our enable and left the service disabled."""
    return (
        now is not None
        and not outcome.refused
        and ENABLE in outcome.acknowledged
        and now.status == 'disabled'
    )


def unverifiable(outcome: Outcome, why: str) -> None:
    """Mark ``outcome`` when no re-read could tell what happened."""
    if outcome.refused and not outcome.acknowledged:
        outcome.result, outcome.detail = FAILED, outcome.refused
        return
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
    outcome.unread = why
    outcome.result, outcome.detail = UNKNOWN, '; '.join(parts)


def judge(
    outcome: Outcome,
    before: services.Service,
    now: services.Service | None,
    voice: voice_module.Voice,
) -> bool:
    """Mark ``outcome`` from the re-read ``now`` of the service that was
    ``before``; True when nothing more can change it (done, or failed for
    good, as an ignored enable), False when a later read may still show it
    as asked."""
    outcome.before, outcome.now, outcome.wrong = before, now, []
    if now is None:
        outcome.result, outcome.detail = FAILED, 'disappeared'
        return True
    wrong = outcome.wrong = services.mismatches(now, outcome.wanted.expected)
    if outcome.abandoned and wrong:
        outcome.result = UNKNOWN
        outcome.detail = (
            f'interrupted while {outcome.abandoned} was under way: it may '
            f'still be applied'
        )
        return True
    if outcome.unconfirmed:
        outcome.result = UNKNOWN
        outcome.detail = unconfirmed(outcome.unanswered or '', [now], voice)
        return True
    if not wrong:
        outcome.result, outcome.detail = CHANGED, ''
        return True
    outcome.result = FAILED
    outcome.detail = outcome.refused or outcome.unanswered or _accepted_but(
        outcome, before, now, wrong, voice)
    # cinder-api writes enable to the database before it answers: an enable
    # it answered and did not apply (28.0.0 and later) never shows later.
    return enable_ignored(outcome, now)


def _accepted_but(
    outcome: Outcome,
    before: services.Service,
    now: services.Service,
    wrong: list[str],
    voice: voice_module.Voice,
) -> str:
    """Every request was answered, yet the service is not as asked: why."""
    return ('the server accepted every request but ' + ', '.join(wrong)
            + explain(outcome, voice, brief=True))


def explain(outcome: Outcome, voice: voice_module.Voice, brief: bool) -> str:
    """Why a judged ``outcome`` whose requests were all answered is not as
    asked, with its leading separator; '' when no reason is known.
    ``brief`` for a report row (its advice is kept as ``outcome.advised``),
    else the full advice of a one-line error."""
    now, before = outcome.now, outcome.before
    if now is None:
        return ''
    if before is not None and services.changed_by_another(
            before, now, outcome.wanted.expected):
        return f': {services.ANOTHER_CLIENT}'
    if outcome.said:
        return f'. The server said: {outcome.said}'
    if enable_ignored(outcome, now) and brief:
        outcome.advised = voice.enable_via_thaw_hint(now, services.ENABLE_IGNORED)
        return f'. {outcome.advised or services.ENABLE_IGNORED}'
    if enable_ignored(outcome, now):
        advice = voice.enable_workaround(now)
        return f'. {services.ENABLE_IGNORED}' + (f'. {advice}' if advice else '')
    if now.cluster and now.status == 'disabled' and THAW in outcome.acknowledged:
        return f'. {voice.cluster_thaw()}'
    return ''


def database_shows(current: Iterable[services.Service]) -> str:
    """What the database says of the ``current`` services, for an
    unconfirmed change."""
    states = '; '.join(
        f'{s.label}: status {s.status}, frozen {s.is_frozen}, reason '
        f'{s.disabled_reason!r}, replication {s.replication_status}'
        for s in current
    )
    return f'The database now shows {states}; the backend has not confirmed'


def unconfirmed(happened: str, current: list[services.Service],
                voice: voice_module.Voice) -> str:
    """An unconfirmed request (``happened``), what the database shows of
    the ``current`` services it changes, and how to learn more."""
    return f'{happened}. {database_shows(current)}; {voice.check_later(current)}'


def _no_clear_answer(exc: BaseException) -> str:
    """How a request that may have been applied ended, in words."""
    if services.is_server_error(exc) and exc.status_code not in services.RETRIED_STATUSES:
        return f'failed with HTTP {exc.status_code}'
    return 'got no answer'


def _label(outcome: Outcome) -> str:
    return f'{outcome.wanted.binary} on {outcome.wanted.host}'


def one_line(
    changed: Sequence[Outcome],
    asked: str,
    voice: voice_module.Voice,
    cause: str | None = None,
    waited: float = 0,
) -> str | None:
    """The one-line error of a change of one target (``changed``: one
    outcome per service it changes, sent, verified and judged; ``asked``:
    the request, "freeze of host 'h'"), or None when all ended as asked.

    ``cause`` is the known reason the change may not show, ``waited`` the
    seconds the verification re-read for. A refusal is not rendered here:
    the command shows the server's own words.
    """
    first = changed[0]
    exc = first.error
    if exc is not None and first.unconfirmed:
        happened = str(exc)
        label, unknown = happened, 'unknown'
    elif exc is not None:
        happened = f'{asked} {_no_clear_answer(exc)} ({errors.translate(exc)})'
        label, unknown = happened, 'whether it took effect is unknown'
    else:
        happened = f'the server accepted {asked}'
        label, unknown = f'{_label(first)}: {happened}', 'the change is not verified'
    if first.unread is not None:
        return f'{label} and the service could not be re-read ({first.unread}): {unknown}'
    gone = [o for o in changed if o.now is None and o.result]
    if gone:
        return f'{_label(gone[0])} disappeared after {happened}'
    if exc is not None and first.unconfirmed:
        return unconfirmed(happened, [o.now for o in changed if o.now], voice)
    for outcome in changed:
        if outcome.result in (FAILED, UNKNOWN):
            after = f' after {waited:g} s' if waited else ''
            why = explain(outcome, voice, brief=False) or (f'. {cause}' if cause else '')
            return (f"{_label(outcome)}: {happened} but{after} "
                    f"{', '.join(outcome.wrong)}{why}")
    return None
