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

"""volume service set: requests sent, outcome verified, truthful errors."""

import requests

from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

load_tests = base.load_tests

HOST = 'node1@lvm'
VOLUME = ('set', HOST, 'cinder-volume')


class SetMixin:
    def setUp(self):
        super().setUp()
        self.service = self.cinder.add(HOST)


class TestDisable(SetMixin, base.ShellTestCase):
    def test_disable_uses_disable_log_reason_and_verifies(self):
        result = self.cli(*VOLUME, '--disable')
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertTrue(self.service['disabled'])
        self.assertEqual(
            [('disable-log-reason', {'host': HOST, 'binary': 'cinder-volume'})],
            self.cinder.puts(),
        )
        self.assertEqual(
            ['GET', 'PUT', 'GET'], [r.method for r in self.cinder.requests()]
        )
        # Reads that show no Backend State stay below 3.49, where every
        # os-services GET costs Cinder a scheduler RPC.
        self.assertEqual(
            ['volume 3.48', 'volume 3.49', 'volume 3.48'], self.microversions()
        )

    def test_pinned_microversion_is_used_for_every_request(self):
        result = self.cli(*VOLUME, '--disable', version='3.60')
        self.assertEqual(0, result.code, result)
        self.assertEqual(['volume 3.60'] * 3, self.microversions())

    def test_disable_with_reason(self):
        result = self.cli(*VOLUME, '--disable', '--disable-reason', 'maint')
        self.assertEqual(0, result.code, result)
        self.assertEqual('maint', self.service['disabled_reason'])
        self.assertEqual(
            [('disable-log-reason',
              {'host': HOST, 'binary': 'cinder-volume',
               'disabled_reason': 'maint'})],
            self.cinder.puts(),
        )

    def test_disable_ignored_by_server_fails_loudly(self):
        self.cinder.ignored.add('disable-log-reason')
        result = self.cli(*VOLUME, '--disable', '--disable-reason', 'maint')
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: the server accepted the disable request "
            f"but status is 'enabled', disabled reason is None",
        )

    def test_already_disabled_sends_nothing(self):
        self.service['disabled'] = True
        result = self.cli(*VOLUME, '--disable')
        self.assertEqual(0, result.code)
        self.assertIn('already disabled; nothing to do', result.stderr)
        self.assertEqual([], self.cinder.puts())

    def test_new_reason_on_disabled_service_is_sent(self):
        self.service.update(disabled=True, disabled_reason='old')
        result = self.cli(*VOLUME, '--disable', '--disable-reason', 'new')
        self.assertEqual(0, result.code, result)
        self.assertEqual('new', self.service['disabled_reason'])

    def test_reason_validation_before_any_request(self):
        for args, message in (
            (('--disable-reason', 'x'),
             'Cannot specify option --disable-reason without --disable'),
            (('--enable', '--disable-reason', 'x'),
             'Cannot specify option --disable-reason without --disable'),
            (('--disable', '--disable-reason', 'x' * 256),
             '--disable-reason is 256 characters long; Cinder accepts at most 255'),
            (('--disable', '--disable-reason', '  '),
             '--disable-reason must not be empty'),
            ((), 'Nothing to set: give --enable or --disable'),
            (('--disable', '--enable-via-thaw'),
             '--enable-via-thaw goes with --enable'),
        ):
            result = self.cli(*VOLUME, *args)
            self.assertFails(result, message)
        self.assertEqual([], self.cinder.requests())

    def test_255_characters_are_accepted(self):
        result = self.cli(*VOLUME, '--disable', '--disable-reason', 'x' * 255)
        self.assertEqual(0, result.code, result)

    def test_enable_and_disable_exclude_each_other(self):
        result = self.cli(*VOLUME, '--enable', '--disable')
        self.assertEqual(2, result.code)
        self.assertIn('not allowed with argument', result.stderr)


