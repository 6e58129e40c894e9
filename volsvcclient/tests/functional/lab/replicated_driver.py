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

"""Fake Cinder volume drivers for the lab: one that reports its backend's
name, and one that really replicates.

Cinder's FakeLoggingVolumeDriver reports the volume_backend_name 'fake'
(and one pool 'fake') whatever the configuration says, so no volume type
could place a volume on one fake backend rather than another; real drivers
report the configured name, and so does ``NamedFakeDriver``.

Cinder's own FakeHAReplicatedLoggingVolumeDriver reports replication only
per pool, so cinder-volume keeps the service's replication_status
'disabled' and the API refuses failover.  This driver reports
``replication_enabled`` at the top level, lists its replication targets,
fails over and back, and, for the error paths, refuses to fail over while
``$VOLSVC_LAB_DIR/fail-failover`` exists and to thaw while
``$VOLSVC_LAB_DIR/fail-thaw`` exists.

It runs inside cinder-volume's own venv, so it imports only Cinder.
"""

import os

from cinder import exception
from cinder.tests import fake_driver

FAILBACK = 'default'


def failure_switch(operation='failover'):
    """The file whose existence makes ``operation`` fail on purpose."""
    lab_dir = os.environ.get('VOLSVC_LAB_DIR', '/nonexistent')
    return os.path.join(lab_dir, f'fail-{operation}')


class NamedFakeDriver(fake_driver.FakeLoggingVolumeDriver):
    """FakeLoggingVolumeDriver reporting its configured volume_backend_name
    (and its pool under that name), as real drivers do: a volume type with
    ``volume_backend_name=fake-2`` places volumes on ``host@fake-2#fake-2``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.backend_name = self.configuration.safe_get('volume_backend_name') or 'fake'


class ReplicatedFakeDriver(NamedFakeDriver):
    """NamedFakeDriver with backend-level replication."""

    def _targets(self):
        devices = self.configuration.safe_get('replication_device') or []
        return [device['backend_id'] for device in devices]

    def _update_volume_stats(self):
        super()._update_volume_stats()
        targets = self._targets()
        self._stats['replication_enabled'] = bool(targets)
        self._stats['replication_targets'] = targets
        self._stats['replication_count'] = len(targets)

    def failover_host(self, context, volumes, secondary_id=None, groups=None):
        if os.path.exists(failure_switch()):
            raise exception.VolumeBackendAPIException(
                data='failover refused on purpose by the lab failure switch'
            )
        if secondary_id == FAILBACK:
            return FAILBACK, [], []
        targets = self._targets()
        if secondary_id is None:
            secondary_id = targets[0] if targets else None
        if secondary_id not in targets:
            raise exception.InvalidReplicationTarget(
                reason=f'{secondary_id} is not one of {targets}'
            )
        return secondary_id, [], []

    def thaw_backend(self, context):
        if os.path.exists(failure_switch('thaw')):
            raise exception.VolumeDriverException(
                message='thaw refused on purpose by the lab failure switch'
            )

    def failover(self, context, volumes, secondary_id=None, groups=None):
        return self.failover_host(context, volumes, secondary_id, groups)

    def failover_completed(self, context, active_backend_id=None):
        pass


class ClusteredReplicatedFakeDriver(ReplicatedFakeDriver):
    """The same, for the lab's active-active cluster of two cinder-volumes."""

    SUPPORTS_ACTIVE_ACTIVE = True
