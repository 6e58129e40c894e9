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

"""The Python API (volsvcclient.api) through the real SDK against the fake
Cinder: what a playbook module or a script gets, and what it raises."""

import io
import logging

import fixtures
from openstack import connection
from openstack import exceptions as sdk_exceptions

from volsvcclient import api
from volsvcclient.cinder import bounds
from volsvcclient.cinder import versions
from volsvcclient.engine import health
from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes


load_tests = base.load_tests


def _connection(**config):
    return connection.Connection(
        auth_url=fakes.AUTH_URL, username='admin', password='pw',
        project_name='admin', user_domain_id='default',
        project_domain_id='default', region_name='RegionOne', **config,
    )


class APITestCase(base.ShellTestCase):
    scenarios = [('api', {})]

    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm', cluster_name=None)
        self.cinder.add('node2@lvm')
        self.cinder.add('node1', 'cinder-scheduler')
        self.logged = self.useFixture(
            fixtures.FakeLogger('volsvcclient', level=logging.INFO))
        self.client = api.Client(_connection())

    def puts(self):
        return [r for r in self.cinder.requests('PUT')]


class TestConnect(APITestCase):
    def test_from_a_connection_negotiates(self):
        self.assertEqual(versions.NEWEST_USED, self.client.microversion)

    def test_from_cloud_reads_the_environment(self):
        client = api.Client.from_cloud()
        self.assertEqual(versions.NEWEST_USED, client.microversion)
        self.assertEqual(3, len(client.services()))
        # Every request is bounded, as in the commands...
        self.assertEqual(bounds.REQUEST, client._api.proxy.session.timeout)

    def test_from_cloud_keeps_the_configured_timeout(self):
        # ... unless the cloud config says otherwise.
        self.useFixture(fixtures.EnvironmentVariable('OS_API_TIMEOUT', '7'))
        client = api.Client.from_cloud()
        self.assertEqual(7, client._api.proxy.session.timeout)
        client = api.Client.from_cloud(api_timeout=5)
        self.assertEqual(5, client._api.proxy.session.timeout)

    def test_an_unreachable_keystone_is_an_error(self):
        self.mock.post(fakes.AUTH_URL + '/auth/tokens', status_code=401,
                       json={'error': {'message': 'bad password'}})
        error = self.assertRaises(api.Error, api.Client, _connection())
        self.assertIn('401', str(error))
        self.assertIsNotNone(error.__cause__)


class TestRead(APITestCase):
    def test_list_and_filter(self):
        listed = self.client.services(binary='cinder-volume')
        self.assertEqual(['node1@lvm', 'node2@lvm'], sorted(s.host for s in listed))
        chosen = self.client.services(selection=api.Selection(host_pattern='node2*'))
        self.assertEqual([('node2@lvm', 'cinder-volume')], [s.key for s in chosen])

    def test_show(self):
        service = self.client.get_service('node1@lvm', 'cinder-volume')
        self.assertEqual('enabled', service.status)
        self.assertEqual('up', service.backend_state)

    def test_show_of_nothing_names_what_exists(self):
        error = self.assertRaises(
            api.NoSuchService, self.client.get_service, 'node3@lvm', 'cinder-volume')
        self.assertIn('node1@lvm, node2@lvm', str(error))
        # An openstacksdk user's except clauses hold around the API.
        self.assertIsInstance(error, sdk_exceptions.NotFoundException)
        self.assertIsInstance(error, sdk_exceptions.SDKException)
        self.assertEqual(404, error.status_code)


