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

"""Run a volsvc.cinder module's main() in-process, as ansible runs it,
against the fake Cinder of the unit tests.

The module args go in through ansible's own channel (the testing helper
of ansible-core 2.19, or ``basic._ANSIBLE_ARGS`` before it), and the result
is the JSON the module prints, so everything ansible's exit_json and
fail_json do (``invocation``, masking of no_log values, warnings) is in
what the tests check; what the module logs to syslog or the journal is
recorded from AnsibleModule.log.
"""

import contextlib
import dataclasses
import io
import json
import os
import sys
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings
import fixtures

from volsvcclient.tests.unit import base

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    @contextlib.contextmanager
    def patch_module_args(args):
        encoded = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()
        with mock.patch.object(basic, '_ANSIBLE_ARGS', encoded):
            yield

#: What ansible replaces a value of a no_log parameter with.
MASKED = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def warning_text(warning):
    """A warning's text: ansible-core 2.19 returns each as a summary of an
    event, earlier releases as a string."""
    if isinstance(warning, dict):
        return warning['event']['msg']
    return warning


@dataclasses.dataclass
class Run:
    """One run of a module: its exit status, the JSON result it printed,
    and what it sent to the system log."""

    code: int
    result: dict
    logged: list
    stderr: str

    @property
    def text(self):
        """Everything the module let out, as one string to search."""
        return json.dumps([self.result, self.logged]) + self.stderr


class ModuleTestCase(base.ShellTestCase):
    """A fresh fake cloud per test (OS_* variables of an openrc point at
    it); ``run()`` runs one module."""

    scenarios = [('ansible', {})]

    def without_environment(self):
        """No OS_* variable: the connection is only what the task gives."""
        for name in list(os.environ):
            if name.startswith('OS_') and name != 'OS_CLIENT_CONFIG_FILE':
                self.useFixture(fixtures.EnvironmentVariable(name))

    def run_module(self, module, check_mode=False, diff=False, **args):
        """Run ``module.main()`` with ``args`` as a task would give them."""
        name = module.__name__.rpartition('.')[2]
        params = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff,
                      _ansible_verbosity=3, _ansible_module_name=f'volsvc.cinder.{name}')
        stdout, stderr, logged = io.StringIO(), io.StringIO(), []

        def log(module, msg, log_args=None):
            logged.append(dict(msg=msg, log_args=log_args))

        with contextlib.ExitStack() as stack:
            # Warnings and deprecations are kept in module globals until a
            # result is printed: each run starts with none, as a process does.
            for name in ('_global_warnings', '_global_deprecations'):
                if hasattr(ansible_warnings, name):
                    stack.enter_context(mock.patch.object(
                        ansible_warnings, name, type(getattr(ansible_warnings, name))()))
            stack.enter_context(patch_module_args(params))
            stack.enter_context(mock.patch.object(basic.AnsibleModule, 'log', log))
            stack.enter_context(mock.patch.object(sys, 'stdout', stdout))
            stack.enter_context(mock.patch.object(sys, 'stderr', stderr))
            try:
                module.main()
            except SystemExit as exc:
                code = exc.code
            else:
                self.fail(f'{module.__name__} returned without exit_json or fail_json')
        result = json.loads(stdout.getvalue())
        if 'warnings' in result:
            result['warnings'] = [warning_text(w) for w in result['warnings']]
        return Run(code, result, logged, stderr.getvalue())

    def assertExits(self, run, expected):
        """exit_json with exactly ``expected`` (``invocation`` aside)."""
        self.assertEqual(0, run.code, run)
        self.assertEqual(expected, self.without_invocation(run.result))

    def assertFailsWith(self, run, expected):
        """fail_json with exactly ``expected`` (``invocation`` and the
        traceback ansible shows with -vvv aside), its message one line."""
        self.assertEqual(1, run.code, run)
        result = self.without_invocation(run.result)
        result.pop('exception', None)
        self.assertEqual(dict(expected, failed=True), result)
        self.assertNotIn('\n', result['msg'])

    @staticmethod
    def without_invocation(result):
        result = dict(result)
        result.pop('invocation')
        return result


def service(host, binary='cinder-volume', **fields):
    """A service as volume_service_wait and volume_service_check return it
    (openstack.cloud's volume_service_info fields), the fake Cinder's
    defaults unless ``fields`` say otherwise."""
    volume = binary == 'cinder-volume'
    listed = dict(
        host=host, binary=binary, name=binary, id=None, availability_zone='nova',
        status='enabled', state='up', updated_at='2026-11-24T10:00:00.000000',
        disabled_reason=None, cluster=None, is_frozen=False if volume else None,
        replication_status='disabled' if volume else None,
        active_backend_id=None, backend_state=None)
    listed.update(fields)
    return listed
