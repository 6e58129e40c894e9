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

"""Give every source file the Apache 2.0 licence header OpenStack uses.

Re-run it after a merge brings new files; --check only lists the files
that lack it (exit 1), for CI. Python files tracked by git get it above the
module docstring; shell scripts below their opening comment. Empty files stay
empty (hacking's H104 refuses a file of comments only).

Usage: python tools/add_licence_headers.py [--check]
"""

import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADER = '''\
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
'''
#: What a file with the header has, whatever its indentation.
MARK = 'Apache License, Version 2.0'


def sources() -> list[pathlib.Path]:
    """Tracked Python files, and tracked files whose first line runs bash."""
    names = subprocess.run(
        ['git', 'ls-files', '-z'], cwd=ROOT, capture_output=True, text=True,
        check=True).stdout.split('\0')
    found = []
    for name in filter(None, names):
        path = ROOT / name
        if not path.is_file() or path.stat().st_size == 0:
            continue
        if name.endswith('.py'):
            found.append(path)
        elif path.read_bytes()[:64].startswith(b'#!/usr/bin/env bash'):
            found.append(path)
    return found


def with_header(text: str, script: bool) -> str:
    """``text`` with HEADER after its #! and coding lines; in a shell
    script, after its opening comment too, which says what it does and
    which some print as their --help (sed -n '2,7p' "$0")."""
    lines = text.splitlines(keepends=True)
    keep = 0
    while keep < len(lines) and (
            lines[keep].startswith('#!') or 'coding' in lines[keep][:25]
            or (script and lines[keep].startswith('#'))):
        keep += 1
    before = ''.join(lines[:keep]) + ('\n' if script else '')
    after = ''.join(lines[keep:])
    return before + HEADER + ('' if after.startswith('\n') else '\n') + after


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='list the files without the header; change none')
    args = parser.parse_args(argv)
    missing = [p for p in sources() if MARK not in p.read_text()[:2000]]
    for path in missing:
        if args.check:
            print(f'{path.relative_to(ROOT)}: no licence header',
                  file=sys.stderr)
        else:
            path.write_text(
                with_header(path.read_text(), path.suffix != '.py'))
    if not args.check:
        print(f'licence header added to {len(missing)} file(s)')
    return 1 if args.check and missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
