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
module: volume_service_check
short_description: Judge the health of Cinder services
version_added: 0.0.1
author: OpenStack volsvcclient developers (@openstack)
description:
  - Judges the selected Cinder services (every service when no selection
    option is given) as C(volsvc check) does for monitoring, and returns the
    verdict (C(OK), C(WARNING), C(CRITICAL)), its level (0 to 2, the Nagios
    convention), the counts and each finding.
  - A verdict, however bad, never fails the task, so that C(assert),
    C(until) and C(when) decide what it means for the play.
  - When the check cannot judge (cinder-api or Keystone cannot be reached or
    refuse, the cloud is not configured, an option is wrong) the task fails
    with the reason, and still returns C(verdict=UNKNOWN) and C(level=3) so
    that an C(until) loop keeps retrying rather than stopping on an
    undefined variable. Without an answer an operator cannot tell a healthy
    cloud from a dead one, so UNKNOWN is no verdict to act on.
  - Changes nothing; never C(changed).
options:
  ignore_disabled:
    description:
      - A disabled service is no C(WARNING) (during planned maintenance).
    type: bool
    default: false
  rpc_timeout:
    description:
      - Seconds to wait for Backend State, which Cinder asks cinder-scheduler
        for; past them the check says it is unknown. Default 2, or
        I(api_timeout) when that is lower. More than 0.
    type: float
  wait:
    description:
      - Ignored, the check reads once (openstack.cloud's common option, taken
        for C(module_defaults)).
    type: bool
    default: true
  timeout:
    description:
      - Ignored, the check reads once, each request bounded by
        I(api_timeout) (openstack.cloud's common option, taken for
        C(module_defaults)).
    type: float
    default: 180
extends_documentation_fragment:
  - volsvc.cinder.connection
  - volsvc.cinder.selection
attributes:
  check_mode:
    support: full
    description: It only reads, so check mode judges as well.
  diff_mode:
    support: none
    description: It changes nothing.
'''

EXAMPLES = r'''
- name: Judge every Cinder service
  volsvc.cinder.volume_service_check:
    cloud: mycloud
  register: health

- name: Stop the rollout unless every service is healthy
  ansible.builtin.assert:
    that: health.verdict == 'OK'
    fail_msg: "{{ health.status_line }}"

- name: Wait until the storage node's backends are healthy again
  volsvc.cinder.volume_service_check:
    cloud: mycloud
    host_pattern: "node1@*"
    binary: cinder-volume
  register: health
  until: health.level == 0
  retries: 30
  delay: 10
'''

RETURN = r'''
verdict:
  description: C(OK), C(WARNING), C(CRITICAL), or C(UNKNOWN) when the task failed.
  returned: always
  type: str
  sample: CRITICAL
level:
  description: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
  returned: always
  type: int
  sample: 2
status_line:
  description: The Nagios status line of C(volsvc check), with its perfdata.
  returned: always
  type: str
  sample: "CRITICAL - 1 of 3 services down | up=2 down=1 disabled=0 frozen=0 failed_over=0"
counts:
  description: How many selected services are up, down, disabled, frozen, failed over.
  returned: success
  type: dict
  sample: {"up": 2, "down": 1, "disabled": 0, "frozen": 0, "failed_over": 0}
findings:
  description: What the check found, in the order of its rules.
  returned: success
  type: list
  elements: dict
  contains:
    level:
      description: C(WARNING) or C(CRITICAL).
      type: str
    rule:
      description: The rule that found it (C(enabled-down), C(binary-down), ...).
      type: str
    detail:
      description: What it found, naming the service.
      type: str
    host:
      description: The service's host; null for a finding on the whole cloud.
      type: str
    binary:
      description: The service's binary; null for a finding on the whole cloud.
      type: str
services:
  description:
    - The services judged, with the fields of
      M(volsvc.cinder.volume_service_wait)'s RV(services) (openstack.cloud's
      volume_service_info's).
  returned: success
  type: list
  elements: dict
'''

from ansible_collections.volsvc.cinder.plugins.module_utils import module  # noqa: E402
from ansible_collections.volsvc.cinder.plugins.module_utils import services  # noqa: E402


def finding(found):
    svc = found.service
    return dict(level=found.level_name, rule=found.rule, detail=found.detail,
                host=getattr(svc, 'host', None), binary=getattr(svc, 'binary', None))


class VolumeServiceCheckModule(module.VolsvcModule):

    argument_spec = dict(
        services.SELECTION_SPEC,
        ignore_disabled=dict(type='bool', default=False),
        rpc_timeout=dict(type='float'),
    )
    module_kwargs = dict(services.SELECTION_RULES, supports_check_mode=True)

    def failed(self, msg):
        """A check that cannot judge is UNKNOWN (Nagios level 3), so that an
        until loop finds a verdict and a level to test."""
        return dict(changed=False, verdict='UNKNOWN', level=3,
                    status_line='UNKNOWN - %s' % msg)

    def run(self):
        verdict = self.client(rpc_timeout=self.params['rpc_timeout']).check(
            services.selection(self.api, self.params),
            ignore_disabled=self.params['ignore_disabled'])
        return dict(
            changed=False,
            verdict=verdict.level_name,
            level=verdict.level,
            status_line=verdict.status_line,
            counts=dict(verdict.counts),
            findings=[finding(f) for f in verdict.findings],
            services=[services.service(s) for s in verdict.services],
        )


def main():
    VolumeServiceCheckModule()()


if __name__ == '__main__':
    main()
