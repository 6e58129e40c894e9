"""A Keystone and a small in-memory Cinder os-services API on requests-mock.

Tests run the real ``openstack`` shell in-process, so OSC, osc-lib,
keystoneauth and openstacksdk all run as they do for an operator; only the
HTTP server side is faked here.
"""

import copy
import datetime
import email.utils
import re
import urllib.parse

import requests

from keystoneauth1 import fixture as ksa_fixture

AUTH_URL = 'http://keystone.test/v3'
CINDER_ROOT = 'http://cinder.test:8776'
PROJECT_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
V3_ENDPOINT = f'{CINDER_ROOT}/v3/{PROJECT_ID}'
V2_ENDPOINT = f'{CINDER_ROOT}/v2/{PROJECT_ID}'

LATEST = '3.71'
_DETAILED = ('disabled_reason',)
_VOLUME_ONLY = ('replication_status', 'active_backend_id', 'frozen')


def _version(text):
    return tuple(int(p) for p in text.split('.'))


def _error(context, status, kind, message):
    context.status_code = status
    return {kind: {'code': status, 'message': message}}


class _ServerError(Exception):
    """Cinder's RPC timed out on the server: it answers 500."""


def _server_error(context):
    return _error(
        context, 500, 'computeFault',
        'The server has either erred or is incapable of performing the '
        'requested operation.',
    )


