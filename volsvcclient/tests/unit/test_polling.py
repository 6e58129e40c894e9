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

"""polling.attempts: when every wait reads, and that it never oversleeps."""

import fixtures
import testtools

from volsvcclient.engine import polling
from volsvcclient.tests.unit import fakes


class TestAttempts(testtools.TestCase):
    def reads(self, timeout, interval, done_at=None):
        clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', clock))
        seen = []
        for elapsed in polling.attempts(timeout, interval):
            seen.append(elapsed)
            if done_at is not None and elapsed >= done_at:
                break
        return seen, clock.slept

    def test_when_it_reads(self):
        for timeout, interval, done_at, reads in (
            (0, 2, None, [0]),                    # --wait-timeout 0: read once
            (5, 2, None, [0, 2, 4, 5]),           # the last read at the deadline
            (9, 2, None, [0, 2, 4, 6, 8, 9]),
            (4, 2, None, [0, 2, 4]),              # no read after it
            (300, 2, 3, [0, 2, 4]),               # stops once the caller is done
            (1, 5, None, [0, 1]),                 # an interval past the deadline
        ):
            seen, slept = self.reads(timeout, interval, done_at)
            self.assertEqual(reads, seen, (timeout, interval, done_at))
            self.assertEqual(reads[-1], slept, (timeout, interval, done_at))

    def test_exact_whatever_the_machines_uptime(self):
        # Issue 23: the fake clock started at time.monotonic(); from
        # 123.456 the last read came at 9.500000000000014 s, and exact
        # figures held or not by how long the machine had been up.
        with fixtures.MonkeyPatch('time.monotonic', lambda: 123.456):
            clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', clock))
        self.assertEqual([0, 3, 6, 9, 9.5], list(polling.attempts(9.5, 3)))
        self.assertEqual(9.5, clock.slept)
