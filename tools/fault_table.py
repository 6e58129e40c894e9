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

"""Measure each command with one part of the lab stopped; print the table.

    tools/lab up; eval "$(tools/lab env)"
    .venv/bin/python tools/fault_table.py > /tmp/table.rst

For each part it stops the part, runs every command with its default time
bounds, starts the part again and puts the services back as they were. The
figures go into doc/source/cinder-server-issues.rst ("When part of Cinder is
down"); the functional tests (test_degraded.py) assert the same behaviour.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
OPENSTACK = str(pathlib.Path(sys.executable).parent / 'openstack')
PARTS = ('cinder-scheduler', 'rabbitmq', 'cinder-volume', 'mariadb', 'keystone')


def lab(*args):
    subprocess.run([sys.executable, '-m', 'volsvcclient.tests.functional.lab', *args],
                   cwd=REPO, check=True, capture_output=True)


def openstack(*args):
    started = time.monotonic()
    done = subprocess.run([OPENSTACK, 'volume', 'service', *args],
                          capture_output=True, text=True)
    return time.monotonic() - started, done


def services():
    _, done = openstack('list', '--long', '-f', 'json', '--os-volume-api-version', '3.48')
    return {r['Host']: r for r in json.loads(done.stdout) if r['Binary'] == 'cinder-volume'}


def commands(host, replicated):
    return (
        ('list',),
        ('show', host, 'cinder-volume'),
        ('set', '--disable', '--disable-reason', 'fault table', host, 'cinder-volume'),
        ('freeze', host),
        ('thaw', host),
        ('failover', replicated),
        ('commit', host, 'cinder-volume', '--frozen'),
    )


def measure(part, host, replicated):
    lab('stop', part)
    try:
        if part == 'cinder-volume':
            while services()[host]['State'] != 'down':
                time.sleep(1)
        rows = []
        for args in commands(host, replicated):
            elapsed, done = openstack(*args)
            said = done.stderr.strip().splitlines()
            rows.append((args[0], elapsed, done.returncode, said[-1] if said else ''))
        return rows
    finally:
        lab('start', part)


def restore(saved, replicated):
    while subprocess.run([OPENSTACK, 'volume', 'service', 'list'],
                         capture_output=True, text=True).stderr:
        time.sleep(1)
    lab('reset-failover', replicated)
    if services()[replicated]['Replication Status'] == 'failed-over':
        openstack('failover', replicated, '--backend-id', 'default', '--wait')
    with tempfile.NamedTemporaryFile('w', suffix='.json') as stream:
        json.dump(saved, stream)
        stream.flush()
        openstack('commit', '--from-file', stream.name, '--enable-via-thaw')


def main():
    live = services()
    host = sorted(h for h, s in live.items()
                  if s['Cluster'] is None and s['Replication Status'] == 'disabled')[0]
    replicated = sorted(h for h, s in live.items()
                        if s['Cluster'] is None and s['Replication Status'] == 'enabled')[0]
    saved = [live[host], live[replicated]]
    print(f'.. measured with tools/fault_table.py on {time.strftime("%Y-%m-%d")}, '
          f'backend {host}, replicating backend {replicated}')
    for part in PARTS:
        rows = measure(part, host, replicated)
        restore(saved, replicated)
        print(f'\n{part} stopped:\n')
        for command, elapsed, code, said in rows:
            print(f'   {command:<9} {elapsed:5.1f} s  exit {code}  {said[:150]}')
        sys.stdout.flush()


if __name__ == '__main__':
    os.environ.pop('OS_VOLUME_API_VERSION', None)
    main()
