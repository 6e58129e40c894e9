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
"""

import copy
import datetime
import email.utils
import json
import re
import time
import urllib.parse

import jsonschema
import requests

from keystoneauth1 import fixture as ksa_fixture

AUTH_URL = 'http://keystone.test/v3'
CINDER_ROOT = 'http://cinder.test:8776'
PROJECT_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
V3_ENDPOINT = f'{CINDER_ROOT}/v3/{PROJECT_ID}'
V2_ENDPOINT = f'{CINDER_ROOT}/v2/{PROJECT_ID}'

LATEST = '3.71'
VOLUME = 'cinder-volume'
_VOLUME_ONLY = ('replication_status', 'active_backend_id', 'frozen')
#: cinder/api/microversions.py
REPLICATION_CLUSTER = (3, 26)
BACKEND_STATE_REPORT = (3, 49)
CLUSTER_SUPPORT = (3, 7)
#: cinder/volume/api.py failover(): the replication statuses it accepts.
FAILOVER_FROM = ['enabled', 'failed-over']
#: cinder/volume/api.py thaw_host(): its answer when the driver fails.
THAW_FAILED = 'Backend reported error during thaw_host operation.'
SERVER_ERROR = (
    'The server has either erred or is incapable of performing the '
    'requested operation.'
)

# cinder/api/validation/parameter_types.py and cinder/api/schemas/services.py
_CINDER_HOST = {
    'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255,
    'pattern': r'^[a-zA-Z0-9-._#@:/+\[\]]*$',
}
_NULLABLE_STRING = {'type': ('string', 'null'), 'minLength': 0, 'maxLength': 255}
_ENABLE_AND_DISABLE = {
    'type': 'object',
    'properties': {
        'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'host': _CINDER_HOST,
        'cluster': _NULLABLE_STRING,
        'service': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    },
    'anyOf': [{'required': ['binary']}, {'required': ['service']}],
    'additionalProperties': False,
}
_DISABLE_LOG_REASON = copy.deepcopy(_ENABLE_AND_DISABLE)
_DISABLE_LOG_REASON['properties']['disabled_reason'] = {
    'type': 'string', 'minLength': 1, 'maxLength': 255, 'format': 'disabled_reason',
}
_FREEZE_AND_THAW = {
    'type': 'object',
    'properties': {'cluster': _NULLABLE_STRING, 'host': _CINDER_HOST},
    'additionalProperties': False,
}
_FAILOVER_HOST = {
    'type': 'object',
    'properties': {
        'host': _CINDER_HOST,
        'backend_id': _NULLABLE_STRING,
        'cluster': _NULLABLE_STRING,
    },
    'additionalProperties': False,
}
_SCHEMAS = {
    'enable': _ENABLE_AND_DISABLE,
    'disable': _ENABLE_AND_DISABLE,
    'disable-log-reason': _DISABLE_LOG_REASON,
    'freeze': _FREEZE_AND_THAW,
    'thaw': _FREEZE_AND_THAW,
    'failover_host': _FAILOVER_HOST,
    'failover': _FAILOVER_HOST,
}

_FORMATS = jsonschema.FormatChecker([])


class _InvalidInput(Exception):
    pass


@_FORMATS.checks('disabled_reason', _InvalidInput)
def _disabled_reason(value):
    # cinder/api/validation/validators.py _validate_disabled_reason: the
    # reason stripped of blanks must still be 1 to 255 characters.
    if value and not 1 <= len(value.strip()) <= 255:
        raise _InvalidInput(value)
    return True


def _version(text):
    return tuple(int(p) for p in text.split('.'))


def _host_matches(value, wanted):
    """cinder/db/api.py _filter_host: 'node1' also matches 'node1@lvm' and
    'node1@lvm#pool'; 'node1@lvm' also matches 'node1@lvm#pool'."""
    if value is None:
        return False
    if value == wanted or '#' in wanted:
        return value == wanted
    if value.startswith(wanted + '#'):
        return True
    return '@' not in wanted and value.startswith(wanted + '@')


class Fault(Exception):
    """cinder/api/openstack/wsgi.py Fault: a JSON error body."""

    #: Fault._fault_names; any other status is a computeFault.
    NAMES = {400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
             404: 'itemNotFound', 503: 'serviceUnavailable'}

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def body(self):
        kind = self.NAMES.get(self.status, 'computeFault')
        return {kind: {'code': self.status, 'message': self.message}}


def _invalid_input(reason):
    # exception.InvalidInput
    return Fault(400, f'Invalid input received: {reason}')


class _Page:
    """An answer that is not Cinder's JSON: plain text or an HTML page."""

    def __init__(self, text, content_type='text/html; charset=UTF-8', status=200):
        self.text = text
        self.content_type = content_type
        self.status = status


