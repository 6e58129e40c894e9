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

"""The engine's outcomes judged and told, table-driven: no HTTP, no
command. ``outcomes.judge`` decides, the command line words the facts and
advice (a report row, or the one line of ``rendering.one_line``)."""

import fixtures
import testtools

from volsvcclient.api import results
from volsvcclient.cinder import advice
from volsvcclient.cinder import exceptions
from volsvcclient.cinder import records
from volsvcclient.engine import desired_state
from volsvcclient.engine import outcomes
from volsvcclient.engine import verifying
from volsvcclient.osc import rendering
from volsvcclient.osc import voice
from volsvcclient.tests.unit import fakes

HOST = 'node1@lvm'
DISABLE = desired_state.Action('disable', 'maint')
ENABLE = desired_state.Action('enable')
THAW = desired_state.Action('thaw')
FREEZE = desired_state.Action('freeze')
VOICE = voice.Voice('volsvc')


def service(**fields):
    base = {'host': HOST, 'binary': 'cinder-volume', 'status': 'enabled',
            'disabled_reason': None, 'frozen': False, 'cluster': None}
    return records.Service({**base, **fields})


def outcome(wanted, actions, **answers):
    desired = desired_state.Desired(HOST, 'cinder-volume', **wanted)
    return outcomes.Outcome(desired, actions, desired_state.expected(desired, actions),
                            **answers)


def detail(case):
    """The report row's Detail, in the command line's words."""
    return advice.worded(case.why + case.kept, VOICE)


DISABLED = {'status': 'disabled', 'disabled_reason': 'maint'}
REFUSAL = exceptions.RequestFailed('Invalid input', 400)


