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

"""The command line's options that several commands share, their argparse
types (the rules are ``volsvcclient.cinder.bounds``', worded here for a
command line), and how each keyword argument of the Python API is spelled
as an option.

Import-light: OSC imports the command modules, and so this, on every run.
"""

from __future__ import annotations

import argparse
import math

from volsvcclient.cinder import bounds
from volsvcclient.cinder import reasons

#: The option that gives each keyword argument of the Python API, where it
#: is not the keyword with dashes.
OPTIONS = {
    'disabled_reason': '--disable-reason',
    'frozen': '--frozen or --thawed',
    'timeout': '--wait-timeout',
    'api_version': '--os-volume-api-version or OS_VOLUME_API_VERSION',
    'microversion': '--os-volume-api-version',
    'silent_for': '--down-for',
    'session': 'this command',
    'cacert': '--os-cacert',
    'binary': '<binary>',
    'host': '<host>',
}


def option(keyword: str) -> str:
    """The command line's option for a keyword argument of the API."""
    return OPTIONS.get(keyword) or '--' + keyword.replace('_', '-')


def needs(option: str, minimum: str) -> str:
    """Help-text suffix naming the microversion an option requires."""
    return f'{option} requires --os-volume-api-version {minimum} or later'


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _of(rule: bounds.Number, text: str) -> float:
    value = _number(text)
    if not rule.holds(value):
        raise argparse.ArgumentTypeError(f'{text!r} is not {rule.what} ({rule.wanted})')
    return value


def seconds(text: str) -> float:
    """argparse type: a finite, non-negative number of seconds."""
    return _of(bounds.SECONDS, text)


def request_timeout(text: str) -> float:
    """argparse type: seconds a request may take, more than 0 (0 would be
    refused by urllib3 only once the request is sent)."""
    return _of(bounds.TIMEOUT, text)


def interval(text: str) -> float:
    """argparse type: seconds between reads, at least MIN_INTERVAL."""
    return _of(bounds.INTERVAL, text)


def concurrency(text: str) -> int:
    """argparse type: how many services change at once."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= bounds.MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a number of requests (1 to {bounds.MAX_CONCURRENCY})')
    return value


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
        parser, bounds.BACKEND_STATE,
        'Seconds to wait for Backend State, which Cinder asks '
        'cinder-scheduler for over RPC; past them the services are listed '
        'without it (Backend State unknown)',
    )


def add_action_bounds(parser: argparse.ArgumentParser) -> None:
    """--rpc-timeout and --even-if-down, for requests a cinder-volume answers."""
    add_rpc_timeout(
        parser, bounds.ACTION,
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


def add_irreversible_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--even-if-irreversible',
        action='store_true',
        help='Disable services other than cinder-volume (cinder-scheduler, '
        'cinder-backup) even though Cinder 28.0.0 and later have no API that '
        're-enables them: only their database records can then be changed '
        'back. Without it such a disable is refused',
    )


def add_concurrency(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--concurrency',
        metavar='<requests>',
        type=concurrency,
        default=bounds.CONCURRENCY,
        help=f'Services changed at the same time (1 to {bounds.MAX_CONCURRENCY}, '
        f'the size of the HTTP connection pool; default {bounds.CONCURRENCY})',
    )


def add_disable_reason_help(what: str) -> str:
    """Help of an option that gives a disabled reason."""
    return f'{what} (at most {reasons.MAX_REASON} characters)'
