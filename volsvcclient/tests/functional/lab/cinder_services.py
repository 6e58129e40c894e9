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

"""Cinder api, scheduler and volume, their configuration and their services.

One cinder-volume serves ``lvmdriver-1`` on Cinder's LVM driver (see
``lvm_backend``), ``fake-2`` on Cinder's fake driver (reporting its own
backend name) and ``replicated`` on our replicating test driver; two more
serve the backend ``clustered`` as an active-active cluster. Each backend
reports one pool named after it (``vm@fake-2#fake-2``).
"""

import pathlib
import shutil
import socket
import time

from volsvcclient.tests.functional.lab import api
from volsvcclient.tests.functional.lab import broker
from volsvcclient.tests.functional.lab import database
from volsvcclient.tests.functional.lab import lvm_backend
from volsvcclient.tests.functional.lab import processes

BACKENDS = ('lvmdriver-1', 'fake-2', 'replicated')
CLUSTER = 'labcluster'
CLUSTER_BACKEND = 'clustered'
CLUSTER_NODES = ('cluster-node-1', 'cluster-node-2')
#: The module cinder-volume imports our drivers from, through PYTHONPATH.
DRIVERS = 'volsvcclient.tests.functional.lab.replicated_driver'
#: The checkout, whose volsvcclient package holds DRIVERS.
REPO = pathlib.Path(__file__).resolve().parents[4]


def start(lab, venv):
    etc = lab.root / 'cinder'
    state_path = etc / 'state'
    shutil.rmtree(etc, ignore_errors=True)
    state_path.mkdir(parents=True)
    conf = etc / 'cinder.conf'
    sections = [
        '[DEFAULT]',
        f'transport_url = {broker.transport_url(lab)}',
        'auth_strategy = keystone',
        f"enabled_backends = {','.join(BACKENDS)}",
        f"api_paste_config = {venv / 'etc' / 'cinder' / 'api-paste.ini'}",
        'osapi_volume_listen = 127.0.0.1',
        f"osapi_volume_listen_port = {lab.ports['cinder']}",
        'osapi_volume_workers = 2',
        'report_interval = 2',
        'service_down_time = 10',
        'periodic_interval = 10',
        'my_ip = 127.0.0.1',
        f'state_path = {state_path}',
        f'log_dir = {lab.logs}',
        '[oslo_concurrency]',
        f"lock_path = {state_path / 'lock'}",
        '[database]',
        f"connection = {database.url(lab, 'cinder')}",
        '[keystone_authtoken]',
        f'www_authenticate_uri = {api.keystone_url(lab)}',
        f'auth_url = {api.keystone_url(lab)}',
        'auth_type = password',
        'username = cinder',
        f"password = {lab.state['passwords']['cinder']}",
        'project_name = service',
        'user_domain_id = default',
        'project_domain_id = default',
    ]
    backends = []
    for backend in BACKENDS:
        if backend == lvm_backend.BACKEND:
            backends += lvm_backend.configuration(lab)
            continue
        driver = (
            f'{DRIVERS}.ReplicatedFakeDriver'
            if backend == 'replicated'
            else f'{DRIVERS}.NamedFakeDriver'
        )
        backends += [f'[{backend}]', f'volume_driver = {driver}',
                     f'volume_backend_name = {backend}']
        if backend == 'replicated':
            backends.append('replication_device = backend_id:secondary')
    _write_conf(conf, sections + backends)
    processes.run([venv / 'bin' / 'cinder-manage', '--config-file', conf, 'db', 'sync'])
    env = {'PYTHONPATH': str(REPO), 'VOLSVC_LAB_DIR': str(lab.root)}
    for binary in ('cinder-api', 'cinder-scheduler', 'cinder-volume'):
        lab.spawn(binary, [venv / 'bin' / binary, '--config-file', conf], env=env)
    for node in CLUSTER_NODES:
        node_conf = etc / f'{node}.conf'
        _write_conf(node_conf, sections + [
            '[DEFAULT]',
            f'host = {node}',
            f'cluster = {CLUSTER}',
            f'enabled_backends = {CLUSTER_BACKEND}',
            f"log_file = {lab.logs / f'cinder-volume-{node}.log'}",
            f'[{CLUSTER_BACKEND}]',
            f'volume_driver = {DRIVERS}.ClusteredReplicatedFakeDriver',
            f'volume_backend_name = {CLUSTER_BACKEND}',
            'replication_device = backend_id:secondary',
        ])
        lab.spawn(
            f'cinder-volume-{node}',
            [venv / 'bin' / 'cinder-volume', '--config-file', node_conf],
            env=env,
        )


def _write_conf(path, lines):
    path.write_text('\n'.join(lines) + '\n')
    # It holds passwords.
    path.chmod(0o600)


def services_by_process():
    """Lab process name -> (binary, host) of the service records it keeps up."""
    host = socket.gethostname()
    services = {
        'cinder-scheduler': {('cinder-scheduler', host)},
        'cinder-volume': {('cinder-volume', f'{host}@{backend}') for backend in BACKENDS},
    }
    for node in CLUSTER_NODES:
        services[f'cinder-volume-{node}'] = {('cinder-volume', f'{node}@{CLUSTER_BACKEND}')}
    return services


def expected_services():
    """(binary, host) of every service record the lab's processes keep up."""
    return set().union(*services_by_process().values())


def wait_for_services(lab, timeout=180):
    """Return when every expected service reports up."""
    def up():
        try:
            records = api.services(lab)
        except (OSError, processes.LabError):
            return set()
        return {(s['binary'], s['host']) for s in records if s['state'] == 'up'}

    expected = expected_services()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        missing = expected - up()
        if not missing:
            return
        time.sleep(1)
    binary, host = sorted(missing)[0]
    raise processes.LabError(
        f'{binary} on {host} did not report up within {timeout} s; see '
        f'{lab.log(binary)}'
    )