class TestJudge(testtools.TestCase):

    def test_results_and_details(self):
        ignored = records.ENABLE_IGNORED
        for name, before, now, case, expected in (
            ('gone', service(), None,
             outcome(DISABLED, [DISABLE], acknowledged=[DISABLE]),
             (True, 'failed', 'disappeared')),
            ('as asked', service(), service(status='disabled', disabled_reason='maint'),
             outcome(DISABLED, [DISABLE], acknowledged=[DISABLE]),
             (True, 'changed', '')),
            ('refused', service(), service(),
             outcome(DISABLED, [DISABLE], refused=DISABLE, problem=REFUSAL),
             (False, 'failed', 'disable: Invalid input')),
            ('another client', service(),
             service(status='disabled', disabled_reason='BBB'),
             outcome(DISABLED, [DISABLE], acknowledged=[DISABLE]),
             (False, 'failed', "the server accepted every request but disabled "
                               "reason is 'BBB': another client changed it meanwhile")),
            ('enable ignored', service(status='disabled', disabled_reason='x'),
             service(status='disabled', disabled_reason='x'),
             outcome({'status': 'enabled'}, [ENABLE], acknowledged=[ENABLE]),
             (True, 'failed', "the server accepted every request but status is "
                              f"'disabled'. {ignored}; --enable-via-thaw re-enables "
                              "it by freeze and thaw")),
            ('enable ignored, not cinder-volume',
             service(binary='cinder-backup', status='disabled'),
             service(binary='cinder-backup', status='disabled'),
             outcome({'status': 'enabled'}, [ENABLE], acknowledged=[ENABLE]),
             (True, 'failed', "the server accepted every request but status is "
                              f"'disabled'. {ignored}. No API re-enables cinder-backup "
                              "on such a release")),
            ('the server said', service(frozen=True, status='disabled'),
             service(frozen=True, status='disabled'),
             outcome({'frozen': False}, [THAW], acknowledged=[THAW], said='driver'),
             (False, 'failed', "the server accepted every request but status is "
                               "'disabled', frozen is True. The server said: driver")),
            ('cluster thaw', service(frozen=True, status='disabled', cluster='c'),
             service(status='disabled', cluster='c'),
             outcome({'frozen': False}, [THAW], acknowledged=[THAW]),
             (False, 'failed', "the server accepted every request but status is "
                               "'disabled'. Cinder delivers freeze and thaw of a cluster "
                               "to one of its members, and only that member disables or "
                               "re-enables its own service; where os-services/enable "
                               "works (before 28.0.0), 'volsvc set --enable' re-enables "
                               "the others")),
            ('abandoned, not yet applied', service(), service(),
             outcome(DISABLED, [DISABLE], abandoned=DISABLE),
             (True, 'unknown', "interrupted while disable (reason 'maint') was under "
                               "way: it may still be applied; 'volsvc show node1@lvm "
                               "cinder-volume' shows whether it was")),
            ('abandoned, applied', service(),
             service(status='disabled', disabled_reason='maint'),
             outcome(DISABLED, [DISABLE], abandoned=DISABLE),
             (True, 'changed', '')),
        ):
            done = outcomes.judge(case, before, now)
            self.assertEqual(expected, (done, case.result.value, detail(case)), name)

    def test_unconfirmed_says_what_the_database_shows(self):
        case = outcome({'frozen': True}, [FREEZE], unanswered=FREEZE,
                       problem=exceptions.Unconfirmed('no answer'), unconfirmed=True)
        self.assertTrue(outcomes.judge(case, service(), service(frozen=True)))
        self.assertEqual('unknown', case.result)
        self.assertTrue(detail(case).startswith('freeze: no answer. The database now '
                                                'shows cinder-volume on node1@lvm'))
        self.assertTrue(detail(case).endswith(
            "the request may still complete: 'volsvc show node1@lvm cinder-volume' "
            "shows whether it did"), detail(case))

    def test_unverifiable(self):
        timeout = exceptions.Unreachable('timeout', 'cinder-api')
        for answers, expected in (
            ({'refused': DISABLE, 'problem': exceptions.RequestFailed('no', 400)},
             ('failed', 'disable: no')),
            ({'acknowledged': [DISABLE]},
             ('unknown', "the server accepted disable (reason 'maint'); could not "
                         "re-read: down")),
            ({'unanswered': DISABLE, 'problem': timeout, 'abandoned': DISABLE},
             ('unknown', "no answer to disable (reason 'maint'): timeout; interrupted "
                         "while disable (reason 'maint') was under way; could not "
                         "re-read: down")),
        ):
            case = outcome(DISABLED, [DISABLE], **answers)
            outcomes.unverifiable(case, exceptions.Error('down'))
            self.assertEqual(expected, (case.result, detail(case)), answers)

    def test_kept_and_rows(self):
        desired = desired_state.Desired(
            HOST, 'cinder-volume', 'disabled', None, None,
            (('replication_status', 'failed-over'),))
        kept = outcomes.kept(service(status='disabled', disabled_reason='maint',
                                     replication_status='enabled'), desired)
        self.assertEqual(
            "reason 'maint' kept: none wanted; replication status is 'enabled', not "
            "'failed-over': only a failover sets it ('volsvc failover' does)",
            advice.worded(kept, VOICE))
        case = outcomes.Outcome(desired, [DISABLE], result=outcomes.Result.CHANGED,
                                fallback=('x',), kept=kept)
        row = rendering.row(results.ServiceOutcome.of(case, None, None), VOICE)
        self.assertEqual((HOST, 'cinder-volume',
                          "disable (reason 'maint') (then x if the server ignores enable)",
                          'changed', advice.worded(kept, VOICE)), row)

    def test_kept_says_each_unapplied_value_that_differs_in_any_order(self):
        # The Python API takes unapplied pairs in any order: a reason
        # first does not hide what follows, and a value the service has
        # already is not said.
        desired = desired_state.Desired(
            HOST, 'cinder-volume', 'enabled', None, None,
            (('disabled_reason', 'old'), ('active_backend_id', 'secondary'),
             ('replication_status', 'failed-over')))
        kept = outcomes.kept(service(replication_status='enabled',
                                     active_backend_id='secondary'), desired)
        self.assertEqual(
            "reason 'old' not applied: a reason goes with status disabled; "
            "replication status is 'enabled', not 'failed-over': only a failover "
            "sets it ('volsvc failover' does)",
            advice.worded(kept, VOICE))


