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

"""volume service check, wait and list --down-for, against the fake Cinder.

The fake's clock (``FakeCinder.now``, sent as the Date header) is
2026-11-24T10:00:30Z; its services report at 10:00:00 unless told.
"""

import datetime
import os
import sys
from unittest import mock

import fixtures
import requests
import yaml

from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests

HOST = 'node1@lvm'


class TestCheck(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.volume = self.cinder.add(HOST)
        self.cinder.add('node2@lvm')
        self.cinder.add('node1', binary='cinder-scheduler')

    def check(self, *args):
        return self.cli('check', *args)

    def test_ok(self):
        result = self.check()
        self.assertEqual(
            (0, 'OK - 3 services up | up=3 down=0 disabled=0 frozen=0 failed_over=0\n', ''),
            (result.code, result.stdout, result.stderr),
        )
        self.assertEqual(['volume 3.49'], self.microversions('GET'))

    def test_each_rule_and_its_level(self):
        for update, code, line in (
            ({'state': 'down', 'updated_at': '2026-11-24T09:57:18.000000'}, 2,
             'CRITICAL - 1 of 3 services down: cinder-volume on node1@lvm down '
             '(no heartbeat for 3m12s)'),
            ({'replication_status': 'failover-error'}, 2,
             'CRITICAL - cinder-volume on node1@lvm: replication status failover-error'),
            ({'backend_state': 'down'}, 2,
             'CRITICAL - cinder-volume on node1@lvm: Backend State down'),
            ({'disabled': True, 'disabled_reason': 'maint'}, 1,
             'WARNING - cinder-volume on node1@lvm disabled (maint)'),
            ({'frozen': True, 'disabled': False}, 1,
             'WARNING - cinder-volume on node1@lvm frozen'),
            ({'replication_status': 'failed-over', 'active_backend_id': 'sec'}, 1,
             'WARNING - cinder-volume on node1@lvm failed over to sec'),
        ):
            saved = dict(self.volume)
            self.volume.update(update)
            result = self.check()
            self.assertEqual(code, result.code, (update, result))
            self.assertTrue(result.stdout.startswith(line + ' |'), (update, result.stdout))
            self.volume.clear()
            self.volume.update(saved)

    def test_a_disabled_down_service_is_a_warning_and_can_be_ignored(self):
        self.volume.update(state='down', disabled=True, disabled_reason='gone')
        self.assertEqual(1, self.check().code)
        self.assertEqual(0, self.check('--ignore-disabled').code)

    def test_every_enabled_service_of_a_binary_down(self):
        self.cinder.get('node1', 'cinder-scheduler')['state'] = 'down'
        self.cinder.add('node2', binary='cinder-scheduler', state='down', disabled=True)
        result = self.check('--ignore-disabled')
        self.assertEqual(2, result.code)
        self.assertIn('CRITICAL: every enabled cinder-scheduler down (1) (binary-down)',
                      result.stdout.splitlines())

    def test_a_retired_disabled_binary_is_no_outage(self):
        # Issue 15, item 5: one disabled cinder-backup record left behind
        # made "every cinder-backup down" CRITICAL, even with --ignore-disabled.
        self.cinder.add('old', binary='cinder-backup', state='down', disabled=True,
                        disabled_reason='retired', updated_at='2026-01-01T00:00:00')
        result = self.check('--ignore-disabled')
        self.assertEqual((0, 'OK - 3 of 4 services up | up=3 down=1 disabled=1 frozen=0 '
                             'failed_over=0\n'), (result.code, result.stdout))
        result = self.check()
        self.assertEqual(
            (1, ['WARNING - cinder-backup on old disabled (retired) | up=3 down=1 '
                 'disabled=1 frozen=0 failed_over=0',
                 'WARNING: cinder-backup on old disabled (retired) (disabled)']),
            (result.code, result.stdout.splitlines()))

    def test_scheduler_silent_is_a_warning_that_says_so(self):
        self.cinder.scheduler_rpc = 'silent'
        result = self.check()
        self.assertEqual(1, result.code, result)
        self.assertIn('WARNING - Backend State unknown: cinder-scheduler did not '
                      'answer within 2 s', result.stdout)

    def test_unknown_when_the_cloud_does_not_answer_or_refuses(self):
        self.cinder.forbidden = True
        result = self.check()
        self.assertEqual(3, result.code)
        self.assertTrue(result.stdout.startswith(
            "UNKNOWN - Forbidden by the server's policy"), result.stdout)
        self.mock.post(fakes.AUTH_URL + '/auth/tokens',
                       exc=requests.exceptions.ConnectionError('refused'))
        result = self.check()
        self.assertEqual(3, result.code)
        self.assertIn('UNKNOWN - Cannot connect to Keystone', result.stdout)

    def test_a_check_that_cannot_start_is_unknown_and_says_so_in_its_textfile(self):
        # Issue 23, item 8: a region that does not exist exited 1 (WARNING)
        # and left the textfile saying volsvc_check_success 1.
        path = self.textfile()
        self.assertEqual(0, self.check('--prometheus-textfile', path).code)
        self.assertEqual(1.0, self.samples(path)[('volsvc_check_success', None)])
        if self.program == 'openstack':
            self.skipTest("openstack's own shell reads the configuration before it "
                          "runs any plugin's command: that failure is openstack's")
        for given in (('--prometheus-textfile', path), (f'--prometheus-textfile={path}',)):
            result = self.cli('check', *given,
                              global_options=('--os-region-name', 'NoSuchRegion'))
            self.assertEqual(3, result.code, result)
            self.assertTrue(result.stdout.startswith(
                'UNKNOWN - Region NoSuchRegion is not a valid region name'), result)
            self.assertEqual(0.0, self.samples(path)[('volsvc_check_success', None)])
            self.assertEqual(3.0, self.samples(path)[('volsvc_check_level', None)])
            self.assertEqual(0, self.check('--prometheus-textfile', path).code)

    def test_rows_for_scripts_and_selection(self):
        self.volume['frozen'] = True
        rows = self.check('--service', 'cinder-volume', '-f', 'json').json()
        self.assertEqual(
            [(HOST, 'WARNING', 'frozen'), ('node2@lvm', 'OK', None)],
            [(r['Host'], r['Level'], r['Rule']) for r in rows],
        )
        result = self.check('--host-pattern', 'nothing*')
        self.assertEqual((3, 'UNKNOWN - No service matches the selection\n'),
                         (result.code, result.stdout))
        result = self.check('--host-pattern', 'nothing*', '-f', 'value')
        self.assertEqual((3, 'UNKNOWN - No service matches the selection\n'),
                         (result.code, result.stdout))

    def test_unknown_stays_machine_readable(self):
        unknown = {'Binary': None, 'Host': None, 'Zone': None, 'Cluster': None,
                   'State': None, 'Status': None, 'Level': 'UNKNOWN',
                   'Rule': None}
        result = self.check('--host-pattern', 'nothing*', '-f', 'yaml')
        self.assertEqual(3, result.code, result)
        self.assertEqual(
            [dict(unknown, Detail='No service matches the selection')],
            yaml.safe_load(result.stdout))
        result = self.check('--host-pattern', 'nothing*', '-f', 'csv',
                            '-c', 'Level', '-c', 'Detail')
        self.assertEqual(
            '"Level","Detail"\n"UNKNOWN","No service matches the selection"\n',
            result.stdout.replace('\r\n', '\n'))
        self.mock.post(fakes.AUTH_URL + '/auth/tokens',
                       exc=requests.exceptions.ConnectionError('refused'))
        result = self.check('-f', 'json')
        self.assertEqual(3, result.code, result)
        [row] = result.json()
        self.assertIn('Cannot connect to Keystone', row.pop('Detail'))
        self.assertEqual(unknown, row)

    def test_prometheus_textfile_parses(self):
        from prometheus_client import parser

        self.volume.update(frozen=True, state='down', updated_at='2026-11-24T09:59:00.000000')
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'volsvc.prom')
        self.assertEqual(2, self.check('--prometheus-textfile', path).code)
        with open(path) as stream:
            families = {f.name: f for f in parser.text_string_to_metric_families(
                stream.read())}
        samples = {(f, s.labels.get('hostname')): s.value
                   for f, family in families.items() for s in family.samples}
        self.assertEqual(0.0, samples[('volsvc_service_up', HOST)])
        self.assertEqual(1.0, samples[('volsvc_service_frozen', HOST)])
        self.assertEqual(1.0, samples[('volsvc_backend_up', 'node2@lvm')])
        self.assertEqual(90.0, samples[('volsvc_heartbeat_age_seconds', HOST)])
        self.assertEqual({'cloud', 'region', 'hostname', 'service', 'zone', 'cluster'},
                         set(families['volsvc_service_up'].samples[0].labels))

    def test_a_heartbeat_ahead_of_cinder_api_is_no_negative_age(self):
        # Issue 15, item 4: "no heartbeat for -3597s" and a negative
        # volsvc_heartbeat_age_seconds. Ahead by half a second is the Date
        # header's resolution, not skew.
        self.volume.update(state='down', updated_at='2026-11-24T11:00:27.000000')
        self.cinder.get('node2@lvm')['updated_at'] = '2026-11-24T10:00:30.500000'
        path = self.textfile()
        result = self.check('--prometheus-textfile', path)
        self.assertEqual(
            (2, "CRITICAL - 1 of 3 services down: cinder-volume on node1@lvm down "
                "(heartbeat 59m57s ahead of cinder-api's clock) | up=2 down=1 "
                "disabled=0 frozen=0 failed_over=0"),
            (result.code, result.stdout.splitlines()[0]))
        samples = self.samples(path)
        self.assertEqual(3597.0, samples[('volsvc_heartbeat_age_seconds', HOST)])
        self.assertEqual(0.5, samples[('volsvc_heartbeat_age_seconds', 'node2@lvm')])

    def test_a_heartbeat_up_to_a_second_ahead_is_no_skew(self):
        # The Date header has whole seconds: a heartbeat 1 s ahead of
        # cinder-api's clock, or less, was sent within the same second.
        self.volume.update(state='down', updated_at='2026-11-24T10:00:31.000000')
        self.cinder.get('node2@lvm').update(
            state='down', updated_at='2026-11-24T10:00:30.500000')
        lines = self.check().stdout.splitlines()
        for host in (HOST, 'node2@lvm'):
            self.assertIn(f'CRITICAL: cinder-volume on {host} down (no heartbeat for 0s) '
                          '(enabled-down)', lines)

    def textfile(self, name='volsvc.prom'):
        return os.path.join(self.useFixture(fixtures.TempDir()).path, name)

    def samples(self, path):
        """(metric, host label) -> value, from the Prometheus text at ``path``."""
        from prometheus_client import parser

        with open(path) as stream:
            return {(s.name, s.labels.get('hostname')): s.value
                    for family in parser.text_string_to_metric_families(stream.read())
                    for s in family.samples}

    def test_textfile_write_failure_keeps_the_verdict(self):
        # Issue 15, item 3: CRITICAL became "UNKNOWN - Cannot write ...",
        # the findings lost, and -f json printed that plain line.
        self.volume['state'] = 'down'
        path = os.path.join(self.textfile(), 'no-such-directory', 'volsvc.prom')
        result = self.check('--prometheus-textfile', path)
        self.assertEqual(2, result.code, result)
        self.assertEqual(
            ['CRITICAL - 1 of 3 services down: cinder-volume on node1@lvm down (no '
             'heartbeat for 30s) | up=2 down=1 disabled=0 frozen=0 failed_over=0',
             'CRITICAL: cinder-volume on node1@lvm down (no heartbeat for 30s) '
             '(enabled-down)',
             f'WARNING: Cannot write {path}: No such file or directory (textfile)'],
            result.stdout.splitlines())
        rows = self.check('--prometheus-textfile', path, '-f', 'json').json()
        self.assertEqual(
            [('CRITICAL', 'enabled-down'), ('OK', None), ('OK', None),
             ('WARNING', 'textfile')],
            [(r['Level'], r['Rule']) for r in rows])
        # Services all well: the failure alone is a WARNING.
        self.volume['state'] = 'up'
        result = self.check('--prometheus-textfile', path)
        self.assertEqual(
            (1, f'WARNING - Cannot write {path}: No such file or directory | up=3 '
                'down=0 disabled=0 frozen=0 failed_over=0'),
            (result.code, result.stdout.splitlines()[0]))

    def test_textfile_empty_path_is_one_unknown_line(self):
        # Issue 15, item 3: an empty path wrote nothing and exited 0.
        result = self.check('--prometheus-textfile', '')
        self.assertEqual(3, result.code, result)
        self.assertEqual(1, len(result.stdout.splitlines()), result.stdout)
        self.assertIn('UNKNOWN - ', result.stdout)
        self.assertIn('argument --prometheus-textfile: the path is empty', result.stdout)
        self.assertEqual([], self.cinder.requests())

    def test_textfile_is_readable_by_others_whatever_the_umask(self):
        # Issue 15, item 3: under umask 077 the file was 0600, so
        # node_exporter, as another user, could not read it.
        path = self.textfile()
        old = os.umask(0o077)
        self.addCleanup(os.umask, old)
        self.assertEqual(0, self.check('--prometheus-textfile', path).code)
        self.assertEqual(0o644, os.stat(path).st_mode & 0o777)
        self.assertEqual(['volsvc.prom'], os.listdir(os.path.dirname(path)))

    def test_textfile_says_whether_the_check_ran_and_when(self):
        # Issue 15, item 3: an UNKNOWN run left the last good file in
        # place, so Prometheus went on serving "all up".
        import time

        path = self.textfile()
        before = time.time()
        self.assertEqual(0, self.check('--prometheus-textfile', path).code)
        samples = self.samples(path)
        self.assertEqual(1.0, samples[('volsvc_check_success', None)])
        self.assertEqual(0.0, samples[('volsvc_check_level', None)])
        self.assertLessEqual(before, samples[('volsvc_check_last_run_timestamp_seconds', None)])
        self.assertEqual(1.0, samples[('volsvc_service_up', HOST)])
        self.cinder.forbidden = True
        result = self.check('--prometheus-textfile', path)
        self.assertEqual(3, result.code, result)
        samples = self.samples(path)
        self.assertEqual(
            {('volsvc_check_success', None): 0.0, ('volsvc_check_level', None): 3.0},
            {k: v for k, v in samples.items() if 'timestamp' not in k[0]})
        # The UNKNOWN line says when the file cannot be written either.
        result = self.check('--prometheus-textfile', os.path.join(path, 'x.prom'))
        self.assertEqual(3, result.code, result)
        self.assertIn("UNKNOWN - Forbidden by the server's policy", result.stdout)
        self.assertIn(f"; Cannot write {os.path.join(path, 'x.prom')}: Not a directory",
                      result.stdout)

    def test_textfile_without_prometheus_client_is_one_unknown_line(self):
        # None in sys.modules makes the import fail, as when not installed.
        patch = mock.patch.dict(sys.modules, {'prometheus_client': None})
        patch.start()
        self.addCleanup(patch.stop)
        result = self.check('--prometheus-textfile', self.textfile())
        self.assertEqual(
            (3, "UNKNOWN - --prometheus-textfile needs prometheus_client: pip "
                "install 'volsvcclient[prometheus]'\n"),
            (result.code, result.stdout))
        self.assertEqual([], self.cinder.requests())

    def test_textfile_leaves_out_a_backend_state_not_read(self):
        self.cinder.scheduler_rpc = 'silent'
        path = self.textfile()
        self.assertEqual(1, self.check('--prometheus-textfile', path).code)
        samples = self.samples(path)
        self.assertNotIn(('volsvc_backend_up', HOST), samples)
        self.assertEqual(1.0, samples[('volsvc_service_up', HOST)])

    def test_only_nagios_exit_codes(self):
        # Issue 15, item 11: a bad option exited 2 (CRITICAL), a bad -c 1
        # (WARNING).
        for args, words in (
            (('--bogus',), 'error: unrecognized arguments: --bogus'),
            (('--rpc-timeout', '0'), "argument --rpc-timeout: '0' is not a timeout"),
            (('--rpc-timeout', '-1'), "argument --rpc-timeout: '-1' is not a timeout"),
            (('-f', 'json', '-c', 'Nope'), "No recognized column names in ['Nope']"),
            (('-f', 'xml'), "argument -f/--format: invalid choice: 'xml'"),
        ):
            result = self.check(*args)
            self.assertEqual(3, result.code, (args, result))
            self.assertEqual(1, len(result.stdout.splitlines()), (args, result))
            self.assertTrue(result.stdout.startswith('UNKNOWN - '), (args, result))
            self.assertIn(words, result.stdout)
            self.assertNotIn('Traceback', result.stderr)

    def test_control_characters_are_escaped(self):
        # Issue 15, item 13: ESC and BEL reached the terminal, and a newline
        # in a host name split the Nagios line.
        self.volume.update(disabled=True, disabled_reason='maint\x1b[31m\x07')
        self.cinder.add('evil\n@lvm', state='down')
        result = self.check()
        self.assertEqual(
            ['CRITICAL - 1 of 4 services down: cinder-volume on evil\\n@lvm down (no '
             'heartbeat for 30s) | up=3 down=1 disabled=1 frozen=0 failed_over=0',
             'WARNING: cinder-volume on node1@lvm disabled (maint\\x1b[31m\\x07) '
             '(disabled)',
             'CRITICAL: cinder-volume on evil\\n@lvm down (no heartbeat for 30s) '
             '(enabled-down)'],
            result.stdout.splitlines())
        value = self.check('-f', 'value', '-c', 'Host', '-c', 'Detail').stdout
        self.assertIn('evil\\n@lvm cinder-volume on evil\\n@lvm down', value)
        self.assertIn('\\x1b[31m\\x07', value)
        self.assertNotIn('\x1b', value + result.stdout)
        self.assertNotIn('\x07', value + result.stdout)
        # JSON escapes them itself: the value is the server's.
        rows = self.check('-f', 'json').json()
        self.assertIn('evil\n@lvm', [r['Host'] for r in rows])


