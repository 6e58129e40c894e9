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

"""drain and resume (issue 25) on the lab's real Cinder.

What is on the backend is made three ways: volumes really created through
Cinder's API (a raw keystoneauth session), rows put in the lab's database
in each transitional status, and a create really held in flight (sent
while the backend's cinder-volume is stopped but still shown up, so
Cinder's scheduler places it and RabbitMQ keeps it until cinder-volume
starts again). Every summary is judged against the database and the raw
reader, never against volsvcclient.

The lab's fake-2 backend serves them (its driver reports
``volume_backend_name = fake-2``: ``lab/replicated_driver.py``). Cleanups
run last first: whatever a test stopped starts again, the backend is put
back (thawed, so Cinder deletes its volumes), then the rows, the volumes
and the volume type go. They need the lab (VOLSVC_LAB_DIR); elsewhere they
skip.
"""

import fnmatch
import os
import time

import fixtures
from testtools import content as testtools_content

from volsvcclient.tests.functional import base
from volsvcclient.tests.functional.lab import cinder_services
from volsvcclient.tests.functional import workload

BACKEND = 'fake-2'
#: The lab process serving fake-2 (with lvmdriver-1 and replicated).
PROCESS = 'cinder-volume'
#: A drain's options that make a test quick: a read every second; a test
#: that expects something to stay in flight waits this long for nothing.
QUICK = ('--interval', '1')
SHORT_WAIT = ('--wait-timeout', '3')
#: Bound on waits for Cinder itself (a create, a restart); a hang guard.
CINDER_TIMEOUT = 120
#: What a row's updated_at is set back by: its age must be at least this.
AGE = 60


def remove_if_there(path):
    if os.path.exists(path):
        os.remove(path)


class DrainTestCase(base.FunctionalTestCase):
    """fake-2 enabled, up and thawed; a volume type for it; its state,
    rows, volumes and type put back after the test."""

    def setUp(self):
        super().setUp()
        self.needs_lab('to put volumes, snapshots and backups in its database')
        self.host = self.backend_host(BACKEND)
        self.pool = f'{self.host}#{BACKEND}'
        saved = self.raw.service(self.host)
        self.assertEqual(('enabled', False, 'up'),
                         (saved['status'], saved['frozen'], saved['state']), saved)
        self.db = workload.LabDatabase(self.lab_dir)
        self.real = workload.RealVolumes(self.raw, CINDER_TIMEOUT)
        self.demo = base.RawReader(base.DEMO_CLOUD)
        self.admin_project = self.raw.session.get_project_id()
        self.demo_project = self.demo.session.get_project_id()
        # Run last first: the service put back, the rows, the volumes and
        # the type; then, after a restart, the scheduler's pools again.
        self.restarted = False
        self.addCleanup(self.wait_for_pools_after_restart)
        self.addCleanup(self.real.delete_all)
        self.type_name, self.type_id = self.real.volume_type(BACKEND)
        self.rows = workload.Rows(self.db, self.type_id, self.raw.session.get_user_id())
        self.addCleanup(self.rows.delete)
        self.addCleanup(self.restore, saved)

    def backend_host(self, backend):
        """The host@backend of the unclustered cinder-volume of ``backend``."""
        hosts = [s['host'] for s in self.raw.services('3.7')
                 if s['binary'] == 'cinder-volume' and not s.get('cluster')
                 and s['host'].endswith('@' + backend)]
        if len(hosts) != 1:
            self.skipTest(f'this cloud has no one cinder-volume of backend {backend}')
        return hosts[0]

    def wait_for_pools_after_restart(self):
        if self.restarted:
            self.wait_until_pools_reported()

    def wait_for_pool(self):
        """Until cinder-scheduler can place a volume on fake-2 (its pool
        comes with the backend's periodic report, 10 s in the lab, after a
        restart or a re-enable by an earlier test)."""
        def known():
            response = self.raw.request('GET', '/scheduler-stats/get_pools')
            return response.ok and self.pool in {p['name'] for p in response.json()['pools']}

        self.wait_until(known, f"cinder-scheduler knowing pool {self.pool}", CINDER_TIMEOUT)

    def drain(self, *args, program='volsvc'):
        """``drain ARGS -f json`` through ``volsvc`` or ``openstack volume
        service``: its Result, and its one row (None when it printed none)."""
        run = self.volsvc if program == 'volsvc' else self.service_cmd
        result = run('drain', *args, '-f', 'json')
        self.assertNotIn('Traceback', result.stderr)
        rows = result.json() if result.stdout.strip() else []
        self.assertLessEqual(len(rows), 1, result)
        return result, rows[0] if rows else None

    def assertDrained(self, result, row, volumes):
        """Exit 0, the last line of stderr, and a summary of ``volumes``
        (the database's listing) with nothing in flight."""
        self.assertEqual(0, result.code, result)
        self.assertEqual(f'drained: safe to stop cinder-volume on {self.host}',
                         result.stderr.strip().splitlines()[-1], result)
        self.assertEqual(('drained', [], self.host),
                         (row['Verdict'], row['In Flight'], row['Backend']), row)
        self.assertEqual(len(volumes), row['Volumes'], (row, volumes))

    def assertDisabled(self, reason='maintenance', frozen=False):
        service = self.raw.service(self.host)
        self.assertEqual(('disabled', reason, frozen),
                         (service['status'], service['disabled_reason'], service['frozen']),
                         service)

    def stop_cinder_volume(self, keep_up):
        """Stop the cinder-volume process of fake-2 until cleanup (it
        serves lvmdriver-1 and replicated too); with ``keep_up``, its
        services stay shown up (``tools/lab keep-beating``): the stop
        function of the heartbeats, else None."""
        self.restarted = True
        self.addCleanup(self.wait_until_healthy)
        self.addCleanup(self.lab, 'start', PROCESS)
        stop_beating = None
        if keep_up:
            hosts = sorted(h for _, h in cinder_services.services_by_process()[PROCESS])
            stop_beating = self.keep_up(hosts)
        self.lab('stop', PROCESS)
        return stop_beating


