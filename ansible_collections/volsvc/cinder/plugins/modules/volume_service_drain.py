#!/usr/bin/python
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

DOCUMENTATION = r'''
---
module: volume_service_drain
short_description: Drain a Cinder backend for maintenance, and resume it
version_added: 0.0.1
author: OpenStack volsvcclient developers (@openstack)
description:
  - C(state=drained) takes cinder-volume backends out for maintenance - it
    disables each backend's cinder-volume with a reason (and freezes it with
    I(freeze)), then reads what is on the backend until nothing is in flight
    in two reads in a row. Only then does it return C(drained=true), when it
    is safe to stop cinder-volume. At the I(timeout) the task fails with one
    line naming what is still in flight (volumes being created, extended,
    attached, backed up, migrated; snapshots and backups being made).
  - C(state=resumed) brings them back - it waits until each backend's
    cinder-volume has sent two new heartbeats (it really came back), then
    thaws and re-enables it (by freeze and thaw where Cinder 28.0.0 and later
    ignore enable), and re-reads it. When a cinder-volume does not report
    again in time it changes nothing, and the task fails saying so.
  - Idempotent - a second C(drained) sends nothing (C(changed=false)) and
    reports what is on the backend again; C(resumed) of an enabled, thawed
    backend sends nothing. Both read every time - a drain watches what is in
    flight, a resume waits for fresh heartbeats.
  - In check mode nothing is sent and nothing is waited for. C(drained)
    returns what would be disabled or frozen, and what is in flight now (one
    read). C(resumed) returns the thaw and enable it would send once
    cinder-volume has reported, and warns of each cinder-volume that is down
    now. With C(--diff), each service's status,
    disabled reason and frozen state before and after (after as predicted).
  - Give one backend (I(host)), one I(cluster), or a selection
    (I(host_pattern), I(zone)). A cluster is drained as one backend, frozen
    rather than disabled member by member. A member of a cluster alone is
    refused before anything is sent.
  - What an operator should know comes back as the task's warnings.
  - Interrupted (Ctrl-C of ansible-playbook, or SIGTERM), it sends nothing
    more and fails with one line saying what was done - which services were
    changed, and what was in flight when the watch stopped. It also logs that
    line (syslog or the journal), for ansible-playbook may be gone to read
    the result. The backend stays as it was left (disabled, frozen) until a
    C(resumed) task brings it back.
  - This is C(volsvc drain) and C(volsvc resume) (C(openstack volume service
    drain) and C(resume)) of volsvcclient, through its Python API
    C(volsvcclient.api).
options:
  state:
    description:
      - C(drained) takes the backends out and waits until nothing is in
        flight on them; C(resumed) brings them back.
    type: str
    choices: [drained, resumed]
    default: drained
  host:
    description:
      - One backend, its cinder-volume's host exactly as Cinder lists it
        (C(node1@lvm)).
      - Mutually exclusive with I(cluster), I(host_pattern) and I(zone).
    type: str
  cluster:
    description:
      - The backend of an active-active cluster, by the cluster's name (Block
        Storage API 3.7 and later). Its members are drained and resumed
        together.
    type: str
  host_pattern:
    description:
      - Every cinder-volume backend whose host matches this shell pattern,
        such as C(node1@*) for every backend of one storage node. A cluster's
        members are taken all, or none (the task fails).
    type: str
  zone:
    description:
      - Every cinder-volume backend of this availability zone (with
        I(host_pattern), those that match both).
    type: str
  disabled_reason:
    description:
      - The reason recorded with the disable (at most 255 characters).
        C(maintenance) when not given. Only with C(state=drained).
      - A backend already disabled with another reason gets this one.
    type: str
  freeze:
    description:
      - Freeze the backends too - Cinder then refuses to delete their volumes
        and to create or delete their snapshots. A disable alone only stops
        new volumes being placed there. Only with C(state=drained); the
        resume thaws them.
    type: bool
    default: false
  even_if_down:
    description:
      - Send freeze and thaw to a cinder-volume that is down. Cinder changes
        the database, then waits for the service until its RPC timeout and no
        driver acts.
    type: bool
    default: false
  rpc_timeout:
    description:
      - Seconds to wait for an answer to freeze or thaw, which Cinder gives
        only once the backend's cinder-volume has answered over RabbitMQ.
        Default 20, or I(api_timeout) when that is lower. More than 0.
    type: float
  wait:
    description:
      - With C(state=drained), C(true) watches what is in flight until
        nothing is, up to I(timeout); C(false) takes the backends out, reads
        what is on them once, and returns (C(drained=false), for one read
        cannot tell; the task fails only when the change failed).
      - With C(state=resumed) it must be C(true) - a resume waits for
        cinder-volume to report again before it changes anything (the
        C(volume_service) module thaws and enables without waiting).
      - openstack.cloud's common option, with its default.
    type: bool
    default: true
  timeout:
    description:
      - How many seconds the drain watches what is in flight (default 600),
        or the resume waits for cinder-volume to report again (default 300).
        A finite number, 0 or more.
      - Longer than openstack.cloud's 180 by default - a drain waits for the
        operations of every project on the backend, and a backup or a
        migration under way takes minutes.
    type: float
    default: null
  interval:
    description:
      - Seconds between reads (at least 1). Default 5 for a drain (each read
        lists the backend's volumes, snapshots and backups), 2 for a resume
        (one read of the services).
    type: float
extends_documentation_fragment:
  - volsvc.cinder.connection
attributes:
  check_mode:
    support: full
    description: Sends nothing and waits for nothing; a drain reads what is in flight once.
  diff_mode:
    support: full
    description: The fields set (status, disabled_reason, is_frozen) before and after, per service.
'''

