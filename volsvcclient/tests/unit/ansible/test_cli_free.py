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

"""No message of a volsvc.cinder module names a command line (``volsvc
set --enable``, ``openstack volume service ...``) or a flag
(``--even-if-down``): each face words advice in its own names, the
modules in their options (``Set even_if_down: true to ...``).

Every text a task returns is searched: ``msg``, each service's
``detail``, the check's ``status_line`` and findings, the wait's ``unmet``
and any warning. The library gives advice as facts (volsvcclient.cinder.
advice), which module_utils/words.py words as options and tasks.
"""

import re

import fixtures
import requests

from ansible_collections.volsvc.cinder.plugins.module_utils.words import WORDS
from ansible_collections.volsvc.cinder.plugins.modules import volume_service
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_check
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_wait
from volsvcclient.cinder import advice
from volsvcclient.tests.unit.ansible import runner
from volsvcclient.tests.unit import fakes

#: A command line or a flag of it, in the words of either program.
COMMAND_LINE = re.compile(r"\bvolsvc (?!\.)|openstack volume|(^|[\s('\"])--[a-z]")
VOLUME = 'cinder-volume'


def texts(result):
    """Every text a task's result gives an operator."""
    found = [result.get('msg'), result.get('status_line')]
    found += [s.get('detail') for s in result.get('services', ())]
    found += [f['detail'] for f in result.get('findings', ())]
    found += list(result.get('unmet', ()))
    found += [w if isinstance(w, str) else str(w) for w in result.get('warnings', ())]
    return [t for t in found if t]


class CommandLineFreeTestCase(runner.ModuleTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time',
                                             fakes.FakeClock()))
        self.cinder.add('node1@lvm')
        self.cinder.add('node2@lvm', state='down')
        self.cinder.add('node1', 'cinder-scheduler')

    def assertNoCommandLine(self, module, **args):
        """The task fails, and no text of its result names a command line;
        the result."""
        run = self.run_module(module, **args)
        self.assertEqual(1, run.code, run)
        said = texts(run.result)
        self.assertTrue(said, run)
        for text in said:
            self.assertNotRegex(text, COMMAND_LINE)
        return run.result


class TestModulesWords(CommandLineFreeTestCase):
    """Advice and refusals worded by the modules, or by the library in its
    API's names."""

    def test_refusals_that_an_option_overrules(self):
        self.cinder.get('node1@lvm').update(disabled=True, disabled_reason='x')
        for args in (
            dict(host='node2@lvm', binary=VOLUME, frozen=True),
            dict(host_pattern='node*', frozen=True),
            dict(host='node1', binary='cinder-scheduler', status='disabled'),
            dict(host='node1@lvm', binary=VOLUME, status='enabled'),
        ):
            self.assertNoCommandLine(volume_service, **args)

    def test_requests_the_modules_or_the_api_refuse(self):
        for module, args in (
            (volume_service, dict(host='node1@lvm', binary=VOLUME, status='enabled',
                                  frozen=True)),
            (volume_service, dict(host='node1@lvm', binary=VOLUME, status='disabled',
                                  disabled_reason='x' * 256)),
            (volume_service, dict(host_pattern='node*', status='disabled',
                                  disabled_reason=' ')),
            (volume_service, dict(host='node9@lvm', binary=VOLUME, status='disabled')),
            (volume_service, dict(zone='elsewhere', frozen=True)),
            (volume_service, dict(host='node1@lvm', binary=VOLUME, status='disabled',
                                  wait_timeout='nan')),
            (volume_service_wait, dict()),
            (volume_service_wait, dict(state='up', interval=0.5)),
            (volume_service_wait, dict(state='up', timeout=4)),
            (volume_service_check, dict(rpc_timeout=0)),
            (volume_service_check, dict(cloud=dict(auth=dict()), region_name='r')),
        ):
            self.assertNoCommandLine(module, **args)

    def test_cluster_on_an_old_cloud(self):
        self.useFixture(fixtures.EnvironmentVariable('OS_BLOCK_STORAGE_API_VERSION', '3.6'))
        message = ('cluster requires Block Storage API 3.7 or later (this task is '
                   'using Block Storage API 3.6)')
        self.assertFailsWith(self.run_module(volume_service, cluster='c', frozen=True),
                             dict(msg=message))
        self.assertFailsWith(self.run_module(volume_service_wait, cluster='c', state='up'),
                             dict(changed=False, msg=message))
        self.assertFailsWith(self.run_module(volume_service_check, cluster='c'), dict(
            changed=False, verdict='UNKNOWN', level=3, msg=message,
            status_line=f'UNKNOWN - {message}'))
        for module, args in ((volume_service, dict(frozen=True)),
                             (volume_service_wait, dict(state='up')),
                             (volume_service_check, {})):
            self.assertNoCommandLine(module, cluster='c', **args)

    def test_server_failures(self):
        self.cinder.forbidden = True
        self.assertNoCommandLine(volume_service_check)
        self.cinder.forbidden = False
        self.mock.post(fakes.AUTH_URL + '/auth/tokens',
                       exc=requests.exceptions.ConnectionError('refused'))
        self.assertNoCommandLine(volume_service, host='node1@lvm', binary=VOLUME,
                                 status='disabled')


