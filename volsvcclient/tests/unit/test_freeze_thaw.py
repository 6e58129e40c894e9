"""volume service freeze and thaw."""

from volsvcclient.tests.unit import base

HOST = 'node1@lvm'


class TestFreezeThaw(base.ShellTestCase):
    def setUp(self):
        super().setUp()
        self.service = self.cinder.add(HOST, cluster_name='c1@lvm')
        self.other = self.cinder.add('node2@lvm', cluster_name='c1@lvm')

    def test_freeze_then_thaw_round_trip(self):
        result = self.cli('freeze', HOST)
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertEqual(
            (True, True, 'frozen'),
            (self.service['frozen'], self.service['disabled'],
             self.service['disabled_reason']),
        )
        self.assertEqual(['GET', 'PUT', 'GET'], [r.method for r in self.cinder.requests()])
        result = self.cli('thaw', HOST)
        self.assertEqual((0, '', ''), (result.code, result.stdout, result.stderr))
        self.assertEqual((False, False), (self.service['frozen'], self.service['disabled']))
        self.assertEqual(
            [('freeze', {'host': HOST}), ('thaw', {'host': HOST})], self.cinder.puts()
        )

    def test_already_in_state_sends_no_action(self):
        result = self.cli('thaw', HOST)
        self.assertEqual(0, result.code)
        self.assertEqual(f"host '{HOST}' is already thawed; nothing to do\n", result.stderr)
        self.service['frozen'] = True
        result = self.cli('freeze', HOST)
        self.assertEqual(0, result.code)
        self.assertIn('already frozen', result.stderr)
        self.assertEqual([], self.cinder.puts())

    def test_freeze_ignored_by_server_fails(self):
        self.cinder.ignored.add('freeze')
        result = self.cli('freeze', HOST)
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: the server accepted freeze of host "
            f"'{HOST}' but frozen is False",
        )

    def test_thaw_with_backend_error_reports_it(self):
        self.service.update(frozen=True, disabled=True, disabled_reason='frozen')
        self.cinder.thaw_error = 'Backend reported error during thaw_host operation.'
        result = self.cli('thaw', HOST)
        self.assertFails(
            result,
            f"cinder-volume on {HOST}: the server accepted thaw of host '{HOST}' "
            f"but status is 'disabled'. The server said: Backend reported error "
            f"during thaw_host operation.",
        )

    def test_cluster(self):
        result = self.cli('freeze', '--cluster', 'c1@lvm', version='3.26')
        self.assertEqual(0, result.code, result)
        self.assertEqual([('freeze', {'cluster': 'c1@lvm'})], self.cinder.puts())
        self.assertTrue(self.other['frozen'])
        self.assertEqual('volume 3.26', self.microversions('PUT')[0])

    def test_cluster_needs_3_26(self):
        result = self.cli('freeze', '--cluster', 'c1@lvm', version='3.25')
        self.assertFails(
            result, '--cluster requires --os-volume-api-version 3.26 or later '
            '(this command is using Block Storage API 3.25)'
        )
        self.assertEqual([], self.cinder.requests())

    def test_unknown_cluster(self):
        result = self.cli('thaw', '--cluster', 'nope')
        self.assertFails(result, "No cinder-volume service in cluster 'nope'. Clusters: c1@lvm")

    def test_host_or_cluster(self):
        for args in ((), (HOST, '--cluster', 'c1@lvm')):
            result = self.cli('freeze', *args)
            self.assertFails(result, 'Give either <host> or --cluster <cluster>')

    def test_unknown_host(self):
        result = self.cli('freeze', 'nodeX@lvm')
        self.assertFails(result, "No cinder-volume service on host 'nodeX@lvm'")


class TestFreezeV2(base.ShellTestCase):
    v2 = True

    def test_v2_host_only(self):
        self.cinder.add(HOST)
        result = self.cli('freeze', HOST, version='2')
        self.assertEqual(0, result.code, result)
        self.assertEqual([('freeze', {'host': HOST})], self.cinder.puts())
        self.assertTrue(all('/v2/' in r.url for r in self.cinder.requests()))
        result = self.cli('thaw', '--cluster', 'c1', version='2')
        self.assertEqual(2, result.code)
