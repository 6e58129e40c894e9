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

"""The Python API of volsvcclient: Cinder services listed, shown, planned,
changed, waited for and checked, by the engine the commands use.

::

    from volsvcclient import api

    client = api.Client.from_cloud('mycloud')
    report = client.apply([api.Desired('node1@lvm', 'cinder-volume',
                                       status='disabled',
                                       disabled_reason='maintenance')])
    if report.reason:
        raise SystemExit(report.reason)

Everything this module names without a leading underscore follows semantic
versioning with the distribution: a name, parameter or field is removed or
changes meaning only in a new major version. The engine modules it is
built on (``volsvcclient.engine.batch``, ``services``, ...) make no such promise.

The library prints nothing: notes (what an operator should know, such as a
disable that cannot be undone) go to the ``volsvcclient`` logger at
WARNING, and their advice names the ``volsvc`` program. It installs no
signal handler unless given one (see :meth:`Client.apply`). It raises
:class:`Error` and its subclasses for everything it can word: what Cinder
did or lacks, what was asked that cannot be done, and failures of
keystoneauth and openstacksdk (the original exception is the
``__cause__``).
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, cast

from osc_lib import exceptions as osc_exceptions

from volsvcclient.cinder import bounds
from volsvcclient.cinder import reasons
from volsvcclient.cinder import services
from volsvcclient.engine import desired_state
from volsvcclient.engine import health
from volsvcclient.engine import outcomes as outcomes_module
from volsvcclient.engine import selection as selection_module
from volsvcclient.osc import errors
from volsvcclient.osc import voice as voice_module

if TYPE_CHECKING:
    import datetime

    from openstack import connection as sdk_connection

    from volsvcclient.engine import batch
    from volsvcclient.engine import interrupts

__all__ = [
    'Client', 'Desired', 'Error', 'Finding', 'InvalidRequest', 'NoSuchService',
    'NotApplied', 'Refused', 'Report', 'Request', 'Selection', 'Service',
    'ServiceOutcome', 'State', 'Unconfirmed', 'Verdict', 'VersionUnavailable',
    'WaitTimedOut', 'MAX_CONCURRENCY', 'RESULT_COLUMNS', 'CHANGED', 'UNCHANGED',
    'FAILED', 'UNKNOWN', 'NOT_ATTEMPTED', 'WOULD_CHANGE', 'UNFINISHED',
    'STATE_FIELDS',
]

#: One os-services entry, read-only, under openstacksdk's attribute names:
#: ``host``, ``binary``, ``availability_zone``, ``status`` (enabled or
#: disabled), ``state`` (up or down), ``updated_at``, ``disabled_reason``,
#: ``cluster``, ``is_frozen``, ``replication_status``,
#: ``active_backend_id``, ``backend_state``; ``fields`` holds the server's
#: JSON object as it came.
Service = services.Service

#: One service and the state it should end in (``host``, ``binary``,
#: ``status``: ``'enabled'``, ``'disabled'`` or None to leave it,
#: ``disabled_reason``, ``frozen``: True, False or None to leave it).
Desired = desired_state.Wanted

#: Services chosen by what they are: ``Selection(host_pattern=None,
#: binary=None, zone=None, cluster=None, host=None)``; each given field must
#: match (``host_pattern`` is a shell pattern, ``fnmatch``). ``cluster``
#: needs Block Storage API 3.7.
Selection = selection_module.Selector

#: A change as the command line builds it (explicit Desired entries, or a
#: Selection and a template); :meth:`Client.plan` and :meth:`Client.apply`
#: take one in place of a sequence of Desired.
Request = desired_state.Request

#: The base of every exception this module raises: one sentence, fit to
#: show an operator as it is.
Error = services.CinderError
#: No service (or cluster) of that name; the message says what exists.
NoSuchService = services.NoSuchService
#: The Block Storage API version or microversion needed is not offered.
VersionUnavailable = services.VersionUnavailable
#: The server accepted a request but the service did not change.
NotApplied = services.NotApplied
#: A request that waits on a cinder-volume got no answer in time.
Unconfirmed = services.Unconfirmed

#: The keys of :meth:`Report.as_dicts`, as ``volume service commit -f json``
#: prints them.
RESULT_COLUMNS = outcomes_module.RESULT_COLUMNS
#: The most requests :meth:`Client.apply` sends at once (requests' default
#: HTTP connection pool size: more would only queue).
MAX_CONCURRENCY = bounds.MAX_CONCURRENCY


def _advise(option: str, purpose: str) -> str:
    """Advice in this module's names: its keyword arguments."""
    return f'Give {option}=True to {purpose}'


