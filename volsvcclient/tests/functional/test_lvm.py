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

"""A backend on Cinder's real LVM driver: the lab's ``lvmdriver-1`` as
devstack runs it (``lab/lvm_backend.py``), or devstack's own.

The backend is found by what its driver reports to the scheduler (a pool
whose ``location_info`` names ``LVMVolumeDriver``; Cinder's fake driver
reports none), so the tests run unchanged on devstack, and skip where no
backend runs the real driver, with the lab's reason when the lab kept its
fake driver.
"""

import json
import os
import subprocess
import time

from volsvcclient.tests.functional import base

#: How the LVM driver starts its pool's location_info (drivers/lvm.py).
LVM_LOCATION = 'LVMVolumeDriver:'
#: Pools reach the scheduler with the backends' periodic reports.
POOL_TIMEOUT = 60


class LVMTestCase(base.FunctionalTestCase):
    def setUp(self):
        super().setUp()
        self.host, self.pool = self.lvm_backend()
        service = self.raw.service(self.host)
        self.assertEqual(('enabled', 'up'), (service['status'], service['state']), service)
        self.addCleanup(self.restore, service)

    def lab_state(self) -> dict | None:
        lab_dir = os.environ.get('VOLSVC_LAB_DIR')
        if not lab_dir:
            return None
        with open(os.path.join(lab_dir, 'state.json')) as state:
            return json.load(state)

    def lvm_pools(self) -> list[dict]:
        response = self.raw.request('GET', '/scheduler-stats/get_pools?detail=True')
        response.raise_for_status()
        return [p for p in response.json()['pools']
                if (p['capabilities'].get('location_info') or '').startswith(LVM_LOCATION)]

    def lvm_backend(self, newer_than: str = '') -> tuple[str, dict]:
        """(host, pool) of the first backend on the LVM driver, whose pool
        the scheduler received after ``newer_than`` (an ISO time in UTC).

        The lab that runs the real driver must show its pool within
        POOL_TIMEOUT; anywhere else, no such pool is a skip.
        """
        state = self.lab_state()
        backend = (state or {}).get('lvm_backend') or {}
        if state and not backend.get('real'):
            self.skipTest("the lab keeps Cinder's fake driver for lvmdriver-1: "
                          f"{backend.get('why', 'it does not say why')}")
        deadline = time.monotonic() + (POOL_TIMEOUT if state else 0)
        while True:
            pools = [p for p in self.lvm_pools()
                     if p['capabilities'].get('timestamp', '') > newer_than]
            if pools:
                pool = sorted(pools, key=lambda p: p['name'])[0]
                return pool['name'].split('#')[0], pool
            if time.monotonic() >= deadline:
                break
            time.sleep(2)
        if state:
            self.fail(f'the lab runs the LVM driver but its pool did not reach '
                      f'the scheduler within {POOL_TIMEOUT} s')
        self.skipTest("this cloud has no backend on Cinder's LVM driver")

    def volume_group_size(self) -> float:
        """The size LVM gives the pool's volume group, read as os-brick reads it."""
        group = self.pool['capabilities']['location_info'].split(':')[2]
        listing = subprocess.run(
            ['vgs', '--noheadings', '--unit=g', '--nosuffix', '-o', 'vg_size', group],
            capture_output=True, text=True, check=True,
            env={**os.environ, 'LVM_SUPPRESS_FD_WARNINGS': '1'},
        )
        return float(listing.stdout)

    def listed(self) -> dict:
        result = self.service_cmd('list', '--long', '--service', 'cinder-volume',
                                  '--host', self.host, '-f', 'json')
        self.assertEqual(0, result.code, result)
        (row,) = result.json()
        return row


class TestReading(LVMTestCase):
    def test_list_and_show_agree_with_the_server(self):
        raw = {s['host']: s for s in self.raw.services('3.49')}[self.host]
        detailed = self.raw.service(self.host)
        row = self.listed()
        self.assertEqual(
            ('up', 'enabled', 'up', 'disabled', None, False),
            (row['State'], row['Status'], row['Backend State'],
             row['Replication Status'], row['Active Backend ID'], row['Frozen']),
        )
        self.assertEqual(raw['backend_state'], row['Backend State'])
        self.assertEqual(detailed['replication_status'], row['Replication Status'])
        shown = self.service_cmd('show', self.host, 'cinder-volume', '-f', 'json')
        self.assertEqual(0, shown.code, shown)
        # Only the heartbeat may have moved on between the two reads.
        del row['Updated At']
        self.assertEqual(row, {k: v for k, v in shown.json().items() if k != 'Updated At'})

    def test_pool_capacity_is_lvms(self):
        result = self.openstack('volume', 'backend', 'pool', 'list', '--long',
                                '-f', 'json')
        self.assertEqual(0, result.code, result)
        (listed,) = [p for p in result.json() if p['Name'] == self.pool['name']]
        capabilities = listed['Capabilities']
        self.assertEqual(self.pool['capabilities']['total_capacity_gb'],
                         capabilities['total_capacity_gb'])
        self.assertIsInstance(capabilities['total_capacity_gb'], float)
        self.assertGreater(capabilities['total_capacity_gb'], 0)
        self.assertEqual(('iSCSI', True, False), (
            capabilities['storage_protocol'],
            capabilities['thick_provisioning_support'],
            capabilities['thin_provisioning_support'],
        ))
        if self.lab_state():
            self.assertEqual(self.volume_group_size(), capabilities['total_capacity_gb'])


