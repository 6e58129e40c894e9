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

"""Verify a change: re-read until every attempted service is as asked,
or the time given is up, and judge each one (``outcomes.judge``).

One loop for every command that changes services: a report of many and
the one line of a single target read the same way and judge alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from volsvcclient.cinder import failures
from volsvcclient.engine import outcomes
from volsvcclient.engine import polling

if TYPE_CHECKING:
    from volsvcclient.cinder.records import Service

Key = tuple[str, str]


def verify(
    read: Callable[[], Mapping[Key, Service]],
    attempted: Sequence[outcomes.Outcome],
    before: Mapping[Key, Service],
    wait_timeout: float,
    stop: Callable[[], bool] = lambda: False,
) -> Mapping[Key, Service]:
    """Judge ``attempted`` by ``read()`` (every service, by (host, binary)),
    repeated for up to ``wait_timeout`` seconds while some may still show
    as asked and ``stop()`` is false; the last services read.

    When a read fails with what the operator can be told, each outcome is
    marked unverifiable: what the server accepted is said, the rest unknown.
    """
    final: Mapping[Key, Service] = {}
    for _ in polling.attempts(wait_timeout, polling.VERIFY_INTERVAL):
        try:
            final = read()
        except Exception as exc:
            problem = failures.describe(exc)
            if problem is None:
                raise
            for outcome in attempted:
                outcomes.unverifiable(outcome, problem)
            return final
        pending = [
            o for o in attempted if not outcomes.judge(
                o, before[o.key], final.get(o.key))
        ]
        if not pending or stop():
            break
    return final
