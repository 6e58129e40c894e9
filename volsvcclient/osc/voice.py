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

"""What the operator reads beside a command's output: notes, progress and
advice, worded here and nowhere else.

Notes go through logging (at WARNING, which osc-lib's console handler
prints as the bare message), so ``-q`` hides them and ``--log-file`` keeps
them, in ``openstack`` and ``volsvc`` alike; errors are raised, never
logged. Progress lines are drawn on a terminal only, and only when a note
would be printed. Advice names the program the operator ran: ``volsvc
thaw H`` to a ``volsvc`` user, ``openstack volume service thaw H`` to an
``openstack`` user.

Import-light: command modules create a Voice on every run.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
import logging
from typing import TYPE_CHECKING, TextIO

from osc_lib import exceptions

if TYPE_CHECKING:
    from volsvcclient.cinder import services
    from volsvcclient.engine import desired_state

LOG = logging.getLogger('volsvcclient')
#: How ``openstack`` users call these commands; ``volsvc`` users by its name.
OPENSTACK = 'openstack volume service'
VOLUME_BINARY = 'cinder-volume'


class Advised(exceptions.CommandError):
    """A refusal that the caller may overrule: ``facts`` says why, without
    advice; ``option`` is the Python API's keyword argument that overrules
    it (the command line spells it ``--even-if-down``), ``purpose`` what
    setting it does. str() is the advice worded for the program that runs,
    so that each caller (the command line, the Ansible modules) can word it
    in its own names from the fields."""

    def __init__(self, message: str, facts: str, option: str, purpose: str) -> None:
        super().__init__(message)
        self.facts = facts
        self.option = option
        self.purpose = purpose


#: The keyword arguments of the Python API that overrule a refusal (or
#: work around an ignored enable).
EVEN_IF_DOWN = 'even_if_down'
EVEN_IF_IRREVERSIBLE = 'even_if_irreversible'
ENABLE_VIA_THAW = 'enable_via_thaw'


class _Telling:
    """How notes and progress reach the operator of one program."""

    def __init__(self, program: str = OPENSTACK, stream: TextIO | None = None) -> None:
        self.program = program
        self._stream = stream
        self._drawn = False

    # Telling

    def note(self, message: str) -> None:
        """A line for the operator, never mixed into output; -q hides it.

        Server text in it (reasons, host names) has its control characters
        escaped; a leading newline (after a progress line) is kept."""
        from volsvcclient.osc import terminal

        text = message.lstrip('\n')
        LOG.warning('\n' * (len(message) - len(text)) + terminal.escape(text))

    @property
    def terminal(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def progress(self, line: str | None) -> None:
        """Redraw the progress line on a terminal (None clears it)."""
        if not self.terminal or not _printed(LOG, logging.WARNING):
            return
        assert self._stream is not None
        if line is None:
            if self._drawn:
                self._stream.write('\r\033[K')
                self._drawn = False
        else:
            self._stream.write(f'\r{line}\033[K')
            self._drawn = True
        self._stream.flush()

    def announce(
        self, plan: Sequence[tuple[str, str, Sequence[desired_state.Action]]],
        total: int, most: int,
    ) -> None:
        """On a terminal, what a batch is about to change: service by
        service up to ``most`` of them, then a summary of the actions."""
        if len(plan) <= most:
            for host, binary, actions in plan:
                self.note(f"{binary} on {host}: {', '.join(map(str, actions))}")
        counts = collections.Counter(
            action.name for _, _, actions in plan for action in actions)
        summary = ', '.join(f'{n} {name}' for name, n in sorted(counts.items()))
        self.note(f'changing {len(plan)} of {total} service(s): {summary}')


class Voice(_Telling):
    """Notes, progress and advice for one run of one program, worded."""

    # Sending: what the engine tells while it sends and verifies.

    def members_down(self, hosts: str, cluster: str, action: str) -> None:
        """Some members of a cluster are down; one that is up takes it."""
        self.note(f"{hosts} of cluster '{cluster}' down: a member that is up "
                  f"takes the {action}")

    @staticmethod
    def down(down: Sequence[services.Service]) -> str:
        """The services that are down, with their last heartbeat."""
        return ', '.join(f'{m.label} (last heartbeat {m.updated_at})' for m in down[:3])

    def sending_anyway(self, down: Sequence[services.Service], action: str) -> None:
        self.note(f'{self.down(down)} down; sending the {action} anyway (--even-if-down)')

    def refuse_down(self, down: Sequence[services.Service], action: str) -> Advised:
        """Why an RPC-bound ``action`` to a service that is down is refused."""
        facts = (f'{self.down(down)} is down: Cinder would wait for it over RPC '
                 f'(60 s by default) and no driver would {action}')
        purpose = 'send the request anyway'
        return Advised(
            f'{facts}. Start it first, or give {self.option(EVEN_IF_DOWN)} to {purpose}',
            facts, EVEN_IF_DOWN, purpose)

    def interrupted_sending(self) -> None:
        self.note('\ninterrupted: finishing the requests under way '
                  '(Ctrl-C again to stop waiting for them)')

    def interrupted_again(self, under_way: int) -> None:
        self.note(f'interrupted again: not waiting for the {under_way} '
                  f'request(s) under way')

    def interrupted_verifying(self) -> None:
        self.note('\ninterrupted while verifying')

    def re_enabling(self, service: services.Service, steps: str) -> None:
        self.note(f'{service.label}: the server ignored os-services/enable; '
                  f're-enabling it by {steps}')

    def thawing_back(self, service: services.Service) -> None:
        self.note(f'{service.label}: interrupted after freezing it; thawing it back')

    def refused_but_as_asked(self, label: str, asked: str, refusal: str, why: str) -> None:
        """A refusal that lost a race: the service is as asked all the same."""
        self.note(f'{label}: the server refused {asked} ({refusal}), but it is '
                  f'already as asked: {why}')

    # Advice: every command line we suggest is worded here.

    @staticmethod
    def irreversible(binary: str) -> str:
        return (
            f'Cinder 28.0.0 and later have no API that re-enables {binary}: '
            f'disabling it may not be reversible'
        )

    def refuse_irreversible(self, what: str, binary: str, option: str | None = None) -> Advised:
        """Why a disable of ``what`` is refused, and how to insist (``option``:
        how the command line spells it, when not by the API's keyword)."""
        facts = f'{what}: {self.irreversible(binary)}'
        purpose = 'disable it anyway'
        option = option or self.option(EVEN_IF_IRREVERSIBLE)
        return Advised(f'{facts}. Give {option} to {purpose}', facts,
                       EVEN_IF_IRREVERSIBLE, purpose)

    @staticmethod
    def option(keyword: str) -> str:
        """The command line's option for a keyword argument of the API."""
        return '--' + keyword.replace('_', '-')

    def command(self, words: str) -> str:
        """A command line of the program that runs, quoted."""
        return f"'{self.program} {words}'"

    def enable_workaround(self, service: services.Service) -> str:
        """How to re-enable ``service`` when the server ignores enable."""
        if service.binary != VOLUME_BINARY:
            return f'No API re-enables {service.binary} on such a release'
        if service.is_frozen:
            return (
                f'It is frozen: {self.command("thaw " + service.host)} thaws '
                f'and re-enables it (--enable-via-thaw does that)'
            )
        return (
            f'For a {VOLUME_BINARY} service, {self.command("freeze " + service.host)} '
            f'then {self.command("thaw " + service.host)} re-enables it '
            f'(--enable-via-thaw does both)'
        )

    def enable_via_thaw_hint(self, service: services.Service, facts: str) -> Advised | None:
        """The report's short advice for an enable the server ignored
        (``facts`` says so); None where no freeze and thaw re-enables it."""
        if service.binary != VOLUME_BINARY:
            return None
        return Advised(
            f'{facts}; {self.option(ENABLE_VIA_THAW)} re-enables it by freeze and thaw',
            facts, ENABLE_VIA_THAW, 're-enable it by freeze and thaw')

    def may_be_left_frozen(self, service: services.Service) -> str:
        return (
            f'{service.label} may be left frozen: '
            f'{self.command("thaw " + service.host)} thaws and re-enables it'
        )

    def cluster_thaw(self) -> str:
        """Why a thawed cluster member may stay disabled."""
        return (
            'Cinder delivers freeze and thaw of a cluster to one of its '
            'members, and only that member disables or re-enables its own '
            'service; where os-services/enable works (before 28.0.0), '
            f'{self.command("set --enable")} re-enables the others'
        )

    def not_failed_over(self, column: str, now: object, wanted: object) -> str:
        return (
            f'{column} is {now!r}, not {wanted!r}: commit does not fail over '
            f'({self.command("failover")} does)'
        )

    def backend_state_unknown(self, what: str, listed_at: str) -> None:
        self.note(
            f'Backend State unknown: {what}; is cinder-scheduler or RabbitMQ '
            f'down? (listed at {listed_at}, which does not ask it; '
            f'--rpc-timeout sets the wait)'
        )

    def saved_listing(self) -> str:
        """The output ``commit --from-file`` reads."""
        return f'"{self.program} list --long -f json"'

    def check_later(self, members: list[services.Service]) -> str:
        """How to learn whether an unconfirmed request still completes."""
        first = members[0]
        return (
            f'the request may still complete: '
            f'{self.command(f"show {first.host} {first.binary}")} shows '
            f'whether it did'
        )

    @staticmethod
    def ready(ready: int, total: int, elapsed: float) -> str:
        """The progress line of ``wait``."""
        return f'{ready} of {total} service(s) ready ({elapsed:.0f} s)'


def program_of(app: object) -> str:
    """The program an app runs as: ``volsvc``, or ``openstack``'s commands."""
    if type(app).__module__.startswith('volsvcclient.'):
        return getattr(app, 'NAME', 'volsvc')
    return OPENSTACK


def _printed(logger: logging.Logger | None, level: int) -> bool:
    """Whether a handler prints ``logger``'s records at ``level``."""
    while logger:
        if logger.isEnabledFor(level) and any(
            handler.level <= level for handler in logger.handlers
        ):
            return True
        if not logger.propagate:
            return False
        logger = logger.parent
    return False


#: What ends the one keystoneauth retry warning shown unless -v
#: (``command._FirstRetryOnly``).
EVERY_RETRY = '(-v shows every retry)'
