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

"""The options every module of volsvc.cinder takes, openstack.cloud's
common options (its openstack_full_argument_spec), read as its modules read
them; and the AnsibleModule that keeps their secrets out of every output.
"""

import os
import re

from ansible.module_utils import basic

#: Module option -> openstack.connect() keyword, where they differ.
_CONNECT_NAMES = {
    'validate_certs': 'verify',
    'ca_cert': 'cacert',
    'client_cert': 'cert',
    'client_key': 'key',
}


#: Configuration keys that hold secrets: keystoneauth's secret plugin
#: options (password, token, application_credential_secret, passcode,
#: client_secret, access_token, code) and a client certificate's key.
SECRET_NAME = re.compile(r'(^|_)(pass(word|code|phrase)?|secret|token|key|code)(_|$)',
                         re.IGNORECASE)


class OptionError(Exception):
    """Connection options that do not go together."""


_CONNECTION_OPTIONS = ('auth', 'auth_type', 'region_name', 'interface',
                       'validate_certs', 'ca_cert', 'client_cert',
                       'client_key', 'api_timeout')


def argument_spec(**module_options):
    """openstack.cloud's common options, then the module's own (which may
    redefine ``wait`` and ``timeout``)."""
    spec = dict(
        cloud=dict(type='raw'),
        auth=dict(type='dict', no_log=True),
        auth_type=dict(type='str'),
        region_name=dict(type='str'),
        # No default (openstack.cloud's is public): the cloud's own interface
        # (clouds.yaml, OS_INTERFACE) must win when the task names none.
        interface=dict(type='str', choices=['public', 'internal', 'admin'],
                       aliases=['endpoint_type']),
        validate_certs=dict(type='bool', aliases=['verify']),
        ca_cert=dict(type='str', aliases=['cacert']),
        client_cert=dict(type='str', aliases=['cert']),
        client_key=dict(type='str', no_log=True, aliases=['key']),
        api_timeout=dict(type='int'),
        wait=dict(type='bool', default=True),
        timeout=dict(type='float', default=180),
        sdk_log_path=dict(type='str'),
        sdk_log_level=dict(type='str', default='INFO', choices=['INFO', 'DEBUG']),
    )
    spec.update(module_options)
    return spec


def _masking_options(config):
    """The sub-options of a configuration dict: every key as it is, its
    secrets no_log, so that ansible masks those and nothing else."""
    options = {}
    for key, value in config.items():
        secret = bool(SECRET_NAME.search(str(key)))
        if isinstance(value, dict) and not secret:
            options[key] = dict(type='dict', options=_masking_options(value))
        else:
            options[key] = dict(type='raw', no_log=secret or bool(secrets(value)))
    return options


def _holds_configuration(cloud):
    """A string that is a configuration rather than a cloud's name (JSON,
    or key=value pairs, as templating may leave a dict)."""
    return isinstance(cloud, str) and ('{' in cloud or '=' in cloud)


def cloud_spec(params):
    """The argument spec of ``cloud`` for the parameters given: a name is
    shown as it is; a dict is masked where it holds a secret (as every
    value of ``auth`` is), which ansible must know before it validates
    and logs the parameters; a string holding a configuration is masked
    whole (and refused)."""
    cloud = (params or {}).get('cloud')
    if isinstance(cloud, dict):
        return dict(type='dict', options=_masking_options(cloud))
    if _holds_configuration(cloud):
        return dict(type='raw', no_log=True)
    return dict(type='raw')


def secrets(config):
    """The secret values of a configuration, at any depth: every value
    under a secret name."""
    if isinstance(config, dict):
        items = config.items()
    elif isinstance(config, (list, tuple)):
        items = enumerate(config)
    else:
        return set()
    found = set()
    for key, value in items:
        if SECRET_NAME.search(str(key)):
            found.update(_leaves(value))
        else:
            found.update(secrets(value))
    return found


def _leaves(value):
    """The values of a secret, as ansible masks them (strings and numbers)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return set().union(*(_leaves(item) for item in value))
    if value is None or value == '' or isinstance(value, bool):
        return set()
    return set([str(value)])


def environment_secrets(environ):
    """The secrets the OS_* variables hold (OS_PASSWORD, OS_TOKEN,
    OS_APPLICATION_CREDENTIAL_SECRET...), which openstacksdk reads."""
    return set(value for name, value in environ.items()
               if name.startswith('OS_') and value and SECRET_NAME.search(name[3:]))


def clouds_yaml_secrets(cloud):
    """The secrets clouds.yaml and secure.yaml hold for the cloud named
    ``cloud``, as openstacksdk's loader merges them (no profile is
    fetched); none when they cannot be read (connecting then says why)."""
    if not isinstance(cloud, str):
        return set()
    try:
        from openstack.config import loader
        config = loader.OpenStackConfig().cloud_config
        return secrets(config.get('clouds', {}).get(cloud) or {})
    except Exception:
        return set()


def ansible_module(argument_spec, **kwargs):
    """The AnsibleModule of a volsvc.cinder module, that keeps every secret
    of the connection out of its output, its messages and its log (syslog
    or the journal), however the connection is given: ``auth`` (no_log),
    a ``cloud`` dict (its secrets: :func:`cloud_spec`), and the OS_*
    variables and clouds.yaml's secrets, which may surface in an error's
    text."""
    spec = dict(argument_spec, cloud=cloud_spec(basic._load_params()))
    module = basic.AnsibleModule(argument_spec=spec, **kwargs)
    module.no_log_values.update(environment_secrets(os.environ))
    module.no_log_values.update(clouds_yaml_secrets(module.params.get('cloud')))
    return module


def connect_options(params):
    """The openstack.connect() keywords of the module's parameters: a
    ``cloud`` dict is the whole cloud configuration (as in a section of
    clouds.yaml), so nothing else may be given beside it; a ``cloud`` name
    is completed by the options given. Raises OptionError for the first."""
    cloud = params.get('cloud')
    given = [name for name in _CONNECTION_OPTIONS if params.get(name) is not None]
    if isinstance(cloud, dict):
        if given:
            raise OptionError(
                'cloud is a whole cloud configuration (a dict): give %s inside '
                'it, not beside it' % ', '.join(given))
        return dict(cloud)
    if _holds_configuration(cloud):
        raise OptionError('cloud is a string that holds a configuration: give the '
                          'configuration as a dict (from_json or from_yaml), or '
                          'the name of a cloud in clouds.yaml')
    if cloud is not None and not isinstance(cloud, str):
        raise OptionError('cloud must be the name of a cloud in clouds.yaml '
                          'or a dict of its configuration')
    options = dict((_CONNECT_NAMES.get(name, name), params[name])
                   for name in given)
    if cloud is not None:
        options['cloud'] = cloud
    return options
