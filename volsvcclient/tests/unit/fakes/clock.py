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

"""A clock for tests of waits and retries: no real time passes."""

#: Where every fake clock starts. Not the machine's time.monotonic(): from
#: a value such as 123.456, ``start + 9.5 - start`` is 9.500000000000014,
#: so a test's exact figures held or not by the machine's uptime (issue
#: 23). A whole number of seconds, and not 0 (a wait that took the clock's
#: reading for elapsed time would pass from 0), keeps every sum of the
#: tests' intervals (whole seconds, halves) exact.
START = 1000.0


class FakeClock:
    """time.monotonic and time.sleep for a test: sleeping only moves it."""

    def __init__(self) -> None:
        self.now = START
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds
