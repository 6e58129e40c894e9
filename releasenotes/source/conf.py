"""Sphinx configuration for volsvcclient release notes."""

project = 'volsvcclient release notes'
extensions = ['reno.sphinxext']
master_doc = 'index'
html_theme = 'alabaster'
