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

"""volume service commit: plan, apply in order, verify, report."""

import json

import fixtures

from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests


class CommitMixin:
    def setUp(self):
        super().setUp()
        self.lvm = self.cinder.add('node1@lvm')
        self.rep = self.cinder.add('node2@rep')
        self.sched = self.cinder.add('node1', binary='cinder-scheduler')
        self.tmp = self.useFixture(fixtures.TempDir())

    def save(self, *args):
        result = self.cli('list', '--long', *args)
        self.assertEqual(0, result.code, result)
        path = self.tmp.join('saved')
        with open(path, 'w') as stream:
            stream.write(result.stdout)
        return path

    def write(self, content):
        path = self.tmp.join('wanted.json')
        with open(path, 'w') as stream:
            stream.write(content if isinstance(content, str) else json.dumps(content))
        return path

    def rows(self, result):
        return {(r['Host'], r['Binary']): r for r in result.json()}

    def cells(self, result, host, *names, binary='cinder-volume'):
        """The named columns of one service's result row."""
        row = self.rows(result)[host, binary]
        return tuple(row[name] for name in names)


class TestCommitSingle(CommitMixin, base.ShellTestCase):
    def test_disable_with_reason(self):
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--status',
                          'disabled', '--disable-reason', 'maint', '-f', 'json',
                          tty=True)
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            [{'Host': 'node1@lvm', 'Binary': 'cinder-volume',
              'Actions': "disable (reason 'maint')", 'Result': 'changed',
              'Detail': ''}],
            result.json(),
        )
        self.assertEqual(
            "cinder-volume on node1@lvm: disable (reason 'maint')\n"
            "changing 1 of 1 service(s): 1 disable\n"
            "\r1/1 service(s) sent\033[K\n",
            result.stderr,
        )
        self.assertEqual((True, 'maint'), (self.lvm['disabled'], self.lvm['disabled_reason']))

    def test_unchanged_sends_no_action(self):
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--status',
                          'enabled', '--thawed', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual('unchanged', result.json()[0]['Result'])
        self.assertEqual(['GET'], [r.method for r in self.cinder.requests()])

    def test_dry_run_changes_nothing(self):
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--frozen',
                          '--dry-run', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            ('freeze', 'would change'),
            (result.json()[0]['Actions'], result.json()[0]['Result']),
        )
        self.assertEqual([], self.cinder.puts())
        self.assertFalse(self.lvm['frozen'])

    def test_a_new_reason_for_a_disabled_service_is_sent(self):
        self.lvm.update(disabled=True, disabled_reason='old')
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--status',
                          'disabled', '--disable-reason', 'new', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual([('disable-log-reason', {'host': 'node1@lvm', 'binary':
                                                  'cinder-volume',
                                                  'disabled_reason': 'new'})],
                         self.cinder.puts())

    def test_status_choices_and_concurrency_bounds(self):
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--status', 'off')
        self.assertEqual(2, result.code, result)
        result = self.cli('commit', '--host-pattern', 'node*', '--status', 'enabled',
                          '--concurrency', '10')
        self.assertEqual(0, result.code, result)
        self.assertEqual([], self.cinder.puts())

    def test_thaw_comes_before_disable(self):
        self.lvm.update(frozen=True, disabled=True, disabled_reason='frozen')
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--thawed',
                          '--status', 'disabled', '--disable-reason', 'repair')
        self.assertEqual(0, result.code, result)
        self.assertEqual(['thaw', 'disable-log-reason'], [a for a, _ in self.cinder.puts()])
        self.assertEqual(
            (False, True, 'repair'),
            (self.lvm['frozen'], self.lvm['disabled'], self.lvm['disabled_reason']),
        )

    def test_thaw_the_driver_fails_quotes_the_server(self):
        self.lvm.update(frozen=True, disabled=True, disabled_reason='frozen')
        self.cinder.driver_fails_thaw = True
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--thawed',
                          '--status', 'enabled', '-f', 'json')
        self.assertEqual(1, result.code)
        self.assertEqual(
            ('thaw', 'failed',
             "the server accepted every request but status is 'disabled'. The "
             "server said: Backend reported error during thaw_host operation."),
            self.cells(result, 'node1@lvm', 'Actions', 'Result', 'Detail'),
        )

    def test_argument_errors_send_nothing(self):
        path = self.write([{'Host': 'h', 'Binary': 'b'}])
        for args, message in (
            (('--status', 'enabled'),
             'Give <host> <binary>, selectors (--host-pattern, --service, '
             '--zone, --cluster), or --from-file <file>'),
            (('node1@lvm', 'cinder-volume', '--service', 'cinder-volume',
              '--status', 'enabled'),
             'Give <host> <binary> or selectors'),
            (('node1@lvm', 'cinder-volume'),
             'Nothing to change: give --status or --frozen or --thawed'),
            (('node1@lvm', 'cinder-volume', '--disable-reason', 'x'),
             '--disable-reason goes with --status disabled'),
            (('node1@lvm', 'cinder-volume', '--status', 'disabled',
              '--disable-reason', 'x' * 300),
             '--disable-reason is 300 characters long'),
            (('node1', 'cinder-scheduler', '--frozen'),
             'only cinder-volume services can be frozen or thawed'),
            (('node1@lvm', 'cinder-volume', '--from-file', path),
             '--from-file takes the wanted states from the file'),
        ):
            self.assertFails(self.cli('commit', *args), message)
        # A number out of range is a usage error, as every bad option is.
        for concurrency in ('0', '11', 'x'):
            result = self.cli('commit', '--host-pattern', 'node*', '--status',
                              'enabled', '--concurrency', concurrency)
            self.assertEqual(2, result.code, result)
            self.assertIn(f"argument --concurrency: {concurrency!r} is not a number of "
                          f"requests (1 to 10)", result.stderr)
        self.assertEqual([], self.cinder.requests())


