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

"""A stand-in for the get-pip.py that ansible-test downloads from
ci-files.testing.ansible.com to put pip into each venv it makes, for
machines that reach only PyPI (CI). tools/run-ansible puts it where
ansible-test caches that script. ansible-test runs it with pip's options
and the packages to install (pip==X first): pip comes from the
interpreter's own ensurepip, then the packages asked, from PyPI.
"""

import subprocess
import sys

# ensurepip takes no --no-setuptools; the packages asked are installed
# as named, and nothing else.
ASKED = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'],
                      stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '-q'] + ASKED)
