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

"""An active-active cluster (the lab's ``labcluster@clustered``): --cluster."""

import os

from volsvcclient.tests.functional import base


class ClusterTestCase(base.FunctionalTestCase):
    def setUp(self):
        super().setUp()
        clustered = [
            s for s in self.raw.services('3.7')
            if s['binary'] == 'cinder-volume' and s.get('cluster') and s['state'] == 'up'
        ]
        if not clustered:
            self.skipTest('this cloud has no clustered cinder-volume service that is up')
        self.cluster = sorted(s['cluster'] for s in clustered)[0]
        self.members = sorted(s['host'] for s in clustered if s['cluster'] == self.cluster)
        self.addCleanup(self.reset)

    def reset(self):
        lab_dir = os.environ.get('VOLSVC_LAB_DIR')
        if lab_dir:
            self.lab_dir = lab_dir
            self.lab('reset-cluster', self.cluster)
            return
        for action in ('thaw', 'failover_host'):
            body = {'cluster': self.cluster}
            if action == 'failover_host':
                body['backend_id'] = 'default'
            self.raw.put(action, body, '3.26')

    def raw_members(self):
        return [self.raw.service(host) for host in self.members]


class TestCluster(ClusterTestCase):
    """--cluster on a cloud with an active-active cluster (the lab has one)."""

    def test_list_filter(self):
        result = self.service_cmd('list', '--cluster', self.cluster, '-f', 'json')
        self.assertEqual(0, result.code, result)
        self.assertEqual(self.members, sorted(r['Host'] for r in result.json()))

    def test_freeze_and_thaw_cluster(self):
        result = self.service_cmd('freeze', '--cluster', self.cluster, version='3.26')
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertEqual([True] * len(self.members), [s['frozen'] for s in self.raw_members()])
        result = self.service_cmd('thaw', '--cluster', self.cluster, version='3.26')
        members = self.raw_members()
        self.assertEqual([False] * len(members), [s['frozen'] for s in members])
        still_disabled = [s['host'] for s in members if s['status'] == 'disabled']
        if still_disabled:
            # Cinder re-enables only the member that handled the thaw.
            self.assertFails(result, 'Cinder delivers freeze and thaw of a cluster')
            self.assertIn(still_disabled[0], result.stderr)
        else:
            self.assertEqual(0, result.code, result)

    def test_failover_and_failback_cluster(self):
        if not all(s['replication_status'] == 'enabled' for s in self.raw_members()):
            self.skipTest('the cluster does not replicate')
        result = self.service_cmd('failover', '--cluster', self.cluster, '--wait',
                                  '-f', 'json', version='3.26')
        self.assertEqual(0, result.code, result)
        self.assertEqual(self.members, sorted(r['Host'] for r in result.json()))
        self.assertEqual(
            ['failed-over'] * len(self.members),
            [s['replication_status'] for s in self.raw_members()],
        )
        result = self.service_cmd('failover', '--cluster', self.cluster,
                                  '--backend-id', 'default', '--wait', version='3.26')
        self.assertEqual(0, result.code, result)
        self.assertEqual(
            ['enabled'] * len(self.members),
            [s['replication_status'] for s in self.raw_members()],
        )
