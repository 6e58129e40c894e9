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
``abandoned``). One target's plan (``single``) is sent by the same code in
the caller's thread. ``check_up`` refuses, for every command, an RPC-bound
request to a cinder-volume that is down.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import concurrent.futures
import threading
from typing import TYPE_CHECKING

from volsvcclient.cinder import services
from volsvcclient.engine import desired_state
from volsvcclient.engine import interrupts
from volsvcclient.osc import errors
from volsvcclient.osc import voice as voice_module

if TYPE_CHECKING:
    from volsvcclient.engine import outcomes

#: Seconds between looks at Ctrl-C while requests are under way.
POLL_SECONDS = 0.05


def check_up(
    members: Sequence[services.Service],
    action: str,
    even_if_down: bool,
    voice: voice_module.Voice,
) -> None:
    """Refuse an RPC-bound ``action`` whose cinder-volume is down.

    Cinder would wait for the RPC timeout (60 s by default) and no driver
    would act. A cluster needs one member up: Cinder sends to any of them.
    """
    down = [m for m in members if m.state == 'down']
    if not down or (len(down) < len(members) and not even_if_down):
        if down:
            voice.members_down(
                services.shorten(m.host for m in down), members[0].cluster, action)
        return
    if even_if_down:
        voice.sending_anyway(down, action)
        return
    raise voice.refuse_down(down, action)


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
        live: dict[tuple[str, str], services.Service],
        voice: voice_module.Voice,
        ctrl_c: interrupts.Interrupts,
        even_if_down: bool = False,
        target: services.Target | None = None,
    ) -> None:
        self.api = api
        self.live = live
        self.voice = voice
        self.ctrl_c = ctrl_c
        self.even_if_down = even_if_down
        #: Set once nothing new may start (Ctrl-C, cinder-api gone).
        self.stop = threading.Event()
        self.interrupted = False
        #: (cluster or host, action) -> the one request its services share.
        self._shared: dict[tuple[str, str], _SharedRequest] = {}
        self._shared_lock = threading.Lock()
        #: What freeze and thaw name (a host or a cluster); by default the
        #: host of the service they are planned for.
        self.target = target
        #: True when the caller refused members that are down before
        #: sending (``check_up``), so freeze and thaw need not.
        self.up_checked = False

    def send_each(self, changing: list[outcomes.Outcome]) -> None:
        """Send one target's plan here, in order, in this thread: Ctrl-C
        raises where it lands, as in any single request."""
        for outcome in changing:
            self._send(outcome)

    def send_all(self, changing: list[outcomes.Outcome], concurrency: int) -> None:
        """Send every plan; the first Ctrl-C starts nothing new, the second
        stops waiting for the answers under way."""
        pool = concurrent.futures.ThreadPoolExecutor(max(1, concurrency))
        futures = {pool.submit(self._send, o): o for o in changing}
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
                self.voice.progress(
                    f'{len(futures) - len(pending)}/{len(futures)} service(s) sent')
                if self.ctrl_c.count > seen:
                    seen = self.ctrl_c.count
                    if self._interrupted(changing, pending):
                        return
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            if self.voice.terminal and changing:
                self.voice.note('')

    def _interrupted(
        self,
        changing: list[outcomes.Outcome],
        pending: set[concurrent.futures.Future[None]],
    ) -> bool:
        """React to Ctrl-C while sending; True to stop waiting."""
        if not self.interrupted:
            self.interrupted = True
            self.stop.set()
            for future in pending:
                future.cancel()
            self.voice.interrupted_sending()
        if self.ctrl_c.count < 2:
            return False
        under_way = [o for o in changing if o.sending and not o.result]
        for outcome in under_way:
            outcome.abandoned = outcome.sending
        self.voice.interrupted_again(len(under_way))
        return True

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
            if not self.up_checked:
                check_up(members, action.name, self.even_if_down, self.voice)
            target = self.target or services.Target(host=wanted.host)
            if action.name == 'freeze':
                self.api.freeze(target)
                return None
            return self.api.thaw(target)

        with self._shared_lock:
            shared = self._shared.setdefault(
                (live.cluster or live.host, action.name), _SharedRequest()
            )
        return shared.send_once(send)

    def _send(self, outcome: outcomes.Outcome) -> None:
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
            if self.stop.is_set():
                return
            outcome.sending = action
            try:
                outcome.said = senders[action.name](action) or outcome.said
            except Exception as exc:
                translated = errors.translate(exc)
                if translated is None:
                    raise
                outcome.error = exc
                outcome.unconfirmed = isinstance(exc, services.Unconfirmed)
                if services.is_uncertain(exc):
                    outcome.unanswered = f'{action}: {translated}'
                    if services.is_unreachable(exc):
                        # cinder-api is gone: start nothing more.
                        self.stop.set()
                else:
                    outcome.refused = f'{action.name}: {translated}'
                    if isinstance(exc, voice_module.Advised):
                        outcome.advised = exc
                return
            finally:
                outcome.sending = None
            outcome.acknowledged.append(action)
