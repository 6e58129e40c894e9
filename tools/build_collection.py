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

"""Write the volsvc.cinder collection's galaxy.yml and requirements.txt
from their templates: the version of the volsvcclient package, and the
oldest volsvcclient the modules accept.

The collection is released with the package it runs on, so it carries the
package's version, as openstack.cloud's tools/build.py writes galaxy.yml
from galaxy.yml.in with pbr's: pbr reads it from git (a tag 1.2.0 gives
1.2.0; four commits past it, 1.2.1.dev4) and galaxy wants semver
(1.2.1-dev4). The execution environment's requirements.txt names the
package from MIN_VOLSVCCLIENT in plugins/module_utils/module.py, the
version below which the modules fail naming what to install: one number
for both.

Usage: python tools/build_collection.py [--version PEP440_VERSION]
Then: ansible-galaxy collection build ansible_collections/volsvc/cinder
"""

import argparse
import ast
import pathlib
import sys

from packaging import version as versions

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLLECTION = ROOT / 'ansible_collections' / 'volsvc' / 'cinder'
#: The one placeholder of each template.
PLACEHOLDER = '@VERSION@'


def package_version() -> str:
    """The version pbr gives the package built from this tree."""
    from pbr import packaging

    return packaging.get_version('volsvcclient', pre_version=None)


def semver(pep440: str) -> str:
    """The semver form of a PEP 440 release: 1.2.0, 1.2.1-dev4, 2.0.0-rc1."""
    parsed = versions.Version(pep440)
    if parsed.post is not None or parsed.local is not None or parsed.epoch:
        raise ValueError(f'{pep440}: no semver form (post, local or epoch)')
    base = '.'.join(str(part) for part in (parsed.release + (0, 0))[:3])
    tags = []
    if parsed.pre is not None:
        tags.append(f'{parsed.pre[0]}{parsed.pre[1]}')
    if parsed.dev is not None:
        tags.append(f'dev{parsed.dev}')
    return base + ('-' + '.'.join(tags) if tags else '')


def minimum() -> str:
    """MIN_VOLSVCCLIENT of the modules' module_utils/module.py."""
    source = COLLECTION / 'plugins' / 'module_utils' / 'module.py'
    for node in ast.parse(source.read_text()).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and getattr(node.targets[0], 'id', None) == 'MIN_VOLSVCCLIENT'):
            return str(versions.Version(ast.literal_eval(node.value)))
    raise ValueError(f'{source}: no MIN_VOLSVCCLIENT')


def render(template: pathlib.Path, value: str) -> None:
    """``template`` (NAME.in) written to NAME with its placeholder filled."""
    text = template.read_text()
    if text.count(PLACEHOLDER) != 1:
        raise ValueError(f'{template}: expected {PLACEHOLDER} once')
    template.with_suffix('').write_text(text.replace(PLACEHOLDER, value))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--version', help="the package's version (default: pbr's, from git)")
    args = parser.parse_args(argv)
    try:
        pep440 = str(versions.Version(args.version or package_version()))
        render(COLLECTION / 'galaxy.yml.in', semver(pep440))
        render(COLLECTION / 'requirements.txt.in', minimum())
    except (ValueError, OSError, versions.InvalidVersion) as exc:
        print(f'build_collection: {exc}', file=sys.stderr)
        return 1
    print(semver(pep440))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
