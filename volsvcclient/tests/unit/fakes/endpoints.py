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

"""Where the fake cloud lives: Keystone's URL, cinder-api's, the project,
and the OS_* variables an operator's openrc exports for them."""

AUTH_URL = 'http://keystone.test/v3'
CINDER_ROOT = 'http://cinder.test:8776'
PROJECT_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
V3_ENDPOINT = f'{CINDER_ROOT}/v3/{PROJECT_ID}'
V2_ENDPOINT = f'{CINDER_ROOT}/v2/{PROJECT_ID}'

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
