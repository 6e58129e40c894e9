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

"""Fail over and back: wait until each member has settled, and say what
the database shows when cinder-volume did not confirm the request.

The request itself is ``services.ServiceAPI.failover``; ``volume service
failover`` sends it after ``sending.check_up``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, NoReturn, Sequence

from osc_lib import exceptions

from volsvcclient.cinder import services
from volsvcclient.engine import outcomes
from volsvcclient.engine import polling

if TYPE_CHECKING:
    from volsvcclient.osc import voice as voice_module


def report_unconfirmed(
    api: services.ServiceAPI,
    members: Sequence[services.Service],
    exc: services.Unconfirmed,
    voice: voice_module.Voice,
) -> NoReturn:
    """Fail with what the database shows after an Unconfirmed failover, and
    how to learn whether the request still completes (it may: Cinder's
    RPC call goes on after our bound)."""
    current = api.reread(members, f' after {exc}')
    raise services.Unconfirmed(outcomes.unconfirmed(str(exc), current, voice)) from exc


def wait_for_failover(
    api: services.ServiceAPI,
    members: Sequence[services.Service],
    backend_id: str | None,
    timeout: float,
    interval: float,
    report: Callable[[services.Service, float], object],
) -> list[services.Service]:
    """Poll until no member is failing over any more; the final services.

    ``timeout`` bounds the whole wait, however many members there are.
    Failing back (``backend_id`` 'default') must end 'enabled', any
    other failover 'failed-over' on the asked target.
    ``report(service, elapsed)`` is called for each member after each read.
    """
    for elapsed in polling.attempts(timeout, interval):
        final = api.reread(members, ' while failing over')
        for current in final:
            report(current, elapsed)
        settling = [s for s in final if s.replication_status == services.FAILING_OVER]
        if not settling:
            break
    else:
        current = settling[0]
        raise exceptions.CommandError(
            f'{current.label}: still {services.FAILING_OVER} after {timeout:g} s '
            f'(last seen: replication status '
            f'{current.replication_status}, active backend '
            f'{current.active_backend_id!r})'
        )
    for current in final:
        _check_landed(current, backend_id)
    return final


def _check_landed(current: services.Service, backend_id: str | None) -> None:
    """Fail unless ``current`` ended where the failover was asked to go."""
    failing_back = backend_id == services.FAILBACK
    wanted = 'enabled' if failing_back else 'failed-over'
    landed = current.replication_status == wanted and (
        failing_back
        or backend_id is None
        or current.active_backend_id == backend_id
    )
    if not landed:
        raise exceptions.CommandError(
            f"{current.label}: {'failback' if failing_back else 'failover'} "
            f"did not complete: replication status "
            f"{current.replication_status}, active backend "
            f"{current.active_backend_id!r}, status {current.status} "
            f"(reason {current.disabled_reason!r}); the driver refused or "
            f"failed it, see the cinder-volume log on that host"
        )
