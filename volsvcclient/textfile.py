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
optional 'prometheus' extra)."""

from osc_lib import exceptions

LABELS = ('binary', 'host', 'zone', 'cluster')


def write(path, services, ages):
    """Write one gauge per figure and service to ``path``, atomically."""
    try:
        import prometheus_client
    except ImportError as exc:
        raise exceptions.CommandError(
            "--prometheus-textfile needs prometheus_client: pip install "
            "'volsvcclient[prometheus]'"
        ) from exc
    registry = prometheus_client.CollectorRegistry()

    def gauge(name, text, extra=()):
        return prometheus_client.Gauge(
            f'volsvc_{name}', text, LABELS + extra, registry=registry
        )

    up = gauge('service_up', '1 when the service reports up')
    enabled = gauge('service_enabled', '1 when the service is enabled')
    frozen = gauge('service_frozen', '1 when the backend is frozen')
    backend = gauge('backend_up', '1 when Backend State is up, 0 down, NaN unknown')
    replication = gauge('replication_status', '1 for the backend\'s replication '
                        'status', ('status',))
    heartbeat = gauge('heartbeat_age_seconds', 'Seconds since the last heartbeat, '
                      "by cinder-api's clock")
    for service in services:
        labels = (service.binary, service.host, service.availability_zone or '',
                  service.cluster or '')
        up.labels(*labels).set(service.state == 'up')
        enabled.labels(*labels).set(service.status == 'enabled')
        if service.binary != 'cinder-volume':
            continue
        frozen.labels(*labels).set(bool(service.is_frozen))
        backend.labels(*labels).set(
            {'up': 1, 'down': 0}.get(service.backend_state, float('nan'))
        )
        if service.replication_status:
            replication.labels(*labels, service.replication_status).set(1)
    for service in services:
        age = ages.get(id(service))
        if age is not None:
            heartbeat.labels(
                service.binary, service.host, service.availability_zone or '',
                service.cluster or '',
            ).set(age)
    try:
        prometheus_client.write_to_textfile(path, registry)
    except OSError as exc:
        raise exceptions.CommandError(f'Cannot write {path}: {exc.strerror}') from exc
