"""``openstack volume service`` commands for Block Storage API v2 and up.

The v3 module subclasses these and adds only what microversions gate.
Module-level imports stay light: OSC imports this module on every run.
"""

import collections

from osc_lib import exceptions
from osc_lib import utils

from volsvcclient import bounds
from volsvcclient import columns
from volsvcclient import command
from volsvcclient import reasons

#: requests' default connection pool size: more threads would only queue.
MAX_CONCURRENCY = 10

_FAILOVER_COLUMNS = (
    ('host', 'Host'),
    ('binary', 'Binary'),
    ('status', 'Status'),
    ('disabled_reason', 'Disabled Reason'),
    ('replication_status', 'Replication Status'),
    ('active_backend_id', 'Active Backend ID'),
)


def _add_service_arguments(parser, binary_dest='binary', required=True):
    """The <host> <binary> pair that names one service."""
    nargs = None if required else '?'
    parser.add_argument(
        'host', metavar='<host>', nargs=nargs, help='Host of the service, as listed'
    )
    parser.add_argument(
        binary_dest,
        metavar=f'<{binary_dest}>',
        nargs=nargs,
        help='Binary name of the service (e.g. cinder-volume)',
    )


def _add_selection(parser, intro):
    """--host-pattern and --zone, for commands that act on many services."""
    selection = parser.add_argument_group('selection', intro)
    selection.add_argument(
        '--host-pattern',
        metavar='<pattern>',
        help="Hosts matching this shell pattern (e.g. 'node1*@lvm*')",
    )
    selection.add_argument(
        '--zone', metavar='<zone>', help='Services in this availability zone'
    )
    return selection


def _add_wait_timeout(parser):
    parser.add_argument(
        '--wait-timeout',
        metavar='<seconds>',
        type=bounds.seconds,
        default=0.0,
        help='Keep re-reading for up to this many seconds until every service '
        'shows its new state (default 0: read once)',
    )


def _add_backend_state_timeout(parser):
    bounds.add_rpc_timeout(
        parser, bounds.BACKEND_STATE,
        'Seconds to wait for Backend State, which Cinder asks '
        'cinder-scheduler for over RPC; past them the services are listed '
        'without it (Backend State unknown)',
    )


def _add_action_bounds(parser):
    """--rpc-timeout and --even-if-down, for requests a cinder-volume answers."""
    bounds.add_rpc_timeout(
        parser, bounds.ACTION,
        'Seconds to wait for an answer to freeze, thaw or failover, which '
        'Cinder gives only once the backend\'s cinder-volume has (over '
        'RabbitMQ); past them the command reports what the database shows '
        'and exits 1',
    )
    parser.add_argument(
        '--even-if-down',
        action='store_true',
        help='Send freeze, thaw or failover to a cinder-volume that is down. '
        'Risky: Cinder changes the database, then waits for the service '
        'until its RPC timeout and no driver acts, so the backend and the '
        'database disagree until the service is back',
    )


class _HostTarget:
    """Commands that act on the cinder-volume service of one host."""

    #: False where something else can stand in for <host>.
    host_required = True
    #: How the operator names what to act on, for messages.
    target_options = '<host>'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'host',
            metavar='<host>',
            nargs=None if self.host_required else '?',
            help='Host of the cinder-volume service, as listed (host@backend)',
        )
        return parser

    def target(self, parsed_args, api):
        from volsvcclient import services

        return services.Target(host=parsed_args.host)


