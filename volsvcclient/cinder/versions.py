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

"""Block Storage API microversions: the one table of what needs which.

Help text quotes these constants, so this module stays import-light
(stdlib only).
"""

from __future__ import annotations

#: ``cluster`` in os-services and the ``--cluster`` list filter.
CLUSTER = '3.7'
#: Freeze, thaw and fail over a whole cluster; the ``os-services/failover``
#: route.
CLUSTER_ACTIONS = '3.26'
#: ``backend_state`` of cinder-volume services in os-services.
BACKEND_STATE = '3.49'
#: What reads that show no backend state use at most: from 3.49 on every
#: os-services GET costs a scheduler RPC round trip.
BEFORE_BACKEND_STATE = '3.48'

#: The newest microversion that changes os-services: with a bare
#: ``--os-volume-api-version 3`` we ask for this or the server's maximum,
#: whichever is lower.
NEWEST_USED = BACKEND_STATE


def as_tuple(version: str) -> tuple[int, ...]:
    """'3.49' -> (3, 49), for comparisons."""
    return tuple(int(part) for part in str(version).split('.'))


def at_least(version: str | None, minimum: str) -> bool:
    """Whether ``version`` (None means no microversion, i.e. v2) >= minimum."""
    return version is not None and as_tuple(version) >= as_tuple(minimum)
