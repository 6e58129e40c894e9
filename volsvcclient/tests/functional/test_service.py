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

"""Every volume service command against a real Cinder.

Each test checks the server's state with the raw reader, so it fails when
a command says something the server did not do.
"""

import json
import os
import tempfile

from volsvcclient.tests.functional import base

BASE = ['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated At']
LONG = ['Disabled Reason', 'Replication Status', 'Active Backend ID', 'Frozen']


class TestList(base.FunctionalTestCase):
    def test_columns_by_microversion_match_the_server(self):
        latest = self.raw.max_microversion()
        for version, extra in (
            ('3.0', []),
            ('3.7', ['Cluster']),
            ('3.49', ['Cluster', 'Backend State']),
            (latest, ['Cluster', 'Backend State']),
        ):
            result = self.service_cmd('list', '-f', 'json', version=version)
            self.assertEqual(0, result.code, result)
            rows = result.json()
            self.assertEqual(BASE + extra, list(rows[0]), version)
            raw = {(s['binary'], s['host']): s for s in self.raw.services(version)}
            self.assertEqual(set(raw), {(r['Binary'], r['Host']) for r in rows})
            for row in rows:
                server = raw[row['Binary'], row['Host']]
                self.assertEqual(server['status'], row['Status'])
                if 'Backend State' in row:
                    self.assertEqual(server.get('backend_state'), row['Backend State'])

    def test_default_version_shows_backend_state(self):
        # Upstream OSC lists at 3.32 and leaves this column empty.
        rows = self.service_cmd('list', '-f', 'json').json()
        raw = {(s['binary'], s['host']): s for s in self.raw.services('3.49')}
        for row in rows:
            self.assertEqual(raw[row['Binary'], row['Host']].get('backend_state'),
                             row['Backend State'])
        # Cinder reports it for the enabled, unclustered backends.
        self.assertIn('up', [r['Backend State'] for r in rows])

    def test_long_and_filters(self):
        rows = self.service_cmd('list', '--long', '--service', 'cinder-volume',
                                '-f', 'json').json()
        self.assertEqual(BASE + ['Cluster', 'Backend State'] + LONG, list(rows[0]))
        raw = {s['host']: s for s in self.raw.services()
               if s['binary'] == 'cinder-volume'}
        self.assertEqual(set(raw), {r['Host'] for r in rows})
        for row in rows:
            self.assertEqual(raw[row['Host']]['frozen'], row['Frozen'])
            self.assertEqual(
                raw[row['Host']]['replication_status'], row['Replication Status']
            )
        host = rows[0]['Host']
        only = self.service_cmd('list', '--host', host, '--state', 'up',
                                '--status', rows[0]['Status'], '-f', 'json').json()
        self.assertIn(host, [r['Host'] for r in only])

    def test_zone_frozen_and_replication_filters(self):
        raw = [s for s in self.raw.services() if s['binary'] == 'cinder-volume']
        zone = raw[0]['zone']

        def hosts(*args):
            result = self.service_cmd('list', *args, '-f', 'json')
            self.assertEqual(0, result.code, result)
            return sorted(r['Host'] for r in result.json())

        self.assertEqual(
            sorted(s['host'] for s in self.raw.services() if s['zone'] == zone),
            hosts('--zone', zone),
        )
        self.assertEqual([], hosts('--zone', 'no-such-zone'))
        self.assertEqual(
            sorted(s['host'] for s in raw if not s['frozen']), hosts('--thawed')
        )
        self.assertEqual(sorted(s['host'] for s in raw if s['frozen']), hosts('--frozen'))
        for status in {s['replication_status'] for s in raw}:
            self.assertEqual(
                sorted(s['host'] for s in raw if s['replication_status'] == status),
                hosts('--replication-status', status),
            )

    def test_cluster_filter_needs_3_7(self):
        result = self.service_cmd('list', '--cluster', 'x', version='3.6')
        self.assertFails(result, '--cluster requires --os-volume-api-version 3.7')


