"""The lab: a real Cinder on 127.0.0.1, for functional tests and benchmarks.

    python -m volsvcclient.tests.functional.lab up [--cinder-version V]
    python -m volsvcclient.tests.functional.lab status | env | down

``up`` brings up MariaDB and RabbitMQ (Debian packages, installed when
missing), Keystone and Cinder api, scheduler and volume (PyPI, in a cached
venv per Cinder release, never the client's), with three backends:
``lvmdriver-1`` and ``fake-2`` on Cinder's fake LVM driver and
``replicated`` on our replicating test driver.  It writes a clouds.yaml
with the clouds ``devstack-admin`` and ``devstack`` (demo), and waits until
every service reports up.  ``down`` stops exactly the processes ``up``
started.  Standard library only: it runs before anything is installed.
"""

import argparse
import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

#: Cinder release -> Keystone release of the same OpenStack release.
RELEASES = {
    '29.0.0': '30.0.0',
    '28.0.0': '29.1.0',
    '27.0.0': '28.1.0',
}
DEFAULT_CINDER = '29.0.0'
BACKENDS = ('lvmdriver-1', 'fake-2', 'replicated')
#: An active-active cluster: two more cinder-volume processes, one backend.
CLUSTER = 'labcluster'
CLUSTER_BACKEND = 'clustered'
CLUSTER_NODES = ('cluster-node-1', 'cluster-node-2')
DRIVERS = 'volsvcclient.tests.functional.lab.replicated_driver'
DEFAULT_PORTS = {
    'keystone': 5000,
    'cinder': 8776,
    'mariadb': 3306,
    'rabbitmq': 5672,
    'epmd': 4369,
}
SERVER_PACKAGES = ('gunicorn', 'PyMySQL', 'fixtures')
DEBIAN_PACKAGES = {
    'mariadb-server': '/usr/sbin/mariadbd',
    'rabbitmq-server': '/usr/lib/rabbitmq/bin/rabbitmq-server',
}
HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[3]
DB_USER = 'volsvc'
#: Host names of the extra service records of ``add-services``.
EXTRA_PREFIX = 'extra-'


class LabError(Exception):
    """A failure the operator can act on: printed as one line."""


def say(message):
    print(f'lab: {message}', file=sys.stderr, flush=True)


def run(argv, **kwargs):
    """Run a set-up command; its output goes to the lab log on failure."""
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode:
        raise LabError(
            f"{' '.join(map(str, argv[:3]))} failed ({result.returncode}): "
            f"{(result.stderr or result.stdout).strip().splitlines()[-1:]}"
        )
    return result.stdout


def port_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(('127.0.0.1', port))
        except OSError:
            return False
    return True


def wait_for(what, check, timeout, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.5)
    hint = f'; see {log}' if log else ''
    raise LabError(f'{what} did not come up within {timeout} s{hint}')


def port_open(port):
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(('127.0.0.1', port)) == 0


