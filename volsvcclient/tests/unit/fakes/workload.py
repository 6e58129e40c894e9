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

"""What is on a backend: GET /volumes/detail, /snapshots/detail and
/backups/detail, filtered, sorted and paged as Cinder does it.

The code followed is the same in Cinder 27.0.0, 28.0.0 and 29.0.0 (only
its files moved: cinder/db/sqlalchemy/api.py became cinder/db/api.py in
29.0.0, cinder/api/v2/ merged into cinder/api/v3/ in 28.0.0), so
``release`` changes nothing here. Rows are kept as the database keeps them
(``managing`` and all); ``workload_views`` renders them. The research
behind it is /work/notes/drain-research.md.
"""

import ast
import datetime
import hashlib
import re
import urllib.parse
import uuid

from volsvcclient.tests.unit.fakes.endpoints import CINDER_ROOT
from volsvcclient.tests.unit.fakes.endpoints import PROJECT_ID
from volsvcclient.tests.unit.fakes import workload_views
from volsvcclient.tests.unit.fakes.wsgi import DatabaseError
from volsvcclient.tests.unit.fakes.wsgi import Fault
from volsvcclient.tests.unit.fakes.wsgi import GatewayAnswer
from volsvcclient.tests.unit.fakes.wsgi import invalid_input

# cinder/api/microversions.py
RESOURCE_FILTER = (3, 31)
LIKE_FILTER = (3, 34)
SUPPORT_COUNT_INFO = (3, 45)
SNAPSHOT_SORT = (3, 30)
BACKUP_SORT_NAME = (3, 37)

#: etc/cinder/resource_filters.json as Cinder ships it (the same in each
#: release): the filters a non-admin may use. Admins may use any.
RESOURCE_FILTERS = {
    'volumes': ['name', 'status', 'metadata', 'bootable', 'migration_status',
                'availability_zone', 'group_id', 'size', 'created_at',
                'updated_at', 'consumes_quota'],
    'backups': ['name', 'status', 'volume_id'],
    'snapshots': ['name', 'status', 'volume_id', 'metadata',
                  'availability_zone', 'consumes_quota'],
}
#: Below RESOURCE_FILTER each controller strips these for non-admins
#: (_get_volume_filter_options reads the same file; snapshots and backups
#: name theirs in the controller).
LEGACY_FILTERS = {
    'volumes': RESOURCE_FILTERS['volumes'],
    'snapshots': ['status', 'volume_id', 'name', 'metadata'],
    'backups': ['name', 'status', 'volume_id'],
}
#: Filters each controller drops below the microversion that added them,
#: for every caller, when below RESOURCE_FILTER (_MV_ADDED_FILTERS).
MV_ADDED_FILTERS = {
    'volumes': [((3, 4), 'glance_metadata'), ((3, 10), 'group_id'),
                ((3, 60), 'created_at'), ((3, 60), 'updated_at'),
                ((3, 65), 'use_quota')],
    'snapshots': [((3, 22), 'metadata'), ((3, 65), 'use_quota')],
    'backups': [],
}
#: The columns of each model a filter or a sort key may name
#: (cinder/db/models.py); a filter on anything else finds nothing.
COLUMNS = {
    'volumes': {'id', 'project_id', 'user_id', 'host', 'cluster_name', 'status',
                'attach_status', 'migration_status', 'display_name',
                'display_description', 'size', 'availability_zone', 'bootable',
                'multiattach', 'group_id', 'snapshot_id', 'source_volid',
                'replication_status', 'previous_status', 'use_quota',
                'provider_id', 'service_uuid', 'shared_targets',
                'volume_type_id', 'created_at', 'updated_at', 'deleted'},
    'snapshots': {'id', 'project_id', 'user_id', 'volume_id', 'status',
                  'progress', 'display_name', 'display_description',
                  'volume_size', 'group_snapshot_id', 'use_quota',
                  'created_at', 'updated_at', 'deleted'},
    'backups': {'id', 'project_id', 'user_id', 'volume_id', 'snapshot_id',
                'restore_volume_id', 'host', 'status', 'display_name',
                'display_description', 'size', 'availability_zone',
                'container', 'parent_id', 'fail_reason', 'created_at',
                'updated_at', 'deleted'},
}
NOT_FOUND = {'volumes': 'Volume', 'snapshots': 'Snapshot', 'backups': 'Backup'}
#: oslo.utils strutils.TRUE_STRINGS and FALSE_STRINGS.
TRUE = ('1', 't', 'true', 'on', 'y', 'yes')
FALSE = ('0', 'f', 'false', 'off', 'n', 'no')
DEFAULT_TYPE = {'id': '4f2d5a8e-3c1b-4e0a-9d6f-7b8c9a0e1f23', 'name': '__DEFAULT__'}