def _webob_not_found(request):
    """What webob's HTTPNotFound answers for a URL no route matches
    (oslo_service wsgi Router._dispatch), by the request's Accept."""
    body = 'The resource could not be found.<br /><br />\n\n\n'
    accept = request.headers.get('Accept', '*/*')
    if 'html' in accept or '*/*' in accept:
        return _Page(
            '<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n'
            f'  <h1>404 Not Found</h1>\n  {body}\n </body>\n</html>', status=404,
        )
    if 'application/json' in accept:
        return _Page(json.dumps({'message': body, 'code': '404 Not Found',
                                 'title': 'Not Found'}), 'application/json', 404)
    return _Page('404 Not Found\n\nThe resource could not be found.\n\n\n',
                 'text/plain; charset=UTF-8', 404)


#: What HAProxy in front of cinder-api answers when it has no answer.
GATEWAY_PAGES = {
    502: '502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.',
    503: '503 Service Unavailable</h1>\nNo server is available to handle this request.',
    504: "504 Gateway Time-out</h1>\nThe server didn't respond in time.",
}


def _gateway_page(status):
    return _Page(f'<html><body><h1>{GATEWAY_PAGES[status]}\n</body></html>\n',
                 status=status)


class _DatabaseError(Exception):
    """The database refused a query or a write (oslo.db's DBError)."""


class _RpcTimeout(Exception):
    """Cinder's RPC call got no answer in rpc_response_timeout: HTTP 500."""