def http(method, url, token=None, body=None):
    """(status, parsed JSON or None, headers) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header('Content-Type', 'application/json')
    request.add_header('Accept', 'application/json')
    if token:
        request.add_header('X-Auth-Token', token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        raw, status, headers = exc.read(), exc.code, exc.headers
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, parsed, headers


def process_start_time(pid):
    """Kernel start time of ``pid``, to tell it from a recycled PID."""
    try:
        stat = pathlib.Path(f'/proc/{pid}/stat').read_text()
    except OSError:
        return None
    return stat.rsplit(')', 1)[1].split()[19]


class Lab:
    def __init__(self, root, ports):
        self.root = pathlib.Path(root)
        self.logs = self.root / 'logs'
        self.state_file = self.root / 'state.json'
        self.clouds_file = self.root / 'clouds.yaml'
        self.state = self._load()
        # A running lab keeps the ports it was started with.
        self.requested_ports = ports
        self.ports = self.state.get('ports') or ports

    # State

    def _load(self):
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {'processes': []}

    def _save(self):
        self.root.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(self.state, indent=2))
        self.state_file.chmod(0o600)

    def _alive(self, entry):
        return process_start_time(entry['pid']) == entry['started']

    def running(self):
        processes = self.state.get('processes', [])
        return bool(processes) and all(self._alive(p) for p in processes)

    # Commands

    def up(self, cinder_version):
        if cinder_version not in RELEASES:
            raise LabError(
                f'unknown Cinder release {cinder_version}; known: '
                f"{', '.join(RELEASES)}"
            )
        if self.running():
            if self.state.get('cinder_version') != cinder_version:
                raise LabError(
                    f"the lab runs Cinder {self.state['cinder_version']}; run "
                    f"'tools/lab down' first"
                )
            say(f'already up (Cinder {cinder_version}); checking services')
            self._wait_for_services()
            return
        if self.state.get('processes'):
            say('a previous lab is partly running: stopping it first')
            self.down()
        started = time.monotonic()
        self.ports = self.requested_ports
        self._check_ports()
        self._install_debian_packages()
        venv = self._server_venv(cinder_version)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.state = {
            'cinder_version': cinder_version,
            'ports': self.ports,
            'passwords': {
                name: secrets.token_hex(12)
                for name in ('admin', 'demo', 'cinder', 'db', 'rabbit')
            },
            'processes': [],
        }
        self._save()
        try:
            self._start_mariadb()
            self._start_rabbitmq()
            self._start_keystone(venv)
            self._create_identities()
            self._start_cinder(venv)
            self._write_clouds()
            self._wait_for_services()
        except BaseException:
            say('bring-up failed: stopping what was started')
            self.down()
            raise
        say(
            f'up in {time.monotonic() - started:.0f} s: Cinder {cinder_version}'
            f' on http://127.0.0.1:{self.ports["cinder"]}; logs in {self.logs}'
        )

    def down(self):
        processes = self.state.get('processes', [])
        for entry in reversed(processes):
            self._stop(entry)
        self.state['processes'] = []
        self._save()
        say(f'down: stopped {len(processes)} process group(s)')

    def status(self):
        processes = self.state.get('processes', [])
        if not processes:
            print('down')
            return 1
        for entry in processes:
            word = 'running' if self._alive(entry) else 'DEAD'
            print(f"{entry['name']:<16} pid {entry['pid']:<8} {word}")
        print(f"Cinder {self.state.get('cinder_version')}; clouds: {self.clouds_file}")
        return 0 if self.running() else 1

    def env(self):
        print(f'export OS_CLIENT_CONFIG_FILE={self.clouds_file}')
        print('export OS_CLOUD=devstack-admin')
        # Lets fault tests stop and start lab processes.
        print(f'export VOLSVC_LAB_DIR={self.root}')

    # Processes

    def _spawn(self, name, argv, env=None, cwd=None):
        log = open(self.logs / f'{name}.log', 'ab')
        process = subprocess.Popen(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,
        )
        log.close()
        time.sleep(0.05)
        entry = {'name': name, 'pid': process.pid,
                 'started': process_start_time(process.pid),
                 'argv': [str(a) for a in argv], 'env': env or {}, 'cwd': cwd}
        processes = self.state['processes']
        for index, old in enumerate(processes):
            if old['name'] == name:
                processes[index] = entry
                break
        else:
            processes.append(entry)
        self._save()
        return process

    def _entry(self, name):
        for entry in self.state.get('processes', []):
            if entry['name'] == name:
                return entry
        known = ', '.join(e['name'] for e in self.state.get('processes', []))
        raise LabError(f'no lab process {name!r}; the lab runs: {known or "nothing"}')

    def stop(self, name):
        """Stop one lab process (e.g. cinder-api, for fault tests)."""
        self._stop(self._entry(name))
        say(f'{name} stopped')

    def start(self, name):
        """Start a lab process stopped with ``stop`` again."""
        entry = self._entry(name)
        if self._alive(entry):
            say(f'{name} is already running')
            return
        self._spawn(name, entry['argv'], entry['env'], entry['cwd'])
        if name == 'cinder-api':
            wait_for('cinder-api', lambda: port_open(self.ports['cinder']), 60,
                     self.logs / 'cinder-api.log')
        say(f'{name} started')

    def _sql(self, statement, database='cinder'):
        return run(['mariadb', '--no-defaults', f'--socket={self.root / "mariadb.sock"}',
                    '-u', 'root', '--batch', '--skip-column-names', database,
                    '-e', statement])

    def add_services(self, count):
        """Register ``count`` extra cinder-volume service records.

        They never report, so they show 'down', but enable, disable and
        disable-log-reason work on them (database only); freeze, thaw and
        failover would wait for an RPC answer that never comes.
        """
        if not self.running():
            raise LabError("the lab is not up: run 'tools/lab up' first")
        self._sql(
            'INSERT INTO services (created_at, updated_at, deleted, host, '
            '`binary`, topic, report_count, disabled, availability_zone, '
            'replication_status, frozen, uuid, rpc_current_version, '
            'object_current_version) '
            f"SELECT NOW(), NOW(), 0, "
            f"CONCAT('{EXTRA_PREFIX}', LPAD(seq + base.n, 6, '0'), '@fake'), "
            "'cinder-volume', 'cinder-volume', 0, 0, 'nova', 'disabled', 0, "
            'UUID(), live.rpc_current_version, live.object_current_version '
            f'FROM seq_1_to_{count}, '
            '(SELECT rpc_current_version, object_current_version FROM services '
            "WHERE `binary` = 'cinder-volume' AND deleted = 0 AND "
            f"host NOT LIKE '{EXTRA_PREFIX}%' LIMIT 1) live, "
            f"(SELECT COUNT(*) AS n FROM services WHERE host LIKE '{EXTRA_PREFIX}%') base"
        )
        total = self._sql(
            f"SELECT COUNT(*) FROM services WHERE host LIKE '{EXTRA_PREFIX}%'"
        ).strip()
        say(f'added {count} service records; {total} extra in all')

    def reset_cluster(self, cluster):
        """Put a cluster and its services back as they started.

        Cinder delivers a cluster's freeze and thaw to one member, so after
        a thaw another member can stay disabled, and Cinder 28.0.0 and later
        offer no API that re-enables it: tests restore it here.
        """
        cluster = cluster.replace("'", '')
        self._sql(
            "UPDATE services SET disabled = 0, disabled_reason = NULL, frozen = 0, "
            "replication_status = 'enabled', active_backend_id = NULL "
            f"WHERE cluster_name = '{cluster}';"
            "UPDATE clusters SET disabled = 0, disabled_reason = NULL, frozen = 0, "
            "replication_status = 'enabled', active_backend_id = NULL "
            f"WHERE name = '{cluster}'"
        )
        say(f'reset cluster {cluster}')

    def remove_services(self):
        self._sql(f"DELETE FROM services WHERE host LIKE '{EXTRA_PREFIX}%'")
        say('removed the extra service records')

    def _stop(self, entry):
        if not self._alive(entry):
            return
        try:
            os.killpg(entry['pid'], signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.killpg(entry['pid'], 0)
            except ProcessLookupError:
                return
            try:
                os.waitpid(entry['pid'], os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.2)
        say(f"{entry['name']} ignored SIGTERM: killing it")
        try:
            os.killpg(entry['pid'], signal.SIGKILL)
        except ProcessLookupError:
            pass

    # Set-up steps

    def _check_ports(self):
        for name, port in self.ports.items():
            if not port_free(port):
                raise LabError(
                    f'port {port} on 127.0.0.1 is taken ({name}); free it or '
                    f'choose another with --{name}-port'
                )

    def _install_debian_packages(self):
        missing = [p for p, path in DEBIAN_PACKAGES.items() if not os.path.exists(path)]
        if not missing:
            return
        say(f"installing {', '.join(missing)} from Debian")
        env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
        run(['apt-get', 'update', '-qq'], env=env)
        run(['apt-get', 'install', '-y', '-qq', *missing], env=env)

    def _server_venv(self, cinder_version):
        venv = self.root / 'venvs' / f'cinder-{cinder_version}'
        done = venv / '.volsvc-complete'
        if done.exists():
            return venv
        say(
            f'building the server venv: cinder=={cinder_version} '
            f'keystone=={RELEASES[cinder_version]}'
        )
        shutil.rmtree(venv, ignore_errors=True)
        run([sys.executable, '-m', 'venv', venv])
        pip = [venv / 'bin' / 'python', '-m', 'pip', 'install', '-q']
        run([*pip, '--upgrade', 'pip'])
        run([
            *pip,
            f'cinder=={cinder_version}',
            f'keystone=={RELEASES[cinder_version]}',
            *SERVER_PACKAGES,
        ])
        done.write_text(cinder_version)
        return venv

    def _start_mariadb(self):
        datadir = self.root / 'mariadb'
        socket_path = self.root / 'mariadb.sock'
        if not (datadir / 'mysql').exists():
            run([
                'mariadb-install-db', '--no-defaults', f'--datadir={datadir}',
                '--user=root', '--auth-root-authentication-method=socket',
                '--skip-test-db',
            ])
        self._spawn('mariadb', [
            '/usr/sbin/mariadbd', '--no-defaults', f'--datadir={datadir}',
            f'--socket={socket_path}', f'--port={self.ports["mariadb"]}',
            '--bind-address=127.0.0.1', '--user=root', '--skip-name-resolve',
            f'--pid-file={self.root / "mariadb.pid"}',
            '--innodb-buffer-pool-size=64M', '--max-connections=500',
        ])
        wait_for('MariaDB', lambda: port_open(self.ports['mariadb']), 60,
                 self.logs / 'mariadb.log')
        password = self.state['passwords']['db']
        statements = []
        for database in ('keystone', 'cinder'):
            statements += [
                f'DROP DATABASE IF EXISTS {database}',
                f'CREATE DATABASE {database} CHARACTER SET utf8mb4',
            ]
        statements += [
            f"CREATE USER IF NOT EXISTS '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{password}'",
            f"ALTER USER '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{password}'",
            f"GRANT ALL ON keystone.* TO '{DB_USER}'@'127.0.0.1'",
            f"GRANT ALL ON cinder.* TO '{DB_USER}'@'127.0.0.1'",
        ]
        run(['mariadb', '--no-defaults', f'--socket={socket_path}', '-u', 'root',
             '-e', ';'.join(statements)])

    def _database_url(self, name):
        return (
            f"mysql+pymysql://{DB_USER}:{self.state['passwords']['db']}"
            f"@127.0.0.1:{self.ports['mariadb']}/{name}?charset=utf8mb4"
        )

    def _start_rabbitmq(self):
        home = self.root / 'rabbitmq'
        shutil.rmtree(home / 'mnesia', ignore_errors=True)
        home.mkdir(parents=True, exist_ok=True)
        (home / 'enabled_plugins').write_text('[].\n')
        (home / 'rabbitmq.conf').write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.ports['rabbitmq']}\n"
            f"default_user = volsvc\n"
            f"default_pass = {self.state['passwords']['rabbit']}\n"
            f"loopback_users = none\n"
        )
        env = {
            'HOME': str(home),
            'ERL_EPMD_ADDRESS': '127.0.0.1',
            'ERL_EPMD_PORT': str(self.ports['epmd']),
        }
        self._spawn('epmd', ['epmd', '-address', '127.0.0.1', '-port',
                             self.ports['epmd']], env=env)
        env.update({
            'RABBITMQ_NODENAME': 'volsvc@localhost',
            'RABBITMQ_NODE_IP_ADDRESS': '127.0.0.1',
            'RABBITMQ_NODE_PORT': str(self.ports['rabbitmq']),
            'RABBITMQ_DIST_PORT': str(self.ports['rabbitmq'] + 20000),
            'RABBITMQ_MNESIA_BASE': str(home / 'mnesia'),
            'RABBITMQ_LOG_BASE': str(self.logs),
            'RABBITMQ_CONFIG_FILE': str(home / 'rabbitmq.conf'),
            'RABBITMQ_ENABLED_PLUGINS_FILE': str(home / 'enabled_plugins'),
            'RABBITMQ_PID_FILE': str(home / 'rabbitmq.pid'),
        })
        self._spawn('rabbitmq', [DEBIAN_PACKAGES['rabbitmq-server']], env=env)
        wait_for('RabbitMQ', lambda: port_open(self.ports['rabbitmq']), 90,
                 self.logs / 'rabbitmq.log')

    def _keystone_url(self):
        return f"http://127.0.0.1:{self.ports['keystone']}/v3"

    def _start_keystone(self, venv):
        etc = self.root / 'keystone'
        shutil.rmtree(etc, ignore_errors=True)
        etc.mkdir(parents=True)
        conf = etc / 'keystone.conf'
        conf.write_text(
            '[DEFAULT]\n'
            f"log_file = {self.logs / 'keystone.log'}\n"
            '[database]\n'
            f"connection = {self._database_url('keystone')}\n"
            '[token]\nprovider = fernet\n'
            f"[fernet_tokens]\nkey_repository = {etc / 'fernet-keys'}\n"
            f"[fernet_receipts]\nkey_repository = {etc / 'fernet-keys'}\n"
            f"[credential]\nkey_repository = {etc / 'credential-keys'}\n"
            # The lowest bcrypt cost: each password check is ~0.7 s otherwise.
            '[identity]\npassword_hash_rounds = 4\n'
        )
        conf.chmod(0o600)
        manage = [venv / 'bin' / 'keystone-manage', '--config-file', conf]
        run([*manage, 'db_sync'])
        for step in ('fernet_setup', 'credential_setup'):
            run([*manage, step, '--keystone-user', 'root', '--keystone-group', 'root'])
        url = self._keystone_url()
        run([
            *manage, 'bootstrap',
            '--bootstrap-password', self.state['passwords']['admin'],
            '--bootstrap-username', 'admin',
            '--bootstrap-project-name', 'admin',
            '--bootstrap-role-name', 'admin',
            '--bootstrap-service-name', 'keystone',
            '--bootstrap-region-id', 'RegionOne',
            '--bootstrap-admin-url', url,
            '--bootstrap-internal-url', url,
            '--bootstrap-public-url', url,
        ])
        self._spawn('keystone', [
            venv / 'bin' / 'gunicorn', '--no-control-socket',
            '--bind', f"127.0.0.1:{self.ports['keystone']}", '--workers', '2',
            '--chdir', HERE, 'keystone_wsgi:application',
        ], env={'OS_KEYSTONE_CONFIG_FILES': str(conf)})
        wait_for('Keystone', lambda: http('GET', url)[0] == 200, 60,
                 self.logs / 'keystone.log')

    def token(self, user='admin', project='admin'):
        """A project-scoped token and the project's ID."""
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': user, 'domain': {'id': 'default'},
                'password': self.state['passwords'][user]}}},
            'scope': {'project': {'name': project, 'domain': {'id': 'default'}}},
        }}
        status, reply, headers = http('POST', self._keystone_url() + '/auth/tokens', body=body)
        if status != 201:
            raise LabError(f'cannot get a token for {user}: HTTP {status}')
        return headers['X-Subject-Token'], reply['token']['project']['id']

    def _create_identities(self):
        token, _ = self.token()
        url = self._keystone_url()

        def create(kind, body):
            status, reply, _ = http('POST', f'{url}/{kind}s', token, {kind: body})
            if status != 201:
                raise LabError(f'creating {kind} {body.get("name")}: HTTP {status} {reply}')
            return reply[kind]['id']

        def role(name):
            _, reply, _ = http('GET', f'{url}/roles?name={name}', token)
            return reply['roles'][0]['id']

        def grant(project, user, role_name):
            status, _, _ = http(
                'PUT', f'{url}/projects/{project}/users/{user}/roles/{role(role_name)}',
                token)
            if status not in (200, 204):
                raise LabError(f'granting {role_name}: HTTP {status}')

        service_project = create('project', {'name': 'service', 'domain_id': 'default'})
        demo_project = create('project', {'name': 'demo', 'domain_id': 'default'})
        passwords = self.state['passwords']
        cinder_user = create('user', {'name': 'cinder', 'domain_id': 'default',
                                      'password': passwords['cinder']})
        demo_user = create('user', {'name': 'demo', 'domain_id': 'default',
                                    'password': passwords['demo']})
        grant(service_project, cinder_user, 'admin')
        grant(service_project, cinder_user, 'service')
        grant(demo_project, demo_user, 'member')
        endpoint = f"http://127.0.0.1:{self.ports['cinder']}/v3/$(project_id)s"
        for kind, name in (('block-storage', 'cinder'), ('volumev3', 'cinderv3')):
            service = create('service', {'type': kind, 'name': name})
            for interface in ('public', 'internal', 'admin'):
                create('endpoint', {'service_id': service, 'interface': interface,
                                    'url': endpoint, 'region_id': 'RegionOne'})

    def _start_cinder(self, venv):
        etc = self.root / 'cinder'
        state_path = etc / 'state'
        shutil.rmtree(etc, ignore_errors=True)
        state_path.mkdir(parents=True)
        conf = etc / 'cinder.conf'
        sections = [
            '[DEFAULT]',
            f"transport_url = rabbit://volsvc:{self.state['passwords']['rabbit']}"
            f"@127.0.0.1:{self.ports['rabbitmq']}/",
            'auth_strategy = keystone',
            f"enabled_backends = {','.join(BACKENDS)}",
            f"api_paste_config = {venv / 'etc' / 'cinder' / 'api-paste.ini'}",
            'osapi_volume_listen = 127.0.0.1',
            f"osapi_volume_listen_port = {self.ports['cinder']}",
            'osapi_volume_workers = 2',
            'report_interval = 2',
            'service_down_time = 10',
            'periodic_interval = 10',
            'my_ip = 127.0.0.1',
            f'state_path = {state_path}',
            f'log_dir = {self.logs}',
            '[oslo_concurrency]',
            f"lock_path = {state_path / 'lock'}",
            '[database]',
            f"connection = {self._database_url('cinder')}",
            '[keystone_authtoken]',
            f'www_authenticate_uri = {self._keystone_url()}',
            f'auth_url = {self._keystone_url()}',
            'auth_type = password',
            'username = cinder',
            f"password = {self.state['passwords']['cinder']}",
            'project_name = service',
            'user_domain_id = default',
            'project_domain_id = default',
        ]
        backends = []
        for backend in BACKENDS:
            driver = (
                f'{DRIVERS}.ReplicatedFakeDriver'
                if backend == 'replicated'
                else 'cinder.tests.fake_driver.FakeLoggingVolumeDriver'
            )
            backends += [f'[{backend}]', f'volume_driver = {driver}',
                         f'volume_backend_name = {backend}']
            if backend == 'replicated':
                backends.append('replication_device = backend_id:secondary')
        self._write_conf(conf, sections + backends)
        run([venv / 'bin' / 'cinder-manage', '--config-file', conf, 'db', 'sync'])
        env = {'PYTHONPATH': str(REPO), 'VOLSVC_LAB_DIR': str(self.root)}
        for binary in ('cinder-api', 'cinder-scheduler', 'cinder-volume'):
            self._spawn(binary, [venv / 'bin' / binary, '--config-file', conf], env=env)
        # Two cinder-volume processes serving one backend as a cluster.
        for node in CLUSTER_NODES:
            node_conf = etc / f'{node}.conf'
            self._write_conf(node_conf, sections + [
                '[DEFAULT]',
                f'host = {node}',
                f'cluster = {CLUSTER}',
                f'enabled_backends = {CLUSTER_BACKEND}',
                f"log_file = {self.logs / f'cinder-volume-{node}.log'}",
                f'[{CLUSTER_BACKEND}]',
                f'volume_driver = {DRIVERS}.ClusteredReplicatedFakeDriver',
                f'volume_backend_name = {CLUSTER_BACKEND}',
                'replication_device = backend_id:secondary',
            ])
            self._spawn(
                f'cinder-volume-{node}',
                [venv / 'bin' / 'cinder-volume', '--config-file', node_conf],
                env=env,
            )

    @staticmethod
    def _write_conf(path, lines):
        path.write_text('\n'.join(lines) + '\n')
        path.chmod(0o600)

    def _write_clouds(self):
        def cloud(user, project):
            return {
                'auth': {
                    'auth_url': self._keystone_url(),
                    'username': user,
                    'password': self.state['passwords'][user],
                    'project_name': project,
                    'user_domain_id': 'default',
                    'project_domain_id': 'default',
                },
                'region_name': 'RegionOne',
                'identity_api_version': 3,
                'interface': 'public',
            }

        # JSON is YAML: no PyYAML needed here.
        self.clouds_file.write_text(json.dumps({'clouds': {
            'devstack-admin': cloud('admin', 'admin'),
            'devstack': cloud('demo', 'demo'),
        }}, indent=2))
        self.clouds_file.chmod(0o600)

    def expected_services(self):
        host = socket.gethostname()
        return {('cinder-scheduler', host)} | {
            ('cinder-volume', f'{host}@{backend}') for backend in BACKENDS
        } | {
            ('cinder-volume', f'{node}@{CLUSTER_BACKEND}') for node in CLUSTER_NODES
        }

    def _wait_for_services(self, timeout=180):
        def up():
            try:
                token, project = self.token()
                status, reply, _ = http(
                    'GET',
                    f"http://127.0.0.1:{self.ports['cinder']}/v3/{project}/os-services",
                    token,
                )
            except (OSError, LabError):
                return set()
            if status != 200:
                return set()
            return {(s['binary'], s['host']) for s in reply['services'] if s['state'] == 'up'}

        expected = self.expected_services()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            missing = expected - up()
            if not missing:
                return
            time.sleep(1)
        binary, host = sorted(missing)[0]
        raise LabError(
            f'{binary} on {host} did not report up within {timeout} s; see '
            f"{self.logs / (binary + '.log')}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='tools/lab', description='A real Cinder on 127.0.0.1 for volsvcclient tests.'
    )
    parser.add_argument(
        '--dir',
        default=os.environ.get(
            'VOLSVC_LAB_DIR', os.path.expanduser('~/.cache/volsvcclient-lab')
        ),
        help='State, logs, server venvs and clouds.yaml (default %(default)s)',
    )
    for name, port in DEFAULT_PORTS.items():
        parser.add_argument(f'--{name}-port', type=int, default=port,
                            help=f'Port of {name} on 127.0.0.1 (default {port})')
    commands = parser.add_subparsers(dest='command', required=True)
    up = commands.add_parser('up', help='Bring the lab up (idempotent)')
    up.add_argument('--cinder-version', default=DEFAULT_CINDER, choices=sorted(RELEASES))
    commands.add_parser('down', help='Stop every process the lab started')
    commands.add_parser('status', help='Show the lab processes')
    commands.add_parser('env', help='Print the variables to export')
    for verb in ('stop', 'start'):
        one = commands.add_parser(verb, help=f'{verb.title()} one lab process')
        one.add_argument('name', help='e.g. cinder-api')
    add = commands.add_parser(
        'add-services', help='Register extra cinder-volume service records'
    )
    add.add_argument('count', type=int)
    commands.add_parser('remove-services', help='Remove the extra service records')
    reset = commands.add_parser(
        'reset-cluster', help='Re-enable, thaw and fail back a cluster in the database'
    )
    reset.add_argument('cluster')
    args = parser.parse_args(argv)
    ports = {name: getattr(args, f'{name}_port') for name in DEFAULT_PORTS}
    lab = Lab(args.dir, ports)
    try:
        if args.command == 'up':
            lab.up(args.cinder_version)
        elif args.command == 'down':
            lab.down()
        elif args.command == 'status':
            return lab.status()
        elif args.command == 'env':
            lab.env()
        elif args.command in ('stop', 'start'):
            getattr(lab, args.command)(args.name)
        elif args.command == 'add-services':
            lab.add_services(args.count)
        elif args.command == 'reset-cluster':
            lab.reset_cluster(args.cluster)
        else:
            lab.remove_services()
    except LabError as exc:
        say(f'error: {exc}')
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == '__main__':
    sys.exit(main())
