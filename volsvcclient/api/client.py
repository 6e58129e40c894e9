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

"""The Client: Cinder's os-services through one openstacksdk connection,
by the engine every face uses. Every argument is checked before the first
request; every failure it can word is one of ``api.exceptions``."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from volsvcclient.api import arguments
from volsvcclient.cinder import bounds
from volsvcclient.cinder import exceptions
from volsvcclient.cinder import reasons
from volsvcclient.cinder import records
from volsvcclient.engine import desired_state
from volsvcclient.engine import selection as selection_module

if TYPE_CHECKING:
    import datetime

    from openstack.connection import Connection

    from volsvcclient.api import results
    from volsvcclient.api.results import Drain
    from volsvcclient.api.results import Report
    from volsvcclient.api.results import Verdict
    from volsvcclient.cinder.records import Service
    from volsvcclient.cinder.services import ServiceAPI
    from volsvcclient.engine.desired_state import Desired
    from volsvcclient.engine.desired_state import State
    from volsvcclient.engine import events
    from volsvcclient.engine.events import Listener
    from volsvcclient.engine.interrupts import Interrupts
    from volsvcclient.engine.selection import Selection

#: Where notes are logged (at WARNING); a NullHandler keeps them off
#: stderr where no logging is configured.
LOG = logging.getLogger('volsvcclient')
_API_VERSION = re.compile(r'^[23](\.[0-9]+)?$')
_STATES = ('up', 'down')


class _Notes:
    """The listener of one call: notes logged and kept for its result,
    progress and every event handed on to ``also`` (a face's own)."""

    def __init__(self, also: Listener | None) -> None:
        self.notes: list[results.Note] = []
        self.also = also

    def __call__(self, event: events.Event) -> None:
        from volsvcclient.api import results

        if event.note:
            note = results.Note.of(event)
            self.notes.append(note)
            if self.also is None:
                LOG.warning('%s', note)
        if self.also is not None:
            self.also(event)


@contextlib.contextmanager
def _described(keystone: str | None) -> Iterator[None]:
    """Failures of keystoneauth and openstacksdk as our exceptions (the
    original is the ``__cause__``)."""
    try:
        yield
    except exceptions.Error:
        raise
    except Exception as exc:
        from volsvcclient.cinder import failures

        described = failures.describe(exc, keystone)
        if described is None:
            raise
        raise described from exc


class Client:
    """Cinder's os-services through one openstacksdk connection.

    :param connection: an ``openstack.connection.Connection``.
    :param api_version: the Block Storage API version: ``'3'`` (or
        ``'3.N'``, taken as 3: the microversion is negotiated up to what
        the engine uses, unless the connection pins one), or ``'2'`` with a
        connection made for it (``block_storage_api_version='2'``).
    :param rpc_timeout: seconds to wait for requests Cinder answers only
        after an RPC (freeze, thaw, failover, the Backend State read); None
        for the defaults (``volsvcclient.cinder.bounds``).
    :param listener: hears every event (notes and progress) as it happens;
        without it notes are logged to the ``volsvcclient`` logger at
        WARNING. Either way they come back on the results.
    :raises InvalidRequest: for an argument it cannot take.
    :raises Error: when the Block Storage version document cannot be read.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        api_version: str = '3',
        rpc_timeout: float | None = None,
        listener: Listener | None = None,
    ) -> None:
        if not isinstance(api_version, str) or not _API_VERSION.match(api_version):
            raise exceptions.InvalidRequest(
                "{api_version} must be '2', '3' or '3.N', not {given}", 'api_version',
                given=repr(api_version))
        if rpc_timeout is not None:
            rpc_timeout = bounds.TIMEOUT.check(rpc_timeout, 'rpc_timeout')
        from volsvcclient.cinder import services

        self._listener = listener
        keystone = (connection.config.config.get('auth') or {}).get('auth_url')
        with _described(keystone):
            api = services.connect(_Holder(connection), api_version, rpc_timeout,
                                   self._unknown)
        self._setup(api)

    @classmethod
    def from_cloud(
        cls,
        cloud: str | None = None,
        *,
        api_version: str = '3',
        rpc_timeout: float | None = None,
        listener: Listener | None = None,
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

        if cloud is not None and not isinstance(cloud, str):
            raise exceptions.InvalidRequest(
                '{cloud} must be the name of a cloud or None, not {given}', 'cloud',
                given=type(cloud).__name__)
        with _described(None):
            region = config.get_cloud_region(cloud=cloud, **connect_options)
            if not region.config.get('api_timeout'):
                # Read by the session, made on first use, as if the cloud
                # config said it (as the commands do).
                region.config['api_timeout'] = bounds.REQUEST
            made = connection.Connection(
                config=region, vendor_hook=connect_options.get('vendor_hook'))
        return cls(made, api_version=api_version, rpc_timeout=rpc_timeout,
                   listener=listener)

    @classmethod
    def for_service_api(
        cls, service_api: ServiceAPI, listener: Listener | None = None
    ) -> Client:
        """A client over an os-services layer made elsewhere (the command
        line makes its own from OSC's client manager)."""
        client = cls.__new__(cls)
        client._listener = listener
        service_api.unknown = client._unknown
        client._setup(service_api)
        return client

    def _setup(self, api: ServiceAPI) -> None:
        self._api = api
        #: Keystone's URL, so that a failure names the server that failed.
        self._keystone: str | None = getattr(api.proxy.session.auth, 'auth_url', None)
        self._notes = _Notes(self._listener)

    def _unknown(self, what: str, listed_at: str) -> None:
        from volsvcclient.engine import events

        self._notes(events.BackendStateUnknown(what, listed_at))

    def _call(self) -> _Notes:
        """A fresh listener for one call, whose notes its result returns."""
        self._notes = _Notes(self._listener)
        return self._notes

    def _described(self) -> contextlib.AbstractContextManager[None]:
        return _described(self._keystone)

    @property
    def microversion(self) -> str | None:
        """The negotiated Block Storage microversion (None on API v2)."""
        return self._api.microversion

    @property
    def server_time(self) -> datetime.datetime | None:
        """cinder-api's clock at the last read (its Date header)."""
        return self._api.server_time

    @property
    def backend_state_unknown(self) -> str | None:
        """Why Backend State is unknown, once a read could not learn it."""
        return self._api.backend_state_unknown

    # Reading

    def services(
        self,
        *,
        host: str | None = None,
        binary: str | None = None,
        selection: Selection | None = None,
        backend_state: bool = False,
        silent_for: float | None = None,
    ) -> list[Service]:
        """Services, as the server lists them, in one request (two when
        Backend State falls back).

        :param host: the server's filter (a host name also matches its
            ``host@backend`` services).
        :param binary: the server's filter.
        :param selection: chooses among them.
        :param backend_state: ask for Backend State (3.49 and later: Cinder
            asks cinder-scheduler, bounded by ``rpc_timeout``; when it does
            not answer, Backend State is ``'unknown'`` and a note says why).
        :param silent_for: only stale records: services Cinder shows down
            that have sent no heartbeat for at least this many seconds by
            cinder-api's clock, or never sent one.
        """
        for keyword, value in (('host', host), ('binary', binary)):
            exceptions.check_text(value, keyword)
        chooser = arguments.selection(selection)
        arguments.flag(backend_state, 'backend_state')
        if silent_for is not None:
            silent_for = bounds.TIMEOUT.check(silent_for, 'silent_for')
        self._call()
        with self._described():
            chooser.check_version(self._api)
            listed = self._api.list(host=host, binary=binary, backend_state=backend_state)
        listed = [s for s in listed if chooser.matches(s)]
        if silent_for is None:
            return listed
        from volsvcclient.engine import health

        now = self._api.server_time
        if now is None:
            raise exceptions.InvalidRequest(
                '{silent_for} needs the time of cinder-api, and its answer carried '
                'no Date header', 'silent_for')
        return [s for s in listed
                if health.stale(s, records.heartbeat_age(s, now), silent_for)]

    def get_service(
        self, host: str, binary: str, *, backend_state: bool = True
    ) -> Service:
        """The service ``binary`` on exactly ``host``.

        :raises NoSuchService: naming what exists.
        """
        if not isinstance(host, str) or not isinstance(binary, str):
            raise exceptions.InvalidRequest(
                '{host} and {binary} must be text', 'host')
        arguments.flag(backend_state, 'backend_state')
        self._call()
        with self._described():
            return self._api.find(host, binary, backend_state=backend_state)

    # Changing

    def plan(
        self,
        desired: Sequence[Desired] = (),
        *,
        selection: Selection | None = None,
        template: State | None = None,
        enable_via_thaw: bool = False,
        even_if_down: bool = False,
        even_if_irreversible: bool = False,
    ) -> Report:
        """What :meth:`apply` would do, sending nothing: each result is
        ``would change``, ``unchanged``, or ``failed`` where the change
        would be refused (a backend that is down). Reads the services once.

        :param desired: one :class:`Desired` per service; or
        :param selection: with ``template``: every selected service should
            take the :class:`State` ``template`` (``selection``'s binary
            defaults to cinder-volume).
        :raises Refused: as :meth:`apply` would, before any request.
        """
        from volsvcclient.engine import changes

        request = desired_state.request(desired, selection, template)
        for keyword, value in (('enable_via_thaw', enable_via_thaw),
                               ('even_if_down', even_if_down),
                               ('even_if_irreversible', even_if_irreversible)):
            arguments.flag(value, keyword)
        notes = self._call()
        with self._described():
            change = changes.Change(self._api, request, notes, even_if_down)
            change.plan(enable_via_thaw, even_if_irreversible)
        return _report(change, notes, planned=True)

    def apply(
        self,
        desired: Sequence[Desired] = (),
        *,
        selection: Selection | None = None,
        template: State | None = None,
        enable_via_thaw: bool = False,
        wait_timeout: float = 0,
        concurrency: int = bounds.CONCURRENCY,
        even_if_down: bool = False,
        even_if_irreversible: bool = False,
        ctrl_c: Interrupts | None = None,
    ) -> Report:
        """Bring services to their desired state, and verify it.

        Takes what :meth:`plan` takes. Sends each service's requests
        (``concurrency`` services at a time, 1 to ``MAX_CONCURRENCY``;
        members of one cluster share one freeze or thaw), then re-reads
        them, again every 2 s up to ``wait_timeout`` seconds until all are
        as asked.

        :param enable_via_thaw: where the server ignores enable (Cinder 28
            and later), re-enable cinder-volume by freeze and thaw.
        :param even_if_down: send freeze and thaw to a cinder-volume that
            is down too.
        :param even_if_irreversible: allow a disable that no API undoes.
        :param ctrl_c: an installed :class:`Interrupts` that counts SIGINT:
            the first stops new requests, the second stops waiting for
            those under way, and the report says what was done. Without it
            no signal handler is installed and Ctrl-C is the caller's
            KeyboardInterrupt.
        :returns: a :class:`Report`; a service that did not end as asked is
            reported (:attr:`Report.reason`), not raised.
        :raises Refused: before any request (a disable no API undoes, one
            member of a cluster alone).
        :raises InvalidRequest: for an argument it cannot take.
        """
        from volsvcclient.engine import changes

        request = desired_state.request(desired, selection, template)
        for keyword, value in (('enable_via_thaw', enable_via_thaw),
                               ('even_if_down', even_if_down),
                               ('even_if_irreversible', even_if_irreversible)):
            arguments.flag(value, keyword)
        wait_timeout = bounds.SECONDS.check(wait_timeout, 'wait_timeout')
        concurrency = bounds.check_concurrency(concurrency)
        arguments.ctrl_c(ctrl_c)
        notes = self._call()
        with self._described():
            change = changes.Change(self._api, request, notes, even_if_down, ctrl_c)
            change.apply(enable_via_thaw, concurrency, wait_timeout, even_if_irreversible)
        return _report(change, notes)

    def failover(
        self,
        host: str | None = None,
        *,
        cluster: str | None = None,
        backend_id: str | None = None,
        even_if_down: bool = False,
        wait: bool = False,
        timeout: float = 300.0,
    ) -> list[Service]:
        """Fail the cinder-volume of ``host`` (or every member of
        ``cluster``, API 3.26) over to the replication target
        ``backend_id`` (None: the driver chooses; ``'default'`` fails
        back), and return its members as then read.

        :param wait: wait until every member has settled, up to
            ``timeout`` seconds in all, and fail unless each ended where
            it was asked to go.
        :raises Refused: its cinder-volume is down (``even_if_down``).
        :raises Unconfirmed: the backend did not confirm in time; the
            message says what the database shows.
        """
        from volsvcclient.engine import failing_over

        if (host is None) == (cluster is None):
            raise exceptions.InvalidRequest('give {host} or {cluster}', 'host')
        for keyword, value in (('host', host), ('cluster', cluster),
                               ('backend_id', backend_id)):
            exceptions.check_text(value, keyword)
        arguments.flag(even_if_down, 'even_if_down')
        arguments.flag(wait, 'wait')
        timeout = bounds.TIMEOUT.check(timeout, 'timeout')
        notes = self._call()
        with self._described():
            return failing_over.failover(
                self._api, records.Target(host=host, cluster=cluster), backend_id,
                even_if_down=even_if_down, wait=wait, timeout=timeout, tell=notes)

    # Maintenance of a backend

    def drain(
        self,
        host: str | None = None,
        *,
        cluster: str | None = None,
        selection: Selection | None = None,
        disabled_reason: str = 'maintenance',
        freeze: bool = False,
        timeout: float = 600.0,
        interval: float = 5.0,
        even_if_down: bool = False,
        ctrl_c: Interrupts | None = None,
        plan: bool = False,
    ) -> Drain:
        """Take a backend out for maintenance: disable its cinder-volume
        with ``disabled_reason`` (and ``freeze`` it: Cinder then refuses to
        delete its volumes and to create or delete their snapshots), then
        read what is on it every ``interval`` seconds (at least 1) until
        nothing is in flight in two reads in a row, or ``timeout``. A
        cluster is frozen, not disabled member by member (no API of Cinder
        28.0.0 and later would re-enable them). Only the backends the
        change took out are watched.

        Give one ``host`` (host@backend), one ``cluster`` (API 3.7), or a
        ``selection`` (every cinder-volume backend it takes; a cluster's
        members all or none). With ``plan``, nothing is sent: the report is
        the plan (as :meth:`plan`'s), and each backend is read once (what
        is in flight now).

        :returns: a :class:`Drain`: :attr:`Drain.drained` when it is safe
            to stop cinder-volume; :attr:`Drain.reason` says why not.
        :raises Refused: before any change: one member of a cluster alone.
        :raises NoSuchService: no cinder-volume service of that name.
        """
        from volsvcclient.engine import draining

        found_by = arguments.backends(host, cluster, selection)
        reasons.check_reason(disabled_reason)
        if disabled_reason is None:
            raise exceptions.InvalidRequest(
                '{disabled_reason} must be text, not None', 'disabled_reason')
        arguments.flag(freeze, 'freeze')
        arguments.flag(even_if_down, 'even_if_down')
        arguments.flag(plan, 'plan')
        timeout = bounds.SECONDS.check(timeout, 'timeout')
        interval = bounds.INTERVAL.check(interval, 'interval')
        arguments.ctrl_c(ctrl_c)
        notes = self._call()
        with self._described():
            drain = draining.Drain(
                self._api, draining.backends(self._api, *found_by), notes, ctrl_c)
            if plan:
                change = drain.plan(disabled_reason, freeze, even_if_down)
                return _drained(drain, change, notes, timeout, planned=True)
            change = drain.disable(disabled_reason, freeze, even_if_down)
            if not drain.interrupted and any(b.taken for b in drain.backends):
                drain.watch(timeout, interval)
        return _drained(drain, change, notes, timeout)

    def resume(
        self,
        host: str | None = None,
        *,
        cluster: str | None = None,
        selection: Selection | None = None,
        timeout: float = 300.0,
        interval: float = 2.0,
        even_if_down: bool = False,
        ctrl_c: Interrupts | None = None,
        plan: bool = False,
    ) -> Report:
        """Bring a drained backend back: wait until its cinder-volume has
        sent two new heartbeats (it really came back), then thaw it and
        re-enable it (by freeze and thaw where Cinder 28.0.0 and later
        ignore enable), verified.

        Takes the backends as :meth:`drain` does. With ``plan``, nothing
        is sent and nothing waited for: the report is the plan of the
        thaw and enable (as :meth:`plan`'s, refused as the resume would
        be), and a note names each cinder-volume that is down now.

        :returns: the :class:`Report` of the change; a service still
            disabled is named, with why, by :attr:`Report.reason`.
        :raises WaitTimedOut: a cinder-volume did not come back in
            ``timeout`` seconds.
        """
        from volsvcclient.engine import draining

        found_by = arguments.backends(host, cluster, selection)
        arguments.flag(even_if_down, 'even_if_down')
        arguments.flag(plan, 'plan')
        timeout = bounds.SECONDS.check(timeout, 'timeout')
        interval = bounds.INTERVAL.check(interval, 'interval')
        arguments.ctrl_c(ctrl_c)
        notes = self._call()
        with self._described():
            if plan:
                change = draining.plan_resume(
                    self._api, draining.backends(self._api, *found_by), timeout=timeout,
                    tell=notes)
                return _report(change, notes, planned=True)
            change = draining.resume(
                self._api, draining.backends(self._api, *found_by), timeout=timeout,
                interval=interval, even_if_down=even_if_down, tell=notes, ctrl_c=ctrl_c)
        return _report(change, notes)

    # Waiting and judging

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
    ) -> list[Service]:
        """Wait until every selected service (all when ``selection`` is
        None) shows each condition given (``state`` up or down,
        ``status``, ``frozen``, ``replication_status``), and with ``fresh``
        has sent two new heartbeats since the wait began.

        Reads every ``interval`` seconds (at least 1) up to ``timeout``; a
        read that fails for want of cinder-api or Keystone is retried until
        then.

        :returns: the selected services as the read that found the
            conditions met saw them.
        :raises WaitTimedOut: at the timeout, with the unmet lines.
        """
        from volsvcclient.engine import waiting

        chooser = arguments.selection(selection)
        arguments.one_of(state, 'state', _STATES)
        arguments.one_of(status, 'status', desired_state.STATUSES)
        if frozen is not None:
            arguments.flag(frozen, 'frozen')
        exceptions.check_text(replication_status, 'replication_status')
        arguments.flag(fresh, 'fresh')
        timeout = bounds.SECONDS.check(timeout, 'timeout')
        interval = bounds.INTERVAL.check(interval, 'interval')
        wanted = {
            attr: value for attr, value in (
                ('state', state), ('status', status), ('is_frozen', frozen),
                ('replication_status', replication_status),
            ) if value is not None
        }
        if not wanted and not fresh:
            raise exceptions.InvalidRequest(
                'nothing to wait for: give {state}, {status}, {frozen}, '
                '{replication_status} or {fresh}', 'state')
        notes = self._call()
        with self._described():
            chooser.check_version(self._api)
            unmet, listed = waiting.wait(
                self._api, chooser, wanted, fresh, timeout, interval, notes)
        if unmet:
            raise exceptions.WaitTimedOut(
                f'{len(unmet)} service(s) not as asked after {timeout:g} s: '
                + '; '.join(unmet), unmet)
        return listed

    def check(
        self, selection: Selection | None = None, *,
        ignore_disabled: bool = False,
    ) -> Verdict:
        """Judge the health of the selected services (all when None) as
        ``volume service check`` does.

        :param ignore_disabled: a disabled service is no WARNING.
        :raises Error: when the services cannot be read
            (``Verdict.unknown(str(exc))`` is ``check``'s UNKNOWN).
        """
        from volsvcclient.api import results
        from volsvcclient.engine import health

        chooser = arguments.selection(selection)
        arguments.flag(ignore_disabled, 'ignore_disabled')
        self._call()
        with self._described():
            chooser.check_version(self._api)
            listed = selection_module.chosen(chooser, self._api.list(backend_state=True))
        ages = {id(s): records.heartbeat_age(s, self._api.server_time) for s in listed}
        judged = health.judge(listed, ages, ignore_disabled, self._api.backend_state_unknown)
        return results.verdict(listed, judged, {s.key: ages[id(s)] for s in listed})


class _Holder:
    """What ``services.connect`` takes: a holder of an SDK connection."""

    def __init__(self, connection: Connection) -> None:
        self.sdk_connection = connection


def _drained(
    drain: Any, change: Any, notes: _Notes, timeout: float, planned: bool = False
) -> Drain:
    """The Drain of an engine drain (or of its plan)."""
    from volsvcclient.api import results

    final = change.final or {}
    backends = []
    for backend in drain.backends:
        judged = backend.judgement
        backends.append(results.BackendDrain(
            backend.name,
            tuple(final.get(m.key, change.live.get(m.key, m)) for m in backend.members),
            judged.on_backend.volumes if judged else None,
            judged.on_backend.attached if judged else None,
            judged.on_backend.snapshots if judged else None,
            judged.in_flight if judged else (),
            judged.waiting if judged else (),
            backend.drained, backend.reads, backend.requests,
        ))
    return results.Drain(_report(change, notes, planned), tuple(backends), drain.elapsed,
                         timeout, drain.interrupted)


def _report(change: Any, notes: _Notes, planned: bool = False) -> Report:
    """The Report of an engine change that planned or applied."""
    from volsvcclient.api import results

    made = []
    for outcome in change.outcomes:
        before = change.live.get(outcome.key)
        after = None
        if not planned:
            after = change.final.get(outcome.key) if change.final else (
                None if outcome.result in results.UNFINISHED else before)
        made.append(results.ServiceOutcome.of(outcome, before, after, planned))
    return results.Report(
        tuple(made), interrupted=not planned and change.interrupted, planned=planned,
        notes=tuple(notes.notes))
