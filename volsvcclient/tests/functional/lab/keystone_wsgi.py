"""Keystone's WSGI application for gunicorn in the lab.

Keystone parses ``sys.argv`` through oslo.config when it builds its app,
so gunicorn's own arguments must not reach it: clear them first.  The
configuration file comes from OS_KEYSTONE_CONFIG_FILES.
"""

import sys

sys.argv = sys.argv[:1]

from keystone.wsgi.api import application  # noqa: E402,F401
