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

import testtools

from volsvcclient import desired_state
from volsvcclient import outcomes
from volsvcclient import services
from volsvcclient import voice

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
             (False, 'failed', "the server accepted every request but status is "
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
