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

"""Service figures in the Prometheus text format, for node_exporter's
textfile collector, through the ecosystem's own prometheus_client (the
optional 'prometheus' extra).

Every run writes the file, the runs that could not read the services too:
``volsvc_check_success`` and ``volsvc_check_last_run_timestamp_seconds``
let Prometheus alert on a check that fails or stops, where a file left in
place would go on saying "all up". Every series names its ``cloud`` and
``region``, so two clouds checked from one host write apart, and a service
is named as openstack-exporter's ``openstack_cinder_agent_state`` names it
(``hostname``, ``service``, ``zone``), so the two join without relabelling.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from typing import TYPE_CHECKING

from osc_lib import exceptions

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    import types
    from typing import Any

#: Labels of every series: the cloud (its clouds.yaml name) and region.
CLOUD_LABELS = ('cloud', 'region')
#: A service's labels: openstack-exporter's names for Cinder's host,
#: binary and zone, then its cluster.
LABELS = CLOUD_LABELS + ('hostname', 'service', 'zone', 'cluster')
#: node_exporter's textfile collector reads only files named *.prom.
SUFFIX = '.prom'
#: Readable by node_exporter, which seldom runs as the user of the check,
#: whatever the umask of the cron job.
MODE = 0o644


def path(text: str) -> str:
    """argparse type: a file name that node_exporter reads (``*.prom``)."""
    if not text:
        raise argparse.ArgumentTypeError('the path is empty')
    if not os.path.basename(text).endswith(SUFFIX):
        raise argparse.ArgumentTypeError(
            f"{text!r} does not end in {SUFFIX}: node_exporter's textfile "
            f'collector reads only *{SUFFIX} files')
    return text


def _client() -> types.ModuleType:
    try:
        import prometheus_client
    except ImportError as exc:
        raise exceptions.CommandError(
            "--prometheus-textfile needs prometheus_client: pip install "
            "'volsvcclient[prometheus]'"
        ) from exc
    return prometheus_client


def check_available() -> None:
    """Fail before any request when prometheus_client is missing."""
    _client()


def available() -> bool:
    """Whether prometheus_client can be imported."""
    try:
        _client()
    except exceptions.CommandError:
        return False
    return True


def write(target: str, level: int, listed: Sequence | None = None,
          ages: Mapping[int, float | None] | None = None, *,
          cloud: tuple[str, str] = ('', '')) -> None:
    """Write the run's figures to ``target``, atomically: its Nagios
    ``level``, and with ``listed`` (None when the services could not be
    read) one gauge per figure and service. ``ages`` maps each service to
    its heartbeat's distance from cinder-api's clock, in seconds; ``cloud``
    is the (cloud, region) every series is labelled with."""
    import time

    prometheus_client = _client()
    registry = prometheus_client.CollectorRegistry()

    def gauge(name: str, text: str, labels: Sequence[str] = LABELS) -> Any:
        return prometheus_client.Gauge(
            f'volsvc_{name}', text, labels, registry=registry
        )

    gauge('check_success', '1 when the check read the services, 0 when it '
          'could not', CLOUD_LABELS).labels(*cloud).set(listed is not None)
    gauge('check_last_run_timestamp_seconds', 'When the check last ran, in '
          'seconds since the epoch', CLOUD_LABELS).labels(*cloud).set(time.time())
    gauge('check_level', 'The Nagios level of the check: 0 OK, 1 WARNING, '
          '2 CRITICAL, 3 UNKNOWN', CLOUD_LABELS).labels(*cloud).set(level)
    if listed is not None:
        _services(gauge, listed, ages or {}, cloud)
    _replace(target, prometheus_client.generate_latest(registry))


def _services(gauge: Callable, listed: Sequence, ages: Mapping[int, float | None],
              cloud: tuple[str, str]) -> None:
    """The per-service gauges; a figure that was not read has no sample."""
    from volsvcclient.engine import health

    up = gauge('service_up', '1 when the service reports up')
    enabled = gauge('service_enabled', '1 when the service is enabled')
    frozen = gauge('service_frozen', '1 when the backend is frozen')
    backend = gauge('backend_up', '1 when Backend State is up, 0 down')
    replication = gauge('replication_status', '1 for the backend\'s replication '
                        'status', LABELS + ('status',))
    heartbeat = gauge('heartbeat_age_seconds', 'Seconds between the last '
                      "heartbeat and cinder-api's clock, either way, as Cinder "
                      'measures it')
    for service in listed:
        labels = (*cloud, service.host, service.binary,
                  service.availability_zone or '', service.cluster or '')
        up.labels(*labels).set(service.state == 'up')
        enabled.labels(*labels).set(service.status == 'enabled')
        silent = health.silence(ages.get(id(service)))
        if silent is not None:
            heartbeat.labels(*labels).set(silent)
        if service.binary != 'cinder-volume':
            continue
        frozen.labels(*labels).set(bool(service.is_frozen))
        if service.backend_state in ('up', 'down'):
            backend.labels(*labels).set(service.backend_state == 'up')
        if service.replication_status:
            replication.labels(*labels, service.replication_status).set(1)


def _replace(target: str, content: bytes) -> None:
    """Write ``content`` to a new file beside ``target`` and rename it over
    ``target``: readers see the old file or the new one, never a part; a
    symlink at ``target`` is replaced, not followed."""
    # Not prometheus_client's write_to_textfile, which does the same but
    # creates the file with the umask's mode: 0600 under a cron job's umask
    # 077, which node_exporter, as another user, cannot read; and a umask
    # set around it would hold for every thread of the process.
    import tempfile

    directory, name = os.path.split(os.path.abspath(target))
    try:
        # Not a .prom name: the collector skips it while it is written.
        fd, temporary = tempfile.mkstemp(prefix=f'.{name}.', suffix='.tmp',
                                         dir=directory)
    except OSError as exc:
        raise exceptions.CommandError(
            f'Cannot write {target}: {exc.strerror}') from exc
    try:
        with os.fdopen(fd, 'wb') as stream:
            os.fchmod(stream.fileno(), MODE)
            stream.write(content)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise exceptions.CommandError(
            f'Cannot write {target}: {exc.strerror}') from exc