class _Advised(Error):
    """An error that may name the keyword argument that overrules it, so
    that a caller words that advice in its own terms (an Ansible module
    names its option): ``facts`` is the message without the advice,
    ``option`` the keyword argument (such as ``'even_if_irreversible'``;
    None when no argument overrules it) and ``purpose`` what setting it to
    True does (``'disable it anyway'``). str() words the advice for the
    command line."""

    def __init__(
        self, message: str, facts: str | None = None, option: str | None = None,
        purpose: str | None = None,
    ) -> None:
        super().__init__(message)
        self.facts = message if facts is None else facts
        self.option = option
        self.purpose = purpose


class InvalidRequest(_Advised):
    """What was asked cannot be sent: a parameter out of range, or a desired
    state no request reaches (frozen and enabled, a reason without
    disabled). Nothing was sent."""


class Refused(_Advised):
    """The engine refused the change before sending anything: nothing
    matches the selection, or a disable that cannot be undone was not
    allowed (``option`` ``'even_if_irreversible'``)."""


class WaitTimedOut(Error):
    """:meth:`Client.wait` timed out; ``unmet`` has one line per service
    that was not as asked."""

    def __init__(self, message: str, unmet: Sequence[str]) -> None:
        super().__init__(message)
        self.unmet = list(unmet)


@dataclasses.dataclass(frozen=True)
class State:
    """The state every service of a :class:`Selection` should take; None
    leaves that field as it is."""

    status: str | None = None
    disabled_reason: str | None = None
    frozen: bool | None = None


#: Results of a service in a :class:`Report` (the Result column).
CHANGED = outcomes_module.CHANGED
UNCHANGED = outcomes_module.UNCHANGED
FAILED = outcomes_module.FAILED
UNKNOWN = outcomes_module.UNKNOWN
NOT_ATTEMPTED = outcomes_module.NOT_ATTEMPTED
WOULD_CHANGE = outcomes_module.WOULD_CHANGE
#: Results of a service that did not end as asked.
UNFINISHED = outcomes_module.UNFINISHED
#: The fields a change sets, under the SDK's attribute names.
STATE_FIELDS = ('status', 'disabled_reason', 'is_frozen')


@dataclasses.dataclass(frozen=True)
class ServiceOutcome:
    """What a plan or a change did to one service.

    ``actions`` is the Actions column of ``commit`` (what was planned, with
    what may follow), ``result`` one of ``changed``, ``unchanged``,
    ``failed``, ``unknown``, ``not attempted`` (or ``would change`` in a
    plan), ``detail`` says why when it did not end as asked. ``before`` is
    the service as read before any request (None when it does not exist),
    ``after`` as last re-read (None in a plan, or when no re-read could
    tell); ``wanted`` maps the SDK attributes the change sets to the values
    asked, for a predicted "after" of a plan. ``facts`` is ``detail``
    without advice in the command line's words; ``option`` the keyword
    argument (``'even_if_down'``, ``'enable_via_thaw'``) that advice names,
    ``purpose`` what setting it does (None when no argument would help).
    """

    host: str
    binary: str
    actions: str
    result: str
    detail: str
    before: Service | None
    after: Service | None
    wanted: dict[str, Any]
    facts: str = ''
    option: str | None = None
    purpose: str | None = None

    @property
    def changed(self) -> bool:
        """Whether this service changed (in a plan: would change): its
        result says so, or a field the change sets differs between before
        and after (a failed change may still have changed something)."""
        if self.result in (CHANGED, WOULD_CHANGE):
            return True
        if self.before is None or self.after is None:
            return False
        return any(
            getattr(self.before, attr) != getattr(self.after, attr)
            for attr in STATE_FIELDS
        )

    def said(self, advise: Callable[[str, str], str]) -> str:
        """Why it did not end as asked, with any advice worded by
        ``advise(option, purpose)`` in the caller's names."""
        if self.option is None:
            return self.facts
        return f'{self.facts}. {advise(self.option, self.purpose or "")}'

    @property
    def row(self) -> tuple[str, str, str, str, str]:
        """The row of ``commit``'s report, under :data:`RESULT_COLUMNS`."""
        return (self.host, self.binary, self.actions, self.result, self.detail)


