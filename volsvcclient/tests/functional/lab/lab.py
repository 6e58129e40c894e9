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

"""The lab as a whole: its directory and state, and bringing it up and down.

Every part (``database``, ``broker``, ``keystone_server``,
``cinder_services``) is given the ``Lab`` for its ports, passwords, logs and
``spawn``, which records each process in the state file so that ``down``
stops exactly what ``up`` started.
"""

import pathlib
import secrets
import time

from volsvcclient.tests.functional.lab import broker
from volsvcclient.tests.functional.lab import cinder_services
from volsvcclient.tests.functional.lab import database
from volsvcclient.tests.functional.lab import keystone_server
from volsvcclient.tests.functional.lab import lvm_backend
from volsvcclient.tests.functional.lab import packages
from volsvcclient.tests.functional.lab import processes


class Lab:
    def __init__(self, root, ports):
        self.root = pathlib.Path(root)
        self.logs = self.root / 'logs'
        self.state_file = self.root / 'state.json'
        self.clouds_file = self.root / 'clouds.yaml'
        self.state = processes.load_state(self.state_file)
        # A running lab keeps the ports it was started with.
        self.requested_ports = ports
        self.ports = self.state.get('ports') or ports

    def log(self, name):
        return self.logs / f'{name}.log'

    def save(self):
        processes.save_state(self.state_file, self.state)

    def spawn(self, name, argv, env=None, cwd=None, stop_argv=None):
        """Start a lab process and record it, replacing an earlier one of that name."""
        entry = processes.spawn(name, argv, self.log(name), env, cwd, stop_argv)
        recorded = self.state['processes']
        for index, old in enumerate(recorded):
            if old['name'] == name:
                recorded[index] = entry
                break
        else:
            recorded.append(entry)
        self.save()

    def entry(self, name):
        for entry in self.state.get('processes', []):
            if entry['name'] == name:
                return entry
        known = ', '.join(e['name'] for e in self.state.get('processes', []))
        raise processes.LabError(
            f'no lab process {name!r}; the lab runs: {known or "nothing"}'
        )

    def running(self):
        """Whether an ``up`` finished and all it started still runs: a crashed
        ``up`` leaves some processes running, which the next ``up`` stops."""
        recorded = self.state.get('processes', [])
        return (self.state.get('complete', False) and bool(recorded)
                and all(processes.alive(p) for p in recorded))

    def up(self, cinder_version):
        if cinder_version not in packages.RELEASES:
            raise processes.LabError(
                f'unknown Cinder release {cinder_version}; known: '
                f"{', '.join(packages.RELEASES)}"
            )
        if self.running():
            if self.state.get('cinder_version') != cinder_version:
                raise processes.LabError(
                    f"the lab runs Cinder {self.state['cinder_version']}; run "
                    f"'tools/lab down' first"
                )
            processes.say(f'already up (Cinder {cinder_version}); checking services')
            cinder_services.wait_for_services(self)
            return
        if self.state.get('processes'):
            processes.say('a previous lab is partly running: stopping it first')
            self.down()
        started = time.monotonic()
        self.ports = self.requested_ports
        self._check_ports()
        lvm_missing = lvm_backend.missing_requirement()
        packages.install_debian_packages(
            lvm_backend.DEBIAN_PACKAGES if lvm_missing is None else {}
        )
        venv = packages.server_venv(self.root, cinder_version)
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
        self.save()
        try:
            lvm_backend.start(self, lvm_missing)
            database.start(self)
            broker.start(self)
            keystone_server.start(self, venv)
            keystone_server.create_identities(self)
            cinder_services.start(self, venv)
            keystone_server.write_clouds(self)
            cinder_services.wait_for_services(self)
            self.state['complete'] = True
            self.save()
        except BaseException:
            processes.say('bring-up failed: stopping what was started')
            self.down()
            raise
        processes.say(
            f'up in {time.monotonic() - started:.0f} s: Cinder {cinder_version}'
            f' on http://127.0.0.1:{self.ports["cinder"]}; logs in {self.logs}'
        )

    def _check_ports(self):
        for name, port in self.ports.items():
            if name == 'epmd' and broker.epmd_answers(port):
                continue
            if name == 'iscsi':
                # Without it lvmdriver-1 keeps the fake driver (lvm_backend).
                continue
            if not processes.port_free(port):
                raise processes.LabError(
                    f'port {port} on 127.0.0.1 is taken ({name}); free it or '
                    f'choose another with --{name}-port'
                )

    def down(self):
        recorded = self.state.get('processes', [])
        for entry in reversed(recorded):
            processes.stop(entry)
        self.state['processes'] = []
        self.state['complete'] = False
        self.state.pop('lvm_backend', None)
        self.save()
        lvm_backend.remove(self)
        processes.say(f'down: stopped {len(recorded)} process group(s)')

    def status(self):
        recorded = self.state.get('processes', [])
        if not recorded:
            print('down')
            return 1
        for entry in recorded:
            word = 'running' if processes.alive(entry) else 'DEAD'
            print(f"{entry['name']:<16} pid {entry['pid']:<8} {word}")
        print(f"Cinder {self.state.get('cinder_version')}; clouds: {self.clouds_file}")
        print(lvm_backend.describe(self))
        return 0 if self.running() else 1

    def env(self):
        print(f'export OS_CLIENT_CONFIG_FILE={self.clouds_file}')
        print('export OS_CLOUD=devstack-admin')
        # Lets fault tests stop and start lab processes.
        print(f'export VOLSVC_LAB_DIR={self.root}')
