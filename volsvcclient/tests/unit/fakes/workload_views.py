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

"""How cinder-api renders one volume, snapshot or backup row of a detail
listing, by microversion and by whether the caller is an admin.

Cinder 27.0.0, 28.0.0 and 29.0.0 render them alike: 27.0.0 keeps the base
views in cinder/api/v2/views/ and 28.0.0 merged them into cinder/api/v3/
views/, with the same fields.
"""

# cinder/api/microversions.py
GROUP_VOLUME = (3, 13)
GROUP_SNAPSHOTS = (3, 14)
BACKUP_PROJECT = (3, 18)
VOLUME_DETAIL_PROVIDER_ID = (3, 21)
BACKUP_METADATA = (3, 43)
SNAPSHOT_LIST_USER_ID = (3, 41)
VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS = (3, 48)
BACKUP_PROJECT_USER_ID = (3, 56)
VOLUME_CLUSTER_NAME = (3, 61)
VOLUME_TYPE_ID_IN_VOLUME_DETAIL = (3, 63)
USE_QUOTA = (3, 65)
SHARED_TARGETS_TRISTATE = (3, 69)

#: cinder/api/v3/views/volumes.py _get_volume_status: statuses the API
#: never shows (bug 1504007).
SHOWN_STATUS = {
    'managing': 'creating',
    'error_managing': 'error',
    'error_managing_deleting': 'deleting',
}


def _links(base, collection, item_id):
    return [{'rel': 'self', 'href': f'{base}/{collection}/{item_id}'},
            {'rel': 'bookmark', 'href': f'{base}/{collection}/{item_id}'}]


def volume(row, version, admin, base):
    """cinder/api/v3/views/volumes.py detail, then the controller extensions
    of cinder/api/contrib/volume_{host,tenant,mig_status}_attribute.py."""
    shown = {
        'id': row['id'],
        'status': SHOWN_STATUS.get(row['status'], row['status']),
        'size': row['size'],
        'availability_zone': row['availability_zone'],
        'created_at': row['created_at'],
        'updated_at': row['updated_at'],
        'name': row['display_name'],
        'description': row['display_description'],
        'volume_type': row['volume_type']['name'],
        'snapshot_id': row['snapshot_id'],
        'source_volid': row['source_volid'],
        'metadata': dict(row['metadata']),
        'links': _links(base, 'volumes', row['id']),
        'user_id': row['user_id'],
        'bootable': str(row['bootable']).lower(),
        'encrypted': False,
        'replication_status': row['replication_status'],
        'consistencygroup_id': None,
        'multiattach': row['multiattach'],
        # _get_attachments: only attachments that are 'attached'; the host
        # name for admins (and, from 28.0.0, the service role).
        'attachments': [
            {'id': row['id'], 'attachment_id': a['id'], 'volume_id': row['id'],
             'server_id': a['instance_uuid'],
             'host_name': a['attached_host'] if admin else None,
             'device': a['mountpoint'], 'attached_at': a['attach_time']}
            for a in row['attachments'] if a['attach_status'] == 'attached'
        ],
    }
    if admin:
        shown['migration_status'] = row['migration_status']
    if version >= GROUP_VOLUME:
        shown['group_id'] = row['group_id']
    if admin and version >= VOLUME_DETAIL_PROVIDER_ID:
        shown['provider_id'] = row['provider_id']
    if version >= VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS:
        shared = row['shared_targets']
        if version < SHARED_TARGETS_TRISTATE and shared is None:
            shared = True
        shown['shared_targets'] = shared
        shown['service_uuid'] = row['service_uuid']
    if admin and version >= VOLUME_CLUSTER_NAME:
        shown['cluster_name'] = row['cluster_name']
    if version >= VOLUME_TYPE_ID_IN_VOLUME_DETAIL:
        shown['volume_type_id'] = row['volume_type']['id']
    if version >= USE_QUOTA:
        shown['consumes_quota'] = row['use_quota']
    # The extensions: policy admin_api for host and migration status,
    # reader-or-owner for the project.
    if admin:
        shown['os-vol-host-attr:host'] = row['host']
    shown['os-vol-tenant-attr:tenant_id'] = row['project_id']
    if admin:
        shown['os-vol-mig-status-attr:migstat'] = row['migration_status']
        shown['os-vol-mig-status-attr:name_id'] = row['name_id']
    return shown


def snapshot(row, version, admin, base):
    """cinder/api/v3/views/snapshots.py detail over cinder/api/views/
    snapshots.py summary, then cinder/api/contrib/
    extended_snapshot_attributes.py (admin or owner)."""
    shown = {
        'id': row['id'],
        'created_at': row['created_at'],
        'updated_at': row['updated_at'],
        'name': row['display_name'],
        'description': row['display_description'],
        'volume_id': row['volume_id'],
        'status': row['status'],
        'size': row['volume_size'],
        'metadata': dict(row['metadata']),
    }
    if version >= GROUP_SNAPSHOTS:
        shown['group_snapshot_id'] = row['group_snapshot_id']
    if version >= SNAPSHOT_LIST_USER_ID:
        shown['user_id'] = row['user_id']
    if version >= USE_QUOTA:
        shown['consumes_quota'] = row['use_quota']
    shown['os-extended-snapshot-attributes:project_id'] = row['project_id']
    shown['os-extended-snapshot-attributes:progress'] = row['progress']
    return shown


def backup(row, version, admin, base):
    """cinder/api/v3/views/backups.py detail over cinder/api/views/
    backups.py, then cinder/api/v3/backups.py detail (policy
    backup:backup_project_attribute: admin)."""
    shown = {
        'id': row['id'],
        'status': row['status'],
        'size': row['size'],
        'object_count': row['object_count'],
        'availability_zone': row['availability_zone'],
        'container': row['container'],
        'created_at': row['created_at'],
        'updated_at': row['updated_at'],
        'name': row['display_name'],
        'description': row['display_description'],
        'fail_reason': row['fail_reason'],
        'volume_id': row['volume_id'],
        'links': _links(base, 'backups', row['id']),
        'is_incremental': row['parent_id'] is not None,
        'has_dependent_backups': bool(row['num_dependent_backups']),
        'snapshot_id': row['snapshot_id'],
        'data_timestamp': row['data_timestamp'],
    }
    if version >= BACKUP_METADATA:
        shown['metadata'] = dict(row['metadata'])
    if admin and version >= BACKUP_PROJECT:
        shown['os-backup-project-attr:project_id'] = row['project_id']
    if admin and version >= BACKUP_PROJECT_USER_ID:
        shown['user_id'] = row['user_id']
    return shown


RENDER = {'volumes': volume, 'snapshots': snapshot, 'backups': backup}
