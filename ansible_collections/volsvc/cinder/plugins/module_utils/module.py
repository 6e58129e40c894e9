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

"""VolsvcModule: openstack.cloud's module shape (``argument_spec``,
``module_kwargs``, ``run()``) on volsvcclient's Python API, and the one
place that turns an error into a task's one-line message.

Not a subclass of openstack.cloud's OpenStackModule: that one makes its own
openstacksdk connection, from an AnsibleModule built before our masking of a
``cloud`` dict can apply (it shows that dict's password), with no bound on
requests unless the cloud sets api_timeout, and our modules would need the
openstack.cloud collection installed beside them. This class keeps its
names and its common options, so its users read our modules as theirs.

The modules run where volsvcclient is installed (as openstack.cloud's need
openstacksdk), so volsvcclient is imported when a module starts: ansible-test
imports the modules where it is absent.
"""

import abc
import logging
import platform
import re
import sys
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.volsvc.cinder.plugins.module_utils import bounds
from ansible_collections.volsvc.cinder.plugins.module_utils import connection
from ansible_collections.volsvc.cinder.plugins.module_utils.words import WORDS

#: The oldest volsvcclient whose Python API these modules use. None is
#: released yet, and pbr's 0.0.1.devN (pre-releases of 0.0.1) count commits,
#: which differ between clones: until the first release sets it to itself,
#: any volsvcclient passes, and an older snapshot fails on the API it lacks.
MIN_VOLSVCCLIENT = '0.0.1.dev0'

#: Pre-release and post-release tags of a PEP 440 version, in order.
_PHASES = {'dev': 0, 'a': 1, 'b': 2, 'rc': 3, '': 4, 'post': 5}


def version_key(text):
    """A sort key of a version as pip orders it ('0.0.1.dev3' < '0.0.1a1'
    < '0.0.1' < '0.0.1.post2'), for the versions pbr makes."""
    match = re.match(r'^(\d+(?:\.\d+)*)(?:[.-]?(dev|a|b|rc|post)(\d*))?', text)
    if match is None:
        return ((0,), 0, 0)
    release = tuple(int(part) for part in match.group(1).split('.'))
    release += (0,) * (3 - len(release))
    return release, _PHASES[match.group(2) or ''], int(match.group(3) or 0)


def load_api():
    """(volsvcclient.api, None), or (None, why the task cannot run: not
    installed, or older than MIN_VOLSVCCLIENT) naming what to install."""
    from importlib import metadata

    wanted = 'volsvcclient >= %s' % MIN_VOLSVCCLIENT
    try:
        found = metadata.version('volsvcclient')
    except metadata.PackageNotFoundError:
        return None, missing_required_lib(wanted)
    if version_key(found) < version_key(MIN_VOLSVCCLIENT):
        return None, ('volsvcclient %s on %s\'s Python %s is older than volsvc.cinder '
                      'needs: install %s there' % (found, platform.node(), sys.executable,
                                                   wanted))
    try:
        from volsvcclient import api
    except ImportError:
        return None, '%s (%s)' % (missing_required_lib(wanted),
                                  traceback.format_exc().splitlines()[-1])
    return api, None


def message(exc, api):
    """One line for the task: the API's errors in the modules' words
    (their options and tasks), ours as they are, and the class name beside
    the text for anything else (a keystoneauth or openstacksdk error names
    the endpoint or the cloud)."""
    if isinstance(exc, api.Error):
        text = exc.worded(WORDS)
    elif isinstance(exc, connection.OptionError):
        text = str(exc)
    else:
        text = '%s: %s' % (type(exc).__name__, exc)
    return ' '.join(text.split())


class VolsvcModule(abc.ABC):
    """A volsvc.cinder module: ``argument_spec`` (its own options; the
    common ones are added), ``module_kwargs`` (AnsibleModule's keywords),
    and ``run()``, which returns the result or calls ``fail_json``;
    ``VolsvcModule()()`` runs it."""

    argument_spec = {}
    module_kwargs = {}

    def __init__(self):
        self.ansible = connection.ansible_module(
            connection.argument_spec(**self.argument_spec), **self.module_kwargs)
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self.exit_json = self.ansible.exit_json
        self.fail_json = self.ansible.fail_json
        self.warn = self.ansible.warn
        self.log = self.ansible.log
        self.api, why = load_api()
        if why:
            self.fail_json(msg=why, **self.failed(why))
        self.setup_sdk_logging()

    def setup_sdk_logging(self):
        """openstack.cloud's sdk_log_path and sdk_log_level: openstacksdk's
        and keystoneauth's log (HTTP requests at DEBUG), and volsvcclient's
        notes, in that file."""
        path = self.params['sdk_log_path']
        if path is None:
            return
        import openstack

        debug = self.params['sdk_log_level'] == 'DEBUG'
        handler = logging.FileHandler(path)
        openstack.enable_logging(debug=debug, http_debug=debug, handlers=[handler])
        notes = logging.getLogger('volsvcclient')
        notes.addHandler(handler)
        notes.setLevel(logging.DEBUG if debug else logging.INFO)

    def client(self, rpc_timeout=None):
        """A volsvcclient.api.Client for the task's connection options."""
        options = connection.connect_options(self.params)
        cloud = options.pop('cloud', None)
        return self.api.Client.from_cloud(cloud, rpc_timeout=rpc_timeout, **options)

    def failed(self, msg):
        """What the task returns besides ``msg`` when it fails (a check
        says UNKNOWN)."""
        return {}

    @abc.abstractmethod
    def run(self):
        """The task: its result (a dict) for exit_json."""

    def __call__(self):
        """Run the task: one line for any error, the traceback with -vvv."""
        try:
            bounds.check(self.params)
            result = self.run()
        except KeyboardInterrupt:
            msg = 'Interrupted by SIGINT; nothing was changed'
            self.fail_json(msg=msg, **self.failed(msg))
        except Exception as exc:
            msg = message(exc, self.api)
            self.fail_json(msg=msg, exception=traceback.format_exc(), **self.failed(msg))
        self.exit_json(**result)
