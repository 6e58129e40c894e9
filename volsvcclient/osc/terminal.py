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

"""Text from the server made safe to print: a reason or host name holding
ESC or BEL would drive the operator's terminal, and a newline would split
a Nagios status line or a row of ``-f value`` output.

Import-light (stdlib only): commands import it inside ``take_action``.
"""

from collections.abc import Iterable

#: Each C0 and C1 control character and DEL, as Python writes it in a
#: string literal: readable, and never taken for the character itself.
_ESCAPES = {code: f'\\x{code:02x}' for code in (*range(0x20), *range(0x7f, 0xa0))}
_ESCAPES.update({ord('\n'): '\\n', ord('\r'): '\\r', ord('\t'): '\\t'})

#: cliff formatters that quote control characters themselves.
SELF_ESCAPING = ('json', 'yaml')


def escape(text: str) -> str:
    """``text`` with its control characters escaped."""
    return text.translate(_ESCAPES)


def rows_for(formatter: str, rows: Iterable[tuple]) -> Iterable[tuple]:
    """``rows`` as ``formatter`` must print them: their text escaped."""
    if formatter in SELF_ESCAPING:
        return rows
    return (tuple(escape(v) if isinstance(v, str) else v for v in row)
            for row in rows)
