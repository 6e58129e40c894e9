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
#: Service attributes a task returns, under the names it returns them.
_SERVICE_FIELDS = (
    ('host', 'host'), ('binary', 'binary'), ('zone', 'availability_zone'),
    ('status', 'status'), ('state', 'state'), ('updated_at', 'updated_at'),
    ('disabled_reason', 'disabled_reason'), ('cluster', 'cluster'),
    ('frozen', 'is_frozen'), ('replication_status', 'replication_status'),
    ('active_backend_id', 'active_backend_id'),
    ('backend_state', 'backend_state'),
)
#: The fields a change sets, as a diff shows them: (name, SDK attribute).
_STATE_FIELDS = (('status', 'status'), ('disabled_reason', 'disabled_reason'),
                 ('frozen', 'is_frozen'))


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
    """One service as a task returns it (the SDK's ``is_frozen`` is
    ``frozen``, ``availability_zone`` is ``zone``)."""
    return dict((name, getattr(svc, attr, None)) for name, attr in _SERVICE_FIELDS)


def state(svc):
    """The fields a change sets, for a diff; {} for no service."""
    if svc is None:
        return {}
    return dict((name, getattr(svc, attr, None)) for name, attr in _STATE_FIELDS)


def predicted(outcome):
    """The state a plan predicts for one service: as it is, with what was
    asked of it."""
    after = state(outcome.before)
    for name, attr in _STATE_FIELDS:
        if attr in outcome.wanted:
            after[name] = outcome.wanted[attr]
    return after


def diff(report):
    """Ansible's diff, one entry per service the change concerned: before
    and after (after as re-read, or as predicted by a plan)."""
    entries = []
    for outcome in report.outcomes:
        before = state(outcome.before)
        if report.planned:
            after = predicted(outcome)
        elif outcome.after is not None:
            after = state(outcome.after)
        else:
            after = before
        name = '%s on %s' % (outcome.binary, outcome.host)
        entries.append(dict(before=before, after=after,
                            before_header=name, after_header=name))
    return entries


def rows(report, advise):
    """``commit -f json``'s rows with lower-case keys (host, binary,
    actions, result, detail), advice in ``detail`` worded by
    ``advise(option, purpose)`` in the module's option names."""
    return [dict(host=o.host, binary=o.binary, actions=o.actions, result=o.result,
                 detail=o.said(advise) if o.detail else '')
            for o in report.outcomes]


def interrupted(signal_name, report, advise):
    """The one line of a change a signal interrupted: what became of each
    service, sent or not."""
    each = '; '.join(
        '%s on %s: %s' % (o.binary, o.host, o.result)
        + (' (%s)' % o.said(advise) if o.detail else '')
        for o in report.outcomes)
    return 'Interrupted by %s: %s' % (signal_name, each)
