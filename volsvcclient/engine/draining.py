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

"""Maintenance of a backend: drain it (disable, optionally freeze, then
watch what is in flight on it until nothing is) and resume it (a fresh
heartbeat, thawed, re-enabled, verified).

The change is the one engine's (``changes.Change``); the watch reads what
is on each backend (``cinder.workload``) once per interval through the one
clock (``polling``), and judges it (``in_flight``). A backend is drained
when nothing was in flight in two reads in a row: one read may fall
between a request's database row and the next.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Sequence

from volsvcclient.cinder import exceptions
from volsvcclient.cinder import records
from volsvcclient.engine import changes
from volsvcclient.engine import desired_state
from volsvcclient.engine import events
from volsvcclient.engine import in_flight
from volsvcclient.engine import interrupts
from volsvcclient.engine import outcomes
from volsvcclient.engine import polling
from volsvcclient.engine import selection as selection_module

if TYPE_CHECKING:
    from volsvcclient.cinder.records import Service
    from volsvcclient.cinder import services

#: The reason a drain disables with unless told.
REASON = 'maintenance'
#: How long a drain watches unless told, and how often it reads.
TIMEOUT = 600.0
INTERVAL = 5.0
#: Quiet reads in a row that make a backend drained.
QUIET_READS = 2


@dataclasses.dataclass(frozen=True)
class Watching(events.Event):
    """Progress of a drain's watch: what is in flight, on how many
    backends, after ``elapsed`` seconds."""

    moving: int
    backends: int
    elapsed: float
    note = False

    @property
    def facts(self) -> str:
        return (f'{self.moving} in flight on {self.backends} backend(s) '
                f'({self.elapsed:.0f} s)')


@dataclasses.dataclass(frozen=True)
class ClusterFrozen(events.Event):
    """A cluster is drained by a freeze, not by disabling its members."""

    cluster: str

    @property
    def facts(self) -> str:
        return (f"cluster '{self.cluster}': frozen, not disabled member by member "
                f"(Cinder 28.0.0 and later have no API that re-enables a member; "
                f"a frozen cluster is scheduled to no more)")


@dataclasses.dataclass
class Backend:
    """One backend a drain watches: its target (a host@backend or a
    cluster), its cinder-volume services, and the last judgement of it."""

    target: records.Target
    members: list[Service]
    judgement: in_flight.Judgement | None = None
    #: Whether the change took it out (every member as asked): only
    #: then is it watched.
    taken: bool = False
    quiet: int = 0
    reads: int = 0
    #: Requests the last read sent.
    requests: int = 0

    @property
    def name(self) -> str:
        return self.target.cluster or self.target.host or ''

    @property
    def drained(self) -> bool:
        return self.quiet >= QUIET_READS


def backends(
    api: services.ServiceAPI,
    host: str | None = None,
    cluster: str | None = None,
    selection: selection_module.Selection | None = None,
) -> list[Backend]:
    """The backends to drain or resume: one host@backend, one cluster, or
    every cinder-volume backend a selection takes (a cluster's members
    as one backend, all of them or none)."""
    volume = records.VOLUME_BINARY
    if cluster is not None:
        from volsvcclient.cinder import versions

        api.require(versions.CLUSTER, 'cluster')
        return [Backend(records.Target(cluster=cluster), api.cluster_members(cluster))]
    if host is not None:
        service = api.find(host, volume)
        if service.cluster:
            raise _member_alone(service, api.cluster_members(service.cluster))
        return [Backend(records.Target(host=host), [service])]
    assert selection is not None
    selection = selection.replace(binary=volume)
    selection.check_version(api)
    chosen = selection_module.chosen(selection, api.list(binary=volume))
    found: list[Backend] = []
    clusters: dict[str, Backend] = {}
    for service in chosen:
        if not service.cluster:
            found.append(Backend(records.Target(host=service.host), [service]))
            continue
        if service.cluster not in clusters:
            members = api.cluster_members(service.cluster)
            if any(m.key not in {s.key for s in chosen} for m in members):
                raise _member_alone(service, members)
            clusters[service.cluster] = Backend(
                records.Target(cluster=service.cluster), members)
            found.append(clusters[service.cluster])
    return found


def _member_alone(service: Service, members: Sequence[Service]) -> exceptions.Refused:
    from volsvcclient.cinder import advice

    others = records.shorten(m.host for m in members if m.key != service.key)
    return exceptions.Refused(
        f"{service.label} is a member of cluster '{service.cluster}': Cinder "
        f"schedules to its other members too ({others}), and freezes and thaws "
        f"them together",
        advice.Advice('drain or resume the whole cluster', advice.CLUSTER,
                      value=service.cluster))


def _desired(backend_list: Sequence[Backend], status: str | None = None,
             disabled_reason: str | None = None, frozen: bool | None = None
             ) -> tuple[desired_state.Desired, ...]:
    """The state every member of ``backend_list`` should take."""
    return tuple(desired_state.Desired(m.host, m.binary, status, disabled_reason, frozen)
                 for backend in backend_list for m in backend.members)


class Drain:
    """A drain of one or more backends: the change, then the watch."""

    def __init__(
        self,
        api: services.ServiceAPI,
        found: list[Backend],
        tell: events.Listener = events.ignore,
        ctrl_c: interrupts.Interrupts | None = None,
    ) -> None:
        self.api = api
        self.backends = found
        self.tell = tell
        self.ctrl_c = ctrl_c or interrupts.Interrupts()
        self.interrupted = False
        self.elapsed = 0.0

    def request(self, reason: str, freeze: bool) -> desired_state.Request:
        """What a drain asks of every backend's cinder-volume.

        A cluster is frozen, never disabled member by member: Cinder 28.0.0
        and later have no API that re-enables a member, and the thaw that
        re-enables reaches one member only; frozen, the scheduler places
        nothing on any member (cinder/scheduler/host_manager.py), and the
        thaw of ``resume`` brings every member back."""
        wanted = _desired([b for b in self.backends if not b.target.cluster],
                          'disabled', reason, True if freeze else None)
        clustered = [b for b in self.backends if b.target.cluster]
        wanted += _desired(clustered, frozen=True)
        return desired_state.Request(desired=wanted)

    def plan(self, reason: str, freeze: bool, even_if_down: bool) -> changes.Change:
        """What a drain would change, sending nothing, and what is on each
        backend now (one read each)."""
        change = changes.Change(
            self.api, self.request(reason, freeze), self.tell, even_if_down, self.ctrl_c)
        change.plan(enable_via_thaw=False)
        self.read_once()
        return change

    def read_once(self) -> None:
        from volsvcclient.cinder import workload

        reader = workload.WorkloadReads(self.api)
        for backend in self.backends:
            before = reader.requests
            backend.judgement = in_flight.judge(reader.read(backend.target))
            backend.requests = reader.requests - before
            backend.reads += 1

    def disable(
        self, reason: str, freeze: bool, even_if_down: bool, wait_timeout: float = 0
    ) -> changes.Change:
        """Disable (and freeze) every backend's cinder-volume, through the
        one engine: refused, sent, verified and judged as any change (a
        cluster frozen: see ``request``)."""
        for backend in self.backends:
            if backend.target.cluster:
                self.tell(ClusterFrozen(backend.name))
        request = self.request(reason, freeze)
        change = changes.Change(self.api, request, self.tell, even_if_down, self.ctrl_c)
        change.apply(wait_timeout=wait_timeout)
        self.interrupted = change.interrupted
        ended = {o.key for o in change.outcomes
                 if o.result in (outcomes.Result.CHANGED, outcomes.Result.UNCHANGED)}
        for backend in self.backends:
            backend.taken = all(m.key in ended for m in backend.members)
        return change

    def watch(self, timeout: float, interval: float) -> None:
        """Read what is on every backend each ``interval`` seconds until
        each is drained, ``timeout`` passes, or Ctrl-C."""
        from volsvcclient.cinder import workload

        reader = workload.WorkloadReads(self.api)
        self.ctrl_c.raising = True
        try:
            watched = [b for b in self.backends if b.taken]
            for elapsed in polling.attempts(timeout, interval):
                self.elapsed = elapsed
                for backend in watched:
                    if backend.drained:
                        continue
                    before = reader.requests
                    read = reader.read(backend.target)
                    backend.requests = reader.requests - before
                    backend.reads += 1
                    backend.judgement = in_flight.judge(read)
                    backend.quiet = backend.quiet + 1 if backend.judgement.quiet else 0
                # A drained backend's last read had nothing in flight.
                moving = sum(len(b.judgement.in_flight) for b in watched if b.judgement)
                self.tell(Watching(moving, len(watched), elapsed))
                if all(b.drained for b in watched):
                    break
        except KeyboardInterrupt:
            self.interrupted = True
            self.tell(events.Interrupted('watching'))
        finally:
            self.ctrl_c.raising = False
            self.tell(events.Progress(None, what='ready'))


@dataclasses.dataclass(frozen=True)
class NotReporting(events.Event):
    """A resume's plan: a cinder-volume is down now, and the resume would
    wait for it before changing anything."""

    label: str
    timeout: float

    @property
    def facts(self) -> str:
        return (f'{self.label} is down now: a resume waits up to {self.timeout:g} s '
                f'for it to report again, and changes nothing if it does not')


def _resume_request(found: Sequence[Backend]) -> desired_state.Request:
    return desired_state.Request(desired=_desired(found, 'enabled', frozen=False))


def plan_resume(
    api: services.ServiceAPI,
    found: list[Backend],
    *,
    timeout: float,
    tell: events.Listener = events.ignore,
) -> changes.Change:
    """What a resume would send once every cinder-volume has reported
    again, sending nothing. The resume waits for that before any change,
    so the plan is made as for backends that are up; each that is down
    now is told."""
    change = changes.Change(api, _resume_request(found), tell, even_if_down=True)
    change.plan(enable_via_thaw=True)
    for member in (m for backend in found for m in backend.members):
        live = change.live.get(member.key, member)
        if live.state != 'up':
            tell(NotReporting(live.label, timeout))
    return change


def resume(
    api: services.ServiceAPI,
    found: list[Backend],
    *,
    timeout: float,
    interval: float,
    even_if_down: bool = False,
    tell: events.Listener = events.ignore,
    ctrl_c: interrupts.Interrupts | None = None,
) -> changes.Change:
    """Bring drained backends back: wait until each cinder-volume has sent
    two new heartbeats (it really came back), then thaw and re-enable it
    (by freeze and thaw where Cinder ignores enable), verified."""
    from volsvcclient.engine import waiting

    keys = {m.key for backend in found for m in backend.members}
    started = polling.now()
    unmet, _ = waiting.wait(api, _Only(keys), {'state': 'up'}, True, timeout, interval, tell)
    if unmet:
        raise exceptions.WaitTimedOut(
            f'{len(unmet)} service(s) not back after {timeout:g} s: '
            + '; '.join(unmet), unmet)
    change = changes.Change(api, _resume_request(found), tell, even_if_down, ctrl_c)
    left = max(0.0, timeout - (polling.now() - started))
    change.apply(enable_via_thaw=True, wait_timeout=min(left, 2 * interval))
    return change


class _Only(selection_module.Selection):
    """A selection of exactly these services."""

    def __init__(self, keys: set[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def matches(self, service: Service) -> bool:
        return service.key in self.keys
