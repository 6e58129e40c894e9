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

"""How long a command waits on the server: one table, one rule.

Cinder answers some requests only after an RPC round trip: os-services
reads at 3.49 and later ask cinder-scheduler for every backend's state, and
freeze, thaw and failover ask the backend's cinder-volume.  When that
service, or RabbitMQ, is gone, Cinder waits for its ``rpc_response_timeout``
(60 s by default), or longer; the operator never waits on that blindly.

Import-light: command modules use it at parse time.
"""

from __future__ import annotations

import argparse
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


#: The most services ``commit`` changes at once: requests' default HTTP
#: connection pool size, so more threads would only queue.
MAX_CONCURRENCY = 10

#: The shortest --interval of ``wait``: Cinder's services report every
#: 10 s (report_interval), so reading more often learns nothing and only
#: loads cinder-api (0 made 468 reads in 3 s).
MIN_INTERVAL = 1.0


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def seconds(text: str) -> float:
    """argparse type: a finite, non-negative number of seconds."""
    value = _number(text)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a number of seconds (a finite number, 0 or more)'
        )
    return value


def request_timeout(text: str) -> float:
    """argparse type: seconds a request may take, more than 0 (0 would be
    refused by urllib3 only once the request is sent)."""
    value = _number(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a timeout (a finite number of seconds, more than 0)'
        )
    return value


def interval(text: str) -> float:
    """argparse type: seconds between reads, at least MIN_INTERVAL."""
    value = _number(text)
    if not math.isfinite(value) or value < MIN_INTERVAL:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not an interval (a finite number of seconds, '
            f'{MIN_INTERVAL:g} or more)'
        )
    return value


def add_rpc_timeout(parser: argparse.ArgumentParser, default: float, what: str) -> None:
    """The --rpc-timeout option; ``what`` says what it bounds."""
    parser.add_argument(
        '--rpc-timeout',
        metavar='<seconds>',
        type=request_timeout,
        default=None,
        help=f'{what} (default {default:g}, or clouds.yaml api_timeout when '
        f'that is lower)',
    )


def effective(given: float | None, default: float,
              api_timeout: float | None = None) -> float:
    """The bound to use: the option when given, else the default, never
    above the api_timeout the user configured."""
    if given is not None:
        return given
    if api_timeout:
        return min(default, api_timeout)
    return default


_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400}


def duration(text: str) -> float:
    """argparse type: '90s', '30m', '2h', '7d' -> seconds, more than 0.

    The unit is required: a bare '7' meant for days would catch healthy
    services between two heartbeats. 0 is refused: every service is
    silent for 0 s.
    """
    unit = text[-1:].lower()
    value = _number(text[:-1]) if unit in _UNITS else math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration: a number more than 0 and its unit, "
            f"such as 90s, 30m, 2h or 7d"
        )
    return value * _UNITS[unit]


def spoken(seconds_: float) -> str:
    """3m12s, 2h5m, 4d3h: a duration as operators write it."""
    whole = int(seconds_)
    for size, unit, smaller, small_unit in (
        (86400, 'd', 3600, 'h'), (3600, 'h', 60, 'm'), (60, 'm', 1, 's'),
    ):
        if whole >= size:
            rest = (whole % size) // smaller
            return f'{whole // size}{unit}' + (f'{rest}{small_unit}' if rest else '')
    return f'{whole}s'


def add_wait_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--wait-timeout',
        metavar='<seconds>',
        type=seconds,
        default=0.0,
        help='Keep re-reading for up to this many seconds until every service '
        'shows its new state (default 0: read once)',
    )


def add_backend_state_timeout(parser: argparse.ArgumentParser) -> None:
    add_rpc_timeout(
        parser, BACKEND_STATE,
        'Seconds to wait for Backend State, which Cinder asks '
        'cinder-scheduler for over RPC; past them the services are listed '
        'without it (Backend State unknown)',
    )


def add_action_bounds(parser: argparse.ArgumentParser) -> None:
    """--rpc-timeout and --even-if-down, for requests a cinder-volume answers."""
    add_rpc_timeout(
        parser, ACTION,
        'Seconds to wait for an answer to freeze, thaw or failover, which '
        'Cinder gives only once the backend\'s cinder-volume has (over '
        'RabbitMQ); past them the command reports what the database shows '
        'and exits 1',
    )
    parser.add_argument(
        '--even-if-down',
        action='store_true',
        help='Send freeze, thaw or failover to a cinder-volume that is down. '
        'Risky: Cinder changes the database, then waits for the service '
        'until its RPC timeout and no driver acts, so the backend and the '
        'database disagree until the service is back',
    )
