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
import signal
import subprocess
import sys
import time

import fixtures
import testtools

from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit.ansible import test_secrets

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))

#: The module's Python: the fake cloud, syslog and the journal recorded,
#: its pid written down; with VOLSVC_TEST_HOLD, the first change Cinder
#: applies leaves LOG.sending, and its answer waits for LOG.go.
INTERPRETER = '''\
#!{python}
import json
import os
import runpy
import sys
import syslog
import time

import requests_mock

from volsvcclient.tests.unit import fakes

LOG = {log!r}


def record(*args, **kwargs):
    with open(LOG, 'a') as stream:
        stream.write(json.dumps([args, kwargs]) + '\\n')


def hold(action, body):
    if os.environ.get('VOLSVC_TEST_HOLD') and not os.path.exists(LOG + '.sending'):
        open(LOG + '.sending', 'a').close()
        deadline = time.monotonic() + 60
        while not os.path.exists(LOG + '.go') and time.monotonic() < deadline:
            time.sleep(0.05)


with open(LOG + '.pid', 'a') as stream:
    stream.write('%d\\n' % os.getpid())
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
for n in range(1, 7):
    cloud.cinder.add('node%d@lvm' % n)
cloud.cinder.add('node1', 'cinder-scheduler')
cloud.cinder.after_action = hold
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


#: A change of six services, one at a time.
CHANGE = '''\
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Disable every backend
      volsvc.cinder.volume_service:
        cloud: {cloud}
        host_pattern: "node*"
        status: disabled
        concurrency: 1
'''


#: A stand-in for the openstack.cloud collection: its module_defaults group
#: and one module that returns the cloud it was given.
OPENSTACK_CLOUD = {
    'meta/runtime.yml': '''\
requires_ansible: '>=2.15.0'
action_groups:
  openstack:
    - cloud_given
''',
    'plugins/modules/cloud_given.py': '''\
#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule

module = AnsibleModule(argument_spec=dict(cloud=dict(type='raw', no_log=True)))
module.exit_json(changed=False, cloud_given=module.params['cloud'] is not None)
''',
}

#: One module_defaults group for openstack.cloud's modules and ours.
ONE_GROUP = '''\
- hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/volsvc.cinder.openstack:
      cloud: {cloud}
  tasks:
    - name: Ours
      volsvc.cinder.volume_service_check:
      register: ours

    - name: openstack.cloud's
      openstack.cloud.cloud_given:
      register: theirs

    - name: Both got the cloud
      ansible.builtin.assert:
        that:
          - ours.verdict == 'OK'
          - theirs.cloud_given
