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

"""What the engine tells while it works, as events: notes an operator
should read (``facts``, in no face's words, and ``advice``), and progress.

The engine hands every event to one listener. The command line words
notes through logging and draws progress on a terminal; the Python API
logs them (to a logger with a NullHandler) and returns the notes on its
results; the Ansible collection returns them as warnings. Import-light.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Callable, Sequence

from volsvcclient.cinder import advice as advice_module

if TYPE_CHECKING:
    from volsvcclient.cinder.advice import Advice


@dataclasses.dataclass(frozen=True)
class Event:
    """Something to tell; ``note`` is False for progress, which only a
    terminal shows."""

    note = True

    @property
    def facts(self) -> str:
        raise NotImplementedError

    @property
    def advice(self) -> Advice | None:
        return None

    @property
    def kind(self) -> str:
        """The event's name in kebab case: 'members-down'."""
        name = type(self).__name__
        return ''.join('-' + c.lower() if c.isupper() else c for c in name).lstrip('-')


#: Who hears the events of one run: a callable taking each Event.
Listener = Callable[[Event], None]


def ignore(event: Event) -> None:
    """A listener that hears nothing."""


@dataclasses.dataclass(frozen=True)
class MembersDown(Event):
    """Some members of a cluster are down; one that is up takes it."""

    hosts: str
    cluster: str
    action: str

    @property
    def facts(self) -> str:
        return (f"{self.hosts} of cluster '{self.cluster}' down: a member that is "
                f"up takes the {self.action}")


@dataclasses.dataclass(frozen=True)
class SendingAnyway(Event):
    """Sending an RPC-bound request to a cinder-volume that is down, as told."""

    down: str
    action: str

    @property
    def facts(self) -> str:
        return f'{self.down} down; sending the {self.action} anyway'

    @property
    def advice(self) -> Advice:
        return advice_module.Advice('sends it anyway', advice_module.EVEN_IF_DOWN,
                                    form=advice_module.DOES)


@dataclasses.dataclass(frozen=True)
class Interrupted(Event):
    """Ctrl-C: ``stage`` is 'sending' (requests under way are finished),
    'again' (not waited for any more), 'verifying' or 'watching' (a
    drain's watch of what is in flight)."""

    stage: str
    under_way: int = 0

    @property
    def facts(self) -> str:
        if self.stage == 'sending':
            return 'interrupted: finishing the requests under way'
        if self.stage == 'again':
            return (f'interrupted again: not waiting for the {self.under_way} '
                    f'request(s) under way')
        if self.stage == 'watching':
            return 'interrupted while watching what is in flight'
        return 'interrupted while verifying'


@dataclasses.dataclass(frozen=True)
class Irreversible(Event):
    """A plan disables a binary that no API re-enables (allowed)."""

    binary: str
    label: str | None = None

    @property
    def facts(self) -> str:
        from volsvcclient.cinder import reasons

        prefix = f'{self.label}: ' if self.label else ''
        return f'{prefix}{reasons.irreversibly(self.binary)}'


@dataclasses.dataclass(frozen=True)
class ReasonReplaced(Event):
    """A freeze or thaw ends a disable an operator made, with its reason."""

    label: str
    reason: str | None
    action: str

    @property
    def facts(self) -> str:
        said = f'with reason {self.reason!r}' if self.reason else 'without a reason'
        if self.action == 'freeze':
            ends = "the freeze replaces the reason with 'frozen', and a thaw will re-enable it"
        else:
            ends = ('the thaw re-enables it and clears the reason; disable it again '
                    'if it must stay out of service')
        return f'{self.label}: disabled {said}: {ends}'


@dataclasses.dataclass(frozen=True)
class ReEnabling(Event):
    """Re-enabling a cinder-volume whose enable the server ignored."""

    label: str
    steps: str

    @property
    def facts(self) -> str:
        return (f'{self.label}: the server ignored os-services/enable; re-enabling '
                f'it by {self.steps}')


@dataclasses.dataclass(frozen=True)
class ThawingBack(Event):
    """Interrupted after our own freeze: thawing it back."""

    label: str

    @property
    def facts(self) -> str:
        return f'{self.label}: interrupted after freezing it; thawing it back'


@dataclasses.dataclass(frozen=True)
class LeftFrozen(Event):
    """Our own freeze could not be thawed back."""

    label: str
    host: str

    @property
    def facts(self) -> str:
        return f'{self.label} may be left frozen'

    @property
    def advice(self) -> Advice:
        return advice_module.Advice(
            'thaws and re-enables it', verb=advice_module.THAW, host=self.host,
            binary='cinder-volume')


@dataclasses.dataclass(frozen=True)
class RefusedButAsAsked(Event):
    """A refusal that lost a race: the service is as asked all the same."""

    label: str
    asked: str
    refusal: str

    @property
    def facts(self) -> str:
        from volsvcclient.cinder import records

        return (f'{self.label}: the server refused {self.asked} ({self.refusal}), '
                f'but it is already as asked: {records.ANOTHER_CLIENT}')


@dataclasses.dataclass(frozen=True)
class BackendStateUnknown(Event):
    """cinder-scheduler did not say the backends' state in time."""

    what: str
    listed_at: str

    @property
    def facts(self) -> str:
        return (f'Backend State unknown: {self.what}; is cinder-scheduler or '
                f'RabbitMQ down? (listed at {self.listed_at}, which does not ask it)')

    @property
    def advice(self) -> Advice:
        return advice_module.Advice('sets the wait', advice_module.RPC_TIMEOUT, value=None,
                                    form=advice_module.DOES)


@dataclasses.dataclass(frozen=True)
class Planned(Event):
    """What a change of several services is about to send: (host, binary,
    actions) each, of ``total`` services."""

    plan: tuple[tuple[str, str, tuple[str, ...]], ...]
    total: int
    note = False

    @property
    def facts(self) -> str:
        import collections

        counts = collections.Counter(
            action.split(' ')[0] for _, _, actions in self.plan for action in actions)
        summary = ', '.join(f'{n} {name}' for name, n in sorted(counts.items()))
        return f'changing {len(self.plan)} of {self.total} service(s): {summary}'


@dataclasses.dataclass(frozen=True)
class Progress(Event):
    """``done`` of ``total`` services ``what`` ('sent', 'ready'), after
    ``elapsed`` seconds (None: not counted); ``done`` None ends it."""

    done: int | None
    total: int = 0
    what: str = 'sent'
    elapsed: float | None = None
    note = False

    @property
    def facts(self) -> str:
        if self.done is None:
            return ''
        if self.what == 'ready':
            return (f'{self.done} of {self.total} service(s) ready '
                    f'({self.elapsed or 0:.0f} s)')
        return f'{self.done}/{self.total} service(s) sent'


def down_labels(down: Sequence[object]) -> str:
    """The services that are down, with their last heartbeat (three at most)."""
    return ', '.join(
        f'{getattr(m, "label")} (last heartbeat {getattr(m, "updated_at")})'
        for m in down[:3])