@dataclasses.dataclass(frozen=True)
class Report:
    """The outcome of :meth:`Client.plan` or :meth:`Client.apply`, one
    :class:`ServiceOutcome` per service, in the order asked or listed."""

    outcomes: tuple[ServiceOutcome, ...]
    #: Whether Ctrl-C stopped the change (then the outcomes say what was
    #: done); only with ``ctrl_c`` given to :meth:`Client.apply`.
    interrupted: bool = False
    #: True for the report of :meth:`Client.plan`: nothing was sent.
    planned: bool = False

    @property
    def changed(self) -> bool:
        """Whether any service changed (in a plan: would change)."""
        return any(o.changed for o in self.outcomes)

    @property
    def unfinished(self) -> int:
        """How many services did not end as asked (failed, unknown, not
        attempted)."""
        return sum(o.result in UNFINISHED for o in self.outcomes)

    @property
    def unfinished_counts(self) -> str:
        """``'1 failed, 2 unknown'``: the unfinished results counted, in
        name order; '' when every service ended as asked."""
        import collections

        counts = collections.Counter(
            o.result for o in self.outcomes if o.result in UNFINISHED)
        return ', '.join(f'{n} {result}' for result, n in sorted(counts.items()))

    @property
    def reason(self) -> str | None:
        """One line on what was not applied or not verified, naming each
        such service and why; None when every service ended as asked.
        Advice names the keyword argument to set."""
        return self.worded(_advise)

    def worded(self, advise: Callable[[str, str], str]) -> str | None:
        """:attr:`reason`, with each advice worded by ``advise(option,
        purpose)`` (as an Ansible module names its options)."""
        if self.interrupted:
            return 'interrupted; the outcomes say what was done'
        if not self.unfinished:
            return None
        each = '; '.join(
            f'{o.binary} on {o.host}: {o.result}'
            + (f' ({o.said(advise)})' if o.detail else '')
            for o in self.outcomes if o.result in UNFINISHED
        )
        return f'Not every service ended as asked ({self.unfinished_counts}): {each}'

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """``commit``'s report rows, under :data:`RESULT_COLUMNS`."""
        return [o.row for o in self.outcomes]

    def as_dicts(self) -> list[dict[str, str]]:
        """The rows as ``commit -f json`` prints them."""
        return [dict(zip(RESULT_COLUMNS, row)) for row in self.rows()]


@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing :meth:`Client.check` found: its ``rule`` (see
    ``volsvcclient.engine.health.RULES``), ``level`` (1 WARNING, 2 CRITICAL),
    ``detail``, and the service it concerns (None for the whole cloud)."""

    rule: str
    level: int
    detail: str
    service: Service | None

    @property
    def level_name(self) -> str:
        return health.LEVELS[self.level]

    @property
    def line(self) -> str:
        """The finding as ``check`` prints it under the status line."""
        return health.Finding(self.service, self.rule, self.detail).line


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The health of services as ``volume service check`` judges it:
    ``level`` 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the Nagios plugin
    convention), the Nagios ``status_line``, the perfdata ``counts`` (up,
    down, disabled, frozen, failed_over), the ``findings``, the
    ``services`` judged, and ``ages``: (host, binary) -> seconds since each
    one's last heartbeat by cinder-api's clock (negative when ahead of it;
    None when unknown)."""

    level: int
    status_line: str
    counts: dict[str, int]
    findings: tuple[Finding, ...]
    services: tuple[Service, ...]
    ages: dict[tuple[str, str], float | None] = dataclasses.field(default_factory=dict)

    @property
    def level_name(self) -> str:
        return health.LEVELS[self.level]

    @classmethod
    def unknown(cls, reason: str) -> Verdict:
        """The verdict when the services could not be read (an
        :class:`Error` of :meth:`Client.check`), as ``check`` gives it."""
        level, line = health.unknown(reason)
        return cls(level, line, {}, (), ())

    def with_finding(self, rule: str, detail: str) -> Verdict:
        """This verdict with one more finding of a rule of
        ``volsvcclient.engine.health.RULES`` that concerns no single service (as
        ``check`` adds ``textfile``), judged again."""
        findings = [health.Finding(f.service, f.rule, f.detail) for f in self.findings]
        findings.append(health.Finding(None, rule, detail))
        return _verdict(self.services, findings, self.ages)


