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

"""Run the real ``openstack`` shell, or ``volsvc``, in-process against
fakes.Cloud.

Every ShellTestCase runs once per program (testscenarios): a module that
holds such tests sets ``load_tests = base.load_tests``.
"""

import dataclasses
import io
import json
import logging
import os

import fixtures
from requests_mock.contrib import fixture as rm_fixture
import testscenarios
import testtools

from volsvcclient.tests.unit import fakes

#: The two programs made of the same command classes.
PROGRAMS = [
    ('openstack', {'program': 'openstack'}),
    ('volsvc', {'program': 'volsvc'}),
]
load_tests = testscenarios.load_tests_apply_scenarios


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@dataclasses.dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


class ShellTestCase(testtools.TestCase):
    """A fresh fake cloud per test; ``cli()`` runs one command."""

    scenarios = PROGRAMS
    program = 'openstack'
    release = 29
    v2 = False

    def setUp(self):
        super().setUp()
        for name in list(os.environ):
            if name.startswith('OS_'):
                self.useFixture(fixtures.EnvironmentVariable(name))
        for name, value in fakes.OS_ENVIRONMENT.items():
            self.useFixture(fixtures.EnvironmentVariable(name, value))
        config = self.useFixture(fixtures.TempDir()).join('clouds.yaml')
        with open(config, 'w') as stream:
            stream.write('clouds: {}\n')
        self.useFixture(fixtures.EnvironmentVariable('OS_CLIENT_CONFIG_FILE', config))
        self.useFixture(fixtures.EnvironmentVariable('HOME', os.path.dirname(config)))
        self.mock = self.useFixture(rm_fixture.Fixture(case_sensitive=True))
        self.cloud = fakes.Cloud(self.mock, release=self.release, v2=self.v2)
        self.cinder = self.cloud.cinder
        self.addCleanup(self._reset_logging)

    @staticmethod
    def _reset_logging():
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)

    def cli(self, *args, version=None, stdin=None, global_options=(), tty=False):
        """Run ``openstack [--os-volume-api-version V] volume service ARGS``,
        or ``volsvc [--os-volume-api-version V] ARGS``.

        ``tty`` makes stderr look like a terminal.
        """
        argv = list(global_options)
        if version:
            argv += ['--os-volume-api-version', version]
        if self.program == 'volsvc':
            from volsvcclient.osc import shell

            program = shell.Shell
        else:
            from openstackclient import shell

            program = shell.OpenStackShell
            argv += ['volume', 'service']
        argv += args
        stdout = io.StringIO()
        stderr = _Terminal() if tty else io.StringIO()
        patches = [
            fixtures.MonkeyPatch('sys.stdout', stdout),
            fixtures.MonkeyPatch('sys.stderr', stderr),
        ]
        if stdin is not None:
            patches.append(fixtures.MonkeyPatch('sys.stdin', io.StringIO(stdin)))
        for patch in patches:
            patch.setUp()
        try:
            code = program().run(argv)
        except SystemExit as exc:
            code = exc.code
        finally:
            for patch in reversed(patches):
                patch.cleanUp()
            self._reset_logging()
        return Result(code, stdout.getvalue(), stderr.getvalue())

    def command(self, words):
        """Advice as the program under test words it: 'volsvc thaw H' or
        'openstack volume service thaw H'."""
        from volsvcclient.osc import voice

        return voice.Voice(self.program if self.program == 'volsvc'
                           else voice.OPENSTACK).command(words)

    def assertFails(self, result, message, retries=0):
        """Exit 1 with ``message`` on one stderr line and no traceback.

        ``retries`` keystoneauth notices of retried reads may come first
        (one at most, whatever the number of retries, unless -v).
        """
        self.assertEqual(1, result.code, result)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(retries + 1, len(lines), result.stderr)
        self.assertIn(message, lines[-1])
        for notice in lines[:-1]:
            self.assertIn('Retrying in', notice)
            self.assertTrue(notice.endswith('(-v shows every retry)'), notice)
        self.assertNotIn('Traceback', result.stderr)

    def microversions(self, method=None):
        return [
            r.headers.get('OpenStack-API-Version')
            for r in self.cinder.requests(method)
        ]
