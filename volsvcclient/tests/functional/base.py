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

"""Run the real ``openstack`` program against a real Cinder.

The cloud comes from clouds.yaml: ``OS_CLOUD`` (default ``devstack-admin``)
for the admin, ``devstack`` for the non-admin user, as on devstack.  Every
check of the server's state goes through a second reader, a raw GET of
os-services on a keystoneauth session, never through volsvcclient.
"""

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

import fixtures
import testtools
import yaml

ADMIN_CLOUD = os.environ.get('OS_CLOUD', 'devstack-admin')
DEMO_CLOUD = os.environ.get('VOLSVC_DEMO_CLOUD', 'devstack')
#: The admin cloud with its Block Storage endpoint on a proxy (use_proxy).
PROXIED_CLOUD = 'volsvc-proxied'


def installed_program(name):
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else shutil.which(name)


def openstack_program():
    return installed_program('openstack')


class Result:
    def __init__(self, completed):
        self.code = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    def json(self):
        return json.loads(self.stdout)

    def __repr__(self):
        return f'<exit {self.code}; stdout {self.stdout!r}; stderr {self.stderr!r}>'


class Running:
    """A command started in the background, its output read as it comes.

    It leads its own session, as a terminal's foreground job leads its
    process group: ``interrupt`` signals the group, as Ctrl-C (or
    ``timeout -s INT``) does.
    """

    def __init__(self, argv, env):
        self.process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env, start_new_session=True,
        )
        self._out, self._err = [], []
        self._readers = [
            threading.Thread(target=self._read, args=(stream, into), daemon=True)
            for stream, into in ((self.process.stdout, self._out),
                                 (self.process.stderr, self._err))
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, into):
        for line in stream:
            into.append(line)

    @property
    def stderr(self):
        return ''.join(self._err)

    def running(self):
        return self.process.poll() is None

    def interrupt(self):
        try:
            os.killpg(self.process.pid, signal.SIGINT)
        except ProcessLookupError:
            pass

    def kill(self):
        if self.running():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def finish(self, timeout):
        """Its Result once it ends, within ``timeout`` seconds."""
        self.process.wait(timeout)
        for reader in self._readers:
            reader.join(10)
        return Result(subprocess.CompletedProcess(
            self.process.args, self.process.returncode, ''.join(self._out), self.stderr))


class RawReader:
    """os-services through a plain keystoneauth session: the second reader."""

    def __init__(self, cloud):
        from openstack import config

        region = config.OpenStackConfig().get_one(cloud=cloud)
        self.session = region.get_session()
        self.endpoint = region.get_session_endpoint('block-storage')

    def request(self, method, path, microversion='3.0', **kwargs):
        return self.session.request(
            self.endpoint.rstrip('/') + path,
            method,
            headers={'OpenStack-API-Version': f'volume {microversion}'},
            raise_exc=False,
            **kwargs,
        )

    def services(self, microversion='3.0'):
        response = self.request('GET', '/os-services', microversion)
        response.raise_for_status()
        return response.json()['services']

    def service(self, host, binary='cinder-volume'):
        for service in self.services():
            if service['host'] == host and service['binary'] == binary:
                return service
        raise AssertionError(f'{binary} on {host} is gone')

    def put(self, action, body, microversion='3.0'):
        return self.request('PUT', f'/os-services/{action}', microversion, json=body)

    def max_microversion(self):
        response = self.session.get(self.endpoint.rsplit('/v3', 1)[0] + '/')
        for version in response.json()['versions']:
            if version['id'].startswith('v3'):
                return version['version']
        raise AssertionError('the server offers no v3 API')

    def enable_route_works(self):
        """Whether os-services/enable really enables (Cinder before 28.0.0).

        Cinder 28.0.0 stopped applying enable and dropped the failover
        route together: an invalid body to 'failover' gets 400 from schema
        validation where the route exists, 404 where it does not.  Nothing
        changes either way.
        """
        response = self.put('failover', {'no-such-field': 1}, '3.26')
        return response.status_code != 404


