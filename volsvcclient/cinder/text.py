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

"""A server's text on one line. Import-light (stdlib only)."""

import re

_TITLE = re.compile(r'<title>\s*(.*?)\s*</title>', re.IGNORECASE | re.DOTALL)


def one_line(text: object) -> str:
    """Collapse a server message onto one line."""
    return '; '.join(
        part.strip() for part in str(text).splitlines() if part.strip()
    )


def plain(text: object) -> str:
    """A server's error text on one line; an HTML page by its title."""
    title = _TITLE.search(str(text))
    return one_line(title.group(1) if title else text)
