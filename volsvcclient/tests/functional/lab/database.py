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

"""MariaDB for Keystone and Cinder, with its own datadir, socket and port.

The lab talks to it as root through the socket; the servers connect over
TCP as ``volsvc``.
"""

from volsvcclient.tests.functional.lab import packages
from volsvcclient.tests.functional.lab import processes

USER = 'volsvc'


def start(lab):
    """Start MariaDB and create empty keystone and cinder databases."""
    datadir = lab.root / 'mariadb'
    if not (datadir / 'mysql').exists():
        processes.run([
            'mariadb-install-db', '--no-defaults', f'--datadir={datadir}',
            '--user=root', '--auth-root-authentication-method=socket',
            '--skip-test-db',
        ])
    lab.spawn('mariadb', [
        packages.DEBIAN_PACKAGES['mariadb-server'], '--no-defaults',
        f'--datadir={datadir}', f'--socket={_socket(lab)}',
        f'--port={lab.ports["mariadb"]}',
        '--bind-address=127.0.0.1', '--user=root', '--skip-name-resolve',
        f'--pid-file={lab.root / "mariadb.pid"}',
        '--innodb-buffer-pool-size=64M', '--max-connections=500',
    ])
    processes.wait_for('MariaDB', lambda: ready(lab), 60, lab.log('mariadb'))
    password = lab.state['passwords']['db']
    statements = []
    for database in ('keystone', 'cinder'):
        statements += [
            f'DROP DATABASE IF EXISTS {database}',
            f'CREATE DATABASE {database} CHARACTER SET utf8mb4',
        ]
    statements += [
        f"CREATE USER IF NOT EXISTS '{USER}'@'127.0.0.1' IDENTIFIED BY '{password}'",
        f"ALTER USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{password}'",
        f"GRANT ALL ON keystone.* TO '{USER}'@'127.0.0.1'",
        f"GRANT ALL ON cinder.* TO '{USER}'@'127.0.0.1'",
    ]
    sql(lab, ';'.join(statements))


def ready(lab):
    return processes.port_open(lab.ports['mariadb'])


def url(lab, database):
    """The SQLAlchemy URL a server uses for ``database``."""
    return (
        f"mysql+pymysql://{USER}:{lab.state['passwords']['db']}"
        f"@127.0.0.1:{lab.ports['mariadb']}/{database}?charset=utf8mb4"
    )


def sql(lab, statement, database=None):
    """Run ``statement`` as root; its rows, tab-separated, without headers."""
    return processes.run([
        'mariadb', '--no-defaults', f'--socket={_socket(lab)}', '-u', 'root',
        '--batch', '--skip-column-names', *([database] if database else []),
        '-e', statement,
    ])


def _socket(lab):
    return lab.root / 'mariadb.sock'
