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

"""How long a command waits on the server, and what a number of seconds
may be: one table, one rule each.

Cinder answers some requests only after an RPC round trip: os-services
reads at 3.49 and later ask cinder-scheduler for every backend's state, and
freeze, thaw and failover ask the backend's cinder-volume.  When that
service, or RabbitMQ, is gone, Cinder waits for its ``rpc_response_timeout``
(60 s by default), or longer; the operator never waits on that blindly.

Import-light (stdlib only): command modules quote it in their help.
"""

from __future__ import annotations

import dataclasses
import math

#: Seconds the Backend State read (3.49+) may take before ``list`` and
#: ``show`` fall back to a read that does not ask cinder-scheduler.
BACKEND_STATE = 2.0
#: Seconds freeze, thaw and failover requests may take: Cinder answers them
#: after the backend's cinder-volume has.
ACTION = 20.0
#: Seconds any other request may take (Keystone included) when clouds.yaml
#: sets no ``api_timeout``: Keystone whose database is down answers only
#: after retrying it for half a minute or more.
REQUEST = 30.0

#: The most services a change sends requests for at once: requests'
#: default HTTP connection pool size, so more threads would only queue.
MAX_CONCURRENCY = 10
#: How many at once unless told.
CONCURRENCY = 8

#: The shortest interval between the reads of a wait: Cinder's services
#: report every 10 s (report_interval), so reading more often learns
#: nothing and only loads cinder-api (0 made 468 reads in 3 s).
MIN_INTERVAL = 1.0


@dataclasses.dataclass(frozen=True)
class Number:
    """A rule for a number of seconds: ``what`` it is, the values it
    takes (``wanted``, in words), and the least value (``inclusive`` or
    not)."""

    what: str
    wanted: str
    least: float
    inclusive: bool = True

    def holds(self, value: float) -> bool:
        return math.isfinite(value) and (
            value >= self.least if self.inclusive else value > self.least)

    def check(self, value: object, keyword: str) -> float:
        """``value`` as a float, or InvalidRequest naming ``keyword``."""
        from volsvcclient.cinder import exceptions

        if (isinstance(value, (int, float)) and not isinstance(value, bool)
                and self.holds(float(value))):
            return float(value)
        raise exceptions.InvalidRequest(
            '{%s} must be %s (%s), not {given}' % (keyword, self.what, self.wanted),
            keyword, given=repr(value))


SECONDS = Number('a number of seconds', 'a finite number, 0 or more', 0.0)
TIMEOUT = Number('a timeout', 'a finite number of seconds, more than 0', 0.0, False)
INTERVAL = Number('an interval', f'a finite number of seconds, {MIN_INTERVAL:g} or more',
                  MIN_INTERVAL)


def check_concurrency(value: object) -> int:
    """``value`` as the number of services changed at once."""
    from volsvcclient.cinder import exceptions

    if (isinstance(value, int) and not isinstance(value, bool)
            and 1 <= value <= MAX_CONCURRENCY):
        return value
    raise exceptions.InvalidRequest(
        '{concurrency} must be a whole number between 1 and %d, not {given}'
        % MAX_CONCURRENCY, 'concurrency', given=repr(value))


def effective(given: float | None, default: float,
              api_timeout: float | None = None) -> float:
    """The bound to use: the one given, else the default, never above the
    api_timeout the user configured."""
    if given is not None:
        return given
    if api_timeout:
        return min(default, api_timeout)
    return default


def spoken(seconds: float) -> str:
    """3m12s, 2h5m, 4d3h: a duration as operators write it."""
    whole = int(seconds)
    for size, unit, smaller, small_unit in (
        (86400, 'd', 3600, 'h'), (3600, 'h', 60, 'm'), (60, 'm', 1, 's'),
    ):
        if whole >= size:
            rest = (whole % size) // smaller
            return f'{whole // size}{unit}' + (f'{rest}{small_unit}' if rest else '')
    return f'{whole}s'
