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

"""volume service list and show, against a fake Cinder over HTTP."""

from unittest import mock

from keystoneauth1 import session as ksa_session
from osc_lib import utils

from volsvcclient.cinder import services
from volsvcclient.tests.unit import base

load_tests = base.load_tests

BASE_COLUMNS = ['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated At']
LONG_COLUMNS = [
    'Disabled Reason', 'Replication Status', 'Active Backend ID', 'Frozen'
]


class TestList(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.cinder.add('node1@lvm', cluster_name='c1@lvm')
        self.cinder.add(
            'node1@rep', disabled=True, disabled_reason='maint',
            replication_status='enabled', zone='az2',
        )
        self.cinder.add('node2@lvm', frozen=True, disabled=True,
                        disabled_reason='frozen', state='down')
        self.cinder.add('node1', binary='cinder-scheduler')

    def test_default_asks_newest_microversion_it_displays(self):
        self.cinder.add('node3@lvm')
        result = self.cli('list', '-f', 'json')
        self.assertEqual(0, result.code, result)
        rows = result.json()
        self.assertEqual(
            BASE_COLUMNS + ['Cluster', 'Backend State'], list(rows[0])
        )
        self.assertEqual('c1@lvm', rows[0]['Cluster'])
        # cinder-scheduler knows enabled, unclustered backends that are up.
        self.assertEqual(
            {'node1@lvm': None, 'node1@rep': None, 'node2@lvm': None,
             'node3@lvm': 'up', 'node1': None},
            {r['Host']: r['Backend State'] for r in rows},
        )
        self.assertEqual(['volume 3.49'], self.microversions('GET'))

    def test_microversion_gates_columns(self):
        for version, extra in (
            ('3.0', []),
            ('3.7', ['Cluster']),
            ('3.49', ['Cluster', 'Backend State']),
            ('3.71', ['Cluster', 'Backend State']),
        ):
            self.cinder.forget_requests()
            rows = self.cli('list', '-f', 'json', version=version).json()
            self.assertEqual(BASE_COLUMNS + extra, list(rows[0]), version)
            self.assertEqual([f'volume {version}'], self.microversions('GET'))

    def test_server_older_than_backend_state(self):
        self.cinder.forget_requests()
        self.cinder.max_version = '3.40'
        self.cinder._register()
        rows = self.cli('list', '-f', 'json').json()
        self.assertEqual(BASE_COLUMNS + ['Cluster'], list(rows[0]))
        self.assertEqual(['volume 3.40'], self.microversions('GET'))

    def test_long_adds_volume_fields_including_frozen(self):
        rows = self.cli('list', '--long', '-f', 'json').json()
        self.assertEqual(
            BASE_COLUMNS + ['Cluster', 'Backend State'] + LONG_COLUMNS,
            list(rows[0]),
        )
        frozen = {r['Host']: r['Frozen'] for r in rows}
        self.assertEqual(
            {'node1@lvm': False, 'node1@rep': False, 'node2@lvm': True,
             'node1': None},
            frozen,
        )
        self.assertEqual('maint', rows[1]['Disabled Reason'])

    def test_host_and_service_go_to_the_server(self):
        self.cli('list', '--host', 'node1', '--service', 'cinder-volume')
        (request,) = self.cinder.requests('GET')
        self.assertEqual(
            {'host': ['node1'], 'binary': ['cinder-volume']}, request.qs
        )

    def test_client_side_filters(self):
        def hosts(*args, version=None):
            rows = self.cli('list', *args, '-f', 'json', version=version).json()
            return sorted(r['Host'] for r in rows)

        self.assertEqual(['node1@rep', 'node2@lvm'], hosts('--status', 'disabled'))
        self.assertEqual(['node2@lvm'], hosts('--state', 'down'))
        self.assertEqual(['node1@rep'], hosts('--zone', 'az2'))
        self.assertEqual(['node2@lvm'], hosts('--frozen'))
        self.assertEqual(['node1@lvm', 'node1@rep'], hosts('--thawed'))
        self.assertEqual(['node1@rep'], hosts('--replication-status', 'enabled'))
        self.assertEqual(['node1@lvm'], hosts('--cluster', 'c1@lvm'))
        self.assertEqual(
            ['node1@rep'], hosts('--status', 'disabled', '--zone', 'az2')
        )

    def test_cluster_filter_needs_3_7_and_sends_nothing(self):
        result = self.cli('list', '--cluster', 'c1', version='3.6')
        self.assertFails(
            result, '--cluster requires --os-volume-api-version 3.7 or later'
        )
        self.assertEqual([], self.cinder.requests())

    def test_frozen_options_exclude_each_other(self):
        result = self.cli('list', '--frozen', '--no-frozen')
        self.assertEqual(2, result.code)
        self.assertEqual([], self.cinder.requests())

    def test_value_format_is_stable(self):
        result = self.cli('list', '-f', 'value', '-c', 'Host', '-c', 'Status')
        self.assertEqual(
            'node1@lvm enabled\nnode1@rep disabled\nnode2@lvm disabled\n'
            'node1 enabled\n',
            result.stdout,
        )

    def test_every_format_prints_what_osc_lib_rows_print(self):
        def osc_lib_rows(listed, attributes):
            return [utils.get_item_properties(s, attributes) for s in listed]

        for form in ('json', 'value', 'table', 'yaml', 'csv'):
            ours = self.cli('list', '--long', '-f', form)
            with mock.patch.object(services, 'rows', osc_lib_rows):
                generic = self.cli('list', '--long', '-f', form)
            self.assertEqual(0, ours.code, ours)
            self.assertEqual(generic.stdout, ours.stdout, form)

    def test_response_bodies_are_logged_only_when_printed(self):
        with mock.patch.object(
            ksa_session.Session, '_remove_service_catalog', spec_set=True,
            side_effect=lambda body: body,
        ) as redact:
            self.assertEqual(0, self.cli('list').code)
            self.assertEqual(0, redact.call_count)
            for shown in (['--debug'], ['-v', '-v']):
                result = self.cli('list', global_options=shown)
                self.assertIn('RESP BODY: {"services": [{"binary"', result.stderr)

    def test_forbidden_gives_policy_message(self):
        self.cinder.forbidden = True
        result = self.cli('list')
        self.assertFails(
            result,
            "Forbidden by the server's policy (managing volume services "
            "requires an administrator by default): Policy doesn't allow "
            "volume_extension:services:index to be performed.",
        )


class TestListV2(base.ShellTestCase):
    v2 = True

    def test_v2_has_no_microversion_and_no_v3_columns(self):
        self.cinder.add('node1@lvm')
        result = self.cli('list', '--long', '-f', 'json', version='2')
        self.assertEqual(0, result.code, result)
        self.assertEqual(BASE_COLUMNS + LONG_COLUMNS, list(result.json()[0]))
        (request,) = self.cinder.requests('GET')
        self.assertIn('/v2/', request.url)
        self.assertNotIn('OpenStack-API-Version', request.headers)

    def test_v2_has_no_cluster_option(self):
        result = self.cli('list', '--cluster', 'c1', version='2')
        self.assertEqual(2, result.code)
        self.assertIn('unrecognized arguments: --cluster', result.stderr)


class TestVersionErrors(base.ShellTestCase):
    def test_v2_asked_of_a_v3_only_cloud(self):
        for version in ('2', '2.0'):
            result = self.cli('list', version=version)
            self.assertFails(
                result,
                f"This cloud's Block Storage service does not offer API version "
                f"{version} (--os-volume-api-version or OS_VOLUME_API_VERSION); "
                f"current Cinder offers only version 3",
            )

    def test_microversion_above_server_maximum(self):
        result = self.cli('list', version='3.90')
        self.assertFails(
            result,
            'Block Storage API 3.90 is not available: the server supports '
            '3.0 to 3.71',
        )
        self.assertEqual([], self.cinder.requests())


class TestShow(base.ShellTestCase):
    def test_every_field_the_server_gives(self):
        self.cinder.add('node1@rep', replication_status='enabled',
                        active_backend_id='secondary', cluster_name='c1@rep')
        result = self.cli('show', 'node1@rep', 'cinder-volume', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            {
                'Binary': 'cinder-volume',
                'Host': 'node1@rep',
                'Zone': 'nova',
                'Status': 'enabled',
                'State': 'up',
                'Updated At': '2026-11-24T10:00:00.000000',
                'Cluster': 'c1@rep',
                # cinder-scheduler keys a cluster's pools by cluster name.
                'Backend State': None,
                'Disabled Reason': None,
                'Replication Status': 'enabled',
                'Active Backend ID': 'secondary',
                'Frozen': False,
            },
            result.json(),
        )

    def test_fields_a_newer_cinder_adds_are_shown(self):
        self.cinder.add('node1@lvm')
        original = self.cinder._render

        def render(service, version):
            shown = original(service, version)
            shown['uuid'] = 'abc'
            return shown

        self.cinder._render = render
        result = self.cli('show', 'node1@lvm', 'cinder-volume', '-f', 'json')
        self.assertEqual('abc', result.json()['Uuid'])
        self.assertEqual('Uuid', list(result.json())[-1])

    def test_new_fields_in_title_case_and_known_ones_once(self):
        self.cinder.add('node1@lvm', zone='az-test')
        original = self.cinder._render

        def render(service, version):
            shown = original(service, version)
            shown['last_seen_by'] = 'abc'
            return shown

        self.cinder._render = render
        result = self.cli('show', 'node1@lvm', 'cinder-volume', '-f', 'json')
        self.assertEqual('Last Seen By', list(result.json())[-1])
        # Shell output keeps repeated names, which JSON would merge.
        result = self.cli('show', 'node1@lvm', 'cinder-volume', '-f', 'shell')
        self.assertEqual(0, result.code, result)
        self.assertEqual(1, result.stdout.count('az-test'), result.stdout)
        self.assertEqual(1, result.stdout.count('frozen='), result.stdout)

    def test_non_volume_service_has_no_volume_fields(self):
        self.cinder.add('node1', binary='cinder-scheduler')
        result = self.cli('show', 'node1', 'cinder-scheduler', '-f', 'json',
                          version='3.0')
        self.assertEqual(
            ['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated At',
             'Disabled Reason'],
            list(result.json()),
        )

    def test_exact_host_only(self):
        # Cinder's host filter also matches host@backend.
        self.cinder.add('node1@lvm')
        result = self.cli('show', 'node1', 'cinder-volume')
        self.assertFails(
            result,
            "No cinder-volume service on host 'node1'. Hosts running "
            "cinder-volume: node1@lvm",
        )

    def test_ten_hosts_are_named_then_counted(self):
        for number in range(1, 11):
            self.cinder.add(f'node{number:02}@lvm')
        result = self.cli('show', 'node1', 'cinder-volume')
        self.assertFails(result, "Hosts running cinder-volume: node01@lvm, ")
        self.assertTrue(result.stderr.strip().endswith(', node10@lvm'), result.stderr)
        self.cinder.add('node11@lvm')
        self.cinder.add('node12@lvm')
        result = self.cli('show', 'node1', 'cinder-volume')
        self.assertFails(
            result,
            "Hosts running cinder-volume: " + ', '.join(
                f'node{number:02}@lvm' for number in range(1, 11)) + ' and 2 more',
        )
        self.assertTrue(result.stderr.strip().endswith('and 2 more'), result.stderr)

    def test_lookups_after_a_miss_ask_the_server_narrowly(self):
        self.cinder.add('node1', binary='cinder-scheduler')
        self.cinder.forget_requests()
        self.cli('show', 'node1', 'cinder-foo')
        self.assertEqual(
            ['host=node1&binary=cinder-foo', 'binary=cinder-foo', 'host=node1'],
            [r.query for r in self.cinder.requests('GET')],
        )

    def test_unknown_binary_names_what_the_host_runs(self):
        self.cinder.add('node1', binary='cinder-scheduler')
        self.cinder.add('node1', binary='cinder-backup')
        result = self.cli('show', 'node1', 'cinder-foo')
        self.assertFails(
            result,
            "No service 'cinder-foo' on host 'node1'; that host runs: "
            "cinder-backup, cinder-scheduler",
        )

    def test_unknown_everything(self):
        result = self.cli('show', 'nowhere', 'cinder-volume')
        self.assertFails(
            result,
            "No service 'cinder-volume' on host 'nowhere', and no host runs "
            "cinder-volume",
        )


class TestControlCharacters(base.ShellTestCase):
    """Issue 15, item 13: a reason holding ESC and BEL changed the
    operator's terminal, and a newline in a host name split a row."""

    REASON = 'maint\x1b]0;owned\x07\x9b'

    def setUp(self):
        super().setUp()
        self.cinder.add('evil\n@lvm', disabled=True, disabled_reason=self.REASON)

    def assertEscaped(self, output, formatter):
        # cliff's csv doubles each backslash of the escapes in turn.
        backslash = '\\\\' if formatter == 'csv' else '\\'
        self.assertIn(f'evil{backslash}n@lvm', output)
        self.assertIn('maint{0}x1b]0;owned{0}x07{0}x9b'.format(backslash), output)
        for raw in ('\x1b', '\x07', '\x9b', 'evil\n'):
            self.assertNotIn(raw, output)

    def test_list_and_show_in_table_value_csv_and_shell(self):
        for formatter in ('table', 'value', 'csv'):
            result = self.cli('list', '--long', '-f', formatter)
            self.assertEqual(0, result.code, result)
            self.assertEscaped(result.stdout, formatter)
        for formatter in ('table', 'value', 'shell'):
            result = self.cli('show', 'evil\n@lvm', 'cinder-volume', '-f', formatter)
            self.assertEqual(0, result.code, result)
            self.assertEscaped(result.stdout, formatter)

    def test_json_and_yaml_keep_the_servers_text(self):
        import yaml

        rows = self.cli('list', '--long', '-f', 'json').json()
        self.assertEqual(('evil\n@lvm', self.REASON),
                         (rows[0]['Host'], rows[0]['Disabled Reason']))
        shown = yaml.safe_load(self.cli('show', 'evil\n@lvm', 'cinder-volume',
                                        '-f', 'yaml').stdout)
        self.assertEqual(('evil\n@lvm', self.REASON), (shown['Host'], shown['Disabled Reason']))

    def test_commit_rows_notes_and_errors(self):
        # The report of a batch, a note and an error line quote the server.
        result = self.cli('commit', '--host-pattern', 'evil*', '--status', 'enabled',
                          '--dry-run', '-f', 'value')
        self.assertEqual(0, result.code, result)
        self.assertEqual('evil\\n@lvm cinder-volume enable would change \n', result.stdout)
        result = self.cli('set', 'evil\n@lvm', 'cinder-volume', '--disable')
        self.assertEqual(0, result.code, result)
        self.assertIn('cinder-volume on evil\\n@lvm is already disabled', result.stderr)
        self.assertNotIn('evil\n', result.stderr)
        result = self.cli('show', 'evil\x1b@lvm', 'cinder-volume')
        self.assertFails(result, "No cinder-volume service on host 'evil\\x1b@lvm'")
        self.assertNotIn('\x1b', result.stderr)
