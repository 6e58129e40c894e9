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

"""Part of the cloud down: every command ends within its bound and says so.

The fake Cinder holds or fails what Cinder does when cinder-scheduler, a
cinder-volume or RabbitMQ is gone (see fakes.FakeCinder's *_rpc), and
Keystone's answers are replaced where Keystone is down.
"""

import re

import requests
import requests_mock

from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests

HOST = 'node1@lvm'
SILENT = 'cinder-scheduler did not answer within 2 s'


class TestBackendStateBound(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add(HOST)
        self.cinder.add('node2@lvm', cluster_name='c1@lvm', backend_state=None)
        self.cinder.add('node1', binary='cinder-scheduler')

    def test_healthy_list_is_one_bounded_read(self):
        rows = self.cli('list', '-f', 'json').json()
        self.assertEqual('up', rows[0]['Backend State'])
        self.assertEqual(['volume 3.49'], self.microversions('GET'))
        self.assertEqual(2.0, self.cinder.timeouts['read'])

    def test_scheduler_silent_lists_every_service_without_backend_state(self):
        for state, why in (
            ('silent', SILENT),
            ('error', 'cinder-api failed the 3.49 read with HTTP 500'),
        ):
            self.cinder.scheduler_rpc = state
            self.cinder.forget_requests()
            result = self.cli('list', '-f', 'json')
            self.assertEqual(0, result.code, result)
            self.assertEqual(
                {HOST: 'unknown', 'node2@lvm': 'unknown', 'node1': None},
                {r['Host']: r['Backend State'] for r in result.json()},
            )
            self.assertEqual(
                [f'Backend State unknown: {why}; is cinder-scheduler or '
                 f'RabbitMQ down? (listed at 3.48, which does not ask it; '
                 f'--rpc-timeout sets the wait)'],
                result.stderr.splitlines(),
            )
            # The bounded read is never retried: the fallback is the retry.
            self.assertEqual(
                ['volume 3.49', 'volume 3.48'], self.microversions('GET')
            )

    def test_bounded_read_is_not_retried_on_a_gateway_error(self):
        # keystoneauth would retry a 503 after a back-off: the fallback is
        # the retry, and it asks no scheduler.
        self.cinder.read_failures = [503]
        result = self.cli('list', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(['volume 3.49', 'volume 3.48'], self.microversions('GET'))
        self.assertIn('Backend State unknown', result.stderr)

    def test_show_falls_back_once(self):
        self.cinder.scheduler_rpc = 'silent'
        result = self.cli('show', HOST, 'cinder-volume', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual('unknown', result.json()['Backend State'])
        self.assertIn(SILENT, result.stderr)
        result = self.cli('show', HOST, 'cinder-scheduler')
        self.assertIn("No cinder-scheduler service on host 'node1@lvm'", result.stderr)
        self.assertEqual(1, result.stderr.count('Backend State unknown'))

    def test_pinned_version_is_bounded_too(self):
        self.cinder.scheduler_rpc = 'silent'
        result = self.cli('list', '-f', 'json', '--rpc-timeout', '0.5', version='3.60')
        self.assertEqual(0, result.code, result)
        self.assertEqual(0.5, self.cinder.timeouts['read'])
        self.assertEqual(['volume 3.60', 'volume 3.48'], self.microversions('GET'))
        self.assertIn('within 0.5 s', result.stderr)

    def test_api_timeout_lowers_the_bound(self):
        self.useFixture(base.fixtures.EnvironmentVariable('OS_API_TIMEOUT', '1.5'))
        self.cli('list')
        self.assertEqual(1.5, self.cinder.timeouts['read'])
        self.assertEqual(0, self.cli('freeze', HOST).code)
        self.assertEqual(1.5, self.cinder.timeouts['freeze'])

    def test_fallback_read_keeps_the_filters(self):
        self.cinder.scheduler_rpc = 'silent'
        result = self.cli('list', '--host', HOST, '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual([HOST], [r['Host'] for r in result.json()])
        self.assertEqual([{'host': [HOST]}] * 2,
                         [r.qs for r in self.cinder.requests('GET')])

    def test_reads_below_3_49_ask_no_scheduler(self):
        self.cinder.scheduler_rpc = 'silent'
        result = self.cli('list', version='3.48')
        self.assertEqual((0, ''), (result.code, result.stderr))


class TestActionBounds(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.service = self.cinder.add(HOST)
        self.cinder.add('node2@lvm', state='down', updated_at='2026-11-24T09:00:00.000000')

    def test_target_down_is_refused_before_any_request(self):
        for args in (('freeze', 'node2@lvm'), ('thaw', 'node2@lvm'),
                     ('failover', 'node2@lvm')):
            if args[0] == 'thaw':
                self.cinder.get('node2@lvm')['frozen'] = True
            result = self.cli(*args)
            self.assertFails(
                result,
                'cinder-volume on node2@lvm (last heartbeat '
                '2026-11-24T09:00:00.000000) is down: Cinder would wait for '
                'it over RPC (60 s by default) and no driver would '
                f'{args[0]}. Start it first, or give --even-if-down',
            )
        self.assertEqual([], self.cinder.puts())

    def test_even_if_down_sends_and_reports_the_database(self):
        # Cinder sets frozen, then waits for an RPC answer no cinder-volume
        # gives: the client's bound passes first, or past Cinder's
        # rpc_response_timeout (60 s) Cinder answers 500.
        down = self.cinder.get('node2@lvm')
        for bound, why in (
            ('20', 'freeze got no answer within 20 s'),
            ('60', 'freeze failed with HTTP 500 (The server has either erred'),
        ):
            down['frozen'] = False
            result = self.cli('freeze', 'node2@lvm', '--even-if-down', '--rpc-timeout', bound)
            self.assertEqual(1, result.code, result)
            notice, error = result.stderr.splitlines()
            self.assertIn('sending the freeze anyway (--even-if-down)', notice)
            self.assertIn(why, error)
            self.assertIn('The database now shows cinder-volume on node2@lvm: status '
                          'enabled, frozen True', error)
        self.assertEqual([('freeze', {'host': 'node2@lvm'})] * 2, self.cinder.puts())

    def test_cluster_acts_when_one_member_is_up(self):
        self.cinder.get(HOST)['cluster_name'] = 'c1@lvm'
        self.cinder.get('node2@lvm')['cluster_name'] = 'c1@lvm'
        result = self.cli('freeze', '--cluster', 'c1@lvm')
        self.assertIn(
            "node2@lvm of cluster 'c1@lvm' down: a member that is up takes the freeze",
            result.stderr,
        )
        self.assertEqual([('freeze', {'cluster': 'c1@lvm'})], self.cinder.puts())
        self.cinder.get(HOST)['state'] = 'down'
        result = self.cli('thaw', '--cluster', 'c1@lvm')
        self.assertFails(result, 'is down: Cinder would wait for it over RPC')

    def test_unanswered_freeze_reports_the_database(self):
        self.cinder.volume_rpc = 'silent'
        result = self.cli('freeze', HOST, '--rpc-timeout', '2')
        self.assertFails(
            result,
            "freeze got no answer within 2 s: Cinder answers it only once the "
            "backend's cinder-volume has, over RabbitMQ (is either down?). The "
            "database now shows cinder-volume on node1@lvm: status enabled, "
            "frozen True, reason None, replication disabled; the backend has "
            "not confirmed; the request may still complete: "
            f"{self.command('show node1@lvm cinder-volume')} shows whether it did",
        )
        self.assertEqual(2.0, self.cinder.timeouts['freeze'])

    def test_set_enable_via_thaw_takes_the_bound(self):
        self.service.update(disabled=True, disabled_reason='maint')
        result = self.cli('set', HOST, 'cinder-volume', '--enable',
                          '--enable-via-thaw', '--rpc-timeout', '3')
        self.assertEqual(0, result.code, result)
        self.assertEqual((3.0, 3.0), (self.cinder.timeouts['freeze'],
                                      self.cinder.timeouts['thaw']))

    def test_default_action_bound_and_server_side_timeout(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='frozen')
        self.cinder.volume_rpc = 'error'
        result = self.cli('thaw', HOST)
        self.assertFails(result, 'thaw failed with HTTP 500 (The server has either erred')
        self.assertIn('frozen False', result.stderr)
        self.assertEqual(20.0, self.cinder.timeouts['thaw'])

    def test_enable_via_thaw_checks_the_target(self):
        self.cinder.get('node2@lvm').update(disabled=True, disabled_reason='x')
        result = self.cli('set', '--enable', '--enable-via-thaw', 'node2@lvm',
                          'cinder-volume')
        self.assertFails(result, 'cinder-volume on node2@lvm (last heartbeat')
        self.assertEqual([('enable', {'host': 'node2@lvm', 'binary': 'cinder-volume'})],
                         self.cinder.puts())

    def test_batch_reports_unconfirmed_and_down_services(self):
        self.cinder.volume_rpc = 'silent'
        result = self.cli('commit', '--host-pattern', '*', '--frozen', '-f', 'json',
                          '--rpc-timeout', '1')
        self.assertEqual(1, result.code, result)
        rows = {r['Host']: r for r in result.json()}
        self.assertEqual('unknown', rows[HOST]['Result'])
        self.assertIn('freeze: freeze got no answer within 1 s', rows[HOST]['Detail'])
        self.assertIn('frozen True', rows[HOST]['Detail'])
        self.assertTrue(rows[HOST]['Detail'].endswith(
            f"the request may still complete: "
            f"{self.command('show node1@lvm cinder-volume')} shows whether it did"))
        self.assertEqual('failed', rows['node2@lvm']['Result'])
        self.assertIn('node2@lvm (last heartbeat', rows['node2@lvm']['Detail'])
        self.assertEqual([('freeze', {'host': HOST})], self.cinder.puts())

    def test_failover_unanswered(self):
        self.service['replication_status'] = 'enabled'
        self.cinder.volume_rpc = 'silent'
        result = self.cli('failover', HOST, version='3.26')
        self.assertFails(result, 'failover got no answer within 20 s')
        self.assertIn('replication failing-over', result.stderr)


class TestTimeOptions(base.ShellTestCase):
    def test_only_finite_seconds(self):
        for command in (('list',), ('show', HOST, 'cinder-volume'),
                        ('freeze', HOST), ('thaw', HOST), ('failover', HOST),
                        ('set', HOST, 'cinder-volume', '--disable'),
                        ('commit', HOST, 'cinder-volume', '--status', 'enabled')):
            # Issue 15, item 10: --rpc-timeout 0 passed the parser, then
            # failed in urllib3's words ("Attempted to set connect timeout
            # to 0.0"). --wait-timeout 0 means "read once".
            options = {'--rpc-timeout': ('0', 'is not a timeout (a finite number of '
                                              'seconds, more than 0)')}
            if command[0] in ('freeze', 'thaw', 'failover', 'commit'):
                options['--wait-timeout'] = (None, 'is not a number of seconds')
            for option, (zero, words) in options.items():
                for value in ('nan', 'inf', '-1', 'soon', zero):
                    if value is None:
                        continue
                    result = self.cli(*command, option, value)
                    self.assertEqual(2, result.code, (command, option, value))
                    self.assertIn(f"{option}: '{value}' {words}",
                                  result.stderr.splitlines()[-1])
        self.assertEqual([], self.cinder.requests())


class TestKeystoneAndTls(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add(HOST)

    def keystone_answers(self, **answer):
        self.mock.post(fakes.AUTH_URL + '/auth/tokens', **answer)

    def test_keystone_down(self):
        for answer, message in (
            ({'exc': requests.exceptions.ConnectionError('refused')},
             'Cannot connect to Keystone at http://keystone.test/v3/auth/tokens '
             '(connection refused or unreachable): is Keystone running?'),
            ({'exc': requests.exceptions.ReadTimeout('slow')},
             'Keystone at http://keystone.test/v3/auth/tokens did not answer in '
             'time: is it running, and is its database up?'),
            ({'status_code': 500, 'json': {'error': {
                'code': 500, 'title': 'Internal Server Error',
                'message': 'An unexpected error prevented the server from '
                           'fulfilling your request.'}}},
             'Keystone at http://keystone.test/v3/auth/tokens answered HTTP 500: '),
            # What Keystone behind Apache or gunicorn answers, its database down.
            ({'status_code': 500, 'headers': {'Content-Type': 'text/html'},
              'text': '<html>\n<head>\n<title>Internal Server '
              'Error</title>\n</head>\n<body><h1>Internal Server Error</h1></body>'},
             'Keystone at http://keystone.test/v3/auth/tokens answered HTTP 500: '
             'Internal Server Error: is its database up?'),
        ):
            self.keystone_answers(**answer)
            result = self.cli('list')
            self.assertFails(result, message)
        self.assertEqual([], self.cinder.requests())

    def test_keystone_requests_are_bounded(self):
        self.cli('list')
        auth = [r for r in self.mock.request_history if r.path.endswith('/auth/tokens')]
        self.assertEqual(30.0, auth[0].timeout)

    def test_untrusted_certificate_is_named(self):
        self.mock.register_uri(
            requests_mock.ANY, re.compile(re.escape(fakes.CINDER_ROOT)),
            exc=requests.exceptions.SSLError(
                'certificate verify failed: unable to get local issuer certificate'),
        )
        result = self.cli('list')
        self.assertFails(
            result,
            f'TLS failure talking to cinder-api at {fakes.V3_ENDPOINT}/os-services: '
            f"give its CA with --os-cacert or 'cacert' in clouds.yaml (SSL exception "
            f'connecting to {fakes.V3_ENDPOINT}/os-services: certificate verify '
            f'failed: unable to get local issuer certificate)',
        )
