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

"""Benchmarks of volsvcclient against the lab, beside upstream OSC and cinderclient.

Run through ``tools/bench`` (which builds the venvs), with the lab up and its
environment exported (``eval "$(tools/lab env)"``). It prints figures only;
targets are judged by reading them (doc/source/performance.rst).
"""

import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
HELP_RUNS = 21
MEASURE = (
    'import resource, subprocess, sys, time\n'
    'start = time.perf_counter()\n'
    'code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,'
    ' stderr=subprocess.DEVNULL).returncode\n'
    'wall = time.perf_counter() - start\n'
    'print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n'
)


class Bench:
    def __init__(self, ours, upstream, runs):
        self.ours = pathlib.Path(ours)
        self.upstream = pathlib.Path(upstream)
        self.runs = runs
        self.env = {
            k: v for k, v in os.environ.items()
            if not k.startswith('OS_') or k in ('OS_CLIENT_CONFIG_FILE', 'OS_CLOUD')
        }
        self.env.pop('PYTHONDONTWRITEBYTECODE', None)
        self.lab_dir = os.environ.get('VOLSVC_LAB_DIR')
        self.figures = {}

    # Helpers

    def openstack(self, venv, *args):
        return [str(venv / 'bin' / 'openstack'), *args]

    def measure(self, argv, env=None):
        """Median wall seconds and median peak RSS (MiB) over the runs."""
        return self.interleaved({'': argv}, self.runs, env)['']

    def interleaved(self, commands, runs, env=None):
        """{name: (median wall s, median peak RSS MiB)} of commands run in
        turn, so that machine noise falls on each alike."""
        walls = {name: [] for name in commands}
        peaks = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                out = subprocess.run(
                    [sys.executable, '-c', MEASURE, *argv], capture_output=True,
                    text=True, env=env or self.env, check=True,
                ).stdout.split()
                if out[2] != '0':
                    raise SystemExit(f"bench: {' '.join(argv[-6:])} exited {out[2]}")
                walls[name].append(float(out[0]))
                peaks[name].append(int(out[1]) / 1024)
        return {
            name: (statistics.median(walls[name]), statistics.median(peaks[name]))
            for name in commands
        }

    def volsvc(self, *args):
        return [str(self.ours / 'bin' / 'volsvc'), *args]

    def wall(self, argv):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=self.env, check=True)
        return time.perf_counter() - start

    def run(self, argv, **kwargs):
        return subprocess.run(argv, capture_output=True, text=True, env=self.env,
                              check=True, **kwargs)

    def lab(self, *args):
        if not self.lab_dir:
            raise SystemExit('bench: VOLSVC_LAB_DIR is not set: eval "$(tools/lab env)"')
        subprocess.run(
            [sys.executable, '-m', 'volsvcclient.tests.functional.lab', '--dir',
             self.lab_dir, *args], check=True, capture_output=True, cwd=REPO,
        )

    def record(self, name, value, unit=''):
        self.figures[name] = value
        shown = f'{value:.3f}' if isinstance(value, float) else str(value)
        print(f'  {name:<58} {shown} {unit}'.rstrip(), flush=True)

    # Figures

    def import_cost(self):
        print('import cost')
        python = str(self.ours / 'bin' / 'python')
        subprocess.run([python, '-m', 'compileall', '-q', str(REPO / 'volsvcclient')],
                       env=self.env, check=True)
        code = (
            'import osc_lib.command.command, osc_lib.utils, osc_lib.exceptions\n'
            'import volsvcclient.osc.plugin, volsvcclient.osc.v2.reading,'
            ' volsvcclient.osc.v2.changing, volsvcclient.osc.v2.commit,'
            ' volsvcclient.osc.v2.replication, volsvcclient.osc.v3.service,'
            ' volsvcclient.osc.v2.operations, volsvcclient.osc.v3.operations'
        )
        totals, plugin = [], []
        for _ in range(max(self.runs, 5)):
            trace = subprocess.run([python, '-X', 'importtime', '-c', code],
                                   capture_output=True, text=True, env=self.env).stderr
            own = [line for line in trace.splitlines() if ' volsvcclient' in line]
            totals.append(sum(int(line.split('|')[0].split(':')[1]) for line in own))
            plugin.append(sum(int(line.split('|')[0].split(':')[1]) for line in own
                              if line.rstrip().endswith(('volsvcclient.osc.plugin',
                                                         '| volsvcclient'))))
        self.record('volsvcclient.osc.plugin import (self, ms)', statistics.median(plugin) / 1000)
        self.record('all volsvcclient command modules (self, ms)',
                    statistics.median(totals) / 1000)
        # A 1 ms difference in a 0.7 s run: interleave many runs so that
        # machine noise falls on both sides alike.
        with_plugin, without = [], []
        for _ in range(HELP_RUNS):
            with_plugin.append(self.wall(self.openstack(self.ours, '--help')))
            without.append(self.wall(self.openstack(self.upstream, '--help')))
        with_plugin, without = statistics.median(with_plugin), statistics.median(without)
        self.record(f'openstack --help with the plugin (s, median of {HELP_RUNS})',
                    with_plugin)
        self.record('openstack --help without it (s)', without)
        self.record('ratio with/without', with_plugin / without)

    def api_import_cost(self):
        """What the Python API adds to a program that already uses
        openstacksdk: ``import volsvcclient.api`` and its Client (loaded
        lazily) over ``import openstack.connection``."""
        print(f'Python API import: median of {HELP_RUNS}, interleaved')
        python = str(self.ours / 'bin' / 'python')
        sdk = 'import openstack.connection'
        runs = self.interleaved({
            'sdk': [python, '-c', sdk],
            'api': [python, '-c', sdk + '; import volsvcclient.api; volsvcclient.api.Client'],
        }, HELP_RUNS)
        self.record('import openstack.connection (s)', runs['sdk'][0])
        self.record('the same and volsvcclient.api.Client (s)', runs['api'][0])
        self.record('volsvcclient.api over openstack.connection (ms)',
                    (runs['api'][0] - runs['sdk'][0]) * 1000)

    def requests_per_command(self, host):
        print('HTTP requests per command (from --debug)')
        for label, venv in (('volsvcclient', self.ours), ('upstream OSC', self.upstream)):
            for name, args in (
                ('list', ('volume', 'service', 'list')),
                ('set --disable --disable-reason', ('volume', 'service', 'set',
                                                    '--disable', '--disable-reason',
                                                    'bench', host, 'cinder-volume')),
            ):
                trace = subprocess.run(self.openstack(venv, '--debug', *args),
                                       capture_output=True, text=True, env=self.env).stderr
                requests = re.findall(r'^REQ: curl -g -i -X (\w+) "?(\S+?)"?\s', trace, re.M)
                cinder = [m for m, url in requests if ':8776' in url or 'volume' in url]
                self.record(f'{label}: {name}: all / to Cinder',
                            f'{len(requests)} / {len(cinder)}')
            self.run(self.openstack(self.ours, 'volume', 'service', 'commit', host,
                                    'cinder-volume', '--status', 'enabled',
                                    '--enable-via-thaw'))

    def list_cost(self):
        print('openstack volume service list: median wall and peak RSS')
        self.small = len(json.loads(self.run(self.openstack(
            self.ours, 'volume', 'service', 'list', '-f', 'json')).stdout))
        figures = self.interleaved({
            'ours': self.openstack(self.ours, 'volume', 'service', 'list'),
            'upstream': self.openstack(self.upstream, 'volume', 'service', 'list'),
            # cinderclient reads OS_* only: its environment is a copy for the
            # same cloud, which the other two ignore (they read OS_CLOUD).
            'cinder': [str(self.upstream / 'bin' / 'cinder'), 'service-list'],
        }, self.runs, env=self.cinderclient_env(keep_cloud=True))
        ours, upstream, cinder = figures['ours'], figures['upstream'], figures['cinder']
        for label, (wall, rss) in (('volsvcclient', ours), ('upstream OSC', upstream),
                                   ('cinderclient', cinder)):
            self.record(f'{label} (s, MiB)', f'{wall:.2f} s, {rss:.0f} MiB')
        self.record('wall ratio ours/upstream OSC', ours[0] / upstream[0])
        self.record('wall ratio ours/cinderclient', ours[0] / cinder[0])
        self.record('RSS ratio ours/upstream OSC', ours[1] / upstream[1])
        self.record('RSS ratio ours/cinderclient', ours[1] / cinder[1])
        return ours

    def standalone(self):
        runs = max(self.runs, 7)
        print(f'volsvc beside openstack with the plugin: median of {runs}, interleaved')
        figures = self.interleaved({
            'volsvc list': self.volsvc('list'),
            'openstack volume service list': self.openstack(
                self.ours, 'volume', 'service', 'list'),
            'upstream OSC volume service list': self.openstack(
                self.upstream, 'volume', 'service', 'list'),
        }, runs)
        for name, (wall, rss) in figures.items():
            self.record(f'{name} (s, MiB)', f'{wall:.2f} s, {rss:.0f} MiB')
        ours, plugin = figures['volsvc list'], figures['openstack volume service list']
        self.record('volsvc/openstack list wall ratio (target <= 0.6)', ours[0] / plugin[0])
        self.record('volsvc/openstack list RSS ratio (target <= 0.6)', ours[1] / plugin[1])
        helps = {'volsvc': [], 'openstack': []}
        for _ in range(HELP_RUNS):
            helps['volsvc'].append(self.wall(self.volsvc('--help')))
            helps['openstack'].append(self.wall(self.openstack(self.ours, '--help')))
        volsvc_help = statistics.median(helps['volsvc'])
        openstack_help = statistics.median(helps['openstack'])
        self.record(f'volsvc --help (s, median of {HELP_RUNS})', volsvc_help)
        self.record('openstack --help (s)', openstack_help)
        self.record('volsvc/openstack --help ratio (target < 0.33)',
                    volsvc_help / openstack_help)
        return ours

    def cinderclient_env(self, keep_cloud=False):
        from openstack import config

        auth = config.OpenStackConfig().get_one(
            cloud=self.env.get('OS_CLOUD', 'devstack-admin')).config['auth']
        env = dict(self.env)
        if not keep_cloud:
            env.pop('OS_CLOUD', None)
        env.update({
            'OS_AUTH_URL': auth['auth_url'], 'OS_USERNAME': auth['username'],
            'OS_PASSWORD': auth['password'], 'OS_PROJECT_NAME': auth['project_name'],
            'OS_USER_DOMAIN_ID': auth.get('user_domain_id', 'default'),
            'OS_PROJECT_DOMAIN_ID': auth.get('project_domain_id', 'default'),
            'OS_VOLUME_API_VERSION': '3',
        })
        return env

    def saved_extras(self, count):
        rows = json.loads(self.run(self.openstack(
            self.ours, 'volume', 'service', 'list', '--long', '-f', 'json')).stdout)
        extras = sorted((r for r in rows if r['Host'].startswith('extra-')),
                        key=lambda r: r['Host'])[:count]
        return extras

    def batch(self, loop):
        print('disable then restore N services')
        self.lab('remove-services')
        self.lab('add-services', '1000')
        applies_enable = self._applies_enable()
        if not applies_enable:
            print('  (this Cinder ignores os-services/enable: restore cannot '
                  're-enable records that never report; run on Cinder 27.0.0)')
        for count in (100, 1000):
            saved = self.saved_extras(count)
            wanted = [dict(r, **{'Status': 'disabled', 'Disabled Reason': 'bench'})
                      for r in saved]
            with tempfile.TemporaryDirectory() as tmp:
                saved_file = pathlib.Path(tmp, 'saved.json')
                wanted_file = pathlib.Path(tmp, 'wanted.json')
                saved_file.write_text(json.dumps(saved))
                wanted_file.write_text(json.dumps(wanted))
                start = time.perf_counter()
                disabled = self.commit(wanted_file)
                restored = self.commit(saved_file)
                wall = time.perf_counter() - start
            self.record(f'{count}: one commit to disable + one to restore (s)', wall)
            self.record(f'{count}: results (disable; restore)', f'{disabled}; {restored}')
            if count == 100:
                batch_100 = wall
        if loop:
            hosts = [r['Host'] for r in self.saved_extras(100)]
            start = time.perf_counter()
            for host in hosts:
                self.run(self.openstack(self.ours, 'volume', 'service', 'set', '--disable',
                                        '--disable-reason', 'bench', host, 'cinder-volume'))
            for host in hosts:
                subprocess.run(self.openstack(self.ours, 'volume', 'service', 'set',
                                              '--enable', host, 'cinder-volume'),
                               capture_output=True, env=self.env)
            loop_wall = time.perf_counter() - start
            self.record('100: shell loop of 200 "openstack volume service set" (s)', loop_wall)
            self.record('100: speed-up of commit over the loop', loop_wall / batch_100)
        self.lab('remove-services')

    def commit(self, path):
        result = subprocess.run(self.openstack(
            self.ours, 'volume', 'service', 'commit', '--from-file', str(path),
            '-f', 'json'), capture_output=True, text=True, env=self.env)
        counts = {}
        for row in json.loads(result.stdout or '[]'):
            counts[row['Result']] = counts.get(row['Result'], 0) + 1
        return ', '.join(f'{n} {r}' for r, n in sorted(counts.items()))

    def _applies_enable(self):
        """Cinder before 28.0.0 applies os-services/enable; it also still
        routes os-services/failover (an invalid body: 400 there, 404 after)."""
        session, endpoint = self.raw_session()
        response = session.put(
            endpoint + '/os-services/failover', json={'no-such-field': 1},
            headers={'OpenStack-API-Version': 'volume 3.26'}, raise_exc=False)
        return response.status_code != 404

    def raw_session(self):
        from openstack import config

        region = config.OpenStackConfig().get_one(
            cloud=self.env.get('OS_CLOUD', 'devstack-admin'))
        return (region.get_session(),
                region.get_session_endpoint('block-storage').rstrip('/'))

    def large_list(self, small):
        """``small``: {program: (wall, RSS)} of the same list at lab size."""
        print('list -f json with 10,000 services')
        self.lab('remove-services')
        self.lab('add-services', '10000')
        large = self.interleaved({
            'volsvcclient': self.openstack(self.ours, 'volume', 'service', 'list',
                                           '-f', 'json'),
            'volsvc': self.volsvc('list', '-f', 'json'),
            'upstream OSC': self.openstack(self.upstream, 'volume', 'service', 'list',
                                           '-f', 'json'),
        }, self.runs)
        get_large = self.raw_get_seconds()
        self.lab('remove-services')
        get_small = self.raw_get_seconds()
        for name, (wall, rss) in large.items():
            self.record(f'{name} wall, RSS', f'{wall:.2f} s, {rss:.0f} MiB')
        self.record(f'the GET alone, 10,000 vs {self.small} services (s)',
                    f'{get_large:.3f} vs {get_small:.3f}')
        for name, (wall, rss) in small.items():
            client = (large[name][0] - wall) - (get_large - get_small)
            self.record(f'{name}: client-side time beyond the {self.small}-service '
                        f'run and the GET (s)', client)
            self.record(f'{name}: memory beyond the {self.small}-service run (MiB)',
                        large[name][1] - rss)

    def raw_get_seconds(self):
        session, endpoint = self.raw_session()
        url = endpoint + '/os-services'
        session.get(url)
        times = []
        for _ in range(self.runs):
            start = time.perf_counter()
            session.get(url, headers={'OpenStack-API-Version': 'volume 3.49'})
            times.append(time.perf_counter() - start)
        return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(prog='tools/bench')
    parser.add_argument('--ours', default=str(REPO / '.venv'))
    parser.add_argument('--upstream', default=str(REPO / '.bench' / 'upstream'))
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--no-loop', action='store_true',
                        help='Skip the 200-command shell loop (minutes)')
    parser.add_argument('--json', metavar='<file>', help='Also write the figures here')
    parser.add_argument('--only-standalone', action='store_true',
                        help='Only volsvc beside openstack (a minute)')
    parser.add_argument('--only-imports', action='store_true',
                        help='Only the import costs, the plugin\'s and the API\'s')
    args = parser.parse_args()
    bench = Bench(args.ours, args.upstream, args.runs)
    # An unclustered backend: Cinder freezes and thaws clusters unevenly.
    host = sorted(
        r['Host'] for r in json.loads(bench.run(bench.openstack(
            bench.ours, 'volume', 'service', 'list', '--service', 'cinder-volume',
            '-f', 'json')).stdout)
        if not r.get('Cluster')
    )[0]
    if args.only_standalone:
        bench.standalone()
        return
    bench.import_cost()
    bench.api_import_cost()
    if args.only_imports:
        return
    bench.requests_per_command(host)
    small = {'volsvcclient': bench.list_cost(), 'volsvc': bench.standalone()}
    bench.batch(loop=not args.no_loop)
    bench.large_list(small)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(bench.figures, indent=2))


if __name__ == '__main__':
    main()
