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

"""Stopping and starting one lab process, for fault tests.

``start`` returns only when the part is ready again, so a test can stop a
part, test, and leave the lab as it found it.
"""

import functools
import time

from volsvcclient.tests.functional.lab import api
from volsvcclient.tests.functional.lab import broker
from volsvcclient.tests.functional.lab import cinder_services
from volsvcclient.tests.functional.lab import database
from volsvcclient.tests.functional.lab import keystone_server
from volsvcclient.tests.functional.lab import lvm_backend
from volsvcclient.tests.functional.lab import processes

#: How long ``start`` waits for each sign that a part is ready.
READY_TIMEOUT = 120


def stop(lab, name):
    """Stop one lab process (e.g. cinder-api)."""
    processes.stop(lab.entry(name))
    processes.say(f'{name} stopped')


def drop_rpc(lab, names, at_least=0, timeout=READY_TIMEOUT):
    """Drop the RPC messages queued for cinder-volume on each host or
    cluster of ``names``, once each queue holds ``at_least`` of them.

    Cinder's API sends freeze, thaw and failover to the backend's queue
    whether or not its cinder-volume runs; the message waits there until
    the call's rpc_response_timeout (its time to live), so a cinder-volume
    started within it still acts on it, after (or while) a test puts the
    service back.
    """
    # Cinder's volume RPC client addresses topic cinder-volume.<host@backend>
    # (or .<cluster@backend>) and server <host> (or <cluster>).
    queues = [f"cinder-volume.{name}.{name.split('@')[0]}" for name in names]
    deadline = time.monotonic() + timeout
    while True:
        held = broker.queue_messages(lab)
        short = [q for q in queues if held.get(q, 0) < at_least]
        if not short:
            break
        if time.monotonic() >= deadline:
            raise processes.LabError(
                f'{short[0]} held {held.get(short[0], 0)} message(s), not '
                f'{at_least}, within {timeout} s'
            )
        time.sleep(0.5)
    for queue in queues:
        if held.get(queue):
            broker.purge_queue(lab, queue)
    processes.say('dropped ' + ', '.join(
        f'{held.get(q, 0)} message(s) of {q}' for q in queues))


def start(lab, name):
    """Start a lab process stopped with ``stop`` again and wait until it is ready."""
    entry = lab.entry(name)
    if processes.alive(entry):
        processes.say(f'{name} is already running')
        return
    waits = _readiness(lab, name)
    started = time.monotonic()
    lab.spawn(name, entry['argv'], entry['env'], entry['cwd'], entry.get('stop_argv'))
    for what, check, log in waits:
        processes.wait_for(what, check, READY_TIMEOUT, log)
    processes.say(f'{name} started; ready in {time.monotonic() - started:.0f} s')


def _readiness(lab, name):
    """(what, check, log) of each wait that tells ``name`` is ready.

    Built before the start: a Cinder service is ready when it reports a
    heartbeat newer than the one it left.
    """
    log = lab.log(name)
    if name == 'mariadb':
        return [('MariaDB', functools.partial(database.ready, lab), log)]
    if name == 'epmd':
        return [('epmd', functools.partial(broker.epmd_answers, lab.ports['epmd']), log)]
    if name == 'rabbitmq':
        # Cinder services reconnect on their own, with back-off; until each
        # consumes its queue again, RPC to it is lost.
        return [('RabbitMQ', functools.partial(broker.ready, lab), log)] + [
            (f'the RPC consumers of {process} on RabbitMQ',
             functools.partial(_consuming, lab, services), lab.log(process))
            for process, services in cinder_services.services_by_process().items()
            if processes.alive(lab.entry(process))
        ]
    if name == 'keystone':
        return [('Keystone', functools.partial(keystone_server.ready, lab), log)]
    if name == lvm_backend.TGTD:
        return [('tgtd', functools.partial(processes.port_open, lab.ports['iscsi']), log)]
    if name == 'cinder-api':
        return [('cinder-api', functools.partial(processes.port_open, lab.ports['cinder']),
                 log)]
    return [(f'{name} (reporting up with a new heartbeat)', _beating_again(lab, name), log)]


def _consuming(lab, services):
    """Whether each service's own queue (``binary.host``) has a consumer."""
    try:
        consumers = broker.queue_consumers(lab)
    except processes.LabError:
        return False
    return all(consumers.get(f'{binary}.{host}', 0) for binary, host in services)


def _beating_again(lab, name):
    wanted = cinder_services.services_by_process()[name]
    try:
        before = {key: updated_at for key, (updated_at, _) in _heartbeats(lab, wanted).items()}
    except (OSError, processes.LabError) as exc:
        raise processes.LabError(
            f"cannot tell when {name} is ready: Cinder's service list is "
            f'unreadable ({exc}); start mariadb, keystone and cinder-api first'
        ) from exc

    def beating():
        try:
            now = _heartbeats(lab, wanted)
        except processes.LabError:
            return False
        # ISO timestamps in one format compare as strings.
        newer_and_up = {key for key, (updated_at, state) in now.items()
                        if state == 'up' and updated_at > before.get(key, '')}
        return newer_and_up == wanted

    return beating


def _heartbeats(lab, wanted):
    """(binary, host) -> (updated_at, state) of the wanted service records."""
    return {
        (s['binary'], s['host']): (s['updated_at'] or '', s['state'])
        for s in api.services(lab) if (s['binary'], s['host']) in wanted
    }