_ROUTE = re.compile(
    re.escape(CINDER_ROOT) + r'/v3(/[0-9a-f]+)?/(volumes|snapshots|backups)/detail(\?.*)?$'
)


def fake_id(kind, index):
    """A UUID that is the same in every run but not in creation order, so
    that paging by (created_at, id) is tested on ids in no order."""
    digest = hashlib.md5(f'{kind}-{index}'.encode(), usedforsecurity=False).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def timestamp(when):
    """How Cinder's JSON shows a DateTime column (oslo jsonutils)."""
    return when.strftime('%Y-%m-%dT%H:%M:%S.%f')


def _like(value, pattern):
    """MySQL's LIKE BINARY: '%' any run, '_' any one character, case kept."""
    regex = ''.join('.*' if c == '%' else '.' if c == '_' else re.escape(c)
                    for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def filter_host(value, wanted):
    """cinder/db/api.py _filter_host: exact at pool level ('#' in it); also
    LIKE 'wanted#%' at backend level ('@' in it); also LIKE 'wanted@%' for a
    bare host. LIKE's wildcards are not escaped, so '_' in ``wanted``
    matches any character."""
    if value is None:
        return False
    if value == wanted:
        return True
    if '#' in wanted:
        return False
    if _like(value, wanted + '#%'):
        return True
    return '@' not in wanted and _like(value, wanted + '@%')


def _bool_str(value):
    return str(value).lower() in TRUE + FALSE


class Workload:
    """FakeCinder's volumes, snapshots and backups (``_register_workload``
    is its one hook into FakeCinder)."""

    def _register_workload(self):
        self.volumes = []
        self.snapshots = []
        self.backups = []
        #: cinder.conf osapi_max_limit (cinder/api/common.py).
        self.osapi_max_limit = 1000
        #: cinder.conf public_endpoint: next links start with it when set.
        self.public_endpoint = None
        #: context.is_admin: the caller has the admin role.
        self.admin = True
        #: Status codes the next listings are answered with, before real
        #: answers: a gateway's 502, 503 or 504, or 500 (database away).
        self.workload_failures = []
        #: Another client, acting after a listing is answered: called with
        #: (resource, the number of listings answered so far).
        self.between_pages = None
        self._listings = 0
        self.mock.get(_ROUTE, text=self._detail)

    # Building state

    def add_volume(self, host, status='available', **fields):
        """A volume row; ``attached_to`` names servers it is attached to."""
        index = len(self.volumes)
        created = timestamp(self.now - datetime.timedelta(hours=1, seconds=-index))
        servers = fields.pop('attached_to', ())
        row = {
            'id': fake_id('volume', index), 'project_id': PROJECT_ID,
            'user_id': 'u1', 'host': host, 'cluster_name': None,
            'status': status, 'attach_status': 'detached',
            'migration_status': None, 'name_id': None, 'created_at': created,
            'updated_at': created, 'display_name': f'volume-{index}',
            'display_description': None, 'size': 1, 'availability_zone': 'nova',
            'volume_type': DEFAULT_TYPE, 'snapshot_id': None,
            'source_volid': None, 'metadata': {}, 'bootable': False,
            'multiattach': False, 'replication_status': None, 'group_id': None,
            'provider_id': None, 'shared_targets': True, 'service_uuid': None,
            'previous_status': None, 'use_quota': True, 'attachments': [],
            'deleted': False,
        }
        row.update(fields)
        for server in servers:
            self.attach(row, server)
        self.volumes.append(row)
        return row

    def attach(self, volume, server, attach_status='attached'):
        """An attachment row of ``volume`` (cinder/db/models.py
        VolumeAttachment); only 'attached' ones are shown."""
        index = len(volume['attachments'])
        volume['attachments'].append({
            'id': fake_id(f"attachment-{volume['id']}", index),
            'instance_uuid': server, 'attach_status': attach_status,
            'attached_host': 'compute-1', 'mountpoint': '/dev/vdb',
            'attach_time': volume['created_at'],
        })
        if attach_status == 'attached':
            volume['attach_status'] = 'attached'
            if volume['status'] == 'available':
                volume['status'] = 'in-use'

    def add_snapshot(self, volume, status='available', **fields):
        index = len(self.snapshots)
        created = timestamp(self.now - datetime.timedelta(minutes=30, seconds=-index))
        row = {
            'id': fake_id('snapshot', index), 'project_id': volume['project_id'],
            'user_id': volume['user_id'], 'volume_id': volume['id'],
            'status': status, 'progress': '100%' if status == 'available' else '0%',
            'created_at': created, 'updated_at': created,
            'display_name': f'snapshot-{index}', 'display_description': None,
            'volume_size': volume['size'], 'metadata': {},
            'group_snapshot_id': None, 'use_quota': True, 'deleted': False,
        }
        row.update(fields)
        self.snapshots.append(row)
        return row

    def add_backup(self, volume, status='available', **fields):
        """A backup row; its ``host`` is the cinder-backup service's."""
        index = len(self.backups)
        created = timestamp(self.now - datetime.timedelta(minutes=20, seconds=-index))
        row = {
            'id': fake_id('backup', index), 'project_id': volume['project_id'],
            'user_id': volume['user_id'], 'volume_id': volume['id'],
            'snapshot_id': None, 'restore_volume_id': None, 'host': 'backup-1',
            'status': status, 'created_at': created, 'updated_at': created,
            'display_name': f'backup-{index}', 'display_description': None,
            'size': volume['size'], 'object_count': 0, 'availability_zone': 'nova',
            'container': 'volumebackups', 'fail_reason': None, 'parent_id': None,
            'num_dependent_backups': 0, 'data_timestamp': created, 'metadata': {},
            'deleted': False,
        }
        row.update(fields)
        self.backups.append(row)
        return row

    def workload_requests(self, resource=None):
        """The detail listings received since the last forget_requests."""
        return [
            r for r in self.mock.request_history[self._forgotten:]
            if _ROUTE.match(r.url) and (resource is None or f'/{resource}/' in r.path)
        ]

    # Answering

    def _detail(self, request, context):
        resource = request.path.rstrip('/').split('/')[-2]
        return self._answer(
            request, context, lambda version: self._listing(resource, request, version)
        )

    def _listing(self, resource, request, version):
        """cinder/api/v3/volumes.py _get_volumes, cinder/api/v3/snapshots.py
        _items, cinder/api/contrib/backups.py _get_backups."""
        if self.workload_failures:
            status = self.workload_failures.pop(0)
            if status == 500:
                raise DatabaseError()
            raise GatewayAnswer(status)
        pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query,
                                       keep_blank_values=True)
        filters = dict(pairs)
        marker, limit, offset = self._pagination(filters)
        sort_keys, sort_dirs = _sort_params(filters)
        show_count = False
        if version >= SUPPORT_COUNT_INFO and 'with_count' in filters:
            show_count = _strict_bool('with_count', filters.pop('with_count'))
        self._filtering(resource, filters, version)
        if 'name' in sort_keys and (
                resource == 'volumes'
                or (resource == 'snapshots' and version >= SNAPSHOT_SORT)
                or (resource == 'backups' and version >= BACKUP_SORT_NAME)):
            sort_keys[sort_keys.index('name')] = 'display_name'
        if 'name' in filters:
            filters['display_name'] = filters.pop('name')
        rows, count_rows = getattr(self, f'_scope_{resource}')(filters)
        rows = self._page(resource, rows, marker, limit, offset, sort_keys, sort_dirs)
        count = len(count_rows) if show_count else None
        render = workload_views.RENDER[resource]
        base = f'{CINDER_ROOT}/v3/{PROJECT_ID}'
        answer = {resource: [render(row, version, self.admin, base) for row in rows]}
        # ViewBuilder._get_collection_links: a next link whenever the page
        # is as long as the limit (or the count reaches it), even when it is
        # the last one.
        item_count = count or len(rows)
        page_limit = self._pagination(dict(pairs))[1]
        if rows and page_limit <= item_count:
            answer[f'{resource}_links'] = [
                {'rel': 'next', 'href': self._next_link(request, resource, pairs, rows[-1])}
            ]
        if count is not None:
            answer['count'] = count
        self._listings += 1
        if self.between_pages:
            self.between_pages(resource, self._listings)
        return answer

    def _pagination(self, params):
        """cinder/api/common.py get_pagination_params."""
        try:
            limit = int(params.pop('limit', self.osapi_max_limit))
        except ValueError:
            raise Fault(400, 'limit param must be an integer') from None
        if limit < 0:
            raise Fault(400, 'limit param must be positive')
        marker = params.pop('marker', None)
        offset = params.pop('offset', 0)
        try:
            offset = int(offset)
        except ValueError:
            raise Fault(400, 'offset must be an integer.') from None
        if offset < 0:
            raise Fault(400, 'offset must be >= 0.')
        return marker, min(limit, self.osapi_max_limit), offset

    def _filtering(self, resource, filters, version):
        """cinder/api/common.py process_general_filtering, from 3.31, else
        each controller's own stripping for non-admins."""
        if version >= RESOURCE_FILTER:
            for key in filters:
                if not key.isascii():
                    raise Fault(400, 'Filter keys can only contain ASCII characters.')
            if not self.admin:
                # reject_invalid_filters
                allowed = RESOURCE_FILTERS[resource]
                invalid = [k for k in filters if k not in allowed
                           and not (version >= LIKE_FILTER and f'{k}~' in allowed)]
                if 'all_tenants' in invalid:
                    invalid.remove('all_tenants')
                    filters.pop('all_tenants')
                if invalid:
                    raise Fault(400, f"Invalid filters {','.join(invalid)} are found "
                                     f"in query options.")
            if 'consumes_quota' in filters:
                filters['use_quota'] = filters.pop('consumes_quota')
        else:
            for minimum, key in MV_ADDED_FILTERS[resource]:
                if version < minimum:
                    filters.pop(key, None)
            if not self.admin:
                for key in [k for k in filters if k not in LEGACY_FILTERS[resource]]:
                    del filters[key]

    def _mine(self, rows):
        return [r for r in rows if r['project_id'] == PROJECT_ID]

    def _scope_volumes(self, filters):
        """cinder/volume/api.py check_volume_filters and get_all, then
        cinder/db/api.py _process_volume_filters."""
        for key, value in list(filters.items()):
            if key in ('bootable', 'multiattach', 'use_quota'):
                filters[key] = _strict_bool(key, value)
            elif key != 'display_name':
                try:
                    filters[key] = ast.literal_eval(value)
                except (ValueError, SyntaxError):
                    pass
        all_tenants = _strict_bool('all_tenants', filters.get('all_tenants', False))
        rows = [r for r in self.volumes if not r['deleted']]
        # The count (calculate_resource_count) scopes by itself and does not
        # hide migration targets from non-admins.
        counted = dict(filters)
        counted.pop('all_tenants', None)
        if not (self.admin and all_tenants):
            counted['project_id'] = PROJECT_ID
        if not self.admin:
            filters['no_migration_targets'] = True
        if self.admin and all_tenants:
            del filters['all_tenants']
        else:
            rows = self._mine(rows)
        return (_volume_filter(rows, filters),
                _volume_filter([r for r in self.volumes if not r['deleted']], counted))

    def _scope_snapshots(self, filters):
        """cinder/volume/api.py get_all_snapshots (all_tenants read
        leniently), then cinder/db/api.py snapshot_get_all."""
        all_tenants = str(filters.pop('all_tenants', 'false')).lower() in TRUE
        rows = [r for r in self.snapshots if not r['deleted']]
        if not (self.admin and all_tenants):
            rows = self._mine(rows)
        return _snapshot_filter(rows, filters, self.volumes), _snapshot_filter(
            rows, filters, self.volumes)

    def _scope_backups(self, filters):
        """cinder/backup/api.py get_all, then cinder/db/api.py
        _backup_get_all."""
        all_tenants = filters.pop('all_tenants', '0')
        if not _bool_str(all_tenants):
            raise Fault(400, f"all_tenants must be a boolean, got '{all_tenants}'.")
        rows = [r for r in self.backups if not r['deleted']]
        if not (self.admin and all_tenants.lower() in TRUE):
            rows = self._mine(rows)
        if any(key not in COLUMNS['backups'] for key in filters):
            return [], []
        found = [r for r in rows if all(r[k] == v for k, v in filters.items())]
        return found, found

    def _page(self, resource, rows, marker, limit, offset, sort_keys, sort_dirs):
        """cinder/db/api.py _generate_paginate_query and cinder/common/
        sqlalchemyutils.py paginate_query: sorted, after the marker row's
        values, then offset and limit."""
        keys, dirs = _process_sort_params(sort_keys, sort_dirs)
        for key in keys:
            if key not in COLUMNS[resource]:
                raise invalid_input('Invalid sort key')

        def sort_value(row, key):
            value = row[key]
            return (value is not None, value if value is not None else '')

        for key, direction in reversed(list(zip(keys, dirs))):
            rows = sorted(rows, key=lambda r: sort_value(r, key),
                          reverse=direction == 'desc')
        if marker is not None:
            found = [r for r in getattr(self, resource)
                     if r['id'] == marker and not r['deleted']
                     and (self.admin or r['project_id'] == PROJECT_ID)]
            if not found:
                raise Fault(404, f'{NOT_FOUND[resource]} {marker} could not be found.')
            rows = [r for r in rows if _after(r, found[0], keys, dirs, sort_value)]
        return rows[offset:offset + limit]

    def _next_link(self, request, resource, pairs, last):
        """cinder/api/common.py ViewBuilder._get_next_link: every parameter
        the request had, with the marker last."""
        prefix = f'{CINDER_ROOT}/v3'
        if self.public_endpoint:
            public = urllib.parse.urlsplit(self.public_endpoint)
            parts = urllib.parse.urlsplit(prefix)
            prefix = urllib.parse.urlunsplit(
                (public.scheme, public.netloc, public.path + parts.path, '', '')
            ).rstrip('/')
        project = PROJECT_ID if f'/v3/{PROJECT_ID}' in request.url else ''
        url = '/'.join(part for part in (prefix, project, f'{resource}/detail') if part)
        params = [(k, v) for k, v in pairs if k != 'marker'] + [('marker', last['id'])]
        return f'{url}?{urllib.parse.urlencode(params)}'