class TestWhatIsOnTheBackend(DrainTestCase):

    def test_real_volumes_of_every_project_are_counted(self):
        """Two volumes really created on fake-2, one by the admin's project
        and one by the demo project, one of them really attached
        (os-attach): ``openstack volume service drain`` disables the
        backend with the reason given, exits 0 with 'drained: safe to stop
        cinder-volume on H' last, and its summary counts both volumes and
        the attached one, as the database does."""
        self.wait_for_pool()
        mine = self.real.create(self.type_name)
        theirs = self.real.create(self.type_name, self.demo)
        for volume_id in (mine, theirs):
            volume = self.real.wait_for(volume_id, 'available')
            self.assertEqual(self.pool, volume['os-vol-host-attr:host'])
        response = self.raw.request('POST', f'/volumes/{theirs}/action', json={
            'os-attach': {'instance_uuid': '00000000-0000-4000-8000-00000000d1a1',
                          'mountpoint': '/dev/vdb'}})
        self.assertEqual(202, response.status_code, response.text)
        self.real.wait_for(theirs, 'in-use')
        result, row = self.drain(self.host, *QUICK, '--disable-reason', 'array firmware',
                                 program='openstack')
        volumes = self.db.volumes_on(self.host)
        self.assertEqual({mine, theirs}, set(volumes))
        self.assertDrained(result, row, volumes)
        self.assertEqual((1, self.db.attached_on(self.host), 0),
                         (row['Attached'], 1, row['Snapshots']), row)
        self.assertEqual(('disabled', 'array firmware', False),
                         (row['Status'], row['Disabled Reason'], row['Frozen']), row)
        self.assertDisabled('array firmware')

    def test_each_transitional_status_is_in_flight(self):
        """Rows in every status Cinder's code sets (cinder/objects/fields.py
        and volume/api.py), in two projects: a drain that ends at its
        --wait-timeout exits 1 with Verdict 'in flight'; its In Flight lists
        exactly the volumes, snapshots and backups that are in flight
        (transitional statuses, migrations from and to fake-2, snapshots
        being created or deleted, backups being created or restored), each
        with the database's kind, project and status (as the API shows it)
        and an age from its updated_at; Waiting lists the volumes reserved
        for Nova or awaiting a transfer; settled rows, rows of other
        backends and deleted rows are in neither; Volumes, Attached and
        Snapshots are the database's counts."""
        rows, pool = self.rows, self.pool
        elsewhere = f"{self.backend_host('replicated')}#replicated"
        projects = (self.admin_project, self.demo_project)
        expected = {}  # id -> (label, kind, 'in flight' | 'waiting')

        def volume(status, label=None, where=pool, expect='in flight', **columns):
            project = projects[len(expected) % 2]
            volume_id = rows.volume(where, status, project, age=AGE, **columns)
            if expect:
                expected[volume_id] = (label or f'volume {status}', 'volume', expect)
            return volume_id

        for status in ('creating', 'managing', 'deleting', 'attaching', 'detaching',
                       'extending', 'downloading', 'uploading', 'retyping',
                       'maintenance', 'reverting', 'unmanaging'):
            volume(status)
        for status in ('reserved', 'awaiting-transfer'):
            volume(status, expect='waiting')
        for status in ('available', 'error', 'error_deleting', 'error_extending',
                       'error_restoring', 'error_backing-up', 'error_managing'):
            volume(status, expect=None)
        rows.attach(volume('in-use', expect=None))
        # Deleted, or on another backend: not on fake-2.
        volume('creating', deleted=True, expect=None)
        volume('creating', where=elsewhere, expect=None)
        # Migrations (volume/api.py migrate_volume, manager _migrate_volume_generic).
        source = volume('available', 'migration from fake-2', migration_status='migrating')
        volume('creating', where=elsewhere, migration_status=f'target:{source}', expect=None)
        coming = volume('maintenance', where=elsewhere, migration_status='migrating',
                        expect=None)
        target = volume('available', 'migration to fake-2',
                        migration_status=f'target:{coming}')
        volume('available', 'migration starting', migration_status='starting')
        volume('available', 'migration completing', migration_status='completing')
        for done in ('success', 'error', 'none'):
            volume('available', migration_status=done, expect=None)
        # Snapshots of a settled volume on fake-2, and of one elsewhere.
        holder = volume('available', expect=None)
        for status in ('creating', 'deleting'):
            snapshot = rows.snapshot(holder, status, self.demo_project, age=AGE)
            expected[snapshot] = (f'snapshot {status}', 'snapshot', 'in flight')
        for status in ('available', 'error'):
            rows.snapshot(holder, status, self.demo_project, age=AGE)
        rows.snapshot(volume('available', where=elsewhere, expect=None), 'creating',
                      self.demo_project)
        # Backups: one being made of a volume on fake-2, one being restored
        # into one; one being made of a volume elsewhere.
        backed_up = volume('backing-up')
        backup = rows.backup(backed_up, 'creating', self.admin_project, age=AGE)
        expected[backup] = ('backup creating', 'backup', 'in flight')
        restored = volume('restoring-backup')
        backup = rows.backup(volume('available', where=elsewhere, expect=None), 'restoring',
                             self.demo_project, restore_volume_id=restored, age=AGE)
        expected[backup] = ('backup restoring', 'backup', 'in flight')
        rows.backup(volume('backing-up', where=elsewhere, expect=None), 'creating',
                    self.admin_project)

        result, row = self.drain(self.host, *QUICK, *SHORT_WAIT)
        self.assertEqual(1, result.code, result)
        self.assertNotIn('drained:', result.stderr)
        self.assertEqual('in flight', row['Verdict'], row)
        self.assertDisabled()

        volumes = self.db.volumes_on(self.host)
        snapshots = self.db.snapshots_on(self.host)
        self.assertEqual(
            (len(volumes), self.db.attached_on(self.host), len(snapshots)),
            (row['Volumes'], row['Attached'], row['Snapshots']), row)
        wrong = []
        for column, wanted in (('In Flight', 'in flight'), ('Waiting', 'waiting')):
            listed = {entry['ID']: entry for entry in row[column]}
            for missing in {i for i, e in expected.items() if e[2] == wanted} - set(listed):
                wrong.append(f'{expected[missing][0]} ({missing}) not in {column}')
            for extra in set(listed) - {i for i, e in expected.items() if e[2] == wanted}:
                what = expected.get(extra, ('a row not ' + wanted,))[0]
                wrong.append(f'{what} ({extra}) in {column}: {listed[extra]}')
            for entry in row[column]:
                if entry['ID'] not in expected:
                    continue
                label, kind, _ = expected[entry['ID']]
                if entry['Kind'] == 'volume':
                    truth = volumes[entry['ID']]
                elif entry['Kind'] == 'snapshot':
                    truth = snapshots[entry['ID']]
                else:
                    truth = self.db.backup(entry['ID'])
                seen = (entry['Kind'], entry['Project'], entry['Status'])
                if seen != (kind, truth['project_id'], truth['status']):
                    wrong.append(f'{label}: {seen}, the database has '
                                 f"{(kind, truth['project_id'], truth['status'])}")
                if not isinstance(entry['Age'], (int, float)) or entry['Age'] < AGE:
                    wrong.append(f"{label}: age {entry['Age']!r}, unchanged for {AGE} s")
        self.assertEqual([], wrong, row)
        [to_it] = [e for e in row['In Flight'] if e['ID'] == target]
        self.assertIn(coming, to_it['Why'])

    def test_a_selection_gives_one_row_per_backend(self):
        """drain --host-pattern taking fake-2 and replicated: one row per
        backend, each counting what the database has on it, both drained
        and disabled."""
        other = self.backend_host('replicated')
        self.addCleanup(self.restore, self.raw.service(other))
        self.rows.volume(self.pool, 'available', self.demo_project)
        self.rows.volume(f'{other}#replicated', 'available', self.admin_project)
        self.rows.volume(f'{other}#replicated', 'in-use', self.admin_project)
        pattern = self.host.split('@')[0] + '@[fr]*'
        selected = {s['host'] for s in self.raw.services()
                    if s['binary'] == 'cinder-volume'
                    and fnmatch.fnmatchcase(s['host'], pattern)}
        self.assertEqual({self.host, other}, selected)
        result = self.volsvc('drain', '--host-pattern', pattern, *QUICK, '-f', 'json')
        self.assertEqual(0, result.code, result)
        rows = {row['Backend']: row for row in result.json()}
        self.assertEqual({self.host, other}, set(rows))
        for host, row in rows.items():
            self.assertEqual(('drained', len(self.db.volumes_on(host))),
                             (row['Verdict'], row['Volumes']), row)
            self.assertEqual('disabled', self.raw.service(host)['status'])
        self.assertEqual(2, rows[other]['Volumes'])

    def test_timeout_names_each_thing_in_flight(self):
        """At --wait-timeout a drain exits 1 and its stderr names each thing
        in flight with its id, project and status (here six volumes, more
        than a short list would hold)."""
        moving = {self.rows.volume(self.pool, status, self.demo_project, age=AGE): status
                  for status in ('creating', 'deleting', 'attaching', 'extending',
                                 'retyping', 'maintenance')}
        result, row = self.drain(self.host, *QUICK, *SHORT_WAIT)
        self.assertEqual(1, result.code, result)
        self.assertEqual(set(moving), {e['ID'] for e in row['In Flight']}, row)
        unnamed = [volume_id for volume_id in moving if volume_id not in result.stderr]
        self.assertEqual([], unnamed, result.stderr)
        for volume_id, status in moving.items():
            # What follows the id names its project and status.
            after = result.stderr.split(volume_id, 1)[1][:160]
            self.assertIn(self.demo_project, after)
            self.assertIn(status, after)


