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

"""Workflows that compose os-services requests: change and verify, wait
for a failover, re-enable by freeze and thaw, refuse a target that is down.

They sit above ``volsvcclient.services`` (the API and its read model) and
below the commands and ``volsvcclient.batch``: data flows one way.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, NoReturn, Sequence

from openstack import exceptions as sdk_exceptions
from osc_lib import exceptions

from volsvcclient import errors
from volsvcclient import polling
from volsvcclient import services

if TYPE_CHECKING:
    from volsvcclient import voice as voice_module


def enable_via_thaw(
    api: services.ServiceAPI,
    service: services.Service,
    voice: voice_module.Voice,
    even_if_down: bool,
) -> None:
    """Re-enable a cinder-volume service by thawing it, freezing it first
    unless it is frozen already.

    On Ctrl-C after the freeze, the service is thawed back, or named as
    left frozen with the command that thaws it.
    """
    if service.binary != services.VOLUME_BINARY:
        raise services.NotApplied(
            f'{service.label} is still disabled: {services.ENABLE_IGNORED}, and '
            f'--enable-via-thaw applies to {services.VOLUME_BINARY} only'
        )
    steps = 'thaw' if service.is_frozen else 'freeze and thaw'
    check_up([service], steps, even_if_down, voice)
    voice.note(
        f'{service.label}: the server ignored os-services/enable; '
        f're-enabling it by {steps}'
    )
    target = services.Target(host=service.host)

    def send() -> str | None:
        try:
            if not service.is_frozen:
                api.freeze(target)
            return api.thaw(target)
        except KeyboardInterrupt:
            if not service.is_frozen:
                _thaw_back(api, service, voice)
            raise

    change(api, send, [service], {'status': 'enabled', 'is_frozen': False}, steps,
           voice)


def _thaw_back(
    api: services.ServiceAPI, service: services.Service, voice: voice_module.Voice
) -> None:
    """Undo our own freeze after Ctrl-C, or say how to."""
    try:
        current = api.read(service.host, service.binary)
        if current is not None and not current.is_frozen:
            return
        voice.note(f'{service.label}: interrupted after freezing it; thawing it back')
        api.thaw(services.Target(host=service.host))
        return
    except (Exception, KeyboardInterrupt):
        pass
    voice.note(voice.may_be_left_frozen(service))


def _no_clear_answer(exc: BaseException) -> str:
    """How a request that may have been applied ended, in words."""
    if services.is_server_error(exc) and exc.status_code not in services.RETRIED_STATUSES:
        return f'failed with HTTP {exc.status_code}'
    return 'got no answer'


def check_up(
    members: Sequence[services.Service],
    action: str,
    even_if_down: bool,
    voice: voice_module.Voice,
) -> None:
    """Refuse an RPC-bound ``action`` whose cinder-volume is down.

    Cinder would wait for the RPC timeout (60 s by default) and no driver
    would act. A cluster needs one member up: Cinder sends to any of them.
    """
    down = [m for m in members if m.state == 'down']
    if not down or (len(down) < len(members) and not even_if_down):
        if down:
            voice.note(
                f"{services.shorten(m.host for m in down)} of cluster "
                f"'{members[0].cluster}' down: a member that is up takes the "
                f"{action}"
            )
        return
    named = ', '.join(f'{m.label} (last heartbeat {m.updated_at})' for m in down[:3])
    if even_if_down:
        voice.note(f'{named} down; sending the {action} anyway (--even-if-down)')
        return
    raise exceptions.CommandError(
        f'{named} is down: Cinder would wait for it over RPC (60 s by '
        f'default) and no driver would {action}. Start it first, or give '
        f'--even-if-down to send the request anyway'
    )


def database_shows(current: Iterable[services.Service]) -> str:
    """What the database says of the ``current`` services, for an
    unconfirmed change."""
    states = '; '.join(
        f'{s.label}: status {s.status}, frozen {s.is_frozen}, reason '
        f'{s.disabled_reason!r}, replication {s.replication_status}'
        for s in current
    )
    return f'The database now shows {states}; the backend has not confirmed'


def verify(
    api: services.ServiceAPI,
    members: Sequence[services.Service],
    expected: Mapping[str, Any],
    happened: str,
    cause: str | None = None,
    wait_timeout: float = 0,
) -> None:
    """Re-read ``members``; fail unless each has every expected field.

    ``happened`` says what the server did with the request ("the server
    accepted the disable request"), ``cause`` the known reason it may
    not have been applied. Re-reads for up to ``wait_timeout`` seconds.
    """
    for _ in polling.attempts(wait_timeout, polling.VERIFY_INTERVAL):
        current = api.reread(members, f' after {happened}')
        wrong = [
            (member, services.mismatches(now, expected))
            for member, now in zip(members, current)
            if services.mismatches(now, expected)
        ]
        if not wrong:
            return
    member, phrases = wrong[0]
    waited = f' after {wait_timeout:g} s' if wait_timeout else ''
    message = f"{member.label}: {happened} but{waited} {', '.join(phrases)}"
    now = current[members.index(member)]
    if services.changed_by_another(member, now, expected):
        message += f': {services.ANOTHER_CLIENT}'
    elif cause:
        message += f'. {cause}'
    raise services.NotApplied(message)


def change(
    api: services.ServiceAPI,
    send: Callable[[], str | None],
    members: Sequence[services.Service],
    expected: Mapping[str, Any],
    asked: str,
    voice: voice_module.Voice,
    wait_timeout: float = 0,
    cause: str | None = None,
) -> None:
    """Send one change, then verify every member by re-reading it.

    ``send()`` may return the server's own words on a failure it
    answered 200 to; ``cause`` is the known reason the change may not
    show. When the request gets no clear answer, the re-read decides;
    when that fails too, the error says the outcome is unknown.
    """
    try:
        answer = send()
    except sdk_exceptions.BadRequestException as exc:
        _after_refusal(api, members, expected, asked, exc, voice)
        return
    except Exception as exc:
        if not services.is_uncertain(exc):
            raise
        if isinstance(exc, services.Unconfirmed):
            _reread_or_unknown(
                functools.partial(report_unconfirmed, api, members, exc, voice),
                str(exc), 'unknown',
            )
        happened = f'{asked} {_no_clear_answer(exc)} ({errors.translate(exc)})'
        _reread_or_unknown(
            lambda: verify(api, members, expected, happened, cause),
            happened, 'whether it took effect is unknown',
        )
        return
    said = f'The server said: {answer}' if answer else cause
    happened = f'the server accepted {asked}'
    _reread_or_unknown(
        lambda: verify(api, members, expected, happened, said, wait_timeout),
        f'{members[0].label}: {happened}', 'the change is not verified',
    )


def _reread_or_unknown(check: Callable[[], object], happened: str, outcome: str) -> None:
    """Run a re-reading ``check``; when the read itself fails, say what
    happened before it and what is therefore not known."""
    try:
        check()
    except (exceptions.CommandError, services.CinderError):
        raise
    except Exception as read_exc:
        translated = errors.translate(read_exc)
        if translated is None:
            raise
        raise exceptions.CommandError(
            f'{happened} and the service could not be re-read '
            f'({translated}): {outcome}'
        ) from read_exc


def _after_refusal(
    api: services.ServiceAPI,
    members: Sequence[services.Service],
    expected: Mapping[str, Any],
    asked: str,
    exc: sdk_exceptions.BadRequestException,
    voice: voice_module.Voice,
) -> None:
    """A 400 may come from a race another client won: when the service
    is now as asked, say so and succeed."""
    try:
        current = api.reread(members)
    except Exception:
        raise exc from None
    if any(services.mismatches(now, expected) for now in current):
        raise exc
    voice.note(
        f'{members[0].label}: the server refused {asked} '
        f'({errors.translate(exc)}), but it is already as asked: '
        f'{services.ANOTHER_CLIENT}'
    )


def report_unconfirmed(
    api: services.ServiceAPI,
    members: Sequence[services.Service],
    exc: services.Unconfirmed,
    voice: voice_module.Voice,
) -> NoReturn:
    """Fail with what the database shows after an Unconfirmed action, and
    how to learn whether the request still completes (it may: Cinder's
    RPC call goes on after our bound)."""
    current = api.reread(members, f' after {exc}')
    raise services.Unconfirmed(
        f'{exc}. {database_shows(current)}; {voice.check_later(current)}'
    ) from exc


def wait_for_failover(
    api: services.ServiceAPI,
    members: Sequence[services.Service],
    backend_id: str | None,
    timeout: float,
    interval: float,
    report: Callable[[services.Service, float], object],
) -> list[services.Service]:
    """Poll until no member is failing over any more; the final services.

    ``timeout`` bounds the whole wait, however many members there are.
    Failing back (``backend_id`` 'default') must end 'enabled', any
    other failover 'failed-over' on the asked target.
    ``report(service, elapsed)`` is called for each member after each read.
    """
    for elapsed in polling.attempts(timeout, interval):
        final = api.reread(members, ' while failing over')
        for current in final:
            report(current, elapsed)
        settling = [s for s in final if s.replication_status == services.FAILING_OVER]
        if not settling:
            break
    else:
        current = settling[0]
        raise exceptions.CommandError(
            f'{current.label}: still {services.FAILING_OVER} after {timeout:g} s '
            f'(last seen: replication status '
            f'{current.replication_status}, active backend '
            f'{current.active_backend_id!r})'
        )
    for current in final:
        _check_landed(current, backend_id)
    return final


def _check_landed(current: services.Service, backend_id: str | None) -> None:
    """Fail unless ``current`` ended where the failover was asked to go."""
    failing_back = backend_id == services.FAILBACK
    wanted = 'enabled' if failing_back else 'failed-over'
    landed = current.replication_status == wanted and (
        failing_back
        or backend_id is None
        or current.active_backend_id == backend_id
    )
    if not landed:
        raise exceptions.CommandError(
            f"{current.label}: {'failback' if failing_back else 'failover'} "
            f"did not complete: replication status "
            f"{current.replication_status}, active backend "
            f"{current.active_backend_id!r}, status {current.status} "
            f"(reason {current.disabled_reason!r}); the driver refused or "
            f"failed it, see the cinder-volume log on that host"
        )
