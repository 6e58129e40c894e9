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

"""volsvc.cinder.volume_service's main(), in check mode and not, with diff,
against the fake Cinder: each result whole, what was sent, and what the
fake holds after."""

import threading
import time

import fixtures

from ansible_collections.volsvc.cinder.plugins.modules import volume_service
from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit import fakes

VOLUME = 'cinder-volume'
SCHEDULER = 'cinder-scheduler'
IGNORED_ENABLE = (
    "the server accepted every request but status is 'disabled'. Cinder "
    "28.0.0 and later answer os-services/enable with 200 without enabling the "
    "service; enable_via_thaw: true re-enables it by freeze and thaw")
DOWN = (
    "freeze: cinder-volume on node2@lvm (last heartbeat 2026-11-24T10:00:00.000000) "
    "is down: Cinder would wait for it over RPC (60 s by default) and no driver "
    "would freeze. Start it first, or set even_if_down: true to send the request anyway")
IRREVERSIBLE = (
    'cinder-scheduler on node1: Cinder 28.0.0 and later have no API that '
    're-enables cinder-scheduler: disabling it may not be reversible. Set '
    'even_if_irreversible: true to disable it anyway')
#: What the engine notes (an Ansible warning) when it re-enables by freeze
#: and thaw, and when it disables what no API re-enables.
RE_ENABLING = ('cinder-volume on node1@lvm: the server ignored os-services/enable; '
               're-enabling it by freeze and thaw')
#: The engine's note of a freeze sent to a service that is down, its advice
#: in the module's words.
SENDING_ANYWAY = ('cinder-volume on node2@lvm (last heartbeat 2026-11-24T10:00:00.000000) '
                  'down; sending the freeze anyway (even_if_down: true sends it anyway)')
NOT_REVERSIBLE = ('cinder-scheduler on node1: Cinder 28.0.0 and later have no '
                  'API that re-enables cinder-scheduler: disabling it may not be '
                  'reversible')


def row(host, binary=VOLUME, actions='-', result='unchanged', detail=''):
    """One of the returned services, the rows of commit -f json."""
    return dict(host=host, binary=binary, actions=actions, result=result, detail=detail)


def fields(status='enabled', disabled_reason=None, frozen=False):
    """What a change sets, as the diff shows it."""
    return dict(status=status, disabled_reason=disabled_reason, is_frozen=frozen)


def diff(host, before, after, binary=VOLUME):
    header = f'{binary} on {host}'
    return dict(before=before, after=after, before_header=header, after_header=header)


def without_details(result):
    """The result with its message and details elided."""
    result = dict(result, msg='...')
    result['services'] = [dict(service, detail='...') for service in result['services']]
    return runner.Run(1, result, [], '')


class VolumeServiceTestCase(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time',
                                             fakes.FakeClock()))
        self.cinder.add('node1@lvm')
        self.cinder.add('node2@lvm')
        self.cinder.add('node1', SCHEDULER)

    def run_module(self, **args):
        return super().run_module(volume_service, **args)

    def disable_node1(self, **args):
        return self.run_module(host='node1@lvm', binary=VOLUME, status='disabled',
                               disabled_reason='maintenance', **args)