class TestHeldInFlight(DrainTestCase):

    def test_drain_waits_for_a_held_create_then_reports_drained(self):
        """A create really in flight: sent while fake-2's cinder-volume is
        stopped but shown up, Cinder's scheduler places it on fake-2 and
        the volume stays 'creating' there, its request queued in RabbitMQ.
        A drain keeps reading while the database shows it so (it does not
        end); once cinder-volume is started again and the volume is
        'available', the drain exits 0, drained, counting it."""
        self.wait_for_pool()
        stop_beating = self.stop_cinder_volume(keep_up=True)
        volume_id = self.real.create(self.type_name)
        self.wait_until(lambda: self.db.volume_status(volume_id) == ('creating', self.pool),
                        f'the scheduler placing volume {volume_id} on {self.pool}',
                        CINDER_TIMEOUT)
        self.use_proxy()
        drain = self.start_command('drain', self.host, *QUICK, '--wait-timeout', '300',
                                   '-f', 'json', program='volsvc')

        def reads():
            return sum(1 for method, path in list(self.proxy.seen)
                       if method == 'GET' and path.split('?')[0].endswith('/volumes/detail'))

        # Three reads of a 'creating' volume: the drain waits for it.
        self.wait_until(lambda: reads() >= 3, 'three reads by the drain', 60, drain)
        self.assertEqual(('creating', self.pool), self.db.volume_status(volume_id))
        self.assertDisabled()
        self.assertTrue(drain.running())
        stop_beating()
        self.lab('start', PROCESS)
        self.real.wait_for(volume_id, 'available')
        self.wait_until(lambda: not drain.running(), 'the drain ending', 60)
        result = drain.finish(10)
        self.assertNotIn('Traceback', result.stderr)
        [row] = result.json()
        volumes = self.db.volumes_on(self.host)
        self.assertEqual([volume_id], list(volumes))
        self.assertDrained(result, row, volumes)
        self.assertGreaterEqual(reads(), 5)


