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

"""What the operator of the command line reads beside a command's output:
the engine's notes and progress, and advice, worded here and nowhere else.

Notes go through logging (at WARNING, which osc-lib's console handler
prints as the bare message), so ``-q`` hides them and ``--log-file`` keeps
them, in ``openstack`` and ``volsvc`` alike; errors are raised, never
logged. Progress lines are drawn on a terminal only, and only when a note
would be printed. Advice names the program the operator ran: ``volsvc
thaw H`` to a ``volsvc`` user, ``openstack volume service thaw H`` to an
``openstack`` user, and each keyword argument of the engine as its option
(``--even-if-down``).

Import-light: command modules create a Voice on every run.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TextIO

from volsvcclient.osc import options

if TYPE_CHECKING:
    from volsvcclient.cinder.advice import Advice
    from volsvcclient.engine import events

LOG = logging.getLogger('volsvcclient')
#: How ``openstack`` users call these commands; ``volsvc`` users by its name.
OPENSTACK = 'openstack volume service'
#: The plan is listed service by service up to this many, on a terminal.
PLAN_LINES = 50


class Voice:
    """Notes, progress and advice for one run of one program: the
    command line's words (``cinder.advice.Words``) and the engine's
    listener."""

    def __init__(self, program: str = OPENSTACK, stream: TextIO | None = None) -> None:
        self.program = program
        self._stream = stream
        self._drawn = False
        #: Whether a change's plan and sending progress are drawn (a
        #: change of one target, told in one line, draws neither).
        self.announcing = True

    # Words

    def name(self, keyword: str) -> str:
        """The option that gives a keyword argument of the engine."""
        return options.option(keyword)

    def command(self, words: str) -> str:
        """A command line of the program that runs, quoted."""
        return f"'{self.program} {words}'"

    def advise(self, advice: Advice) -> str:
        from volsvcclient.cinder import advice as kinds

        if advice.keyword is not None:
            given = self.name(advice.keyword)
            if advice.value not in (True, None):
                given = f'{given} {advice.value}'
            if advice.form == kinds.DOES:
                return f'{given} {advice.purpose}'
            return f'{kinds.give(advice)} {given} to {advice.purpose}'
        host, binary = advice.host or '', advice.binary or ''
        verb = advice.verb
        if verb == kinds.THAW:
            said = f'{self.command("thaw " + host)} {advice.purpose}'
        elif verb == kinds.FREEZE_THEN_THAW:
            said = (f'For a cinder-volume service, {self.command("freeze " + host)} '
                    f'then {self.command("thaw " + host)} {advice.purpose}')
        elif verb == kinds.SHOW:
            said = f'{self.command(f"show {host} {binary}")} {advice.purpose}'
        elif verb == kinds.FAILOVER:
            said = f'{self.command("failover")} {advice.purpose}'
        else:
            said = f'{self.command("set --enable")} {advice.purpose}'
        if advice.also:
            said += f' ({self.name(advice.also[0])} {advice.also[1]})'
        return said

    def saved_listing(self) -> str:
        """The output ``commit --from-file`` reads."""
        return f'"{self.program} list --long -f json"'

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
        if not self.terminal or not printed(LOG, logging.WARNING):
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

    def __call__(self, event: events.Event) -> None:
        """Hear one of the engine's events."""
        from volsvcclient.engine import events

        if isinstance(event, (events.Progress, events.Planned)) and (
                event.what == 'sent' if isinstance(event, events.Progress) else True) and (
                not self.announcing):
            return
        if isinstance(event, events.Progress):
            if event.done is not None:
                self.progress(event.facts)
            elif event.what == 'sent':
                if self.terminal:
                    self.note('')
            elif event.what == 'failover':
                if self._drawn and self._stream is not None:
                    self._stream.write('\n')
                    self._drawn = False
            else:
                self.progress(None)
        elif isinstance(event, events.Planned):
            if self.terminal:
                self._announce(event)
        elif not event.note:
            self.progress(event.facts)
        elif isinstance(event, events.BackendStateUnknown):
            self.note(f'{event.facts[:-1]}; {self.name("rpc_timeout")} sets the wait)')
        elif isinstance(event, events.SendingAnyway):
            self.note(f'{event.facts} ({self.name("even_if_down")})')
        elif isinstance(event, events.Irreversible):
            prefix = f'{event.label}: ' if event.label else ''
            self.note(f'{prefix}warning: {event.facts.removeprefix(prefix)}')
        elif isinstance(event, events.Interrupted) and event.stage != 'again':
            tail = (' (Ctrl-C again to stop waiting for them)'
                    if event.stage == 'sending' else '')
            self.note(f'\n{event.facts}{tail}')
        elif event.advice is not None:
            self.note(f'{event.facts}: {self.advise(event.advice)}')
        else:
            self.note(event.facts)

    def _announce(self, event: events.Planned) -> None:
        """What a change of several services is about to do: service by
        service up to PLAN_LINES of them, then a summary."""
        if len(event.plan) <= PLAN_LINES:
            for host, binary, actions in event.plan:
                self.note(f"{binary} on {host}: {', '.join(actions)}")
        self.note(event.facts)


def program_of(app: object) -> str:
    """The program an app runs as: ``volsvc``, or ``openstack``'s commands."""
    if type(app).__module__.startswith('volsvcclient.'):
        return getattr(app, 'NAME', 'volsvc')
    return OPENSTACK


def printed(logger: logging.Logger | None, level: int) -> bool:
    """Whether a handler prints ``logger``'s records at ``level``."""
    while logger:
        if logger.isEnabledFor(level) and any(
            handler.level <= level for handler in logger.handlers
            if not isinstance(handler, logging.NullHandler)
        ):
            return True
        if not logger.propagate:
            return False
        logger = logger.parent
    return False


#: What ends the one keystoneauth retry warning shown unless -v
#: (``command._FirstRetryOnly``).
EVERY_RETRY = '(-v shows every retry)'
