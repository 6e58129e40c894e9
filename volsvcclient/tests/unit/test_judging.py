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

"""``outcomes.judge`` and ``outcomes.unverifiable``: the cases the
mutation run of 2026-12-07 found no test of (a second Ctrl-C during a
freeze or thaw the database already shows, a request that got no answer
and was not applied, several requests before a failed re-read). Table
driven, as test_outcomes."""

import testtools

from volsvcclient.cinder import exceptions
from volsvcclient.engine import outcomes
from volsvcclient.tests.unit.test_outcomes import detail
from volsvcclient.tests.unit.test_outcomes import DISABLE
from volsvcclient.tests.unit.test_outcomes import DISABLED
from volsvcclient.tests.unit.test_outcomes import FREEZE
from volsvcclient.tests.unit.test_outcomes import outcome
from volsvcclient.tests.unit.test_outcomes import service
from volsvcclient.tests.unit.test_outcomes import THAW

SHOW = "'volsvc show node1@lvm cinder-volume'"


class TestJudge(testtools.TestCase):

    def test_results_and_details(self):
        timeout = exceptions.Unreachable('no answer in 60 s', 'cinder-api')
        frozen = service(frozen=True, status='disabled', disabled_reason='frozen')
        for name, before, now, case, expected in (
            # Cinder writes frozen before it asks cinder-volume: a database
            # that shows the freeze or thaw is no confirmation of it.
            ('abandoned freeze, database as asked', service(), frozen,
             outcome({'frozen': True}, [FREEZE], abandoned=FREEZE),
             (True, 'unknown', 'interrupted while freeze was under way: the database '
                               'shows it as asked, but the backend has not confirmed; '
                               f'{SHOW} shows whether it did')),
            ('abandoned thaw, database as asked', frozen, service(),
             outcome({'frozen': False}, [THAW], abandoned=THAW),
             (True, 'unknown', 'interrupted while thaw was under way: the database '
                               'shows it as asked, but the backend has not confirmed; '
                               f'{SHOW} shows whether it did')),
            ('no answer, not applied', service(), service(),
             outcome(DISABLED, [DISABLE], unanswered=DISABLE, problem=timeout),
             (False, 'failed', "disable (reason 'maint'): no answer in 60 s")),
        ):
            done = outcomes.judge(case, before, now)
            self.assertEqual(expected, (done, case.result.value, detail(case)), name)

    def test_unverifiable(self):
        refusal = exceptions.RequestFailed('no', 400)
        for name, case, expected in (
            ('two requests accepted',
             outcome({'status': 'disabled', 'disabled_reason': 'maint', 'frozen': True},
                     [FREEZE, DISABLE], acknowledged=[FREEZE, DISABLE]),
             "the server accepted freeze, disable (reason 'maint'); could not re-read: "
             "down"),
            ('one accepted, the next refused',
             outcome({'status': 'disabled', 'disabled_reason': 'maint', 'frozen': True},
                     [FREEZE, DISABLE], acknowledged=[FREEZE], refused=DISABLE,
                     problem=refusal),
             'the server accepted freeze; refused disable: no; could not re-read: down'),
        ):
            outcomes.unverifiable(case, exceptions.Error('down'))
            self.assertEqual(('unknown', expected), (case.result, detail(case)), name)