def _verdict(
    listed: Sequence[Service],
    judged: Sequence[health.Finding],
    ages: dict[tuple[str, str], float | None],
) -> Verdict:
    level, line = health.verdict(listed, judged)
    return Verdict(
        level, line, health.counts(listed),
        tuple(Finding(f.rule, f.level, f.detail, cast('Service | None', f.service))
              for f in judged),
        tuple(listed), ages,
    )


class _Holder:
    """What ``services.connect`` takes: a holder of an SDK connection."""

    def __init__(self, connection: sdk_connection.Connection) -> None:
        self.sdk_connection = connection


@contextlib.contextmanager
def _worded(refusal: type[Error] = Refused, keystone: str | None = None) -> Iterator[None]:
    """This module's exceptions for everything the package can word;
    ``keystone`` is the auth URL, to tell Keystone's failures from
    cinder-api's."""
    try:
        yield
    except Error:
        raise
    except voice_module.Advised as exc:
        raise (refusal if issubclass(refusal, _Advised) else Refused)(
            str(exc), exc.facts, exc.option, exc.purpose) from exc
    except osc_exceptions.CommandError as exc:
        raise refusal(str(exc)) from exc
    except Exception as exc:
        translated = errors.translate(exc, keystone)
        if translated is None:
            raise
        raise Error(str(translated)) from exc


class _Session:
    """What every part of the Client shares: the os-services layer, the
    voice, and its reads."""

    def _setup(self, service_api: services.ServiceAPI, voice: voice_module.Voice) -> None:
        self._api = service_api
        self._voice = voice
        #: Keystone's URL, so that a failure names the server that failed.
        self._keystone = getattr(service_api.proxy.session.auth, 'auth_url', None)

    def _worded(self, refusal: type[Error] = Refused) -> contextlib.AbstractContextManager[None]:
        return _worded(refusal, self._keystone)

    @property
    def service_api(self) -> services.ServiceAPI:
        """The engine's os-services layer (outside the versioning promise)."""
        return self._api

    @property
    def microversion(self) -> str | None:
        """The negotiated Block Storage microversion (None on API v2)."""
        return self._api.microversion

    @property
    def server_time(self) -> datetime.datetime | None:
        """cinder-api's clock at the last read (its Date header)."""
        return self._api.server_time

    def list(
        self,
        *,
        host: str | None = None,
        binary: str | None = None,
        selection: Selection | None = None,
        backend_state: bool = False,
    ) -> list[Service]:
        """Services, as the server lists them, in one request (two when
        Backend State falls back).

        ``host`` and ``binary`` are the server's filters (a host name also
        matches its ``host@backend`` services); ``selection`` chooses among
        them. ``backend_state`` asks for Backend State (3.49 and later:
        Cinder asks cinder-scheduler, bounded by ``rpc_timeout``; when it
        does not answer, Backend State is ``'unknown'`` and a note is
        logged).
        """
        with self._worded():
            if selection is not None:
                selection.check_version(self._api)
            listed = self._api.list(host=host, binary=binary, backend_state=backend_state)
        if selection is not None:
            listed = [s for s in listed if selection.matches(s)]
        return listed

    def show(self, host: str, binary: str, *, backend_state: bool = True) -> Service:
        """The service ``binary`` on exactly ``host``; :class:`NoSuchService`
        (naming what exists) when there is none."""
        with self._worded():
            return self._api.find(host, binary, backend_state=backend_state)