class TestOneService(VolumeServiceTestCase):

    def test_check_mode_plans_and_sends_nothing(self):
        run = self.disable_node1(check_mode=True, diff=True)
        self.assertExits(run, dict(
            changed=True,
            services=[row('node1@lvm', actions="disable (reason 'maintenance')",
                          result='would change')],
            diff=[diff('node1@lvm', fields(),
                       fields('disabled', 'maintenance'))]))
        self.assertEqual([], self.cinder.puts())
        self.assertFalse(self.cinder.get('node1@lvm')['disabled'])

    def test_change_with_diff(self):
        run = self.disable_node1(diff=True)
        self.assertExits(run, dict(
            changed=True,
            services=[row('node1@lvm', actions="disable (reason 'maintenance')",
                          result='changed')],
            diff=[diff('node1@lvm', fields(), fields('disabled', 'maintenance'))]))
        self.assertEqual([('disable-log-reason', dict(
            host='node1@lvm', binary=VOLUME, disabled_reason='maintenance'))],
            self.cinder.puts())
        self.assertEqual((True, 'maintenance'), (
            self.cinder.get('node1@lvm')['disabled'],
            self.cinder.get('node1@lvm')['disabled_reason']))

    def test_change_without_diff(self):
        run = self.disable_node1()
        self.assertExits(run, dict(
            changed=True,
            services=[row('node1@lvm', actions="disable (reason 'maintenance')",
                          result='changed')]))
        self.assertEqual(dict(
            cloud=None, auth=None, auth_type=None, region_name=None, interface=None,
            validate_certs=None, ca_cert=None, client_cert=None, client_key=None,
            api_timeout=None, wait=False, timeout=180.0, sdk_log_path=None,
            sdk_log_level='INFO', host='node1@lvm',
            binary=VOLUME, host_pattern=None, zone=None, cluster=None, status='disabled',
            disabled_reason='maintenance', frozen=None, enable_via_thaw=False,
            even_if_down=False, even_if_irreversible=False, rpc_timeout=None,
            concurrency=8), run.result['invocation']['module_args'])

    def test_idempotent(self):
        self.disable_node1()
        self.cinder.forget_requests()
        for check_mode in (True, False):
            run = self.disable_node1(check_mode=check_mode, diff=True)
            self.assertExits(run, dict(
                changed=False,
                services=[row('node1@lvm')],
                diff=[diff('node1@lvm', fields('disabled', 'maintenance'),
                           fields('disabled', 'maintenance'))]))
        self.assertEqual([], self.cinder.puts())

    def test_verified_across_a_lagging_replica(self):
        # The first re-reads still show it enabled: wait_timeout re-reads.
        self.cinder.read_lag = 3
        run = self.disable_node1(wait=True, timeout=10)
        self.assertExits(run, dict(changed=True, services=[
            row('node1@lvm', actions="disable (reason 'maintenance')", result='changed')]))

    def test_lagging_replica_without_wait_timeout(self):
        self.cinder.read_lag = 3
        run = self.disable_node1(diff=True)
        detail = ("the server accepted every request but status is 'enabled', "
                  "disabled reason is None")
        # The server answered the disable, which Cinder writes before it
        # answers: changed, whatever the lagging read shows; and failed.
        self.assertFailsWith(run, dict(
            changed=True,
            services=[row('node1@lvm', actions="disable (reason 'maintenance')",
                          result='failed', detail=detail)],
            diff=[diff('node1@lvm', fields(), fields())],
            msg='Not every service ended as asked (1 failed): cinder-volume on '
                f'node1@lvm: failed ({detail})'))


class TestEnable(VolumeServiceTestCase):

    def setUp(self):
        super().setUp()
        self.cinder.get('node1@lvm').update(disabled=True, disabled_reason='maintenance')

    def enable_node1(self, **args):
        return self.run_module(host='node1@lvm', binary=VOLUME, status='enabled', **args)

    def test_ignored_by_cinder_29(self):
        run = self.enable_node1(diff=True)
        self.assertFailsWith(run, dict(
            changed=False,
            services=[row('node1@lvm', actions='enable', result='failed',
                          detail=IGNORED_ENABLE)],
            diff=[diff('node1@lvm', fields('disabled', 'maintenance'),
                       fields('disabled', 'maintenance'))],
            msg='Not every service ended as asked (1 failed): cinder-volume on '
                f'node1@lvm: failed ({IGNORED_ENABLE})'))

    def test_via_thaw(self):
        run = self.enable_node1(diff=True, enable_via_thaw=True)
        self.assertExits(run, dict(
            changed=True,
            services=[row('node1@lvm', actions='enable, freeze, thaw', result='changed')],
            diff=[diff('node1@lvm', fields('disabled', 'maintenance'),
                       fields('enabled', ''))],
            warnings=[RE_ENABLING]))
        self.assertEqual(['enable', 'freeze', 'thaw'],
                         [action for action, _ in self.cinder.puts()])
        self.assertFalse(self.cinder.get('node1@lvm')['disabled'])

    def test_check_mode(self):
        run = self.enable_node1(check_mode=True, diff=True, enable_via_thaw=True)
        self.assertExits(run, dict(
            changed=True,
            services=[row('node1@lvm', result='would change',
                          actions='enable (then freeze, thaw if the server ignores enable)')],
            diff=[diff('node1@lvm', fields('disabled', 'maintenance'),
                       fields('enabled', 'maintenance'))]))
        self.assertEqual([], self.cinder.puts())