class TestChanging(LVMTestCase):
    def test_disable_and_enable_again(self):
        result = self.service_cmd('set', self.host, 'cinder-volume', '--disable',
                                  '--disable-reason', 'lvm maintenance')
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        raw = self.raw.service(self.host)
        self.assertEqual(('disabled', 'lvm maintenance'),
                         (raw['status'], raw['disabled_reason']))
        # The scheduler keeps no pool state for a disabled backend.
        self.assertIsNone(self.listed()['Backend State'])
        result = self.service_cmd('set', self.host, 'cinder-volume', '--enable',
                                  '--enable-via-thaw')
        self.assertEqual((0, ''), (result.code, result.stdout), result)
        if base.release_applies_enable(self.raw):
            self.assertEqual('', result.stderr)
        else:
            self.assertIn(f'cinder-volume on {self.host}: the server ignored '
                          f'os-services/enable; re-enabling it by freeze and thaw',
                          result.stderr)
        raw = self.raw.service(self.host)
        self.assertEqual(('enabled', False), (raw['status'], raw['frozen']))

    def test_freeze_and_thaw(self):
        # Cinder's API sets 'frozen'; the backend's own cinder-volume, after
        # the driver's freeze_backend, disables it with the reason 'frozen'.
        result = self.service_cmd('freeze', self.host)
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        raw = self.raw.service(self.host)
        self.assertEqual((True, 'disabled', 'frozen'),
                         (raw['frozen'], raw['status'], raw['disabled_reason']))
        row = self.listed()
        self.assertEqual((True, 'disabled', None),
                         (row['Frozen'], row['Status'], row['Backend State']))
        result = self.service_cmd('thaw', self.host)
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        raw = self.raw.service(self.host)
        self.assertEqual((False, 'enabled', ''),
                         (raw['frozen'], raw['status'], raw['disabled_reason']))

    def test_failover_without_replication_changes_nothing(self):
        """The LVM driver reports no replication, so its service's
        replication status is 'disabled': Cinder's API refuses the failover
        before any RPC, and records nothing."""
        fields = ('status', 'disabled_reason', 'frozen', 'replication_status',
                  'active_backend_id')
        before = self.raw.service(self.host)
        self.assertEqual('disabled', before['replication_status'])
        for extra in ([], ['--wait'], ['--backend-id', 'secondary']):
            result = self.service_cmd('failover', self.host, *extra)
            self.assertFails(
                result,
                f"The server refused the request: Invalid input received: No service "
                f"could be changed: ['{self.host}'] cannot fail over: replication "
                f"status must be ['enabled', 'failed-over'] and must be up",
            )
            self.assertEqual('', result.stdout)
            after = self.raw.service(self.host)
            self.assertEqual({f: before[f] for f in fields}, {f: after[f] for f in fields})
        # What Cinder itself answers, unworded by us.
        response = self.raw.put('failover_host', {'host': self.host})
        self.assertEqual(400, response.status_code)
        self.assertIn(
            f"replication_status in ['{self.host}'] must be ['enabled', 'failed-over'] "
            f"and must be up to failover.", response.text)


class TestRestart(LVMTestCase):
    def setUp(self):
        super().setUp()
        self.needs_lab('to restart the cinder-volume of lvmdriver-1')

    def test_check_and_wait_fresh_across_a_restart(self):
        self.addCleanup(self.wait_until_pools_reported)
        self.addCleanup(self.lab, 'start', 'cinder-volume')
        self.lab('stop', 'cinder-volume')
        stopped_at = self.raw.service(self.host)['updated_at']
        deadline = time.monotonic() + 60
        while self.raw.service(self.host)['state'] != 'down':
            self.assertLess(time.monotonic(), deadline)
            time.sleep(1)
        result = self.service_cmd('check', self.host, 'cinder-volume')
        self.assertEqual(2, result.code, result)
        self.assertIn(f'cinder-volume on {self.host} down (no heartbeat for',
                      result.stdout)

        before = self.raw.service(self.host)['updated_at']
        waiter = subprocess.Popen(
            [self.program, '--os-cloud', base.ADMIN_CLOUD, 'volume', 'service', 'wait',
             self.host, 'cinder-volume', '--state', 'up', '--fresh', '--timeout', '120'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={k: v for k, v in os.environ.items()
                 if not k.startswith('OS_') or k == 'OS_CLIENT_CONFIG_FILE'},
        )
        self.lab('start', 'cinder-volume')
        stdout, stderr = waiter.communicate(timeout=180)
        self.assertEqual(0, waiter.returncode, stderr)
        self.assertGreater(self.raw.service(self.host)['updated_at'], before)
        # The restarted driver found its volume group again and reports it.
        host, pool = self.lvm_backend(newer_than=stopped_at)
        self.assertEqual(self.pool['name'], pool['name'])
        result = self.service_cmd('check', self.host, 'cinder-volume')
        self.assertEqual(0, result.code, result)