class _Changes(_Session):
    """Plan and apply desired states: the engine of ``commit``."""

    def plan(
        self,
        desired: Sequence[Desired] | Request = (),
        *,
        selection: Selection | None = None,
        template: State | None = None,
        enable_via_thaw: bool = False,
    ) -> Report:
        """What :meth:`apply` would do, sending nothing (``commit
        --dry-run``): each result is ``would change`` or ``unchanged``.

        Either ``desired`` (one :class:`Desired` per service, or a
        :class:`Request`), or ``selection`` and ``template``: every selected
        service should take the template's state (``selection``'s binary
        defaults to cinder-volume). Reads the services once.
        """
        from volsvcclient.engine import batch

        request = _request(desired, selection, template)
        with self._worded():
            engine = batch.Batch(self._api, request, self._voice)
            engine.plan_rows(enable_via_thaw)
        return _report(engine)

    def apply(
        self,
        desired: Sequence[Desired] | Request = (),
        *,
        selection: Selection | None = None,
        template: State | None = None,
        enable_via_thaw: bool = False,
        wait_timeout: float = 0,
        concurrency: int = 8,
        even_if_down: bool = False,
        even_if_irreversible: bool = False,
        ctrl_c: interrupts.Interrupts | None = None,
    ) -> Report:
        """Bring services to their desired state, and verify it (``commit``).

        Takes what :meth:`plan` takes. Sends each service's requests
        (``concurrency`` services at a time, 1 to :data:`MAX_CONCURRENCY`;
        members of one cluster share one freeze or thaw), then re-reads
        every service, again every 2 s up to ``wait_timeout`` seconds until
        all are as asked. ``enable_via_thaw``: where the server ignores
        enable (Cinder 28 and later), re-enable cinder-volume by freeze and
        thaw. ``even_if_down``: change cinder-volume services that are down
        too. ``even_if_irreversible``: allow a disable that no API undoes
        (else :class:`Refused`, nothing sent).

        A service that did not end as asked is reported, not raised:
        :attr:`Report.reason` says which and why. ``ctrl_c`` is an installed
        ``volsvcclient.engine.interrupts.Interrupts`` that counts SIGINT (the
        command line's); without it no signal handler is installed and
        Ctrl-C is the caller's KeyboardInterrupt.
        """
        from volsvcclient.engine import batch

        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise InvalidRequest(f'concurrency must be between 1 and {MAX_CONCURRENCY}')
        request = _request(desired, selection, template)
        with self._worded():
            engine = batch.Batch(self._api, request, self._voice, even_if_down, ctrl_c)
            engine.apply(enable_via_thaw, concurrency, wait_timeout, even_if_irreversible)
        return _report(engine, final=_ended(engine, self._api, self._keystone))


