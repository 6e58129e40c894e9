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

"""Wait until services are as asked: the loop behind ``volume service wait``.

Reads never ask cinder-scheduler (below 3.49). A read that fails for want
of cinder-api is retried until the timeout, since waiting for Cinder to
come back is what the command is for; a refusal (4xx) ends it at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from openstack import exceptions as sdk_exceptions

from volsvcclient.cinder import exceptions
from volsvcclient.cinder import failures
from volsvcclient.cinder import records
from volsvcclient.engine import events
from volsvcclient.engine import polling
from volsvcclient.engine import selection as selection_module

if TYPE_CHECKING:
    from volsvcclient.cinder.records import Service
    from volsvcclient.cinder import services

#: How many times a heartbeat must advance during the wait for --fresh.
#: Cinder counts any write of a service record as a heartbeat (a disable
#: sets updated_at too), so one advance may be an operator's request to a
#: dead service; its own reports advance it every report_interval.
FRESH_BEATS = 2


def wait(
    api: services.ServiceAPI,
    chooser: selection_module.Selection,
    wanted: Mapping[str, Any],
    fresh: bool,
    timeout: float,
    interval: float,
    tell: events.Listener = events.ignore,
) -> tuple[list[str], list[Service]]:
    """Lines naming each chosen service that is not as ``wanted`` (SDK
    attribute -> value) at the timeout ([] once all are), and the chosen
    services as the last read saw them (so that a caller needs no read of
    its own). With ``fresh``, each must also have reported FRESH_BEATS
    heartbeats, each newer than the last, since the first read. ``tell``
    hears the progress."""
    first: dict[tuple[str, str], Any] | None = None
    beats: dict[tuple[str, str], list[Any]] = {}
    unmet: list[str] = []
    current: dict[tuple[str, str], Service] = {}
    failure: Exception | None = None
    for elapsed in polling.attempts(timeout, interval):
        try:
            listed = api.list()
            # Only the first read must match something: a service deleted
            # later is named as gone, not taken for a selection of nothing.
            found = (selection_module.chosen(chooser, listed) if first is None
                     else filter(chooser.matches, listed))
            current = {s.key: s for s in found}
        except exceptions.NoSuchService:
            raise
        except Exception as exc:
            if _final(exc):
                raise
            failure = exc
            continue
        failure = None
        if first is None:
            first = {key: s.updated_at for key, s in current.items()}
            beats = {key: [stamp] for key, stamp in first.items()}
        for key, service in current.items():
            if key in beats and _newer(service.updated_at, beats[key][-1]):
                beats[key].append(service.updated_at)
        unmet = _unmet(first, beats, current, wanted, fresh)
        if not unmet:
            tell(events.Progress(None, what='ready'))
            return [], list(current.values())
        if elapsed >= timeout:
            break
        tell(events.Progress(len(first) - len(unmet), len(first), 'ready', elapsed))
    tell(events.Progress(None, what='ready'))
    if failure is not None:
        raise exceptions.Error(
            f'Gave up after {timeout:g} s: {failures.describe(failure)}'
        ) from failure
    return unmet, list(current.values())


def _final(exc: Exception) -> bool:
    """Whether waiting longer cannot help."""
    return (
        isinstance(exc, sdk_exceptions.HttpException)
        and exc.status_code is not None and exc.status_code < 500
    ) or failures.describe(exc) is None


def _unmet(
    first: Mapping[tuple[str, str], Any],
    beats: Mapping[tuple[str, str], list[Any]],
    current: Mapping[tuple[str, str], Service],
    wanted: Mapping[str, Any],
    fresh: bool,
) -> list[str]:
    lines = []
    for key, heartbeat in first.items():
        host, binary = key
        service = current.get(key)
        if service is None:
            lines.append(f'{binary} on {host}: gone from the service list')
            continue
        wrong = [
            f'{attr.removeprefix("is_")} {getattr(service, attr)!r}, wanted {want!r}'
            for attr, want in wanted.items() if getattr(service, attr) != want
        ]
        seen = len(beats[key]) - 1
        if fresh and seen < FRESH_BEATS:
            wrong.append(
                f'no heartbeat since the wait began ({heartbeat})' if not seen
                else f'{seen} of {FRESH_BEATS} new heartbeats since the wait began'
            )
        if wrong:
            lines.append(
                f"{service.label}: {', '.join(wrong)}; last heartbeat "
                f'{service.updated_at}'
            )
    return lines


def _newer(updated_at: Any, before: Any) -> bool:
    now, then = records.when(updated_at), records.when(before)
    return now is not None and (then is None or now > then)
