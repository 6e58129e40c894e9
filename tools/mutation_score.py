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

"""Per-module mutation score from mutmut's results in mutants/.

Killed counts the mutants a test failed on, or that hung until mutmut's
timeout (a busy loop outlives the SIGXCPU of its CPU-time limit and ends
with the SIGKILL that follows, -9); total is every mutant that ran.
Usage (tools/mutation calls it):
python tools/mutation_score.py [--survivors] [volsvcclient.engine.changes.* ...]
"""

import fnmatch
import json
import pathlib
import sys

KILLED = {1, 3, 24, -24, 36, 152, 255, -9}
SURVIVED = {0}
NOT_RUN = {None, 34}
NO_TESTS = {5, 33}


def module_results(root):
    for meta in sorted(root.rglob('*.py.meta')):
        module = str(meta.relative_to(root))[:-len('.py.meta')]
        module = module.replace('/', '.')
        if module.endswith('.__init__'):
            continue
        with open(meta) as f:
            yield module, json.load(f)['exit_code_by_key']


def main(argv):
    show_survivors = '--survivors' in argv
    globs = [a for a in argv if a != '--survivors'] or ['*']
    rows = []
    survivors = []
    for module, exit_codes in module_results(pathlib.Path('mutants')):
        chosen = {name: code for name, code in exit_codes.items()
                  if code not in NOT_RUN
                  and any(fnmatch.fnmatch(name, g) for g in globs)}
        if not chosen:
            continue
        codes = list(chosen.values())
        killed = sum(code in KILLED for code in codes)
        alive = sorted(name for name, code in chosen.items()
                       if code in SURVIVED | NO_TESTS)
        untested = sum(code in NO_TESTS for code in codes)
        other = len(codes) - killed - len(alive)
        rows.append((module, killed, len(codes), len(alive), untested, other))
        survivors.extend(alive)
    if not rows:
        print('no mutant ran: see mutants/run.log')
        return 1
    width = max(len(row[0]) for row in rows)
    print(f'{"module":<{width}}  killed / total      %  survived'
          '  (no tests)  other')
    for module, killed, total, alive, untested, other in rows:
        print(f'{module:<{width}}  {killed:>6} / {total:<5}  {killed / total:6.1%}'
              f'  {alive:>8}  {untested:>10}  {other:>5}')
    killed = sum(row[1] for row in rows)
    total = sum(row[2] for row in rows)
    print(f'{"all":<{width}}  {killed:>6} / {total:<5}  {killed / total:6.1%}'
          f'  {sum(row[3] for row in rows):>8}')
    if show_survivors:
        print('\nsurvivors (mutmut show NAME prints the diff):')
        for name in survivors:
            print(f'  {name}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
