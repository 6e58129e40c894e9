"""Sphinx configuration for volsvcclient."""

project = 'volsvcclient'
copyright = 'volsvcclient developers'
extensions = ['cliff.sphinxext', 'sphinx.ext.graphviz']
# The state diagram is built by Graphviz's dot: a broken source fails the build.
graphviz_output_format = 'svg'
master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
autoprogram_cliff_application = 'openstack'