class TestFreezeAndAgain(DrainTestCase):

    def test_freeze(self):
        """drain --freeze: the database shows fake-2 frozen and disabled
        with the drain's reason (cinder-volume's freeze_host sets 'frozen';
        the disable comes after it); the summary says Frozen and drained."""
        result, row = self.drain(self.host, *QUICK, '--freeze')
        self.assertDrained(result, row, self.db.volumes_on(self.host))
        self.assertDisabled('maintenance', frozen=True)
        self.assertEqual(('disabled', 'maintenance', True),
                         (row['Status'], row['Disabled Reason'], row['Frozen']), row)

    def assertSecondChangesNothing(self, *options):
        self.use_proxy()
        self.rows.volume(self.pool, 'available', self.demo_project)
        first, first_row = self.drain(self.host, *QUICK, *options)
        self.assertDrained(first, first_row, self.db.volumes_on(self.host))
        before = self.raw.service(self.host)
        sent = len(self.proxy.seen)
        second, second_row = self.drain(self.host, *QUICK, *options)
        self.assertDrained(second, second_row, self.db.volumes_on(self.host))
        self.assertEqual([], [(m, p) for m, p in self.proxy.seen[sent:] if m != 'GET'])
        after = self.raw.service(self.host)
        fields = ('status', 'disabled_reason', 'frozen')
        self.assertEqual({f: before[f] for f in fields}, {f: after[f] for f in fields})
        self.assertEqual(first_row, second_row)

    def test_second_drain_changes_nothing(self):
        """A second drain of a drained backend sends no change (the proxy
        sees only GETs), leaves the database as it was, and prints the same
        summary, drained."""
        self.assertSecondChangesNothing()

    def test_second_drain_with_freeze_changes_nothing(self):
        """The same with --freeze twice: frozen already, the second sends
        no freeze (Cinder would call cinder-volume again) and no disable."""
        self.assertSecondChangesNothing('--freeze')


