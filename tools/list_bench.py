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

"""Client time of ``openstack volume service list`` for many services.

Runs the real ``openstack`` shell in-process against the unit tests' fake
Cinder 27 and Keystone, with each os-services answer computed once and
replayed, so the figures leave out the server's own GET. The client time
is the run with N services minus the run with none (start-up, imports and
authentication cancel out).

    PYTHONPATH=<tree> python tools/list_bench.py [--services N] [--runs R] [--save DIR]
        [--profile ARGS] [FORMAT ...]

``--save DIR`` writes each format's output to DIR/<name> for byte
comparisons between two trees; ``--profile '-f json'`` prints cProfile's
top entries for one command. The tree on PYTHONPATH is the one measured.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from unittest import mock

import requests_mock

from volsvcclient.tests.unit import fakes

CASES = {
    'json': ['-f', 'json'],
    'json-long': ['-f', 'json', '--long'],
    'value': ['-f', 'value'],
    'value-long': ['-f', 'value', '--long'],
    'table': ['-f', 'table'],
    'table-long': ['-f', 'table', '--long'],
    'yaml': ['-f', 'yaml'],
    'yaml-long': ['-f', 'yaml', '--long'],
    'csv': ['-f', 'csv'],
    'csv-long': ['-f', 'csv', '--long'],
    'json-columns': ['-f', 'json', '-c', 'Host', '-c', 'Status', '-c', 'Frozen', '--long'],
    'value-filtered': ['-f', 'value', '--status', 'disabled', '--long'],
}


def populate(cinder, count):
    """``count`` services as a large deployment has them: a scheduler and a
    backup per node, cinder-volume backends, some clustered, disabled,
    frozen, down or failed over, and some odd text."""
    binaries = ('cinder-volume', 'cinder-volume', 'cinder-scheduler', 'cinder-backup')
    for i in range(count):
        binary = binaries[i % len(binaries)]
        node = f'node{i // 4:05d}'
        host = f'{node}@lvm{i % 3}' if binary == 'cinder-volume' else node
        fields = {
            'zone': f'az{i % 5}',
            'updated_at': f'2026-11-24T09:{i % 60:02d}:{i % 53:02d}.000000',
        }
        if i % 17 == 0:
            fields.update(disabled=True, disabled_reason=f'maintenance «{i}» "rack 7"\tok')
        if i % 23 == 0:
            fields['state'] = 'down'
        if binary == 'cinder-volume':
            if i % 11 == 0:
                fields['cluster_name'] = f'cluster{i % 7}@lvm'
            if i % 29 == 0:
                fields['frozen'] = True
            if i % 31 == 0:
                fields.update(replication_status='failed-over', active_backend_id='secondary')
        cinder.add(host, binary, **fields)


class ReplayedCinder(fakes.FakeCinder):
    """The fake Cinder answering each distinct os-services GET once and
    replaying that answer, so the server's own work is not timed."""

    def _index(self, request, context):
        answers = self.__dict__.setdefault('answers', {})
        key = (request.url, request.headers.get('OpenStack-API-Version'))
        if key not in answers:
            text = super()._index(request, context)
            answers[key] = (text, context.status_code, dict(context.headers))
        text, context.status_code, headers = answers[key]
        context.headers.update(headers)
        return text


class Cloud:
    """The fake cloud with ``count`` services, on its own requests mocker."""

    def __init__(self, count):
        os.environ.update(fakes.OS_ENVIRONMENT)
        self.mocker = requests_mock.Mocker(case_sensitive=True)
        with mock.patch.object(fakes, 'FakeCinder', ReplayedCinder):
            populate(fakes.Cloud(self.mocker, release=27).cinder, count)

    def run(self, args, stdout=None):
        """stdout of ``openstack volume service list ARGS``, or None when
        written to ``stdout``, a file (as when piped)."""
        from openstackclient import shell

        captured = stdout is None
        stdout = io.StringIO() if captured else stdout
        real = sys.stdout
        sys.stdout = stdout
        try:
            code = shell.OpenStackShell().run(['volume', 'service', 'list', *args])
        finally:
            sys.stdout = real
        if code:
            raise SystemExit(f'list {args} exited {code}')
        return stdout.getvalue() if captured else None


def timed(cloud, args, runs):
    times = []
    with open(os.devnull, 'w') as devnull:
        for _ in range(runs + 1):
            start = time.perf_counter()
            cloud.run(args, devnull)
            times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--services', type=int, default=10000)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--save')
    parser.add_argument('--profile')
    parser.add_argument('--top', type=int, default=30)
    parser.add_argument('cases', nargs='*')
    options = parser.parse_args()
    if 'OS_CLIENT_CONFIG_FILE' not in os.environ:
        os.environ['OS_CLIENT_CONFIG_FILE'] = '/dev/null'
    big = Cloud(options.services)
    big.mocker.start()
    if options.profile:
        args = options.profile.split()
        big.run(args)
        profile = cProfile.Profile()
        profile.enable()
        big.run(args)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats('cumulative').print_stats(options.top)
        stats.sort_stats('tottime').print_stats(options.top)
        return
    cases = options.cases or list(CASES)
    if options.save:
        os.makedirs(options.save, exist_ok=True)
        for name in cases:
            with open(os.path.join(options.save, name), 'w') as stream:
                stream.write(big.run(CASES[name]))
        return
    big.mocker.stop()
    empty = Cloud(0)
    for name in cases:
        args = CASES[name]
        empty.mocker.start()
        base = timed(empty, args, options.runs)
        empty.mocker.stop()
        big.mocker.start()
        full = timed(big, args, options.runs)
        big.mocker.stop()
        print(f'{name:16} {full - base:6.3f} s  (total {full:.3f}, empty {base:.3f})',
              flush=True)


if __name__ == '__main__':
    main()
