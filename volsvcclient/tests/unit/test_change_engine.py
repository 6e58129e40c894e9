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

"""The one engine of every change (``engine/changes.py``) and its requests
(``engine/desired_state.py``), through the Python API against the fake
Cinder: what the mutation run of 2026-12-07 found no test of (a refusal by
policy, the re-enable by freeze and thaw where it cannot be done or fails,
a selection of one host, what the verifying read asks for), and that of
2026-12-08 (every refusal of a request with its keyword, a cluster member
after a plain host, the live read's binary, Ctrl-C's window, lingering and
threads)."""

import re
import signal
import threading

import fixtures
from keystoneauth1 import exceptions as ksa_exceptions

from volsvcclient import api
from volsvcclient.engine import interrupts
from volsvcclient.tests.unit import fakes
from volsvcclient.tests.unit import test_api

HOST = 'node1@lvm'
VOLUME = 'cinder-volume'


class ChangeTestCase(test_api.APITestCase):

    def setUp(self):
        super().setUp()
        self.service = self.cinder.get(HOST)
        self.clock = fakes.FakeClock()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', self.clock))

    def forbid(self, *actions, status=403):
        """The policy forbids ``actions`` (403, or 401 as for a token that
        is refused), and allows reads."""
        under_way = []
        self.cinder.before_action = lambda action, body: under_way.append(action)

        def authorize():
            if under_way and under_way[-1] in actions:
                raise fakes.Fault(status, "Policy doesn't allow volume_extension:services:"
                                          "update to be performed.")

        self.cinder._authorize = authorize

    @staticmethod
    def said(outcome):
        return outcome.detail


class TestRefusals(ChangeTestCase):

    def test_a_refusal_by_policy_is_the_last_word(self):
        # No re-read can change a 403: none is made, and --wait-timeout
        # does not wait.
        self.forbid('disable-log-reason')
        report = self.client.apply([api.Desired(HOST, VOLUME, 'disabled', 'maint')],
                                   wait_timeout=10)
        [outcome] = report.outcomes
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertTrue(self.said(outcome).startswith(
            "disable: Forbidden by the server's policy"), self.said(outcome))
        self.assertEqual(0.0, self.clock.slept)
        # The live read only.
        self.assertEqual(1, len(self.cinder.requests('GET')))

    def test_a_refusal_of_authentication_is_the_last_word(self):
        self.forbid('disable-log-reason', status=401)
        report = self.client.apply([api.Desired(HOST, VOLUME, 'disabled', 'maint')],
                                   wait_timeout=10)
        self.assertEqual(api.Result.FAILED, report.outcomes[0].result)
        self.assertEqual(0.0, self.clock.slept)
        self.assertEqual(1, len(self.cinder.requests('GET')))

    def test_a_refused_enable_is_the_last_word_with_enable_via_thaw_too(self):
        # Nothing was judged by a re-read: there is nothing to re-enable.
        self.service.update(disabled=True, disabled_reason='maint')
        self.forbid('enable')
        report = self.client.apply([api.Desired(HOST, VOLUME, 'enabled')],
                                   enable_via_thaw=True)
        [outcome] = report.outcomes
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertTrue(self.said(outcome).startswith(
            "enable: Forbidden by the server's policy"), self.said(outcome))
        self.assertEqual(['enable'], [a for a, _ in self.cinder.puts()])

    def test_irreversible_disables_of_several_named_services_are_counted(self):
        self.cinder.add('node2', 'cinder-scheduler')
        error = self.assertRaises(
            api.Refused, self.client.apply,
            [api.Desired(name, 'cinder-scheduler', 'disabled') for name in ('node1', 'node2')])
        self.assertTrue(str(error).startswith(
            '2 cinder-scheduler service(s): Cinder 28.0.0 and later have no API that '
            're-enables cinder-scheduler'), error)
        self.assertEqual([], self.cinder.puts())

    def test_a_refusal_after_an_accepted_request_is_judged_by_the_re_read(self):
        # The freeze was applied: the re-read shows what it did.
        self.forbid('disable-log-reason')
        report = self.client.apply([api.Desired(HOST, VOLUME, 'disabled', 'maint', True)])
        [outcome] = report.outcomes
        self.assertEqual((api.Result.FAILED, ('freeze',)),
                         (outcome.result, outcome.acknowledged))
        self.assertEqual((True, 'frozen'),
                         (outcome.after.is_frozen, outcome.after.disabled_reason))

    def test_a_refusal_without_a_status_code_is_judged_by_the_re_read(self):
        # keystoneauth finds no endpoint for the request (a re-authentication
        # whose catalog lacks cinder): refused, not by policy, and the
        # re-read shows the service unchanged.
        self.mock.register_uri(
            'PUT', re.compile(re.escape(fakes.CINDER_ROOT) + '.*/disable-log-reason$'),
            exc=ksa_exceptions.EndpointNotFound('Could not find requested endpoint'))
        report = self.client.apply([api.Desired(HOST, VOLUME, 'disabled', 'maint')])
        [outcome] = report.outcomes
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertTrue(self.said(outcome).startswith('disable: '), self.said(outcome))
        self.assertEqual('enabled', outcome.after.status)

    def test_a_member_of_a_cluster_is_refused_after_a_plain_host(self):
        # Every service is checked, not only the first one listed.
        self.cinder.add('m1@aa', cluster_name='c1@aa')
        self.cinder.add('m2@aa', cluster_name='c1@aa')
        error = self.assertRaises(
            api.Refused, self.client.apply,
            [api.Desired(HOST, VOLUME, frozen=True), api.Desired('m1@aa', VOLUME, frozen=True)])
        self.assertTrue(str(error).startswith(
            "cinder-volume on m1@aa is a member of cluster 'c1@aa': Cinder would freeze "
            "its other members too (m2@aa)"), error)
        self.assertEqual([], self.cinder.puts())