EXAMPLES = r'''
- name: Drain one backend before its storage array's firmware update
  volsvc.cinder.volume_service_drain:
    cloud: mycloud
    host: node1@lvm
    disabled_reason: "firmware 4.2, ticket OPS-1234"
    freeze: true
  register: drain

- name: Bring it back once cinder-volume runs again
  volsvc.cinder.volume_service_drain:
    cloud: mycloud
    host: node1@lvm
    state: resumed

- name: Every backend of a storage node, in a rolling upgrade (serial 1)
  volsvc.cinder.volume_service_drain:
    cloud: mycloud
    host_pattern: "{{ inventory_hostname }}@*"
    disabled_reason: rolling upgrade
    timeout: 1800
  delegate_to: localhost

- name: What a drain would disable, and what is in flight now
  volsvc.cinder.volume_service_drain:
    cloud: mycloud
    cluster: cluster1@ceph
  check_mode: true
  diff: true
  register: plan
'''

RETURN = r'''
drained:
  description:
    - Whether every backend was taken out as asked and nothing was in flight
      on it in two reads in a row - safe to stop cinder-volume. Never true in
      check mode or with C(wait=false), which read once.
  returned: state=drained, when the backends could be read
  type: bool
  sample: true
backends:
  description: What is on each backend at the last read.
  returned: state=drained, when the backends could be read
  type: list
  elements: dict
  contains:
    backend:
      description: The backend, a host@backend or a cluster's name.
      type: str
      sample: node1@lvm
    volumes:
      description:
        - Volumes on it, of every project (null when it was not read, the
          change having failed).
      type: int
      sample: 4
    attached:
      description: Those of its volumes that are attached.
      type: int
      sample: 1
    snapshots:
      description: Snapshots of its volumes.
      type: int
      sample: 0
    in_flight:
      description:
        - What a Cinder service is working on through the backend, the longest
          unchanged first.
      type: list
      elements: dict
      contains:
        kind:
          description: C(volume), C(snapshot) or C(backup).
          type: str
        id:
          description: Its ID.
          type: str
        project:
          description: Its project's ID.
          type: str
        status:
          description: Its status.
          type: str
        age:
          description:
            - Seconds since Cinder last changed it, by cinder-api's clock (null
              when unknown).
          type: float
        why:
          description: Why it counts as in flight (its status, or the migration under way).
          type: str
    waiting:
      description:
        - What waits on someone else (C(reserved), an attachment Nova has not
          completed; C(awaiting-transfer)) - reported, not waited for. Each as
          in I(in_flight).
      type: list
      elements: dict
    drained:
      description: Whether nothing was in flight on it in two reads in a row.
      type: bool
      sample: true
services:
  description:
    - The backends' cinder-volume services, as the drain or the resume left
      them (in check mode, as they are), under openstack.cloud's
      volume_service_info field names, as C(volume_service_wait) returns
      them.
  returned: when the services could be read
  type: list
  elements: dict
  contains:
    host:
      description: Its host.
      type: str
    binary:
      description: C(cinder-volume).
      type: str
    name:
      description: Its binary (openstacksdk's alias of it).
      type: str
    id:
      description: Always null (os-services entries have no id).
      type: str
    availability_zone:
      description: Its availability zone.
      type: str
    status:
      description: C(enabled) or C(disabled).
      type: str
    state:
      description: C(up) or C(down).
      type: str
    updated_at:
      description: Its last heartbeat (or write), by cinder-api's clock.
      type: str
    disabled_reason:
      description: Why it was disabled.
      type: str
    cluster:
      description: Its cluster (API 3.7 and later).
      type: str
    is_frozen:
      description: Whether it is frozen.
      type: bool
    replication_status:
      description: Its replication status.
      type: str
    active_backend_id:
      description: The backend it has failed over to.
      type: str
    backend_state:
      description: Not read by this module (null).
      type: str
outcomes:
  description:
    - What the change did to each service, as C(volume_service) returns its
      services - host, binary, actions, result, detail.
  returned: when the services could be read
  type: list
  elements: dict
  sample:
    - {host: node1@lvm, binary: cinder-volume, actions: "freeze, disable (reason 'maintenance')",
       result: changed, detail: ""}
unmet:
  description:
    - When a resume's wait timed out, one line per cinder-volume that did not
      report again.
  returned: failure of state=resumed at the timeout
  type: list
  elements: str
msg:
  description:
    - When the task fails, one line - what is still in flight at the timeout,
      what was not changed as asked, or what an interruption left.
  returned: failure
  type: str
  sample: >-
    Still in flight after 600 s: node1@lvm: volume
    6f1c0f6e-2b7a-4c55-9d43-8d7f43a1b2c9 (project
    9b1a3c5e7d2f40618a4b6c8d0e2f4a6b, extending, 1h)
'''

