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

"""Wanted service states: read from options or files, and planned.

``volume service commit`` is the SDK's ``Service.commit()`` idea (persist
what changed) for a resource whose fields change only through os-services
actions: this module says what should change and in which order;
``volsvcclient.engine.batch`` applies and verifies it.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any, Iterable

from osc_lib import exceptions

from volsvcclient.cinder import reasons
from volsvcclient.cinder import services
from volsvcclient.engine import selection
from volsvcclient.osc import columns
from volsvcclient.osc import errors

if TYPE_CHECKING:
    from volsvcclient.osc import voice


@dataclasses.dataclass(frozen=True)
class Wanted:
    """What one service should end as; None means "leave as it is"."""

    host: str
    binary: str
    status: str | None = None
    disabled_reason: str | None = None
    frozen: bool | None = None
    #: (column, value) pairs a saved file gives that commit does not set.
    unapplied: tuple[tuple[str, Any], ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.host, self.binary)

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
class Action:
    name: str
    reason: str | None = None

    def __str__(self) -> str:
        return f"{self.name} (reason '{self.reason}')" if self.reason else self.name


def plan(live: services.Service, wanted: Wanted) -> list[Action]:
    """Actions that take ``live`` to ``wanted``, in a safe order.

    Thaw comes first (it re-enables), freeze next (it disables with reason
    'frozen'), and the status change last so that it has the final word.
    """
    actions = []
    status, reason, frozen = live.status, live.disabled_reason, live.is_frozen
    if wanted.frozen is False and frozen:
        actions.append(Action('thaw'))
        status, reason = 'enabled', ''
    elif wanted.frozen is True and not frozen:
        actions.append(Action('freeze'))
        status, reason = 'disabled', 'frozen'
    if wanted.status == 'disabled':
        new_reason = wanted.disabled_reason and wanted.disabled_reason != reason
        if status != 'disabled' or new_reason:
            actions.append(Action('disable', wanted.disabled_reason))
    elif wanted.status == 'enabled' and status != 'enabled':
        actions.append(Action('enable'))
    return actions


# Reading wanted states


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``commit`` was asked: explicit Wanted entries, or a Selector
    with the state every selected service should take."""

    wanted: tuple[Wanted, ...] = ()
    selector: selection.Selector | None = None
    template: Wanted | None = None

    def resolve(self, live: Iterable[services.Service]) -> list[Wanted]:
        """The Wanted entries, given every live service."""
        if self.selector is None or self.template is None:
            return list(self.wanted)
        chosen = [s for s in live if self.selector.matches(s)]
        if not chosen:
            raise exceptions.CommandError('No service matches the selection')
        return [
            dataclasses.replace(self.template, host=s.host, binary=s.binary)
            for s in chosen
        ]


@dataclasses.dataclass(frozen=True)
class Asked:
    """What ``commit`` was given on its command line, as plain values."""

    host: str | None = None
    binary: str | None = None
    status: str | None = None
    disabled_reason: str | None = None
    frozen: bool | None = None

    @property
    def given(self) -> bool:
        return any(
            value is not None for value in dataclasses.astuple(self)
        )


def from_file(path: str, asked: Asked, selecting: bool, voice: voice.Voice) -> Request:
    """The Request of ``commit --from-file``: nothing else may be asked."""
    if asked.given or selecting:
        raise exceptions.CommandError(
            '--from-file takes the wanted states from the file: give no '
            '<host>, <binary>, selector, --status, --disable-reason, '
            '--frozen or --thawed with it'
        )
    return Request(wanted=tuple(load(path, voice)))


def from_options(asked: Asked, selector: selection.Selector) -> Request:
    """The Request of ``commit`` given states on its command line."""
    if asked.disabled_reason is not None and asked.status != 'disabled':
        raise exceptions.CommandError('--disable-reason goes with --status disabled')
    if asked.status is None and asked.frozen is None:
        raise exceptions.CommandError(
            'Nothing to commit: give --status, --frozen or --thawed'
        )
    reasons.check_reason(asked.disabled_reason, '--disable-reason')
    states = (asked.status, asked.disabled_reason, asked.frozen)
    if selector.host is None:
        if selector.binary is None:
            # Only cinder-volume services can be frozen, and only they can
            # be re-enabled on Cinder 28.0.0 and later: other binaries are
            # changed only when named.
            selector = selector.replace(binary=services.VOLUME_BINARY)
        template = Wanted('', selector.binary or '', *states)
        _check_consistent(template, 'the selection')
        return Request(selector=selector, template=template)
    wanted = Wanted(asked.host or '', asked.binary or '', *states)
    _check_consistent(wanted, 'the command line')
    return Request(wanted=(wanted,))


