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

"""Ctrl-C during a batch: counted, never allowed to lose the report.

Python turns SIGINT into a KeyboardInterrupt wherever the main thread
happens to be, so a second Ctrl-C (a double press, or ``timeout -s INT``
signalling the program and its group) lands inside the code that handles the
first and throws the report away. While a batch sends, and while its report
is printed, SIGINT is only counted here: the batch asks how many came and
decides what to stop. Where a KeyboardInterrupt is caught where it lands (a
verifying read that may hang), the batch opens a window in which the next
SIGINT raises one, once.
"""

from __future__ import annotations

import signal
import threading
import types
from typing import Any


class Interrupts:
    """Counts SIGINT while installed; raises only inside an open window."""

    def __init__(self, linger: bool = False) -> None:
        self.count = 0
        #: Once interrupted, keep ignoring SIGINT after the window closes: a
        #: program that told its report and exits (the command line) must
        #: not die of a later Ctrl-C on its way out (a third press, a
        #: group signal of ``timeout``).
        self.linger = linger
        #: The next SIGINT raises KeyboardInterrupt (and closes the window).
        self.raising = True
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> Interrupts:
        # Signal handlers belong to the main thread; elsewhere (a caller's
        # worker thread) Python's own handling stays.
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
            self._installed = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._installed:
            ignored = self.linger and self.count
            signal.signal(signal.SIGINT, signal.SIG_IGN if ignored else self._previous)
            self._installed = False

    def _on_sigint(self, signum: int, frame: types.FrameType | None) -> None:
        self.record()
        if self.raising:
            self.raising = False
            raise KeyboardInterrupt

    def record(self) -> None:
        """Count a Ctrl-C that arrived another way (a worker's exception)."""
        self.count += 1
