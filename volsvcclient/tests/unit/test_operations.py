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

    def test_every_service_of_a_binary_down(self):
        self.cinder.get('node1', 'cinder-scheduler')['state'] = 'down'
        self.cinder.get('node1', 'cinder-scheduler')['disabled'] = True
        result = self.check('--ignore-disabled')
        self.assertEqual(2, result.code)
        self.assertIn('every cinder-scheduler down (1)', result.stdout)

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
        samples = {(f, s.labels.get('host')): s.value
                   for f, family in families.items() for s in family.samples}
        self.assertEqual(0.0, samples[('volsvc_service_up', HOST)])
        self.assertEqual(1.0, samples[('volsvc_service_frozen', HOST)])
        self.assertEqual(1.0, samples[('volsvc_backend_up', 'node2@lvm')])
        self.assertEqual(90.0, samples[('volsvc_heartbeat_age_seconds', HOST)])
        self.assertEqual({'binary', 'host', 'zone', 'cluster'},
                         set(families['volsvc_service_up'].samples[0].labels))


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
        result = self.cli('check', '--service', 'cinder-scheduler', '--ignore-disabled')
        self.assertEqual(
            (2, 'CRITICAL - 1 of 1 services down: every cinder-scheduler down (1) '
                '| up=0 down=1 disabled=1 frozen=0 failed_over=0'),
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
        # Heartbeats 120 s and 30 s old by the server's clock; one never came.
        self.cinder.add('old@lvm', updated_at='2026-11-24T09:58:30.000000', state='down')
        self.cinder.add('live@lvm')
        self.cinder.add('new@lvm', updated_at=None, state='down')
        for duration, hosts in (
            ('119', ['old@lvm']), ('120', []), ('90s', ['old@lvm']),
            ('2m', []), ('29', ['old@lvm', 'live@lvm']), ('30', ['old@lvm']),
            # A service without a heartbeat has no age: never listed.
            ('0', ['old@lvm', 'live@lvm']),
        ):
            result = self.cli('list', '--down-for', duration, '-f', 'json')
            self.assertEqual(0, result.code, result)
            self.assertEqual(hosts, [r['Host'] for r in result.json()], duration)

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

    def test_returns_when_the_condition_holds(self):
        # The third read finds it up.
        def come_back(read):
            if read == 2:
                self.volume['state'] = 'up'

        self.cinder.after_read = come_back
        result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up',
                          '--interval', '0.01')
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertEqual(3, len(self.cinder.requests('GET')))
        self.assertEqual({'volume 3.48'}, set(self.microversions('GET')))

    def test_timeout_names_what_each_last_showed(self):
        result = self.cli('wait', '--host-pattern', 'node*', '--state', 'up',
                          '--wait-timeout', '0.05', '--interval', '0.01')
        self.assertEqual(1, result.code)
        self.assertEqual(
            ["cinder-volume on node1@lvm: state 'down', wanted 'up'; last "
             "heartbeat 2026-11-24T10:00:00.000000"],
            result.stderr.splitlines(),
        )

    def test_fresh_needs_a_newer_heartbeat_than_at_the_start(self):
        self.volume['state'] = 'up'
        result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up', '--fresh',
                          '--wait-timeout', '0.05', '--interval', '0.01')
        self.assertEqual(1, result.code)
        self.assertIn('no heartbeat since the wait began (2026-11-24T10:00:00.000000)',
                      result.stderr)

        first = self.cinder._reads_seen + 1

        def heartbeat(read):
            if read == first:
                self.volume['updated_at'] = '2026-11-24T10:00:02.000000'

        self.cinder.after_read = heartbeat
        result = self.cli('wait', HOST, 'cinder-volume', '--fresh', '--interval', '0.01')
        self.assertEqual(0, result.code, result)

    def test_waits_through_a_cinder_api_restart(self):
        self.volume['state'] = 'up'
        self.cinder.read_failures = [503] * 5
        result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up',
                          '--interval', '0.01')
        self.assertEqual(0, result.code, result)

    def test_waits_through_cinder_api_errors(self):
        # 500 (not retried by keystoneauth): cinder-api without its database.
        self.volume['state'] = 'up'
        self.cinder.read_failures = [500] * 2
        result = self.cli('wait', HOST, 'cinder-volume', '--state', 'up',
                          '--interval', '0.01', version='3.48')
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
                          '--frozen', '--wait-timeout', '0.02', '--interval', '0.01', tty=True)
        self.assertIn('0 of 2 service(s) ready', result.stderr)


class TestWaitDecisions(base.ShellTestCase):
    """When wait reads, sleeps, gives up and clears its progress line."""

    def setUp(self):
        super().setUp()
        self.volume = self.cinder.add(HOST, state='down')
        self.clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.waiting.time', self.clock))

    def wait(self, *args, **kwargs):
        return self.cli('wait', HOST, 'cinder-volume', '--state', 'up', *args, **kwargs)

    def test_reads_every_interval_and_once_at_the_deadline(self):
        start = self.clock.now
        result = self.wait('--wait-timeout', '9.5', '--interval', '3')
        self.assertEqual(1, result.code, result)
        # At 0, 3, 6 and 9 s, then at the deadline, 9.5 s.
        self.assertEqual(5, len(self.cinder.requests('GET')))
        self.assertEqual(9.5, self.clock.now - start)

    def test_by_default_every_2_s_for_300_s(self):
        start = self.clock.now
        result = self.wait()
        self.assertEqual(1, result.code, result)
        # At 0, 2, ..., 298 s, then at the deadline.
        self.assertEqual(151, len(self.cinder.requests('GET')))
        self.assertAlmostEqual(300, self.clock.now - start, places=6)

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
            (1, '\r0 of 1 service(s) ready (0 s)\033[K\r\033[K'
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
            (1, ['cinder-volume on node1@lvm: gone from the service list',
                 "cinder-volume on node2@lvm: state 'down', wanted 'up'; last "
                 'heartbeat 2026-11-24T10:00:00.000000']),
            (result.code, result.stderr.splitlines()),
        )

    def test_a_refusal_ends_the_wait_at_once(self):
        self.cinder.forbidden = True
        result = self.wait('--interval', '1')
        self.assertFails(result, "Forbidden by the server's policy")
        self.assertEqual(1, len(self.cinder.requests('GET')))

    def test_fresh_counts_a_first_heartbeat(self):
        self.volume.update(state='up', updated_at=None)

        def heartbeat(read):
            if read == 1:
                self.volume['updated_at'] = '2026-11-24T10:00:02.000000'

        self.cinder.after_read = heartbeat
        result = self.cli('wait', HOST, 'cinder-volume', '--fresh', '--interval', '1')
        self.assertEqual(0, result.code, result)
