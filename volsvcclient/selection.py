"""Which services a command acts on: one named by <host> <binary>, or all
that selectors match. Import-light: command modules use it at parse time.
"""

from osc_lib import exceptions

from volsvcclient import versions

SELECTORS = '--host-pattern, --service, --zone, --cluster'


def add_service_arguments(parser):
    """The optional <host> <binary> pair that names one service."""
    parser.add_argument(
        'host', metavar='<host>', nargs='?', help='Host of the service, as listed'
    )
    parser.add_argument(
        'binary',
        metavar='<binary>',
        nargs='?',
        help='Binary name of the service (e.g. cinder-volume)',
    )


def add_selectors(parser, intro, cluster):
    """--host-pattern, --service, --zone and (v3) --cluster."""
    group = parser.add_argument_group('selection', intro)
    group.add_argument(
        '--host-pattern',
        metavar='<pattern>',
        help="Hosts matching this shell pattern (e.g. 'node1*@lvm*')",
    )
    group.add_argument(
        '--service', metavar='<binary>', help='Services of this binary'
    )
    group.add_argument(
        '--zone', metavar='<zone>', help='Services in this availability zone'
    )
    if cluster:
        group.add_argument(
            '--cluster',
            metavar='<cluster>',
            help='Services of this cluster '
            f"({versions.needs('--cluster', versions.CLUSTER)})",
        )
    return group


class Selector:
    """Services chosen by what they are rather than named one by one.

    A plain class: this module is imported on every ``openstack`` run, and
    a dataclass costs a millisecond to build.
    """

    FIELDS = ('host_pattern', 'binary', 'zone', 'cluster', 'host')

    def __init__(self, host_pattern=None, binary=None, zone=None, cluster=None,
                 host=None):
        self.host_pattern = host_pattern
        self.binary = binary
        self.zone = zone
        self.cluster = cluster
        #: Exactly this host (with ``binary``), for <host> <binary>.
        self.host = host

    def _values(self):
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other):
        return isinstance(other, Selector) and self._values() == other._values()

    def __hash__(self):
        return hash(self._values())

    def __repr__(self):
        return f'Selector{self._values()!r}'

    def matches(self, service):
        import fnmatch

        return (
            (self.host is None or service.host == self.host)
            and (self.host_pattern is None
                 or fnmatch.fnmatchcase(service.host, self.host_pattern))
            and (self.binary is None or service.binary == self.binary)
            and (self.zone is None or service.availability_zone == self.zone)
            and (self.cluster is None or service.cluster == self.cluster)
        )


def from_arguments(parsed_args, everything=False):
    """The Selector of <host> <binary>, or of the selectors; an error for
    both, and for neither unless ``everything`` then is chosen."""
    named = (parsed_args.host, parsed_args.binary)
    selector = Selector(
        parsed_args.host_pattern,
        parsed_args.service,
        parsed_args.zone,
        getattr(parsed_args, 'cluster', None),
    )
    if selector != Selector():
        if any(named):
            raise exceptions.CommandError(
                f'Give <host> <binary> or selectors ({SELECTORS}), not both'
            )
        return selector
    if everything and not any(named):
        return Selector()
    if not all(named):
        raise exceptions.CommandError(
            f'Give <host> <binary>, or selectors ({SELECTORS})'
        )
    return Selector(host=parsed_args.host, binary=parsed_args.binary)


def chosen(selector, services):
    """The services ``selector`` matches; an error when none."""
    found = [s for s in services if selector.matches(s)]
    if not found:
        raise exceptions.CommandError('No service matches the selection')
    return found