class TestCheckMany(base.ShellTestCase):
    """Many findings: the summary's first three, the perfdata, the rows."""

    def setUp(self):
        super().setUp()
        # Heartbeats 1d, 1d3h and 2h5m old by the server's clock; one never came.
        self.cinder.add('a@lvm', state='down', updated_at='2026-11-23T10:00:30.000000')
        self.cinder.add('b@lvm', state='down', updated_at='2026-11-23T07:00:30.000000')
        self.cinder.add('c@lvm', state='down', updated_at='2026-11-24T07:55:30.000000')
        self.cinder.add('d@lvm', state='down', updated_at=None)
        self.cinder.add('e@lvm', replication_status='error', backend_state='down')
        self.cinder.add('f@rep', frozen=True, disabled=True, disabled_reason='frozen',
                        replication_status='failed-over', active_backend_id='sec')
        self.cinder.add('node1', binary='cinder-scheduler', state='down', disabled=True)

    def test_summary_names_the_first_three_and_counts_the_rest(self):
        result = self.cli('check', '--service', 'cinder-volume')
        self.assertEqual(2, result.code, result)
        self.assertEqual(
            ['CRITICAL - 4 of 6 services down: cinder-volume on a@lvm down (no '
             'heartbeat for 1d); cinder-volume on b@lvm down (no heartbeat for '
             '1d3h); cinder-volume on c@lvm down (no heartbeat for 2h5m) and 3 '
             'more | up=2 down=4 disabled=1 frozen=1 failed_over=1',
             'CRITICAL: cinder-volume on a@lvm down (no heartbeat for 1d) (enabled-down)',
             'CRITICAL: cinder-volume on b@lvm down (no heartbeat for 1d3h) (enabled-down)',
             'CRITICAL: cinder-volume on c@lvm down (no heartbeat for 2h5m) (enabled-down)',
             'CRITICAL: cinder-volume on d@lvm down (enabled-down)',
             'CRITICAL: cinder-volume on e@lvm: replication status error '
             '(replication-error)',
             'CRITICAL: cinder-volume on e@lvm: Backend State down (backend-down)',
             'WARNING: cinder-volume on f@rep disabled (frozen) (disabled)',
             'WARNING: cinder-volume on f@rep frozen (frozen)',
             'WARNING: cinder-volume on f@rep failed over to sec (failed-over)'],
            result.stdout.splitlines(),
        )
        # Four: the fourth is counted.
        result = self.cli('check', '--host-pattern', '[abe]@lvm')
        self.assertEqual(
            'CRITICAL - 2 of 3 services down: cinder-volume on a@lvm down (no '
            'heartbeat for 1d); cinder-volume on b@lvm down (no heartbeat for '
            '1d3h); cinder-volume on e@lvm: replication status error and 1 more '
            '| up=1 down=2 disabled=0 frozen=0 failed_over=0',
            result.stdout.splitlines()[0],
        )
        # Exactly three: no "and 0 more".
        result = self.cli('check', '--host-pattern', '[ae]@lvm')
        self.assertEqual(
            'CRITICAL - 1 of 2 services down: cinder-volume on a@lvm down (no '
            'heartbeat for 1d); cinder-volume on e@lvm: replication status '
            'error; cinder-volume on e@lvm: Backend State down | up=1 down=1 '
            'disabled=0 frozen=0 failed_over=0',
            result.stdout.splitlines()[0],
        )

    def test_rows_name_the_service_of_each_finding(self):
        rows = self.cli('check', '--service', 'cinder-volume', '-f', 'json').json()
        self.assertEqual(
            [('a@lvm', 'enabled-down'), ('b@lvm', 'enabled-down'),
             ('c@lvm', 'enabled-down'), ('d@lvm', 'enabled-down'),
             ('e@lvm', 'replication-error'), ('e@lvm', 'backend-down'),
             ('f@rep', 'disabled'), ('f@rep', 'frozen'), ('f@rep', 'failed-over')],
            [(r['Host'], r['Rule']) for r in rows],
        )

    def test_a_binary_down_counts_as_down(self):
        self.cinder.get('node1', 'cinder-scheduler')['disabled'] = False
        result = self.cli('check', '--service', 'cinder-scheduler')
        self.assertEqual(
            (2, 'CRITICAL - 1 of 1 services down: cinder-scheduler on node1 down (no '
                'heartbeat for 30s); every enabled cinder-scheduler down (1) '
                '| up=0 down=1 disabled=0 frozen=0 failed_over=0'),
            (result.code, result.stdout.splitlines()[0]),
        )