class TestPlanAndApply(APITestCase):
    DISABLE = api.Desired('node1@lvm', 'cinder-volume', status='disabled',
                          disabled_reason='maintenance')

    def test_plan_sends_nothing(self):
        report = self.client.plan([self.DISABLE])
        self.assertEqual([], self.puts())
        self.assertTrue(report.changed)
        self.assertTrue(report.planned)
        (outcome,) = report.outcomes
        self.assertEqual(api.Result.WOULD_CHANGE, outcome.result)
        self.assertEqual(("disable (reason 'maintenance')",), outcome.actions)
        self.assertEqual('enabled', outcome.before.status)
        self.assertIsNone(outcome.after)
        self.assertEqual({'status': 'disabled', 'disabled_reason': 'maintenance'},
                         outcome.wanted)

    def test_apply_changes_once(self):
        report = self.client.apply([self.DISABLE])
        self.assertTrue(report.changed)
        self.assertIsNone(report.reason)
        (outcome,) = report.outcomes
        self.assertEqual(
            ('node1@lvm', 'cinder-volume', ("disable (reason 'maintenance')",),
             api.Result.CHANGED, ''),
            (outcome.host, outcome.binary, outcome.actions, outcome.result,
             outcome.detail))
        self.assertEqual(('enabled', 'disabled'),
                         (outcome.before.status, outcome.after.status))
        self.assertEqual('maintenance', self.cinder.get('node1@lvm')['disabled_reason'])
        again = self.client.apply([self.DISABLE])
        self.assertFalse(again.changed)
        self.assertEqual([api.Result.UNCHANGED], [o.result for o in again.outcomes])
        self.assertEqual(1, len(self.puts()))

    def test_a_selection_with_a_template(self):
        report = self.client.apply(
            selection=api.Selection(host_pattern='node*'),
            template=api.State(frozen=True))
        self.assertEqual(
            [('node1@lvm', 'changed'), ('node2@lvm', 'changed')],
            [(o.host, o.result) for o in report.outcomes])
        self.assertTrue(self.cinder.get('node2@lvm')['frozen'])

    def test_enable_ignored_fails_with_a_reason(self):
        self.cinder.get('node1@lvm').update(disabled=True, disabled_reason='x')
        report = self.client.apply(
            [api.Desired('node1@lvm', 'cinder-volume', status='enabled')])
        self.assertFalse(report.changed)
        self.assertEqual(1, report.unfinished)
        self.assertIn('Not every service ended as asked (1 failed): '
                      'cinder-volume on node1@lvm: failed (the server accepted',
                      report.reason)
        # The advice by the API's keyword, as fields for callers that word
        # it in their own names.
        (outcome,) = report.outcomes
        self.assertEqual(('enable_via_thaw', 're-enables it by freeze and thaw'),
                         (outcome.advice.keyword, outcome.advice.purpose))
        self.assertNotIn('--', outcome.detail)
        self.assertNotIn('enable_via_thaw', outcome.facts)
        self.assertTrue(report.reason.endswith(
            '; enable_via_thaw=True re-enables it by freeze and thaw)'),
            report.reason)
        report = self.client.apply(
            [api.Desired('node1@lvm', 'cinder-volume', status='enabled')],
            enable_via_thaw=True)
        self.assertTrue(report.changed)
        self.assertIsNone(report.reason)
        (outcome,) = report.outcomes
        # Re-read after the freeze and thaw, not the verifying read before.
        self.assertEqual(('disabled', 'enabled'),
                         (outcome.before.status, outcome.after.status))

    def test_a_service_down_is_advised_by_keyword(self):
        self.cinder.get('node2@lvm')['state'] = 'down'
        report = self.client.apply(
            [api.Desired('node2@lvm', 'cinder-volume', frozen=True)])
        (outcome,) = report.outcomes
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertIn('even_if_down=True', outcome.detail)
        self.assertEqual(('even_if_down', 'send the request anyway'),
                         (outcome.advice.keyword, outcome.advice.purpose))
        self.assertTrue(outcome.facts.startswith('freeze: cinder-volume on node2@lvm'),
                        outcome.facts)
        self.assertNotIn('--', outcome.facts)
        self.assertNotIn('--', report.reason)
        self.assertIn('no driver would freeze. Start it first, or give '
                      'even_if_down=True to send the request anyway)', report.reason)
        self.assertEqual([], self.puts())

    def test_a_missing_service_is_a_failed_outcome(self):
        report = self.client.apply(
            [self.DISABLE, api.Desired('node9@lvm', 'cinder-volume', frozen=True)])
        self.assertEqual(['changed', 'failed'], [o.result for o in report.outcomes])
        self.assertIn('node9@lvm: failed (no such service)', report.reason)

    def test_one_missing_service_is_no_such_service(self):
        error = self.assertRaises(
            api.NoSuchService, self.client.apply,
            [api.Desired('node9@lvm', 'cinder-volume', frozen=True)])
        self.assertIn("No cinder-volume service on host 'node9@lvm'", str(error))
        self.assertEqual([], self.puts())

    def test_irreversible_is_refused_before_any_request(self):
        error = self.assertRaises(
            api.Refused, self.client.apply,
            [api.Desired('node1', 'cinder-scheduler', status='disabled')])
        self.assertIn('Give even_if_irreversible=True to disable it anyway', str(error))
        self.assertEqual([], self.puts())
        # The advice as fields, for callers that word it in their own names.
        self.assertEqual(
            ('cinder-scheduler on node1: Cinder 28.0.0 and later have no API '
             'that re-enables cinder-scheduler: disabling it may not be reversible',
             'even_if_irreversible', 'disable it anyway'),
            (error.facts, error.advice.keyword, error.advice.purpose))
        # A plan refuses as the change would (issue 23, item 6).
        self.assertRaises(api.Refused, self.client.plan,
                          [api.Desired('node1', 'cinder-scheduler', status='disabled')])

    def test_a_refusal_no_option_overrules_has_its_facts_only(self):
        error = self.assertRaises(
            api.NoSuchService, self.client.apply,
            selection=api.Selection(zone='elsewhere'), template=api.State(frozen=True))
        self.assertEqual('No service matches the selection', str(error))

    def test_a_cluster_on_an_old_cloud_is_named_as_the_api_names_it(self):
        client = api.Client(_connection(block_storage_api_version='3.6'))
        error = self.assertRaises(
            api.VersionUnavailable, client.plan,
            selection=api.Selection(cluster='c1@lvm'), template=api.State(frozen=True))
        self.assertTrue(str(error).startswith(
            'cluster requires Block Storage API 3.7 or later'), error)

    def test_a_template_reason_is_named_as_the_api_names_it(self):
        error = self.assertRaises(
            api.InvalidRequest, self.client.plan, selection=api.Selection(),
            template=api.State(status='disabled', disabled_reason=' '))
        self.assertEqual('disabled_reason must not be empty', str(error))
        self.assertEqual('disabled_reason', error.keyword)

    def test_invalid_requests_send_nothing(self):
        for desired, words in (
            ([api.Desired('node1@lvm', 'cinder-volume', status='enabled',
                          frozen=True)], 'contradict'),
            ([api.Desired('node1@lvm', 'cinder-volume', disabled_reason='r')],
             'disabled_reason goes with status disabled'),
            ([api.Desired('node1@lvm', 'cinder-volume', status='disabled',
                          disabled_reason='r' * 256)], 'at most 255'),
            ([api.Desired('node1', 'cinder-scheduler', frozen=True)],
             'only cinder-volume services can be frozen'),
            ([self.DISABLE, self.DISABLE], 'desired twice'),
        ):
            error = self.assertRaises(api.InvalidRequest, self.client.apply, desired)
            self.assertIn(words, str(error))
        self.assertRaises(api.InvalidRequest, self.client.apply, [self.DISABLE],
                          concurrency=0)
        self.assertRaises(api.InvalidRequest, self.client.apply,
                          selection=api.Selection())
        self.assertEqual([], self.puts())

    def test_a_library_prints_nothing_and_leaves_sigint_alone(self):
        def no_handler(*args):
            raise AssertionError('a signal handler was installed')

        stdout, stderr = io.StringIO(), io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', stdout))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.useFixture(fixtures.MonkeyPatch('signal.signal', no_handler))
        report = self.client.apply(
            [api.Desired('node1', 'cinder-scheduler', status='disabled')],
            even_if_irreversible=True)
        self.assertEqual([api.Result.CHANGED], [o.result for o in report.outcomes])
        self.assertEqual(('', ''), (stdout.getvalue(), stderr.getvalue()))
        self.assertIn('cinder-scheduler on node1: Cinder 28.0.0 and later have no API '
                      'that re-enables cinder-scheduler', self.logged.output)
        # ... and comes back on the result.
        self.assertEqual(['irreversible'], [n.kind for n in report.notes])
        self.assertIn('re-enables cinder-scheduler', report.notes[0].facts)

    def test_server_failures_are_api_errors(self):
        self.cinder.forbidden = True
        for call in (self.client.services, lambda: self.client.apply([self.DISABLE]),
                     self.client.check):
            error = self.assertRaises(api.Error, call)
            self.assertIn("Forbidden by the server's policy", str(error))
            self.assertIsNotNone(error.__cause__)

    def test_nothing_selected_is_refused(self):
        error = self.assertRaises(
            api.NoSuchService, self.client.plan,
            selection=api.Selection(zone='elsewhere'),
            template=api.State(status='disabled'))
        self.assertEqual('No service matches the selection', str(error))