class TestRefused(DrainTestCase):
    """What drain refuses before any change: the proxy sees no PUT and the
    database is unchanged."""

    def setUp(self):
        super().setUp()
        self.use_proxy()

    def assertRefused(self, result, *named, code=1):
        self.assertEqual(code, result.code, result)
        self.assertNotIn('Traceback', result.stderr)
        for text in named:
            self.assertIn(text, result.stderr)
        self.assertEqual([], [(m, p) for m, p in self.proxy.seen if m != 'GET'])

    def test_a_cluster_member_alone_is_refused(self):
        """``drain cluster-node-1@clustered``: refused, naming the cluster
        and --cluster; nothing changed on any member."""
        clustered = [s for s in self.raw.services('3.7')
                     if s['binary'] == 'cinder-volume' and s.get('cluster')]
        if not clustered:
            self.skipTest('this cloud has no clustered cinder-volume')
        member = sorted(s['host'] for s in clustered)[0]
        [cluster] = {s['cluster'] for s in clustered if s['host'] == member}
        fields = ('status', 'disabled_reason', 'frozen')

        def members():
            return [{f: self.raw.service(s['host'])[f] for f in fields} for s in clustered]

        before = members()
        for program in ('volsvc', 'openstack'):
            result, row = self.drain(member, *QUICK, program=program)
            self.assertRefused(result, cluster, '--cluster')
        self.assertEqual(before, members())

    def test_not_a_cinder_volume_is_refused(self):
        """The scheduler's host, and a backend that does not exist: refused
        (no such cinder-volume service)."""
        scheduler = [s['host'] for s in self.raw.services()
                     if s['binary'] == 'cinder-scheduler'][0]
        for host in (scheduler, f'{self.host}-nosuch'):
            result, row = self.drain(host, *QUICK)
            self.assertRefused(result, host, 'cinder-volume')
        self.assertEqual('enabled', self.raw.service(self.host)['status'])

    def test_bad_options_exit_2(self):
        """An interval under 1 s, an unknown option: the option parser
        refuses them, exit 2, before any request."""
        for args in ((self.host, '--interval', '0.5'), (self.host, '--wait-timeout', '-1'),
                     (self.host, '--no-such-option')):
            result, row = self.drain(*args)
            self.assertRefused(result, 'usage:', code=2)
        self.assertEqual([], self.proxy.seen)

    def test_no_target_or_two_exit_1(self):
        """No target, or a host and a selection together: one line, exit 1
        (as freeze and thaw, doc/source/scripting.rst), before any request."""
        for args in ((), (self.host, '--host-pattern', 'vm@*')):
            result, row = self.drain(*args)
            self.assertRefused(result, 'Give <host>')
            self.assertEqual(1, len(result.stderr.splitlines()), result)
        self.assertEqual([], self.proxy.seen)