class TestDownFor(base.ShellTestCase):
    def test_by_the_servers_clock(self):
        self.cinder.add('old@lvm', updated_at='2026-11-17T10:00:00.000000', state='down')
        self.cinder.add('recent@lvm', updated_at='2026-11-24T09:50:00.000000', state='down')
        self.cinder.add('live@lvm')
        for duration, hosts in (('8d', []), ('7d', ['old@lvm']),
                                ('9m', ['old@lvm', 'recent@lvm']), ('1h', ['old@lvm'])):
            rows = self.cli('list', '--down-for', duration, '-f', 'json').json()
            self.assertEqual(hosts, [r['Host'] for r in rows], duration)
        # The columns stay upstream's.
        self.assertEqual(['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated At',
                          'Cluster', 'Backend State'], list(rows[0]))

    def test_durations_in_each_unit_and_the_boundary(self):
        # Heartbeats 120 s, 60 s and 30 s old by the server's clock; one
        # never came. A service that is up is never stale.
        self.cinder.add('old@lvm', updated_at='2026-11-24T09:58:30.000000', state='down')
        self.cinder.add('quiet@lvm', updated_at='2026-11-24T09:59:30.000000', state='down')
        self.cinder.add('live@lvm')
        self.cinder.add('new@lvm', updated_at=None, state='down')
        for duration, hosts in (
            ('119s', ['old@lvm', 'new@lvm']), ('120s', ['old@lvm', 'new@lvm']),
            ('121s', ['new@lvm']), ('2m', ['old@lvm', 'new@lvm']),
            ('1m', ['old@lvm', 'quiet@lvm', 'new@lvm']),
            ('1s', ['old@lvm', 'quiet@lvm', 'new@lvm']), ('1d', ['new@lvm']),
            ('0.5h', ['new@lvm']),
        ):
            result = self.cli('list', '--down-for', duration, '-f', 'json')
            self.assertEqual(0, result.code, result)
            self.assertEqual(hosts, [r['Host'] for r in result.json()], duration)

    def test_a_unit_is_required_and_0_is_refused(self):
        # Issue 15, item 4: '7' was 7 s (healthy services between two
        # heartbeats), and 0 listed services that are up.
        self.cinder.add('live@lvm', updated_at='2026-11-24T10:00:20.000000')
        for duration in ('7', '0', '0s', '-1d', 'd', '7w', 'nand', '', '1e999s'):
            result = self.cli('list', f'--down-for={duration}')
            self.assertEqual(2, result.code, (duration, result))
            self.assertIn(
                f"argument --down-for: {duration!r} is not a duration: a number "
                f"more than 0 and its unit, such as 90s, 30m, 2h or 7d",
                result.stderr.splitlines()[-1])
        self.assertEqual([], self.cinder.requests())

    def test_never_heartbeated_down_record_is_listed_up_one_is_not(self):
        # Issue 15, item 4: updated_at null was never listed. Cinder shows
        # such a record up while it is younger than service_down_time.
        self.cinder.add('never@lvm', updated_at=None, state='down')
        self.cinder.add('starting@lvm', updated_at=None)
        rows = self.cli('list', '--down-for', '7d', '-f', 'json').json()
        self.assertEqual([('never@lvm', None)], [(r['Host'], r['Updated At']) for r in rows])

    def test_a_heartbeat_in_the_future_is_as_old_as_it_is_ahead(self):
        # Issue 15, item 4: a clock 59m57s ahead. Cinder measures
        # abs(now - updated_at) and shows it down; --down-for never listed it.
        self.cinder.add('skew@lvm', updated_at='2026-11-24T11:00:27.000000', state='down')
        for duration, hosts in (('59m', ['skew@lvm']), ('1h', [])):
            rows = self.cli('list', '--down-for', duration, '-f', 'json').json()
            self.assertEqual(hosts, [r['Host'] for r in rows], duration)

    def test_no_local_clock(self):
        self.cinder.add('old@lvm', updated_at='2026-11-17T10:00:00.000000')
        self.cinder.now = datetime.datetime(2026, 11, 17, 10, 1, tzinfo=datetime.timezone.utc)
        rows = self.cli('list', '--down-for', '2m', '-f', 'json').json()
        self.assertEqual([], rows)