class TestWaitAndCheck(APITestCase):
    def setUp(self):
        super().setUp()
        clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', clock))

    def test_wait_met(self):
        listed = self.client.wait(api.Selection(binary='cinder-volume'), state='up')
        self.assertEqual(['node1@lvm', 'node2@lvm'], [s.host for s in listed])
        # The services as the read that met the conditions saw them: the
        # command's request count does not grow for the API's return value.
        self.assertEqual(1, len(self.cinder.requests('GET')))

    def test_wait_timed_out(self):
        self.cinder.get('node2@lvm')['state'] = 'down'
        error = self.assertRaises(
            api.WaitTimedOut, self.client.wait, api.Selection(binary='cinder-volume'),
            state='up', timeout=10)
        self.assertEqual(1, len(error.unmet))
        self.assertIn('cinder-volume on node2@lvm', error.unmet[0])

    def test_wait_for_nothing(self):
        self.assertRaises(api.InvalidRequest, self.client.wait)

    def test_check(self):
        verdict = self.client.check()
        self.assertEqual((0, 'OK'), (verdict.level, verdict.level_name))
        self.cinder.get('node2@lvm')['state'] = 'down'
        verdict = self.client.check(api.Selection(binary='cinder-volume'))
        self.assertEqual(health.CRITICAL, verdict.level)
        self.assertTrue(verdict.status_line.startswith('CRITICAL - 1 of 2 services down'))
        self.assertEqual(1, verdict.counts['down'])
        (finding,) = verdict.findings
        self.assertEqual(('enabled-down', 'node2@lvm'),
                         (finding.rule, finding.service.host))
        # The fake's heartbeats are 30 s older than its clock.
        self.assertEqual(30.0, verdict.ages[('node2@lvm', 'cinder-volume')])
        more = verdict.with_finding('textfile', 'cannot write /x')
        self.assertEqual(health.CRITICAL, more.level)
        self.assertEqual(['enabled-down', 'textfile'], [f.rule for f in more.findings])
        self.assertIs(finding.service, more.findings[0].service)
        ok = self.client.check(api.Selection(host_pattern='node1*'))
        self.assertEqual(health.WARNING,
                         ok.with_finding('textfile', 'cannot write /x').level)

    def test_unknown_verdict(self):
        verdict = api.Verdict.unknown('cinder-api is down')
        self.assertEqual((3, 'UNKNOWN - cinder-api is down'),
                         (verdict.level, verdict.status_line))