class TestInterrupted(DrainTestCase):
    """Ctrl-C while a drain waits for a volume 'creating' on fake-2, landed
    where the proxy holds a read: exit 130, the summary's Verdict
    'interrupted' with fake-2 disabled (what was done, which stays done)."""

    def setUp(self):
        super().setUp()
        self.volume_id = self.rows.volume(self.pool, 'creating', self.demo_project)
        self.use_proxy()

    def interrupt_when_held(self, resource):
        drain = self.start_command('drain', self.host, *QUICK, '--wait-timeout', '300',
                                   '-f', 'json', program='volsvc')
        self.wait_until(lambda: self.proxy.holding('GET', resource),
                        f'the drain waiting for {resource}', 60, drain)
        self.assertDisabled()
        drain.interrupt()
        result = drain.finish(60)
        self.assertEqual(130, result.code, result)
        self.assertNotIn('Traceback', result.stderr)
        self.assertIn('interrupted', result.stderr)
        [row] = result.json()
        self.assertEqual(('interrupted', self.host, 'disabled', 'maintenance'),
                         (row['Verdict'], row['Backend'], row['Status'],
                          row['Disabled Reason']), row)
        self.assertDisabled()
        return row

    def test_ctrl_c_during_the_first_read(self):
        """Ctrl-C while the first read waits for its snapshots: nothing was
        read to the end, so nothing is counted (null) or listed."""
        self.proxy.hold('GET', '/snapshots/detail', 60)
        row = self.interrupt_when_held('/snapshots/detail')
        self.assertEqual((None, None, None, []), (
            row['Volumes'], row['Attached'], row['Snapshots'], row['In Flight']), row)

    def test_ctrl_c_between_reads(self):
        """Ctrl-C during the second read: the summary is the first read's,
        the volume in flight."""
        held = []

        def second_read_held():
            """Once the first read's snapshots are answered, hold the next
            page of volumes: the second read's."""
            if not held and any(path.split('?')[0].endswith('/snapshots/detail')
                                for _, path, *_ in list(self.proxy.timed)):
                held.append(self.proxy.hold('GET', '/volumes/detail', 60))
            return self.proxy.holding('GET', '/volumes/detail')

        drain = self.start_command('drain', self.host, *QUICK, '--wait-timeout', '300',
                                   '-f', 'json', program='volsvc')
        self.wait_until(second_read_held, "the drain's second read held", 60, drain)
        drain.interrupt()
        result = drain.finish(60)
        self.assertEqual(130, result.code, result)
        self.assertNotIn('Traceback', result.stderr)
        [row] = result.json()
        self.assertEqual('interrupted', row['Verdict'], row)
        self.assertEqual([self.volume_id], [e['ID'] for e in row['In Flight']], row)
        self.assertEqual(1, row['Volumes'], row)
        self.assertDisabled()


