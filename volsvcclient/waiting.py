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

import datetime
import time

from openstack import exceptions as sdk_exceptions
from osc_lib import exceptions

from volsvcclient import errors
from volsvcclient import selection


def wait(api, chooser, wanted, fresh, timeout, interval, progress=None):
    """Lines naming each chosen service that is not as ``wanted`` (SDK
    attribute -> value) at the timeout; [] once all are. With ``fresh``,
    each must also report a heartbeat newer than at the first read."""
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    first = None
    while True:
        try:
            current = {s.key: s for s in selection.chosen(chooser, api.list())}
        except exceptions.CommandError:
            raise
        except Exception as exc:
            if _final(exc):
                raise
            if time.monotonic() >= deadline:
                raise exceptions.CommandError(
                    f'Gave up after {timeout:g} s: {errors.translate(exc)}'
                ) from exc
            current = None
        if current is not None:
            if first is None:
                first = {key: s.updated_at for key, s in current.items()}
            unmet = _unmet(first, current, wanted, fresh)
            if not unmet:
                _report(progress, None)
                return []
            if time.monotonic() >= deadline:
                _report(progress, None)
                return unmet
            _report(progress, f'{len(first) - len(unmet)} of {len(first)} '
                              f'service(s) ready ({time.monotonic() - started:.0f} s)')
        time.sleep(max(0.0, min(interval, deadline - time.monotonic())))


def _final(exc):
    """Whether waiting longer cannot help."""
    return (
        isinstance(exc, sdk_exceptions.HttpException)
        and exc.status_code is not None and exc.status_code < 500
    ) or errors.translate(exc) is None


def _unmet(first, current, wanted, fresh):
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
        if fresh and not _newer(service.updated_at, heartbeat):
            wrong.append(f'no heartbeat since the wait began ({heartbeat})')
        if wrong:
            lines.append(
                f"{service.label}: {', '.join(wrong)}; last heartbeat "
                f'{service.updated_at}'
            )
    return lines


def _newer(updated_at, before):
    def parse(text):
        return datetime.datetime.fromisoformat(str(text)) if text else None

    now, then = parse(updated_at), parse(before)
    return now is not None and (then is None or now > then)


def _report(stream, line):
    if stream is None:
        return
    stream.write(f'\r{line}\033[K' if line else '\r\033[K')
    stream.flush()
