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

"""``lvmdriver-1`` as devstack runs it: Cinder's LVM driver and an iSCSI target.

devstack (lib/lvm, lib/cinder_backends/lvm) puts the volume group
``stack-volumes-lvmdriver-1`` on a loop device over a sparse backing file
and serves it over iSCSI.  The lab does the same with Debian's userspace
``tgtd`` on 127.0.0.1, ``lvm_type = default`` and devstack's target prefix,
protocol and port.  Without device-mapper in the kernel no logical volume
can be made, so the backend has no volumes, but Cinder's real driver runs:
it checks its volume group at start, reports LVM's own capacity and answers
freeze, thaw and failover as on devstack.

It needs root (losetup, LVM, tgtd) and loop devices; without them the lab
keeps Cinder's fake driver for ``lvmdriver-1`` and says why.  Everything
made here is found again from the backing file's path and the state file,
so ``down`` (or the next ``up``) removes what a crashed run left.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import typing

from volsvcclient.tests.functional.lab import processes

if typing.TYPE_CHECKING:
    from volsvcclient.tests.functional.lab.lab import Lab

BACKEND = 'lvmdriver-1'
#: devstack: $VOLUME_GROUP_NAME-$be_name, on $DATA_DIR/$vg-backing-file.
VOLUME_GROUP = f'stack-volumes-{BACKEND}'
BACKING_FILE = f'{VOLUME_GROUP}-backing-file'
#: devstack's VOLUME_BACKING_FILE_SIZE; sparse, so it costs no disk.
BACKING_FILE_SIZE = 30 * 1024 ** 3
DRIVER = 'cinder.volume.drivers.lvm.LVMVolumeDriver'
#: devstack lib/cinder: CINDER_TARGET_PREFIX and CINDER_TARGET_PROTOCOL.
TARGET_PREFIX = 'iqn.2010-10.org.openstack:'
TARGET_PROTOCOL = 'iscsi'
FAKE_DRIVER = 'cinder.tests.fake_driver.FakeLoggingVolumeDriver'
#: Debian package -> the program the lab needs from it.
DEBIAN_PACKAGES = {'lvm2': '/sbin/vgcreate', 'tgt': '/usr/sbin/tgtd'}
#: The lab process serving iSCSI.  It ignores SIGTERM; this stops it.
TGTD = 'tgtd'
TGTD_STOP = ['tgtadm', '--op', 'delete', '--mode', 'system']


def missing_requirement() -> str | None:
    """Why this machine cannot run the real driver, or None when it can."""
    if os.geteuid() != 0:
        return 'the lab does not run as root (losetup, LVM and tgtd need it)'
    if not os.path.exists('/dev/loop-control'):
        return 'this machine has no loop devices (/dev/loop-control)'
    return None


def backing_file(lab: Lab) -> pathlib.Path:
    return lab.root / BACKING_FILE


def start(lab: Lab, why: str | None) -> None:
    """Make the volume group and start tgtd, or fall back to the fake driver
    (at once when ``why`` says this machine cannot run the real one).

    The outcome goes into the lab's state as ``lvm_backend``: the real
    driver, or the fake one and why, which ``configuration`` and the tests
    read.  A failure of any step removes what the earlier steps made.
    """
    if why is None:
        remove(lab)
        try:
            loop = _make_volume_group(lab)
            _start_tgtd(lab)
        except processes.LabError as exc:
            why = str(exc)
            _stop_tgtd(lab)
            remove(lab)
        else:
            lab.state['lvm_backend'] = {'real': True, 'loop_device': loop}
            lab.save()
            processes.say(
                f'{BACKEND}: {DRIVER} on volume group {VOLUME_GROUP} ({loop}), '
                f"tgtd on 127.0.0.1:{lab.ports['iscsi']}"
            )
            return
    lab.state['lvm_backend'] = {'real': False, 'why': why}
    lab.save()
    processes.say(f"{BACKEND} keeps Cinder's fake driver: {why}")


def _make_volume_group(lab: Lab) -> str:
    """devstack's _create_lvm_volume_group; the loop device it is on."""
    _refuse_a_foreign_volume_group()
    path = backing_file(lab)
    with open(path, 'wb') as sparse:
        sparse.truncate(BACKING_FILE_SIZE)
    loop = processes.run(['losetup', '--find', '--show', path]).strip()
    _lvm(['vgcreate', VOLUME_GROUP, loop])
    return loop


