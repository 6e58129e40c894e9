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

"""Argument handling of the three modules: what the argument specs accept
and refuse, checked by ansible's own validator, and how parameters become
the Python API's requests (a stand-in for volsvcclient.api records what it
is given: these tests need neither volsvcclient nor a cloud)."""

import collections
import unittest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.volsvc.cinder.plugins.module_utils import connection
from ansible_collections.volsvc.cinder.plugins.module_utils import module
from ansible_collections.volsvc.cinder.plugins.module_utils import services
from ansible_collections.volsvc.cinder.plugins.module_utils.words import WORDS
from ansible_collections.volsvc.cinder.plugins.modules import volume_service
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_check
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_drain
from ansible_collections.volsvc.cinder.plugins.modules import volume_service_wait


class Recorded(object):
    """A record of what a constructor of the API was called with."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs


class FakeAPI(object):
    Desired = Recorded
    Selection = Recorded
    State = Recorded

    class Error(Exception):
        pass


def advice(purpose, keyword=None, value=True, verb=None, host=None, binary=None,
           also=None, form='give', first=None):
    """volsvcclient.cinder.advice.Advice's fields."""
    return collections.namedtuple('Advice', 'purpose keyword value verb host binary '
                                  'also form first')(
        purpose, keyword, value, verb, host, binary, also, form, first)


def spec(module_class):
    """A module's whole argument spec and AnsibleModule rules."""
    rules = dict(module_class.module_kwargs)
    rules.pop('supports_check_mode', None)
    return connection.argument_spec(**module_class.argument_spec), rules


def task(module_class, params):
    """A module as run() sees it, without AnsibleModule or volsvcclient."""
    made = module_class.__new__(module_class)
    made.params, made.api = params, FakeAPI
    return made


def validate(spec, rules, **params):
    result = ArgumentSpecValidator(spec, **rules).validate(params)
    return result.validated_parameters, ' '.join(result.error_messages)


def accepted(spec, rules, **params):
    """The parameters as validated, defaults included."""
    return validate(spec, rules, **params)[0]


def refused(spec, rules, **params):
    """Why ansible refuses them ('' when it does not)."""
    return validate(spec, rules, **params)[1]


class VolumeServiceArgumentsTest(unittest.TestCase):

    def check(self, **params):
        return validate(*spec(volume_service.VolumeServiceModule), **params)

    def accepted(self, **params):
        return self.check(**params)[0]

    def refused(self, **params):
        return self.check(**params)[1]

    def test_one_service(self):
        params, errors = self.check(host='node1@lvm', binary='cinder-volume',
                                    status='disabled', disabled_reason='maintenance')
        self.assertEqual('', errors)
        asked = task(volume_service.VolumeServiceModule, params).desired()
        self.assertEqual(['desired'], list(asked))
        (wanted,) = asked['desired']
        self.assertEqual(('node1@lvm', 'cinder-volume'), wanted.args)
        self.assertEqual(dict(status='disabled', disabled_reason='maintenance',
                              frozen=None), wanted.kwargs)

    def test_selection_and_template(self):
        params, errors = self.check(host_pattern='node1@*', frozen=True)
        self.assertEqual('', errors)
        asked = task(volume_service.VolumeServiceModule, params).desired()
        self.assertEqual(dict(host_pattern='node1@*'), asked['selection'].kwargs)
        self.assertEqual(dict(status=None, disabled_reason=None, frozen=True),
                         asked['template'].kwargs)

    def test_defaults_change_nothing_risky(self):
        params = self.accepted(host='h', binary='cinder-volume', status='enabled')
        self.assertFalse(params['enable_via_thaw'])
        self.assertFalse(params['even_if_down'])
        self.assertFalse(params['even_if_irreversible'])
        self.assertFalse(params['wait'])

    def test_host_needs_binary(self):
        errors = self.refused(host='node1@lvm', status='disabled')
        self.assertIn('binary', errors)

    def test_host_or_selection_not_both(self):
        errors = self.refused(host='node1@lvm', binary='cinder-volume',
                              zone='az1', status='disabled')
        self.assertIn('mutually exclusive', errors)

    def test_something_to_choose(self):
        errors = self.refused(status='disabled')
        self.assertIn('host', errors)

    def test_something_desired(self):
        errors = self.refused(host='node1@lvm', binary='cinder-volume')
        self.assertIn('status', errors)

    def test_reason_needs_status(self):
        errors = self.refused(host='node1@lvm', binary='cinder-volume',
                              frozen=True, disabled_reason='why')
        self.assertIn('status', errors)

    def test_status_choices(self):
        errors = self.refused(host='h', binary='b', status='off')
        self.assertIn('enabled, disabled', errors)

    def test_auth_is_secret(self):
        options = spec(volume_service.VolumeServiceModule)[0]
        self.assertTrue(options['auth']['no_log'])
        self.assertTrue(options['client_key']['no_log'])