class TestCluster(DrainTestCase):

    def setUp(self):
        super().setUp()
        clustered = [s for s in self.raw.services('3.7')
                     if s['binary'] == 'cinder-volume' and s.get('cluster')
                     and s['state'] == 'up']
        if not clustered:
            self.skipTest('this cloud has no clustered cinder-volume service that is up')
        self.cluster = sorted(s['cluster'] for s in clustered)[0]
        self.members = sorted(s['host'] for s in clustered if s['cluster'] == self.cluster)
        self.addCleanup(self.lab, 'reset-cluster', self.cluster)

    def test_cluster_drain_counts_the_clusters_volumes(self):
        """drain --cluster: no member takes new volumes any more (each
        frozen or disabled: the drain freezes a cluster, which Cinder 28.0.0
        and later cannot re-enable member by member); the summary counts
        the volumes whose cluster_name is the cluster's (on either member),
        as the database does, and none of fake-2's."""
        backend = self.cluster.split('@')[1]
        for member in self.members:
            self.rows.volume(f'{member}#{backend}', 'available', self.demo_project,
                             cluster_name=f'{self.cluster}#{backend}')
        self.rows.volume(self.pool, 'creating', self.demo_project)
        result, row = self.drain('--cluster', self.cluster, *QUICK)
        self.assertEqual(0, result.code, result)
        self.assertEqual(('drained', self.cluster, []),
                         (row['Verdict'], row['Backend'], row['In Flight']), row)
        self.assertEqual(len(self.db.volumes_in_cluster(self.cluster)), row['Volumes'])
        self.assertEqual(len(self.members), row['Volumes'])
        members = [self.raw.service(m) for m in self.members]
        self.assertEqual([True] * len(members),
                         [s['frozen'] or s['status'] == 'disabled' for s in members], members)


class TestResume(DrainTestCase):

    def resume(self, *args):
        result = self.volsvc('resume', *args, '-f', 'json')
        self.assertNotIn('Traceback', result.stderr)
        return result

    def assertResumed(self, result):
        self.assertEqual(0, result.code, result)
        service = self.raw.service(self.host)
        self.assertEqual(('enabled', False), (service['status'], service['frozen']), service)
        self.assertEqual([self.host], [r['Host'] for r in result.json()], result)

    def test_resume_waits_for_a_restarted_cinder_volume(self):
        """drain --freeze, then cinder-volume stopped: resume keeps reading
        (it needs two new heartbeats) and changes nothing; once
        cinder-volume is started again it thaws and re-enables fake-2,
        exits 0, and the database shows it enabled and thawed, with a
        heartbeat newer than the stop."""
        result, row = self.drain(self.host, *QUICK, '--freeze')
        self.assertEqual(0, result.code, result)
        self.stop_cinder_volume(keep_up=False)
        stopped = self.raw.service(self.host)['updated_at']
        self.use_proxy()
        resume = self.start_command('resume', self.host, '--interval', '1',
                                    '--wait-timeout', '300', '-f', 'json', program='volsvc')

        def reads():
            return sum(1 for method, path in list(self.proxy.seen)
                       if method == 'GET' and '/os-services' in path)

        self.wait_until(lambda: reads() >= 3, 'three reads by resume', 60, resume)
        self.assertFalse(self.proxy.saw('PUT', ''), self.proxy.seen)
        self.assertDisabled(frozen=True)
        self.lab('start', PROCESS)
        self.wait_until(lambda: not resume.running(), 'resume ending', CINDER_TIMEOUT)
        self.assertResumed(resume.finish(10))
        self.assertGreater(self.raw.service(self.host)['updated_at'], stopped)

    def test_resume_re_enables(self):
        """After a drain (disabled, not frozen), resume exits 0 and the
        database shows fake-2 enabled: on Cinder 28.0.0 and later, which
        ignore os-services/enable, by a freeze and a thaw; before, by
        enable alone."""
        result, row = self.drain(self.host, *QUICK)
        self.assertEqual(0, result.code, result)
        self.use_proxy()
        self.assertResumed(self.resume(self.host, '--interval', '1'))
        if base.release_applies_enable(self.raw):
            self.assertTrue(self.proxy.saw('PUT', '/os-services/enable'), self.proxy.seen)
            self.assertFalse(self.proxy.saw('PUT', '/os-services/freeze'), self.proxy.seen)
        else:
            self.assertTrue(self.proxy.saw('PUT', '/os-services/freeze'), self.proxy.seen)
            self.assertTrue(self.proxy.saw('PUT', '/os-services/thaw'), self.proxy.seen)

    def test_a_listing_saved_after_resume_commits(self):
        """After drain and resume, a listing saved with ``list --long`` is
        one ``commit --from-file`` takes (here with --dry-run): resume
        leaves no enabled service with a reason (Cinder before 28.0.0
        enables and keeps the reason 'maintenance'), which commit refuses."""
        result, row = self.drain(self.host, *QUICK)
        self.assertEqual(0, result.code, result)
        self.assertResumed(self.resume(self.host, '--interval', '1'))
        saved = self.volsvc('list', '--long', '-f', 'json')
        self.assertEqual(0, saved.code, saved)
        listing = os.path.join(self.useFixture(fixtures.TempDir()).path, 'saved.json')
        with open(listing, 'w') as stream:
            stream.write(saved.stdout)
        result = self.volsvc('commit', '--from-file', listing, '--dry-run')
        self.assertEqual(0, result.code, result)

    def test_resume_names_what_stays_disabled(self):
        """A thaw the driver refuses (the lab's fail-thaw switch, on the
        replicated backend; Cinder's API has cleared 'frozen' already, and
        cinder-volume leaves the service disabled): resume exits 1, its row
        'failed', naming the backend and that it is still disabled, as the
        database shows."""
        self.host = self.backend_host('replicated')
        saved = self.raw.service(self.host)
        self.addCleanup(self.restore, saved)
        switch = os.path.join(self.lab_dir, 'fail-thaw')
        result, row = self.drain(self.host, *QUICK, '--freeze')
        self.assertEqual(0, result.code, result)
        open(switch, 'w').close()
        self.addCleanup(remove_if_there, switch)
        result = self.resume(self.host, '--interval', '1')
        self.assertEqual(1, result.code, result)
        [row] = result.json()
        self.assertEqual((self.host, 'failed'), (row['Host'], row['Result']), row)
        self.assertIn(self.host, result.stderr)
        self.assertIn("'disabled'", result.stderr)
        self.assertEqual('disabled', self.raw.service(self.host)['status'])