class TestEnableOn27(TestEnable):
    release = 27

    def test_ignored_by_cinder_29(self):
        # Cinder 27 enables.
        run = self.enable_node1(diff=True)
        self.assertExits(run, dict(
            changed=True,
            services=[row('node1@lvm', actions='enable', result='changed')],
            diff=[diff('node1@lvm', fields('disabled', 'maintenance'),
                       fields('enabled', 'maintenance'))]))

    def test_via_thaw(self):
        run = self.enable_node1(enable_via_thaw=True)
        self.assertExits(run, dict(changed=True, services=[
            row('node1@lvm', actions='enable', result='changed')]))
        self.assertEqual(['enable'], [action for action, _ in self.cinder.puts()])


class TestSelection(VolumeServiceTestCase):

    def test_freeze_every_backend_of_a_host_pattern(self):
        run = self.run_module(host_pattern='node*', frozen=True, diff=True)
        self.assertExits(run, dict(
            changed=True,
            services=[row('node1@lvm', actions='freeze', result='changed'),
                      row('node2@lvm', actions='freeze', result='changed')],
            diff=[diff('node1@lvm', fields(), fields('disabled', 'frozen', True)),
                  diff('node2@lvm', fields(), fields('disabled', 'frozen', True))]))
        self.assertEqual([('freeze', dict(host='node1@lvm')),
                          ('freeze', dict(host='node2@lvm'))],
                         sorted(self.cinder.puts(), key=lambda put: put[1]['host']))

    def test_check_mode(self):
        run = self.run_module(zone='nova', status='disabled', check_mode=True, diff=True)
        self.assertExits(run, dict(
            changed=True,
            services=[row('node1@lvm', actions='disable', result='would change'),
                      row('node2@lvm', actions='disable', result='would change')],
            diff=[diff('node1@lvm', fields(), fields('disabled')),
                  diff('node2@lvm', fields(), fields('disabled'))]))
        self.assertEqual([], self.cinder.puts())

    def test_one_down(self):
        self.cinder.get('node2@lvm')['state'] = 'down'
        run = self.run_module(host_pattern='node*', frozen=True, diff=True)
        self.assertFailsWith(run, dict(
            changed=True,
            services=[row('node1@lvm', actions='freeze', result='changed'),
                      row('node2@lvm', actions='freeze', result='failed', detail=DOWN)],
            diff=[diff('node1@lvm', fields(), fields('disabled', 'frozen', True)),
                  diff('node2@lvm', fields(), fields())],
            msg='Not every service ended as asked (1 failed): cinder-volume on '
                f'node2@lvm: failed ({DOWN})'))
        self.assertEqual([('freeze', dict(host='node1@lvm'))], self.cinder.puts())

    def test_one_down_sent_anyway(self):
        # Cinder changes the database, then its RPC to the service that is
        # down times out: HTTP 500, the outcome unknown (test_cli_free
        # checks the detail's wording).
        self.cinder.get('node2@lvm')['state'] = 'down'
        self.cinder.rpc_response_timeout = 1.0
        run = self.run_module(host_pattern='node2*', frozen=True, even_if_down=True,
                              diff=True)
        self.assertFailsWith(without_details(run.result), dict(
            changed=True,
            services=[row('node2@lvm', actions='freeze', result='unknown', detail='...')],
            diff=[diff('node2@lvm', fields(), fields(frozen=True))],
            msg='...', warnings=[SENDING_ANYWAY]))
        self.assertEqual([('freeze', dict(host='node2@lvm'))], self.cinder.puts())

    def test_binary_chooses_among_the_selection(self):
        run = self.run_module(host_pattern='node1*', binary=SCHEDULER, status='disabled',
                              even_if_irreversible=True)
        self.assertExits(run, dict(changed=True, services=[
            row('node1', SCHEDULER, actions='disable', result='changed')],
            warnings=['Cinder 28.0.0 and later have no API that re-enables '
                      'cinder-scheduler: disabling it may not be reversible']))
        self.assertEqual([('disable-log-reason', dict(host='node1', binary=SCHEDULER))],
                         self.cinder.puts())

    def test_concurrency(self):
        # requests-mock answers one request at a time (it holds a lock): what
        # shows the concurrency is how many threads send requests.
        for n in range(3, 7):
            self.cinder.add(f'node{n}@lvm')
        senders = set()

        def note_sender(action, body):
            senders.add(threading.current_thread().name)
            time.sleep(0.01)

        self.cinder.after_action = note_sender
        run = self.run_module(host_pattern='node*', frozen=True, concurrency=3)
        self.assertExits(run, dict(changed=True, services=[
            row(f'node{n}@lvm', actions='freeze', result='changed') for n in range(1, 7)]))
        self.assertEqual(3, len(senders), senders)

    def test_nothing_matches(self):
        for check_mode in (True, False):
            run = self.run_module(zone='elsewhere', frozen=True, check_mode=check_mode)
            self.assertFailsWith(run, dict(msg='No service matches the selection'))
        self.assertEqual([], self.cinder.puts())