class FakeCinder:
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

    # Inspecting traffic

    def forget_requests(self):
        """Make :meth:`requests` report only requests sent from now on."""
        self._forgotten = len(self.mock.request_history)

    def requests(self, method=None):
        return [
            r
            for r in self.mock.request_history[self._forgotten:]
            if r.url.startswith(CINDER_ROOT)
            and '/os-services' in r.url
            and (method is None or r.method == method)
        ]

    def puts(self):
        return [
            (r.path.rsplit('/', 1)[1], r.json()) for r in self.requests('PUT')
        ]

    # HTTP

    def _register(self):
        versions = [
            {
                'id': 'v3.0',
                'status': 'CURRENT',
                'version': self.max_version,
                'min_version': '3.0',
                'updated': '2023-08-31T00:00:00Z',
                'links': [{'rel': 'self', 'href': f'{CINDER_ROOT}/v3/'}],
            }
        ]
        if self.v2:
            versions.append(
                {
                    'id': 'v2.0',
                    'status': 'DEPRECATED',
                    'version': '',
                    'min_version': '',
                    'updated': '2017-02-25T12:00:00Z',
                    'links': [{'rel': 'self', 'href': f'{CINDER_ROOT}/v2/'}],
                }
            )
        self.mock.get(
            CINDER_ROOT + '/', json={'versions': versions}, status_code=300
        )
        self.mock.get(
            re.compile(re.escape(CINDER_ROOT) + r'/v[23]/?$'),
            json={'versions': versions},
        )
        self.mock.get(
            re.compile(re.escape(CINDER_ROOT) + r'/v[23]/[0-9a-f]+/?$'),
            json={'versions': versions},
        )
        pattern = re.escape(CINDER_ROOT) + r'/v[23](/[0-9a-f]+)?/os-services'
        self.mock.get(re.compile(pattern + r'(\?.*)?$'), text=self._index)
        self.mock.put(re.compile(pattern + r'/[\w-]+$'), text=self._update)

    def _requested_version(self, request):
        """cinder/api/openstack/wsgi.py Request.set_api_version_request."""
        if '/v2/' in request.path:
            return None
        header = request.headers.get('OpenStack-API-Version')
        if header is None:
            return (3, 0)
        text = next(
            (part.split()[1] for part in header.split(',') if 'volume' in part), None
        )
        if text == 'latest':
            return _version(self.max_version)
        if not re.match(r'^([1-9]\d*)\.([1-9]\d*|0)$', text or ''):
            raise Fault(400, f'API Version String {text} is of invalid format. '
                             f'Must be of format MajorNum.MinorNum.')
        version = _version(text)
        if not (3, 0) <= version <= _version(self.max_version):
            raise Fault(406, f'Version {text} is not supported by the API. '
                             f'Minimum is 3.0 and maximum is {self.max_version}.')
        return version

    def _answer(self, request, context, handle):
        """Run ``handle(version)`` and answer as cinder-api's WSGI stack does."""
        if self.dead:
            raise requests.exceptions.ConnectionError('Connection refused')
        version = None
        try:
            version = self._requested_version(request)
            reply = handle(version)
        except _GatewayAnswer as answer:
            reply = _gateway_page(answer.status)
        except Fault as fault:
            context.status_code = fault.status
            reply = fault.body
            if fault.status == 406:
                # The version is set on the request before it is checked.
                version = _version(request.headers['OpenStack-API-Version'].split()[1])
        except (_RpcTimeout, _DatabaseError):
            # The FaultWrapper middleware: an unexpected exception is a 500.
            context.status_code = 500
            reply = Fault(500, SERVER_ERROR).body
        context.headers['Date'] = email.utils.format_datetime(self.now, usegmt=True)
        if isinstance(reply, _Page):
            # Plain text or a page from outside the controllers: no version.
            context.status_code = reply.status
            context.headers['Content-Type'] = reply.content_type
            return reply.text
        if isinstance(reply, _Accepted):
            context.status_code = 202
            reply = None
        context.headers['Content-Type'] = 'application/json'
        text = '.'.join(map(str, version or ()))
        # wsgi._is_legacy_endpoint: a version string with '1.0' or '2.0' in
        # it (3.10, 3.20) gets no version header either.
        if version and '1.0' not in text and '2.0' not in text:
            context.headers['OpenStack-API-Version'] = f'volume {text}'
            context.headers['Vary'] = 'OpenStack-API-Version'
        return '' if reply is None else json.dumps(reply)

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
            raise _RpcTimeout()

    def _call(self, taker, request, key):
        """An RPC call that ``taker`` (None: no cinder-volume is up to take
        it) must answer: Cinder waits rpc_response_timeout, then fails."""
        state = self.volume_rpc
        if taker is None and state == 'up':
            waited = request.timeout is None or request.timeout >= self.rpc_response_timeout
            state = 'error' if waited else 'silent'
        self._rpc(state, request, key)

    def _index(self, request, context):
        return self._answer(request, context, lambda version: self._list(request, version))

    def _list(self, request, version):
        if self.read_failures:
            status = self.read_failures.pop(0)
            if status == 500:
                raise _DatabaseError()
            raise _GatewayAnswer(status)
        if self.forbidden:
            raise Fault(403, "Policy doesn't allow volume_extension:services:index "
                             "to be performed.")
        if version and version >= BACKEND_STATE_REPORT:
            # get_pools, after the database read.
            self._rpc(self.scheduler_rpc, request, 'read')
        self._reads_seen += 1
        if self.settle_after_reads is not None:
            self.settle_after_reads -= 1
            if self.settle_after_reads <= 0:
                self.settle_failovers(self.settle_outcome)
        services = self.services
        if self._lagging is not None:
            services, self._lagging[1] = self._lagging[0], self._lagging[1] - 1
            if self._lagging[1] <= 0:
                self._lagging = None
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
        host = query.get('host', [None])[0]
        binary = query.get('binary', [None])[0]
        found = [
            s for s in services
            if (host is None or _host_matches(s['host'], host))
            and (binary is None or s['binary'] == binary)
        ]
        answer = {'services': [self._render(s, version) for s in found]}
        if self.after_read:
            self.after_read(self._reads_seen)
        return answer

    def _backend_state(self, service):
        """cinder-scheduler's pools, keyed by backend: a cluster's pools carry
        its cluster name, so no member's host finds them; disabled, frozen
        and down services have none (scheduler/host_manager.py
        _update_backend_state_map)."""
        if (service['cluster_name'] or service['disabled'] or service['frozen']
                or service['state'] != 'up'):
            return None
        return service['backend_state']

    def _render(self, service, version):
        shown = {
            'binary': service['binary'],
            'host': service['host'],
            'zone': service['zone'],
            'status': 'disabled' if service['disabled'] else 'enabled',
            'state': service['state'],
            'updated_at': service['updated_at'],
        }
        if version and version >= BACKEND_STATE_REPORT and service['binary'] == VOLUME:
            shown['backend_state'] = self._backend_state(service)
        if version and version >= CLUSTER_SUPPORT:
            shown['cluster'] = service['cluster_name']
        shown['disabled_reason'] = service['disabled_reason']
        if service['binary'] == VOLUME:
            for field in _VOLUME_ONLY:
                shown[field] = service[field]
        return shown

    def _update(self, request, context):
        self._request = request
        self._actions_seen += 1
        action = request.path.rsplit('/', 1)[1]
        return self._answer(
            request, context, lambda version: self._act(action, request, version)
        )

    def _act(self, action, request, version):
        body = request.json()
        if self.before_action:
            self.before_action(action, body)
        if action in self.ignored:
            return {}
        if action in self.refused:
            raise Fault(400, self.refused[action])
        if self.release >= 28:
            # cinder/api/v3/router.py routes these alone.
            if action not in ('enable', 'disable', 'disable-log-reason', 'freeze',
                              'thaw', 'failover_host'):
                return _webob_not_found(request)
        else:
            # cinder/api/contrib/services.py update(): policy first.
            self._authorize()
            routed = action in _SCHEMAS and (
                action != 'failover' or (version or (0,)) >= REPLICATION_CLUSTER
            )
            if not routed:
                raise _invalid_input('Unknown action')
        self._validate(action, body)
        # From 28 on each action checks the policy after its schema.
        self._authorize()
        handler = getattr(self, '_do_' + action.replace('-', '_'))
        reply = handler(body, version)
        if self.after_action:
            self.after_action(action, body)
        if (action, body.get('host')) in self.applied_then_504:
            raise _GatewayAnswer(504)
        return reply

    def _authorize(self):
        if self.forbidden:
            raise Fault(403, "Policy doesn't allow volume_extension:services:update "
                             "to be performed.")

    def _validate(self, action, body):
        """cinder/api/validation/validators.py _SchemaValidator.validate."""
        validator = jsonschema.Draft4Validator(_SCHEMAS[action], format_checker=_FORMATS)
        try:
            validator.validate(body)
        except jsonschema.ValidationError as exc:
            if len(exc.path) > 0:
                detail = (f'Invalid input for field/attribute {exc.path.pop()}. '
                          f'Value: {exc.instance}. {exc.message}')
            else:
                detail = exc.message
            raise Fault(400, detail) from None

    def _remember(self):
        """What lagging reads show for the next read_lag reads: the services
        before the first of the actions since the replica last caught up."""
        if self.read_lag:
            before = self._lagging[0] if self._lagging else copy.deepcopy(self.services)
            self._lagging = [before, self.read_lag]

    @staticmethod
    def _cluster_host(body, version, cluster_version):
        """cinder/api/common.py get_cluster_host: one of host and cluster,
        cluster only at ``cluster_version`` (False: never) and later."""
        if cluster_version and (version or (0,)) >= cluster_version:
            cluster = body.get('cluster')
            message = 'One and only one of cluster and host must be set.'
        else:
            cluster = None
            message = 'Host field is missing.'
        host = body.get('host')
        if bool(cluster) == bool(host):
            raise _invalid_input(message)
        return cluster, host

    def _by_args(self, body, version):
        """objects.Service.get_by_args on the body's host and binary."""
        _, host = self._cluster_host(body, version, False)
        binary = body.get('binary') or body.get('service')
        for service in self.services:
            if _host_matches(service['host'], host) and service['binary'] == binary:
                self._remember()
                return service
        # cinder/db/api.py service_get
        raise Fault(404, f'Service {binary} could not be found on host {host}.')

    def _do_enable(self, body, version):
        service = self._by_args(body, version)
        if self.release < 28:
            service['disabled'] = False
        return {'host': body['host'], 'service': body.get('service', ''),
                'binary': body.get('binary', ''), 'status': 'enabled',
                'disabled': False}

    def _do_disable(self, body, version):
        service = self._by_args(body, version)
        if self.release < 28:
            service['disabled'] = True
        return {'host': body['host'], 'service': body.get('service', ''),
                'binary': body.get('binary', ''), 'status': 'disabled',
                'disabled': True}

    def _do_disable_log_reason(self, body, version):
        service = self._by_args(body, version)
        reason = body.get('disabled_reason')
        if reason and max(map(ord, reason)) > 0xFFFF:
            # Cinder's tables are utf8 (utf8mb3) in MySQL: the UPDATE fails.
            raise _DatabaseError()
        service['disabled'] = True
        # 27 saves the body's reason, None included; 28 and later only one
        # that is given.
        if reason or self.release < 28:
            service['disabled_reason'] = reason
        return {'host': body['host'], 'service': body.get('service', ''),
                'binary': body.get('binary', ''), 'status': 'disabled',
                'disabled': True, 'disabled_reason': reason}

    def _replication_change(self, cluster_name, host, field, expected, new, check_up):
        """cinder/volume/api.py _replication_db_change: the database change
        freeze, thaw and failover make before any RPC; the services."""
        services = [
            s for s in self.services
            if s['binary'] == VOLUME
            and (not host or _host_matches(s['host'], host))
            and (not cluster_name or _host_matches(s['cluster_name'], cluster_name))
        ]
        if not services:
            # ServiceNotFound(msg), turned into InvalidInput(msg) as it is.
            raise Fault(400, f'No service found with host={host}' if host
                        else f'No service found with cluster={cluster_name}')
        clustered = services[0]['cluster_name']
        attribute = 'cluster_name' if cluster_name else 'host'
        if any(s[attribute] != services[0][attribute] for s in services):
            raise Fault(400, 'Services from different clusters found.')
        if host and clustered:
            services = self.members(clustered)

        def wanted(value):
            return value in expected if isinstance(expected, list) else value == expected

        def error(where):
            up = 'and must be up ' if check_up else ''
            return f'{field} in {where} must be {expected} {up}to failover.'

        self._remember()
        if clustered:
            row = self.cluster(clustered)
            cluster_up = any(s['state'] == 'up' for s in services)
            if (check_up and not cluster_up) or not wanted(row[field]):
                raise _invalid_input(error(clustered))
            old, row[field] = row[field], new
        changed = [s for s in services
                   if (not check_up or s['state'] == 'up') and wanted(s[field])]
        if not changed:
            if clustered:
                row[field] = old
            raise _invalid_input(
                f"No service could be changed: {error([s['host'] for s in services])}"
            )
        for service in changed:
            service[field] = new
        return services

    def _rpc_taker(self, services):
        """The cinder-volume that takes an RPC sent to services[0]'s queue:
        its own host's, or for a cluster any member that is up."""
        if not services[0]['cluster_name']:
            return services[0] if services[0]['state'] == 'up' else None
        up = [s for s in self.members(services[0]['cluster_name']) if s['state'] == 'up']
        chosen = [s for s in up if s['host'] == self.rpc_member]
        return (chosen or up or [None])[0]

    def _do_freeze(self, body, version):
        cluster, host = self._cluster_host(body, version, REPLICATION_CLUSTER)
        services = self._replication_change(cluster, host, 'frozen', False, True, False)
        # Then an RPC call; the member that takes it disables only itself
        # (volume/manager.py freeze_host).
        taker = self._rpc_taker(services)
        self._call(taker, self._request, 'freeze')
        taker.update(disabled=True, disabled_reason='frozen')
        return None

    def _do_thaw(self, body, version):
        cluster, host = self._cluster_host(body, version, REPLICATION_CLUSTER)
        services = self._replication_change(cluster, host, 'frozen', True, False, False)
        taker = self._rpc_taker(services)
        self._call(taker, self._request, 'thaw')
        if self.driver_fails_thaw:
            # The controller returns this string: webob sends it as the body
            # of a text/html 200, outside Cinder's JSON serializer.
            return _Page(THAW_FAILED)
        taker.update(disabled=False, disabled_reason='')
        return None

    def _do_failover_host(self, body, version, cluster_version=None):
        # 27 reads the cluster field only on the failover route; 29's
        # failover_host reads it from 3.26 on.
        if cluster_version is None:
            cluster_version = REPLICATION_CLUSTER if self.release >= 28 else False
        cluster, host = self._cluster_host(body, version, cluster_version)
        services = self._replication_change(
            cluster, host, 'replication_status', FAILOVER_FROM, 'failing-over', True
        )
        for service in services:
            if service['replication_status'] == 'failing-over':
                service['_failover_to'] = body.get('backend_id')
        # A cast: Cinder waits only to publish it, on RabbitMQ.
        self._rpc(self.volume_rpc, self._request, 'failover')
        return _Accepted()

    def _do_failover(self, body, version):
        return self._do_failover_host(body, version, REPLICATION_CLUSTER)

    def settle_failovers(self, outcome=None, hosts=None):
        """What cinder-volume does once the failover cast is processed
        (volume/manager.py failover, finish_failover), for ``hosts`` or
        every service failing over."""
        for service in self.services:
            if service['replication_status'] != 'failing-over':
                continue
            if hosts is not None and service['host'] not in hosts:
                continue
            target = service.pop('_failover_to', None)
            if outcome == 'refused':
                # InvalidReplicationTarget: the status it had before.
                failed_over = bool(service['active_backend_id'])
                updates = {'replication_status':
                           'failed-over' if failed_over else 'enabled'}
            elif outcome == 'error':
                updates = {'replication_status': 'failover-error', 'disabled': True}
            elif target == 'default':
                updates = {'replication_status': 'enabled', 'active_backend_id': '',
                           'disabled': service['frozen'],
                           'disabled_reason': 'frozen' if service['frozen'] else ''}
            else:
                updates = {'replication_status': 'failed-over',
                           'active_backend_id': target or 'secondary',
                           'disabled': True, 'disabled_reason': 'failed-over'}
            service.update(updates)
            if service['cluster_name']:
                row = self.cluster(service['cluster_name'])
                row.update({k: v for k, v in updates.items() if k in row})


