"""Sphinx configuration for volsvcclient."""

project = 'volsvcclient'
copyright = 'volsvcclient developers'
extensions = ['cliff.sphinxext']
master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
autoprogram_cliff_application = 'openstack'
