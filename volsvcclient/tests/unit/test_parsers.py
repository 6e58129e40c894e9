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

"""Every command's options, read from the parsers themselves: each has help
text, and each concept has one spelling on every command that has it."""

import argparse
import importlib.metadata
import io

import fixtures
import testtools

GROUPS = ('openstack.volume_service.v2', 'openstack.volume_service.v3')
#: Spellings replaced by the one every command uses, kept hidden.
OLD_SPELLINGS = {
    '--disabled-reason': '--disable-reason',
    '--no-frozen': '--thawed',
    '--timeout': '--wait-timeout',
}


def _parsers():
    """(group, command name, parser) for every command of both groups."""
    for group in GROUPS:
        for entry_point in importlib.metadata.entry_points(group=group):
            name = entry_point.name.replace('_', ' ')
            command = entry_point.load()(None, None)
            yield group, name, command.get_parser(f'openstack {name}')


def _shown(parser):
    """Option strings that --help shows."""
    return {option for action in parser._actions
            if action.help is not argparse.SUPPRESS
            for option in action.option_strings}


class TestParsers(testtools.TestCase):
    def test_both_groups_have_all_eleven_commands(self):
        for group in GROUPS:
            self.assertEqual(
                11, len(importlib.metadata.entry_points(group=group)), group)

    def test_every_option_and_argument_has_help(self):
        blank = [
            f"{group} {name} {'/'.join(action.option_strings) or action.dest}"
            for group, name, parser in _parsers()
            for action in parser._actions
            if not (action.help or '').strip()
        ]
        self.assertEqual([], blank)

    def test_one_spelling_per_concept(self):
        for group, name, parser in _parsers():
            shown = _shown(parser)
            where = f'{group} {name}'
            self.assertEqual(set(), shown & set(OLD_SPELLINGS), where)
            if '--frozen' in shown:
                self.assertIn('--thawed', shown, where)

    def test_old_spellings_are_hidden_aliases_of_the_new(self):
        commands = {name: parser for group, name, parser in _parsers()
                    if group.endswith('v3')}
        for command, before, after in (
            ('volume service commit',
             ['h', 'b', '--status', 'disabled', '--disabled-reason', 'x'],
             ['h', 'b', '--status', 'disabled', '--disable-reason', 'x']),
            ('volume service list', ['--no-frozen'], ['--thawed']),
            ('volume service wait',
             ['h', 'b', '--state', 'up', '--timeout', '5'],
             ['h', 'b', '--state', 'up', '--wait-timeout', '5']),
        ):
            parser = commands[command]
            self.assertEqual(parser.parse_args(after),
                             parser.parse_args(before), command)
            help_text = parser.format_help()
            old = next(o for o in before if o in OLD_SPELLINGS)
            self.assertNotIn(old + ' ', help_text, command)
            self.assertIn(OLD_SPELLINGS[old], help_text, command)

    def test_the_old_list_spelling_still_excludes_frozen(self):
        parser = dict((name, p) for group, name, p in _parsers()
                      if group.endswith('v3'))['volume service list']
        stderr = self.useFixture(fixtures.MonkeyPatch('sys.stderr', io.StringIO()))
        self.assertRaises(SystemExit, parser.parse_args,
                          ['--frozen', '--no-frozen'])
        self.assertIn('not allowed with argument --frozen',
                      stderr.new_value.getvalue())

    def test_defaults_are_those_of_the_new_spellings(self):
        parsers = dict((name, p) for group, name, p in _parsers()
                       if group.endswith('v2'))
        self.assertEqual(300.0, parsers['volume service wait'].parse_args(
            ['h', 'b']).wait_timeout)
        self.assertIsNone(parsers['volume service commit'].parse_args(
            ['h', 'b']).disabled_reason)
        self.assertFalse(parsers['volume service list'].parse_args(
            []).no_frozen)
