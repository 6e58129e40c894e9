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

"""``.. ansible-modules:: <collection directory>``: the reference of a
collection's modules, generated at build time from their DOCUMENTATION,
EXAMPLES and RETURN (doc fragments merged), as ``ansible-doc`` reads them.

The strings are read with ``ast``, so the build needs neither ansible-core
nor the collection installed; what the page shows cannot drift from what
``ansible-doc`` shows.
"""

from __future__ import annotations

import ast
import pathlib
import re
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils import statemachine
import yaml

#: Ansible's documentation markup, as rst.
_MARKUP = (
    (re.compile(r'L\(([^)]+?),\s*([^)]+)\)'), r'`\1 <\2>`__'),
    (re.compile(r'U\(([^)]+)\)'), r'\1'),
    (re.compile(r'[IOCVM]\(([^)]+)\)'), r'``\1``'),
    (re.compile(r'RV\(([^)]+)\)'), r'``\1``'),
    (re.compile(r'B\(([^)]+)\)'), r'**\1**'),
)


def markup(text: str) -> str:
    text = str(text)
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return text


def _strings(path: pathlib.Path, holder: str | None = None) -> dict[str, str]:
    """The string constants of a module file (or of class ``holder`` in it)."""
    tree = ast.parse(path.read_text(encoding='utf-8'))
    body = tree.body
    if holder:
        body = next(n.body for n in tree.body
                    if isinstance(n, ast.ClassDef) and n.name == holder)
    found = {}
    for node in body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            found[node.targets[0].id] = node.value.value
    return found


def documentation(collection: pathlib.Path, module: pathlib.Path) -> dict[str, Any]:
    """A module's DOCUMENTATION with its doc fragments merged in, and its
    EXAMPLES and RETURN."""
    strings = _strings(module)
    doc = yaml.safe_load(strings['DOCUMENTATION'])
    for fragment in doc.pop('extends_documentation_fragment', []):
        name = fragment.rsplit('.', 1)[-1]
        extra = yaml.safe_load(_strings(
            collection / 'plugins' / 'doc_fragments' / f'{name}.py',
            'ModuleDocFragment')['DOCUMENTATION'])
        # As ansible-doc merges them: an option the module documents too
        # keeps the module's keys, and the fragment's others (a default).
        options = doc.setdefault('options', {})
        for option, fields in extra.get('options', {}).items():
            options[option] = dict(fields, **options.get(option, {}))
        for key in ('requirements', 'notes'):
            doc[key] = doc.get(key, []) + extra.get(key, [])
    doc['examples'] = strings.get('EXAMPLES', '').strip()
    doc['returns'] = yaml.safe_load(strings.get('RETURN') or '{}') or {}
    return doc


def _paragraphs(text: Any) -> list[str]:
    return [markup(' '.join(str(p).split()))
            for p in (text if isinstance(text, list) else [text])]


def _described(fields: dict[str, Any], keys: tuple[str, ...]) -> str:
    said = []
    for key in keys:
        if key in fields:
            value = fields[key]
            if isinstance(value, list):
                value = ', '.join(f'``{v}``' for v in value)
            elif key != 'returned':
                value = f'``{value}``' if value != '' else 'empty'
            said.append(f'{key.replace("_", " ").capitalize()}: {value}.')
    return ' '.join(said)


def _entries(entries: dict[str, Any], keys: tuple[str, ...], indent: str = '') -> list[str]:
    lines = []
    for name, fields in entries.items():
        fields = fields or {}
        lines.append(f'{indent}``{name}``')
        body = indent + '   '
        for paragraph in _paragraphs(fields.get('description', '')):
            lines += [f'{body}{paragraph}', '']
        facts = _described(fields, keys)
        if facts:
            lines += [f'{body}{facts}', '']
        for nested in ('suboptions', 'contains'):
            if fields.get(nested):
                lines += _entries(fields[nested], keys, body) + ['']
    return lines


def render(collection: pathlib.Path) -> list[str]:
    """The rst of every module of the collection, by module name."""
    lines = []
    # The template: galaxy.yml is written from it at build time (its version).
    namespace = yaml.safe_load((collection / 'galaxy.yml.in').read_text(encoding='utf-8'))
    prefix = f"{namespace['namespace']}.{namespace['name']}"
    for module in sorted((collection / 'plugins' / 'modules').glob('*.py')):
        doc = documentation(collection, module)
        title = f"{prefix}.{doc['module']}"
        lines += [title, '-' * len(title), '', markup(doc['short_description']), '']
        for paragraph in _paragraphs(doc.get('description', [])):
            lines += [paragraph, '']
        for key, heading in (('requirements', 'Requirements'), ('notes', 'Notes')):
            if doc.get(key):
                lines += [f'**{heading}**', '']
                lines += [f'- {p}' for p in _paragraphs(doc[key])] + ['']
        lines += ['**Options**', '']
        lines += _entries(doc.get('options', {}),
                          ('type', 'elements', 'choices', 'default', 'aliases'))
        attributes = doc.get('attributes', {})
        if attributes:
            lines += ['**Attributes**', '']
            lines += [f"- {name}: {fields['support']}. {markup(fields.get('description', ''))}"
                      for name, fields in attributes.items()] + ['']
        lines += ['**Examples**', '', '.. code-block:: yaml', '']
        lines += ['   ' + line for line in doc['examples'].splitlines()] + ['']
        lines += ['**Return values**', '']
        lines += _entries(doc['returns'], ('returned', 'type', 'elements', 'sample'))
    return lines


class AnsibleModules(Directive):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        collection = (pathlib.Path(env.srcdir) / self.arguments[0]).resolve()
        for path in collection.rglob('*.py'):
            env.note_dependency(str(path))
        lines = statemachine.StringList(render(collection), source=str(collection))
        holder = nodes.section()
        holder.document = self.state.document
        self.state.nested_parse(lines, 0, holder, match_titles=True)
        return holder.children


def setup(app: Any) -> dict[str, Any]:
    app.add_directive('ansible-modules', AnsibleModules)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