class FakeCinder:
    """The os-services API of one Cinder release, kept in memory.

    ``release`` selects behaviour: 27 applies os-services/enable and
    /disable and routes os-services/failover; 28 and later ignore the
    first two and route only failover_host.
    """

    def __init__(self, mock, release=29, max_version=LATEST, v2=False):
        self.mock = mock
        self.release = release
        self.max_version = max_version
        self.v2 = v2
        self.services = []
        self.forbidden = False
        self.thaw_error = None
        #: Actions answered with 200 and otherwise ignored.
        self.ignored = set()
        #: Action -> message of the 400 Cinder answers it with.
        self.refused = {}
        #: Failovers settle after this many os-services reads (None: never).
        self.settle_after_reads = None
        #: None, or 'error' for a failover the driver fails.
        self.settle_outcome = None
        #: cinder-api dies on this action request (1 for the first): it is
        #: not applied, and no request is answered from then on.
        self.dies_at_action = None
        #: Status codes to answer the next reads with, before real answers.
        self.read_failures = []
        #: Action requests answered with 504 after being applied.
        self.applied_then_504 = set()
        #: How cinder-scheduler and the backends' cinder-volume answer RPC:
        #: 'up'; 'silent' (RabbitMQ or the service gone: Cinder waits, and
        #: the client's time bound passes first); 'error' (Cinder's RPC
        #: timeout passed: HTTP 500).
        self.scheduler_rpc = 'up'
        self.volume_rpc = 'up'
        #: Requests sent with a client-side timeout, by action or 'read'.
        self.timeouts = {}
        #: Another client, acting just before an action request is handled:
        #: called with the action's name and body.
        self.other_client = None
        #: Called with each os-services read before it is answered.
        self.before_read = None
        #: cinder-api's clock, sent in the Date header of every listing.
        self.now = datetime.datetime(2026, 11, 24, 10, 0, 30, tzinfo=datetime.timezone.utc)
        #: Ctrl-C: actions applied, then interrupted before their answer
        #: reaches the client; and the read (1 for the next) interrupted.
        self.interrupt_after = set()
        self.interrupt_at_read = None
        self._actions_seen = 0
        self._forgotten = 0
        self._register()

    # Building state

    def add(self, host, binary='cinder-volume', **fields):
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
            'backend_state': 'up',
            'replication_capable': False,
        }
        service.update(fields)
        self.services.append(service)
        return service

    def get(self, host, binary='cinder-volume'):
        for service in self.services:
            if service['host'] == host and service['binary'] == binary:
                return service
        raise KeyError((host, binary))

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
        json_type = {'Content-Type': 'application/json'}
        self.mock.get(
            re.compile(pattern + r'(\?.*)?$'), json=self._index, headers=json_type
        )
        self.mock.put(
            re.compile(pattern + r'/[\w-]+$'), json=self._update, headers=json_type
        )

    def _microversion(self, request):
        if '/v2/' in request.path:
            return None
        header = request.headers.get('OpenStack-API-Version', '')
        match = re.match(r'volume (\d+\.\d+)', header)
        return _version(match.group(1) if match else '3.0')

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
            raise _ServerError()

    def _index(self, request, context):
        if self.dead:
            raise requests.exceptions.ConnectionError('Connection refused')
        if self.interrupt_at_read is not None:
            self.interrupt_at_read -= 1
            if self.interrupt_at_read == 0:
                raise KeyboardInterrupt
        version = self._microversion(request)
        if version and version >= (3, 49):
            try:
                self._rpc(self.scheduler_rpc, request, 'read')
            except _ServerError:
                return _server_error(context)
        if self.before_read:
            self.before_read(request, context)
        context.headers['Date'] = email.utils.format_datetime(self.now, usegmt=True)
        if self.read_failures:
            context.status_code = self.read_failures.pop(0)
            return {}
        if self.forbidden:
            return _error(
                context, 403, 'forbidden',
                "Policy doesn't allow volume_extension:services:index to be "
                "performed.",
            )
        if self.settle_after_reads is not None:
            self.settle_after_reads -= 1
            if self.settle_after_reads <= 0:
                self.settle_failovers(self.settle_outcome)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
        host = query.get('host', [None])[0]
        binary = query.get('binary', [None])[0]
        found = [
            s for s in self.services
            if (host is None or s['host'] == host
                or s['host'].startswith(host + '@'))
            and (binary is None or s['binary'] == binary)
        ]
        return {'services': [self._render(s, version) for s in found]}

    def _render(self, service, version):
        shown = {
            'binary': service['binary'],
            'host': service['host'],
            'zone': service['zone'],
            'status': 'disabled' if service['disabled'] else 'enabled',
            'state': service['state'],
            'updated_at': service['updated_at'],
            'disabled_reason': service['disabled_reason'],
        }
        if version and version >= (3, 49) and service['binary'] == 'cinder-volume':
            shown['backend_state'] = service['backend_state']
        if version and version >= (3, 7):
            shown['cluster'] = service['cluster_name']
        if service['binary'] == 'cinder-volume':
            for field in _VOLUME_ONLY:
                shown[field] = service[field]
        return shown

    def _update(self, request, context):
        self._request = request
        self._actions_seen += 1
        if self.dead:
            raise requests.exceptions.ConnectionError('Connection refused')
        action = request.path.rsplit('/', 1)[1]
        body = request.json()
        version = self._microversion(request)
        if self.forbidden:
            return _error(
                context, 403, 'forbidden',
                "Policy doesn't allow volume_extension:services:update to be "
                "performed.",
            )
        if self.other_client:
            self.other_client(action, body)
        if action in self.ignored:
            return {}
        if action in self.refused:
            return _error(context, 400, 'badRequest', self.refused[action])
        handler = getattr(self, '_do_' + action.replace('-', '_'), None)
        routed = handler is not None
        if action == 'failover':
            routed = self.release < 28 and version and version >= (3, 26)
        if not routed:
            if self.release >= 28:
                context.status_code = 404
                return {}
            return _error(context, 400, 'badRequest', 'Invalid input received: Unknown action')
        try:
            reply = handler(body, context)
        except _ServerError:
            return _server_error(context)
        host = body.get('host')
        if action in self.interrupt_after:
            self.interrupt_after.discard(action)
            raise KeyboardInterrupt
        if (action, host) in self.applied_then_504:
            context.status_code = 504
            return {}
        return reply

    def _by_body(self, body, context):
        binary = body.get('binary') or body.get('service')
        for service in self.services:
            if service['host'] == body.get('host') and service['binary'] == binary:
                return service
        context.status_code = 404
        return None

    def _not_found(self, body, context):
        return _error(
            context, 404, 'itemNotFound',
            f"Service {body.get('host')} could not be found.",
        )

    def _do_enable(self, body, context):
        service = self._by_body(body, context)
        if service is None:
            return self._not_found(body, context)
        if self.release < 28:
            service['disabled'] = False
        return {'host': service['host'], 'status': 'enabled', 'disabled': False}

    def _do_disable(self, body, context):
        service = self._by_body(body, context)
        if service is None:
            return self._not_found(body, context)
        if self.release < 28:
            service['disabled'] = True
        return {'host': service['host'], 'status': 'disabled', 'disabled': True}

    def _do_disable_log_reason(self, body, context):
        service = self._by_body(body, context)
        if service is None:
            return self._not_found(body, context)
        reason = body.get('disabled_reason')
        if reason is not None and len(reason) > 255:
            return _error(context, 400, 'badRequest', 'Invalid input: reason too long')
        if reason and max(map(ord, reason)) > 0xFFFF:
            # Cinder's tables are utf8 (utf8mb3) in MySQL: the UPDATE fails.
            return _server_error(context)
        service['disabled'] = True
        if reason or self.release < 28:
            service['disabled_reason'] = reason
        return {'host': service['host'], 'status': 'disabled', 'disabled': True,
                'disabled_reason': reason}

    def _targets(self, body):
        cluster = body.get('cluster')
        if not cluster:
            # Like Cinder: a clustered host stands for its whole cluster.
            hosts = [s for s in self.services
                     if s['host'] == body.get('host')
                     and s['binary'] == 'cinder-volume']
            if not hosts or not hosts[0]['cluster_name']:
                return hosts
            cluster = hosts[0]['cluster_name']
        return [s for s in self.services
                if s['cluster_name'] == cluster and s['binary'] == 'cinder-volume']

    def _do_freeze(self, body, context):
        targets = self._targets(body)
        if not targets:
            return _error(context, 400, 'badRequest',
                          f"Invalid input received: Service {body} could not be found.")
        if all(s['frozen'] for s in targets):
            return _error(context, 400, 'badRequest',
                          'Invalid input received: No service could be changed: '
                          'frozen in [...] must be False to failover.')
        for service in targets:
            service['frozen'] = True
        # Then the RPC call that the backend's cinder-volume answers.
        self._rpc(self.volume_rpc, self._request, 'freeze')
        for service in targets:
            service.update(disabled=True, disabled_reason='frozen')
        return None

    def _do_thaw(self, body, context):
        targets = self._targets(body)
        if not targets:
            return _error(context, 400, 'badRequest',
                          f"Invalid input received: Service {body} could not be found.")
        if not any(s['frozen'] for s in targets):
            return _error(context, 400, 'badRequest',
                          'Invalid input received: No service could be changed: '
                          'frozen in [...] must be True to failover.')
        for service in targets:
            service['frozen'] = False
        self._rpc(self.volume_rpc, self._request, 'thaw')
        for service in targets:
            if self.thaw_error is None:
                service.update(disabled=False, disabled_reason='')
        return self.thaw_error

    def _do_failover_host(self, body, context):
        targets = self._targets(body)
        if not targets:
            return _error(context, 400, 'badRequest',
                          f"Invalid input received: Service {body} could not be found.")
        for service in targets:
            if (not service['replication_capable']
                    or service['state'] != 'up'
                    or service['replication_status'] not in ('enabled', 'failed-over')):
                return _error(
                    context, 400, 'badRequest',
                    'Invalid input received: replication_status in '
                    f"{[service['host']]} must be enabled or failed-over and "
                    'must be up to failover.')
        for service in targets:
            service['replication_status'] = 'failing-over'
            service['_failover_to'] = body.get('backend_id')
        # A cast: Cinder waits only to publish it, on RabbitMQ.
        self._rpc(self.volume_rpc, self._request, 'failover')
        context.status_code = 202
        return None

    _do_failover = _do_failover_host

    def settle_failovers(self, outcome=None):
        """What cinder-volume does once the failover cast is processed."""
        for service in self.services:
            if service['replication_status'] != 'failing-over':
                continue
            target = service.pop('_failover_to', None)
            if outcome == 'refused':
                service['replication_status'] = 'enabled'
            elif outcome == 'error':
                service.update(replication_status='failover-error', disabled=True,
                               disabled_reason='failed-over')
            elif target == 'default':
                service.update(replication_status='enabled', active_backend_id='')
            else:
                service.update(replication_status='failed-over',
                               active_backend_id=target or 'secondary',
                               disabled=True, disabled_reason='failed-over')


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