class _GatewayAnswer(Exception):
    """The load balancer in front of cinder-api answers instead of it."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


class _Accepted(dict):
    """webob.Response(status_int=202): no body, version headers kept."""


class Cloud:
    """Keystone with a catalog pointing at one FakeCinder."""

    def __init__(self, mock, **cinder_options):
        self.mock = mock
        token = ksa_fixture.V3Token(
            project_id=PROJECT_ID,
            project_name='admin',
            project_domain_id='default',
            user_id='u1',
            user_name='admin',
            user_domain_id='default',
        )
        token.set_project_scope()
        service = token.add_service('block-storage', name='cinder')
        service.add_standard_endpoints(public=V3_ENDPOINT, region='RegionOne')
        service = token.add_service('volumev3', name='cinderv3')
        service.add_standard_endpoints(public=V3_ENDPOINT, region='RegionOne')
        if cinder_options.get('v2'):
            service = token.add_service('volumev2', name='cinderv2')
            service.add_standard_endpoints(public=V2_ENDPOINT, region='RegionOne')
        self.token = token
        mock.get(
            AUTH_URL,
            json=ksa_fixture.V3Discovery(AUTH_URL),
        )
        mock.post(
            AUTH_URL + '/auth/tokens',
            json=token,
            headers={'X-Subject-Token': 'fake-token-0123456789'},
        )
        self.cinder = FakeCinder(mock, **cinder_options)

    def copy_services(self):
        return copy.deepcopy(self.cinder.services)


class FakeClock:
    """time.monotonic and time.sleep for a test: sleeping only moves it."""

    def __init__(self):
        self.now = time.monotonic()
        self.slept = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.slept += seconds


#: Credentials as an operator's openrc exports them.
OS_ENVIRONMENT = {
    'OS_AUTH_TYPE': 'password',
    'OS_AUTH_URL': AUTH_URL,
    'OS_USERNAME': 'admin',
    'OS_PASSWORD': 'secret-password',
    'OS_PROJECT_NAME': 'admin',
    'OS_USER_DOMAIN_ID': 'default',
    'OS_PROJECT_DOMAIN_ID': 'default',
    'OS_REGION_NAME': 'RegionOne',
    'OS_INTERFACE': 'public',
}