def _lvm(argv: list, check: bool = True) -> str:
    """An LVM command's output, without its warnings about the file
    descriptors Python leaves open, so a failure's last line is its error."""
    env = {**os.environ, 'LVM_SUPPRESS_FD_WARNINGS': '1'}
    if check:
        return processes.run(argv, env=env)
    return subprocess.run(argv, capture_output=True, text=True, env=env).stdout


def _refuse_a_foreign_volume_group() -> None:
    """Volume group names are the host's: another lab's is never taken over."""
    found = _lvm(['pvs', '--noheadings', '-o', 'pv_name', '--select',
                  f'vg_name={VOLUME_GROUP}'], check=False).split()
    if found:
        raise processes.LabError(
            f"volume group {VOLUME_GROUP} already exists on {', '.join(found)}, "
            f'not over this lab\'s backing file (another lab\'s?)'
        )


def _start_tgtd(lab: Lab) -> None:
    port = lab.ports['iscsi']
    if not processes.port_free(port):
        raise processes.LabError(
            f'port {port} on 127.0.0.1 is taken (another lab\'s tgtd?); choose '
            f'another with --iscsi-port'
        )
    lab.spawn(TGTD, ['tgtd', '--foreground', '--iscsi', f'portal=127.0.0.1:{port}'],
              stop_argv=TGTD_STOP)
    processes.wait_for(
        f'tgtd on 127.0.0.1:{port}', lambda: _serving(lab), 15, lab.log(TGTD)
    )


def _serving(lab: Lab) -> bool:
    """tgtd is ready when it answers on its port; a dead one never will."""
    if not processes.alive(lab.entry(TGTD)):
        raise processes.LabError(
            f'tgtd exited at start (another tgtd on this host?); see {lab.log(TGTD)}'
        )
    return processes.port_open(lab.ports['iscsi'])


def _stop_tgtd(lab: Lab) -> None:
    for entry in lab.state['processes']:
        if entry['name'] == TGTD:
            processes.stop(entry)
    lab.state['processes'] = [e for e in lab.state['processes'] if e['name'] != TGTD]
    lab.save()


def remove(lab: Lab) -> None:
    """Remove the volume group, loop devices and backing file of this lab.

    devstack's clean_lvm_volume_group and _clean_lvm_backing_file, found
    from the backing file's path rather than from the state, which a crash
    may have left behind or never written.
    """
    path = backing_file(lab)
    if not path.exists():
        return
    for loop in _loop_devices(path):
        group = _lvm(['pvs', '--noheadings', '-o', 'vg_name', loop], check=False).strip()
        if group:
            _lvm(['vgremove', '--force', group])
        processes.run(['losetup', '--detach', loop])
    path.unlink()


def _loop_devices(path: pathlib.Path) -> list[str]:
    listing = processes.run(['losetup', '--associated', path, '--output', 'NAME',
                             '--noheadings'])
    return listing.split()


def configuration(lab: Lab) -> list[str]:
    """The lines of ``[lvmdriver-1]`` in cinder.conf: devstack's
    configure_cinder_backend_lvm with tgtadm, or the fake driver."""
    lines = [f'[{BACKEND}]', f'volume_backend_name = {BACKEND}']
    if not lab.state['lvm_backend']['real']:
        return lines + [f'volume_driver = {FAKE_DRIVER}']
    return lines + [
        f'volume_driver = {DRIVER}',
        f'volume_group = {VOLUME_GROUP}',
        'target_helper = tgtadm',
        f'target_protocol = {TARGET_PROTOCOL}',
        'target_ip_address = 127.0.0.1',
        f"target_port = {lab.ports['iscsi']}",
        f'target_prefix = {TARGET_PREFIX}',
        # devstack's default is auto, which is thin where thin works:
        # thin pools need device-mapper.
        'lvm_type = default',
        'volume_clear = zero',
    ]


def describe(lab: Lab) -> str:
    """One line for ``status``: which driver ``lvmdriver-1`` runs."""
    backend = lab.state.get('lvm_backend') or {}
    if backend.get('real'):
        return (f'{BACKEND}: LVMVolumeDriver on {VOLUME_GROUP} '
                f"({backend['loop_device']}), tgtd on 127.0.0.1:{lab.ports['iscsi']}")
    return f"{BACKEND}: Cinder's fake driver ({backend.get('why', 'lab down')})"
