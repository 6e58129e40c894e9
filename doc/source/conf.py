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

"""Sphinx configuration for volsvcclient."""

import fnmatch
import os
import sys

from cliff import sphinxext

from volsvcclient.osc import shell

# Extensions of this documentation: doc/source/_exts.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '_exts'))

project = 'volsvcclient'
copyright = 'volsvcclient developers'
extensions = ['cliff.sphinxext', 'openstackdocstheme', 'sphinx.ext.autodoc',
              'sphinx.ext.graphviz', 'ansible_modules']
# The Python API reference (api.rst) is its docstrings and type hints.
autodoc_member_order = 'bysource'
autodoc_typehints = 'signature'
# Types of the libraries the API takes, and the command line's own way in.
nitpick_ignore = [
    ('py:class', 'Connection'), ('py:class', 'datetime.datetime'),
    ('py:class', 'ServiceAPI'), ('py:class', 'openstack.exceptions.SDKException'),
    # An alias (Callable[[Event], None]) whose name autodoc cannot resolve.
    ('py:class', 'Listener'),
]
# The state diagram is built by Graphviz's dot: a broken source fails the build.
graphviz_output_format = 'svg'
master_doc = 'index'
exclude_patterns = ['_build']
# OpenStack's theme, as docs.openstack.org publishes every project. It
# reads the last-updated date from git and fetches nothing: -W builds offline.
html_theme = 'openstackdocs'
openstackdocs_repo_name = 'openstack/volsvcclient'
openstackdocs_bug_project = 'volsvcclient'
openstackdocs_bug_tag = ''
openstackdocs_auto_name = False
autoprogram_cliff_application = 'openstack'


class AutoprogramVolsvc(sphinxext.AutoprogramCliffDirective):
    """autoprogram-cliff for ``volsvc``: its command manager loads the same
    entry points under their names without "volume service ", which cliff's
    own directive (one CommandManager per namespace) cannot show."""

    def _load_commands(self) -> dict[str, type]:
        manager = shell.Commands(self.arguments[0])
        pattern = self.options.get('command') or '*'
        return {
            name: self._load_command(manager, name)
            for name in manager.commands if fnmatch.fnmatch(name, pattern)
        }


def setup(app) -> None:
    app.add_directive('autoprogram-volsvc', AutoprogramVolsvc)