class TestRefused(VolumeServiceTestCase):

    def test_unknown_service(self):
        for check_mode in (True, False):
            run = self.run_module(host='node9@lvm', binary=VOLUME, status='disabled',
                                  check_mode=check_mode, diff=True)
            self.assertFailsWith(run, dict(
                msg="No cinder-volume service on host 'node9@lvm'. Hosts running "
                    "cinder-volume: node1@lvm, node2@lvm"))
        self.assertEqual([], self.cinder.puts())

    def test_irreversible_disable(self):
        run = self.run_module(host='node1', binary=SCHEDULER, status='disabled')
        self.assertFailsWith(run, dict(msg=IRREVERSIBLE))
        self.assertEqual([], self.cinder.puts())

    def test_irreversible_disable_allowed(self):
        run = self.run_module(host='node1', binary=SCHEDULER, status='disabled',
                              even_if_irreversible=True)
        self.assertExits(run, dict(changed=True, services=[
            row('node1', SCHEDULER, actions='disable', result='changed')],
            warnings=[NOT_REVERSIBLE]))

    def test_irreversible_disable_in_check_mode(self):
        # The plan applies the run's refusals (issue 23 item 6).
        run = self.run_module(host='node1', binary=SCHEDULER, status='disabled',
                              check_mode=True)
        self.assertFailsWith(run, dict(msg=IRREVERSIBLE))

    def test_overruled_in_check_mode(self):
        # Check mode plans what the run would send with the same options.
        self.cinder.get('node2@lvm')['state'] = 'down'
        run = self.run_module(host='node2@lvm', binary=VOLUME, frozen=True,
                              even_if_down=True, check_mode=True)
        # A plan sends nothing, and says nothing of sending.
        self.assertExits(run, dict(changed=True, services=[
            row('node2@lvm', actions='freeze', result='would change')]))
        run = self.run_module(host='node1', binary=SCHEDULER, status='disabled',
                              even_if_irreversible=True, check_mode=True)
        self.assertExits(run, dict(changed=True, services=[
            row('node1', SCHEDULER, actions='disable', result='would change')],
            warnings=[NOT_REVERSIBLE]))
        self.assertEqual([], self.cinder.puts())

    def test_down_in_check_mode(self):
        # Check mode fails the freeze the run refuses (issue 23 item 6).
        self.cinder.get('node2@lvm')['state'] = 'down'
        run = self.run_module(host_pattern='node*', frozen=True, check_mode=True, diff=True)
        self.assertFailsWith(run, dict(
            changed=True,
            services=[row('node1@lvm', actions='freeze', result='would change'),
                      row('node2@lvm', actions='freeze', result='failed', detail=DOWN)],
            diff=[diff('node1@lvm', fields(), fields('disabled', 'frozen', True)),
                  diff('node2@lvm', fields(), fields())],
            msg='Not every service ended as asked (1 failed): cinder-volume on '
                f'node2@lvm: failed ({DOWN})'))
        self.assertEqual([], self.cinder.puts())

    def test_requests_no_request_reaches(self):
        for args, message in (
            (dict(host='node1@lvm', binary=VOLUME, status='enabled', frozen=True),
             'status enabled and frozen contradict each other: a freeze disables '
             'the service'),
            (dict(host='node1', binary=SCHEDULER, frozen=True),
             'only cinder-volume services can be frozen or thawed, not '
             'cinder-scheduler'),
            (dict(host='node1@lvm', binary=VOLUME, status='disabled',
                  disabled_reason='x' * 256),
             'disabled_reason is 256 characters long; Cinder accepts at most 255'),
            (dict(host_pattern='node*', status='disabled', disabled_reason=' '),
             'disabled_reason must not be empty'),
        ):
            for check_mode in (True, False):
                run = self.run_module(check_mode=check_mode, **args)
                self.assertFailsWith(run, dict(msg=message))
        self.assertEqual([], self.cinder.puts())

    def test_arguments_ansible_refuses(self):
        for args, message in (
            (dict(host='node1@lvm', status='disabled'),
             'missing parameter(s) required by \'host\': binary'),
            (dict(host='node1@lvm', binary=VOLUME, zone='nova', status='disabled'),
             'parameters are mutually exclusive: host|zone'),
            (dict(status='disabled'),
             'one of the following is required: host, host_pattern, zone, cluster, '
             'binary'),
            (dict(host='node1@lvm', binary=VOLUME),
             'one of the following is required: status, frozen'),
            (dict(host='node1@lvm', binary=VOLUME, status='off'),
             'value of status must be one of: enabled, disabled, got: off'),
            (dict(host='node1@lvm', binary=VOLUME, frozen=True, disabled_reason='why'),
             "missing parameter(s) required by 'disabled_reason': status"),
            (dict(host='node1@lvm', binary=VOLUME, status='enabled', disabled_reason='why'),
             'disabled_reason goes with status=disabled'),
            (dict(host='node1@lvm', binary=VOLUME, status='disabled', unknown=1),
             'Unsupported parameters for (volsvc.cinder.volume_service) module: '
             'unknown. Supported parameters include: api_timeout, auth, auth_type, '
             'binary, ca_cert, client_cert, client_key, cloud, cluster, concurrency, '
             'disabled_reason, enable_via_thaw, even_if_down, even_if_irreversible, '
             'frozen, host, host_pattern, interface, region_name, rpc_timeout, '
             'sdk_log_level, sdk_log_path, status, timeout, validate_certs, wait, '
             'zone (cacert, cert, endpoint_type, key, verify).'),
        ):
            run = self.run_module(**args)
            self.assertFailsWith(run, dict(msg=message))
        self.assertEqual([], self.cinder.requests())


