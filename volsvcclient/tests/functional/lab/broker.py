"""RabbitMQ, Cinder's RPC broker, and epmd, which Erlang nodes need.

RabbitMQ keeps everything under the lab directory: its configuration, a
fresh mnesia on every ``up`` and, through HOME, its Erlang cookie.
"""

import shutil

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
    lab.spawn('epmd', ['epmd', '-address', '127.0.0.1', '-port', lab.ports['epmd']],
              env=env)
    env.update({
        'RABBITMQ_NODENAME': 'volsvc@localhost',
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


def ready(lab):
    return processes.port_open(lab.ports['rabbitmq'])


def transport_url(lab):
    return (
        f"rabbit://volsvc:{lab.state['passwords']['rabbit']}"
        f"@127.0.0.1:{lab.ports['rabbitmq']}/"
    )
