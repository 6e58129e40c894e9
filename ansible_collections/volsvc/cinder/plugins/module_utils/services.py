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

"""What the modules share beyond the connection: the options that choose
services, and the service and report shapes a task returns. Plain
functions of the module's parameters and the API's objects, so the unit
tests need neither a cloud nor ansible's module runner.
"""

#: Options that choose services: one (host and binary) or a selection.
SELECTION_SPEC = dict(
    host=dict(type='str'),
    binary=dict(type='str'),
    host_pattern=dict(type='str'),
    zone=dict(type='str'),
    cluster=dict(type='str'),
)
#: AnsibleModule keywords of SELECTION_SPEC: host names one service.
SELECTION_RULES = dict(
    mutually_exclusive=[('host', 'host_pattern'), ('host', 'zone'),
                        ('host', 'cluster')],
    required_by={'host': 'binary'},
)
#: The fields of a service a task returns: openstack.cloud's
#: volume_service_info's, openstacksdk's Service.to_dict(computed=False)
#: (``name`` is the SDK's alias of ``binary``; os-services entries have no
#: ``id``), so that the results of one feed the other.
SERVICE_FIELDS = (
    'active_backend_id', 'availability_zone', 'backend_state', 'binary', 'cluster',
    'disabled_reason', 'host', 'id', 'is_frozen', 'name', 'replication_status',
    'state', 'status', 'updated_at',
)
#: The fields a change sets, as a diff shows them.
STATE_FIELDS = ('status', 'disabled_reason', 'is_frozen')


def selection(api, params):
    """The api.Selection of the selection options (host and binary name
    one service exactly); None when no option chooses, meaning every
    service."""
    chosen = dict((name, params.get(name)) for name in SELECTION_SPEC
                  if params.get(name) is not None)
    if not chosen:
        return None
    return api.Selection(**chosen)


def service(svc):
    """One service as a task returns it."""
    shown = dict((name, getattr(svc, name, None)) for name in SERVICE_FIELDS)
    shown['name'] = shown['binary']
    return shown


def state(svc):
    """The fields a change sets, for a diff; {} for no service."""
    if svc is None:
        return {}
    return dict((name, getattr(svc, name, None)) for name in STATE_FIELDS)


def predicted(outcome):
    """The state a plan predicts for one service, as the engine predicts
    it from Cinder's code (a freeze disables with reason 'frozen')."""
    after = state(outcome.before)
    after.update((name, value) for name, value in outcome.predicted.items()
                 if name in STATE_FIELDS)
    return after


def diff(report):
    """Ansible's diff, one entry per service the change concerned: before
    and after (after as re-read, or as predicted by a plan)."""
    entries = []
    for outcome in report.outcomes:
        before = state(outcome.before)
        if report.planned:
            # A service the run would refuse keeps its state.
            after = predicted(outcome) if outcome.result.value == 'would change' else before
        elif outcome.after is not None:
            after = state(outcome.after)
        else:
            after = before
        name = '%s on %s' % (outcome.binary, outcome.host)
        entries.append(dict(before=before, after=after,
                            before_header=name, after_header=name))
    return entries


def actions(outcome):
    """What was planned for a service, with what may follow (as the
    Actions column of ``commit``)."""
    planned = ', '.join(outcome.actions) or '-'
    if outcome.fallback:
        planned += ' (then %s if the server ignores enable)' % ', '.join(outcome.fallback)
    return planned


def rows(report, words):
    """``commit -f json``'s rows with lower-case keys (host, binary,
    actions, result, detail), ``detail`` in the modules' ``words``."""
    return [dict(host=o.host, binary=o.binary, actions=actions(o), result=o.result.value,
                 detail=o.worded(words))
            for o in report.outcomes]


def interrupted(signal_name, report, words):
    """The one line of a change a signal interrupted: what became of each
    service, sent or not."""
    each = '; '.join(
        '%s on %s: %s' % (o.binary, o.host, o.result.value)
        + (' (%s)' % o.worded(words) if o.said else '')
        for o in report.outcomes)
    return 'Interrupted by %s: %s' % (signal_name, each)


def finish(module, report, signal_name, result, words):
    """The end of a task that changed services: it fails, returning
    ``result``, when a signal interrupted the change (the line is logged
    too: ansible-playbook may be gone) or a service did not end as asked;
    else ``result``."""
    if report.interrupted:
        msg = interrupted(signal_name, report, words)
        module.log(msg)
        module.fail_json(msg=msg, **result)
    reason = report.worded(words)
    if reason:
        module.fail_json(msg=reason, **result)
    return result