class TestWait(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.volume = self.cinder.add(HOST, state='down')
        self.cinder.add('node2@lvm')
        # Intervals are at least 1 s: sleeping only moves this clock.
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time',
                                             fakes.FakeClock()))

    def test_returns_when_the_condition_holds(self):
        # The third read finds it up.
        def come_back(read):
            if read == 2:
                self.volume['state'] = 'up'

        self.cinder.after_read = come_back
        result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up',
                          '--interval', '1')
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertEqual(3, len(self.cinder.requests('GET')))
        self.assertEqual({'volume 3.48'}, set(self.microversions('GET')))

    def test_timeout_names_what_each_last_showed(self):
        result = self.cli('wait', '--host-pattern', 'node*', '--state', 'up',
                          '--wait-timeout', '3', '--interval', '1')
        self.assertEqual(124, result.code)
        self.assertEqual(
            ["cinder-volume on node1@lvm: state 'down', wanted 'up'; last "
             "heartbeat 2026-11-24T10:00:00.000000"],
            result.stderr.splitlines(),
        )

    def test_fresh_needs_a_newer_heartbeat_than_at_the_start(self):
        self.volume['state'] = 'up'
        result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up', '--fresh',
                          '--wait-timeout', '3', '--interval', '1')
        self.assertEqual(124, result.code)
        self.assertIn('no heartbeat since the wait began (2026-11-24T10:00:00.000000)',
                      result.stderr)

        first = self.cinder._reads_seen + 1

        def heartbeats(read):
            if read in (first, first + 1):
                second = 2 * (read - first + 1)
                self.volume['updated_at'] = f'2026-11-24T10:00:0{second}.000000'

        self.cinder.after_read = heartbeats
        result = self.cli('wait', HOST, 'cinder-volume', '--fresh', '--interval', '1')
        self.assertEqual(0, result.code, result)

    def test_fresh_is_not_fooled_by_one_write(self):
        # A dead backend's record written once (a disable sets updated_at,
        # which Cinder counts as a heartbeat) has not come back.
        self.volume['state'] = 'up'
        first = self.cinder._reads_seen + 1

        def one_write(read):
            if read == first:
                self.volume.update(updated_at='2026-11-24T10:00:02.000000',
                                   disabled=True)

        self.cinder.after_read = one_write
        result = self.cli('wait', HOST, 'cinder-volume', '--fresh', '--timeout', '5',
                          '--interval', '1')
        self.assertEqual(124, result.code, result)
        self.assertIn('cinder-volume on node1@lvm: 1 of 2 new heartbeats since the '
                      'wait began; last heartbeat 2026-11-24T10:00:02.000000',
                      result.stderr)

    def test_waits_through_a_cinder_api_restart(self):
        self.volume['state'] = 'up'
        self.cinder.read_failures = [503] * 5
        result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up',
                          '--interval', '1')
        self.assertEqual(0, result.code, result)

    def test_waits_for_keystone_to_come_back(self):
        # Issue 23, hazards: a wait across a controller's restart begins
        # before Keystone answers, and keeps trying within its timeout.
        self.volume['state'] = 'up'
        refused = {'exc': requests.exceptions.ConnectionError('Connection refused')}
        self.mock.post(fakes.AUTH_URL + '/auth/tokens', [refused, refused, {
            'json': self.cloud.token,
            'headers': {'X-Subject-Token': 'fake-token-0123456789'}}])
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time',
                                             fakes.FakeClock()))
        result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up',
                          '--interval', '1', '--wait-timeout', '10')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        # Within its timeout only: then Keystone's own words.
        self.mock.post(fakes.AUTH_URL + '/auth/tokens', [refused] * 20)
        result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up',
                          '--interval', '1', '--wait-timeout', '3')
        self.assertFails(result, 'Cannot connect to Keystone')

    def test_waits_through_cinder_api_errors(self):
        # 500 (not retried by keystoneauth): cinder-api without its database.
        self.volume['state'] = 'up'
        self.cinder.read_failures = [500] * 2
        result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up',
                          '--interval', '1', version='3.48')
        self.assertEqual((0, ''), (result.code, result.stderr), result)
        self.assertEqual(3, len(self.cinder.requests('GET')))

    def test_bad_requests(self):
        for args, message in (
            ((HOST, 'cinder-volume'), 'Nothing to wait for'),
            (('--host-pattern', 'x*', '--state', 'up'), 'No service matches the selection'),
            ((HOST, 'cinder-volume', '--zone', 'z', '--state', 'up'),
             'Give <host> <binary> or selectors'),
            (('--state', 'up'), 'Give <host> <binary>, or selectors'),
        ):
            self.assertFails(self.cli('wait', *args), message)

    def test_progress_on_a_terminal_only(self):
        self.volume['state'] = 'up'
        result = self.cli('wait', '--host-pattern', '*', '--state', 'up',
                          '--frozen', '--wait-timeout', '1', '--interval', '1', tty=True)
        self.assertIn('0 of 2 service(s) ready', result.stderr)