def judged(wanted, actions, before, now, unread=None, **answers):
    """An outcome as the sender and the verifying read leave it, as the
    Python API returns it."""
    case = outcome(wanted, actions, **answers)
    if unread is not None:
        outcomes.unverifiable(case, exceptions.Error(unread))
    else:
        outcomes.judge(case, before, now)
    return results.ServiceOutcome.of(case, before, now)


class TestOneLine(testtools.TestCase):
    """rendering.one_line: the error of a change of one target."""

    ASKED = 'the disable request'

    def test_lines(self):
        from openstack import exceptions as sdk_exceptions

        accepted = {'acknowledged': [DISABLE]}
        disabled = service(status='disabled', disabled_reason='maint')
        lost = sdk_exceptions.HttpException('boom', http_status=500)
        late = exceptions.Unconfirmed('freeze got no answer within 5 s')
        label = f'cinder-volume on {HOST}'
        said = 'Request None failed with HTTP 500: no details given'
        failed = exceptions.RequestFailed(said, 500)
        for name, case, extra, expected in (
            ('as asked', judged(DISABLED, [DISABLE], service(), disabled, **accepted),
             {}, None),
            ('ignored', judged(DISABLED, [DISABLE], service(), service(), **accepted),
             {}, f"{label}: the server accepted the disable request but status is "
                 f"'enabled', disabled reason is None"),
            ('waited, with a cause',
             judged({'status': 'disabled', 'disabled_reason': '\U0001F600'},
                    [DISABLE], service(), service(), **accepted),
             {'waited': 5},
             f"{label}: the server accepted the disable request but after 5 s status "
             f"is 'enabled', disabled reason is None. The reason has characters "
             f"outside the Basic Multilingual Plane (such as emoji), which Cinder's "
             f"utf8 (utf8mb3) database columns cannot store in many deployments"),
            ('the server said',
             judged({'frozen': False}, [THAW], service(frozen=True),
                    service(frozen=True), acknowledged=[THAW], said='driver'),
             {},
             f"{label}: the server accepted the disable request but frozen is True. "
             f"The server said: driver"),
            ('another client',
             judged(DISABLED, [DISABLE], service(),
                    service(status='disabled', disabled_reason='BBB'), **accepted),
             {},
             f"{label}: the server accepted the disable request but disabled reason "
             f"is 'BBB': {records.ANOTHER_CLIENT}"),
            ('enable ignored',
             judged({'status': 'enabled'}, [ENABLE], service(status='disabled'),
                    service(status='disabled'), acknowledged=[ENABLE]),
             {}, f"{label}: the server accepted the disable request but status is "
                 f"'disabled'. {records.ENABLE_IGNORED}. For a cinder-volume service, "
                 f"'volsvc freeze {HOST}' then 'volsvc thaw {HOST}' re-enables it "
                 f"(--enable-via-thaw does both)"),
            ('enable ignored, frozen',
             judged({'status': 'enabled'}, [ENABLE], service(status='disabled'),
                    service(status='disabled', frozen=True), acknowledged=[ENABLE]),
             {}, f"{label}: the server accepted the disable request but status is "
                 f"'disabled'. {records.ENABLE_IGNORED}. It is frozen: 'volsvc thaw "
                 f"{HOST}' thaws and re-enables it (--enable-via-thaw does that)"),
            ('gone', judged(DISABLED, [DISABLE], service(), None, **accepted),
             {}, f'{label} disappeared after the server accepted the disable request'),
            ('not re-read',
             judged(DISABLED, [DISABLE], service(), None, unread='down', **accepted),
             {}, f'{label}: the server accepted the disable request and the service '
                 f'could not be re-read (down): the change is not verified'),
            ('no clear answer',
             judged(DISABLED, [DISABLE], service(), service(), error=lost,
                    problem=failed, unanswered=DISABLE),
             {}, f"{label}: the disable request failed with HTTP 500 ({said}) but "
                 f"status is 'enabled', disabled reason is None"),
            ('no clear answer, not re-read',
             judged(DISABLED, [DISABLE], service(), None, unread='down', error=lost,
                    problem=failed, unanswered=DISABLE),
             {}, f'the disable request failed with HTTP 500 ({said}) and the service '
                 f'could not be re-read (down): whether it took effect is unknown'),
            ('unconfirmed',
             judged({'frozen': True}, [FREEZE], service(),
                    service(), error=late, problem=late, unconfirmed=True,
                    unanswered=FREEZE),
             {}, f"{late}. The database now shows {label}: status enabled, frozen "
                 f"False, reason None, replication None; the backend has not "
                 f"confirmed; the request may still complete: 'volsvc show {HOST} "
                 f"cinder-volume' shows whether it did"),
            ('unconfirmed, not re-read',
             judged({'frozen': True}, [FREEZE], service(),
                    None, unread='down', error=late, problem=late, unconfirmed=True,
                    unanswered=FREEZE),
             {}, f'{late} and the service could not be re-read (down): unknown'),
        ):
            line = rendering.one_line([case], self.ASKED, VOICE, **extra)
            self.assertEqual(expected, line, name)

    def test_a_cluster_names_its_first_member_not_as_asked(self):
        first, second = service(), service(host='node2@lvm')
        second_case = outcomes.Outcome(
            desired_state.Desired('node2@lvm', 'cinder-volume', frozen=True), [FREEZE],
            {'is_frozen': True}, acknowledged=[FREEZE])
        outcomes.judge(second_case, second, second)
        cases = [
            judged({'frozen': True}, [FREEZE], first, service(frozen=True),
                   acknowledged=[FREEZE]),
            results.ServiceOutcome.of(second_case, second, second),
        ]
        self.assertEqual(
            "cinder-volume on node2@lvm: the server accepted freeze of cluster 'c' "
            "but frozen is False",
            rendering.one_line(cases, "freeze of cluster 'c'", VOICE))