class TestScale(DrainTestCase):

    def test_a_thousand_volumes(self):
        """1,000 volume rows on fake-2, none in flight: the drain exits 0
        counting 1,000 (the database's count). Each read sends 3 requests
        (a full page of volumes at osapi_max_limit 1,000, the empty page
        after it, one page of snapshots); the time of each read and the
        whole run are recorded as details, not asserted (no test depends
        on the machine's speed)."""
        self.rows.volumes(self.pool, 1000, self.demo_project)
        self.use_proxy()
        started = time.monotonic()
        result, row = self.drain(self.host, *QUICK)
        took = time.monotonic() - started
        volumes = self.db.volumes_on(self.host)
        self.assertEqual(1000, len(volumes))
        self.assertDrained(result, row, volumes)
        reads = self.reads(self.proxy.timed)
        figures = '; '.join(self.describe(n, read) for n, read in enumerate(reads, 1))
        figures += f'; the whole drain command (--interval 1): {took:.2f} s'
        self.addDetail('drain of 1,000 volumes', testtools_content.text_content(figures))
        self.assertEqual([3] * len(reads), [len(read) for read in reads], figures)
        self.assertEqual(2, len(reads), figures)

    @staticmethod
    def describe(number, read):
        """'read 1: 3 requests in 1.23 s (volumes 1.01 s, ...)'."""
        each = ', '.join(f"{path.split('?')[0].split('/')[-2]} {answered - started:.2f} s"
                         for _, path, _, started, answered in read)
        return (f'read {number}: {len(read)} requests in '
                f'{read[-1][4] - read[0][3]:.2f} s ({each})')

    @staticmethod
    def reads(timed):
        """The proxy's GETs of volumes, snapshots and backups, in reads: a
        read starts with a first page of volumes (no marker)."""
        reads = []
        for entry in sorted(timed, key=lambda e: e[3]):
            method, path = entry[0], entry[1]
            resource = path.split('?')[0]
            if method != 'GET' or not resource.endswith(
                    ('/volumes/detail', '/snapshots/detail', '/backups/detail')):
                continue
            if resource.endswith('/volumes/detail') and 'marker=' not in path:
                reads.append([])
            reads[-1].append(entry)
        return reads
