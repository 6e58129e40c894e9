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

"""SIGINT and SIGTERM of a module process, as the engine counts Ctrl-C.

Ctrl-C of ansible-playbook (or SIGTERM to it) reaches a module through its
worker process, which sends the module's process group the signal it got,
then exits at once: the task's result is never read. Without a handler, a
change then died on KeyboardInterrupt while its worker threads kept it
alive until their requests timed out, and nothing said what was sent.

During a change, SIGINT is counted as the command line's first Ctrl-C: no
new request is sent, the ones under way finish, and the report says what
was sent; SIGTERM counts as two (stop waiting for the requests under way).
The module then returns that report and logs it (syslog or the journal),
the one place left to read it when ansible-playbook is gone.
"""

import contextlib
import signal
import threading


class Received(object):
    """The signals received while :func:`counted` was in force."""

    def __init__(self):
        self.names = []

    @property
    def name(self):
        """The last signal's name: 'SIGINT' or 'SIGTERM' ('SIGINT' for a
        KeyboardInterrupt that came another way)."""
        return self.names[-1] if self.names else 'SIGINT'


@contextlib.contextmanager
def counted(api):
    """(ctrl_c, received): an installed api.Interrupts for
    Client.apply(ctrl_c=...) that counts SIGINT, with SIGTERM counted as
    two, and what was received. Handlers belong to the main thread:
    elsewhere the signals keep Python's own handling."""
    received = Received()
    with api.Interrupts() as ctrl_c:
        previous = None

        def on_sigint(signum, frame):
            received.names.append('SIGINT')
            sigint(signum, frame)

        def on_sigterm(signum, frame):
            received.names.append('SIGTERM')
            ctrl_c.record()
            sigint(signal.SIGINT, frame)

        sigint = signal.getsignal(signal.SIGINT)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, on_sigint)
            previous = signal.signal(signal.SIGTERM, on_sigterm)
        try:
            yield ctrl_c, received
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
                signal.signal(signal.SIGINT, sigint)
