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
module: volume_service
short_description: Set the state of Cinder services, and verify it
version_added: 0.0.1
author: OpenStack volsvcclient developers (@openstack)
description:
  - Brings one Cinder (Block Storage) service, or every service of a
    selection, to a desired state - enabled or disabled for the scheduler,
    with a disabled reason, and frozen or thawed - then re-reads every
    service and judges whether it really is as asked.
  - Idempotent, it sends only what a service lacks, and reports C(changed)
    only when a service changed.
  - In check mode it reads the services and returns the plan, sending
    nothing. With C(--diff) it shows each service before and after.
  - The task fails, with one line naming each service and why, and with the
    per-service report, when any service was not changed as asked or could
    not be verified; what was applied is in that report.
  - What an operator should know (a service re-enabled by freeze and thaw, a
    disable no API undoes, a cluster member that is down) comes back as the
    task's warnings. Advice, there and in failures, names this collection's
    options and tasks.
  - Interrupted (Ctrl-C of ansible-playbook, or SIGTERM, which ansible passes
    to the module), it sends nothing more, lets the requests under way end
    (after SIGTERM it stops waiting for them), and fails with one line naming each
    service and what became of it, which it also logs (syslog or the
    journal), for ansible-playbook may be gone to read the result.
  - This is C(volsvc commit) (C(openstack volume service commit)) of
    volsvcclient, run through its Python API C(volsvcclient.api).
options:
  host:
    description:
      - The host of one service, exactly as Cinder lists it (C(node1@lvm)
        for a cinder-volume backend). Requires I(binary).
      - Mutually exclusive with I(host_pattern), I(zone) and I(cluster).
    type: str
  binary:
    description:
      - The binary of the service (C(cinder-volume), C(cinder-scheduler),
        C(cinder-backup)), with I(host); or, in a selection, the binary of
        the services selected (then C(cinder-volume) when not given).
    type: str
  host_pattern:
    description:
      - Select the services whose host matches this shell pattern, such as
        C(node1@*) for every backend of one storage node.
    type: str
  zone:
    description:
      - Select the services of this availability zone.
    type: str
  cluster:
    description:
      - Select the services of this cluster (Block Storage API 3.7 and
        later).
    type: str
  status:
    description:
      - C(enabled) or C(disabled) for the scheduler. Left as it is when not
        given.
    type: str
    choices: [enabled, disabled]
  disabled_reason:
    description:
      - The reason recorded with a disable (at most 255 characters). Only
        with I(status=disabled); a service already disabled with another
        reason gets this one.
    type: str
  frozen:
    description:
      - Whether the cinder-volume services should be frozen (no volume
        management on their backend) or thawed. Left as it is when not
        given.
    type: bool
  enable_via_thaw:
    description:
      - Where the server ignores enable requests (Cinder 28.0.0 and later),
        re-enable cinder-volume services by freezing and thawing them.
    type: bool
    default: false
  even_if_down:
    description:
      - Send freeze and thaw to a cinder-volume that is down. Risky, Cinder
        changes the database, then waits for the service until its RPC
        timeout and no driver acts.
    type: bool
    default: false
  even_if_irreversible:
    description:
      - Disable services other than cinder-volume even though Cinder 28.0.0
        and later have no API that re-enables them. Without it such a
        disable fails the task before anything is sent.
    type: bool
    default: false
  rpc_timeout:
    description:
      - Seconds to wait for an answer to freeze or thaw, which Cinder gives
        only once the backend's cinder-volume has answered over RabbitMQ.
        Default 20, or I(api_timeout) when that is lower. More than 0.
    type: float
  wait:
    description:
      - Keep re-reading the services every 2 s, up to I(timeout) seconds,
        until each shows its new state; without it one read verifies the
        change.
      - Defaults to false, where openstack.cloud's modules default to true;
        Cinder answers each request once it is applied (freeze and thaw once
        the backend acted), so one read tells, unless a database replica
        lags behind; and a wait re-reads an enable that Cinder 28.0.0 and
        later ignore until the timeout, before I(enable_via_thaw) acts.
      - Replaces C(wait_timeout) (C(wait_timeout=30) is C(wait=true,
        timeout=30)).
    type: bool
    default: false
  concurrency:
    description:
      - How many services are changed at the same time (1 to 10).
    type: int
    default: 8
    choices: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
extends_documentation_fragment:
  - volsvc.cinder.connection
attributes:
  check_mode:
    support: full
    description: Reads the services and returns the plan; sends nothing.
  diff_mode:
    support: full
    description: The fields set (status, disabled_reason, is_frozen) before and after, per service.
'''

EXAMPLES = r'''
- name: Take one backend out of scheduling, with a reason
  volsvc.cinder.volume_service:
    cloud: mycloud
    host: node1@lvm
    binary: cinder-volume
    status: disabled
    disabled_reason: "maintenance, ticket OPS-1234"

- name: Disable and freeze every backend of a storage node
  volsvc.cinder.volume_service:
    cloud: mycloud
    host_pattern: "node1@*"
    status: disabled
    disabled_reason: maintenance
    frozen: true
    wait: true
    timeout: 30

