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
    """The connection options of every volsvc.cinder module."""

    DOCUMENTATION = r'''
options:
  cloud:
    description:
      - The name of a cloud in C(clouds.yaml), or a dict that is a whole cloud
        configuration (as one section of C(clouds.yaml) would be).
      - When it is a dict, give no other connection option beside it.
      - Without it (and without I(auth)), the C(OS_CLOUD) and C(OS_*)
        environment variables of the managed node are read, as openstacksdk
        reads them.
    type: raw
  auth:
    description:
      - The options of the authentication plugin, for the default C(password)
        plugin C(auth_url), C(username), C(password), C(project_name) and the
        domains. Completes or replaces the named I(cloud)'s.
      - Its values are kept out of logs and results (C(no_log)).
    type: dict
  auth_type:
    description:
      - The name of the keystoneauth plugin, when not C(password).
    type: str
  region_name:
    description:
      - The region of the Block Storage endpoint.
    type: str
  interface:
    description:
      - The endpoint interface of the service catalog.
      - When not given, the cloud's own setting applies (C(public) unless
        C(clouds.yaml) or C(OS_INTERFACE) says otherwise).
    type: str
    choices: [public, internal, admin]
    aliases: [endpoint_type]
  validate_certs:
    description:
      - Whether to verify TLS certificates. The cloud's own setting applies
        when not given.
    type: bool
    aliases: [verify]
  ca_cert:
    description:
      - A path to the CA bundle that signs the endpoints' certificates.
    type: str
    aliases: [cacert]
  client_cert:
    description:
      - A path to a client certificate (PEM) to present.
    type: str
    aliases: [cert]
  client_key:
    description:
      - A path to the client certificate's key.
    type: str
    aliases: [key]
  api_timeout:
    description:
      - Seconds to wait for each HTTP answer of Keystone and Cinder (more
        than 0).
    type: int
requirements:
  - python >= 3.10
  - volsvcclient (on the host the task runs on)
notes:
  - The connection options are read as the openstack.cloud collection reads
    them, so the same variables and C(module_defaults) serve both.
'''