class _Health(_Session):
    """Wait for services and judge their health."""

    def wait(
        self,
        selection: Selection | None = None,
        *,
        state: str | None = None,
        status: str | None = None,
        frozen: bool | None = None,
        replication_status: str | None = None,
        fresh: bool = False,
        timeout: float = 300.0,
        interval: float = 2.0,
    ) -> builtins.list[Service]:
        """Wait until every selected service (``selection``: all when None)
        shows each condition given (``state`` up or down, ``status``,
        ``frozen``, ``replication_status``), and with ``fresh`` has sent two
        new heartbeats since the wait began (``volume service wait``).

        Reads every ``interval`` seconds (at least 1) up to ``timeout``; a
        read that fails for want of cinder-api is retried until then.
        Returns the selected services as the read that found the
        conditions met saw them (no read of its own);
        raises :class:`WaitTimedOut` (with the unmet lines) at the timeout.
        """
        from volsvcclient.engine import waiting

        wanted = {
            attr: value for attr, value in (
                ('state', state), ('status', status), ('is_frozen', frozen),
                ('replication_status', replication_status),
            ) if value is not None
        }
        if not wanted and not fresh:
            raise InvalidRequest(
                'nothing to wait for: give state, status, frozen, '
                'replication_status or fresh'
            )
        if interval < bounds.MIN_INTERVAL:
            raise InvalidRequest(f'interval must be at least {bounds.MIN_INTERVAL:g} s')
        chooser = selection or Selection()
        with self._worded(Error):
            chooser.check_version(self._api)
            unmet, listed = waiting.wait(
                self._api, chooser, wanted, fresh, timeout, interval, self._voice)
        if unmet:
            raise WaitTimedOut(
                f'{len(unmet)} service(s) not as asked after {timeout:g} s: '
                + '; '.join(unmet), unmet)
        return listed

    def check(
        self, selection: Selection | None = None, *, ignore_disabled: bool = False
    ) -> Verdict:
        """Judge the health of the selected services (all when None) as
        ``volume service check`` does; ``ignore_disabled``: a disabled
        service is no WARNING. Raises :class:`Error` when the services
        cannot be read (``Verdict.unknown(str(exc))`` is ``check``'s
        UNKNOWN)."""
        chooser = selection or Selection()
        with self._worded(Error):
            chooser.check_version(self._api)
            listed = selection_module.chosen(chooser, self._api.list(backend_state=True))
        ages = {id(s): services.heartbeat_age(s, self._api.server_time) for s in listed}
        judged = health.judge(listed, ages, ignore_disabled, self._api.backend_state_unknown)
        return _verdict(listed, judged, {s.key: ages[id(s)] for s in listed})


class Client(_Changes, _Health):
    """Cinder's os-services through one openstacksdk connection.

    ``connection`` is an ``openstack.connection.Connection``;
    ``api_version`` the Block Storage API version (``'3'``, or ``'3.N'`` is
    taken as 3: the microversion is negotiated, up to what the engine uses,
    unless the connection pins one; ``'2'`` only with a connection made for
    it, ``block_storage_api_version='2'``); ``rpc_timeout`` the seconds to wait for
    requests Cinder answers only after an RPC (freeze, thaw, the Backend
    State read; None: the defaults of ``volsvcclient.cinder.bounds``); ``voice``
    words notes and advice (a ``volsvcclient.osc.voice.Voice``; None: logged,
    naming ``volsvc``). Connecting reads the Block Storage version document
    once.
    """

    def __init__(
        self,
        connection: sdk_connection.Connection,
        *,
        api_version: str = '3',
        rpc_timeout: float | None = None,
        voice: voice_module.Voice | None = None,
    ) -> None:
        voice = voice or voice_module.Voice('volsvc')
        keystone = (connection.config.config.get('auth') or {}).get('auth_url')
        with _worded(keystone=keystone):
            service_api = services.connect(
                _Holder(connection), api_version, rpc_timeout, voice)
        self._setup(service_api, voice)

    @classmethod
    def from_cloud(
        cls,
        cloud: str | None = None,
        *,
        api_version: str = '3',
        rpc_timeout: float | None = None,
        **connect_options: Any,
    ) -> Client:
        """A client of the cloud ``cloud`` of clouds.yaml (None: OS_CLOUD, or
        the OS_* variables), as ``openstack.connect(cloud=cloud,
        **connect_options)`` configures it: ``auth``, ``auth_type``,
        ``region_name``, ``interface``, ``verify``, ``cacert``,
        ``api_timeout``... When the cloud config sets no ``api_timeout``,
        every request is bounded by ``volsvcclient.cinder.bounds.REQUEST``."""
        from openstack import config
        from openstack import connection

        with _worded():
            region = config.get_cloud_region(cloud=cloud, **connect_options)
            if not region.config.get('api_timeout'):
                # Read by the session, made on first use, as if the cloud
                # config said it (as the commands do).
                region.config['api_timeout'] = bounds.REQUEST
            made = connection.Connection(
                config=region, vendor_hook=connect_options.get('vendor_hook'))
        return cls(made, api_version=api_version, rpc_timeout=rpc_timeout)

    @classmethod
    def for_service_api(
        cls, service_api: services.ServiceAPI, voice: voice_module.Voice | None = None
    ) -> Client:
        """A client over an engine ``ServiceAPI`` (the commands' way in:
        theirs is made from OSC's client manager, and their ``voice`` names
        the program that runs)."""
        client = cls.__new__(cls)
        client._setup(service_api, voice or voice_module.Voice('volsvc'))
        return client