def _strict_bool(name, value):
    """cinder/utils.py get_bool_param."""
    if not _bool_str(value):
        raise Fault(400, f"Value '{value}' for '{name}' is not a boolean.")
    return str(value).lower() in TRUE


def _sort_params(params):
    """cinder/api/common.py get_sort_params: created_at desc by default."""
    if 'sort' in params and ('sort_key' in params or 'sort_dir' in params):
        raise Fault(400, "The 'sort_key' and 'sort_dir' parameters are deprecated and "
                         "cannot be used with the 'sort' parameter.")
    keys, dirs = [], []
    if 'sort' in params:
        for sort in params.pop('sort').strip().split(','):
            key, _, direction = sort.partition(':')
            keys.append(key.strip())
            dirs.append((direction or 'desc').strip())
    else:
        keys.append(params.pop('sort_key', 'created_at').strip())
        dirs.append(params.pop('sort_dir', 'desc').strip())
    return keys, dirs


def _process_sort_params(keys, dirs):
    """cinder/db/api.py process_sort_params: 'created_at' and 'id' added,
    in the first key's direction."""
    for direction in dirs:
        if direction not in ('asc', 'desc'):
            raise invalid_input("Unknown sort direction, must be 'desc' or 'asc'.")
    keys, dirs = list(keys), list(dirs)
    for key in ('created_at', 'id'):
        if key not in keys:
            keys.append(key)
            dirs.append(dirs[0])
    return keys, dirs


