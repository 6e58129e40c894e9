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

"""The range of every numeric option, checked before anything is sent.

Ansible's spec converts ``nan``, ``inf`` and ``-1`` to floats and has no
range for them (a ``timeout: nan`` wait never ends: no time is past a NaN
deadline); a callable ``type`` would check them, but then the spec's type no
longer matches the documented one, which ansible-test refuses. So the
modules check them here, in their own words, whatever the Python API
checks; ``concurrency`` is a spec's ``choices``.
"""

import math

from ansible_collections.volsvc.cinder.plugins.module_utils.connection import OptionError

#: The most services volume_service changes at once (volsvcclient.api.
#: MAX_CONCURRENCY: requests' HTTP connection pool size).
MAX_CONCURRENCY = 10
CONCURRENCY_CHOICES = list(range(1, MAX_CONCURRENCY + 1))

#: Option -> (the least value, whether the least value itself is allowed).
#: Timeouts of a request must be more than 0 (urllib3 refuses 0 only once
#: the request is sent); a wait reads at least every second (Cinder's
#: services report every 10 s).
NUMBERS = {
    'api_timeout': (0, False),
    'rpc_timeout': (0, False),
    'timeout': (0, True),
    'wait_timeout': (0, True),
    'interval': (1, True),
}


def check(params):
    """Raise OptionError naming the first option given out of its range."""
    for name in sorted(NUMBERS):
        value = params.get(name)
        if value is None:
            continue
        least, allowed = NUMBERS[name]
        if not math.isfinite(value) or value < least or (value == least and not allowed):
            raise OptionError('%s must be a finite number of seconds, %s %g (got %s)' % (
                name, 'at least' if allowed else 'more than', least, value))