class ListService(command.Lister):
    _description = 'List Block Storage services'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--host',
            metavar='<host>',
            help='List services on this host only (a host name also '
            'matches its host@backend services)',
        )
        parser.add_argument(
            '--service',
            metavar='<service>',
            help='List only this service (binary name, e.g. cinder-volume)',
        )
        parser.add_argument(
            '--status',
            choices=('enabled', 'disabled'),
            help='List only enabled or only disabled services',
        )
        parser.add_argument(
            '--state',
            choices=('up', 'down'),
            help='List only services that are up, or only those down',
        )
        parser.add_argument(
            '--zone', metavar='<zone>', help='List only services of this zone'
        )
        frozen = parser.add_mutually_exclusive_group()
        frozen.add_argument(
            '--frozen',
            action='store_true',
            help='List only frozen cinder-volume services',
        )
        frozen.add_argument(
            '--no-frozen',
            action='store_true',
            help='List only cinder-volume services that are not frozen',
        )
        parser.add_argument(
            '--replication-status',
            metavar='<status>',
            help='List only cinder-volume services in this replication '
            'status (enabled, disabled, failing-over, failed-over, ...)',
        )
        parser.add_argument(
            '--long',
            action='store_true',
            default=False,
            help='List additional fields in output (Disabled Reason, '
            'Replication Status, Active Backend ID, Frozen)',
        )
        parser.add_argument(
            '--down-for',
            metavar='<duration>',
            type=bounds.duration,
            help='List only services whose last heartbeat is older than this '
            '(90s, 30m, 2h, 7d), by cinder-api\'s own clock: stale records '
            'to clean up with cinder-manage service remove',
        )
        _add_backend_state_timeout(parser)
        return parser

    def client_filters(self, parsed_args, api):
        """SDK attribute -> wanted value, applied to what the server lists."""
        filters = {
            'status': parsed_args.status,
            'state': parsed_args.state,
            'availability_zone': parsed_args.zone,
            'replication_status': parsed_args.replication_status,
        }
        if parsed_args.frozen:
            filters['is_frozen'] = True
        if parsed_args.no_frozen:
            filters['is_frozen'] = False
        return {k: v for k, v in filters.items() if v is not None}

    def take_action(self, parsed_args):
        from volsvcclient import services

        api = self.service_api(parsed_args.rpc_timeout)
        filters = self.client_filters(parsed_args, api)
        attributes, names = columns.for_list(api.microversion, parsed_args.long)
        listed = api.list(
            host=parsed_args.host,
            binary=parsed_args.service,
            backend_state='backend_state' in attributes,
        )
        if parsed_args.down_for is not None:
            listed = self._down_for(api, listed, parsed_args.down_for)
        return names, (
            utils.get_item_properties(service, attributes)
            for service in listed
            if not services.mismatches(service, filters)
        )

    def _down_for(self, api, listed, seconds):
        from volsvcclient import services

        if api.server_time is None:
            raise exceptions.CommandError(
                '--down-for needs the time of cinder-api, and its answer '
                'carried no Date header'
            )
        return [
            s for s in listed
            if (services.heartbeat_age(s, api.server_time) or 0) > seconds
        ]


class ShowService(command.ShowOne):
    _description = 'Show every field the server reports for one service'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_service_arguments(parser)
        _add_backend_state_timeout(parser)
        return parser

    def take_action(self, parsed_args):
        api = self.service_api(parsed_args.rpc_timeout)
        service = api.find(parsed_args.host, parsed_args.binary, backend_state=True)
        return columns.for_show(service.fields, api.microversion)


