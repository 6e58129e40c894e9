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

"""The lab's own calls to Keystone and Cinder, with urllib.

The client's SDK is not installed when the lab runs, and the lab needs only
tokens, a few identity objects and Cinder's list of services.
"""

import json
import urllib.error
import urllib.request

from volsvcclient.tests.functional.lab import processes


def keystone_url(lab):
    return f"http://127.0.0.1:{lab.ports['keystone']}/v3"


def http(method, url, token=None, body=None):
    """(status, parsed JSON or None, headers) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header('Content-Type', 'application/json')
    request.add_header('Accept', 'application/json')
    if token:
        request.add_header('X-Auth-Token', token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        raw, status, headers = exc.read(), exc.code, exc.headers
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, parsed, headers


def token(lab, user='admin', project='admin'):
    """A project-scoped token and the project's ID."""
    body = {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'id': 'default'},
            'password': lab.state['passwords'][user]}}},
        'scope': {'project': {'name': project, 'domain': {'id': 'default'}}},
    }}
    status, reply, headers = http('POST', keystone_url(lab) + '/auth/tokens', body=body)
    if status != 201:
        raise processes.LabError(f'cannot get a token for {user}: HTTP {status}')
    return headers['X-Subject-Token'], reply['token']['project']['id']


def services(lab):
    """Cinder's os-services records, as the admin sees them."""
    admin_token, project = token(lab)
    status, reply, _ = http(
        'GET', f"http://127.0.0.1:{lab.ports['cinder']}/v3/{project}/os-services",
        admin_token,
    )
    if status != 200:
        raise processes.LabError(f'cannot list Cinder services: HTTP {status}')
    return reply['services']