class TestWords(runner.ModuleTestCase):

    def test_every_verb_and_form_of_the_library(self):
        # A verb the library adds, or a form renamed, fails here first.
        verbs = [advice.THAW, advice.FREEZE_THEN_THAW, advice.SHOW, advice.FAILOVER,
                 advice.ENABLE]
        for verb in verbs:
            said = WORDS.advise(advice.Advice('does it', verb=verb, host='h@lvm',
                                              binary=VOLUME))
            self.assertTrue(said.endswith(' does it'), said)
            self.assertNotRegex(said, COMMAND_LINE)
        self.assertEqual(
            'a volume_service task with host: h@lvm, binary: cinder-volume and frozen: '
            'false thaws it (enable_via_thaw: true does that)',
            WORDS.advise(advice.Advice('thaws it', verb=advice.THAW, host='h@lvm',
                                       binary=VOLUME,
                                       also=(advice.ENABLE_VIA_THAW, 'does that'))))
        self.assertEqual('even_if_down: true does it', WORDS.advise(advice.Advice(
            'does it', advice.EVEN_IF_DOWN, form=advice.DOES)))
        self.assertEqual('Set even_if_down: true to do it', WORDS.advise(advice.Advice(
            'do it', advice.EVEN_IF_DOWN, form=advice.GIVE)))


class TestAdviceOnTasks(CommandLineFreeTestCase):
    """Advice the library gives as facts (a thaw, a read, an enable) that
    the modules word as tasks of their own, whole."""

    def detail(self, module, **args):
        """The one service detail of a failed task that names no command."""
        result = self.assertNoCommandLine(module, **args)
        (detail,) = [s['detail'] for s in result['services'] if s['detail']]
        return detail

    def test_unconfirmed_request(self):
        self.cinder.volume_rpc = 'silent'
        self.assertEqual(
            "freeze: freeze got no answer within 20 s: Cinder answers it only once "
            "the backend's cinder-volume has, over RabbitMQ (is either down?). The "
            "database now shows cinder-volume on node1@lvm: status enabled, frozen "
            "True, reason None, replication disabled; the backend has not confirmed; "
            "the request may still complete: a volume_service_check task with host: "
            "node1@lvm, binary: cinder-volume shows whether it did",
            self.detail(volume_service, host='node1@lvm', binary=VOLUME, frozen=True))

    def test_cluster_member_left_disabled_by_a_thaw(self):
        for host in ('c1@lvm', 'c2@lvm'):
            self.cinder.add(host, cluster_name='cl@lvm', frozen=True, disabled=True,
                            disabled_reason='frozen')
        self.assertEqual(
            "the server accepted every request but status is 'disabled'. Cinder "
            "delivers freeze and thaw of a cluster to one of its members, and only "
            "that member disables or re-enables its own service; where "
            "os-services/enable works (before 28.0.0), a volume_service task with "
            "host: c2@lvm, binary: cinder-volume and status: enabled re-enables the "
            "others",
            self.detail(volume_service, cluster='cl@lvm', frozen=False, status='enabled'))

    def test_enable_via_thaw_of_another_binary(self):
        self.cinder.get('node1', 'cinder-scheduler')['disabled'] = True
        self.assertEqual(
            "the server accepted every request but status is 'disabled'. Cinder "
            "28.0.0 and later answer os-services/enable with 200 without enabling the "
            "service, and enable_via_thaw: true applies to cinder-volume only",
            self.detail(volume_service, host='node1', binary='cinder-scheduler',
                        status='enabled', enable_via_thaw=True))

    def test_tls_failure(self):
        self.mock.post(fakes.AUTH_URL + '/auth/tokens',
                       exc=requests.exceptions.SSLError('certificate verify failed'))
        self.assertEqual(
            "TLS failure talking to Keystone at http://keystone.test/v3/auth/tokens: "
            "give its CA with ca_cert or 'cacert' in clouds.yaml (SSL exception "
            "connecting to http://keystone.test/v3/auth/tokens: certificate verify "
            "failed)", self.assertNoCommandLine(volume_service_check)['msg'])
