#!/usr/bin/python
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

DOCUMENTATION = r'''
---
module: volume_service_wait
short_description: Wait until Cinder services are as asked
version_added: 0.0.1
author: OpenStack volsvcclient developers (@openstack)
description:
  - Re-reads the selected Cinder services (every service when no selection
    option is given) until each shows every condition given - state, status,
    frozen, replication status, a fresh heartbeat - and fails at the
    I(timeout) naming each service and what it lacks.
  - A read that fails because cinder-api is not answering is retried until
    the timeout, so the task can follow a restart of cinder-api.
  - Changes nothing; never C(changed). Check mode waits as well, since it
    only reads.
  - This is C(volsvc wait) of volsvcclient, through its Python API.
options:
  state:
    description:
      - C(up) (a recent heartbeat) or C(down), as Cinder judges it.
    type: str
    choices: [up, down]
  status:
    description:
      - C(enabled) or C(disabled) for the scheduler.
    type: str
    choices: [enabled, disabled]
  frozen:
    description:
      - Frozen (true) or thawed (false); cinder-volume only.
    type: bool
  replication_status:
    description:
      - This replication status (C(enabled), C(disabled), C(failing-over),
        C(failed-over), ...); cinder-volume only.
    type: str
  fresh:
    description:
      - Two new heartbeats since the wait began, by the server's own
        timestamps, so the service really came back. A restarted service
        looks up on its old heartbeat for a while, and a write to its record
        (a disable) also counts as a heartbeat, so C(state=up) alone does
        not prove a restart.
    type: bool
    default: false
  wait:
    description:
      - C(false) reads once, and fails unless every condition holds
        (openstack.cloud's common option).
    type: bool
    default: true
  timeout:
    description:
      - Give up after this many seconds (a finite number, 0 or more; 0
        reads once). openstack.cloud's default; it was 300 before.
    type: float
    default: 180
  interval:
    description:
      - Seconds between reads (at least 1).
    type: float
    default: 2
extends_documentation_fragment:
  - volsvc.cinder.connection
  - volsvc.cinder.selection
attributes:
  check_mode:
    support: full
    description: It only reads, so check mode waits as well.
  diff_mode:
    support: none
    description: It changes nothing.
'''

EXAMPLES = r'''
- name: Restart cinder-volume on the storage node
  ansible.builtin.service:
    name: cinder-volume
    state: restarted

- name: Wait until its services really came back
  volsvc.cinder.volume_service_wait:
    cloud: mycloud
    host_pattern: "{{ inventory_hostname }}@*"
    binary: cinder-volume
    state: up
    fresh: true
    timeout: 180
  delegate_to: localhost

- name: Wait until a failover ended
  volsvc.cinder.volume_service_wait:
    cloud: mycloud
    host: node1@replicated
    binary: cinder-volume
    replication_status: failed-over
'''

RETURN = r'''
services:
  description:
    - The selected services, as read once every condition held, under
      openstack.cloud's volume_service_info field names (before 0.1.0
      C(zone) and C(frozen)).
  returned: success
  type: list
  elements: dict
  contains:
    host:
      description: Its host.
      type: str
    binary:
      description: Its binary.
      type: str
    name:
      description: Its binary (openstacksdk's alias of it).
      type: str
    id:
      description: Always null (os-services entries have no id; openstacksdk's field).
      type: str
    availability_zone:
      description: Its availability zone.
      type: str
    status:
      description: C(enabled) or C(disabled).
      type: str
    state:
      description: C(up) or C(down).
      type: str
    updated_at:
      description: Its last heartbeat (or write), by cinder-api's clock.
      type: str
    disabled_reason:
      description: Why it was disabled.
      type: str
    cluster:
      description: Its cluster (API 3.7 and later).
      type: str
    is_frozen:
      description: Whether it is frozen (cinder-volume).
      type: bool
    replication_status:
      description: Its replication status (cinder-volume).
      type: str
    active_backend_id:
      description: The backend it has failed over to (cinder-volume).
      type: str
    backend_state:
      description: Not read by this module (null).
      type: str
unmet:
  description: At the timeout, one line per service that lacks a condition.
  returned: failure at the timeout
  type: list
  elements: str
'''

from ansible_collections.volsvc.cinder.plugins.module_utils import module  # noqa: E402
from ansible_collections.volsvc.cinder.plugins.module_utils import services  # noqa: E402


class VolumeServiceWaitModule(module.VolsvcModule):

    argument_spec = dict(
        services.SELECTION_SPEC,
        state=dict(type='str', choices=['up', 'down']),
        status=dict(type='str', choices=['enabled', 'disabled']),
        frozen=dict(type='bool'),
        replication_status=dict(type='str'),
        fresh=dict(type='bool', default=False),
        interval=dict(type='float', default=2),
    )
    module_kwargs = dict(services.SELECTION_RULES, supports_check_mode=True)

    def conditions(self):
        """wait()'s keywords: ``wait: false`` reads once."""
        params = self.params
        conditions = dict((name, params[name]) for name in (
            'state', 'status', 'frozen', 'replication_status', 'fresh', 'interval'))
        conditions['timeout'] = params['timeout'] if params['wait'] else 0
        return conditions

    def failed(self, msg):
        return dict(changed=False)

    def run(self):
        try:
            listed = self.client().wait(services.selection(self.api, self.params),
                                        **self.conditions())
        except self.api.WaitTimedOut as exc:
            self.fail_json(msg=module.message(exc, self.api), unmet=list(exc.unmet),
                           changed=False)
        return dict(changed=False, services=[services.service(s) for s in listed])


def main():
    VolumeServiceWaitModule()()


if __name__ == '__main__':
    main()