def _after(row, marker, keys, dirs, value):
    """Whether ``row`` sorts after ``marker`` (paginate_query's criteria)."""
    for key, direction in zip(keys, dirs):
        mine, theirs = value(row, key), value(marker, key)
        if mine != theirs:
            return mine < theirs if direction == 'desc' else mine > theirs
    return False


def _volume_filter(rows, filters):
    """cinder/db/api.py _process_volume_filters; an unknown key finds
    nothing."""
    filters = dict(filters)
    if filters.pop('no_migration_targets', False):
        rows = [r for r in rows
                if not (r['migration_status'] or '').startswith('target:')]
    for key in ('host', 'cluster_name'):
        wanted = filters.pop(key, None)
        if wanted:
            rows = [r for r in rows if filter_host(r[key], wanted)]
    for key in ('created_at', 'updated_at', 'metadata', 'glance_metadata'):
        if key in filters:
            raise NotImplementedError(f'the fake Cinder does not filter on {key}')
    if any(key not in COLUMNS['volumes'] for key in filters):
        return []
    return [
        r for r in rows
        if all(r[k] in v if isinstance(v, (list, tuple, set)) else r[k] == v
               for k, v in filters.items())
    ]


def _snapshot_filter(rows, filters, volumes):
    """cinder/db/api.py snapshot_get_all and _process_snaps_filters: host,
    cluster_name and availability_zone are the volume's."""
    filters = dict(filters)
    by_volume = {'host': 'host', 'cluster_name': 'cluster_name',
                 'availability_zone': 'availability_zone'}
    if any(key not in COLUMNS['snapshots'] and key not in by_volume for key in filters):
        return []
    volume_of = {v['id']: v for v in volumes}
    for key in by_volume:
        wanted = filters.pop(key, None)
        if wanted and key == 'availability_zone':
            rows = [r for r in rows if volume_of[r['volume_id']][key] == wanted]
        elif wanted:
            rows = [r for r in rows if filter_host(volume_of[r['volume_id']][key], wanted)]
    return [r for r in rows if all(r[k] == v for k, v in filters.items())]
