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

"""The one engine of every change of service states: one service, a host,
a cluster, a selection or a saved listing.

One read gives the live services; ``desired_state.plan`` gives each its
actions; the refusals all come before any request (a disable no API
undoes, one member of a cluster alone, a cinder-volume that is down);
``sending.Sender`` sends; one read (repeated up to ``wait_timeout``)
verifies and ``outcomes.judge`` says how each service ended. A plan (a dry
run, Ansible's check mode) is the same steps without the sending, so it
predicts what the change would do. No number of Ctrl-C loses an outcome.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import TYPE_CHECKING, Sequence

from volsvcclient.cinder import advice
from volsvcclient.cinder.advice import Said
from volsvcclient.cinder import bounds
from volsvcclient.cinder import exceptions
from volsvcclient.cinder import reasons
from volsvcclient.cinder import records
from volsvcclient.cinder import versions
from volsvcclient.engine import desired_state
from volsvcclient.engine import events
from volsvcclient.engine import interrupts
from volsvcclient.engine import outcomes
from volsvcclient.engine.outcomes import Outcome
from volsvcclient.engine.outcomes import Result
from volsvcclient.engine import sending
from volsvcclient.engine import verifying

if TYPE_CHECKING:
    from volsvcclient.cinder.records import Service
    from volsvcclient.cinder import services

Key = tuple[str, str]
FREEZE_OR_THAW = ('freeze', 'thaw')


def read_live(
    api: services.ServiceAPI, request: desired_state.Request
) -> dict[Key, Service]:
    """The live services a request may change, in one request: the read
    of one named service or of one cluster (which name what exists
    instead), else the list of the selected binary."""
    selection = request.selection
    if selection is not None:
        selection.check_version(api)
        if selection.only_cluster:
            return {s.key: s for s in api.cluster_members(selection.cluster or '')}
    if selection is None and len(request.desired) == 1:
        desired = request.desired[0]
        return {desired.key: api.find(desired.host, desired.binary)}
    binary = selection.binary if selection else None
    return {s.key: s for s in api.list(binary=binary)}


def read_back(api: services.ServiceAPI, services: Sequence[Service]) -> dict[Key, Service]:
    """``services`` as they now are, in one request: the read of one
    service, or one list of their binary."""
    if len(services) == 1:
        found = api.read(services[0].host, services[0].binary)
        return {found.key: found} if found is not None else {}
    binaries = {s.binary for s in services}
    one_binary = binaries.pop() if len(binaries) == 1 else None
    return {s.key: s for s in api.list(binary=one_binary)}


class Change:
    """Desired states matched with live services, planned, and applied."""

    def __init__(
        self,
        api: services.ServiceAPI,
        request: desired_state.Request,
        tell: events.Listener = events.ignore,
        even_if_down: bool = False,
        ctrl_c: interrupts.Interrupts | None = None,
    ) -> None:
        self.api = api
        self.tell = tell
        self.even_if_down = even_if_down
        #: Ctrl-C as counted by the caller (a fresh counter, not listening
        #: to SIGINT, when none is given).
        self.ctrl_c = ctrl_c or interrupts.Interrupts()
        #: One service named by the caller (not chosen by a selection).
        self.named = request.selection is None and len(request.desired) == 1
        #: The services as the last verifying read saw them.
        self.final: dict[Key, Service] = {}
        live = self.live = read_live(api, request)
        self.outcomes: list[Outcome] = []
        for desired in request.resolve(live.values()):
            service = live.get(desired.key)
            actions = desired_state.plan(service, desired) if service else []
            outcome = Outcome(desired, actions, desired_state.expected(desired, actions))
            if service is None:
                outcome.end(Result.FAILED, Said('no such service'))
            else:
                outcome.kept = outcomes.kept(service, desired)
            self.outcomes.append(outcome)
        self.sender = sending.Sender(api, live, tell, self.ctrl_c, self._targets(request))

    def _targets(self, request: desired_state.Request) -> dict[Key, records.Target]:
        """A cluster asked for by name is frozen and thawed by its name
        where the API takes one (3.26), else through any of its hosts."""
        selection = request.selection
        if selection is None or not selection.only_cluster or not self.api.supports(
                versions.CLUSTER_ACTIONS):
            return {}
        target = records.Target(cluster=selection.cluster)
        return {key: target for key in self.live}

    @property
    def interrupted(self) -> bool:
        return self.sender.interrupted

    @property
    def to_change(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.actions and o.result is None]

    def check(self, even_if_irreversible: bool, planning: bool = False) -> None:
        """Every refusal, before any request: a plan and a change refuse
        alike. A refusal of the whole change raises; one of some services
        (a backend that is down) marks their outcomes."""
        if not even_if_irreversible:
            self._refuse_irreversible()
        self._refuse_part_of_a_cluster()
        self._refuse_down(planning)
        for binary, label in self._irreversible().items():
            self.tell(events.Irreversible(binary, label))
        for outcome in self.to_change:
            live = self.live[outcome.key]
            action = next((a.name for a in outcome.actions if a.name in FREEZE_OR_THAW), None)
            # Said only where the change leaves the status to the freeze or
            # thaw; one that sets it (a drain's disable, a resume's enable)
            # means to.
            if (action and outcome.desired.status is None and live.status == 'disabled'
                    and live.disabled_reason != 'frozen'):
                self.tell(events.ReasonReplaced(live.label, live.disabled_reason, action))

    def _irreversible(self) -> dict[str, str | None]:
        """Binary -> the one service the plan disables for good (None when
        several)."""
        disabling = [o for o in self.to_change
                     if reasons.irreversible(o.desired.binary)
                     and any(a.name == 'disable' for a in o.actions)]
        counts = collections.Counter(o.desired.binary for o in disabling)
        return {binary: next(o.label for o in disabling if o.desired.binary == binary)
                if count == 1 and self.named else None
                for binary, count in counts.items()}

    def _refuse_irreversible(self) -> None:
        disabling = [o for o in self.to_change
                     if reasons.irreversible(o.desired.binary)
                     and any(a.name == 'disable' for a in o.actions)]
        if not disabling:
            return
        binary = disabling[0].desired.binary
        count = sum(o.desired.binary == binary for o in disabling)
        what = disabling[0].label if self.named else (
            f'{count} {binary} service(s)')
        raise exceptions.Refused(
            f'{what}: {reasons.irreversibly(binary)}',
            advice.Advice('disable it anyway', advice.EVEN_IF_IRREVERSIBLE))

    def _refuse_part_of_a_cluster(self) -> None:
        """Cinder freezes and thaws a clustered host's whole cluster: a
        change of some members alone would change the others unasked."""
        for outcome in self.to_change:
            action = next((a for a in outcome.actions if a.name in FREEZE_OR_THAW), None)
            cluster = self.live[outcome.key].cluster
            if action is None or not cluster:
                continue
            members = self._members(cluster)
            asked = {o.key for o in self.outcomes
                     if o.desired.frozen is (action == desired_state.FREEZE)}
            others = sorted(m.host for m in members if m.key not in asked)
            if others:
                raise exceptions.Refused(
                    f"{outcome.label} is a member of cluster '{cluster}': Cinder "
                    f"would {action.name} its other members too "
                    f"({records.shorten(others)})",
                    advice.Advice(f'{action.name} the whole cluster', advice.CLUSTER,
                                  value=cluster))

    def _members(self, cluster: str) -> list[Service]:
        members = [s for s in self.live.values()
                   if s.cluster == cluster and s.binary == records.VOLUME_BINARY]
        if len(self.live) == 1:
            # One service was read by name: its cluster's members were not.
            members = self.api.cluster_members(cluster)
        return members

    def _refuse_down(self, planning: bool) -> None:
        """Refuse, per backend, a freeze or thaw its cinder-volume cannot
        take: the members of one cluster are judged together."""
        groups: dict[tuple[str, str], list[Outcome]] = collections.defaultdict(list)
        for outcome in self.to_change:
            planned = next((a for a in outcome.actions if a.name in FREEZE_OR_THAW), None)
            if planned is not None:
                live = self.live[outcome.key]
                groups[(live.cluster or live.host, planned.name)].append(outcome)
        for (_, verb), group in groups.items():
            live = self.live[group[0].key]
            members = self._members(live.cluster) if live.cluster else [live]
            try:
                sending.check_up(members, verb, self.even_if_down, self.tell, planning)
            except exceptions.Refused as refusal:
                for outcome in group:
                    outcome.refused = next(a for a in outcome.actions if a.name == verb)
                    outcome.problem = refusal
                    outcome.end(Result.FAILED, *outcomes.refusal(outcome))

    # A plan: what apply would do, nothing sent.

    def plan(self, enable_via_thaw: bool, even_if_irreversible: bool = False) -> None:
        self.check(even_if_irreversible, planning=True)
        for outcome in self.outcomes:
            if outcome.result is None:
                outcome.end(Result.WOULD_CHANGE if outcome.actions else Result.UNCHANGED)
            if enable_via_thaw and outcomes.may_thaw_to_enable(outcome):
                live = self.live[outcome.key]
                outcome.fallback = ('thaw',) if live.is_frozen else ('freeze', 'thaw')

    # A change: sent, verified, judged.

    def apply(
        self,
        enable_via_thaw: bool = False,
        concurrency: int = bounds.CONCURRENCY,
        wait_timeout: float = 0,
        even_if_irreversible: bool = False,
    ) -> None:
        self.check(even_if_irreversible)
        changing = self.to_change
        if changing:
            self.tell(events.Planned(
                tuple((o.desired.host, o.desired.binary, tuple(map(str, o.actions)))
                      for o in changing), len(self.outcomes)))
        # From here on Ctrl-C is counted, not raised, but while a verifying
        # read (that a KeyboardInterrupt may cut short) is under way.
        self.ctrl_c.raising = False
        self.sender.send_all(changing, concurrency)
        try:
            self.ctrl_c.raising = True
            self._verify(changing, wait_timeout)
            if enable_via_thaw and not self.sender.stop.is_set() and not self.ctrl_c.count:
                for outcome in changing:
                    now = self.final.get(outcome.key)
                    if (outcome.result == Result.FAILED
                            and outcomes.enable_ignored(outcome, now)):
                        self._re_enable(outcome)
            self.ctrl_c.raising = False
        except KeyboardInterrupt:
            self.ctrl_c.raising = False
            self.sender.interrupted = True
            self.tell(events.Interrupted('verifying'))
            for outcome in changing:
                if outcome.result is None:
                    outcome.end(Result.UNKNOWN, Said('interrupted before it was verified'))
        for outcome in self.outcomes:
            if outcome.result is None:
                outcome.end(Result.UNCHANGED)

    def _verify(self, changing: list[Outcome], wait_timeout: float) -> None:
        """Re-read until every attempted service is as desired, or give up."""
        attempted = [o for o in changing if o.attempted]
        why = 'interrupted' if self.interrupted else 'cinder-api stopped answering'
        for outcome in changing:
            if not outcome.attempted:
                outcome.end(Result.NOT_ATTEMPTED, Said(f'not sent: {why}'))
        # A refusal other than a 400 (which may be a race another client
        # won) is the server's last word: no read can change it.
        judged = [o for o in attempted if not _final_refusal(o)]
        for outcome in attempted:
            if outcome not in judged:
                outcome.end(Result.FAILED, *outcomes.refusal(outcome))
        if judged:
            self.final = dict(verifying.verify(
                lambda: read_back(self.api, [self.live[o.key] for o in judged]),
                judged, self.live, wait_timeout, lambda: bool(self.ctrl_c.count)))
        for outcome in judged:
            if outcome.refused and outcome.result == Result.CHANGED:
                self.tell(events.RefusedButAsAsked(
                    outcome.label, f"{outcome.refused.name} of host '{outcome.desired.host}'",
                    str(outcome.problem)))

    def _re_enable(self, outcome: Outcome) -> None:
        """Re-enable a cinder-volume whose enable the server ignored by
        thawing it, freezing it first unless it is frozen already. On
        Ctrl-C after our own freeze, thaw it back, or say how to."""
        service = self.final[outcome.key]
        ignored = (f"the server accepted every request but {', '.join(outcome.wrong)}. "
                   f"{records.ENABLE_IGNORED}")
        if service.binary != records.VOLUME_BINARY:
            outcome.re_enabling = True
            outcome.why = [Said(f'{ignored}, and ', advice.Advice(
                f'applies to {records.VOLUME_BINARY} only', advice.ENABLE_VIA_THAW,
                form=advice.DOES), joiner='')]
            return
        if service.cluster:
            outcome.re_enabling = True
            outcome.why = [Said(
                f"{ignored}; a freeze and thaw would act on every member of cluster "
                f"'{service.cluster}', so it is not re-enabled that way")]
            return
        outcome.re_enabling = True
        steps = [desired_state.THAW] if service.is_frozen else [
            desired_state.FREEZE, desired_state.THAW]
        words = ' and '.join(a.name for a in steps)
        # The sender reads only the service from the desired state; what
        # the re-read must show is given.
        inner = Outcome(outcome.desired, steps, {'status': 'enabled', 'is_frozen': False})
        try:
            sending.check_up([service], words, self.even_if_down, self.tell)
        except exceptions.Refused as refusal:
            outcome.why = [Said(f'{words}: {refusal.facts}', refusal.advice)]
            return
        self.tell(events.ReEnabling(service.label, words))
        try:
            self.sender.send_one(inner)
        except KeyboardInterrupt:
            outcome.end(Result.UNKNOWN, Said(
                'interrupted during the freeze and thaw that re-enable it'))
            if desired_state.FREEZE in steps:
                self._thaw_back(service)
            raise
        verifying.verify(lambda: read_back(self.api, [service]), [inner],
                         {service.key: service}, 0)
        if inner.result == Result.CHANGED:
            outcome.actions = outcome.actions + steps
            outcome.end(Result.CHANGED)
            if inner.now is not None:
                self.final[outcome.key] = inner.now
            return
        if inner.refused:
            # The server's refusal: the engine's own (check_up) came first.
            outcome.why = [Said(f'{words}: {inner.problem}')]
        else:
            outcome.why = [dataclasses.replace(part, facts=f'{words}: {part.facts}')
                           for part in inner.why] or outcome.why

    def _thaw_back(self, service: Service) -> None:
        """Undo our own freeze after Ctrl-C, or say how to."""
        try:
            current = self.api.read(service.host, service.binary)
            if current is not None and not current.is_frozen:
                return
            self.tell(events.ThawingBack(service.label))
            self.api.thaw(records.Target(host=service.host))
            return
        except (Exception, KeyboardInterrupt):
            pass
        self.tell(events.LeftFrozen(service.label, service.host))


def _final_refusal(outcome: Outcome) -> bool:
    """Whether ``outcome`` was refused by policy or authentication (401,
    403): the last word, which no re-read changes. Any other refusal may
    be a race another client won. (The engine's own refusals end their
    outcomes before anything is sent: they are never attempted.)"""
    if not outcome.refused or outcome.acknowledged:
        return False
    return getattr(outcome.problem, 'status_code', None) in (401, 403)
