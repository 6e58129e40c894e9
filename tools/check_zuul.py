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

"""Fail when .zuul.yaml names a Zuul job or template that does not exist.

OpenStack's Zuul rejects a change whose .zuul.yaml names an unknown job or
project template, so a typo (or a job retired upstream, as the unversioned
openstack-tox-py3 was) would only show when the change is proposed. This
checks every name against tools/zuul-names.yaml, refreshed from the
repositories that define them by tools/refresh_zuul_names.py.

Usage: python tools/check_zuul.py [ZUUL_YAML [NAMES_YAML]]
"""

import pathlib
import sys
from typing import Any

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


def job_names(entries: list[Any]) -> list[str]:
    """Names in a pipeline's job list (a name, or {name: variant vars})."""
    return [next(iter(entry)) if isinstance(entry, dict) else entry
            for entry in entries]


def problems(config: list[dict[str, Any]], known: dict[str, Any]) -> list[str]:
    """One line per unknown name or unexpected item in a Zuul config."""
    ours = {item['job']['name'] for item in config if 'job' in item}
    jobs = set(known['jobs']) | ours
    templates = set(known['templates'])
    found = []
    for item in config:
        kind = next(iter(item))
        body = item[kind]
        if kind == 'job':
            parent = body.get('parent')
            if parent and parent not in jobs:
                found.append(f"job {body['name']}: unknown parent {parent}")
        elif kind == 'project':
            for name in body.get('templates', []):
                if name not in templates:
                    found.append(f'project: unknown template {name}')
            for pipeline, value in body.items():
                if isinstance(value, dict):
                    for name in job_names(value.get('jobs', [])):
                        if name not in jobs:
                            found.append(
                                f'project {pipeline}: unknown job {name}')
        else:
            found.append(f'unexpected item {kind!r}: only job and project')
    return found


def main(argv: list[str]) -> int:
    zuul = pathlib.Path(argv[0]) if argv else ROOT / '.zuul.yaml'
    names = (pathlib.Path(argv[1]) if len(argv) > 1
             else ROOT / 'tools' / 'zuul-names.yaml')
    try:
        found = problems(yaml.safe_load(zuul.read_text()),
                         yaml.safe_load(names.read_text()))
    except (OSError, yaml.YAMLError, AttributeError, KeyError,
            TypeError) as exc:
        print(f'{zuul}: cannot check: {str(exc).splitlines()[0]}',
              file=sys.stderr)
        return 1
    for line in found:
        print(f'{zuul}: {line}', file=sys.stderr)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