class TestShow(base.FunctionalTestCase):
    def test_show_matches_server(self):
        host = self.volume_services()[0]['host']
        shown = self.service_cmd('show', host, 'cinder-volume', '-f', 'json').json()
        raw = self.raw.service(host)
        self.assertEqual(
            (raw['status'], raw['state'], raw['frozen'], raw['disabled_reason']),
            (shown['Status'], shown['State'], shown['Frozen'], shown['Disabled Reason']),
        )

    def test_unknown_host_and_binary(self):
        host = self.volume_services()[0]['host']
        result = self.service_cmd('show', 'no-such-host@x', 'cinder-volume')
        self.assertFails(result, "No cinder-volume service on host 'no-such-host@x'. "
                                 "Hosts running cinder-volume: ")
        self.assertIn(host, result.stderr)
        result = self.service_cmd('set', host, 'cinder-nothing', '--disable')
        self.assertFails(result, f"No service 'cinder-nothing' on host '{host}'")


class TestSet(base.FunctionalTestCase):
    def test_disable_without_reason(self):
        host = self.pick_backend()
        result = self.service_cmd('set', '--disable', host, 'cinder-volume')
        self.assertEqual((0, ''), (result.code, result.stdout), result)
        self.assertEqual('disabled', self.raw.service(host)['status'])

    def test_disable_with_reason(self):
        host = self.pick_backend()
        result = self.service_cmd('set', '--disable', '--disable-reason',
                                  'functional test', host, 'cinder-volume')
        self.assertEqual((0, ''), (result.code, result.stdout), result)
        raw = self.raw.service(host)
        self.assertEqual(('disabled', 'functional test'),
                         (raw['status'], raw['disabled_reason']))

    def test_enable_per_release(self):
        host = self.pick_backend()
        self.raw.put('disable-log-reason', {'host': host, 'binary': 'cinder-volume',
                                            'disabled_reason': 'before enable'})
        self.assertEqual('disabled', self.raw.service(host)['status'])
        result = self.service_cmd('set', '--enable', host, 'cinder-volume')
        if base.release_applies_enable(self.raw):
            self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
            self.assertEqual('enabled', self.raw.service(host)['status'])
        else:
            self.assertFails(
                result,
                'the server accepted os-services/enable but status is '
                "'disabled'. Cinder 28.0.0 and later",
            )
            self.assertIn(f"'openstack volume service freeze {host}'", result.stderr)
            self.assertEqual('disabled', self.raw.service(host)['status'])

    def test_release_probe_agrees_with_the_release(self):
        # What os-services/enable really does to a disabled backend, against
        # the probe that stands in for VOLSVC_CINDER_RELEASE when it is unset.
        host = self.pick_backend()
        body = {'host': host, 'binary': 'cinder-volume'}
        disabled = self.raw.put('disable-log-reason', dict(body, disabled_reason='probe'))
        self.assertEqual(200, disabled.status_code, disabled.text)
        self.assertEqual('disabled', self.raw.service(host)['status'])
        enabled = self.raw.put('enable', body)
        self.assertEqual(200, enabled.status_code, enabled.text)
        applied = self.raw.service(host)['status'] == 'enabled'
        self.assertEqual(applied, self.raw.enable_route_works())
        if os.environ.get('VOLSVC_CINDER_RELEASE'):
            self.assertEqual(applied, base.release_applies_enable(self.raw))

    def test_enable_via_thaw(self):
        host = self.pick_backend()
        self.raw.put('disable-log-reason', {'host': host, 'binary': 'cinder-volume'})
        result = self.service_cmd('set', '--enable', '--enable-via-thaw', host,
                                  'cinder-volume')
        self.assertEqual((0, ''), (result.code, result.stdout), result)
        raw = self.raw.service(host)
        self.assertEqual(('enabled', False), (raw['status'], raw['frozen']))

    def test_reason_checks_send_nothing(self):
        host = self.volume_services()[0]['host']
        result = self.service_cmd('set', host, 'cinder-volume', '--disable',
                                  '--disable-reason', 'x' * 256)
        self.assertFails(result, 'Cinder accepts at most 255')
        result = self.service_cmd('set', host, 'cinder-volume', '--disable-reason', 'x')
        self.assertFails(result, '--disable-reason without --disable')