class TestEveryArgumentFirst(APITestCase):
    """Every argument of every Client method is checked before the first
    request, naming the argument (issue 23, item 4)."""

    def test_nothing_is_sent_for_an_argument_it_cannot_take(self):
        nan, inf = float('nan'), float('inf')
        desired = [api.Desired('node1@lvm', 'cinder-volume', status='disabled')]
        for call, keyword in (
            (lambda: self.client.apply(desired, wait_timeout='5'), 'wait_timeout'),
            (lambda: self.client.apply(desired, wait_timeout=nan), 'wait_timeout'),
            (lambda: self.client.apply(desired, wait_timeout=inf), 'wait_timeout'),
            (lambda: self.client.apply(desired, wait_timeout=-1), 'wait_timeout'),
            (lambda: self.client.apply(desired, concurrency=11), 'concurrency'),
            (lambda: self.client.apply(desired, concurrency=2.0), 'concurrency'),
            (lambda: self.client.apply(desired, concurrency=True), 'concurrency'),
            (lambda: self.client.apply(desired, even_if_down='yes'), 'even_if_down'),
            (lambda: self.client.apply(desired, ctrl_c=object()), 'ctrl_c'),
            (lambda: self.client.apply('node1@lvm'), 'desired'),
            (lambda: self.client.plan('str'), 'desired'),
            (lambda: self.client.plan([('node1@lvm', 'cinder-volume')]), 'desired'),
            (lambda: self.client.plan(selection='node*', template=api.State(frozen=True)),
             'selection'),
            (lambda: self.client.plan(selection=api.Selection(), template={'frozen': True}),
             'template'),
            (lambda: self.client.plan([api.Desired('node1@lvm', 'cinder-volume',
                                                   status='disabled', disabled_reason=5)]),
             'disabled_reason'),
            (lambda: self.client.plan([api.Desired('node1@lvm', 'cinder-volume',
                                                   status='off')]), 'status'),
            (lambda: self.client.plan([api.Desired('node1@lvm', 'cinder-volume',
                                                   frozen='false')]), 'frozen'),
            (lambda: self.client.plan([api.Desired('node1@lvm', 5, frozen=True)]), 'host'),
            (lambda: self.client.wait(state='bogus'), 'state'),
            (lambda: self.client.wait(status='gone'), 'status'),
            (lambda: self.client.wait(frozen='false'), 'frozen'),
            (lambda: self.client.wait(state='up', timeout=nan), 'timeout'),
            (lambda: self.client.wait(state='up', timeout=-1), 'timeout'),
            (lambda: self.client.wait(state='up', interval=0.5), 'interval'),
            (lambda: self.client.wait(replication_status=1), 'replication_status'),
            (lambda: self.client.wait(), 'state'),
            (lambda: self.client.check(ignore_disabled='no'), 'ignore_disabled'),
            (lambda: self.client.check('node*'), 'selection'),
            (lambda: self.client.services(backend_state=1), 'backend_state'),
            (lambda: self.client.services(silent_for=0), 'silent_for'),
            (lambda: self.client.failover(), 'host'),
            (lambda: self.client.failover('node1@lvm', timeout=0), 'timeout'),
            (lambda: api.Selection(host_pattern=5), 'host_pattern'),
            (lambda: api.Client(_connection(), api_version='x'), 'api_version'),
            (lambda: api.Client(_connection(), rpc_timeout=-1), 'rpc_timeout'),
            (lambda: api.Client.from_cloud(5), 'cloud'),
        ):
            self.cinder.forget_requests()
            error = self.assertRaises(api.InvalidRequest, call)
            self.assertEqual(keyword, error.keyword, error)
            self.assertTrue(str(error).startswith(keyword) or f' {keyword}' in str(error),
                            error)
            self.assertEqual([], self.cinder.requests(), keyword)
        self.assertFalse(self.cinder.get('node1@lvm')['disabled'])

    def test_a_timed_out_wait_is_an_sdk_resource_timeout(self):
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time',
                                             fakes.FakeClock()))
        self.cinder.get('node2@lvm')['state'] = 'down'
        error = self.assertRaises(sdk_exceptions.ResourceTimeout, self.client.wait,
                                  api.Selection(binary='cinder-volume'), state='up',
                                  timeout=4)
        self.assertIsInstance(error, api.WaitTimedOut)