'''


def wait_for(condition, what, seconds=60):
    """Wait (bounded) until ``condition()`` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f'no {what} after {seconds} s')
        time.sleep(0.05)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class TestPlaybook(testtools.TestCase):
    """ansible-playbook with the collection of this repository, its modules
    under INTERPRETER."""

    def setUp(self):
        super().setUp()
        self.playbook_command = os.path.join(os.path.dirname(sys.executable),
                                             'ansible-playbook')
        if not os.path.exists(self.playbook_command):
            self.skipTest('ansible-core is not installed beside this Python')
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.syslog = os.path.join(self.dir, 'syslog')
        self.python = self.write(
            'python', INTERPRETER.format(python=sys.executable, log=self.syslog), 0o755)
        self.ansible_log = os.path.join(self.dir, 'ansible.log')
        self.env = {name: value for name, value in os.environ.items()
                    if not name.startswith(('OS_', 'ANSIBLE_', 'VOLSVC_'))}
        self.env.update(
            HOME=self.dir, OS_CLIENT_CONFIG_FILE=self.write('clouds.yaml', 'clouds: {}\n'),
            ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_PATH=REPO,
            ANSIBLE_LOG_PATH=self.ansible_log, ANSIBLE_PIPELINING='0',
            ANSIBLE_LOCAL_TEMP=os.path.join(self.dir, 'tmp'),
            ANSIBLE_REMOTE_TEMP=os.path.join(self.dir, 'tmp'))

    def write(self, name, text, mode=0o644):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as stream:
            stream.write(text)
        os.chmod(path, mode)
        return path

    def command(self, playbook, *options):
        return [self.playbook_command, *options, '-i', 'localhost,', playbook,
                '-e', f'ansible_python_interpreter={self.python}']

    def read(self, path):
        with open(path) as stream:
            return stream.read()

    def test_nothing_secret_at_vvv(self):
        playbook = self.write('play.yml', PLAYBOOK.format(
            cloud=json.dumps(test_secrets.cloud_dict())))
        done = subprocess.run(self.command(playbook, '-vvv'), env=self.env, cwd=self.dir,
                              capture_output=True, text=True, timeout=300)
        shown = done.stdout + done.stderr
        self.assertEqual(0, done.returncode, shown)
        module_log = self.read(self.syslog)
        for text in (shown, self.read(self.ansible_log), module_log):
            self.assertNotIn(test_secrets.PASSWORD, text)
        # The three tasks ran, and -vvv showed each one's module_args.
        self.assertIn('ok=3 ', shown)
        self.assertIn('failed=0 ', shown)
        self.assertIn('ignored=2', shown)
        self.assertEqual(3, shown.count(f'"password": "{runner.MASKED}"'), shown)
        # The two modules that got past their arguments logged them.
        self.assertEqual(2, module_log.count('Invoked with'), module_log)
        self.assertIn("'username': 'admin'", module_log)

    def test_one_module_defaults_group_with_openstack_cloud(self):
        # meta/runtime.yml's group openstack extends openstack.cloud's.
        collections = os.path.join(self.dir, 'collections')
        for name, text in OPENSTACK_CLOUD.items():
            path = os.path.join(collections, 'ansible_collections', 'openstack', 'cloud', name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as stream:
                stream.write(text)
        env = dict(self.env, ANSIBLE_COLLECTIONS_PATH=f'{REPO}:{collections}')
        playbook = self.write('group.yml', ONE_GROUP.format(
            cloud=json.dumps(test_secrets.cloud_dict())))
        done = subprocess.run(self.command(playbook), env=env, cwd=self.dir,
                              capture_output=True, text=True, timeout=300)
        shown = done.stdout + done.stderr
        self.assertEqual(0, done.returncode, shown)
        self.assertIn('ok=3 ', shown)

    def test_ctrl_c_mid_change_leaves_a_report(self):
        # ansible-playbook's worker sends the module's process group the
        # SIGINT, then exits: the report is left in the module's log. The
        # first request's answer is held until then.
        env = dict(self.env, VOLSVC_TEST_HOLD='1')
        started = subprocess.Popen(
            self.command(self.write('change.yml', CHANGE.format(
                cloud=json.dumps(test_secrets.cloud_dict())))), env=env, cwd=self.dir,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        self.addCleanup(started.kill)
        wait_for(lambda: os.path.exists(self.syslog + '.sending')
                 or started.poll() is not None, 'request sent')
        if started.poll() is not None:
            self.fail(started.communicate()[0])
        pid = int(self.read(self.syslog + '.pid'))
        self.addCleanup(lambda: alive(pid) and os.kill(pid, signal.SIGKILL))
        # As a terminal does: to the foreground process group (ansible-core
        # 2.19 workers leave it and pass the signal on; older ones stay in it).
        os.killpg(started.pid, signal.SIGINT)
        shown = started.communicate(timeout=120)[0]
        self.assertIn('User interrupted execution', shown)
        self.write('syslog.go', '')
        wait_for(lambda: not alive(pid), 'end of the module process')
        (report,) = [json.loads(line)[0][-1] for line in self.read(self.syslog).splitlines()
                     if 'Interrupted by' in line]
        # The request under way finished; the others were not sent. Which
        # signal reaches the module first is ansible-playbook's affair: a
        # loaded machine lets its worker's SIGTERM (on its way out) come
        # before the SIGINT it passes on.
        unsent = ' (not sent: interrupted)'
        signal_name, _, rest = report.partition(': ')
        self.assertIn(signal_name, ('Interrupted by SIGINT', 'Interrupted by SIGTERM'))
        self.assertEqual(
            'cinder-volume on node1@lvm: changed; '
            + '; '.join(f'cinder-volume on node{n}@lvm: not attempted{unsent}'
                        for n in range(2, 7)), rest)