class TestCommitFromFile(CommitMixin, base.ShellTestCase):
    release = 27

    def test_a_dry_run_exits_as_the_run_would(self):
        # Issue 23, item 7: a pipeline that gates on the dry run.
        path = self.write([
            {'Host': 'node1@lvm', 'Binary': 'cinder-volume', 'Status': 'disabled'},
            {'Host': 'node9@lvm', 'Binary': 'cinder-volume', 'Status': 'disabled'},
        ])
        for dry in (('--dry-run',), ()):
            result = self.cli('commit', '--from-file', path, *dry, '-f', 'json')
            self.assertEqual(1, result.code, result)
            self.assertEqual(('failed', 'no such service'),
                             self.cells(result, 'node9@lvm', 'Result', 'Detail'))
            self.assertIn('Not every service ended as asked (1 failed)', result.stderr)

    def test_save_and_restore_round_trip(self):
        saved = self.save('-f', 'json')
        self.lvm.update(disabled=True, disabled_reason='maint')
        self.rep.update(frozen=True, disabled=True, disabled_reason='frozen')
        self.cinder.forget_requests()
        result = self.cli('commit', '--from-file', saved, '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            ('enable', 'changed'),
            self.cells(result, 'node1@lvm', 'Actions', 'Result'),
        )
        self.assertEqual(
            ('thaw', 'changed'),
            self.cells(result, 'node2@rep', 'Actions', 'Result'),
        )
        self.assertEqual(
            ('unchanged',), self.cells(result, 'node1', 'Result', binary='cinder-scheduler')
        )
        self.assertEqual((False, False), (self.lvm['disabled'], self.rep['frozen']))
        # One list, the actions, one verifying list.
        self.assertEqual(
            ['GET', 'PUT', 'PUT', 'GET'], [r.method for r in self.cinder.requests()]
        )
        self.assertEqual({}, self.cinder.requests('GET')[0].qs)

    def test_yaml_on_stdin(self):
        self.lvm.update(frozen=True, disabled=True, disabled_reason='frozen')
        saved = self.cli('list', '--long', '-f', 'yaml').stdout
        self.lvm.update(frozen=False, disabled=False, disabled_reason='')
        result = self.cli('commit', '--from-file', '-', '-f', 'json', stdin=saved)
        self.assertEqual(0, result.code, result)
        self.assertTrue(self.lvm['frozen'])
        self.assertEqual(('freeze',), self.cells(result, 'node1@lvm', 'Actions'))

    def test_missing_service_fails_but_others_apply(self):
        path = self.write([
            {'Host': 'gone@lvm', 'Binary': 'cinder-volume', 'Status': 'disabled'},
            {'Host': 'node1@lvm', 'Binary': 'cinder-volume', 'Status': 'disabled'},
        ])
        result = self.cli('commit', '--from-file', path, '-f', 'json')
        self.assertEqual(1, result.code)
        self.assertEqual(
            ('failed', 'no such service'),
            self.cells(result, 'gone@lvm', 'Result', 'Detail'),
        )
        self.assertEqual(('changed',), self.cells(result, 'node1@lvm', 'Result'))
        self.assertIn('Not every service ended as asked (1 failed)', result.stderr)

    def test_services_removed_while_committing(self):
        # node1@lvm is removed once its request is applied, node2@rep before
        # its own request.
        path = self.write([
            {'Host': 'node1@lvm', 'Binary': 'cinder-volume', 'Status': 'disabled'},
            {'Host': 'node2@rep', 'Binary': 'cinder-volume', 'Status': 'disabled'},
            {'Host': 'node1', 'Binary': 'cinder-scheduler', 'Status': 'disabled'},
        ])

        def remove(action, body):
            if body['host'] == 'node1@lvm':
                self.cinder.services.remove(self.lvm)
                self.cinder.services.remove(self.rep)

        self.cinder.after_action = remove
        result = self.cli('commit', '--from-file', path, '--concurrency', '1',
                          '--even-if-irreversible', '-f', 'json')
        self.assertEqual(1, result.code)
        self.assertEqual(('failed', 'disappeared'),
                         self.cells(result, 'node1@lvm', 'Result', 'Detail'))
        self.assertEqual(('failed', 'disappeared'),
                         self.cells(result, 'node2@rep', 'Result', 'Detail'))
        self.assertEqual(
            ('changed',), self.cells(result, 'node1', 'Result', binary='cinder-scheduler')
        )
        self.assertEqual(
            ['disable-log-reason'] * 3, [a for a, _ in self.cinder.puts()]
        )

    def test_action_error_is_reported_per_service(self):
        self.cinder.ignored.add('freeze')
        path = self.write([
            {'Host': 'node1@lvm', 'Binary': 'cinder-volume', 'Frozen': True},
            {'Host': 'node2@rep', 'Binary': 'cinder-volume', 'Status': 'disabled',
             'Disabled Reason': 'repair'},
        ])
        self.cinder.refused['disable-log-reason'] = 'Invalid input: no'
        result = self.cli('commit', '--from-file', path, '-f', 'json')
        self.assertEqual(1, result.code)
        self.assertEqual(
            ('failed', 'the server accepted every request but frozen is False'),
            self.cells(result, 'node1@lvm', 'Result', 'Detail'),
        )
        self.assertEqual(
            ('failed', 'disable: The server refused the request: Invalid input: no'),
            self.cells(result, 'node2@rep', 'Result', 'Detail'),
        )

    def test_one_mapping_is_one_service(self):
        path = self.write({'Host': 'node1@lvm', 'Binary': 'cinder-volume',
                           'Status': 'enabled'})
        result = self.cli('commit', '--from-file', path, '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual([('node1@lvm', 'unchanged')],
                         [(r['Host'], r['Result']) for r in result.json()])

    def test_file_errors(self):
        for content, message in (
            ('{nope', 'wanted.json is neither JSON nor YAML'),
            ([{'Host': 'h', 'Binary': 'cinder-volume', 'Status': 'disabled',
               'Disabled Reason': 5}],
             'wanted.json, entry 1: Disabled Reason must be text'),
            ('[1]', 'entry 1: expected a mapping of column names'),
            ([{'Host': 'h', 'Binary': 'b', 'Stauts': 'enabled'}],
             "entry 1: unknown column(s) 'Stauts'"),
            ([{'Binary': 'b'}], 'entry 1: Host is missing'),
            ([{'Host': 'h', 'Binary': 'b', 'Status': 'off'}],
             "entry 1: Status must be 'enabled' or 'disabled', not 'off'"),
            ([{'Host': 'h', 'Binary': 'cinder-volume', 'Frozen': 'yes'}],
             "entry 1: Frozen must be true, false or null, not 'yes'"),
            ([{'Host': 'h', 'Binary': 'cinder-volume'},
              {'Host': 'h', 'Binary': 'cinder-volume'}],
             'cinder-volume on h is listed twice'),
            ([{'Host': 'h', 'Binary': 'cinder-volume', 'Status': 'disabled',
               'Disabled Reason': 'x' * 256}],
             'entry 1: Disabled Reason is 256 characters long'),
        ):
            path = self.write(content)
            self.assertFails(self.cli('commit', '--from-file', path), message)
        self.assertFails(
            self.cli('commit', '--from-file', self.tmp.join('absent')),
            'No such file or directory',
        )
        self.assertEqual([], self.cinder.requests())