class TestReEnable(ChangeTestCase):
    """Where Cinder ignores enable (28.0.0 and later), enable_via_thaw
    re-enables a cinder-volume by freeze and thaw; where it cannot, the
    outcome says so."""

    def enable(self, host, binary=VOLUME):
        [outcome] = self.client.apply([api.Desired(host, binary, 'enabled')],
                                      enable_via_thaw=True).outcomes
        return outcome

    def test_not_for_another_binary(self):
        self.cinder.add('node1', 'cinder-backup', disabled=True)
        outcome = self.enable('node1', 'cinder-backup')
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertTrue(outcome.re_enabling)
        self.assertTrue(self.said(outcome).endswith(
            'enable_via_thaw=True applies to cinder-volume only'), self.said(outcome))

    def test_not_for_a_member_of_a_cluster(self):
        self.cinder.add('m1@aa', cluster_name='c1@aa', disabled=True)
        self.cinder.add('m2@aa', cluster_name='c1@aa')
        outcome = self.enable('m1@aa')
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertTrue(outcome.re_enabling)
        self.assertIn("a freeze and thaw would act on every member of cluster 'c1@aa', "
                      "so it is not re-enabled that way", self.said(outcome))
        self.assertEqual(['enable'], [a for a, _ in self.cinder.puts()])

    def test_refused_for_a_backend_that_is_down_says_how_to_send_it(self):
        self.service.update(disabled=True, state='down')
        outcome = self.enable(HOST)
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertTrue(self.said(outcome).startswith(
            f'freeze and thaw: cinder-volume on {HOST} (last heartbeat '), self.said(outcome))
        self.assertTrue(self.said(outcome).endswith(
            'Start it first, or give even_if_down=True to send the request anyway'),
            self.said(outcome))

    def test_a_freeze_the_server_refuses_is_said(self):
        self.service.update(disabled=True)
        self.cinder.refused['freeze'] = 'not now'
        outcome = self.enable(HOST)
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertEqual('freeze and thaw: The server refused the request: not now',
                         self.said(outcome))

    def test_a_thaw_the_driver_fails_is_said_and_not_waited_for(self):
        self.service.update(disabled=True)
        self.cinder.driver_fails_thaw = True
        outcome = self.enable(HOST)
        self.assertEqual(api.Result.FAILED, outcome.result)
        self.assertEqual(
            "freeze and thaw: the server accepted every request but status is "
            f"'disabled'. The server said: {fakes.THAW_FAILED}",
            self.said(outcome))
        self.assertEqual(0.0, self.clock.slept)


class TestReads(ChangeTestCase):

    def test_the_verifying_read_of_services_of_one_binary_lists_that_binary(self):
        self.client.apply(selection=api.Selection(host_pattern='node*'),
                          template=api.State(status='disabled', disabled_reason='maint'))
        verifying = self.cinder.requests('GET')[-1]
        self.assertEqual({'binary': [VOLUME]}, verifying.qs)

    def test_the_live_read_of_a_selection_lists_its_binary(self):
        self.client.plan(selection=api.Selection(host_pattern='node*'),
                         template=api.State(frozen=True))
        [live] = self.cinder.requests('GET')
        self.assertEqual({'binary': [VOLUME]}, live.qs)