- name: Bring them back (Cinder 28 and later ignore a plain enable)
  volsvc.cinder.volume_service:
    cloud: mycloud
    host_pattern: "node1@*"
    status: enabled
    frozen: false
    enable_via_thaw: true

- name: What would change, without changing anything
  volsvc.cinder.volume_service:
    cloud: mycloud
    zone: az1
    status: disabled
  check_mode: true
  diff: true
  register: plan
'''

RETURN = r'''
services:
  description:
    - The per-service report, the rows of C(volsvc commit -f json) with
      lower-case keys.
    - Returned also when the task fails for a service not changed as asked.
  returned: when the services could be read
  type: list
  elements: dict
  contains:
    host:
      description: The service's host.
      type: str
      sample: node1@lvm
    binary:
      description: The service's binary.
      type: str
      sample: cinder-volume
    actions:
      description: What was planned for it, in order (C(-) for nothing).
      type: str
      sample: disable, freeze
    result:
      description:
        - C(changed), C(unchanged), C(failed), C(unknown) (the request got no
          clear answer, or no re-read could tell), C(not attempted), or in
          check mode C(would change).
      type: str
      sample: changed
    detail:
      description: Why, when it did not end as asked; what check mode depends on.
      type: str
      sample: ""
msg:
  description: When the task fails, one line naming each service not changed as asked and why.
  returned: failure
  type: str
  sample: "Not every service ended as asked (1 failed): cinder-volume on node1@lvm: failed (...)"
'''

from ansible_collections.volsvc.cinder.plugins.module_utils import bounds  # noqa: E402
from ansible_collections.volsvc.cinder.plugins.module_utils import module  # noqa: E402
from ansible_collections.volsvc.cinder.plugins.module_utils import services  # noqa: E402
from ansible_collections.volsvc.cinder.plugins.module_utils import signals  # noqa: E402
from ansible_collections.volsvc.cinder.plugins.module_utils.words import WORDS  # noqa: E402


class VolumeServiceModule(module.VolsvcModule):

    argument_spec = dict(
        services.SELECTION_SPEC,
        status=dict(type='str', choices=['enabled', 'disabled']),
        disabled_reason=dict(type='str'),
        frozen=dict(type='bool'),
        enable_via_thaw=dict(type='bool', default=False),
        even_if_down=dict(type='bool', default=False),
        even_if_irreversible=dict(type='bool', default=False),
        rpc_timeout=dict(type='float'),
        concurrency=dict(type='int', default=8, choices=bounds.CONCURRENCY_CHOICES),
        # Cinder answers each request once applied: one read verifies it;
        # waiting re-reads an enable Cinder 28+ ignores until the timeout.
        wait=dict(type='bool', default=False),
    )
    module_kwargs = dict(
        services.SELECTION_RULES,
        supports_check_mode=True,
        required_one_of=[('host', 'host_pattern', 'zone', 'cluster', 'binary'),
                         ('status', 'frozen')],
        required_by=dict(services.SELECTION_RULES['required_by'],
                         disabled_reason='status'),
    )

    def desired(self):
        """apply()'s and plan()'s keywords: one Desired for host and binary,
        else the selection and the State every selected service should
        take."""
        params, api = self.params, self.api
        wanted = dict(status=params['status'], disabled_reason=params['disabled_reason'],
                      frozen=params['frozen'])
        if params['host'] is not None:
            return dict(desired=[api.Desired(params['host'], params['binary'], **wanted)])
        return dict(selection=services.selection(api, params),
                    template=api.State(**wanted))

    def run(self):
        params = self.params
        if params['disabled_reason'] is not None and params['status'] != 'disabled':
            self.fail_json(msg='disabled_reason goes with status=disabled')
        with signals.counted(self.api) as (ctrl_c, received):
            try:
                report = self.change(ctrl_c)
            except KeyboardInterrupt:
                # Before anything was sent, or during a re-enable by freeze
                # and thaw: the engine has no report to give.
                msg = ('Interrupted by %s before the change could say what it sent: '
                       'read the services again (volume_service_check) to see them'
                       % received.name)
                self.log(msg)
                self.fail_json(msg=msg)
        for note in report.notes:
            self.warn(note.worded(WORDS))
        result = dict(changed=report.changed, services=services.rows(report, WORDS))
        if self.ansible._diff:
            result['diff'] = services.diff(report)
        return services.finish(self, report, received.name, result, WORDS)

    def change(self, ctrl_c):
        """The plan (check mode) or the change, an api.Report."""
        params = self.params
        client = self.client(rpc_timeout=params['rpc_timeout'])
        if self.check_mode:
            return client.plan(
                enable_via_thaw=params['enable_via_thaw'],
                even_if_down=params['even_if_down'],
                even_if_irreversible=params['even_if_irreversible'],
                **self.desired())
        return client.apply(
            enable_via_thaw=params['enable_via_thaw'],
            wait_timeout=params['timeout'] if params['wait'] else 0,
            concurrency=params['concurrency'],
            even_if_down=params['even_if_down'],
            even_if_irreversible=params['even_if_irreversible'],
            ctrl_c=ctrl_c,
            **self.desired())


def main():
    VolumeServiceModule()()


if __name__ == '__main__':
    main()