from ansible_collections.volsvc.cinder.plugins.module_utils import module  # noqa: E402
from ansible_collections.volsvc.cinder.plugins.module_utils import services  # noqa: E402
from ansible_collections.volsvc.cinder.plugins.module_utils import signals  # noqa: E402
from ansible_collections.volsvc.cinder.plugins.module_utils.words import WORDS  # noqa: E402

#: The options that choose the backends (cinder-volume only).
TARGETS = ('host', 'cluster', 'host_pattern', 'zone')
#: The keys of each thing in flight (the command line's In Flight column).
IN_FLIGHT_KEYS = ('kind', 'id', 'project', 'status', 'age', 'why')
#: What the in-flight part of a one-line message names per backend.
SHOWN_IN_A_LINE = 5


def moving(things):
    """One entry of ``in_flight`` or ``waiting`` per api.InFlight."""
    return [dict(zip(IN_FLIGHT_KEYS, (m.kind, m.id, m.project_id, m.status, m.age, m.why)))
            for m in things]


def backend_row(backend):
    """What the task returns of one api.BackendDrain."""
    return dict(backend=backend.backend, volumes=backend.volumes, attached=backend.attached,
                snapshots=backend.snapshots, in_flight=moving(backend.in_flight),
                waiting=moving(backend.waiting), drained=backend.drained)


def watched_line(drain):
    """What was in flight on each backend watched when the watch was
    interrupted, as Drain.reason names it (five a backend)."""
    each = []
    for backend in drain.backends:
        if not backend.reads:
            continue
        lines = [m.line for m in backend.in_flight[:SHOWN_IN_A_LINE]]
        if len(backend.in_flight) > SHOWN_IN_A_LINE:
            lines.append('and %d more' % (len(backend.in_flight) - SHOWN_IN_A_LINE))
        each.append('%s: %s' % (backend.backend, ', '.join(lines) or 'nothing in flight'))
    return '; '.join(each)


