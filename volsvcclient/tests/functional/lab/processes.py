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

"""Processes of the lab: spawning, stopping, the state file, ports, waits.

Each lab process leads its own session, so stopping it stops everything it
forked.  A process is known by its PID and its kernel start time, so a
recycled PID is never mistaken for it.
"""

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time


class LabError(Exception):
    """A failure the operator can act on: printed as one line."""


def say(message):
    print(f'lab: {message}', file=sys.stderr, flush=True)


def run(argv, **kwargs):
    """Run a set-up command; on failure its last line of output is the error."""
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode:
        raise LabError(
            f"{' '.join(map(str, argv[:3]))} failed ({result.returncode}): "
            f"{(result.stderr or result.stdout).strip().splitlines()[-1:]}"
        )
    return result.stdout


def port_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(('127.0.0.1', port))
        except OSError:
            return False
    return True


def port_open(port):
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(('127.0.0.1', port)) == 0


def wait_for(what, check, timeout, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.5)
    hint = f'; see {log}' if log else ''
    raise LabError(f'{what} did not come up within {timeout} s{hint}')


def load_state(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {'processes': []}


def save_state(path, state):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=2))
    # The state holds the lab's passwords.
    path.chmod(0o600)


def process_start_time(pid):
    """Kernel start time of ``pid``, to tell it from a recycled PID."""
    try:
        stat = pathlib.Path(f'/proc/{pid}/stat').read_text()
    except OSError:
        return None
    return stat.rsplit(')', 1)[1].split()[19]


def alive(entry):
    return process_start_time(entry['pid']) == entry['started']


def spawn(name, argv, log, env=None, cwd=None, stop_argv=None):
    """Start ``argv`` in its own session; the state entry that finds it again.

    ``stop_argv`` is the command that stops a process that ignores SIGTERM.
    """
    argv = [str(a) for a in argv]
    with open(log, 'ab') as output:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,
        )
    time.sleep(0.05)
    entry = {'name': name, 'pid': process.pid,
             'started': process_start_time(process.pid),
             'argv': argv, 'env': env or {}, 'cwd': cwd}
    if stop_argv:
        entry['stop_argv'] = stop_argv
    return entry


def stop(entry):
    """Stop ``entry`` with its ``stop_argv`` or SIGTERM to its process group;
    SIGKILL the group after 15 s."""
    if not alive(entry):
        return
    if entry.get('stop_argv'):
        subprocess.run(entry['stop_argv'], capture_output=True)
    else:
        try:
            os.killpg(entry['pid'], signal.SIGTERM)
        except ProcessLookupError:
            return
    if _gone(entry['pid'], 15):
        return
    say(f"{entry['name']} did not stop: killing it")
    try:
        os.killpg(entry['pid'], signal.SIGKILL)
    except ProcessLookupError:
        return
    # Until it is reaped it still looks alive to a start that follows.
    _gone(entry['pid'], 5)


def _gone(pid: int, timeout: float) -> bool:
    """Whether the process group ``pid`` ended within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.2)
    return False
