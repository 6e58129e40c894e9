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

"""ansible-playbook -vvv itself, with the collection of this repository and
the fake Cinder: what an operator's terminal, ansible's log file and the
module's syslog show.

The modules run under a Python of the test's own (``ansible_python_
interpreter``) that starts the fake cloud on requests-mock, records what
the module sends to syslog or the journal, then runs the AnsiballZ file
ansible gave it: ansible's controller, its module transport and display
are the real ones.
"""

import json
import os
import subprocess
import sys

import fixtures
import testtools

from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit.ansible import test_secrets

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))

#: The module's Python: the fake cloud, syslog and the journal recorded.
INTERPRETER = '''\
#!{python}
import json
import runpy
import sys
import syslog

import requests_mock

from volsvcclient.tests.unit import fakes

LOG = {log!r}


def record(*args, **kwargs):
    with open(LOG, 'a') as stream:
        stream.write(json.dumps([args, kwargs]) + '\\n')


syslog.syslog = record
try:
    from systemd import journal
except ImportError:
    pass
else:
    journal.send = record
mocker = requests_mock.Mocker(case_sensitive=True)
mocker.start()
cloud = fakes.Cloud(mocker)
cloud.cinder.add('node1@lvm')
cloud.cinder.add('node1', 'cinder-scheduler')
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
'''

PLAYBOOK = '''\
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    cloud_config: {cloud}
  tasks:
    - name: A check that succeeds
      volsvc.cinder.volume_service_check:
        cloud: "{{{{ cloud_config }}}}"

    - name: A change that fails
      volsvc.cinder.volume_service:
        cloud: "{{{{ cloud_config }}}}"
        host: node9@lvm
        binary: cinder-volume
        status: disabled
      diff: true
      ignore_errors: true

    - name: Arguments ansible refuses
      volsvc.cinder.volume_service_wait:
        cloud: "{{{{ cloud_config }}}}"
        state: sideways
      ignore_errors: true
'''


class TestPlaybookVerbose(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.playbook_command = os.path.join(os.path.dirname(sys.executable),
                                             'ansible-playbook')
        if not os.path.exists(self.playbook_command):
            self.skipTest('ansible-core is not installed beside this Python')
        self.dir = self.useFixture(fixtures.TempDir()).path

    def write(self, name, text, mode=0o644):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as stream:
            stream.write(text)
        os.chmod(path, mode)
        return path

    def test_nothing_secret_at_vvv(self):
        syslog = os.path.join(self.dir, 'syslog')
        python = self.write('python', INTERPRETER.format(python=sys.executable, log=syslog),
                            0o755)
        playbook = self.write('play.yml', PLAYBOOK.format(
            cloud=json.dumps(test_secrets.cloud_dict())))
        clouds = self.write('clouds.yaml', 'clouds: {}\n')
        ansible_log = os.path.join(self.dir, 'ansible.log')
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(('OS_', 'ANSIBLE_'))}
        env.update(HOME=self.dir, OS_CLIENT_CONFIG_FILE=clouds, ANSIBLE_NOCOLOR='1',
                   ANSIBLE_COLLECTIONS_PATH=REPO, ANSIBLE_LOG_PATH=ansible_log,
                   ANSIBLE_PIPELINING='0', ANSIBLE_LOCAL_TEMP=os.path.join(self.dir, 'tmp'),
                   ANSIBLE_REMOTE_TEMP=os.path.join(self.dir, 'tmp'))
        done = subprocess.run(
            [self.playbook_command, '-vvv', '-i', 'localhost,', playbook,
             '-e', f'ansible_python_interpreter={python}'],
            env=env, cwd=self.dir, capture_output=True, text=True, timeout=300)
        shown = done.stdout + done.stderr
        self.assertEqual(0, done.returncode, shown)
        with open(ansible_log) as stream:
            logged = stream.read()
        with open(syslog) as stream:
            module_log = stream.read()
        for text in (shown, logged, module_log):
            self.assertNotIn(test_secrets.PASSWORD, text)
        # The three tasks ran, and -vvv showed each one's module_args.
        self.assertIn('ok=3 ', shown)
        self.assertIn('failed=0 ', shown)
        self.assertIn('ignored=2', shown)
        self.assertEqual(3, shown.count(f'"password": "{runner.MASKED}"'), shown)
        # The two modules that got past their arguments logged them.
        self.assertEqual(2, module_log.count('Invoked with'), module_log)
        self.assertIn("'username': 'admin'", module_log)