def _ended(
    engine: batch.Batch, api: services.ServiceAPI, keystone: str | None
) -> dict[tuple[str, str], Service]:
    """The services as they ended: the verifying read, or one more read
    when a service changed after it (re-enabled by freeze and thaw)."""
    final: dict[tuple[str, str], Service] = engine.final
    stale = [
        o for o in engine.outcomes if o.result == CHANGED and (
            o.wanted.key not in final
            or services.mismatches(final[o.wanted.key], o.wanted.expected))
    ]
    if stale and not engine.interrupted:
        try:
            final = {s.key: s for s in api.list()}
        except Exception as exc:
            # The change is done and reported; only "after" is unknown.
            if errors.translate(exc, keystone) is None:
                raise
            final = {k: v for k, v in final.items()
                     if k not in {o.wanted.key for o in stale}}
    return final


def _request(
    desired: Sequence[Desired] | Request,
    selection: Selection | None,
    template: State | None,
) -> Request:
    """The engine's Request for what plan and apply were given."""
    if isinstance(desired, Request):
        if selection is not None or template is not None:
            raise InvalidRequest('give a Request, or selection and template, not both')
        return desired
    if (selection is None) != (template is None):
        raise InvalidRequest('selection and template go together')
    if selection is not None and template is not None:
        if desired:
            raise InvalidRequest('give desired states, or selection and template, not both')
        _check_state(template.status, template.disabled_reason, template.frozen,
                     'the template')
        with _worded(InvalidRequest):
            # In the API's words: the engine checks it as --disable-reason.
            reasons.check_reason(template.disabled_reason, 'the template: disabled_reason')
        asked = desired_state.Asked(None, None, template.status,
                                    template.disabled_reason, template.frozen)
        with _worded(InvalidRequest):
            return desired_state.from_options(asked, selection)
    seen = set()
    for wanted in desired:
        where = f'{wanted.binary} on {wanted.host}'
        if wanted.key in seen:
            raise InvalidRequest(f'{where} is desired twice')
        seen.add(wanted.key)
        if not wanted.host or not wanted.binary:
            raise InvalidRequest('every desired state names a host and a binary')
        _check_state(wanted.status, wanted.disabled_reason, wanted.frozen, where)
        with _worded(InvalidRequest):
            desired_state.check_wanted(wanted, where)
    return Request(wanted=tuple(desired))


def _check_state(
    status: str | None, disabled_reason: str | None, frozen: bool | None, where: str
) -> None:
    """Refuse, in the API's words, what the engine would word for the CLI."""
    if status not in (None, 'enabled', 'disabled'):
        raise InvalidRequest(f"{where}: status must be 'enabled', 'disabled' or None")
    if frozen not in (None, True, False):
        raise InvalidRequest(f'{where}: frozen must be True, False or None')
    if disabled_reason is not None and status != 'disabled':
        raise InvalidRequest(f"{where}: disabled_reason goes with status 'disabled'")
    if status is None and frozen is None:
        raise InvalidRequest(f'{where}: nothing desired: give status or frozen')


def _report(
    engine: batch.Batch, final: dict[tuple[str, str], Service] | None = None
) -> Report:
    """A Report of a ``batch.Batch`` that planned (no ``final``) or applied
    (``final``: the services as re-read)."""
    made = []
    for outcome in engine.outcomes:
        key = outcome.wanted.key
        before = engine.live.get(key)
        after = None
        if final is not None:
            after = final.get(key) if final else (
                None if outcome.result in UNFINISHED else before)
        host, binary, actions, result, detail = outcome.row
        advice = outcome.advice
        made.append(ServiceOutcome(
            host, binary, actions, result, detail, before=before, after=after,
            wanted=dict(outcome.wanted.expected),
            facts='; '.join(filter(None, (outcome.facts, outcome.kept))),
            option=advice.option if advice else None,
            purpose=advice.purpose if advice else None,
        ))
    return Report(tuple(made), interrupted=final is not None and engine.interrupted,
                  planned=final is None)
