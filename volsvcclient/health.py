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
which the ``check`` help text lists.
"""

import collections
import dataclasses

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
LEVELS = ('OK', 'WARNING', 'CRITICAL', 'UNKNOWN')

#: (rule, level, what it finds), in the order they are checked.
RULES = (
    ('enabled-down', CRITICAL, 'an enabled service is down'),
    ('binary-down', CRITICAL, 'every service of a binary is down'),
    ('replication-error', CRITICAL,
     "a backend's replication status is error or failover-error"),
    ('backend-down', CRITICAL, 'an enabled backend reports Backend State down'),
    ('disabled', WARNING, 'a service is disabled (unless --ignore-disabled)'),
    ('frozen', WARNING, 'a backend is frozen'),
    ('failed-over', WARNING, 'a backend is failed over'),
    ('backend-state-unknown', WARNING,
     'cinder-scheduler did not say the backends\' state in time'),
)
_LEVEL = {rule: level for rule, level, _ in RULES}
REPLICATION_ERRORS = ('error', 'failover-error')


@dataclasses.dataclass
class Finding:
    service: object
    rule: str
    detail: str

    @property
    def level(self):
        return _LEVEL[self.rule]


def judge(services, ages, ignore_disabled, backend_state_unknown=None):
    """Findings for ``services``; ``ages`` maps each to its heartbeat age
    (seconds by cinder-api's clock, or None)."""
    from volsvcclient import bounds

    findings = []

    def find(service, rule, detail):
        findings.append(Finding(service, rule, detail))

    for service in services:
        age = ages.get(id(service))
        silent = f' (no heartbeat for {bounds.spoken(age)})' if age is not None else ''
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
    by_binary = collections.defaultdict(list)
    for service in services:
        by_binary[service.binary].append(service)
    for binary, group in sorted(by_binary.items()):
        if all(s.state == 'down' for s in group):
            find(None, 'binary-down', f'every {binary} down ({len(group)})')
    if backend_state_unknown:
        find(None, 'backend-state-unknown', f'Backend State unknown: {backend_state_unknown}')
    return findings


def counts(services):
    """The perfdata figures."""
    return {
        'up': sum(s.state == 'up' for s in services),
        'down': sum(s.state != 'up' for s in services),
        'disabled': sum(s.status == 'disabled' for s in services),
        'frozen': sum(bool(s.is_frozen) for s in services),
        'failed_over': sum(s.replication_status == 'failed-over' for s in services),
    }


def verdict(services, findings):
    """(level, first line) for ``services`` and their findings."""
    level = max((f.level for f in findings), default=OK)
    figures = counts(services)
    perfdata = ' '.join(f'{name}={value}' for name, value in figures.items())
    if level == OK:
        summary = f'{len(services)} services up'
    else:
        worst = [f.detail for f in findings if f.level == level]
        shown = '; '.join(worst[:3]) + (f' and {len(worst) - 3} more' if len(worst) > 3 else '')
        down = {'enabled-down', 'binary-down'} & {f.rule for f in findings if f.level == level}
        summary = (f"{figures['down']} of {len(services)} services down: {shown}"
                   if down else shown)
    return level, f'{LEVELS[level]} - {summary} | {perfdata}'


def unknown(reason):
    """(level, first line) when the services could not be read."""
    return UNKNOWN, f'UNKNOWN - {reason}'