class TestRequests(ChangeTestCase):

    def test_a_selection_and_a_template_are_checked_for_their_type(self):
        for given, message, keyword in (
            ({'selection': 'node*', 'template': api.State(frozen=True)},
             'selection must be a Selection, not str', 'selection'),
            ({'selection': api.Selection(), 'template': {'frozen': True}},
             'template must be a State, not dict', 'template'),
        ):
            error = self.assertRaises(api.InvalidRequest, self.client.plan, **given)
            self.assertEqual((message, keyword, ''), (str(error), error.keyword, error.where))
        error = self.assertRaises(api.InvalidRequest, self.client.plan,
                                  selection=api.Selection(), template=api.State())
        self.assertEqual(('Nothing to change: give status or frozen', 'status', ''),
                         (str(error), error.keyword, error.where))
        self.assertEqual([], self.cinder.requests())

    def test_desired_is_a_sequence_of_desired_states(self):
        # Text is iterable, and would be taken for a sequence of letters.
        for given, name in (('node1@lvm', 'str'), (b'node1@lvm', 'bytes'),
                            (api.Desired(HOST, VOLUME, frozen=True), 'Desired'),
                            (5, 'int')):
            error = self.assertRaises(api.InvalidRequest, self.client.plan, given)
            self.assertEqual((f'desired must be a sequence of Desired, not {name}',
                              'desired'), (str(error), error.keyword))
        self.assertEqual([], self.cinder.requests())

    def test_a_selection_and_a_template_go_together(self):
        desired = [api.Desired(HOST, VOLUME, frozen=True)]
        for given, message, keyword in (
            ({'selection': api.Selection()}, 'selection and template go together',
             'selection'),
            ({'template': api.State(frozen=True)}, 'selection and template go together',
             'selection'),
            ({'desired': desired, 'selection': api.Selection(),
              'template': api.State(frozen=True)},
             'give desired, or selection and template, not both', 'desired'),
        ):
            error = self.assertRaises(api.InvalidRequest, self.client.plan, **given)
            self.assertEqual((message, keyword), (str(error), error.keyword))
        self.assertEqual([], self.cinder.requests())

    def test_every_refusal_of_desired_states_names_its_keyword(self):
        desired = api.Desired
        first = desired('node2@lvm', VOLUME, frozen=True)
        label = f'{VOLUME} on {HOST}'
        for given, message, keyword, where in (
            ([desired(HOST, VOLUME, 'on')],
             "status must be 'enabled', 'disabled' or None, not 'on'", 'status', ''),
            # Among several, each refusal names its service.
            ([first, desired(HOST, VOLUME, 'on')],
             f"{label}: status must be 'enabled', 'disabled' or None, not 'on'", 'status',
             label),
            ([first, desired(HOST, VOLUME, frozen='yes')],
             f"{label}: frozen must be True, False or None, not 'yes'", 'frozen', label),
            ([first, desired(HOST, VOLUME, 'enabled', 'maint')],
             f'{label}: disabled_reason goes with status disabled', 'disabled_reason', label),
            ([first, desired(HOST, VOLUME, 'disabled', ' ')],
             f'{label}: disabled_reason must not be empty', 'disabled_reason', label),
            ([first, desired('node1', 'cinder-scheduler', frozen=True)],
             'cinder-scheduler on node1: only cinder-volume services can be frozen or '
             'thawed, not cinder-scheduler', 'frozen', 'cinder-scheduler on node1'),
            ([first, desired(HOST, VOLUME, 'enabled', frozen=True)],
             f'{label}: status enabled and frozen contradict each other: a freeze '
             'disables the service', 'frozen', label),
            ([first, 'node2@lvm'],
             'every entry of desired must be a Desired, not str', 'desired', ''),
            ([desired('', VOLUME, frozen=True)],
             'every desired state names a host and a binary', 'host', ''),
            ([desired(HOST, None, frozen=True)],
             'every desired state names a host and a binary', 'host', ''),
            ([desired(5, VOLUME, frozen=True)],
             'every desired state names a host and a binary', 'host', ''),
            ([desired(HOST, VOLUME, frozen=True), desired(HOST, VOLUME, frozen=False)],
             f'{label} is desired twice', 'desired', ''),
        ):
            error = self.assertRaises(api.InvalidRequest, self.client.plan, given)
            self.assertEqual((message, keyword, where),
                             (str(error), error.keyword, error.where), given)
        self.assertEqual([], self.cinder.requests())

    def test_a_desired_state_that_asks_nothing_leaves_the_service_as_it_is(self):
        # Only a selection's template must ask something.
        report = self.client.plan([api.Desired(HOST, VOLUME)])
        self.assertEqual([(api.Result.UNCHANGED, ())],
                         [(o.result, o.actions) for o in report.outcomes])

    def test_a_selection_of_one_host_takes_the_services_on_it(self):
        report = self.client.plan(selection=api.Selection(host=HOST),
                                  template=api.State(frozen=True))
        self.assertEqual([(HOST, VOLUME, api.Result.WOULD_CHANGE, ('freeze',))],
                         [(o.host, o.binary, o.result, o.actions) for o in report.outcomes])


