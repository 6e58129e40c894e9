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

"""The fake Cinder: one release's os-services API kept in memory, with the
knobs tests turn (a failing read, a silent RPC, another client); what it
answers lives in ``reads``, ``actions``, ``replication`` and ``wsgi``,
what it received in ``traffic``."""

import copy
import datetime

import requests

from volsvcclient.tests.unit.fakes import actions
from volsvcclient.tests.unit.fakes.facts import LATEST
from volsvcclient.tests.unit.fakes.facts import VOLUME
from volsvcclient.tests.unit.fakes import reads
from volsvcclient.tests.unit.fakes import replication
from volsvcclient.tests.unit.fakes import traffic
from volsvcclient.tests.unit.fakes import workload
from volsvcclient.tests.unit.fakes import wsgi
from volsvcclient.tests.unit.fakes.wsgi import RpcTimeout


class FakeCinder(reads.Reads, actions.Actions, replication.Replication,
                 wsgi.WsgiStack, traffic.Traffic, workload.Workload):
    """The os-services API of one Cinder release, kept in memory.

    ``release`` selects behaviour: 27 applies os-services/enable and
    /disable and routes os-services/failover; 28 and later ignore the
    first two and route only failover_host.
    """

    def __init__(self, mock, release=29, max_version=LATEST, v2=False):
        self.mock = mock
        self.release = release
        #: The newest microversion this cinder-api serves; the version
        #: document keeps what it said when registered (see _register).
        self.max_version = max_version
        self.v2 = v2
        self.services = []
        #: Each cluster's own database row (replication fields): Cinder
        #: copies it from the first member to start (cinder/service.py).
        self.clusters = {}
        self.forbidden = False
        #: The driver fails thaw_backend (cinder/volume/manager.py thaw_host).
        self.driver_fails_thaw = False
        #: The cluster member that takes a cluster's RPC calls (None: the
        #: first member that is up): it alone changes its own status.
        self.rpc_member = None
        #: Cinder's rpc_response_timeout: how long an RPC call waits.
        self.rpc_response_timeout = 60.0
        #: Actions answered with 200 and otherwise ignored.
        self.ignored = set()
        #: Action -> message of the 400 Cinder answers it with.
        self.refused = {}
        #: Failovers settle after this many os-services reads (None: never).
        self.settle_after_reads = None
        #: None, 'refused' (the driver refuses the target) or 'error' (it
        #: fails), for settle_after_reads.
        self.settle_outcome = None
        #: cinder-api dies on this action request (1 for the first): it is
        #: not applied, and no request is answered from then on.
        self.dies_at_action = None
        #: Status codes the next reads are answered with, before real
        #: answers: a gateway's 502, 503 or 504, or cinder-api's 500 while
        #: its database is away.
        self.read_failures = []
        #: Action requests answered with 504 after being applied.
        self.applied_then_504 = set()
        #: Reads that still show the services as they were before the
        #: latest actions: a database replica that lags behind.
        self.read_lag = 0
        #: Called with (action, body) once an action is applied, and with
        #: the read's number (1 for the first) once a read is answered.
        self.after_action = None
        self.after_read = None
        #: Another client, acting just before an action is handled: called
        #: with (action, body).
        self.before_action = None
        #: cinder-api's clock, sent in the Date header of every answer.
        self.now = datetime.datetime(2026, 11, 24, 10, 0, 30, tzinfo=datetime.timezone.utc)
        #: How cinder-scheduler and the backends' cinder-volume answer RPC:
        #: 'up'; 'silent' (RabbitMQ or the service gone: Cinder waits, and
        #: the client's time bound passes first); 'error' (Cinder's RPC
        #: timeout passed: HTTP 500).
        self.scheduler_rpc = 'up'
        self.volume_rpc = 'up'
        #: Requests sent with a client-side timeout, by action or 'read'.
        self.timeouts = {}
        self._actions_seen = 0
        self._reads_seen = 0
        self._lagging = None
        self._forgotten = 0
        self._register()
        self._register_workload()

    # Building state

    def add(self, host, binary=VOLUME, **fields):
        service = {
            'binary': binary,
            'host': host,
            'zone': 'nova',
            'disabled': False,
            'disabled_reason': None,
            'state': 'up',
            'updated_at': '2026-11-24T10:00:00.000000',
            'cluster_name': None,
            'replication_status': 'disabled',
            'active_backend_id': None,
            'frozen': False,
            # What the driver reports in its capabilities.
            'backend_state': 'up',
        }
        service.update(fields)
        self.services.append(service)
        return service

    def get(self, host, binary=VOLUME):
        for service in self.services:
            if service['host'] == host and service['binary'] == binary:
                return service
        raise KeyError((host, binary))

    def members(self, cluster):
        return [s for s in self.services
                if s['cluster_name'] == cluster and s['binary'] == VOLUME]

    def cluster(self, name):
        """The cluster's own row, made from its first member when first read."""
        if name not in self.clusters:
            first = self.members(name)[0]
            self.clusters[name] = {
                field: first[field]
                for field in ('frozen', 'replication_status', 'active_backend_id')
            }
        return self.clusters[name]

    @property
    def dead(self):
        return (
            self.dies_at_action is not None
            and self._actions_seen >= self.dies_at_action
        )

    def _rpc(self, state, request, key):
        """What Cinder does when its RPC to a service goes unanswered."""
        self.timeouts[key] = request.timeout
        if state == 'silent':
            raise requests.exceptions.ReadTimeout('Read timed out.')
        if state == 'error':
            raise RpcTimeout()

    def _call(self, taker, request, key):
        """An RPC call that ``taker`` (None: no cinder-volume is up to take
        it) must answer: Cinder waits rpc_response_timeout, then fails."""
        state = self.volume_rpc
        if taker is None and state == 'up':
            waited = request.timeout is None or request.timeout >= self.rpc_response_timeout
            state = 'error' if waited else 'silent'
        self._rpc(state, request, key)

    def _remember(self):
        """What lagging reads show for the next read_lag reads: the services
        before the first of the actions since the replica last caught up."""
        if self.read_lag:
            before = self._lagging[0] if self._lagging else copy.deepcopy(self.services)
            self._lagging = [before, self.read_lag]
