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

"""RabbitMQ, Cinder's RPC broker, and epmd, which Erlang nodes need.

RabbitMQ keeps everything under the lab directory: its configuration, a
fresh mnesia on every ``up`` and, through HOME, its Erlang cookie.  epmd is
meant to be shared by every Erlang node on a host: when one already answers
on the epmd port, the lab uses it and leaves it out of its processes, so
``down`` never stops an epmd the lab did not start.
"""

import os
import pathlib
import shutil
import socket

from volsvcclient.tests.functional.lab import packages
from volsvcclient.tests.functional.lab import processes


def start(lab):
    home = lab.root / 'rabbitmq'
    shutil.rmtree(home / 'mnesia', ignore_errors=True)
    home.mkdir(parents=True, exist_ok=True)
    (home / 'enabled_plugins').write_text('[].\n')
    (home / 'rabbitmq.conf').write_text(
        f"listeners.tcp.default = 127.0.0.1:{lab.ports['rabbitmq']}\n"
        f"default_user = volsvc\n"
        f"default_pass = {lab.state['passwords']['rabbit']}\n"
        f"loopback_users = none\n"
    )
    env = {
        'HOME': str(home),
        'ERL_EPMD_ADDRESS': '127.0.0.1',
        'ERL_EPMD_PORT': str(lab.ports['epmd']),
    }
    if epmd_answers(lab.ports['epmd']):
        processes.say(f"epmd already answers on port {lab.ports['epmd']}: sharing it; "
                      f"'down' leaves it running")
    else:
        lab.spawn('epmd', ['epmd', '-address', '127.0.0.1', '-port', lab.ports['epmd']],
                  env=env)
    env.update({
        # Unique per lab, since labs on one host may share one epmd.
        'RABBITMQ_NODENAME': f"volsvc-{lab.ports['rabbitmq']}@localhost",
        'RABBITMQ_NODE_IP_ADDRESS': '127.0.0.1',
        'RABBITMQ_NODE_PORT': str(lab.ports['rabbitmq']),
        'RABBITMQ_DIST_PORT': str(lab.ports['rabbitmq'] + 20000),
        'RABBITMQ_MNESIA_BASE': str(home / 'mnesia'),
        'RABBITMQ_LOG_BASE': str(lab.logs),
        'RABBITMQ_CONFIG_FILE': str(home / 'rabbitmq.conf'),
        'RABBITMQ_ENABLED_PLUGINS_FILE': str(home / 'enabled_plugins'),
        'RABBITMQ_PID_FILE': str(home / 'rabbitmq.pid'),
    })
    lab.spawn('rabbitmq', [packages.DEBIAN_PACKAGES['rabbitmq-server']], env=env)
    processes.wait_for('RabbitMQ', lambda: ready(lab), 90, lab.log('rabbitmq'))


def epmd_answers(port):
    """Whether an epmd listens on ``port``, asked with the protocol's NAMES_REQ.

    The request is a 2-byte length and ``n``; epmd's reply starts with its
    own port in 4 bytes.  No ``epmd -names``: ports are checked before the
    Debian packages that bring the epmd program are installed.
    """
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=2) as epmd:
            epmd.sendall(b'\x00\x01n')
            reply = epmd.recv(4, socket.MSG_WAITALL)
    except OSError:
        return False
    return reply == port.to_bytes(4, 'big')


def ready(lab):
    return processes.port_open(lab.ports['rabbitmq'])


def queue_consumers(lab):
    """Queue name -> number of consumers, as rabbitmqctl lists them."""
    return _queue_counts(lab, 'consumers')


def queue_messages(lab):
    """Queue name -> number of messages it holds (ready or unacknowledged)."""
    return _queue_counts(lab, 'messages')


def purge_queue(lab, name):
    """Drop every message of the queue ``name``."""
    _rabbitmqctl(lab, 'purge_queue', name)


def _queue_counts(lab, column):
    listing = _rabbitmqctl(lab, 'list_queues', 'name', column, '--no-table-headers')
    return {queue: int(count) for queue, count in
            (line.split('\t') for line in listing.splitlines() if line)}


def _rabbitmqctl(lab, *args):
    rabbitmqctl = pathlib.Path(packages.DEBIAN_PACKAGES['rabbitmq-server']).with_name(
        'rabbitmqctl'
    )
    # The environment RabbitMQ was started with names its node and epmd
    # port and, through HOME, the Erlang cookie rabbitmqctl must present.
    env = {**os.environ, **lab.entry('rabbitmq')['env']}
    return processes.run([rabbitmqctl, '-q', '-t', '10', *args], env=env)


def transport_url(lab):
    return (
        f"rabbit://volsvc:{lab.state['passwords']['rabbit']}"
        f"@127.0.0.1:{lab.ports['rabbitmq']}/"
    )
