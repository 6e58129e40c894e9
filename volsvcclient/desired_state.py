"""Wanted service states: read, planned against the live ones, applied, checked.

This is ``volume service commit``: the SDK's ``Service.commit()`` idea
(persist what changed) for a resource whose fields change only through
os-services actions.  One list request reads every live state, actions run
in a safe order, and one more list request verifies them all.
"""

import dataclasses
import json

from osc_lib import exceptions

from volsvcclient import columns
from volsvcclient import errors
from volsvcclient import services
from volsvcclient.v2 import service as v2_service

RESULT_COLUMNS = ('Host', 'Binary', 'Actions', 'Result', 'Detail')


@dataclasses.dataclass(frozen=True)
class Wanted:
    """What one service should end as; None means "leave as it is"."""

    host: str
    binary: str
    status: str | None = None
    disabled_reason: str | None = None
    frozen: bool | None = None

    @property
    def key(self):
        return (self.host, self.binary)

    @property
    def expected(self):
        """SDK attribute -> value the re-read service must show."""
        expected = {}
        if self.status:
            expected['status'] = self.status
        if self.status == 'disabled' and self.disabled_reason:
            expected['disabled_reason'] = self.disabled_reason
        if self.frozen is not None:
            expected['is_frozen'] = self.frozen
        return expected


@dataclasses.dataclass(frozen=True)
class Action:
    name: str
    reason: str | None = None

    def __str__(self):
        return f"{self.name} (reason '{self.reason}')" if self.reason else self.name


def plan(live, wanted):
    """Actions that take ``live`` to ``wanted``, in a safe order.

    Thaw comes first (it re-enables), freeze next (it disables with reason
    'frozen'), and the status change last so that it has the final word.
    """
    actions = []
    status, reason, frozen = live.status, live.disabled_reason, live.is_frozen
    if wanted.frozen is False and frozen:
        actions.append(Action('thaw'))
        status, reason = 'enabled', ''
    elif wanted.frozen is True and not frozen:
        actions.append(Action('freeze'))
        status, reason = 'disabled', 'frozen'
    if wanted.status == 'disabled':
        new_reason = wanted.disabled_reason and wanted.disabled_reason != reason
        if status != 'disabled' or new_reason:
            actions.append(Action('disable', wanted.disabled_reason))
    elif wanted.status == 'enabled' and status != 'enabled':
        actions.append(Action('enable'))
    return actions


# Reading wanted states


def from_arguments(parsed_args):
    """The list of Wanted that ``volume service commit`` was given."""
    single = (
        parsed_args.host,
        parsed_args.binary,
        parsed_args.status,
        parsed_args.disabled_reason,
    )
    frozen = True if parsed_args.frozen else False if parsed_args.thawed else None
    if parsed_args.from_file:
        if any(v is not None for v in single) or frozen is not None:
            raise exceptions.CommandError(
                '--from-file takes the wanted states from the file: give no '
                '<host>, <binary>, --status, --disabled-reason, --frozen or '
                '--thawed with it'
            )
        return load(parsed_args.from_file)
    if not (parsed_args.host and parsed_args.binary):
        raise exceptions.CommandError('Give <host> <binary>, or --from-file <file>')
    if parsed_args.disabled_reason is not None and parsed_args.status != 'disabled':
        raise exceptions.CommandError('--disabled-reason goes with --status disabled')
    if parsed_args.status is None and frozen is None:
        raise exceptions.CommandError(
            'Nothing to commit: give --status, --frozen or --thawed'
        )
    v2_service.check_reason(parsed_args.disabled_reason, '--disabled-reason')
    wanted = Wanted(
        parsed_args.host,
        parsed_args.binary,
        parsed_args.status,
        parsed_args.disabled_reason,
        frozen,
    )
    _check_frozen_binary(wanted, 'the command line')
    return [wanted]


def load(path):
    """Wanted states from saved ``list --long -f json|yaml`` output."""
    try:
        if path == '-':
            import sys

            text = sys.stdin.read()
        else:
            with open(path, encoding='utf-8') as stream:
                text = stream.read()
    except OSError as exc:
        raise exceptions.CommandError(f'Cannot read {path}: {exc.strerror}') from exc
    entries = _parse(path, text)
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list) or not entries:
        raise exceptions.CommandError(
            f'{path}: expected a list of services as printed by '
            f'"openstack volume service list --long -f json"'
        )
    wanted = [_entry(path, number, entry) for number, entry in enumerate(entries, 1)]
    seen = set()
    for item in wanted:
        if item.key in seen:
            raise exceptions.CommandError(
                f'{path}: {item.binary} on {item.host} is listed twice'
            )
        seen.add(item.key)
    return wanted


def _parse(path, text):
    try:
        return json.loads(text)
    except ValueError:
        pass
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise exceptions.CommandError(
            f'{path} is neither JSON nor YAML: {errors.one_line(exc)}'
        ) from exc