class TestServerAndConnection(VolumeServiceTestCase):

    def test_server_error(self):
        self.cinder.read_failures = [500]
        run = self.disable_node1()
        self.assertFailsWith(run, dict(
            msg='GET http://cinder.test:8776/v3/os-services?host=node1%40lvm&binary='
                'cinder-volume failed with HTTP 500: The server has either erred or is '
                'incapable of performing the requested operation.'))
        self.assertEqual([], self.cinder.puts())

    def test_forbidden(self):
        self.cinder.forbidden = True
        run = self.disable_node1()
        self.assertFailsWith(run, dict(
            msg="Forbidden by the server's policy (managing volume services requires "
                "an administrator by default): Policy doesn't allow "
                "volume_extension:services:index to be performed."))

    def test_unconfirmed_freeze(self):
        # No answer within rpc_timeout: unknown (test_cli_free checks the
        # detail's wording).
        self.cinder.volume_rpc = 'silent'
        run = self.run_module(host='node2@lvm', binary=VOLUME, frozen=True, rpc_timeout=5,
                              diff=True)
        self.assertFailsWith(without_details(run.result), dict(
            changed=True,
            services=[row('node2@lvm', actions='freeze', result='unknown', detail='...')],
            diff=[diff('node2@lvm', fields(), fields(frozen=True))],
            msg='...'))
        self.assertEqual(5, self.cinder.timeouts['freeze'])

    def test_bad_connection_options(self):
        for args, message in (
            (dict(cloud=dict(region_name='RegionOne'), region_name='r2'),
             'cloud is a whole cloud configuration (a dict): give region_name inside '
             'it, not beside it'),
            (dict(cloud=['mycloud']),
             'cloud must be the name of a cloud in clouds.yaml or a dict of its '
             'configuration'),
            (dict(cloud='nosuch'), 'Cloud nosuch was not found.'),
        ):
            run = self.disable_node1(**args)
            self.assertFailsWith(run, dict(msg=message))
        self.assertEqual([], self.cinder.requests())

    def test_keystone_refuses(self):
        self.mock.post(fakes.AUTH_URL + '/auth/tokens', status_code=401,
                       headers={'Content-Type': 'text/plain'}, text='Unauthorized')
        run = self.disable_node1()
        self.assertFailsWith(run, dict(
            msg='Keystone at http://keystone.test/v3/auth/tokens answered HTTP 401: '
                'Unauthorized'))
