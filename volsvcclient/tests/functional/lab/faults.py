"""Stopping and starting one lab process, for fault tests."""

from volsvcclient.tests.functional.lab import processes


def stop(lab, name):
    """Stop one lab process (e.g. cinder-api)."""
    processes.stop(lab.entry(name))
    processes.say(f'{name} stopped')


def start(lab, name):
    """Start a lab process stopped with ``stop`` again."""
    entry = lab.entry(name)
    if processes.alive(entry):
        processes.say(f'{name} is already running')
        return
    lab.spawn(name, entry['argv'], entry['env'], entry['cwd'])
    if name == 'cinder-api':
        processes.wait_for('cinder-api', lambda: processes.port_open(lab.ports['cinder']),
                           60, lab.log('cinder-api'))
    processes.say(f'{name} started')