class WaitAndCheckArgumentsTest(unittest.TestCase):

    def test_wait_conditions(self):
        params, errors = validate(
            *spec(volume_service_wait.VolumeServiceWaitModule),
            host_pattern='node1@*', state='up', fresh=True, timeout=60)
        self.assertEqual('', errors)
        self.assertEqual(
            dict(state='up', status=None, frozen=None, replication_status=None,
                 fresh=True, timeout=60.0, interval=2.0),
            task(volume_service_wait.VolumeServiceWaitModule, params).conditions())
        params['wait'] = False
        self.assertEqual(
            0, task(volume_service_wait.VolumeServiceWaitModule, params).conditions()['timeout'])
        self.assertEqual(dict(host_pattern='node1@*'),
                         services.selection(FakeAPI, params).kwargs)

    def test_wait_state_choices(self):
        errors = refused(*spec(volume_service_wait.VolumeServiceWaitModule),
                         state='sideways')
        self.assertIn('up, down', errors)

    def test_check_everything_by_default(self):
        params, errors = validate(*spec(volume_service_check.VolumeServiceCheckModule))
        self.assertEqual('', errors)
        self.assertIsNone(services.selection(FakeAPI, params))

    def test_check_one_service(self):
        params = accepted(*spec(volume_service_check.VolumeServiceCheckModule),
                          host='node1@lvm', binary='cinder-volume')
        self.assertEqual(dict(host='node1@lvm', binary='cinder-volume'),
                         services.selection(FakeAPI, params).kwargs)


class DrainArgumentsTest(unittest.TestCase):
    """volume_service_drain: one backend, one cluster or a selection; the
    API's timing unless given."""

    module = volume_service_drain.VolumeServiceDrainModule

    def check(self, **params):
        return validate(*spec(self.module), **params)

    def test_one_target(self):
        for params in (dict(), dict(state='resumed')):
            self.assertIn('host, cluster, host_pattern, zone', self.check(**params)[1])
        for given in (dict(host='h@b', cluster='c'), dict(host='h@b', zone='az1'),
                      dict(cluster='c', host_pattern='h*')):
            self.assertIn('mutually exclusive', self.check(**given)[1])

    def test_targets_as_the_api_takes_them(self):
        for given, expected in (
            (dict(host='node1@lvm'), dict(host='node1@lvm')),
            (dict(cluster='c1@ceph'), dict(cluster='c1@ceph')),
        ):
            params, errors = self.check(**given)
            self.assertEqual('', errors)
            self.assertEqual(expected, task(self.module, params).target())
        params, errors = self.check(host_pattern='node1@*', zone='az1')
        self.assertEqual('', errors)
        chosen = task(self.module, params).target()['selection']
        self.assertEqual((('node1@*',), dict(zone='az1')), (chosen.args, chosen.kwargs))

    def test_timing(self):
        params = self.check(host='node1@lvm')[0]
        self.assertEqual('drained', params['state'])
        # The API's defaults for the state.
        self.assertEqual({}, task(self.module, params).timing())
        params = self.check(host='node1@lvm', timeout=60, interval=3)[0]
        self.assertEqual(dict(timeout=60.0, interval=3.0), task(self.module, params).timing())
        # A drain without wait reads once.
        params = self.check(host='node1@lvm', timeout=60, wait=False)[0]
        self.assertEqual(dict(timeout=0), task(self.module, params).timing())

    def test_what_a_resume_refuses(self):
        for given, word in ((dict(disabled_reason='x'), 'disabled_reason'),
                            (dict(freeze=True), 'freeze'), (dict(wait=False), 'wait')):
            params, errors = self.check(host='h@b', state='resumed', **given)
            self.assertEqual('', errors)
            self.assertTrue(task(self.module, params).refused().startswith(word))
            params['state'] = 'drained'
            self.assertIsNone(task(self.module, params).refused())

    def test_resume_plan(self):
        params = self.check(host='node1@lvm', state='resumed')[0]
        (wanted,) = task(self.module, params).resume_plan()['desired']
        self.assertEqual((('node1@lvm', 'cinder-volume'), dict(status='enabled', frozen=False)),
                         (wanted.args, wanted.kwargs))
        params = self.check(zone='az1', state='resumed')[0]
        planned = task(self.module, params).resume_plan()
        self.assertEqual(dict(zone='az1', binary='cinder-volume'),
                         planned['selection'].kwargs)
        self.assertEqual(dict(status='enabled', frozen=False), planned['template'].kwargs)


