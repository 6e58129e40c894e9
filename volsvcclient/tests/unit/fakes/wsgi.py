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

"""cinder-api's WSGI stack as the fake needs it: its routes, the API
version of a request, and how an answer or a failure reaches the client
(Cinder's JSON faults, webob's and a load balancer's pages)."""

import email.utils
import json
import re

import requests

from volsvcclient.tests.unit.fakes.endpoints import CINDER_ROOT
from volsvcclient.tests.unit.fakes.facts import SERVER_ERROR
from volsvcclient.tests.unit.fakes.facts import version_of


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


def invalid_input(reason):
    # exception.InvalidInput
    return Fault(400, f'Invalid input received: {reason}')


class Page:
    """An answer that is not Cinder's JSON: plain text or an HTML page."""

    def __init__(self, text, content_type='text/html; charset=UTF-8', status=200):
        self.text = text
        self.content_type = content_type
        self.status = status


def webob_not_found(request):
    """What webob's HTTPNotFound answers for a URL no route matches
    (oslo_service wsgi Router._dispatch), by the request's Accept."""
    body = 'The resource could not be found.<br /><br />\n\n\n'
    accept = request.headers.get('Accept', '*/*')
    if 'html' in accept or '*/*' in accept:
        return Page(
            '<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n'
            f'  <h1>404 Not Found</h1>\n  {body}\n </body>\n</html>', status=404,
        )
    if 'application/json' in accept:
        return Page(json.dumps({'message': body, 'code': '404 Not Found',
                                'title': 'Not Found'}), 'application/json', 404)
    return Page('404 Not Found\n\nThe resource could not be found.\n\n\n',
                'text/plain; charset=UTF-8', 404)


#: What HAProxy in front of cinder-api answers when it has no answer.
GATEWAY_PAGES = {
    502: '502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.',
    503: '503 Service Unavailable</h1>\nNo server is available to handle this request.',
    504: "504 Gateway Time-out</h1>\nThe server didn't respond in time.",
}


def gateway_page(status):
    return Page(f'<html><body><h1>{GATEWAY_PAGES[status]}\n</body></html>\n',
                status=status)


class DatabaseError(Exception):
    """The database refused a query or a write (oslo.db's DBError)."""


class RpcTimeout(Exception):
    """Cinder's RPC call got no answer in rpc_response_timeout: HTTP 500."""


class GatewayAnswer(Exception):
    """The load balancer in front of cinder-api answers instead of it."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


class Accepted(dict):
    """webob.Response(status_int=202): no body, version headers kept."""


class WsgiStack:
    """FakeCinder's routes on requests-mock and the WSGI answer of each
    request."""

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
            return version_of(self.max_version)
        if not re.match(r'^([1-9]\d*)\.([1-9]\d*|0)$', text or ''):
            raise Fault(400, f'API Version String {text} is of invalid format. '
                             f'Must be of format MajorNum.MinorNum.')
        version = version_of(text)
        if not (3, 0) <= version <= version_of(self.max_version):
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
        except GatewayAnswer as answer:
            reply = gateway_page(answer.status)
        except Fault as fault:
            context.status_code = fault.status
            reply = fault.body
            if fault.status == 406:
                # The version is set on the request before it is checked.
                version = version_of(request.headers['OpenStack-API-Version'].split()[1])
        except (RpcTimeout, DatabaseError):
            # The FaultWrapper middleware: an unexpected exception is a 500.
            context.status_code = 500
            reply = Fault(500, SERVER_ERROR).body
        context.headers['Date'] = email.utils.format_datetime(self.now, usegmt=True)
        if isinstance(reply, Page):
            # Plain text or a page from outside the controllers: no version.
            context.status_code = reply.status
            context.headers['Content-Type'] = reply.content_type
            return reply.text
        if isinstance(reply, Accepted):
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