class SetService(command.Command):
    _description = 'Enable or disable a Block Storage service, and check it took effect'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        # Upstream OSC names the binary <service> here: keep its spelling.
        _add_service_arguments(parser, binary_dest='service')
        enabled = parser.add_mutually_exclusive_group()
        enabled.add_argument(
            '--enable', action='store_true', help='Enable volume service'
        )
        enabled.add_argument(
            '--disable', action='store_true', help='Disable volume service'
        )
        parser.add_argument(
            '--disable-reason',
            metavar='<reason>',
            help=f'Reason for disabling the service (with --disable; at most '
            f'{reasons.MAX_REASON} characters)',
        )
        parser.add_argument(
            '--enable-via-thaw',
            action='store_true',
            help='With --enable: when the server ignores the enable request '
            '(Cinder 28.0.0 and later), re-enable a cinder-volume service by '
            'freezing and thawing it',
        )
        _add_action_bounds(parser)
        return parser

    def take_action(self, parsed_args):
        if parsed_args.disable_reason is not None and not parsed_args.disable:
            raise exceptions.CommandError(
                'Cannot specify option --disable-reason without --disable specified.'
            )
        if not (parsed_args.enable or parsed_args.disable):
            raise exceptions.CommandError('Nothing to set: give --enable or --disable')
        if parsed_args.enable_via_thaw and not parsed_args.enable:
            raise exceptions.CommandError('--enable-via-thaw goes with --enable')
        reasons.check_reason(parsed_args.disable_reason)

        api = self.service_api(parsed_args.rpc_timeout)
        service = api.find(parsed_args.host, parsed_args.service)
        if parsed_args.disable:
            self._disable(api, service, parsed_args.disable_reason)
        else:
            self._enable(
                api, service, parsed_args.enable_via_thaw, parsed_args.even_if_down
            )

    def _disable(self, api, service, reason):
        from volsvcclient import services

        expected = {'status': 'disabled'}
        if reason:
            expected['disabled_reason'] = reason
        if service.status == 'disabled' and not reason:
            self.note(f'{service.label} is already disabled; nothing to do')
            return
        warning = services.irreversible(service.binary)
        if warning:
            self.note(f'{service.label}: {warning}')
        api.change(
            lambda: api.disable(service, reason), [service], expected,
            'the disable request',
            cause=reasons.BEYOND_BMP if reasons.beyond_bmp(reason) else None,
        )

    def _enable(self, api, service, via_thaw, even_if_down):
        from volsvcclient import services

        if service.status == 'enabled':
            self.note(f'{service.label} is already enabled; nothing to do')
            return
        try:
            api.change(
                lambda: api.enable(service), [service], {'status': 'enabled'},
                'os-services/enable',
            )
        except services.NotApplied as exc:
            if not via_thaw:
                raise services.NotApplied(
                    f'{exc}. {services.ENABLE_IGNORED}. '
                    f'{services.enable_workaround(service)}'
                ) from exc
            services.enable_via_thaw(api, service, self.note, even_if_down)


class _FrozenCommand(_HostTarget, command.Command):
    """freeze and thaw: a host, a cluster (v3) or a selection, to one state."""

    #: The frozen state the command sets.
    frozen = True
    #: What the re-read must show afterwards.
    expected = {}
    #: A selection can stand in for <host>.
    host_required = False

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_selection(
            parser,
            'Act on every cinder-volume service that matches all of these, '
            'instead of <host>',
        )
        _add_wait_timeout(parser)
        _add_action_bounds(parser)
        return parser

    @property
    def word(self):
        return 'frozen' if self.frozen else 'thawed'

    @property
    def verb(self):
        return 'freeze' if self.frozen else 'thaw'

    def take_action(self, parsed_args):
        from volsvcclient import services

        named = parsed_args.host or getattr(parsed_args, 'cluster', None)
        if parsed_args.host_pattern or parsed_args.zone:
            if named:
                raise exceptions.CommandError(
                    f'Give {self.target_options} or a selection '
                    f'(--host-pattern, --zone), not both'
                )
            return self._change_selection(parsed_args)
        if not named:
            raise exceptions.CommandError(
                f'Give {self.target_options}, or a selection (--host-pattern, --zone)'
            )
        api = self.service_api(parsed_args.rpc_timeout)
        target = self.target(parsed_args, api)
        members = api.members(target)
        if all(member.is_frozen is self.frozen for member in members):
            self.note(f'{target} is already {self.word}; nothing to do')
            return
        services.check_up(members, self.verb, parsed_args.even_if_down, self.note)
        for member in members:
            if member.status == 'disabled' and member.disabled_reason != 'frozen':
                self.note(f'{member.label}: {self.ends_disable(member.disabled_reason)}')
        clustered = any(member.cluster for member in members)
        api.change(
            lambda: self.send(api, target), members, self.expected,
            f'{self.verb} of {target}',
            parsed_args.wait_timeout,
            services.CLUSTER_THAW if clustered and not self.frozen else None,
        )

    def send(self, api, target):
        raise NotImplementedError

    def ends_disable(self, reason):
        """What the command does to a disable an operator made."""
        raise NotImplementedError

    def _change_selection(self, parsed_args):
        from volsvcclient import batch
        from volsvcclient import desired_state
        from volsvcclient import services

        selector = desired_state.Selector(
            parsed_args.host_pattern, services.VOLUME_BINARY, parsed_args.zone
        )
        wanted = desired_state.Wanted(
            '', services.VOLUME_BINARY, self.expected.get('status'), None,
            self.frozen,
        )
        request = desired_state.Request(selector=selector, template=wanted)
        api = self.service_api(parsed_args.rpc_timeout)
        run = batch.Batch(api, request, self.app.stderr, parsed_args.even_if_down)
        _, rows, unfinished = run.apply(wait_timeout=parsed_args.wait_timeout)
        for host, binary, _, result, detail in rows:
            if result in batch.UNFINISHED:
                self.note(f'{binary} on {host}: {result}: {detail}')
            elif result == batch.UNCHANGED:
                self.note(f'{binary} on {host} is already {self.word}; nothing to do')
        summary = f'{unfinished} of {len(rows)} service(s) did not end {self.word}'
        if run.interrupted:
            self.note(f'{self.verb}: interrupted; {summary}')
            return 130
        if unfinished:
            raise exceptions.CommandError(summary)


