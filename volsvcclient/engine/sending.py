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

"""Send the planned requests of a change: bounded concurrency, each
service's actions in order, one request for the members of a cluster, and
Ctrl-C that never loses what was sent.

Mutating requests are never retried: a request that gets no clear answer
is marked ``unanswered`` on its outcome, for the verifying read to decide.
After a lost connection or Ctrl-C no new service is started; a second
Ctrl-C stops waiting for the requests under way (their outcomes are marked
``abandoned``). ``check_up`` refuses, for every change, an RPC-bound
request to a cinder-volume that is down.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import collections
import threading
from typing import TYPE_CHECKING

from volsvcclient.cinder import advice
from volsvcclient.cinder import exceptions
from volsvcclient.cinder import failures
from volsvcclient.cinder import records
from volsvcclient.engine import desired_state
from volsvcclient.engine import events
from volsvcclient.engine import interrupts

if TYPE_CHECKING:
    from volsvcclient.cinder.records import Service
    from volsvcclient.cinder import services
    from volsvcclient.engine import outcomes

#: Seconds between looks at Ctrl-C while requests are under way.
POLL_SECONDS = 0.05


def check_up(
    members: Sequence[Service],
    action: str,
    even_if_down: bool,
    tell: events.Listener,
    planning: bool = False,
) -> None:
    """Refuse an RPC-bound ``action`` whose cinder-volume is down.

    Cinder would wait for the RPC timeout (60 s by default) and no driver
    would act. A cluster needs one member up: Cinder sends to any of them.
    A plan (``planning``) sends nothing, and says nothing of sending.
    """
    down = [m for m in members if m.state == 'down']
    if not down or (len(down) < len(members) and not even_if_down):
        if down:
            tell(events.MembersDown(
                records.shorten(m.host for m in down), members[0].cluster or '', action))
        return
    if even_if_down:
        if not planning:
            tell(events.SendingAnyway(events.down_labels(down), action))
        return
    raise exceptions.Refused(
        f'{events.down_labels(down)} is down: Cinder would wait for it over RPC '
        f'(60 s by default) and no driver would {action}',
        advice.Advice('send the request anyway', advice.EVEN_IF_DOWN,
                      first='Start it first'))


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


class Sender:
    """Sends the actions of many outcomes, and records the answers on them."""

    def __init__(
        self,
        api: services.ServiceAPI,
        live: dict[tuple[str, str], Service],
        tell: events.Listener,
        ctrl_c: interrupts.Interrupts,
        targets: dict[tuple[str, str], records.Target] | None = None,
    ) -> None:
        self.api = api
        self.live = live
        self.tell = tell
        self.ctrl_c = ctrl_c
        #: Set once nothing new may start (Ctrl-C, cinder-api gone).
        self.stop = threading.Event()
        self.interrupted = False
        #: (cluster or host, action) -> the one request its services share.
        self._shared: dict[tuple[str, str], _SharedRequest] = {}
        self._shared_lock = threading.Lock()
        #: What freeze and thaw of each service name (its host, or its
        #: cluster); by default the host of the service.
        self.targets = targets or {}

    def send_all(self, changing: list[outcomes.Outcome], concurrency: int) -> None:
        """Send every plan; the first Ctrl-C starts nothing new, the second
        stops waiting for the answers under way.

        The senders are daemon threads: once nothing waits for them, a
        request still under way never keeps the process alive.
        """
        waiting = collections.deque(changing)
        lock = threading.Lock()
        raised: list[BaseException] = []
        finished: list[outcomes.Outcome] = []
        ended = threading.Event()

        def work() -> None:
            while True:
                with lock:
                    if self.stop.is_set() or not waiting:
                        return
                    outcome = waiting.popleft()
                try:
                    self.send_one(outcome)
                except BaseException as exc:  # told to the main thread
                    with lock:
                        raised.append(exc)
                finally:
                    with lock:
                        finished.append(outcome)
                    ended.set()

        threads = [threading.Thread(target=work, name=f'volsvc-send-{n}', daemon=True)
                   for n in range(max(1, min(concurrency, len(changing))))]
        for thread in threads:
            thread.start()
        seen, told = 0, -1
        try:
            while True:
                alive = any(thread.is_alive() for thread in threads)
                if alive:
                    ended.wait(POLL_SECONDS)
                    ended.clear()
                with lock:
                    errors, raised[:] = list(raised), []
                for exc in errors:
                    if not isinstance(exc, KeyboardInterrupt):
                        self.stop.set()
                        raise exc
                    self.ctrl_c.record()
                if len(finished) != told:
                    told = len(finished)
                    self.tell(events.Progress(told, len(changing)))
                if self.ctrl_c.count > seen:
                    seen = self.ctrl_c.count
                    if self._interrupted(changing):
                        return
                if not alive:
                    return
        finally:
            if changing:
                self.tell(events.Progress(None))

    def _interrupted(self, changing: list[outcomes.Outcome]) -> bool:
        """React to Ctrl-C while sending; True to stop waiting."""
        if not self.interrupted:
            self.interrupted = True
            self.stop.set()
            self.tell(events.Interrupted('sending'))
        if self.ctrl_c.count < 2:
            return False
        under_way = [o for o in changing if o.sending and not o.result]
        for outcome in under_way:
            outcome.abandoned = outcome.sending
        self.tell(events.Interrupted('again', len(under_way)))
        return True

    def _freeze_or_thaw(
        self, desired: desired_state.Desired, action: desired_state.Action
    ) -> str | None:
        """Cinder freezes and thaws a clustered host's whole cluster: the
        members of one cluster share one request."""
        live = self.live[desired.key]
        target = self.targets.get(desired.key) or records.Target(host=desired.host)

        def send() -> str | None:
            if action.name == 'freeze':
                self.api.freeze(target)
                return None
            return self.api.thaw(target)

        with self._shared_lock:
            shared = self._shared.setdefault(
                (live.cluster or live.host, action.name), _SharedRequest()
            )
        return shared.send_once(send)

    def send_one(self, outcome: outcomes.Outcome) -> None:
        """Send one service's requests in order; stop at the first error."""
        desired = outcome.desired
        service = records.Service({'host': desired.host, 'binary': desired.binary})
        senders: dict[str, Callable[[desired_state.Action], str | None]] = {
            'freeze': lambda action: self._freeze_or_thaw(desired, action),
            'thaw': lambda action: self._freeze_or_thaw(desired, action),
            'disable': lambda action: self.api.disable(service, action.reason),
            'enable': lambda action: self.api.enable(service),
        }
        for action in outcome.actions:
            if self.stop.is_set():
                return
            outcome.sending = action
            try:
                outcome.said = senders[action.name](action) or outcome.said
            except Exception as exc:
                problem = failures.describe(exc)
                if problem is None:
                    raise
                outcome.error, outcome.problem = exc, problem
                outcome.unconfirmed = isinstance(exc, exceptions.Unconfirmed)
                if failures.is_uncertain(exc):
                    outcome.unanswered = action
                    if failures.is_unreachable(exc):
                        # cinder-api is gone: start nothing more.
                        self.stop.set()
                else:
                    outcome.refused = action
                return
            finally:
                outcome.sending = None
            outcome.acknowledged.append(action)