class TestCtrlC(ChangeTestCase):
    """Ctrl-C counted by the caller's Interrupts: raised only inside a
    verifying read, counted everywhere else (a program prints its report
    after the change)."""

    def setUp(self):
        super().setUp()
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, previous)

    def press(self):
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            self.fail('Ctrl-C raised KeyboardInterrupt instead of being counted')

    def test_an_open_window_raises_once_then_counts(self):
        # The first Ctrl-C in a window cuts the read short; a second one
        # while that is handled must not throw the handling away.
        with interrupts.Interrupts() as ctrl_c:
            self.assertRaises(KeyboardInterrupt, signal.raise_signal, signal.SIGINT)
            self.press()
        self.assertEqual(2, ctrl_c.count)
        self.assertFalse(ctrl_c.raising)

    def test_lingering_ignores_ctrl_c_after_an_interrupted_run_only(self):
        # A program that told its report must not die on its way out; one
        # that was not interrupted, or does not linger, gets its handler back.
        for linger, pressed, after in ((True, True, signal.SIG_IGN),
                                       (True, False, signal.default_int_handler),
                                       (False, True, signal.default_int_handler),
                                       (None, True, signal.default_int_handler)):
            given = {} if linger is None else {'linger': linger}
            with interrupts.Interrupts(**given) as ctrl_c:
                ctrl_c.raising = False
                if pressed:
                    self.press()
            self.assertIs(after, signal.getsignal(signal.SIGINT), (linger, pressed))
            signal.signal(signal.SIGINT, signal.default_int_handler)

    def test_in_another_thread_python_keeps_its_own_handling(self):
        # Signal handlers belong to the main thread: a caller's worker
        # thread counts nothing, and touches no handler on the way out.
        failed = []

        def run():
            try:
                with interrupts.Interrupts(linger=True) as ctrl_c:
                    ctrl_c.record()
            except Exception as exc:
                failed.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
        self.assertEqual([], failed)
        self.assertIs(signal.default_int_handler, signal.getsignal(signal.SIGINT))

    def test_while_verifying_it_stops_the_read_and_the_report_says_so(self):
        def press_in_the_verifying_read(read):
            # The live read is the first.
            if read == 2:
                signal.raise_signal(signal.SIGINT)

        self.cinder.after_read = press_in_the_verifying_read
        with interrupts.Interrupts() as ctrl_c:
            report = self.client.apply([api.Desired(HOST, VOLUME, 'disabled', 'maint')],
                                       ctrl_c=ctrl_c)
            self.assertTrue(report.interrupted)
            [outcome] = report.outcomes
            self.assertEqual((api.Result.UNKNOWN, 'interrupted before it was verified'),
                             (outcome.result, outcome.detail))
            self.press()
        self.assertEqual(2, ctrl_c.count)

    def test_after_a_change_it_is_counted(self):
        with interrupts.Interrupts() as ctrl_c:
            report = self.client.apply([api.Desired(HOST, VOLUME, 'disabled', 'maint')],
                                       ctrl_c=ctrl_c)
            self.press()
        self.assertEqual((False, 1), (report.interrupted, ctrl_c.count))
        self.assertEqual(api.Result.CHANGED, report.outcomes[0].result)


class TestSending(ChangeTestCase):

    def test_a_bug_in_a_sending_thread_is_raised_as_itself(self):
        # Not ours to word (not an HTTP or connection failure): the
        # caller gets it, not a report, and not another exception.
        self.mock.register_uri(
            'PUT', re.compile(re.escape(fakes.CINDER_ROOT) + '.*/disable-log-reason$'),
            exc=RuntimeError('a bug'))
        error = self.assertRaises(
            RuntimeError, self.client.apply,
            [api.Desired(HOST, VOLUME, 'disabled', 'maint')])
        self.assertEqual('a bug', str(error))

    def test_the_sending_threads_end_without_an_error(self):
        died = []
        self.useFixture(fixtures.MonkeyPatch('threading.excepthook', died.append))
        report = self.client.apply(
            selection=api.Selection(host_pattern='node*@lvm'),
            template=api.State(status='disabled', disabled_reason='maint'), concurrency=2)
        self.assertEqual([api.Result.CHANGED] * 2, [o.result for o in report.outcomes])
        self.assertEqual([], [(d.thread.name, d.exc_value) for d in died])