class FreezeService(_FrozenCommand):
    _description = (
        'Freeze cinder-volume backends: disable them and block management '
        'of their volumes'
    )
    frozen = True
    expected = {'is_frozen': True}

    def send(self, api, target):
        api.freeze(target)

    def ends_disable(self, reason):
        return (
            f'disabled with reason {reason!r}: the freeze replaces it with '
            f"'frozen', and a thaw will re-enable the service"
        )


class ThawService(_FrozenCommand):
    _description = (
        'Thaw frozen cinder-volume backends, which also re-enables them and '
        'clears their disabled reason, whoever set it'
    )
    frozen = False
    expected = {'is_frozen': False, 'status': 'enabled'}

    def send(self, api, target):
        return api.thaw(target)

    def ends_disable(self, reason):
        return (
            f'disabled with reason {reason!r}: the thaw re-enables it and '
            f'clears the reason; disable it again if it must stay out of service'
        )


class FailoverService(_HostTarget, command.Lister):
    _description = (
        'Fail over a replicating cinder-volume backend to a replication '
        'target, or back with --backend-id default'
    )
    #: Seconds between reads with --wait.
    poll_interval = 2.0
    #: Default of --wait-timeout.
    wait_timeout = 300.0

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--backend-id',
            metavar='<backend-id>',
            help="Replication target to fail over to (as in the backend's "
            "replication_device); 'default' fails back to the primary",
        )
        parser.add_argument(
            '--wait',
            action='store_true',
            help='Wait until the failover has finished, and fail when it '
            'ends in error',
        )
        parser.add_argument(
            '--wait-timeout',
            metavar='<seconds>',
            type=bounds.seconds,
            help='With --wait: give up after this many seconds, for all the '
            f'members of a cluster together (default {self.wait_timeout:g})',
        )
        _add_action_bounds(parser)
        return parser

    def take_action(self, parsed_args):
        from volsvcclient import services

        if parsed_args.wait_timeout is None:
            parsed_args.wait_timeout = self.wait_timeout
        elif not parsed_args.wait:
            raise exceptions.CommandError('--wait-timeout goes with --wait')
        if parsed_args.wait_timeout <= 0:
            raise exceptions.CommandError('--wait-timeout must be positive')
        api = self.service_api(parsed_args.rpc_timeout)
        target = self.target(parsed_args, api)
        members = api.members(target)
        services.check_up(members, 'failover', parsed_args.even_if_down, self.note)
        try:
            api.failover(target, parsed_args.backend_id)
        except services.Unconfirmed as exc:
            api.report_unconfirmed(members, exc)
        if parsed_args.wait:
            final = self._wait(
                api, members, parsed_args.backend_id, parsed_args.wait_timeout
            )
        else:
            final = api.reread(members, ' after the failover request')
        attributes = tuple(a for a, _ in _FAILOVER_COLUMNS)
        names = tuple(n for _, n in _FAILOVER_COLUMNS)
        return names, [utils.get_item_properties(s, attributes) for s in final]

    def _wait(self, api, members, backend_id, timeout):
        progress = self.app.stderr.isatty()

        def report(service, elapsed):
            if progress:
                self.app.stderr.write(
                    f'\r{service.label}: {service.replication_status} '
                    f'({elapsed:.0f} s)\033[K'
                )

        try:
            return api.wait_for_failover(
                members, backend_id, timeout, self.poll_interval, report
            )
        finally:
            if progress:
                self.app.stderr.write('\n')


