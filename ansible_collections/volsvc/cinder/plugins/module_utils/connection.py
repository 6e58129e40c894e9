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

"""The connection options every module of volsvc.cinder takes, read as
openstack.cloud's modules read them, and the one place that turns an
error into the task's one-line message.

The modules run where volsvcclient is installed (as openstack.cloud's need
openstacksdk), so volsvcclient is imported here, inside a try: ansible-test
imports the modules where it is absent.
"""

import os
import re
import traceback

from ansible.module_utils import basic
from ansible.module_utils.basic import missing_required_lib

try:
    from volsvcclient import api
except ImportError:
    api = None
    API_IMPORT_ERROR = traceback.format_exc()
else:
    API_IMPORT_ERROR = None

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
    """The connection options, then the module's own."""
    spec = dict(
        cloud=dict(type='raw'),
        auth=dict(type='dict', no_log=True),
        auth_type=dict(type='str'),
        region_name=dict(type='str'),
        # No default: the cloud's own interface (clouds.yaml, OS_INTERFACE)
        # must win when the task does not name one.
        interface=dict(type='str', choices=['public', 'internal', 'admin'],
                       aliases=['endpoint_type']),
        validate_certs=dict(type='bool', aliases=['verify']),
        ca_cert=dict(type='str', aliases=['cacert']),
        client_cert=dict(type='str', aliases=['cert']),
        client_key=dict(type='str', no_log=True, aliases=['key']),
        api_timeout=dict(type='int'),
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


def require_api(module):
    """volsvcclient.api, or the task fails saying what to install."""
    if api is None:
        module.fail_json(msg=missing_required_lib('volsvcclient'),
                         exception=API_IMPORT_ERROR)
    return api


def client(module, rpc_timeout=None):
    """A volsvcclient.api.Client for the module's connection options;
    raises OptionError, or the API's errors."""
    volsvc_api = require_api(module)
    options = connect_options(module.params)
    cloud = options.pop('cloud', None)
    return volsvc_api.Client.from_cloud(cloud, rpc_timeout=rpc_timeout, **options)


def message(exc):
    """One line for the task: the API's own wording for its errors, with
    the advice of a refusal that a keyword argument overrules worded here
    (the modules' options are named as the API's keyword arguments); the
    class name beside the text for anything else (a keystoneauth or
    openstacksdk error names the endpoint or the cloud)."""
    if isinstance(exc, OptionError) or (api is not None and isinstance(exc, api.Error)):
        # A refusal that an option overrules (the API's _Advised); other
        # errors may name an option too (TooOld: the one that needs 3.7).
        option, purpose = getattr(exc, 'option', None), getattr(exc, 'purpose', None)
        if option and purpose:
            text = '%s. %s' % (exc.facts, advice(option, purpose))
        else:
            text = str(exc)
    else:
        text = '%s: %s' % (type(exc).__name__, exc)
    return ' '.join(text.split())


def advice(option, purpose):
    """Advice to set the module option named as the API's keyword
    argument ``option``, that does ``purpose``."""
    return 'Set %s: true to %s' % (option, purpose)


def report_reason(report):
    """Why an api.Report's services did not all end as asked, its advice
    naming the modules' options; None when they did."""
    return report.worded(advice)


def fail(module, exc, **result):
    """End the task with the one-line message; the traceback only with -vvv."""
    module.fail_json(msg=message(exc), exception=traceback.format_exc(), **result)
