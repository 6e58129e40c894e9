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

"""Plugin registration and import cost."""

import ast
import subprocess
import sys

from volsvcclient.osc import plugin
from volsvcclient.tests.unit import base

load_tests = base.load_tests

COMMANDS = ('check', 'commit', 'failover', 'freeze', 'list', 'set', 'show', 'thaw',
            'wait')


class TestPlugin(base.ShellTestCase):
    def test_shares_osc_volume_version_option(self):
        self.assertEqual('os_volume_api_version', plugin.API_VERSION_OPTION)
        self.assertNotEqual('volume', plugin.API_NAME)
        parser = object()
        self.assertIs(parser, plugin.build_option_parser(parser))
        self.assertTrue(plugin.check_api_version('3.26'))

    def test_help_lists_our_nine_commands(self):
        result = self.cli('--help')
        for name in COMMANDS:
            if self.program == 'openstack':
                self.assertIn(f'  volume service {name}\n', result.stdout)
            else:
                self.assertIn(f'\n  {name}  ', result.stdout)

    def test_our_commands_replace_core_ones_in_both_groups(self):
        for version, cluster in (('2', False), ('3', True), ('3.49', True)):
            self.cinder.v2 = True
            result = self.cli('list', '--help', version=version)
            self.assertEqual(0, result.code, result)
            # --replication-status is ours; upstream's list lacks it.
            self.assertIn('--replication-status', result.stdout)
            self.assertEqual(cluster, '--cluster' in result.stdout, version)
            result = self.cli('set', '--help', version=version)
            self.assertIn('--enable-via-thaw', result.stdout)

    def test_command_modules_import_nothing_heavy(self):
        # What OSC itself has loaded before it imports plugin command modules.
        code = (
            'import sys\n'
            'import osc_lib.command.command, osc_lib.utils, osc_lib.exceptions\n'
            'before = set(sys.modules)\n'
            'import volsvcclient.osc.plugin, volsvcclient.osc.v2.reading, '
            'volsvcclient.osc.v2.changing, volsvcclient.osc.v2.commit, '
            'volsvcclient.osc.v2.replication, volsvcclient.osc.v2.operations, '
            'volsvcclient.osc.v3.service, volsvcclient.osc.v3.operations, '
            'volsvcclient.osc.v2.maintenance\n'
            'print(sorted(set(sys.modules) - before))\n'
        )
        output = subprocess.run(
            [sys.executable, '-c', code], capture_output=True, text=True,
            check=True,
        ).stdout
        self.assertEqual(
            ['volsvcclient', 'volsvcclient.cinder', 'volsvcclient.cinder.bounds',
             'volsvcclient.cinder.reasons', 'volsvcclient.cinder.records',
             'volsvcclient.cinder.versions', 'volsvcclient.engine',
             'volsvcclient.engine.selection', 'volsvcclient.osc',
             'volsvcclient.osc.arguments', 'volsvcclient.osc.columns',
             'volsvcclient.osc.command', 'volsvcclient.osc.options',
             'volsvcclient.osc.plugin', 'volsvcclient.osc.v2',
             'volsvcclient.osc.v2.changing', 'volsvcclient.osc.v2.commit',
             'volsvcclient.osc.v2.maintenance',
             'volsvcclient.osc.v2.operations', 'volsvcclient.osc.v2.reading',
             'volsvcclient.osc.v2.replication', 'volsvcclient.osc.v3',
             'volsvcclient.osc.v3.operations', 'volsvcclient.osc.v3.service',
             'volsvcclient.osc.voice'],
            ast.literal_eval(output),
        )