class CommitService(command.Lister):
    _description = (
        'Bring services to a wanted state (status, disabled reason, frozen): '
        'one service, every service a selection matches, or the states saved '
        'from "volume service list --long"'
    )

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_service_arguments(parser, required=False)
        parser.add_argument(
            '--from-file',
            metavar='<file>',
            help='Wanted states of many services: JSON or YAML as printed by '
            '"openstack volume service list --long -f json" (or -f yaml); '
            '"-" reads standard input',
        )
        selection = _add_selection(
            parser,
            'Change every service that matches all of these, instead of '
            '<host> <binary>',
        )
        selection.add_argument(
            '--service',
            metavar='<binary>',
            help='Services of this binary (default cinder-volume; other '
            'binaries are changed only when named here)',
        )
        self.add_cluster_selector(selection)
        wanted = parser.add_argument_group('wanted state')
        wanted.add_argument(
            '--status',
            choices=('enabled', 'disabled'),
            help='Wanted status',
        )
        wanted.add_argument(
            '--disabled-reason',
            metavar='<reason>',
            help=f'Wanted disabled reason (with --status disabled; at most '
            f'{reasons.MAX_REASON} characters)',
        )
        frozen = wanted.add_mutually_exclusive_group()
        frozen.add_argument(
            '--frozen', action='store_true', help='Wanted frozen (cinder-volume only)'
        )
        frozen.add_argument(
            '--thawed', action='store_true', help='Wanted not frozen (cinder-volume only)'
        )
        parser.add_argument(
            '--enable-via-thaw',
            action='store_true',
            help='Where the server ignores enable requests (Cinder 28.0.0 and '
            'later), re-enable cinder-volume services by freezing and thawing '
            'them',
        )
        _add_action_bounds(parser)
        parser.add_argument(
            '--concurrency',
            metavar='<requests>',
            type=int,
            default=8,
            help=f'Services changed at the same time (1 to {MAX_CONCURRENCY}, '
            f'the size of the HTTP connection pool; default 8)',
        )
        _add_wait_timeout(parser)
        parser.add_argument(
            '--dry-run',
            action='store_true',
            help='Print the plan and change nothing',
        )
        return parser

    def add_cluster_selector(self, group):
        """Block Storage API v2 has no clusters: v3 adds --cluster here."""

    def take_action(self, parsed_args):
        from volsvcclient import batch
        from volsvcclient import desired_state

        if not 1 <= parsed_args.concurrency <= MAX_CONCURRENCY:
            raise exceptions.CommandError(
                f'--concurrency must be between 1 and {MAX_CONCURRENCY}'
            )
        request = desired_state.from_arguments(parsed_args)
        if not request.wanted and request.selector is None:
            self.note(f'{parsed_args.from_file} lists no service: nothing to do')
            return batch.RESULT_COLUMNS, []
        self.batch = batch.Batch(
            self.service_api(parsed_args.rpc_timeout), request, self.app.stderr,
            parsed_args.even_if_down,
        )
        if parsed_args.dry_run:
            return self.batch.plan_rows(parsed_args.enable_via_thaw)
        names, rows, unfinished = self.batch.apply(
            parsed_args.enable_via_thaw,
            parsed_args.concurrency,
            parsed_args.wait_timeout,
        )
        if unfinished:
            counts = collections.Counter(
                row[3] for row in rows if row[3] in batch.UNFINISHED
            )
            self.unfinished = ', '.join(
                f'{n} {result}' for result, n in sorted(counts.items())
            )
        return names, rows

    def run(self, parsed_args):
        self.unfinished = 0
        self.batch = None
        code = super().run(parsed_args)
        if self.batch is not None and self.batch.interrupted:
            self.note('commit: interrupted; the rows above say what was done')
            return 130
        if self.unfinished:
            self.note(
                f'Not every service ended as asked ({self.unfinished}); see the '
                f'Result column'
            )
            return 1
        return code
