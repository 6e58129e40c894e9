"""Sphinx configuration for volsvcclient."""

import fnmatch

from cliff import sphinxext

from volsvcclient import shell

project = 'volsvcclient'
copyright = 'volsvcclient developers'
extensions = ['cliff.sphinxext', 'sphinx.ext.graphviz']
# The state diagram is built by Graphviz's dot: a broken source fails the build.
graphviz_output_format = 'svg'
master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
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
