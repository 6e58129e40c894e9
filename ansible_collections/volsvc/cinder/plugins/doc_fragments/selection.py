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


class ModuleDocFragment(object):
    """The options that choose services, for the modules that only read:
    one service (host and binary) or a selection."""

    DOCUMENTATION = r'''
options:
  host:
    description:
      - The host of one service, exactly as Cinder lists it. Requires
        I(binary). Mutually exclusive with I(host_pattern), I(zone) and
        I(cluster).
    type: str
  binary:
    description:
      - The binary of the services (C(cinder-volume), C(cinder-scheduler),
        C(cinder-backup)).
    type: str
  host_pattern:
    description:
      - Only the services whose host matches this shell pattern (C(node1@*)).
    type: str
  zone:
    description:
      - Only the services of this availability zone.
    type: str
  cluster:
    description:
      - Only the services of this cluster (Block Storage API 3.7 and later).
    type: str
'''