def _entry(path, number, entry):
    where = f'{path}, entry {number}'
    if not isinstance(entry, dict):
        raise exceptions.CommandError(f'{where}: expected a mapping of column names')
    unknown = sorted(set(entry) - set(columns.ATTRIBUTE_BY_NAME))
    if unknown:
        raise exceptions.CommandError(
            f"{where}: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(columns.ATTRIBUTE_BY_NAME)}"
        )
    for required in ('Host', 'Binary'):
        if not isinstance(entry.get(required), str) or not entry[required]:
            raise exceptions.CommandError(f'{where}: {required} is missing')
    status = entry.get('Status')
    if status not in (None, 'enabled', 'disabled'):
        raise exceptions.CommandError(
            f"{where}: Status must be 'enabled' or 'disabled', not {status!r}"
        )
    frozen = entry.get('Frozen')
    if frozen not in (None, True, False):
        raise exceptions.CommandError(
            f'{where}: Frozen must be true, false or null, not {frozen!r}'
        )
    reason = entry.get('Disabled Reason') or None
    if reason is not None and not isinstance(reason, str):
        raise exceptions.CommandError(f'{where}: Disabled Reason must be text')
    if status == 'disabled':
        v2_service.check_reason(reason, f'{where}: Disabled Reason')
    wanted = Wanted(entry['Host'], entry['Binary'], status, reason, frozen)
    _check_frozen_binary(wanted, where)
    return wanted


def _check_frozen_binary(wanted, where):
    if wanted.frozen is not None and wanted.binary != services.VOLUME_BINARY:
        raise exceptions.CommandError(
            f'{where}: only {services.VOLUME_BINARY} services can be frozen '
            f'or thawed, not {wanted.binary} on {wanted.host}'
        )


# Applying


@dataclasses.dataclass
class Outcome:
    wanted: Wanted
    actions: list
    result: str = ''
    detail: str = ''

    @property
    def row(self):
        planned = ', '.join(map(str, self.actions)) or '-'
        return (
            self.wanted.host,
            self.wanted.binary,
            planned,
            self.result,
            self.detail,
        )


class Batch:
    """Wanted states matched with live services and planned."""

    def __init__(self, api, wanted, note):
        self.api = api
        self.note = note
        live = self._read_live(wanted)
        self.outcomes = []
        for item in wanted:
            service = live.get(item.key)
            outcome = Outcome(item, plan(service, item) if service else [])
            if service is None:
                outcome.result = 'failed'
                outcome.detail = 'no such service'
            self.outcomes.append(outcome)

    def _read_live(self, wanted):
        if len(wanted) == 1:
            service = self.api.find(wanted[0].host, wanted[0].binary)
            return {wanted[0].key: service}
        return {(s.host, s.binary): s for s in self.api.list()}

    @property
    def to_change(self):
        return [o for o in self.outcomes if o.actions and not o.result]

    def plan_rows(self):
        for outcome in self.outcomes:
            if not outcome.result:
                outcome.result = 'would change' if outcome.actions else 'unchanged'
        return RESULT_COLUMNS, [o.row for o in self.outcomes]

    def apply(self, enable_via_thaw):
        """Apply every plan; (columns, rows, number that failed)."""
        changing = self.to_change
        for outcome in changing:
            self.note(
                f'{outcome.wanted.binary} on {outcome.wanted.host}: '
                f"{', '.join(map(str, outcome.actions))}"
            )
            self._run(outcome)
        accepted = [o for o in changing if not o.result]
        if accepted:
            final = {(s.host, s.binary): s for s in self.api.list()}
            for outcome in accepted:
                service = final.get(outcome.wanted.key)
                enable_ignored = self._check(outcome, service)
                if enable_ignored and enable_via_thaw:
                    self._enable_via_thaw(outcome, service)
        for outcome in self.outcomes:
            if not outcome.result:
                outcome.result = 'unchanged'
        failed = sum(o.result == 'failed' for o in self.outcomes)
        return RESULT_COLUMNS, [o.row for o in self.outcomes], failed

    def _run(self, outcome):
        """Send the planned requests; on an error, stop and record it."""
        wanted = outcome.wanted
        target = services.Target(host=wanted.host)
        service = self.api.resource(host=wanted.host, binary=wanted.binary)
        requests = {
            'freeze': lambda action: self.api.freeze(target),
            'thaw': lambda action: self.api.thaw(target),
            'disable': lambda action: self.api.disable(service, action.reason),
            'enable': lambda action: self.api.enable(service),
        }
        for action in outcome.actions:
            try:
                requests[action.name](action)
            except Exception as exc:
                translated = errors.translate(exc)
                if translated is None:
                    raise
                outcome.result = 'failed'
                outcome.detail = f'{action.name}: {translated}'
                return

    def _check(self, outcome, service):
        """Mark ``outcome`` changed or failed; True when enable was ignored."""
        if service is None:
            outcome.result, outcome.detail = 'failed', 'disappeared'
            return False
        wrong = services.mismatches(service, outcome.wanted.expected)
        if not wrong:
            outcome.result = 'changed'
            return False
        outcome.result = 'failed'
        outcome.detail = 'the server accepted every request but ' + ', '.join(wrong)
        enable_ignored = (
            Action('enable') in outcome.actions and service.status == 'disabled'
        )
        if enable_ignored:
            outcome.detail += f'. {services.ENABLE_IGNORED}'
        return enable_ignored

    def _enable_via_thaw(self, outcome, service):
        try:
            services.enable_via_thaw(self.api, service, self.note)
        except Exception as exc:
            translated = (
                exc if isinstance(exc, exceptions.CommandError)
                else errors.translate(exc)
            )
            if translated is None:
                raise
            outcome.detail = f'freeze and thaw: {translated}'
            return
        outcome.actions = outcome.actions + [Action('freeze'), Action('thaw')]
        outcome.result, outcome.detail = 'changed', ''