class TestWaitInterval(base.ShellTestCase):
    """Issue 15, item 8: --interval 0 made 468 reads in 3 s. On the real
    clock, so that a missing floor ends in reads, not a test that hangs."""

    def test_interval_has_a_floor(self):
        self.cinder.add(HOST, state='down')
        for interval in ('0', '0.5', '-1', 'nan'):
            result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up',
                              f'--interval={interval}', '--timeout', '0.1')
            self.assertEqual(2, result.code, result)
            self.assertIn(f"argument --interval: {interval!r} is not an interval (a "
                          f"finite number of seconds, 1 or more)",
                          result.stderr.splitlines()[-1])
        self.assertEqual([], self.cinder.requests())


class TestWaitDecisions(base.ShellTestCase):
    """When wait reads, sleeps, gives up and clears its progress line."""

    def setUp(self):
        super().setUp()
        self.volume = self.cinder.add(HOST, state='down')
        self.clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', self.clock))

    def wait(self, *args, **kwargs):
        return self.cli('wait', HOST, 'cinder-volume', '--state', 'up', *args, **kwargs)

    def test_reads_every_interval_and_once_at_the_deadline(self):
        start = self.clock.now
        result = self.wait('--wait-timeout', '9.5', '--interval', '3')
        self.assertEqual(124, result.code, result)
        # At 0, 3, 6 and 9 s, then at the deadline, 9.5 s.
        self.assertEqual(5, len(self.cinder.requests('GET')))
        self.assertEqual(9.5, self.clock.now - start)

    def test_by_default_every_2_s_for_300_s(self):
        start = self.clock.now
        result = self.wait()
        self.assertEqual(124, result.code, result)
        # At 0, 2, ..., 298 s, then at the deadline.
        self.assertEqual(151, len(self.cinder.requests('GET')))
        self.assertEqual(300, self.clock.now - start)

    def test_progress_line_is_cleared_when_done_or_given_up(self):
        def come_back(read):
            if read == 1:
                self.volume['state'] = 'up'

        self.cinder.after_read = come_back
        result = self.wait('--interval', '1', tty=True)
        self.assertEqual(
            (0, '\r0 of 1 service(s) ready (0 s)\033[K\r\033[K'),
            (result.code, result.stderr),
        )
        self.cinder.after_read = None
        self.volume['state'] = 'down'
        result = self.wait('--wait-timeout', '1', '--interval', '1', tty=True)
        self.assertEqual(
            (124, '\r0 of 1 service(s) ready (0 s)\033[K\r\033[K'
                "cinder-volume on node1@lvm: state 'down', wanted 'up'; last "
                'heartbeat 2026-11-24T10:00:00.000000\n'),
            (result.code, result.stderr),
        )

    def test_a_service_gone_from_the_list_is_named_and_the_rest_too(self):
        self.cinder.add('node2@lvm', state='down')

        def remove(read):
            if read == 1:
                self.cinder.services.remove(self.volume)

        self.cinder.after_read = remove
        result = self.cli('wait', '--host-pattern', 'node*', '--state', 'up',
                          '--wait-timeout', '1', '--interval', '1')
        self.assertEqual(
            (124, ['cinder-volume on node1@lvm: gone from the service list',
                   "cinder-volume on node2@lvm: state 'down', wanted 'up'; last "
                   'heartbeat 2026-11-24T10:00:00.000000']),
            (result.code, result.stderr.splitlines()),
        )

    def test_the_one_service_waited_for_leaves_the_list(self):
        # Issue 16: "No service matches the selection" once it was deleted.
        def remove(read):
            if read == 1:
                self.cinder.services.remove(self.volume)

        self.cinder.after_read = remove
        result = self.wait('--timeout', '2', '--interval', '1')
        self.assertEqual(
            (124, 'cinder-volume on node1@lvm: gone from the service list\n'),
            (result.code, result.stderr))

    def test_a_refusal_ends_the_wait_at_once(self):
        self.cinder.forbidden = True
        result = self.wait('--interval', '1')
        self.assertFails(result, "Forbidden by the server's policy")
        self.assertEqual(1, len(self.cinder.requests('GET')))

    def test_fresh_counts_a_first_heartbeat(self):
        self.volume.update(state='up', updated_at=None)

        def heartbeat(read):
            if read in (1, 2):
                self.volume['updated_at'] = f'2026-11-24T10:00:0{2 * read}.000000'

        self.cinder.after_read = heartbeat
        result = self.cli('wait', HOST, 'cinder-volume', '--fresh', '--interval', '1')
        self.assertEqual(0, result.code, result)