class TestNothingPrinted(base.ShellTestCase):
    """With no logging configured at all, a note reaches no stream:
    Python's last-resort handler never runs (the package's NullHandler)."""

    scenarios = [('api', {})]

    def test_no_last_resort_output(self):
        self.cinder.add('node1', 'cinder-scheduler')
        printed = []

        class Recording(logging.Handler):
            def emit(self, record):
                if record.name.startswith('volsvcclient'):
                    printed.append(record.getMessage())

        # Like the real last resort: WARNING and above (a test runner
        # may have lowered the root level for other libraries' debug).
        self.useFixture(fixtures.MonkeyPatch(
            'logging.lastResort', Recording(logging.WARNING)))
        # No logging configured (a test runner may have some).
        self.useFixture(fixtures.MonkeyPatch('logging.root.handlers', []))
        report = api.Client(_connection()).apply(
            [api.Desired('node1', 'cinder-scheduler', status='disabled')],
            even_if_irreversible=True)
        self.assertEqual(1, len(report.notes))
        self.assertEqual([], printed)


class TestSelection(base.ShellTestCase):
    scenarios = [('selection', {})]

    def test_a_selection_is_a_value_shown_by_what_it_gives(self):
        given = api.Selection(host_pattern='node*', cluster='c1@lvm')
        self.assertEqual(given, api.Selection(host_pattern='node*', cluster='c1@lvm'))
        self.assertEqual(1, len({given, given.replace()}))
        self.assertNotEqual(given, given.replace(zone='nova'))
        self.assertEqual("Selection(host_pattern='node*', cluster='c1@lvm')", repr(given))
        self.assertEqual('Selection()', repr(api.Selection()))

    def test_each_field_is_text_or_none(self):
        error = self.assertRaises(api.InvalidRequest, api.Selection, zone=5)
        self.assertEqual(('zone must be text or None, not int', 'zone'),
                         (str(error), error.keyword))


