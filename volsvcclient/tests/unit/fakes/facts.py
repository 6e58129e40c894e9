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

"""What Cinder's code fixes and every part of the fake Cinder uses: its
microversions, constants and how it matches a host name."""

LATEST = '3.71'
VOLUME = 'cinder-volume'
VOLUME_ONLY = ('replication_status', 'active_backend_id', 'frozen')
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


def version_of(text):
    return tuple(int(p) for p in text.split('.'))


def host_matches(value, wanted):
    """cinder/db/api.py _filter_host: 'node1' also matches 'node1@lvm' and
    'node1@lvm#pool'; 'node1@lvm' also matches 'node1@lvm#pool'."""
    if value is None:
        return False
    if value == wanted or '#' in wanted:
        return value == wanted
    if value.startswith(wanted + '#'):
        return True
    return '@' not in wanted and value.startswith(wanted + '@')