class TestNoConfiguration(base.ShellTestCase):
    """Issue 15, item 16: with no configuration at all, volsvc said "No
    password entered" and openstack "Missing value auth-url required for
    auth plugin password"."""

    def setUp(self):
        super().setUp()
        for name in fakes.OS_ENVIRONMENT:
            self.useFixture(fixtures.EnvironmentVariable(name))

    def test_says_no_cloud_is_configured(self):
        for args in (('wait', '--host-pattern', '*', '--state', 'up'), ('list',)):
            self.assertFails(self.cli(*args), 'No cloud is configured: name one of '
                             'clouds.yaml with --os-cloud or OS_CLOUD, or give '
                             '--os-auth-url or OS_AUTH_URL and credentials')
        result = self.cli('check')
        self.assertEqual(3, result.code, result)
        self.assertIn('UNKNOWN - No cloud is configured', result.stdout)

    def test_says_which_variable_is_missing(self):
        self.useFixture(fixtures.EnvironmentVariable('OS_USERNAME', 'admin'))
        self.assertFails(self.cli('list'), 'The OS_* variables give no auth URL: set '
                         'OS_AUTH_URL or --os-auth-url, or name a cloud of '
                         'clouds.yaml with --os-cloud')
        self.assertEqual([], self.cinder.requests())