class TestFreezeThaw(base.FunctionalTestCase):
    def test_round_trip(self):
        host = self.pick_backend()
        result = self.service_cmd('freeze', host)
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        raw = self.raw.service(host)
        self.assertEqual((True, 'disabled', 'frozen'),
                         (raw['frozen'], raw['status'], raw['disabled_reason']))
        again = self.service_cmd('freeze', host)
        self.assertEqual(0, again.code, again)
        self.assertIn('already frozen', again.stderr)
        result = self.service_cmd('thaw', host)
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        raw = self.raw.service(host)
        self.assertEqual((False, 'enabled'), (raw['frozen'], raw['status']))

    def test_selection_with_wait_timeout(self):
        host = self.pick_backend()
        result = self.service_cmd('freeze', '--host-pattern', host, '--wait-timeout', '10')
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertTrue(self.raw.service(host)['frozen'])
        others = [s for s in self.volume_services() if s['host'] != host]
        self.assertFalse(any(self.raw.service(s['host'])['frozen'] for s in others))
        result = self.service_cmd('thaw', '--host-pattern', host)
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        raw = self.raw.service(host)
        self.assertEqual((False, 'enabled'), (raw['frozen'], raw['status']))

    def test_backend_thaw_error_is_reported(self):
        lab_dir = os.environ.get('VOLSVC_LAB_DIR')
        if not lab_dir:
            self.skipTest("needs the lab's test driver (VOLSVC_LAB_DIR)")
        host = self.pick_backend(replicated=True)
        self.assertEqual(0, self.service_cmd('freeze', host).code)
        switch = os.path.join(lab_dir, 'fail-thaw')
        open(switch, 'w').close()
        self.addCleanup(lambda: os.path.exists(switch) and os.unlink(switch))
        result = self.service_cmd('thaw', host)
        os.unlink(switch)
        self.assertFails(
            result,
            f"cinder-volume on {host}: the server accepted thaw of host '{host}' "
            f"but status is 'disabled'. The server said: Backend reported error "
            f"during thaw_host operation.",
        )
        raw = self.raw.service(host)
        self.assertEqual((False, 'disabled'), (raw['frozen'], raw['status']))

    def test_cluster_option_needs_3_7(self):
        # A cluster's freeze goes by its name from 3.26, through a member's
        # host before (Cinder applies it to the whole cluster): 3.7 lists
        # clusters.
        result = self.service_cmd('freeze', '--cluster', 'c', version='3.6')
        self.assertFails(result, '--cluster requires --os-volume-api-version 3.7')


class TestFailover(base.FunctionalTestCase):
    def test_failover_and_failback(self):
        host = self.pick_backend(replicated=True)
        result = self.service_cmd('failover', host, '--wait', '-f', 'json')
        self.assertEqual(0, result.code, result)
        raw = self.raw.service(host)
        self.assertEqual('failed-over', raw['replication_status'])
        self.assertEqual('failed-over', result.json()[0]['Replication Status'])
        self.assertTrue(raw['active_backend_id'])
        result = self.service_cmd('failover', host, '--backend-id', 'default',
                                  '--wait', '-f', 'json')
        self.assertEqual(0, result.code, result)
        raw = self.raw.service(host)
        self.assertEqual(('enabled', ''), (raw['replication_status'],
                                           raw['active_backend_id'] or ''))

    def test_failover_without_wait_reports_progress_state(self):
        host = self.pick_backend(replicated=True)
        result = self.service_cmd('failover', host, '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertIn(result.json()[0]['Replication Status'],
                      ('failing-over', 'failed-over'))
        self._wait_replication(host)
        self.assertEqual('failed-over', self.raw.service(host)['replication_status'])

    def test_wait_timeout_names_last_state(self):
        host = self.pick_backend(replicated=True)
        self.addCleanup(self._wait_replication, host)
        result = self.service_cmd('failover', host, '--wait', '--wait-timeout', '0.001')
        if result.code == 0:
            self.skipTest('the failover finished before the first read')
        self.assertFails(result, 'still failing-over after 0.001 s (last seen: ')

    def test_refused_target_is_an_error(self):
        host = self.pick_backend(replicated=True)
        result = self.service_cmd('failover', host, '--backend-id',
                                  'no-such-target', '--wait')
        self.assertFails(result, 'failover did not complete')
        self.assertNotEqual('failed-over', self.raw.service(host)['replication_status'])

    def test_non_replicated_backend(self):
        host = self.volume_services(replicated=False)[0]['host']
        result = self.service_cmd('failover', host)
        self.assertFails(result, 'The server refused the request: ')
        self.assertIn('cannot fail over: replication status must be', result.stderr)


