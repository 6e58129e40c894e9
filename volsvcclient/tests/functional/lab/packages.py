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

"""What the lab installs: Debian's MariaDB and RabbitMQ, a server venv.

The servers' Python packages go into a venv per Cinder release under the lab
directory, never into the client's venv, and are reused while it is complete.
"""

import os
import shutil
import sys

from volsvcclient.tests.functional.lab import processes

#: Cinder release -> Keystone release of the same OpenStack release.
RELEASES = {
    '29.0.0': '30.0.0',
    '28.0.0': '29.1.0',
    '27.0.0': '28.1.0',
}
DEFAULT_CINDER = '29.0.0'
SERVER_PACKAGES = ('gunicorn', 'PyMySQL', 'fixtures')
#: Debian package -> the program the lab runs from it.
DEBIAN_PACKAGES = {
    'mariadb-server': '/usr/sbin/mariadbd',
    'rabbitmq-server': '/usr/lib/rabbitmq/bin/rabbitmq-server',
}


def install_debian_packages(extra):
    """Install what the lab runs, and the ``extra`` packages (name -> program)."""
    wanted = {**DEBIAN_PACKAGES, **extra}
    missing = [p for p, path in wanted.items() if not os.path.exists(path)]
    if not missing:
        return
    processes.say(f"installing {', '.join(missing)} from Debian")
    env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
    processes.run(['apt-get', 'update', '-qq'], env=env)
    processes.run(['apt-get', 'install', '-y', '-qq', *missing], env=env)


def server_venv(root, cinder_version):
    """The venv with Cinder and Keystone of one release, built when missing."""
    venv = root / 'venvs' / f'cinder-{cinder_version}'
    done = venv / '.volsvc-complete'
    if done.exists():
        return venv
    processes.say(
        f'building the server venv: cinder=={cinder_version} '
        f'keystone=={RELEASES[cinder_version]}'
    )
    shutil.rmtree(venv, ignore_errors=True)
    processes.run([sys.executable, '-m', 'venv', venv])
    pip = [venv / 'bin' / 'python', '-m', 'pip', 'install', '-q']
    processes.run([*pip, '--upgrade', 'pip'])
    processes.run([
        *pip,
        f'cinder=={cinder_version}',
        f'keystone=={RELEASES[cinder_version]}',
        *SERVER_PACKAGES,
    ])
    done.write_text(cinder_version)
    return venv