class TestVerify(testtools.TestCase):
    """verifying.verify: re-read until as asked, the time is up, or stop."""

    def test_reads_and_results(self):
        disabled = service(status='disabled', disabled_reason='maint')
        for name, shown, timeout, stop, expected in (
            # Each read shows the next of ``shown``, the last one for ever.
            ('at once', [disabled], 5, False, (1, 0.0, 'changed')),
            ('a lagging replica', [service(), service(), disabled], 5, False,
             (3, 4.0, 'changed')),
            ('never', [service()], 5, False, (4, 5.0, 'failed')),
            ('no waiting', [service(), disabled], 0, False, (1, 0.0, 'failed')),
            ('stopped', [service(), disabled], 5, True, (1, 0.0, 'failed')),
            ('unreadable', [exceptions.NotApplied('gone away')], 5, False,
             (1, 0.0, 'unknown')),
        ):
            clock = fakes.FakeClock()
            self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time', clock))
            reads = []

            def read():
                now = shown[min(len(reads), len(shown) - 1)]
                reads.append(now)
                if isinstance(now, Exception):
                    raise now
                return {now.key: now}

            case = outcome(DISABLED, [DISABLE], acknowledged=[DISABLE])
            verifying.verify(read, [case], {(HOST, 'cinder-volume'): service()},
                             timeout, lambda: stop)
            self.assertEqual(expected, (len(reads), clock.slept, case.result), name)
        self.assertEqual('gone away', str(case.unread))
