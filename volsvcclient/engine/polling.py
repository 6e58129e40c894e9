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

"""One way to wait: every loop that re-reads until something holds.

As openstacksdk's ``iterate_timeout`` is for its waits, ``attempts`` is
for ours (``wait``, the verification of a change, ``failover --wait``):
callers only say what to read and when it is done. This is the one place
that sleeps, so a test replaces this module's clock to make time pass.
"""

from __future__ import annotations

from collections.abc import Iterator
import time

#: Seconds between the re-reads that verify a change, with --wait-timeout.
VERIFY_INTERVAL = 2.0


def now() -> float:
    """The clock every wait reads (a test replaces this module's)."""
    return time.monotonic()


def attempts(timeout: float, interval: float) -> Iterator[float]:
    """Seconds elapsed before each read: at once, then every ``interval``
    seconds, the last one exactly at ``timeout`` (the deadline is never
    overslept to the next interval), and none after it."""
    started = time.monotonic()
    deadline = started + timeout
    while True:
        yield time.monotonic() - started
        now = time.monotonic()
        if now >= deadline:
            return
        time.sleep(min(interval, deadline - now))
