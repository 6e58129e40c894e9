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

"""Desired service states, checked and planned.

A change is the SDK's ``Service.commit()`` idea (persist what changed) for a
resource whose fields change only through os-services actions: this module
says what may be asked, what should change and in which order;
``volsvcclient.engine.changes`` sends and verifies it. Every rule on what
may be asked is here, once, and raises InvalidRequest in the API's
vocabulary before any request.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from volsvcclient.cinder import exceptions
from volsvcclient.cinder import reasons
from volsvcclient.cinder import records
from volsvcclient.engine import selection as selection_module

if TYPE_CHECKING:
    from volsvcclient.cinder.records import Service

STATUSES = ('enabled', 'disabled')


@dataclasses.dataclass(frozen=True)
class Desired:
    """One service (``host``, ``binary``) and the state it should end in:
    ``status`` ``'enabled'``, ``'disabled'`` or None to leave it,
    ``disabled_reason`` (with ``'disabled'``), ``frozen`` True, False or
    None to leave it. ``unapplied`` holds (attribute, value) pairs that a
    change reports when they differ but never sets (a saved listing's
    replication status: only failover changes it)."""

    host: str
    binary: str
    status: str | None = None
    disabled_reason: str | None = None
    frozen: bool | None = None
    unapplied: tuple[tuple[str, Any], ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.host, self.binary)

    @property
    def label(self) -> str:
        return f'{self.binary} on {self.host}'

    @property
    def expected(self) -> dict[str, Any]:
        """SDK attribute -> value the re-read service must show."""
        expected: dict[str, Any] = {}
        if self.status:
            expected['status'] = self.status
        if self.status == 'disabled' and self.disabled_reason:
            expected['disabled_reason'] = self.disabled_reason
        if self.frozen is not None:
            expected['is_frozen'] = self.frozen
        return expected


@dataclasses.dataclass(frozen=True)
class State:
    """The state every service of a selection should take; None leaves
    that field as it is."""

    status: str | None = None
    disabled_reason: str | None = None
    frozen: bool | None = None


@dataclasses.dataclass(frozen=True)
class Action:
    name: str
    reason: str | None = None

    def __str__(self) -> str:
        return f"{self.name} (reason '{self.reason}')" if self.reason else self.name


FREEZE = Action('freeze')
THAW = Action('thaw')
ENABLE = Action('enable')


def plan(live: Service, desired: Desired) -> list[Action]:
    """Actions that take ``live`` to ``desired``, in a safe order.

    Thaw comes first (it re-enables), freeze next (it disables with reason
    'frozen'), and the status change last so that it has the final word.
    """
    actions = []
    status, reason, frozen = live.status, live.disabled_reason, live.is_frozen
    if desired.frozen is False and frozen:
        actions.append(THAW)
        status, reason = 'enabled', ''
    elif desired.frozen is True and not frozen:
        actions.append(FREEZE)
        status, reason = 'disabled', 'frozen'
    if desired.status == 'disabled':
        new_reason = desired.disabled_reason and desired.disabled_reason != reason
        if status != 'disabled' or new_reason:
            actions.append(Action('disable', desired.disabled_reason))
    elif desired.status == 'enabled' and status != 'enabled':
        actions.append(ENABLE)
    return actions


def expected(desired: Desired, actions: Sequence[Action]) -> dict[str, Any]:
    """What the re-read must show: what was asked, and that a thaw left
    the service enabled (Cinder's thaw re-enables it) unless a later
    action sets the status."""
    wanted = desired.expected
    if THAW in actions and desired.status is None:
        return {'status': 'enabled', **wanted}
    return wanted


def predict(live: Service, actions: Sequence[Action]) -> dict[str, Any]:
    """The state ``actions`` leave ``live`` in, as Cinder's code sets it
    (status, disabled_reason, is_frozen): a freeze makes the backend's
    cinder-volume disable itself with reason 'frozen' and a thaw re-enable
    itself with reason '' (cinder/volume/manager.py); a disable without a
    reason keeps the old one (28.0.0 and later; 27.0.0 clears it). An
    enable is predicted to take and keep the reason, as 27.0.0 does: 28.0.0
    and later ignore it, and re-enabled by freeze and thaw
    (enable_via_thaw) the reason is '' then. No request tells a plan which
    release it is."""
    state = {'status': live.status, 'disabled_reason': live.disabled_reason,
             'is_frozen': live.is_frozen}
    for action in actions:
        if action.name == 'freeze':
            state.update(status='disabled', disabled_reason='frozen', is_frozen=True)
        elif action.name == 'thaw':
            state.update(status='enabled', disabled_reason='', is_frozen=False)
        elif action.name == 'disable':
            state['status'] = 'disabled'
            if action.reason:
                state['disabled_reason'] = action.reason
        else:
            state['status'] = 'enabled'
    return state


@dataclasses.dataclass(frozen=True)
class Request:
    """What a change was asked: explicit Desired entries, or a Selection
    with the State every selected service should take."""

    desired: tuple[Desired, ...] = ()
    selection: selection_module.Selection | None = None
    template: Desired | None = None

    def resolve(self, live: Iterable[Service]) -> list[Desired]:
        """The Desired entries, given every live service."""
        if self.selection is None or self.template is None:
            return list(self.desired)
        chosen = selection_module.chosen(self.selection, live)
        return [
            dataclasses.replace(self.template, host=s.host, binary=s.binary)
            for s in chosen
        ]


def request(
    desired: Any = (),
    selection: Any = None,
    template: Any = None,
) -> Request:
    """The Request for what a change was given, checked before any
    request: explicit Desired entries, or a Selection and a State."""
    if isinstance(desired, (str, bytes, Desired)) or not isinstance(desired, Iterable):
        raise exceptions.InvalidRequest(
            '{desired} must be a sequence of Desired, not {given}', 'desired',
            given=type(desired).__name__)
    desired = tuple(desired)
    if (selection is None) != (template is None):
        raise exceptions.InvalidRequest(
            '{selection} and {template} go together', 'selection')
    if selection is not None:
        if desired:
            raise exceptions.InvalidRequest(
                'give {desired}, or {selection} and {template}, not both', 'desired')
        return _from_selection(selection, template)
    seen = set()
    for entry in desired:
        if not isinstance(entry, Desired):
            raise exceptions.InvalidRequest(
                'every entry of {desired} must be a Desired, not {given}', 'desired',
                given=type(entry).__name__)
        if not isinstance(entry.host, str) or not isinstance(entry.binary, str) or not (
                entry.host and entry.binary):
            raise exceptions.InvalidRequest(
                'every desired state names a {host} and a {binary}', 'host')
        if entry.key in seen:
            raise exceptions.InvalidRequest(
                '{label} is desired twice', 'desired', label=entry.label)
        seen.add(entry.key)
        check(entry, entry.label if len(desired) > 1 else '')
    return Request(desired=desired)


def _from_selection(selection: Any, template: Any) -> Request:
    if not isinstance(selection, selection_module.Selection):
        raise exceptions.InvalidRequest(
            '{selection} must be a Selection, not {given}', 'selection',
            given=type(selection).__name__)
    if not isinstance(template, State):
        raise exceptions.InvalidRequest(
            '{template} must be a State, not {given}', 'template',
            given=type(template).__name__)
    if selection.host is None and selection.binary is None:
        # Only cinder-volume services can be frozen, and only they can be
        # re-enabled on Cinder 28.0.0 and later: other binaries are changed
        # only when named.
        selection = selection.replace(binary=records.VOLUME_BINARY)
    desired = Desired('', selection.binary or '', template.status,
                      template.disabled_reason, template.frozen)
    check(desired, '', template=True)
    if selection.host is not None and selection.binary is not None:
        # One service named exactly: its own read says what exists.
        return Request(desired=(dataclasses.replace(desired, host=selection.host),))
    return Request(selection=selection, template=desired)


def check(desired: Desired, where: str, template: bool = False) -> None:
    """Refuse a desired state Cinder would reject or no request reaches
    (a ``template`` must also desire something)."""
    if desired.status not in (None, *STATUSES):
        raise exceptions.InvalidRequest(
            "{status} must be 'enabled', 'disabled' or None, not {given}", 'status',
            where, given=repr(desired.status))
    if desired.frozen is not None and not isinstance(desired.frozen, bool):
        raise exceptions.InvalidRequest(
            '{frozen} must be True, False or None, not {given}', 'frozen', where,
            given=repr(desired.frozen))
    if desired.disabled_reason is not None and desired.status != 'disabled':
        raise exceptions.InvalidRequest(
            '{disabled_reason} goes with {status} disabled', 'disabled_reason', where)
    reasons.check_reason(desired.disabled_reason, where)
    if template and desired.status is None and desired.frozen is None:
        raise exceptions.InvalidRequest(
            'Nothing to change: give {status} or {frozen}', 'status', where)
    if desired.frozen is not None and desired.binary not in ('', records.VOLUME_BINARY):
        raise exceptions.InvalidRequest(
            'only {volume} services can be frozen or thawed, not {given}', 'frozen',
            where, volume=records.VOLUME_BINARY, given=desired.binary)
    if desired.status == 'enabled' and desired.frozen:
        raise exceptions.InvalidRequest(
            'status enabled and frozen contradict each other: a freeze disables '
            'the service', 'frozen', where)