class VolumeServiceDrainModule(module.VolsvcModule):

    argument_spec = dict(
        state=dict(type='str', default='drained', choices=['drained', 'resumed']),
        host=dict(type='str'),
        cluster=dict(type='str'),
        host_pattern=dict(type='str'),
        zone=dict(type='str'),
        disabled_reason=dict(type='str'),
        freeze=dict(type='bool', default=False),
        even_if_down=dict(type='bool', default=False),
        rpc_timeout=dict(type='float'),
        # None: the API's default for the state (drain 600 s every 5 s,
        # resume 300 s every 2 s).
        timeout=dict(type='float'),
        interval=dict(type='float'),
    )
    module_kwargs = dict(
        supports_check_mode=True,
        required_one_of=[TARGETS],
        # A selection is host_pattern and zone together.
        mutually_exclusive=[('host', 'cluster'), ('host', 'host_pattern'), ('host', 'zone'),
                            ('cluster', 'host_pattern'), ('cluster', 'zone')],
    )

    def refused(self):
        """Options that do not go with state=resumed, in one line; None."""
        params = self.params
        if params['state'] != 'resumed':
            return None
        if params['disabled_reason'] is not None:
            return 'disabled_reason goes with state=drained'
        if params['freeze']:
            return 'freeze goes with state=drained (a resume thaws what the drain froze)'
        if not params['wait']:
            return ('wait: false goes with state=drained: a resume waits for cinder-volume '
                    'to report again before it changes anything (volume_service thaws and '
                    'enables without waiting)')
        return None

    def target(self):
        """Client.drain's and resume's host, cluster or selection."""
        params = self.params
        if params['host'] is not None:
            return dict(host=params['host'])
        if params['cluster'] is not None:
            return dict(cluster=params['cluster'])
        return dict(selection=self.api.Selection(params['host_pattern'], zone=params['zone']))

    def timing(self):
        """timeout and interval as given; the API's defaults otherwise. A
        drain with wait: false reads once."""
        params = self.params
        given = dict((name, params[name]) for name in ('timeout', 'interval')
                     if params[name] is not None)
        if params['state'] == 'drained' and not params['wait']:
            given['timeout'] = 0
        return given

    def run(self):
        why = self.refused()
        if why:
            self.fail_json(msg=why)
        with signals.counted(self.api) as (ctrl_c, received):
            try:
                client = self.client(rpc_timeout=self.params['rpc_timeout'])
                if self.params['state'] == 'drained':
                    return self.drain(client, ctrl_c, received)
                return self.resume(client, ctrl_c, received)
            except KeyboardInterrupt:
                # Before the first request of the change: the drain's
                # disable and the resume's thaw come after what raises it
                # (the backends' read, the wait for heartbeats).
                msg = 'Interrupted by %s before anything was sent; nothing was changed' % (
                    received.name)
                if self.params['state'] == 'resumed' and not self.check_mode:
                    msg = ('Interrupted by %s while waiting for cinder-volume to report '
                           'again; nothing was changed' % received.name)
                self.log(msg)
                self.fail_json(msg=msg)

    def result(self, report, listed):
        """What both states return: the services, each one's outcome, the
        diff; the notes as warnings."""
        for note in report.notes:
            self.warn(note.worded(WORDS))
        result = dict(changed=report.changed,
                      services=[services.service(s) for s in listed],
                      outcomes=services.rows(report, WORDS))
        if self.ansible._diff:
            result['diff'] = services.diff(report)
        return result

    def drain(self, client, ctrl_c, received):
        params = self.params
        given = dict(self.target(), **self.timing())
        if params['disabled_reason'] is not None:
            given['disabled_reason'] = params['disabled_reason']
        drain = client.drain(freeze=params['freeze'], even_if_down=params['even_if_down'],
                             ctrl_c=ctrl_c, plan=self.check_mode, **given)
        result = self.result(drain.report, [s for b in drain.backends for s in b.services])
        result.update(drained=drain.drained, backends=[backend_row(b) for b in drain.backends])
        if drain.interrupted:
            msg = services.interrupted(received.name, drain.report, WORDS)
            watched = watched_line(drain)
            if watched:
                msg += '; then, while watching what is in flight: ' + watched
            self.log(msg)
            self.fail_json(msg=msg, **result)
        if self.check_mode or not params['wait']:
            # One read judges nothing: only a change not made fails.
            reason = drain.report.worded(WORDS)
        else:
            reason = drain.worded(WORDS)
        if reason:
            self.fail_json(msg=reason, **result)
        return result

    def resume(self, client, ctrl_c, received):
        params = self.params
        try:
            report = client.resume(even_if_down=params['even_if_down'], ctrl_c=ctrl_c,
                                   plan=self.check_mode,
                                   **dict(self.target(), **self.timing()))
        except self.api.WaitTimedOut as exc:
            self.fail_json(msg='%s; nothing was changed' % module.message(exc, self.api),
                           unmet=list(exc.unmet), changed=False)
        listed = [o.after or o.before for o in report.outcomes if o.after or o.before]
        result = self.result(report, listed)
        return services.finish(self, report, received.name, result, WORDS)


def main():
    VolumeServiceDrainModule()()


if __name__ == '__main__':
    main()
