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

"""Print how many of the package's functions are fully annotated.

A function counts when its return and every parameter but self/cls carry
an annotation. Tests are left out. Issue: at least 90 %.

    python tools/typed_share.py [--min PERCENT] [--list]
"""

import argparse
import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / 'volsvcclient'


def functions(path: pathlib.Path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def annotated(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    args = node.args
    params = args.posonlyargs + args.args + args.kwonlyargs
    params += [a for a in (args.vararg, args.kwarg) if a]
    named = [p for p in params if p.arg not in ('self', 'cls')]
    return node.returns is not None and all(p.annotation is not None for p in named)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--min', type=float, default=0.0)
    parser.add_argument('--list', action='store_true', help='name the others')
    options = parser.parse_args()
    total = typed = 0
    for path in sorted(ROOT.rglob('*.py')):
        if 'tests' in path.relative_to(ROOT).parts:
            continue
        for node in functions(path):
            total += 1
            if annotated(node):
                typed += 1
            elif options.list:
                print(f'{path.relative_to(ROOT.parent)}:{node.lineno} {node.name}')
    share = 100.0 * typed / total if total else 100.0
    print(f'{typed} of {total} functions annotated ({share:.1f} %)')
    return 0 if share >= options.min else 1


if __name__ == '__main__':
    sys.exit(main())
