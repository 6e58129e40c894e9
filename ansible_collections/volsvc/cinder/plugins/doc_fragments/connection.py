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
    """The options every volsvc.cinder module takes: openstack.cloud's
    common options, with its names, aliases and defaults but where said."""

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
        C(clouds.yaml) or C(OS_INTERFACE) says otherwise). openstack.cloud's
        modules default to C(public), which overrides the cloud's own;
        a control node that reaches only the internal endpoints would be
        sent to the public ones.
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
        than 0). Without it (and without C(api_timeout) in the cloud's
        configuration) every request is bounded by 30 s.
    type: int
  wait:
    description:
      - Whether the module waits for the services to be as asked, up to
        I(timeout) (openstack.cloud's common option; what it does is said
        by each module).
    type: bool
    default: true
  timeout:
    description:
      - How many seconds a wait lasts at most (a finite number, 0 or more).
        openstack.cloud's is an integer; any number of seconds is taken here.
    type: float
    default: 180
  sdk_log_path:
    description:
      - A file that openstacksdk and keystoneauth log to, with volsvcclient's
        notes (what an operator should know, such as a service re-enabled
        by freeze and thaw).
    type: str
  sdk_log_level:
    description:
      - C(DEBUG) logs every HTTP request and answer (tokens hashed,
        passwords never), C(INFO) less.
    type: str
    default: INFO
    choices: [INFO, DEBUG]
requirements:
  - python >= 3.10
  - volsvcclient (on the host the task runs on)
notes:
  - The options are openstack.cloud's common options, read as its modules
    read them. The C(module_defaults) group C(group/volsvc.cinder.openstack)
    sets them for these modules and openstack.cloud's together (it extends
    C(openstack.cloud.openstack)); C(group/volsvc.cinder.cinder) for these
    modules alone.
'''
