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

"""Fail over and back: one request for a host or a cluster, a refusal
when its cinder-volume is down, a wait until each member has settled, and
what the database shows when cinder-volume did not confirm the request.

Not a desired state of ``changes``: a failover is one request whose
outcome the driver decides later (failing-over, then failed-over or
error, on a backend Cinder chooses when none is named), so it is judged
on its own terms here, by the same reads and the same polling.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from volsvcclient.cinder import exceptions
from volsvcclient.cinder import records
from volsvcclient.cinder import versions
from volsvcclient.engine import events
from volsvcclient.engine import outcomes
from volsvcclient.engine import polling
from volsvcclient.engine import sending

if TYPE_CHECKING:
    from volsvcclient.cinder.records import Service
    from volsvcclient.cinder import services

#: Seconds between the reads of a failover's wait.
INTERVAL = 2.0
#: How long a wait for a failover lasts unless told.
TIMEOUT = 300.0


@dataclasses.dataclass(frozen=True)
class FailingOver(events.Event):
    """Progress of a failover's wait: a member's replication status."""

    label: str
    replication_status: str | None
    elapsed: float
    note = False

    @property
    def facts(self) -> str:
        return f'{self.label}: {self.replication_status} ({self.elapsed:.0f} s)'


def failover(
    api: services.ServiceAPI,
    target: records.Target,
    backend_id: str | None = None,
    *,
    even_if_down: bool = False,
    wait: bool = False,
    timeout: float = TIMEOUT,
    tell: events.Listener = events.ignore,
) -> list[Service]:
    """Fail ``target`` over to ``backend_id`` (None: Cinder chooses;
    'default': back); with ``wait``, until every member has settled, up
    to ``timeout`` seconds in all. The members as last read."""
    if target.cluster:
        api.require(versions.CLUSTER_ACTIONS, 'cluster')
    members = api.members(target)
    sending.check_up(members, 'failover', even_if_down, tell)
    try:
        api.failover(target, backend_id)
    except exceptions.Unconfirmed as exc:
        current = api.reread(members, f' after {exc}')
        raise exceptions.Unconfirmed(
            str(exc), outcomes.unconfirmed(str(exc), current)) from exc
    if not wait:
        return api.reread(members, ' after the failover request')
    return wait_for_failover(api, members, backend_id, timeout, INTERVAL, tell)


def wait_for_failover(
    api: services.ServiceAPI,
    members: list[Service],
    backend_id: str | None,
    timeout: float,
    interval: float,
    tell: events.Listener = events.ignore,
) -> list[Service]:
    """Poll until no member is failing over any more; the final services.

    ``timeout`` bounds the whole wait, however many members there are.
    Failing back (``backend_id`` 'default') must end 'enabled', any
    other failover 'failed-over' on the asked target.
    """
    try:
        for elapsed in polling.attempts(timeout, interval):
            final = api.reread(members, ' while failing over')
            for current in final:
                tell(FailingOver(current.label, current.replication_status, elapsed))
            settling = [s for s in final
                        if s.replication_status == records.FAILING_OVER]
            if not settling:
                break
        else:
            current = settling[0]
            raise exceptions.Error(
                f'{current.label}: still {records.FAILING_OVER} after {timeout:g} s '
                f'(last seen: replication status '
                f'{current.replication_status}, active backend '
                f'{current.active_backend_id!r})'
            )
    finally:
        tell(events.Progress(None, what='failover'))
    for current in final:
        _check_landed(current, backend_id)
    return final


def _check_landed(current: Service, backend_id: str | None) -> None:
    """Fail unless ``current`` ended where the failover was asked to go."""
    failing_back = backend_id == records.FAILBACK
    wanted = 'enabled' if failing_back else 'failed-over'
    landed = current.replication_status == wanted and (
        failing_back
        or backend_id is None
        or current.active_backend_id == backend_id
    )
    if not landed:
        raise exceptions.NotApplied(
            f"{current.label}: {'failback' if failing_back else 'failover'} "
            f"did not complete: replication status "
            f"{current.replication_status}, active backend "
            f"{current.active_backend_id!r}, status {current.status} "
            f"(reason {current.disabled_reason!r}); the driver refused or "
            f"failed it, see the cinder-volume log on that host"
        )