class TestCommitOn29(CommitMixin, base.ShellTestCase):
    release = 29

    def test_enable_ignored_is_a_failed_row(self):
        self.lvm.update(disabled=True, disabled_reason='maint')
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--status',
                          'enabled', '-f', 'json')
        self.assertEqual(1, result.code)
        (row,) = result.json()
        self.assertEqual('failed', row['Result'])
        self.assertEqual(
            "the server accepted every request but status is 'disabled'. Cinder "
            "28.0.0 and later answer os-services/enable with 200 without "
            "enabling the service; --enable-via-thaw re-enables it by freeze "
            "and thaw",
            row['Detail'],
        )

    def test_an_ignored_enable_is_not_waited_for(self):
        # cinder-api writes enable before it answers: once the re-read shows
        # it ignored, no later read can differ, so --wait-timeout is not
        # spent before the freeze and thaw.
        clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', clock))
        self.lvm.update(disabled=True, disabled_reason='maint')
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--status',
                          'enabled', '--enable-via-thaw', '--wait-timeout', '30',
                          '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(('enable, freeze, thaw', 'changed'),
                         self.cells(result, 'node1@lvm', 'Actions', 'Result'))
        self.assertEqual(0.0, clock.slept)

    def test_enable_via_thaw_leaves_other_failures_alone(self):
        # Only an enable the server ignored is worked around: a disable
        # that did not take is reported, never followed by a freeze and thaw.
        self.cinder.ignored.add('disable-log-reason')
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--status',
                          'disabled', '--disable-reason', 'maint', '--enable-via-thaw',
                          '-f', 'json')
        self.assertEqual(1, result.code, result)
        self.assertEqual('failed', self.cells(result, 'node1@lvm', 'Result')[0])
        self.assertEqual(['disable-log-reason'],
                         [action for action, _ in self.cinder.puts()])

    def test_restore_with_enable_via_thaw(self):
        saved = self.save('-f', 'json')
        self.lvm.update(disabled=True, disabled_reason='maint')
        self.sched.update(disabled=True)
        result = self.cli('commit', '--from-file', saved, '--enable-via-thaw',
                          '-f', 'json')
        self.assertEqual(1, result.code)
        rows = self.rows(result)
        self.assertEqual(
            ('enable, freeze, thaw', 'changed'),
            self.cells(result, 'node1@lvm', 'Actions', 'Result'),
        )
        self.assertFalse(self.lvm['disabled'])
        self.assertEqual('failed', rows['node1', 'cinder-scheduler']['Result'])
        self.assertIn(
            '--enable-via-thaw applies to cinder-volume only',
            rows['node1', 'cinder-scheduler']['Detail'],
        )

    def test_dry_run_names_the_fallback_only_where_it_can_apply(self):
        self.lvm.update(disabled=True, disabled_reason='maint')
        self.sched.update(disabled=True)
        self.cinder.add('node3@lvm', frozen=True, disabled=True, disabled_reason='frozen')
        path = self.write([
            {'Host': host, 'Binary': binary, 'Status': 'enabled'}
            for host, binary in (('node1@lvm', 'cinder-volume'),
                                 ('node2@rep', 'cinder-volume'),
                                 ('node3@lvm', 'cinder-volume'),
                                 ('node1', 'cinder-scheduler'))
        ])
        plain = {
            ('node1@lvm', 'cinder-volume'): ('enable', 'would change'),
            ('node2@rep', 'cinder-volume'): ('-', 'unchanged'),
            ('node3@lvm', 'cinder-volume'): ('enable', 'would change'),
            ('node1', 'cinder-scheduler'): ('enable', 'would change'),
        }
        with_fallback = dict(plain)
        with_fallback['node1@lvm', 'cinder-volume'] = (
            'enable (then freeze, thaw if the server ignores enable)', 'would change')
        with_fallback['node3@lvm', 'cinder-volume'] = (
            'enable (then thaw if the server ignores enable)', 'would change')
        for args, expected in (((), plain), (('--enable-via-thaw',), with_fallback)):
            result = self.cli('commit', '--from-file', path, '--dry-run', *args,
                              '-f', 'json')
            self.assertEqual(0, result.code, result)
            self.assertEqual(
                expected,
                {key: (row['Actions'], row['Result'])
                 for key, row in self.rows(result).items()},
            )
        self.assertEqual([], self.cinder.puts())

    def test_enable_via_thaw_of_a_frozen_service_only_thaws(self):
        self.lvm.update(frozen=True, disabled=True, disabled_reason='frozen')
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--status',
                          'enabled', '--enable-via-thaw', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            ('enable, thaw', 'changed', ''),
            self.cells(result, 'node1@lvm', 'Actions', 'Result', 'Detail'),
        )
        self.assertEqual(['enable', 'thaw'], [a for a, _ in self.cinder.puts()])
        self.assertEqual((False, False), (self.lvm['frozen'], self.lvm['disabled']))

    def test_enable_via_thaw_refused_is_translated(self):
        self.lvm.update(disabled=True, disabled_reason='maint')
        self.cinder.refused['freeze'] = 'Host node1@lvm is busy.'
        result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--status',
                          'enabled', '--enable-via-thaw', '-f', 'json')
        self.assertEqual(1, result.code, result)
        self.assertEqual(
            ('failed', 'freeze and thaw: The server refused the request: Host '
             'node1@lvm is busy.'),
            self.cells(result, 'node1@lvm', 'Result', 'Detail'),
        )

    def test_enable_via_thaw_of_a_down_service_needs_even_if_down(self):
        self.lvm.update(disabled=True, disabled_reason='maint', state='down')
        for args, sent in (((), ['enable']), (('--even-if-down',), ['enable', 'freeze'])):
            self.cinder.forget_requests()
            result = self.cli('commit', 'node1@lvm', 'cinder-volume', '--status',
                              'enabled', '--enable-via-thaw', *args, '-f', 'json')
            self.assertEqual(1, result.code, result)
            self.assertEqual(sent, [a for a, _ in self.cinder.puts()], args)