class TestEnable29(SetMixin, base.ShellTestCase):
    release = 29

    def setUp(self):
        super().setUp()
        self.service.update(disabled=True, disabled_reason='maint')

    def test_enable_ignored_by_server_says_why_and_how(self):
        result = self.cli(*VOLUME, '--enable')
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: the server accepted os-services/enable "
            f"but status is 'disabled'. Cinder 28.0.0 and later answer "
            f"os-services/enable with 200 without enabling the service. For a "
            f"cinder-volume service, {self.command('freeze ' + HOST)} "
            f"then {self.command('thaw ' + HOST)} re-enables it "
            f"(--enable-via-thaw does both)",
        )
        self.assertTrue(self.service['disabled'])
        self.assertEqual(['enable'], [a for a, _ in self.cinder.puts()])

    def test_enable_of_other_binary_has_no_workaround(self):
        self.cinder.add('node1', binary='cinder-scheduler', disabled=True)
        result = self.cli('set', 'node1', 'cinder-scheduler', '--enable')
        self.assertFails(result, 'No API re-enables cinder-scheduler on such a release')

    def test_enable_via_thaw(self):
        result = self.cli(*VOLUME, '--enable', '--enable-via-thaw')
        self.assertEqual(0, result.code, result)
        self.assertEqual('', result.stdout)
        self.assertIn('re-enabling it by freeze and thaw', result.stderr)
        self.assertFalse(self.service['disabled'])
        self.assertFalse(self.service['frozen'])
        self.assertEqual(
            [('enable', {'host': HOST, 'binary': 'cinder-volume'}),
             ('freeze', {'host': HOST}),
             ('thaw', {'host': HOST})],
            self.cinder.puts(),
        )

    def test_frozen_service_is_re_enabled_by_thaw_alone(self):
        self.service.update(frozen=True, disabled_reason='frozen')
        result = self.cli(*VOLUME, '--enable')
        self.assertFails(
            result,
            f"It is frozen: {self.command('thaw ' + HOST)} thaws and "
            f"re-enables it (--enable-via-thaw does that)",
        )
        self.cinder.forget_requests()
        result = self.cli(*VOLUME, '--enable', '--enable-via-thaw')
        self.assertEqual(0, result.code, result)
        self.assertIn('re-enabling it by thaw', result.stderr)
        self.assertEqual(['enable', 'thaw'], [a for a, _ in self.cinder.puts()])
        self.assertEqual((False, False), (self.service['disabled'], self.service['frozen']))

    def test_already_enabled_sends_nothing(self):
        self.service['disabled'] = False
        result = self.cli(*VOLUME, '--enable')
        self.assertEqual(0, result.code)
        self.assertIn('already enabled; nothing to do', result.stderr)
        self.assertEqual([], self.cinder.puts())


class TestEnable27(SetMixin, base.ShellTestCase):
    release = 27

    def test_enable_works_on_27(self):
        self.service.update(disabled=True, disabled_reason='maint')
        result = self.cli(*VOLUME, '--enable')
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertFalse(self.service['disabled'])
        self.assertEqual(['enable'], [a for a, _ in self.cinder.puts()])

    def test_disable_works_on_27(self):
        result = self.cli(*VOLUME, '--disable')
        self.assertEqual(0, result.code, result)
        self.assertTrue(self.service['disabled'])