def load(path: str, voice: voice.Voice) -> list[Wanted]:
    """Wanted states from saved ``list --long -f json|yaml`` output."""
    try:
        if path == '-':
            import sys

            text = sys.stdin.read()
        else:
            with open(path, encoding='utf-8') as stream:
                text = stream.read()
    except OSError as exc:
        raise exceptions.CommandError(f'Cannot read {path}: {exc.strerror}') from exc
    except UnicodeDecodeError as exc:
        raise exceptions.CommandError(
            f'{path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at '
            f'offset {exc.start}): give saved {voice.saved_listing()} output'
        ) from exc
    entries = _parse(path, text)
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        raise exceptions.CommandError(
            f'{path}: expected a list of services as printed by '
            f'{voice.saved_listing()}'
        )
    wanted = [_entry(path, number, entry) for number, entry in enumerate(entries, 1)]
    seen = set()
    for item in wanted:
        if item.key in seen:
            raise exceptions.CommandError(
                f'{path}: {item.binary} on {item.host} is listed twice'
            )
        seen.add(item.key)
    return wanted


def _parse(path: str, text: str) -> Any:
    # A saved listing is two levels deep: deeper nesting exhausts the
    # parsers' recursion before any entry is looked at.
    too_deep = exceptions.CommandError(
        f'{path} is nested too deeply to be a saved service list'
    )
    try:
        return json.loads(text)
    except ValueError:
        pass
    except RecursionError:
        raise too_deep from None
    import yaml

    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise too_deep from None
    # ValueError: a value YAML takes for a date that is none (2026-02-30).
    except (yaml.YAMLError, ValueError) as exc:
        raise exceptions.CommandError(
            f'{path} is neither JSON nor YAML: {errors.one_line(exc)}'
        ) from exc


#: Columns of a saved listing that only failover changes: a difference is
#: reported, not acted on.
UNAPPLIED_COLUMNS = ('Replication Status', 'Active Backend ID')


def _entry(path: str, number: int, entry: Any) -> Wanted:
    where = f'{path}, entry {number}'
    if not isinstance(entry, dict):
        raise exceptions.CommandError(f'{where}: expected a mapping of column names')
    # YAML keys need not be text: sorted by their repr, as they are shown.
    unknown = sorted(set(entry) - set(columns.ATTRIBUTE_BY_NAME), key=repr)
    if unknown:
        raise exceptions.CommandError(
            f"{where}: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(columns.ATTRIBUTE_BY_NAME)}"
        )
    for required in ('Host', 'Binary'):
        if not isinstance(entry.get(required), str) or not entry[required]:
            raise exceptions.CommandError(f'{where}: {required} is missing')
    status = entry.get('Status')
    if status not in (None, 'enabled', 'disabled'):
        raise exceptions.CommandError(
            f"{where}: Status must be 'enabled' or 'disabled', not {status!r}"
        )
    frozen = entry.get('Frozen')
    if frozen not in (None, True, False):
        raise exceptions.CommandError(
            f'{where}: Frozen must be true, false or null, not {frozen!r}'
        )
    reason = entry.get('Disabled Reason') or None
    if reason is not None and not isinstance(reason, str):
        raise exceptions.CommandError(f'{where}: Disabled Reason must be text')
    if status == 'disabled':
        reasons.check_reason(reason, f'{where}: Disabled Reason')
    elif status is None and reason is not None:
        raise exceptions.CommandError(
            f'{where}: Disabled Reason goes with Status disabled'
        )
    unapplied = tuple(
        (name, entry[name]) for name in UNAPPLIED_COLUMNS if name in entry
    )
    wanted = Wanted(entry['Host'], entry['Binary'], status, reason, frozen, unapplied)
    _check_consistent(wanted, where)
    return wanted


def check_wanted(wanted: Wanted, where: str) -> None:
    """Refuse a Wanted given by a caller of the Python API (volsvcclient.api)
    that Cinder would reject or no request can reach, before any request."""
    if wanted.status == 'disabled':
        reasons.check_reason(wanted.disabled_reason, f'{where}: disabled_reason')
    _check_consistent(wanted, where)


def _check_consistent(wanted: Wanted, where: str) -> None:
    """Refuse a wanted state that no request can reach."""
    _check_frozen_binary(wanted, where)
    if wanted.status == 'enabled' and wanted.frozen:
        raise exceptions.CommandError(
            f'{where}: status enabled and frozen contradict each other: a '
            f'freeze disables the service'
        )


def _check_frozen_binary(wanted: Wanted, where: str) -> None:
    if wanted.frozen is not None and wanted.binary not in ('', services.VOLUME_BINARY):
        raise exceptions.CommandError(
            f'{where}: only {services.VOLUME_BINARY} services can be frozen '
            f'or thawed, not {wanted.binary} on {wanted.host}'
        )
