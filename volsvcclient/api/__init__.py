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

"""The Python API of volsvcclient: Cinder services listed, shown, planned,
changed, waited for, checked and failed over, by the engine the commands
use.

::

    from volsvcclient import api

    client = api.Client.from_cloud('mycloud')
    report = client.apply([api.Desired('node1@lvm', 'cinder-volume',
                                       status='disabled',
                                       disabled_reason='maintenance')])
    if report.reason:
        raise SystemExit(report.reason)

Every name this package exports (``__all__``) follows semantic versioning
with the distribution: a name, parameter or field is removed or changes
meaning only in a new major version. The packages it is built on
(``volsvcclient.engine``, ``volsvcclient.cinder``) make no such promise.

The library prints nothing: notes (what an operator should know, such as
a disable that cannot be undone) come back on the results and go to the
``volsvcclient`` logger at WARNING, which has a NullHandler. It installs no
signal handler unless given one (see :meth:`Client.apply`). It raises
:class:`Error` and its subclasses (``openstack.exceptions.SDKException``)
for everything it can word: what Cinder did or lacks, what was asked that
cannot be done, and failures of keystoneauth and openstacksdk (the
original exception is the ``__cause__``).
"""

import importlib
import logging
import sys
from typing import TYPE_CHECKING, Any

from volsvcclient.api.client import Client
from volsvcclient.api.exceptions import Error
from volsvcclient.api.exceptions import InvalidRequest
from volsvcclient.api.exceptions import NoSuchService
from volsvcclient.api.exceptions import NotApplied
from volsvcclient.api.exceptions import Refused
from volsvcclient.api.exceptions import RequestFailed
from volsvcclient.api.exceptions import Unconfirmed
from volsvcclient.api.exceptions import Unreachable
from volsvcclient.api.exceptions import Untrusted
from volsvcclient.api.exceptions import VersionUnavailable
from volsvcclient.api.exceptions import WaitTimedOut
from volsvcclient.cinder.bounds import MAX_CONCURRENCY
from volsvcclient.cinder.records import Service
from volsvcclient.engine.desired_state import Desired
from volsvcclient.engine.desired_state import State
from volsvcclient.engine.selection import Selection

if TYPE_CHECKING:
    from volsvcclient.api.results import BackendDrain
    from volsvcclient.api.results import Drain
    from volsvcclient.api.results import Finding
    from volsvcclient.api.results import InFlight
    from volsvcclient.api.results import Note
    from volsvcclient.api.results import Report
    from volsvcclient.api.results import RULES
    from volsvcclient.api.results import ServiceOutcome
    from volsvcclient.api.results import Verdict
    from volsvcclient.cinder.advice import Advice
    from volsvcclient.cinder.advice import Said
    from volsvcclient.cinder.advice import Words
    from volsvcclient.engine.events import Event
    from volsvcclient.engine.events import Listener
    from volsvcclient.engine.interrupts import Interrupts
    from volsvcclient.engine.outcomes import Result
    from volsvcclient.engine.outcomes import UNFINISHED

__all__ = [
    'Advice', 'BackendDrain', 'Client', 'Desired', 'Drain', 'Error', 'Event',
    'Finding', 'InFlight', 'Interrupts', 'InvalidRequest', 'Listener',
    'MAX_CONCURRENCY', 'NoSuchService', 'NotApplied', 'Note', 'RULES',
    'Refused', 'Report', 'RequestFailed', 'Result', 'Said', 'Selection',
    'Service', 'ServiceOutcome', 'State', 'UNFINISHED', 'Unconfirmed',
    'Unreachable', 'Untrusted', 'VersionUnavailable', 'Verdict',
    'WaitTimedOut', 'Words',
]

#: What results and advice are made of, imported when first asked for: a
#: script that only lists services loads none of it.
_LATER = {
    'BackendDrain': 'volsvcclient.api.results', 'Drain': 'volsvcclient.api.results',
    'Finding': 'volsvcclient.api.results', 'InFlight': 'volsvcclient.api.results',
    'Note': 'volsvcclient.api.results', 'Report': 'volsvcclient.api.results',
    'RULES': 'volsvcclient.api.results', 'ServiceOutcome': 'volsvcclient.api.results',
    'Verdict': 'volsvcclient.api.results', 'Advice': 'volsvcclient.cinder.advice',
    'Said': 'volsvcclient.cinder.advice', 'Words': 'volsvcclient.cinder.advice',
    'Event': 'volsvcclient.engine.events', 'Listener': 'volsvcclient.engine.events',
    'Interrupts': 'volsvcclient.engine.interrupts',
    'Result': 'volsvcclient.engine.outcomes', 'UNFINISHED': 'volsvcclient.engine.outcomes',
}


def _public(exported: Any) -> Any:
    """Each public class is documented, and shown in reprs and type hints,
    under the name this package gives it, not the module of the layer that
    makes it."""
    if isinstance(exported, type) and exported.__module__ != __name__:
        exported.__module__ = __name__
    return exported


def __getattr__(name: str) -> Any:
    if name not in _LATER:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    importlib.import_module(_LATER[name])
    # Every name whose module is now loaded, at once: their type hints
    # name each other.
    for other, where in _LATER.items():
        if where in sys.modules:
            globals()[other] = _public(getattr(sys.modules[where], other))
    return globals()[name]


for _name in __all__:
    if _name in globals():
        _public(globals()[_name])
del _name

logging.getLogger('volsvcclient').addHandler(logging.NullHandler())
