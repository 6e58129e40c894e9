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
every command that changes services.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from volsvcclient import columns
from volsvcclient import desired_state
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
    outcome.result, outcome.detail = UNKNOWN, '; '.join(parts)


def judge(
    outcome: Outcome,
    before: services.Service,
    now: services.Service | None,
    voice: voice_module.Voice,
) -> bool:
    """Mark ``outcome`` from the re-read ``now`` of the service that was
    ``before``; True when nothing more can change it (done, or failed for
    good), False when a later read may still show it as asked."""
    if now is None:
        outcome.result, outcome.detail = FAILED, 'disappeared'
        return True
    wrong = services.mismatches(now, outcome.wanted.expected)
    if outcome.abandoned and wrong:
        outcome.result = UNKNOWN
        outcome.detail = (
            f'interrupted while {outcome.abandoned} was under way: it may '
            f'still be applied'
        )
        return True
    if outcome.unconfirmed:
        outcome.result = UNKNOWN
        outcome.detail = (
            f'{outcome.unanswered}. {workflows.database_shows([now])}; '
            f'{voice.check_later([now])}'
        )
        return True
    if not wrong:
        outcome.result, outcome.detail = CHANGED, ''
        return True
    outcome.result = FAILED
    outcome.detail = outcome.refused or outcome.unanswered or _accepted_but(
        outcome, before, now, wrong, voice)
    return False


def _accepted_but(
    outcome: Outcome,
    before: services.Service,
    now: services.Service,
    wrong: list[str],
    voice: voice_module.Voice,
) -> str:
    """Every request was answered, yet the service is not as asked: why."""
    detail = 'the server accepted every request but ' + ', '.join(wrong)
    if services.changed_by_another(before, now, outcome.wanted.expected):
        return f'{detail}: {services.ANOTHER_CLIENT}'
    if outcome.said:
        return f'{detail}. The server said: {outcome.said}'
    if enable_ignored(outcome, now):
        detail += f'. {services.ENABLE_IGNORED}'
        if outcome.wanted.binary == services.VOLUME_BINARY:
            detail += '; --enable-via-thaw re-enables it by freeze and thaw'
        return detail
    if now.cluster and now.status == 'disabled' and THAW in outcome.acknowledged:
        return f'{detail}. {voice.cluster_thaw()}'
    return detail