class TestPlanPredicts(APITestCase):
    """A plan predicts what the change leaves, as Cinder's code does
    (issue 23, item 6): compared with the real run, for each kind of
    change, on 27 and 29."""

    scenarios = [('27', {'release': 27}), ('29', {'release': 29})]

    def test_the_prediction_is_what_the_run_leaves(self):
        node1 = self.cinder.get('node1@lvm')
        for name, setup, desired, via_thaw in (
            ('freeze', {}, dict(frozen=True), False),
            ('thaw', dict(frozen=True, disabled=True, disabled_reason='frozen'),
             dict(frozen=False), False),
            ('disable', {}, dict(status='disabled', disabled_reason='maint'), False),
            ('disable, new reason', dict(disabled=True, disabled_reason='old'),
             dict(status='disabled', disabled_reason='new'), False),
            ('enable', dict(disabled=True, disabled_reason='maint'),
             dict(status='enabled'), True),
            ('freeze and disable', {}, dict(frozen=True, status='disabled',
                                            disabled_reason='maint'), False),
        ):
            node1.update(frozen=False, disabled=False, disabled_reason=None)
            node1.update(setup)
            wanted = [api.Desired('node1@lvm', 'cinder-volume', **desired)]
            plan = self.client.plan(wanted, enable_via_thaw=via_thaw)
            run = self.client.apply(wanted, enable_via_thaw=via_thaw)
            self.assertIsNone(run.reason, name)
            [predicted], [applied] = plan.outcomes, run.outcomes
            after = {attr: getattr(applied.after, attr)
                     for attr in ('status', 'disabled_reason', 'is_frozen')}
            if name == 'enable' and self.release >= 28:
                # Re-enabled by freeze and thaw, which clear the reason:
                # no request tells a plan the release.
                self.assertEqual('', after.pop('disabled_reason'))
                self.assertEqual('maint', predicted.predicted.pop('disabled_reason'))
            self.assertEqual(after, predicted.predicted, name)
