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

"""Keystone under gunicorn, its users and projects, and clouds.yaml.

Not named ``keystone.py``: gunicorn puts this directory first on Keystone's
``sys.path``, where such a module would hide the keystone package.
"""

import json
import pathlib
import shutil

from volsvcclient.tests.functional.lab import api
from volsvcclient.tests.functional.lab import database
from volsvcclient.tests.functional.lab import processes

HERE = pathlib.Path(__file__).resolve().parent


def start(lab, venv):
    etc = lab.root / 'keystone'
    shutil.rmtree(etc, ignore_errors=True)
    etc.mkdir(parents=True)
    conf = etc / 'keystone.conf'
    conf.write_text(
        '[DEFAULT]\n'
        f"log_file = {lab.log('keystone')}\n"
        '[database]\n'
        f"connection = {database.url(lab, 'keystone')}\n"
        '[token]\nprovider = fernet\n'
        f"[fernet_tokens]\nkey_repository = {etc / 'fernet-keys'}\n"
        f"[fernet_receipts]\nkey_repository = {etc / 'fernet-keys'}\n"
        f"[credential]\nkey_repository = {etc / 'credential-keys'}\n"
        # The lowest bcrypt cost: each password check is ~0.7 s otherwise.
        '[identity]\npassword_hash_rounds = 4\n'
    )
    conf.chmod(0o600)
    manage = [venv / 'bin' / 'keystone-manage', '--config-file', conf]
    processes.run([*manage, 'db_sync'])
    for step in ('fernet_setup', 'credential_setup'):
        processes.run([*manage, step, '--keystone-user', 'root', '--keystone-group', 'root'])
    url = api.keystone_url(lab)
    processes.run([
        *manage, 'bootstrap',
        '--bootstrap-password', lab.state['passwords']['admin'],
        '--bootstrap-username', 'admin',
        '--bootstrap-project-name', 'admin',
        '--bootstrap-role-name', 'admin',
        '--bootstrap-service-name', 'keystone',
        '--bootstrap-region-id', 'RegionOne',
        '--bootstrap-admin-url', url,
        '--bootstrap-internal-url', url,
        '--bootstrap-public-url', url,
    ])
    lab.spawn('keystone', [
        venv / 'bin' / 'gunicorn', '--no-control-socket',
        '--bind', f"127.0.0.1:{lab.ports['keystone']}", '--workers', '2',
        '--chdir', HERE, 'keystone_wsgi:application',
    ], env={'OS_KEYSTONE_CONFIG_FILES': str(conf)})
    processes.wait_for('Keystone', lambda: ready(lab), 60, lab.log('keystone'))


def ready(lab):
    return api.http('GET', api.keystone_url(lab))[0] == 200


def create_identities(lab):
    """The service and demo projects, the cinder and demo users, Cinder's endpoints."""
    token, _ = api.token(lab)
    url = api.keystone_url(lab)

    def create(kind, body):
        status, reply, _ = api.http('POST', f'{url}/{kind}s', token, {kind: body})
        if status != 201:
            raise processes.LabError(
                f'creating {kind} {body.get("name")}: HTTP {status} {reply}'
            )
        return reply[kind]['id']

    def role(name):
        _, reply, _ = api.http('GET', f'{url}/roles?name={name}', token)
        return reply['roles'][0]['id']

    def grant(project, user, role_name):
        status, _, _ = api.http(
            'PUT', f'{url}/projects/{project}/users/{user}/roles/{role(role_name)}',
            token)
        if status not in (200, 204):
            raise processes.LabError(f'granting {role_name}: HTTP {status}')

    service_project = create('project', {'name': 'service', 'domain_id': 'default'})
    demo_project = create('project', {'name': 'demo', 'domain_id': 'default'})
    passwords = lab.state['passwords']
    cinder_user = create('user', {'name': 'cinder', 'domain_id': 'default',
                                  'password': passwords['cinder']})
    demo_user = create('user', {'name': 'demo', 'domain_id': 'default',
                                'password': passwords['demo']})
    grant(service_project, cinder_user, 'admin')
    grant(service_project, cinder_user, 'service')
    grant(demo_project, demo_user, 'member')
    endpoint = f"http://127.0.0.1:{lab.ports['cinder']}/v3/$(project_id)s"
    for kind, name in (('block-storage', 'cinder'), ('volumev3', 'cinderv3')):
        service = create('service', {'type': kind, 'name': name})
        for interface in ('public', 'internal', 'admin'):
            create('endpoint', {'service_id': service, 'interface': interface,
                                'url': endpoint, 'region_id': 'RegionOne'})


def write_clouds(lab):
    """clouds.yaml with ``devstack-admin`` and ``devstack`` (demo)."""
    def cloud(user, project):
        return {
            'auth': {
                'auth_url': api.keystone_url(lab),
                'username': user,
                'password': lab.state['passwords'][user],
                'project_name': project,
                'user_domain_id': 'default',
                'project_domain_id': 'default',
            },
            'region_name': 'RegionOne',
            'identity_api_version': 3,
            'interface': 'public',
        }

    # JSON is YAML: no PyYAML needed here.
    lab.clouds_file.write_text(json.dumps({'clouds': {
        'devstack-admin': cloud('admin', 'admin'),
        'devstack': cloud('demo', 'demo'),
    }}, indent=2))
    lab.clouds_file.chmod(0o600)