class TestSetErrors(SetMixin, base.ShellTestCase):
    def test_unknown_host_names_it_and_the_hosts_running_the_binary(self):
        self.cinder.add('node2@lvm')
        result = self.cli('set', 'nodeX@lvm', 'cinder-volume', '--disable')
        self.assertFails(
            result,
            "No cinder-volume service on host 'nodeX@lvm'. Hosts running "
            "cinder-volume: node1@lvm, node2@lvm",
        )
        self.assertEqual([], self.cinder.puts())

    def test_forbidden(self):
        self.cinder.forbidden = True
        result = self.cli(*VOLUME, '--disable')
        self.assertFails(result, "Forbidden by the server's policy")
        self.assertIn('volume_extension:services:index', result.stderr)

    def test_bad_request_gives_server_message(self):
        self.cinder.refused['disable-log-reason'] = 'Invalid input: nope'
        result = self.cli(*VOLUME, '--disable')
        self.assertFails(result, 'The server refused the request: Invalid input: nope')

    def test_unreachable_endpoint_is_named_after_retried_reads(self):
        for error, message in (
            (requests.exceptions.ConnectionError('Connection refused'),
             'Cannot connect to cinder-api at http://cinder.test:8776/v3/os-services'),
            (requests.exceptions.ConnectTimeout('timed out'),
             'cinder-api at http://cinder.test:8776/v3/os-services did not answer '
             'in time'),
        ):
            self.mock.get(fakes.CINDER_ROOT + '/v3/os-services', exc=error)
            self.cinder.forget_requests()
            result = self.cli(*VOLUME, '--disable')
            # Reads are retried three times with backoff before giving up.
            self.assertFails(result, message, retries=1)
            self.assertEqual(4, len(self.cinder.requests('GET')))

    def test_reads_retry_on_gateway_errors(self):
        self.cinder.read_failures = [503, 502]
        result = self.cli(*VOLUME, '--disable')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            ['GET', 'GET', 'GET', 'PUT', 'GET'],
            [r.method for r in self.cinder.requests()],
        )

    def test_writes_are_not_retried(self):
        self.mock.put(
            fakes.CINDER_ROOT + '/v3/os-services/disable-log-reason',
            exc=requests.exceptions.ConnectionError('Connection reset'),
        )
        result = self.cli(*VOLUME, '--disable')
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: the disable request got no answer (Cannot "
            f"connect to cinder-api at http://cinder.test:8776/v3/os-services/disable-log-reason "
            f"(connection refused or unreachable): is cinder-api running?) but "
            f"status is 'enabled'",
        )
        self.assertEqual(1, len(self.cinder.requests('PUT')))

    def test_lost_answer_of_an_applied_write_is_success(self):
        self.cinder.applied_then_504.add(('disable-log-reason', HOST))
        result = self.cli(*VOLUME, '--disable')
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertEqual(1, len(self.cinder.requests('PUT')))

    def test_lost_answer_and_no_reread_is_unknown(self):
        self.cinder.dies_at_action = 1
        result = self.cli(*VOLUME, '--disable')
        self.assertFails(
            result,
            'the disable request got no answer (Cannot connect to cinder-api at '
            'http://cinder.test:8776/v3/os-services/disable-log-reason '
            '(connection refused or unreachable): is cinder-api running?) and the '
            'service could not be re-read (Cannot connect to cinder-api at '
            'http://cinder.test:8776/v3/os-services',
            retries=1,
        )
        self.assertIn('whether it took effect is unknown', result.stderr)

    def test_service_removed_after_the_request(self):
        # 'cinder-manage service remove' between the request and the re-read.
        self.cinder.after_action = lambda action, body: self.cinder.services.clear()
        result = self.cli(*VOLUME, '--disable')
        self.assertFails(
            result,
            f'cinder-volume on {HOST} disappeared after the server accepted the '
            f'disable request',
        )

    def test_service_removed_before_the_request(self):
        self.cinder.after_read = lambda number: self.cinder.services.clear()
        result = self.cli(*VOLUME, '--disable')
        self.assertFails(
            result,
            'PUT http://cinder.test:8776/v3/os-services/disable-log-reason failed '
            'with HTTP 404: Service cinder-volume could not be found on host '
            f'{HOST}.',
        )

    def test_debug_never_prints_secrets(self):
        result = self.cli('list', global_options=['--debug'])
        self.assertEqual(0, result.code, result.stderr)
        output = result.stdout + result.stderr
        self.assertNotIn('secret-password', output)
        self.assertNotIn('fake-token-0123456789', output)