def release_applies_enable(raw):
    """Whether this Cinder applies os-services/enable.

    From VOLSVC_CINDER_RELEASE when set (CI sets it), else from the probe.
    """
    release = os.environ.get('VOLSVC_CINDER_RELEASE')
    if release:
        return int(release.split('.')[0]) < 28
    return raw.enable_route_works()


class ThroughVolsvc:
    """Run a test case's commands through ``volsvc`` instead of ``openstack
    volume service``: the same checks hold for both programs."""

    def service_cmd(self, *args, **kwargs):
        return self.volsvc(*args, **kwargs)


class FunctionalTestCase(testtools.TestCase):
    """``openstack`` as a subprocess, with state restored after each test."""

    def setUp(self):
        super().setUp()
        self.program = openstack_program()
        if not self.program:
            self.skipTest('no openstack program installed')
        self.raw = RawReader(ADMIN_CLOUD)
        #: The cloud commands use unless told, and the clouds.yaml naming it.
        self.cloud = ADMIN_CLOUD
        self.client_config = os.environ.get('OS_CLIENT_CONFIG_FILE')

    def openstack(self, *args, cloud=None, version=None, stdin=None):
        """Run ``openstack --os-cloud C [--os-volume-api-version V] ARGS``."""
        return self._run(self.program, args, cloud, version, stdin)

    def volsvc(self, *args, cloud=None, version=None, stdin=None):
        """Run ``volsvc --os-cloud C [--os-volume-api-version V] ARGS``."""
        return self._run(self.volsvc_program(), args, cloud, version, stdin)

    def volsvc_program(self):
        program = installed_program('volsvc')
        if not program:
            self.skipTest('no volsvc program installed')
        return program

    def _argv(self, program, args, cloud, version):
        argv = [program, '--os-cloud', cloud or self.cloud]
        if version:
            argv += ['--os-volume-api-version', version]
        return argv + list(args)

    def _env(self):
        # Like upstream's harness: no OS_* variable but where clouds.yaml is.
        env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
        if self.client_config:
            env['OS_CLIENT_CONFIG_FILE'] = self.client_config
        return env

    def _run(self, program, args, cloud, version, stdin):
        completed = subprocess.run(
            self._argv(program, args, cloud, version), capture_output=True,
            text=True, env=self._env(), input=stdin, timeout=600,
        )
        return Result(completed)

    def start_command(self, *args, program='openstack', version=None):
        """Start ``openstack volume service ARGS`` (``volsvc ARGS`` with
        program 'volsvc') in the background: a Running, killed at cleanup
        if it still runs."""
        if program == 'volsvc':
            argv = self._argv(self.volsvc_program(), args, None, version)
        else:
            argv = self._argv(self.program, ('volume', 'service') + args, None, version)
        command = Running(argv, self._env())
        self.addCleanup(command.kill)
        return command

    def use_proxy(self):
        """From now on, send the commands' Block Storage requests through a
        proxy.Proxy (``self.proxy``), which records them and can hold
        chosen ones; the raw reader goes around it."""
        from openstack import config

        from volsvcclient.tests.functional import proxy

        endpoint = urllib.parse.urlsplit(self.raw.endpoint)
        self.proxy = proxy.Proxy(self.raw.endpoint)
        self.addCleanup(self.proxy.close)
        loader = config.OpenStackConfig()
        with open(loader.config_filename) as stream:
            clouds = yaml.safe_load(stream)
        cloud = dict(clouds['clouds'][ADMIN_CLOUD])
        cloud['block_storage_endpoint_override'] = (
            f'http://127.0.0.1:{self.proxy.port}{endpoint.path}'
        )
        clouds['clouds'][PROXIED_CLOUD] = cloud
        folder = self.useFixture(fixtures.TempDir()).path
        self.client_config = os.path.join(folder, 'clouds.yaml')
        with open(self.client_config, 'w') as stream:
            yaml.safe_dump(clouds, stream)
        self.cloud = PROXIED_CLOUD

    def wait_until(self, condition, what, timeout=60, command=None):
        """Until ``condition()`` holds, polled every 0.2 s for at most
        ``timeout`` s; a ``command`` that ends meanwhile fails the test
        with its output."""
        deadline = time.monotonic() + timeout
        while not condition():
            if command is not None and not command.running():
                self.fail(f'the command ended before {what}: {command.finish(10)!r}')
            if time.monotonic() >= deadline:
                self.fail(f'not {what} within {timeout} s')
            time.sleep(0.2)

    def wait_until_healthy(self, timeout=120):
        """Every service has reported since now, and reports up: after a
        part of the lab started again, before restores and the next test.

        "up" alone is not enough: a service that lost MariaDB or RabbitMQ
        stays up on its old heartbeat for a while, then goes down before
        it reconnects, under the next test's feet.
        """
        # The lab's services share this clock; MariaDB keeps whole seconds.
        since = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None, microsecond=0)

        def healthy():
            try:
                services = self.raw.services('3.49')
            except Exception:
                return False
            return all(
                s['state'] == 'up' and s['updated_at']
                and datetime.datetime.fromisoformat(s['updated_at']) >= since
                for s in services
            )

        self.wait_until(healthy, 'every service reporting up again', timeout)

    def needs_lab(self, why):
        """Skip unless the lab runs this cloud; it can stop and start parts."""
        self.lab_dir = os.environ.get('VOLSVC_LAB_DIR')
        if not self.lab_dir:
            self.skipTest(f'needs the lab (VOLSVC_LAB_DIR) {why}')

    def lab(self, *args):
        subprocess.run(
            [sys.executable, '-m', 'volsvcclient.tests.functional.lab',
             '--dir', self.lab_dir, *args],
            check=True, capture_output=True,
        )

    def wait_until_pools_reported(self, timeout=120):
        """Until cinder-scheduler knows the pools of every enabled,
        unclustered cinder-volume that is up, as Backend State shows.

        The scheduler learns them from each backend's periodic report
        (periodic_interval: 10 s in the lab, 60 s by default), so after
        cinder-volume, cinder-scheduler or RabbitMQ started again, or a
        backend was enabled again, Backend State stays empty for a while:
        a later test that reads it must not meet that.
        """
        def reported():
            try:
                services = self.raw.services('3.49')
            except Exception:
                return False
            return all(
                s.get('backend_state') is not None for s in services
                if s['binary'] == 'cinder-volume' and s['status'] == 'enabled'
                and s['state'] == 'up' and not s.get('cluster')
            )

        self.wait_until(reported, "every backend's pools reported to cinder-scheduler",
                        timeout)

    def keep_up(self, hosts):
        """Hold cinder-volume on ``hosts`` shown up, its process stopped or
        not, until the test's cleanup (``tools/lab keep-beating``), or
        until the test calls the function returned."""
        keeper = subprocess.Popen(
            [sys.executable, '-m', 'volsvcclient.tests.functional.lab',
             '--dir', self.lab_dir, 'keep-beating', *hosts],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )

        def stop():
            if keeper.poll() is None:
                keeper.terminate()
            keeper.wait(30)

        self.addCleanup(stop)
        # Its first line comes once the first heartbeat is written.
        first = keeper.stderr.readline()
        self.assertIn('writing a heartbeat', first, keeper.stderr.read() if not first else '')
        return stop

    def service_cmd(self, *args, **kwargs):
        """``openstack volume service ARGS``: the command under test."""
        return self.openstack('volume', 'service', *args, **kwargs)

    def assertFails(self, result, message):
        self.assertEqual(1, result.code, result)
        self.assertIn(message, result.stderr)
        self.assertNotIn('Traceback', result.stderr)

    def volume_services(self, replicated=None):
        """Unclustered cinder-volume services that are up, optionally by
        replication (TestCluster covers clusters)."""
        found = [
            s for s in self.raw.services('3.7')
            if s['binary'] == 'cinder-volume' and s['state'] == 'up'
            and not s.get('cluster')
        ]
        if replicated is not None:
            detailed = {s['host']: s for s in self.raw.services()}
            found = [
                s for s in found
                if (detailed[s['host']].get('replication_status')
                    in ('enabled', 'failed-over')) == replicated
            ]
        return found

    def pick_backend(self, replicated=False, required=True):
        """An enabled cinder-volume host that is up, to change; its state is
        restored afterwards.

        None when there is none and it is not ``required``.
        """
        candidates = [
            s for s in self.volume_services(replicated=replicated)
            if s['status'] == 'enabled'
        ]
        if not candidates:
            if not required:
                return None
            kind = 'replicating' if replicated else 'non-replicating'
            self.skipTest(
                f'this cloud has no enabled {kind} cinder-volume service that is up'
            )
        host = sorted(s['host'] for s in candidates)[0]
        self.addCleanup(self.restore, self.raw.service(host))
        return host

    #: What restore() puts back, and checks it did.
    RESTORED = ('status', 'frozen', 'replication_status')

    def restore(self, saved):
        """Put a service back as it was, with raw API calls only, and fail
        when it is not: a later test must not run on a changed backend."""
        host, binary = saved['host'], saved['binary']
        current = self.raw.service(host, binary)
        if current.get('replication_status') == 'failed-over' and saved.get(
                'replication_status') == 'enabled':
            self._restore_put('failover_host', {'host': host, 'backend_id': 'default'})
            self._wait_replication(host)
            current = self.raw.service(host, binary)
        if current.get('frozen') and not saved.get('frozen'):
            self._restore_put('thaw', {'host': host})
        elif saved.get('frozen') and not current.get('frozen'):
            self._restore_put('freeze', {'host': host})
        current = self.raw.service(host, binary)
        body = {'host': host, 'binary': binary}
        if saved['status'] == 'enabled':
            if current['status'] == 'disabled':
                self._restore_put('enable', body)
            enabled = self.raw.service(host, binary)
            # A thaw enables where enable is ignored (Cinder 28.0.0 and
            # later); it also clears a reason left on an enabled service
            # (enable keeps it before 28.0.0), which a listing saved later
            # would carry, and commit --from-file refuse.
            if enabled['status'] == 'disabled' or (
                    binary == 'cinder-volume' and enabled.get('disabled_reason')
                    and not saved.get('disabled_reason')):
                self._restore_put('freeze', {'host': host})
                self._restore_put('thaw', {'host': host})
        elif saved['status'] == 'disabled' and (
                current['status'] == 'enabled'
                or current['disabled_reason'] != saved['disabled_reason']):
            if saved['disabled_reason']:
                body['disabled_reason'] = saved['disabled_reason']
            self._restore_put('disable-log-reason', body)
        restored = self.raw.service(host, binary)
        # The reason of an enabled service matters only when it has one:
        # thaw leaves '' behind where there was None.
        fields = self.RESTORED + (
            ('disabled_reason',) if saved['status'] == 'disabled' else ())
        if (saved['status'] == 'enabled' and binary == 'cinder-volume'
                and restored.get('disabled_reason') and not saved.get('disabled_reason')):
            fields += ('disabled_reason',)
        wrong = [
            f'{field} {restored.get(field)!r} (was {saved.get(field)!r})'
            for field in fields if restored.get(field) != saved.get(field)
        ]
        if wrong:
            raise AssertionError(
                f"{binary} on {host} was not restored: {', '.join(wrong)}"
            )

    def _restore_put(self, action, body):
        response = self.raw.put(action, body)
        if response.status_code >= 400:
            raise AssertionError(
                f'restore: {action} {body} answered HTTP '
                f'{response.status_code}: {response.text.strip()}'
            )

    def _wait_replication(self, host, timeout=60):
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.raw.service(host)['replication_status'] != 'failing-over':
                return
            time.sleep(1)
