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

"""A change of one target (one service, one host or one cluster) through
the engine, told in one line.

The plan is one outcome per service the target changes, each with the
same actions; ``sending.Sender`` sends them (a cluster's members share one
request), ``verifying.verify`` re-reads and judges them, and
``outcomes.one_line`` words how they ended. Re-enabling a cinder-volume by
freeze and thaw, for ``set`` and ``commit`` alike, is here too.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Sequence

from openstack import exceptions as sdk_exceptions
from osc_lib import exceptions

from volsvcclient.cinder import services
from volsvcclient.engine import desired_state
from volsvcclient.engine import interrupts
from volsvcclient.engine import outcomes
from volsvcclient.engine import sending
from volsvcclient.engine import verifying
from volsvcclient.osc import errors

if TYPE_CHECKING:
    from volsvcclient.osc import voice as voice_module

FREEZE = desired_state.Action('freeze')
THAW = desired_state.Action('thaw')


def read_back(
    api: services.ServiceAPI, members: Sequence[services.Service]
) -> dict[tuple[str, str], services.Service]:
    """``members`` as they now are, in one request: the read of one
    service, or one list of their binary."""
    if len(members) == 1:
        found = api.read(members[0].host, members[0].binary)
        return {found.key: found} if found is not None else {}
    binaries = {m.binary for m in members}
    one_binary = binaries.pop() if len(binaries) == 1 else None
    return {s.key: s for s in api.list(binary=one_binary)}


class Change:
    """One target's plan: each of its services, the same actions."""

    def __init__(
        self,
        api: services.ServiceAPI,
        voice: voice_module.Voice,
        members: Sequence[services.Service],
        wanted: desired_state.Wanted,
        actions: Sequence[desired_state.Action],
        asked: str,
        target: services.Target | None = None,
        even_if_down: bool = False,
    ) -> None:
        self.api, self.voice, self.members = api, voice, list(members)
        #: What was asked, for messages: "freeze of host 'h'".
        self.asked = asked
        self.outcomes = [
            outcomes.Outcome(
                dataclasses.replace(wanted, host=m.host, binary=m.binary),
                list(actions))
            for m in members
        ]
        self.sender = sending.Sender(
            api, {m.key: m for m in members}, voice, interrupts.Interrupts(),
            even_if_down, target)
        # The command checks the members are up before it says anything.
        self.sender.up_checked = True

    def check_up(self, action: str) -> None:
        """Refuse an RPC-bound ``action`` whose cinder-volume is down."""
        sending.check_up(self.members, action, self.sender.even_if_down, self.voice)

    def send(self) -> None:
        """Send the plan; a refusal other than a 400 (which may be a race
        another client won) fails as the server worded it."""
        self.sender.send_each(self.outcomes)
        refusal = self._refusal()
        if refusal is not None and not isinstance(
                refusal, sdk_exceptions.BadRequestException):
            raise refusal

    def verify(self, wait_timeout: float = 0) -> None:
        """Re-read and judge every service; a refused request fails unless
        the services are as asked all the same."""
        verifying.verify(
            lambda: read_back(self.api, self.members), self.outcomes,
            self.sender.live, wait_timeout, self.voice)
        refusal = self._refusal()
        if refusal is None:
            return
        if any(o.result != outcomes.CHANGED for o in self.outcomes):
            raise refusal
        self.voice.refused_but_as_asked(
            self.members[0].label, self.asked, str(errors.translate(refusal)),
            services.ANOTHER_CLIENT)

    def finish(self, cause: str | None = None, waited: float = 0) -> None:
        """Fail with one line unless every service ended as asked."""
        line = outcomes.one_line(self.outcomes, self.asked, self.voice, cause, waited)
        if line is not None:
            raise exceptions.CommandError(line)

    def run(self, wait_timeout: float = 0, cause: str | None = None) -> None:
        self.send()
        self.verify(wait_timeout)
        self.finish(cause, wait_timeout)

    def _refusal(self) -> Exception | None:
        return next((o.error for o in self.outcomes if o.refused), None)


def enable_via_thaw(
    api: services.ServiceAPI,
    service: services.Service,
    voice: voice_module.Voice,
    even_if_down: bool,
) -> list[desired_state.Action]:
    """Re-enable a cinder-volume service whose enable the server ignored
    by thawing it, freezing it first unless it is frozen already; the
    actions sent. Fails with one line unless it ends enabled and thawed.

    On Ctrl-C after the freeze, the service is thawed back, or named as
    left frozen with the command that thaws it.
    """
    if service.binary != services.VOLUME_BINARY:
        raise services.NotApplied(
            f'{service.label} is still disabled: {services.ENABLE_IGNORED}, and '
            f'--enable-via-thaw applies to {services.VOLUME_BINARY} only'
        )
    actions = [THAW] if service.is_frozen else [FREEZE, THAW]
    steps = ' and '.join(a.name for a in actions)
    change = Change(
        api, voice, [service], desired_state.Wanted('', '', 'enabled', None, False),
        actions, steps, services.Target(host=service.host), even_if_down)
    change.check_up(steps)
    voice.re_enabling(service, steps)
    try:
        change.send()
    except KeyboardInterrupt:
        if FREEZE in actions:
            _thaw_back(api, service, voice)
        raise
    change.verify()
    change.finish()
    return actions


def _thaw_back(
    api: services.ServiceAPI, service: services.Service, voice: voice_module.Voice
) -> None:
    """Undo our own freeze after Ctrl-C, or say how to."""
    try:
        current = api.read(service.host, service.binary)
        if current is not None and not current.is_frozen:
            return
        voice.thawing_back(service)
        api.thaw(services.Target(host=service.host))
        return
    except (Exception, KeyboardInterrupt):
        pass
    voice.note(voice.may_be_left_frozen(service))
