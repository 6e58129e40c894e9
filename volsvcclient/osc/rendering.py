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

"""The Python API's results as the command line shows them: a report row
per service (``commit``), or the one line of a change of one target
(``set``, ``freeze <host>``), in the command line's words.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Sequence

from osc_lib import exceptions

if TYPE_CHECKING:
    from volsvcclient import api
    from volsvcclient.osc import voice as voice_module

#: The columns of a report, as ``commit -f json`` prints them.
COLUMNS = ('Host', 'Binary', 'Actions', 'Result', 'Detail')
Row = tuple[str, str, str, str, str]


def actions(outcome: api.ServiceOutcome) -> str:
    """The Actions column: what was planned, with what may follow."""
    planned = ', '.join(outcome.actions) or '-'
    if outcome.fallback:
        planned += f" (then {', '.join(outcome.fallback)} if the server ignores enable)"
    return planned


def row(outcome: api.ServiceOutcome, words: voice_module.Voice) -> Row:
    return (outcome.host, outcome.binary, actions(outcome), outcome.result.value,
            outcome.worded(words))


def rows(report: api.Report, words: voice_module.Voice) -> list[Row]:
    return [row(o, words) for o in report.outcomes]


def refusal(
    outcomes: Sequence[api.ServiceOutcome], words: voice_module.Voice
) -> exceptions.CommandError | None:
    """The refusal of a change of one target, as the server or the engine
    worded it: the command's one line."""
    from volsvcclient.engine.outcomes import Result

    for outcome in outcomes:
        if outcome.refused and outcome.problem and outcome.result == Result.FAILED:
            return exceptions.CommandError(outcome.problem.worded(words))
    return None


def one_line(
    changed: Sequence[api.ServiceOutcome],
    asked: str,
    words: voice_module.Voice,
    waited: float = 0,
) -> str | None:
    """The one-line error of a change of one target (``changed``: one
    outcome per service it changes; ``asked``: the request, "freeze of host
    'h'"), or None when all ended as asked. ``waited`` is the seconds the
    verification re-read for."""
    from volsvcclient.engine import outcomes
    from volsvcclient.engine.outcomes import Result

    first = next((o for o in changed if o.unanswered), changed[0])
    problem = first.problem
    if first.unanswered and first.unconfirmed:
        happened = str(problem)
        label, unknown = happened, 'unknown'
    elif first.unanswered and first.error is not None and problem is not None:
        happened = (f'{asked} {outcomes.no_clear_answer(first.error)} '
                    f'({problem.worded(words)})')
        label, unknown = happened, 'whether it took effect is unknown'
    else:
        happened = f'the server accepted {asked}'
        label, unknown = f'{first.label}: {happened}', 'the change is not verified'
    if first.unread is not None:
        return (f'{label} and the service could not be re-read '
                f'({first.unread.worded(words)}): {unknown}')
    gone = [o for o in changed if o.gone]
    if gone:
        return f'{gone[0].label} disappeared after {happened}'
    if first.unanswered and first.unconfirmed:
        current = [o.after for o in changed if o.after is not None]
        return outcomes.unconfirmed(happened, current).worded(words)
    for outcome in changed:
        if outcome.result in (Result.FAILED, Result.UNKNOWN):
            after = f' after {waited:g} s' if waited else ''
            why = ''
            if outcome.explanation is not None:
                why = _one_line_advice(outcome).worded(words)
            return (f"{outcome.label}: {happened} but{after} "
                    f"{', '.join(outcome.mismatches)}{why}")
    return None


def _one_line_advice(outcome: api.ServiceOutcome) -> api.Said:
    """One target's explanation: where a report row says that
    --enable-via-thaw re-enables a service, one line says how."""
    from volsvcclient.cinder import advice
    from volsvcclient.engine import outcomes

    said = outcome.explanation
    assert said is not None
    if (said.advice is not None and said.advice.keyword == advice.ENABLE_VIA_THAW
            and outcome.after is not None):
        lead = '. It is frozen: ' if outcome.after.is_frozen else '. '
        return dataclasses.replace(said, advice=outcomes.re_enable(outcome.after),
                                   joiner=lead)
    return said