class ConnectOptionsTest(unittest.TestCase):

    def params(self, **given):
        params, errors = validate(connection.argument_spec(), {}, **given)
        self.assertEqual('', errors)
        return params

    def test_named_cloud_with_options(self):
        options = connection.connect_options(self.params(
            cloud='mycloud', region_name='r1', validate_certs=False,
            ca_cert='/ca.pem', client_cert='/c.pem', client_key='/k.pem',
            interface='internal', api_timeout=10))
        self.assertEqual(dict(cloud='mycloud', region_name='r1', verify=False,
                              cacert='/ca.pem', cert='/c.pem', key='/k.pem',
                              interface='internal', api_timeout=10), options)

    def test_unset_options_leave_the_cloud_its_own(self):
        self.assertEqual(dict(cloud='mycloud'),
                         connection.connect_options(self.params(cloud='mycloud')))

    def test_environment_alone(self):
        self.assertEqual({}, connection.connect_options(self.params()))

    def test_auth_without_cloud(self):
        auth = dict(auth_url='http://k/v3', username='u', password='p')
        self.assertEqual(dict(auth=auth, auth_type='password'),
                         connection.connect_options(self.params(auth=auth,
                                                                auth_type='password')))

    def test_cloud_dict_is_the_whole_config(self):
        cloud = dict(auth=dict(auth_url='http://k/v3'), region_name='r1')
        self.assertEqual(cloud, connection.connect_options(self.params(cloud=cloud)))

    def test_cloud_dict_with_options_beside_it(self):
        with self.assertRaises(connection.OptionError) as caught:
            connection.connect_options(self.params(cloud=dict(region_name='r1'),
                                                   region_name='r2'))
        self.assertIn('region_name', str(caught.exception))

    def test_cloud_of_another_type(self):
        with self.assertRaises(connection.OptionError):
            connection.connect_options(self.params(cloud=['a']))

    def test_errors_in_the_module_words(self):
        class Error(Exception):
            def worded(self, words):
                return 'Refused. %s' % words.advise(advice('disable it anyway',
                                                           keyword='even_if_irreversible'))

        api = type('API', (), {'Error': Error})
        self.assertEqual('Refused. Set even_if_irreversible: true to disable it anyway',
                         module.message(Error('Refused. Give --even-if-irreversible'), api))

    def test_version_order(self):
        # pbr's dev versions are pre-releases; pip's order.
        ordered = ['0.0.0', '0.0.1.dev3', '0.0.1.dev10', '0.0.1a1', '0.0.1rc2', '0.0.1',
                   '0.0.1.post1', '0.1', '0.1.1', '1.0.0']
        self.assertEqual(ordered, sorted(reversed(ordered), key=module.version_key))

    def test_rows_word_advice_in_the_module_options(self):
        class Outcome(object):
            """api.ServiceOutcome's row fields and worded()."""

            def __init__(self, host, result, said, fallback=()):
                self.host, self.binary, self.actions = host, 'cinder-volume', ('enable',)
                self.result = type('Result', (), {'value': result})
                self.said, self.fallback = said, fallback

            def worded(self, words):
                if not self.said:
                    return ''
                return 'h@lvm is down. %s' % words.advise(
                    advice('send the request anyway', keyword='even_if_down'))

        report = type('Report', (object,), {'outcomes': (
            Outcome('h@lvm', 'failed', True),
            Outcome('g@lvm', 'would change', False, ('freeze', 'thaw')))})()
        self.assertEqual(
            [dict(host='h@lvm', binary='cinder-volume', actions='enable',
                  result='failed', detail='h@lvm is down. Set even_if_down: true '
                                          'to send the request anyway'),
             dict(host='g@lvm', binary='cinder-volume',
                  actions='enable (then freeze, thaw if the server ignores enable)',
                  result='would change', detail='')],
            services.rows(report, WORDS))

    def test_advice_on_tasks(self):
        where = dict(host='h@lvm', binary='cinder-volume')
        for given, said in (
            (advice('send the request anyway', keyword='even_if_down',
                    first='Start it first'),
             'Start it first, or set even_if_down: true to send the request anyway'),
            (advice('freeze the whole cluster', keyword='cluster', value='c1'),
             'Set cluster: c1 to freeze the whole cluster'),
            (advice('re-enables it by freeze and thaw', keyword='enable_via_thaw',
                    form='does'),
             'enable_via_thaw: true re-enables it by freeze and thaw'),
            (advice('thaws and re-enables it', verb='thaw',
                    also=('enable_via_thaw', 'does that'), **where),
             'a volume_service task with host: h@lvm, binary: cinder-volume and '
             'frozen: false thaws and re-enables it (enable_via_thaw: true does that)'),
            (advice('re-enables it', verb='freeze-then-thaw', **where),
             'a volume_service task with host: h@lvm, binary: cinder-volume and '
             'frozen: true, then frozen: false, re-enables it'),
            (advice('shows whether it did', verb='show', **where),
             'a volume_service_check task with host: h@lvm, binary: cinder-volume '
             'shows whether it did'),
            (advice('re-enables the others', verb='enable', **where),
             'a volume_service task with host: h@lvm, binary: cinder-volume and '
             'status: enabled re-enables the others'),
            (advice('does', verb='failover'), 'a failover of the backend does'),
        ):
            self.assertEqual(said, WORDS.advise(given))
        self.assertEqual('ca_cert', WORDS.name('cacert'))
        self.assertEqual('even_if_down', WORDS.name('even_if_down'))

    def test_message_is_one_line(self):
        self.assertEqual('ConnectFailure: Unable to establish connection to http://k',
                         module.message(type('ConnectFailure', (Exception,), {})(
                             'Unable to establish\nconnection to http://k'), FakeAPI))
