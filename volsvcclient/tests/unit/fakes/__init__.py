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

"""A Keystone and a small in-memory Cinder os-services API on requests-mock.

Tests run the real ``openstack`` shell in-process, so OSC, osc-lib,
keystoneauth and openstacksdk all run as they do for an operator; only the
HTTP server side is faked here.  The fake answers as Cinder 27.0.0
(``cinder/api/contrib/services.py``) or 29.0.0 (``cinder/api/v3/
services.py``) does, with the same JSON schemas, the same database rules
(``cinder/volume/api.py``) and what the backend's cinder-volume does over
RPC (``cinder/volume/manager.py``); the comments name the code followed.

The package, by concern: ``endpoints`` (URLs, the openrc variables),
``keystone`` (``Cloud``: the token and catalog), ``cinder`` (``FakeCinder``:
its state and the knobs tests turn), ``reads`` (os-services GET),
``actions`` (PUT routing, enable and disable), ``replication`` (freeze,
thaw, failover and what cinder-volume does), ``wsgi`` (versions, faults,
pages), ``schemas`` (request validation), ``facts`` (Cinder's constants),
``traffic`` (the requests it received) and ``clock`` (``FakeClock``).
Every name tests use is importable from here.
"""

from volsvcclient.tests.unit.fakes.cinder import FakeCinder  # noqa: F401
from volsvcclient.tests.unit.fakes.clock import FakeClock  # noqa: F401
from volsvcclient.tests.unit.fakes.endpoints import AUTH_URL  # noqa: F401
from volsvcclient.tests.unit.fakes.endpoints import CINDER_ROOT  # noqa: F401
from volsvcclient.tests.unit.fakes.endpoints import OS_ENVIRONMENT  # noqa: F401
from volsvcclient.tests.unit.fakes.endpoints import PROJECT_ID  # noqa: F401
from volsvcclient.tests.unit.fakes.endpoints import V2_ENDPOINT  # noqa: F401
from volsvcclient.tests.unit.fakes.endpoints import V3_ENDPOINT  # noqa: F401
from volsvcclient.tests.unit.fakes.facts import BACKEND_STATE_REPORT  # noqa: F401
from volsvcclient.tests.unit.fakes.facts import CLUSTER_SUPPORT  # noqa: F401
from volsvcclient.tests.unit.fakes.facts import FAILOVER_FROM  # noqa: F401
from volsvcclient.tests.unit.fakes.facts import LATEST  # noqa: F401
from volsvcclient.tests.unit.fakes.facts import REPLICATION_CLUSTER  # noqa: F401
from volsvcclient.tests.unit.fakes.facts import SERVER_ERROR  # noqa: F401
from volsvcclient.tests.unit.fakes.facts import THAW_FAILED  # noqa: F401
from volsvcclient.tests.unit.fakes.facts import VOLUME  # noqa: F401
from volsvcclient.tests.unit.fakes.keystone import Cloud  # noqa: F401
from volsvcclient.tests.unit.fakes.wsgi import Fault  # noqa: F401
from volsvcclient.tests.unit.fakes.wsgi import GATEWAY_PAGES  # noqa: F401
