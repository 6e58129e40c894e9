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

"""An active-active cluster (the lab's ``labcluster@clustered``): --cluster,
and one member alone, which Cinder never changes alone.

Cinder's freeze and thaw of a member's host change the whole cluster
(``_get_cluster_and_services_for_replication`` in cinder/volume/api.py):
the command refuses one member alone and says to use ``--cluster``. The
raw reader judges the database; the proxy, what was sent.
"""

import fnmatch
import os

from volsvcclient.tests.functional import base

#: What a refusal must leave as it was, on every member.
FIELDS = ('status', 'frozen', 'disabled_reason')


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


class TestOneMemberAlone(ClusterTestCase):
    """Issue 23, item 2: ``freeze cluster-node-1@clustered`` exited 0 and
    only named that host; the database showed both members frozen and the
    other disabled 'frozen'. Each command through ``volsvc`` and through
    ``openstack volume service``, against a proxy that sees what is sent."""

    def setUp(self):
        super().setUp()
        if len(self.members) < 2:
            self.skipTest(f'cluster {self.cluster} has one member up')
        self.use_proxy()
        self.member = self.members[0]
        self.before = self.raw_members()

    def commands(self):
        """Run a command through each program: (name, run)."""
        return (('volsvc', self.volsvc), ('openstack', self.service_cmd))

    def assertRefusedNamingTheCluster(self, result, one_line=True, advised=True):
        self.assertEqual(1, result.code, result)
        self.assertNotIn('Traceback', result.stderr)
        if one_line:
            self.assertEqual(1, len(result.stderr.splitlines()), result)
        # The wording is not final: only what it must name.
        self.assertIn(self.cluster, result.stderr)
        if advised:
            self.assertIn('--cluster', result.stderr)

    def assertNothingChanged(self):
        self.assertEqual(
            [{f: s[f] for f in FIELDS} for s in self.before],
            [{f: s[f] for f in FIELDS} for s in self.raw_members()],
        )

    def assertNothingSent(self):
        # The commands' reads went through the proxy; no change did.
        self.assertTrue(self.proxy.saw('GET', '/os-services'))
        self.assertFalse(self.proxy.saw('PUT', ''), self.proxy.seen)

    def some_members_pattern(self):
        """``cluster-node-1*`` on the lab: a pattern that selects the first
        member and no other service; its host where no prefix does."""
        hosts = {s['host'] for s in self.raw.services() if s['binary'] == 'cinder-volume'}
        pattern = self.member.split('@')[0] + '*'
        if fnmatch.filter(hosts, pattern) == [self.member]:
            return pattern
        return self.member

    def every_member_pattern(self):
        """``cluster-node-*`` on the lab: the members' common prefix, when
        it selects them and nothing else."""
        hosts = {s['host'] for s in self.raw.services() if s['binary'] == 'cinder-volume'}
        pattern = os.path.commonprefix(self.members) + '*'
        if sorted(fnmatch.filter(hosts, pattern)) != self.members:
            self.skipTest(f'no host pattern selects exactly the members of {self.cluster}')
        return pattern

    def test_freeze_of_one_member_is_refused(self):
        for name, run in self.commands():
            result = run('freeze', self.member)
            self.assertRefusedNamingTheCluster(result)
            self.assertNothingChanged()
        self.assertNothingSent()

    def test_thaw_of_one_member_is_refused(self):
        result = self.service_cmd('freeze', '--cluster', self.cluster, version='3.26')
        self.assertEqual(0, result.code, result)
        self.before = self.raw_members()
        self.assertEqual([True] * len(self.members), [s['frozen'] for s in self.before])
        sent = len(self.proxy.seen)
        for name, run in self.commands():
            result = run('thaw', self.member)
            self.assertRefusedNamingTheCluster(result)
            self.assertNothingChanged()
        self.assertNotIn('PUT', [method for method, _ in self.proxy.seen[sent:]])

    def test_a_selection_of_some_members_is_refused(self):
        pattern = self.some_members_pattern()
        for name, run in self.commands():
            result = run('freeze', '--host-pattern', pattern)
            self.assertRefusedNamingTheCluster(result, one_line=False)
            self.assertNothingChanged()
        self.assertNothingSent()

    def test_enable_via_thaw_of_one_member_is_refused_before_the_freeze(self):
        response = self.raw.put('disable-log-reason', {
            'host': self.member, 'binary': 'cinder-volume',
            'disabled_reason': 'one member'})
        self.assertEqual(200, response.status_code, response.text)
        self.before = self.raw_members()
        result = self.volsvc('set', '--enable', '--enable-via-thaw', self.member,
                             'cinder-volume')
        if base.release_applies_enable(self.raw):
            # Cinder before 28.0.0 enables the member alone: no freeze.
            self.assertEqual((0, ''), (result.code, result.stdout), result)
            after = {s['host']: s for s in self.raw_members()}
            self.assertEqual(('enabled', False),
                             (after[self.member]['status'], after[self.member]['frozen']))
        else:
            # The enable may be sent (Cinder ignores it); no freeze, no thaw.
            # Nothing re-enables one member alone there: no option to advise.
            self.assertRefusedNamingTheCluster(result, advised=False)
            self.assertIn('a freeze and thaw would act on every member of cluster',
                          result.stderr)
            self.assertNothingChanged()
        self.assertFalse(self.proxy.saw('PUT', '/os-services/freeze'), self.proxy.seen)
        self.assertFalse(self.proxy.saw('PUT', '/os-services/thaw'), self.proxy.seen)
        others = [s for s in self.raw_members() if s['host'] != self.member]
        self.assertEqual([{f: s[f] for f in FIELDS} for s in self.before
                          if s['host'] != self.member],
                         [{f: s[f] for f in FIELDS} for s in others])

    def test_a_selection_of_every_member_still_freezes_the_cluster(self):
        result = self.volsvc('freeze', '--host-pattern', self.every_member_pattern())
        self.assertEqual(0, result.code, result)
        self.assertNotIn('Traceback', result.stderr)
        self.assertEqual([True] * len(self.members), [s['frozen'] for s in self.raw_members()])
