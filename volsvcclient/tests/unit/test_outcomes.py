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

"""outcomes.judge and friends, table-driven: no HTTP, no command."""

import fixtures
import testtools

from volsvcclient.cinder import services
from volsvcclient.engine import desired_state
from volsvcclient.engine import outcomes
from volsvcclient.engine import verifying
from volsvcclient.osc import voice
from volsvcclient.tests.unit import fakes

HOST = 'node1@lvm'
DISABLE = desired_state.Action('disable', 'maint')
ENABLE = desired_state.Action('enable')
THAW = desired_state.Action('thaw')


def service(**fields):
    base = {'host': HOST, 'binary': 'cinder-volume', 'status': 'enabled',
            'disabled_reason': None, 'frozen': False, 'cluster': None}
    return services.Service({**base, **fields})


def outcome(wanted, actions, **answers):
    return outcomes.Outcome(desired_state.Wanted(HOST, 'cinder-volume', **wanted),
                            actions, **answers)


DISABLED = {'status': 'disabled', 'disabled_reason': 'maint'}


class TestJudge(testtools.TestCase):
    VOICE = voice.Voice('volsvc')

    def test_results_and_details(self):
        ignored = services.ENABLE_IGNORED
        for name, before, now, case, expected in (
            ('gone', service(), None,
             outcome(DISABLED, [DISABLE], acknowledged=[DISABLE]),
             (True, 'failed', 'disappeared')),
            ('as asked', service(), service(status='disabled', disabled_reason='maint'),
             outcome(DISABLED, [DISABLE], acknowledged=[DISABLE]),
             (True, 'changed', '')),
            ('refused', service(), service(),
             outcome(DISABLED, [DISABLE], refused='disable: Invalid input'),
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
            ('the server said', service(frozen=True, status='disabled'),
             service(frozen=True, status='disabled'),
             outcome({'frozen': False}, [THAW], acknowledged=[THAW], said='driver'),
             (False, 'failed', "the server accepted every request but frozen is "
                               "True. The server said: driver")),
            ('cluster thaw', service(frozen=True, status='disabled', cluster='c'),
             service(status='disabled', cluster='c'),
             outcome({'frozen': False, 'status': 'enabled'}, [THAW], acknowledged=[THAW]),
             (False, 'failed', "the server accepted every request but status is "
                               f"'disabled'. {self.VOICE.cluster_thaw()}")),
            ('abandoned, not yet applied', service(), service(),
             outcome(DISABLED, [DISABLE], abandoned=DISABLE),
             (True, 'unknown', "interrupted while disable (reason 'maint') was under "
                               "way: it may still be applied")),
            ('abandoned, applied', service(),
             service(status='disabled', disabled_reason='maint'),
             outcome(DISABLED, [DISABLE], abandoned=DISABLE),
             (True, 'changed', '')),
        ):
            done = outcomes.judge(case, before, now, self.VOICE)
            self.assertEqual(expected, (done, case.result, case.detail), name)

    def test_unconfirmed_says_what_the_database_shows(self):
        case = outcome({'frozen': True}, [desired_state.Action('freeze')],
                       unanswered='freeze: no answer', unconfirmed=True)
        self.assertTrue(outcomes.judge(case, service(), service(frozen=True), self.VOICE))
        self.assertEqual('unknown', case.result)
        self.assertTrue(case.detail.startswith('freeze: no answer. The database now '
                                               'shows cinder-volume on node1@lvm'))
        self.assertTrue(case.detail.endswith(
            "'volsvc show node1@lvm cinder-volume' shows whether it did"))

    def test_unverifiable(self):
        for answers, expected in (
            ({'refused': 'disable: no'}, ('failed', 'disable: no')),
            ({'acknowledged': [DISABLE]},
             ('unknown', "the server accepted disable (reason 'maint'); could not "
                         "re-read: down")),
            ({'unanswered': 'disable: timeout', 'abandoned': DISABLE},
             ('unknown', 'no answer to disable: timeout; interrupted while disable '
                         "(reason 'maint') was under way; could not re-read: down")),
        ):
            case = outcome(DISABLED, [DISABLE], **answers)
            outcomes.unverifiable(case, 'down')
            self.assertEqual(expected, (case.result, case.detail), answers)

    def test_kept_and_rows(self):
        wanted = desired_state.Wanted(
            HOST, 'cinder-volume', 'disabled', None, None,
            (('Replication Status', 'failed-over'),))
        kept = outcomes.kept(service(status='disabled', disabled_reason='maint',
                                     replication_status='enabled'), wanted, self.VOICE)
        self.assertEqual(
            "reason 'maint' kept: none wanted; Replication Status is 'enabled', not "
            "'failed-over': commit does not fail over ('volsvc failover' does)", kept)
        case = outcomes.Outcome(wanted, [DISABLE], result='changed', fallback='then x',
                                kept=kept)
        self.assertEqual((HOST, 'cinder-volume', "disable (reason 'maint') (then x)",
                          'changed', kept), case.row)


def judged(wanted, actions, before, now, unread=None, **answers):
    """An outcome as the sender and the verifying read leave it."""
    case = outcome(wanted, actions, **answers)
    if unread is not None:
        outcomes.unverifiable(case, unread)
    else:
        outcomes.judge(case, before, now, TestJudge.VOICE)
    return case


class TestOneLine(testtools.TestCase):
    """outcomes.one_line: the error of a change of one target."""

    VOICE = TestJudge.VOICE
    ASKED = 'the disable request'

    def test_lines(self):
        from openstack import exceptions as sdk_exceptions

        accepted = {'acknowledged': [DISABLE]}
        disabled = service(status='disabled', disabled_reason='maint')
        lost = sdk_exceptions.HttpException('boom', http_status=500)
        late = services.Unconfirmed('freeze got no answer within 5 s')
        label = f'cinder-volume on {HOST}'
        said = 'Request None failed with HTTP 500: no details given'
        for name, case, extra, expected in (
            ('as asked', judged(DISABLED, [DISABLE], service(), disabled, **accepted),
             {}, None),
            ('ignored', judged(DISABLED, [DISABLE], service(), service(), **accepted),
             {}, f"{label}: the server accepted the disable request but status is "
                 f"'enabled', disabled reason is None"),
            ('waited, with a cause',
             judged(DISABLED, [DISABLE], service(), service(), **accepted),
             {'waited': 5, 'cause': 'Emoji.'},
             f"{label}: the server accepted the disable request but after 5 s status "
             f"is 'enabled', disabled reason is None. Emoji."),
            ('the server said',
             judged({'frozen': False}, [THAW], service(frozen=True),
                    service(frozen=True), acknowledged=[THAW], said='driver'),
             {'cause': 'not this'},
             f"{label}: the server accepted the disable request but frozen is True. "
             f"The server said: driver"),
            ('another client',
             judged(DISABLED, [DISABLE], service(),
                    service(status='disabled', disabled_reason='BBB'), **accepted),
             {'cause': 'not this'},
             f"{label}: the server accepted the disable request but disabled reason "
             f"is 'BBB': {services.ANOTHER_CLIENT}"),
            ('enable ignored',
             judged({'status': 'enabled'}, [ENABLE], service(status='disabled'),
                    service(status='disabled'), acknowledged=[ENABLE]),
             {}, f"{label}: the server accepted the disable request but status is "
                 f"'disabled'. {services.ENABLE_IGNORED}. "
                 f"{self.VOICE.enable_workaround(service())}"),
            ('gone', judged(DISABLED, [DISABLE], service(), None, **accepted),
             {}, f'{label} disappeared after the server accepted the disable request'),
            ('not re-read',
             judged(DISABLED, [DISABLE], service(), None, unread='down', **accepted),
             {}, f'{label}: the server accepted the disable request and the service '
                 f'could not be re-read (down): the change is not verified'),
            ('no clear answer',
             judged(DISABLED, [DISABLE], service(), service(), error=lost,
                    unanswered='disable: boom'),
             {}, f"{label}: the disable request failed with HTTP 500 ({said}) but "
                 f"status is 'enabled', disabled reason is None"),
            ('no clear answer, not re-read',
             judged(DISABLED, [DISABLE], service(), None, unread='down', error=lost,
                    unanswered='disable: boom'),
             {}, f'the disable request failed with HTTP 500 ({said}) and the service '
                 f'could not be re-read (down): whether it took effect is unknown'),
            ('unconfirmed',
             judged({'frozen': True}, [desired_state.Action('freeze')], service(),
                    service(), error=late, unconfirmed=True, unanswered='x'),
             {}, f"{late}. The database now shows {label}: status enabled, frozen "
                 f"False, reason None, replication None; the backend has not "
                 f"confirmed; the request may still complete: 'volsvc show {HOST} "
                 f"cinder-volume' shows whether it did"),
            ('unconfirmed, not re-read',
             judged({'frozen': True}, [desired_state.Action('freeze')], service(),
                    None, unread='down', error=late, unconfirmed=True, unanswered='x'),
             {}, f'{late} and the service could not be re-read (down): unknown'),
        ):
            line = outcomes.one_line([case], self.ASKED, self.VOICE, **extra)
            self.assertEqual(expected, line, name)

    def test_a_cluster_names_its_first_member_not_as_asked(self):
        first, second = service(), service(host='node2@lvm')
        cases = [
            judged({'frozen': True}, [desired_state.Action('freeze')], first,
                   service(frozen=True), acknowledged=[desired_state.Action('freeze')]),
            outcomes.Outcome(desired_state.Wanted('node2@lvm', 'cinder-volume',
                                                  frozen=True),
                             [desired_state.Action('freeze')],
                             acknowledged=[desired_state.Action('freeze')]),
        ]
        outcomes.judge(cases[1], second, second, self.VOICE)
        self.assertEqual(
            "cinder-volume on node2@lvm: the server accepted freeze of cluster 'c' "
            "but frozen is False",
            outcomes.one_line(cases, "freeze of cluster 'c'", self.VOICE))


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
            ('unreadable', [services.NotApplied('gone away')], 5, False,
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
                             timeout, TestJudge.VOICE, lambda: stop)
            self.assertEqual(expected, (len(reads), clock.slept, case.result), name)
        self.assertEqual('gone away', case.unread)
