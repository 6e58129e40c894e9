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

"""The lab: a real Cinder on 127.0.0.1, for functional tests and benchmarks.

    python -m volsvcclient.tests.functional.lab up [--cinder-version V]
    python -m volsvcclient.tests.functional.lab status | env | down

``up`` brings up MariaDB and RabbitMQ (Debian packages, installed when
missing), Keystone and Cinder api, scheduler and volume (PyPI, in a cached
venv per Cinder release, never the client's), with three backends:
``lvmdriver-1`` on Cinder's LVM driver as devstack runs it (see
``lvm_backend``; Cinder's fake driver where this machine cannot), ``fake-2``
on Cinder's fake LVM driver and ``replicated`` on our replicating test
driver.  It writes a clouds.yaml
with the clouds ``devstack-admin`` and ``devstack`` (demo), and waits until
every service reports up.  ``down`` stops exactly the processes ``up``
started and removes the volume group, loop device and backing file of
``lvmdriver-1``.  Standard library only: it runs before anything is installed.
"""

import argparse
import os
import sys

from volsvcclient.tests.functional.lab import faults
from volsvcclient.tests.functional.lab import lab
from volsvcclient.tests.functional.lab import packages
from volsvcclient.tests.functional.lab import processes
from volsvcclient.tests.functional.lab import service_records

DEFAULT_PORTS = {
    'keystone': 5000,
    'cinder': 8776,
    'mariadb': 3306,
    'rabbitmq': 5672,
    'epmd': 4369,
    # tgtd's iSCSI portal for lvmdriver-1: devstack's CINDER_TARGET_PORT.
    'iscsi': 3260,
}


def parse(argv):
    parser = argparse.ArgumentParser(
        prog='tools/lab', description='A real Cinder on 127.0.0.1 for volsvcclient tests.'
    )
    parser.add_argument(
        '--dir',
        default=os.environ.get(
            'VOLSVC_LAB_DIR', os.path.expanduser('~/.cache/volsvcclient-lab')
        ),
        help='State, logs, server venvs and clouds.yaml (default %(default)s)',
    )
    for name, port in DEFAULT_PORTS.items():
        parser.add_argument(f'--{name}-port', type=int, default=port,
                            help=f'Port of {name} on 127.0.0.1 (default {port})')
    commands = parser.add_subparsers(dest='command', required=True)
    up = commands.add_parser('up', help='Bring the lab up (idempotent)')
    up.add_argument('--cinder-version', default=packages.DEFAULT_CINDER,
                    choices=sorted(packages.RELEASES))
    commands.add_parser('down', help='Stop every process the lab started')
    commands.add_parser('status', help='Show the lab processes')
    commands.add_parser('env', help='Print the variables to export')
    for verb in ('stop', 'start'):
        one = commands.add_parser(verb, help=f'{verb.title()} one lab process')
        one.add_argument('name', help='e.g. cinder-api')
    add = commands.add_parser(
        'add-services', help='Register extra cinder-volume service records'
    )
    add.add_argument('count', type=int)
    heartbeat = add.add_mutually_exclusive_group()
    heartbeat.add_argument(
        '--heartbeat-offset', metavar='SECONDS', type=int, default=0,
        help='Their heartbeat (updated_at) this many seconds from now, by '
        'the database clock: positive for a clock ahead',
    )
    heartbeat.add_argument(
        '--no-heartbeat', action='store_true',
        help='Records that never sent a heartbeat (updated_at NULL)',
    )
    commands.add_parser('remove-services', help='Remove the extra service records')
    reset = commands.add_parser(
        'reset-cluster', help='Re-enable, thaw and fail back a cluster in the database'
    )
    reset.add_argument('cluster')
    beating = commands.add_parser(
        'keep-beating',
        help='Write a heartbeat for cinder-volume on these hosts every second, '
        'until interrupted: stopped, they still show up',
    )
    beating.add_argument('hosts', nargs='+', metavar='host')
    drop = commands.add_parser(
        'drop-rpc',
        help='Drop the RPC messages queued for cinder-volume on these hosts or '
        'clusters (stopped: a late freeze would land on restart)',
    )
    drop.add_argument('names', nargs='+', metavar='host-or-cluster')
    drop.add_argument('--at-least', type=int, default=0,
                      help='First wait until each queue holds this many')
    failover = commands.add_parser(
        'reset-failover',
        help='End a failover Cinder recorded but never delivered, in the database',
    )
    failover.add_argument('host')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    ports = {name: getattr(args, f'{name}_port') for name in DEFAULT_PORTS}
    the_lab = lab.Lab(args.dir, ports)
    try:
        if args.command == 'up':
            the_lab.up(args.cinder_version)
        elif args.command == 'down':
            the_lab.down()
        elif args.command == 'status':
            return the_lab.status()
        elif args.command == 'env':
            the_lab.env()
        elif args.command == 'stop':
            faults.stop(the_lab, args.name)
        elif args.command == 'start':
            faults.start(the_lab, args.name)
        elif args.command == 'add-services':
            service_records.add_services(
                the_lab, args.count,
                None if args.no_heartbeat else args.heartbeat_offset)
        elif args.command == 'reset-cluster':
            service_records.reset_cluster(the_lab, args.cluster)
        elif args.command == 'keep-beating':
            service_records.keep_beating(the_lab, args.hosts)
        elif args.command == 'drop-rpc':
            faults.drop_rpc(the_lab, args.names, args.at_least)
        elif args.command == 'reset-failover':
            service_records.reset_failover(the_lab, args.host)
        else:
            service_records.remove_services(the_lab)
    except processes.LabError as exc:
        processes.say(f'error: {exc}')
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == '__main__':
    sys.exit(main())
