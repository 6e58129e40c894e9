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

"""The health of Cinder services, judged as monitoring systems want it.

Nagios plugin convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and a
first line "LEVEL - summary | perfdata". Each rule is one row of RULES,
which the ``check`` help text lists. Not nagiosplugin: its Check runs the
probes, prints the line and exits the process itself, where here the
verdict and its line are values that each face returns or prints (the
API's ``Verdict.status_line``, the command's first line and exit code).
"""

from __future__ import annotations

import collections
import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from volsvcclient.cinder import services

    # For the bodies of functions whose parameter is named ``services``.
    _Service = services.Service

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
LEVELS = ('OK', 'WARNING', 'CRITICAL', 'UNKNOWN')

#: (rule, level, what it finds), in the order they are checked.
RULES = (
    ('enabled-down', CRITICAL, 'an enabled service is down'),
    ('binary-down', CRITICAL,
     'every enabled service of a binary is down (disabled records are left '
     'out: a retired one is no outage)'),
    ('replication-error', CRITICAL,
     "a backend's replication status is error or failover-error"),
    ('backend-down', CRITICAL, 'an enabled backend reports Backend State down'),
    ('disabled', WARNING, 'a service is disabled (unless --ignore-disabled)'),
    ('frozen', WARNING, 'a backend is frozen'),
    ('failed-over', WARNING, 'a backend is failed over'),
    ('backend-state-unknown', WARNING,
     'cinder-scheduler did not say the backends\' state in time'),
    ('textfile', WARNING,
     'the --prometheus-textfile cannot be written (a worse verdict on the '
     'services stands)'),
)
_LEVEL = {rule: level for rule, level, _ in RULES}
REPLICATION_ERRORS = ('error', 'failover-error')


@dataclasses.dataclass
class Finding:
    service: object
    rule: str
    detail: str

    @property
    def level(self) -> int:
        return _LEVEL[self.rule]

    @property
    def line(self) -> str:
        """The finding as ``check`` prints it under the status line."""
        return f'{LEVELS[self.level]}: {self.detail} ({self.rule})'


def rules() -> str:
    """The rules as the ``check`` help lists them."""
    return 'Rules: ' + '; '.join(
        f'{LEVELS[level]} when {what} ({rule})' for rule, level, what in RULES
    )


#: How far ahead of cinder-api's clock a heartbeat must be to be called
#: ahead: the Date header has whole seconds, so a heartbeat of the same
#: second is up to 1 s "in the future".
CLOCK_RESOLUTION = 1.0


def silence(age: float | None) -> float | None:
    """Seconds a service has been silent as Cinder itself measures it, from
    its heartbeat's age by cinder-api's clock (None: unknown).

    Cinder judges a service down when ``abs(now - updated_at)`` exceeds
    service_down_time (cinder/api/v3/services.py), so a heartbeat in the
    future (a clock ahead) is as far from now as it is ahead: never a
    negative age.
    """
    return None if age is None else abs(age)


def stale(service: services.Service, age: float | None, seconds: float) -> bool:
    """Whether ``service`` is a stale record for ``list --down-for``: Cinder
    shows it down, and it has been silent at least ``seconds`` by
    :func:`silence`, or has never sent a heartbeat (updated_at null, which
    Cinder shows down only once the record is service_down_time old)."""
    if service.state != 'down':
        return False
    silent = silence(age)
    return silent is None or silent >= seconds


def _silent(age: float | None) -> str:
    """What a down service's detail says of its heartbeat."""
    from volsvcclient.cinder import bounds

    if age is None:
        return ''
    if age < -CLOCK_RESOLUTION:
        return f" (heartbeat {bounds.spoken(-age)} ahead of cinder-api's clock)"
    return f' (no heartbeat for {bounds.spoken(max(age, 0.0))})'


def judge(
    services: Sequence[services.Service],
    ages: Mapping[int, float | None],
    ignore_disabled: bool,
    backend_state_unknown: str | None = None,
) -> list[Finding]:
    """Findings for ``services``; ``ages`` maps each to its heartbeat age
    (seconds by cinder-api's clock, negative when ahead of it, or None)."""
    findings: list[Finding] = []

    def find(service: _Service | None, rule: str, detail: str) -> None:
        findings.append(Finding(service, rule, detail))

    for service in services:
        silent = _silent(ages.get(id(service)))
        if service.state == 'down' and service.status == 'enabled':
            find(service, 'enabled-down', f'{service.label} down{silent}')
        if service.replication_status in REPLICATION_ERRORS:
            find(service, 'replication-error',
                 f'{service.label}: replication status {service.replication_status}')
        if service.backend_state == 'down' and service.status == 'enabled':
            find(service, 'backend-down', f'{service.label}: Backend State down')
        if service.status == 'disabled' and not ignore_disabled:
            find(service, 'disabled',
                 f'{service.label} disabled ({service.disabled_reason or "no reason"})')
        if service.is_frozen:
            find(service, 'frozen', f'{service.label} frozen')
        if service.replication_status == 'failed-over':
            find(service, 'failed-over',
                 f'{service.label} failed over to {service.active_backend_id}')
    # Disabled records are left out, with or without --ignore-disabled: a
    # disabled service is the operator's choice (reported by its own rule),
    # and a retired record left behind must not make its binary an outage.
    by_binary = collections.defaultdict(list)
    for service in services:
        if service.status == 'enabled':
            by_binary[service.binary].append(service)
    for binary, group in sorted(by_binary.items()):
        if all(s.state == 'down' for s in group):
            find(None, 'binary-down', f'every enabled {binary} down ({len(group)})')
    if backend_state_unknown:
        find(None, 'backend-state-unknown', f'Backend State unknown: {backend_state_unknown}')
    return findings


def counts(services: Sequence[services.Service]) -> dict[str, int]:
    """The perfdata figures."""
    return {
        'up': sum(s.state == 'up' for s in services),
        'down': sum(s.state != 'up' for s in services),
        'disabled': sum(s.status == 'disabled' for s in services),
        'frozen': sum(bool(s.is_frozen) for s in services),
        'failed_over': sum(s.replication_status == 'failed-over' for s in services),
    }


def verdict(
    services: Sequence[services.Service], findings: Sequence[Finding]
) -> tuple[int, str]:
    """(level, first line) for ``services`` and their findings."""
    level = max((f.level for f in findings), default=OK)
    figures = counts(services)
    perfdata = ' '.join(f'{name}={value}' for name, value in figures.items())
    if level == OK:
        # Disabled services may be down and still OK (--ignore-disabled).
        up = '' if figures['up'] == len(services) else f"{figures['up']} of "
        summary = f'{up}{len(services)} services up'
    else:
        worst = [f.detail for f in findings if f.level == level]
        shown = '; '.join(worst[:3]) + (f' and {len(worst) - 3} more' if len(worst) > 3 else '')
        down = {'enabled-down', 'binary-down'} & {f.rule for f in findings if f.level == level}
        summary = (f"{figures['down']} of {len(services)} services down: {shown}"
                   if down else shown)
    return level, f'{LEVELS[level]} - {summary} | {perfdata}'


def unknown(reason: str) -> tuple[int, str]:
    """(level, first line) when the services could not be read."""
    return UNKNOWN, f'UNKNOWN - {reason}'
