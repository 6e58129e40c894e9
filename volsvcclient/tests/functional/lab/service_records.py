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

"""Cinder service records changed in the database, for scale and cluster tests."""

import time

from volsvcclient.tests.functional.lab import database
from volsvcclient.tests.functional.lab import processes

#: Host names of the extra service records of ``add-services``.
EXTRA_PREFIX = 'extra-'


def add_services(lab, count: int, heartbeat_offset: int | None = 0) -> None:
    """Register ``count`` extra cinder-volume service records.

    They never report, so they show 'down', but enable, disable and
    disable-log-reason work on them (database only); freeze, thaw and
    failover would wait for an RPC answer that never comes. Their
    heartbeat (updated_at) is ``heartbeat_offset`` seconds from now: a
    positive offset is a host clock ahead of cinder-api's; None is no
    heartbeat ever (NULL), which Cinder judges by created_at, a day ago.
    """
    if not lab.running():
        raise processes.LabError("the lab is not up: run 'tools/lab up' first")
    updated_at = ('NULL' if heartbeat_offset is None else
                  f'UTC_TIMESTAMP() + INTERVAL {int(heartbeat_offset)} SECOND')
    _sql(
        lab,
        'INSERT INTO services (created_at, updated_at, deleted, host, '
        '`binary`, topic, report_count, disabled, availability_zone, '
        'replication_status, frozen, uuid, rpc_current_version, '
        'object_current_version) '
        f"SELECT UTC_TIMESTAMP() - INTERVAL 1 DAY, {updated_at}, 0, "
        f"CONCAT('{EXTRA_PREFIX}', LPAD(seq + base.n, 6, '0'), '@fake'), "
        "'cinder-volume', 'cinder-volume', 0, 0, 'nova', 'disabled', 0, "
        'UUID(), live.rpc_current_version, live.object_current_version '
        f'FROM seq_1_to_{count}, '
        '(SELECT rpc_current_version, object_current_version FROM services '
        "WHERE `binary` = 'cinder-volume' AND deleted = 0 AND "
        f"host NOT LIKE '{EXTRA_PREFIX}%' LIMIT 1) live, "
        f"(SELECT COUNT(*) AS n FROM services WHERE host LIKE '{EXTRA_PREFIX}%') base"
    )
    total = _sql(
        lab, f"SELECT COUNT(*) FROM services WHERE host LIKE '{EXTRA_PREFIX}%'"
    ).strip()
    processes.say(f'added {count} service records; {total} extra in all')


def keep_beating(lab, hosts, interval=1.0):
    """Write a heartbeat for cinder-volume on ``hosts`` every ``interval``
    seconds until interrupted.

    A service whose process has stopped still shows up until
    service_down_time (10 s in the lab) has passed since its last
    heartbeat: a test of that window holds it open for as long as it
    needs, whatever the machine's speed, by writing what the stopped
    process would have written.
    """
    if not hosts:
        raise processes.LabError('name at least one host')
    names = ', '.join("'" + host.replace("'", '') + "'" for host in hosts)
    statement = (
        'UPDATE services SET updated_at = UTC_TIMESTAMP(), '
        'report_count = report_count + 1 '
        f"WHERE `binary` = 'cinder-volume' AND deleted = 0 AND host IN ({names})"
    )
    _sql(lab, statement)
    # The caller may stop the real service once this line is out.
    processes.say(f"writing a heartbeat for {', '.join(hosts)} every {interval:g} s")
    while True:
        time.sleep(interval)
        _sql(lab, statement)


def remove_services(lab):
    _sql(lab, f"DELETE FROM services WHERE host LIKE '{EXTRA_PREFIX}%'")
    processes.say('removed the extra service records')


def reset_cluster(lab, cluster):
    """Put a cluster and its services back as they started.

    Cinder delivers a cluster's freeze and thaw to one member, so after
    a thaw another member can stay disabled, and Cinder 28.0.0 and later
    offer no API that re-enables it: tests restore it here.
    """
    cluster = cluster.replace("'", '')
    _sql(
        lab,
        "UPDATE services SET disabled = 0, disabled_reason = NULL, frozen = 0, "
        "replication_status = 'enabled', active_backend_id = NULL "
        f"WHERE cluster_name = '{cluster}';"
        "UPDATE clusters SET disabled = 0, disabled_reason = NULL, frozen = 0, "
        "replication_status = 'enabled', active_backend_id = NULL "
        f"WHERE name = '{cluster}'"
    )
    processes.say(f'reset cluster {cluster}')


def reset_failover(lab, host):
    """Take a backend out of failing-over in the database.

    Cinder records a failover before it publishes it: with RabbitMQ down
    the backend never hears of it, and no API ends failing-over.
    """
    host = host.replace("'", '')
    _sql(
        lab,
        "UPDATE services SET replication_status = 'enabled', "
        f"active_backend_id = NULL WHERE host = '{host}' AND "
        "replication_status = 'failing-over'"
    )
    processes.say(f'reset the failover of {host}')


def _sql(lab, statement):
    return database.sql(lab, statement, 'cinder')