class TestCommit(base.FunctionalTestCase):
    def test_dry_run_changes_nothing(self):
        host = self.pick_backend()
        before = self.raw.service(host)
        result = self.service_cmd('commit', host, 'cinder-volume', '--status',
                                  'disabled', '--frozen', '--dry-run', '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual('freeze', result.json()[0]['Actions'])
        self.assertEqual('would change', result.json()[0]['Result'])
        self.assertEqual(before['status'], self.raw.service(host)['status'])
        self.assertEqual(before['frozen'], self.raw.service(host)['frozen'])

    def test_freeze_and_thaw_as_wanted_states(self):
        host = self.pick_backend()
        frozen = self.service_cmd('commit', host, 'cinder-volume', '--frozen', '-f', 'json')
        self.assertEqual(0, frozen.code, frozen)
        self.assertEqual(('freeze', 'changed'),
                         (frozen.json()[0]['Actions'], frozen.json()[0]['Result']))
        self.assertTrue(self.raw.service(host)['frozen'])
        thawed = self.service_cmd('commit', host, 'cinder-volume', '--thawed',
                                  '--status', 'enabled', '-f', 'json')
        self.assertEqual(0, thawed.code, thawed)
        self.assertEqual(('thaw', 'changed'),
                         (thawed.json()[0]['Actions'], thawed.json()[0]['Result']))
        raw = self.raw.service(host)
        self.assertEqual((False, 'enabled'), (raw['frozen'], raw['status']))

    def test_save_and_restore(self):
        host = self.pick_backend()
        saved = self.service_cmd('list', '--long', '-f', 'json')
        self.assertEqual(0, saved.code, saved)
        with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as stream:
            stream.write(saved.stdout)
        self.addCleanup(os.unlink, stream.name)
        changed = self.service_cmd('commit', host, 'cinder-volume', '--status',
                                   'disabled', '--disable-reason', 'maintenance',
                                   '-f', 'json')
        self.assertEqual(0, changed.code, changed)
        self.assertEqual('changed', changed.json()[0]['Result'])
        self.assertEqual('maintenance', self.raw.service(host)['disabled_reason'])
        restored = self.service_cmd('commit', '--from-file', stream.name,
                                    '--enable-via-thaw', '-f', 'json')
        self.assertEqual(0, restored.code, restored)
        rows = {(r['Host'], r['Binary']): r for r in restored.json()}
        self.assertEqual('changed', rows[host, 'cinder-volume']['Result'])
        by_key = {(s['host'], s['binary']): s for s in self.raw.services()}
        for entry in json.loads(saved.stdout):
            self.assertEqual(entry['Status'], by_key[entry['Host'], entry['Binary']]['status'])


class TestAccessAndVersions(base.FunctionalTestCase):
    def test_non_admin_gets_policy_message(self):
        result = self.service_cmd('list', cloud=base.DEMO_CLOUD)
        self.assertFails(result, "Forbidden by the server's policy")
        self.assertIn("Policy doesn't allow", result.stderr)

    def test_v2_of_a_v3_only_cloud(self):
        result = self.service_cmd('list', version='2')
        if result.code == 0:
            self.skipTest('this cloud still offers Block Storage API v2')
        self.assertFails(result, 'does not offer API version 2')
