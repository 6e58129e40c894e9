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

"""What the documentation quotes, checked against what the code does.

An operator greps doc/source/troubleshooting.rst for the line they got: a
quoted line the code no longer prints sends them to the wrong advice. So
each quoted line is rendered here by the real command against the fake
Cinder (or by the function that words it), and must match the page;
every line the page quotes must be rendered by one scenario. The limits
and defaults the pages quote, the JSON schemas of the scripting reference
and the README's links are checked the same way.
"""

import datetime
import json
import logging
import pathlib
import re
import shlex
import signal
import threading
import types

import fixtures
import jsonschema
import requests
import testscenarios
import testtools
import yaml

from volsvcclient.engine import events
from volsvcclient.tests.unit import base
from volsvcclient.tests.unit import fakes

ROOT = pathlib.Path(__file__).resolve().parents[3]
DOC = ROOT / 'doc' / 'source'
COLLECTION = ROOT / 'ansible_collections' / 'volsvc' / 'cinder'
HOST = 'node1@lvm'
VOLUME = 'cinder-volume'

load_tests = base.load_tests


def library():
    """The library modules these checks read, imported in this one place
    so that a move of the package's modules is one edit here."""
    from volsvcclient.cinder import bounds
    from volsvcclient.cinder import reasons
    from volsvcclient.cinder import versions
    from volsvcclient.engine import draining
    from volsvcclient.engine import health
    from volsvcclient.engine import in_flight
    from volsvcclient.osc import columns
    from volsvcclient.osc import rendering
    from volsvcclient.osc.v2 import commit
    from volsvcclient.osc.v2 import maintenance
    from volsvcclient.osc.v2 import operations
    from volsvcclient.osc.v2 import replication
    from volsvcclient.osc import voice

    return types.SimpleNamespace(
        bounds=bounds, columns=columns, health=health, reasons=reasons,
        versions=versions, voice=voice, draining=draining, in_flight=in_flight,
        maintenance=maintenance, rendering=rendering,
        commit=commit.CommitService, wait=operations.WaitService,
        failover=replication.FailoverService,
        drain=maintenance.DrainService, resume=maintenance.ResumeService,
    )


def page(name):
    return (DOC / name).read_text(encoding='utf-8')


def prose(name):
    """A page's text with its line breaks and indentation folded, so that
    a phrase is found wherever the page wraps it."""
    return ' '.join(page(name).split())


# Quoted lines

def quoted_lines(text):
    """The literals of troubleshooting.rst's definition terms: each is a
    line the code prints, ``<...>`` standing for a value, ``...`` for
    any text."""
    lines = text.splitlines()
    quotes = []
    for term, following in zip(lines, lines[1:] + ['']):
        if term.startswith('``') and following.startswith('    '):
            quotes += re.findall(r'``(.+?)``(?!`)', term)
    return quotes


def pattern(quote):
    """The regular expression a quoted line stands for."""
    parts = re.split(r'(<[^<>]+>|\.\.\.)', quote)
    return re.compile(''.join(
        '.+?' if part.startswith('<') and part.endswith('>') and len(part) > 2
        else '.*?' if part == '...' else re.escape(part)
        for part in parts
    ), re.DOTALL)


def last_line(result):
    return result.stderr.strip().splitlines()[-1]


def option_error(*args):
    """A time option the parser refuses: exit 2 and its last line."""
    def render(case):
        result = case.cli(*args)
        return result.code, last_line(result)
    return render


def fails(*args, **options):
    """A command that fails: its exit code and its one line."""
    def render(case):
        result = case.cli(*args, **options)
        return result.code, last_line(result)
    return render


def with_setup(setup, render):
    def both(case):
        setup(case)
        return render(case)
    return both


def keystone_answers(**answer):
    def setup(case):
        case.mock.post(fakes.AUTH_URL + '/auth/tokens', **answer)
    return setup


def note(words):
    """A note the voice logs (hard to provoke through a command): exit
    None, the line it logs."""
    def render(case):
        logger = case.useFixture(fixtures.FakeLogger('volsvcclient', level=logging.WARNING))
        words(library().voice.Voice())
        return None, logger.output.strip().splitlines()[-1]
    return render


def no_date_header(case):
    """cinder-api behind a proxy that drops the Date header (an answer
    without a date the client can read)."""
    case.useFixture(fixtures.MonkeyPatch(
        'volsvcclient.tests.unit.fakes.wsgi.email',
        types.SimpleNamespace(utils=types.SimpleNamespace(
            format_datetime=lambda *args, **kwargs: '')),
    ))


def add(**fields):
    def setup(case):
        case.cinder.add(HOST, **fields)
    return setup


def release(number):
    def setup(case):
        case.cinder.release = number
    return setup


def down(case):
    case.cinder.get(HOST)['state'] = 'down'


def silent_backend(case):
    case.cinder.volume_rpc = 'silent'


def failing_read(status):
    def setup(case):
        case.cinder.read_failures = [status] * 5
    return setup


def ignored(action):
    def setup(case):
        case.cinder.ignored.add(action)
    return setup


def forbidden(case):
    case.cinder.forbidden = True


def unset(*names):
    def setup(case):
        for name in names:
            case.useFixture(fixtures.EnvironmentVariable(name))
    return setup


def a_file(text):
    def setup(case):
        case.saved = case.useFixture(fixtures.TempDir()).join('saved.json')
        with open(case.saved, 'w', encoding='utf-8') as stream:
            stream.write(text)
    return setup


def from_saved(*args):
    def render(case):
        result = case.cli(*(case.saved if arg == '<saved>' else arg for arg in args))
        return result.code, last_line(result)
    return render


def check_unknown(*args):
    """check's UNKNOWN line, on standard output."""
    def render(case):
        result = case.cli('check', *args)
        return result.code, result.stdout.splitlines()[0]
    return render


def unmet_line(case):
    case.cinder.add(HOST)
    result = case.cli('wait', HOST, VOLUME, '--state', 'down', '--wait-timeout', '0')
    return result.code, last_line(result)


# Drain and resume: a clock that only moves when they sleep, heartbeats,
# and Ctrl-C at a chosen moment.

def fake_clock(case):
    case.useFixture(fixtures.MonkeyPatch('volsvcclient.engine.polling.time',
                                         fakes.FakeClock()))


def beating(case):
    """Every cinder-volume reports again: a new heartbeat at each read of
    the services."""
    start = datetime.datetime(2026, 11, 24, 10, 0, 0)

    def heartbeat(read):
        for service in case.cinder.services:
            if service['binary'] == VOLUME:
                service['updated_at'] = (start + datetime.timedelta(seconds=2 * read)
                                         ).strftime('%Y-%m-%dT%H:%M:%S.%f')

    case.cinder.after_read = heartbeat


def press_ctrl_c(case):
    """Ctrl-C, delivered to the main thread, where the command runs."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    case.addCleanup(signal.signal, signal.SIGINT, previous)
    return lambda: signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)


def ctrl_c_while_watching(case):
    """Ctrl-C at the second read of a drain: one read of the backend has
    ended."""
    press = press_ctrl_c(case)
    volume_listings = []

    def between(resource, answered):
        if resource == 'volumes':
            volume_listings.append(answered)
            if len(volume_listings) == 2:
                press()

    case.cinder.between_pages = between


def ctrl_c_while_verifying(case):
    """Ctrl-C at the first read of the services after resume sent its
    change."""
    press = press_ctrl_c(case)
    beating(case)
    heartbeat = case.cinder.after_read
    pressed = []

    def after(read):
        heartbeat(read)
        if case.cinder.puts() and not pressed:
            pressed.append(read)
            press()

    case.cinder.after_read = after


def ctrl_c_while_waiting(case):
    """Ctrl-C at resume's second read of the services, while it waits for
    new heartbeats."""
    press = press_ctrl_c(case)
    reads = []

    def after(read):
        reads.append(read)
        if len(reads) == 2:
            press()

    case.cinder.after_read = after


def a_member(case):
    case.cinder.add('m1@aa', cluster_name='c1@aa')
    case.cinder.add('m2@aa', cluster_name='c1@aa')


def in_flight_on(host, status='extending'):
    def setup(case):
        fake_clock(case)
        case.cinder.add(host)
        case.cinder.add_volume(host, status)
    return setup


def disabled_for_maintenance(frozen=False, release=29):
    def setup(case):
        fake_clock(case)
        case.cinder.release = release
        case.cinder.add(HOST, disabled=True, disabled_reason='maintenance', frozen=frozen)
        beating(case)
    return setup


def printed(*args, line):
    """A command's exit code and the one line of standard error that
    starts like ``line`` (a note among others)."""
    def render(case):
        result = case.cli(*args)
        found = [entry for entry in result.stderr.splitlines() if entry.startswith(line)]
        return result.code, (found or [result.stderr])[0]
    return render


#: What Keystone answers to wrong credentials.
UNAUTHORIZED = {
    'status_code': 401,
    'headers': {'Content-Type': 'application/json'},
    'json': {'error': {'code': 401, 'title': 'Unauthorized',
                       'message': 'The request you have made requires authentication.'}},
}

#: (scenario, the line quoted in troubleshooting.rst, the exit code the
#: page gives it, how to render it). Every quoted line has one.
LINES = [
    ('seconds', "... error: argument <option>: '<value>' is not a number of "
     "seconds (a finite number, 0 or more)", 2,
     option_error('wait', HOST, VOLUME, '--state', 'up', '--wait-timeout', 'soon')),
    ('timeout', '... is not a timeout (a finite number of seconds, more than 0)', 2,
     option_error('list', '--rpc-timeout', '0')),
    ('interval', '... is not an interval (a finite number of seconds, 1 or more)', 2,
     option_error('wait', HOST, VOLUME, '--state', 'up', '--interval', '0.1')),
    ('duration', '... is not a duration: a number more than 0 and its unit, '
     'such as 90s, 30m, 2h or 7d', 2, option_error('list', '--down-for', '7')),
    ('check usage', 'UNKNOWN - ... error: ...', 3, check_unknown('--rpc-timeout', 'x')),
    ('give', 'Give <host> <binary>, ...', 1, fails('wait', '--state', 'up')),
    ('not both', 'Give <host> <binary> or selectors (...), not both', 1,
     fails('wait', HOST, VOLUME, '--zone', 'nova', '--state', 'up')),
    ('give target', 'Give <host> or --cluster <cluster>, or a selection '
     '(--host-pattern, --zone)', 1, fails('freeze')),
    ('give either', 'Give either <host> or --cluster <cluster>', 1,
     fails('freeze', HOST, '--cluster', 'c1')),
    ('nothing to set', 'Nothing to set: give --enable or --disable', 1,
     with_setup(add(), fails('set', HOST, VOLUME))),
    ('nothing to commit', 'Nothing to change: give --status or --frozen or --thawed', 1,
     fails('commit', HOST, VOLUME)),
    ('nothing to wait for', 'Nothing to wait for: ...', 1, fails('wait', HOST, VOLUME)),
    ('concurrency', '... is not a number of requests (1 to 10)', 2,
     option_error('commit', HOST, VOLUME, '--status', 'disabled', '--concurrency', '11')),
    ('empty reason', '--disable-reason must not be empty', 1,
     fails('set', HOST, VOLUME, '--disable', '--disable-reason', ' ')),
    ('long reason', '--disable-reason is <n> characters long; Cinder accepts at most 255', 1,
     fails('set', HOST, VOLUME, '--disable', '--disable-reason', 'x' * 256)),
    ('irreversible', '<service>: Cinder 28.0.0 and later have no API that re-enables '
     '<binary>: disabling it may not be reversible. Give --even-if-irreversible '
     'to disable it anyway', 1,
     with_setup(lambda case: case.cinder.add('ctl', 'cinder-scheduler'),
                fails('set', 'ctl', 'cinder-scheduler', '--disable'))),
    ('microversion', '<option> requires --os-volume-api-version <version> or later '
     '(this command is using Block Storage API <version>)', 1,
     with_setup(add(), fails('list', '--cluster', 'c1', version='3.0'))),
    ('cannot read', 'Cannot read <file>: ...', 1,
     fails('commit', '--from-file', '/nonexistent/saved.json')),
    ('bad entry', '<file>, entry <n>: ...', 1,
     with_setup(a_file('[{"Host": "h", "Binary": "b", "Colour": "red"}]'),
                from_saved('commit', '--from-file', '<saved>'))),
    ('not json', '<file> is neither JSON nor YAML: ...', 1,
     with_setup(a_file('[{'), from_saved('commit', '--from-file', '<saved>'))),
    ('no cloud', 'No cloud is configured: name one of clouds.yaml with --os-cloud '
     'or OS_CLOUD, or give --os-auth-url or OS_AUTH_URL and credentials', 1,
     with_setup(unset(*fakes.OS_ENVIRONMENT), fails('list'))),
    ('no auth url', 'The OS_* variables give no auth URL: ...', 1,
     with_setup(unset('OS_AUTH_URL'), fails('list'))),
    ('keystone refuses connections', 'Cannot connect to Keystone at <url> (connection '
     'refused or unreachable): is Keystone running?', 1,
     with_setup(keystone_answers(exc=requests.exceptions.ConnectionError('refused')),
                fails('list'))),
    ('keystone slow', 'Keystone at <url> did not answer in time: is it running, and '
     'is its database up?', 1,
     with_setup(keystone_answers(exc=requests.exceptions.ReadTimeout('slow')),
                fails('list'))),
    ('keystone fails', 'Keystone at <url> answered HTTP 500: ...: is its database up?', 1,
     with_setup(keystone_answers(status_code=500, text='Internal Server Error'),
                fails('list'))),
    ('wrong password', 'Keystone at <url> answered HTTP 401: The request you have '
     'made requires authentication.', 1,
     with_setup(keystone_answers(**UNAUTHORIZED), fails('list'))),
    ('tls', "TLS failure talking to <server> at <url>: give its CA with --os-cacert "
     "or 'cacert' in clouds.yaml (...)", 1,
     with_setup(keystone_answers(exc=requests.exceptions.SSLError('certificate verify failed')),
                fails('list'))),
    ('token refused', 'Authentication failed: ...', 1,
     with_setup(lambda case: case.mock.get(
         fakes.CINDER_ROOT + '/v3/os-services', **UNAUTHORIZED), fails('list'))),
    ('no password', 'No password entered, or found via --os-password or OS_PASSWORD', 1,
     with_setup(unset('OS_PASSWORD'), fails('list'))),
    ('no endpoint', 'No Block Storage endpoint for this API version in the service '
     'catalog (...)', 1,
     with_setup(lambda case: case.mock.post(
         fakes.AUTH_URL + '/auth/tokens', **_catalog_without_cinder()), fails('list'))),
    ('no v2', "This cloud's Block Storage service does not offer API version 2 ...", 1,
     fails('list', version='2')),
    ('no such microversion', 'Block Storage API <version> is not available: the server '
     'supports <version> to <version>', 1, fails('list', version='3.99')),
    ('forbidden', "Forbidden by the server's policy (managing volume services requires "
     "an administrator by default): ...", 1, with_setup(forbidden, fails('list'))),
    ('no such host', "No <binary> service on host '<host>'. Hosts running <binary>: ...", 1,
     with_setup(add(), fails('show', 'node9@lvm', VOLUME))),
    ('no such binary', "No service '<binary>' on host '<host>'; that host runs: ...", 1,
     with_setup(add(), fails('show', HOST, 'cinder-backup'))),
    ('no match', 'No service matches the selection', 1,
     with_setup(add(), fails('commit', '--host-pattern', 'rack9-*', '--status', 'disabled'))),
    ('refused', 'The server refused the request: ...', 1,
     with_setup(add(), fails('failover', HOST))),
    ('enable ignored', "<binary> on <host>: the server accepted os-services/enable but "
     "status is 'disabled'. Cinder 28.0.0 and later answer os-services/enable with 200 "
     "without enabling the service. ...", 1,
     with_setup(add(disabled=True), fails('set', HOST, VOLUME, '--enable'))),
    ('enable via thaw elsewhere', "<binary> on <host>: the server accepted every request but "
     "status is 'disabled'. Cinder 28.0.0 and "
     'later answer os-services/enable with 200 without enabling the service, and '
     '--enable-via-thaw applies to cinder-volume only', 1,
     with_setup(lambda case: case.cinder.add('ctl', 'cinder-backup', disabled=True),
                fails('set', 'ctl', 'cinder-backup', '--enable', '--enable-via-thaw'))),
    ('accepted but', '<binary> on <host>: the server accepted <request> but ...', 1,
     with_setup(add(), with_setup(ignored('disable-log-reason'),
                                  fails('set', HOST, VOLUME, '--disable')))),
    ('down', '<binary> on <host> (last heartbeat <time>) is down: Cinder would wait for '
     'it over RPC (60 s by default) and no driver would <action>. Start it first, or '
     'give --even-if-down to send the request anyway', 1,
     with_setup(add(), with_setup(down, fails('freeze', HOST)))),
    ('no answer', "<action> got no answer within <n> s: Cinder answers it only once the "
     "backend's cinder-volume has, over RabbitMQ (is either down?). The database now "
     "shows ...", 1,
     with_setup(add(), with_setup(silent_backend, fails('freeze', HOST, '--rpc-timeout', '1')))),
    ('interrupted again', 'interrupted again: not waiting for the <n> request(s) under way',
     None, note(lambda voice: voice(events.Interrupted('again', 2)))),
    ('http error', '<method> <url> failed with HTTP <status>: ...', 1,
     with_setup(add(), with_setup(failing_read(500), fails('show', HOST, VOLUME)))),
    ('selection unfinished', '<n> of <n> service(s) did not end frozen', 1,
     with_setup(add(), with_setup(down, fails('freeze', '--host-pattern', 'node*')))),
    ('commit unfinished', 'Not every service ended as asked (...); see the Result column', 1,
     with_setup(add(), with_setup(down, fails('commit', HOST, VOLUME, '--frozen')))),
    ('failing over', '<binary> on <host>: still failing-over after <n> s (last seen: ...)',
     1, with_setup(add(replication_status='enabled'),
                   fails('failover', HOST, '--wait', '--wait-timeout', '0.01'))),
    ('unmet', '<binary> on <host>: ...; last heartbeat <time>', 124, unmet_line),
    ('gave up', 'Gave up after <n> s: ...', 1,
     with_setup(failing_read(500), fails('wait', '--service', VOLUME, '--state', 'up',
                                         '--wait-timeout', '0'))),
    ('unknown', 'UNKNOWN - ...', 3, with_setup(forbidden, check_unknown())),
    ('no date', '--down-for needs the time of cinder-api, and its answer carried no '
     'Date header', 1, with_setup(add(), with_setup(no_date_header,
                                                    fails('list', '--down-for', '7d')))),
    ('member alone', "<binary> on <host> is a member of cluster '<cluster>': Cinder "
     "schedules to its other members too (...), and freezes and thaws them together. "
     "Give --cluster <cluster> to drain or resume the whole cluster", 1,
     with_setup(a_member, fails('drain', 'm1@aa'))),
    ('still in flight', 'Still in flight after <n> s: <backend>: ...', 1,
     with_setup(in_flight_on(HOST), fails('drain', HOST, '--wait-timeout', '10'))),
    ('drain unfinished', 'Not every service ended as asked (...): ...', 1,
     with_setup(add(), with_setup(down, fails('drain', HOST, '--freeze')))),
    ('drain unfinished service', '<binary> on <host>: <result>: ...', 1,
     with_setup(add(), with_setup(down, printed('drain', HOST, '--freeze',
                                                line=f'{VOLUME} on {HOST}: failed: ')))),
    ('not back', '<n> cinder-volume service(s) did not report again in <n> s: nothing '
     'was changed', 1,
     with_setup(add(disabled=True), fails('resume', HOST, '--wait-timeout', '0'))),
    ('drained', 'drained: safe to stop cinder-volume on <backend>', 0,
     with_setup(in_flight_on(HOST, 'available'), fails('drain', HOST))),
    ('enable by thaw', '<binary> on <host>: the server ignored os-services/enable; '
     're-enabling it by freeze and thaw', 0,
     with_setup(disabled_for_maintenance(), printed('resume', HOST, line=VOLUME))),
    ('thaw re-enables', "<binary> on <host>: disabled with reason '<reason>': the thaw "
     're-enables it and clears the reason; disable it again if it must stay out of '
     'service', 0,
     with_setup(disabled_for_maintenance(frozen=True), printed('thaw', HOST, line=VOLUME))),
    ('watching interrupted', 'interrupted while watching what is in flight', 130,
     with_setup(in_flight_on(HOST), with_setup(
         ctrl_c_while_watching, printed('drain', HOST, line='interrupted while')))),
    ('drain interrupted', 'drain: interrupted; the rows above say what is on each backend',
     130, with_setup(in_flight_on(HOST),
                     with_setup(ctrl_c_while_watching, fails('drain', HOST)))),
    ('resume interrupted', 'resume: interrupted; the rows above say what was done', 130,
     with_setup(disabled_for_maintenance(frozen=True),
                with_setup(ctrl_c_while_verifying, fails('resume', HOST)))),
]


def _catalog_without_cinder():
    from keystoneauth1 import fixture as ksa_fixture

    token = ksa_fixture.V3Token(
        project_id=fakes.PROJECT_ID, project_name='admin', project_domain_id='default',
        user_id='u1', user_name='admin', user_domain_id='default')
    token.set_project_scope()
    token.add_service('compute').add_standard_endpoints(
        public='http://nova.test/v2.1', region='RegionOne')
    return {'json': token, 'headers': {'X-Subject-Token': 'fake-token-0123456789'}}


class TestTroubleshootingLines(base.ShellTestCase):
    """Each line troubleshooting.rst quotes is what the code prints."""

    scenarios = testscenarios.multiply_scenarios(
        [(name, {'quote': quote, 'code': code, 'render': render})
         for name, quote, code, render in LINES],
        base.PROGRAMS,
    )

    def test_the_page_quotes_what_the_code_prints(self):
        self.assertIn(self.quote, quoted_lines(page('troubleshooting.rst')),
                      'not quoted in troubleshooting.rst as a term')
        code, line = self.render(self)
        self.assertRegex(line, pattern(self.quote))
        self.assertIsNotNone(pattern(self.quote).fullmatch(line), line)
        self.assertEqual(self.code, code, line)


class TestTroubleshootingPage(testtools.TestCase):
    def test_every_quoted_line_is_rendered(self):
        self.assertEqual(
            sorted(quote for _, quote, _, _ in LINES),
            sorted(quoted_lines(page('troubleshooting.rst'))),
        )

    def test_a_pattern_stands_for_what_it_says(self):
        self.assertIsNotNone(pattern('Give <host> <binary>, ...').fullmatch(
            'Give <host> <binary>, or selectors (--zone)'))
        self.assertIsNone(pattern('Gave up after <n> s: ...').fullmatch(
            'Gave up after s: x'))
        self.assertIsNone(pattern('No service matches the selection').fullmatch(
            'No service matches the selection at all'))


# The scripting reference

def json_schemas(text):
    """The JSON code blocks of a page, by caption."""
    schemas = {}
    blocks = re.finditer(
        r'^\.\. code-block:: json\n   :caption: (.+)\n\n((?:   .*\n|\n)+)', text, re.MULTILINE)
    for block in blocks:
        schemas[block.group(1)] = json.loads(block.group(2))
    return schemas


class TestScriptingReference(base.ShellTestCase):
    """What scripting.rst promises a script: the JSON each command prints,
    and its exit codes."""

    def setUp(self):
        super().setUp()
        self.schemas = json_schemas(page('scripting.rst'))
        self.cinder.add(HOST, disabled=True, disabled_reason='maint')
        self.cinder.add('node2@lvm', state='down')
        self.cinder.add('node3@rep', replication_status='enabled')
        self.cinder.add('node4@lvm', cluster_name='c1@lvm')
        self.cinder.add('ctl', 'cinder-scheduler')
        self.cinder.add('ctl', 'cinder-backup', state='down')

    def valid(self, caption, *args, version=None, code=0):
        result = self.cli(*args, '-f', 'json', version=version)
        self.assertEqual(code, result.code, result)
        jsonschema.validate(result.json(), self.schemas[caption])
        return result.json()

    def test_list(self):
        longest = self.valid('list -f json', 'list', '--long')
        self.valid('list -f json', 'list')
        self.valid('list -f json', 'list', version='3.0')
        properties = self.schemas['list -f json']['items']['properties']
        self.assertEqual(list(properties), list(longest[0]))
        self.assertEqual(list(properties), [
            name for _, name, _, _ in library().columns.SERVICE_COLUMNS])

    def test_show(self):
        self.valid('show -f json', 'show', 'ctl', 'cinder-scheduler')
        shown = self.valid('show -f json', 'show', HOST, VOLUME)
        self.assertEqual(list(self.schemas['show -f json']['properties']), list(shown))

    def test_commit(self):
        # A dry run exits as the run would: a backend down fails both.
        for dry in (('--dry-run',), ()):
            rows = self.valid('commit -f json', 'commit', '--host-pattern', 'node*',
                              '--frozen', *dry, code=1)
            self.assertIn('failed', [row['Result'] for row in rows])

    def test_check(self):
        rows = self.valid('check -f json', 'check', code=2)
        self.assertIn('CRITICAL', [row['Level'] for row in rows])
        rules = self.schemas['check -f json']['items']['properties']['Rule']['enum']
        self.assertEqual([rule for rule, _, _ in library().health.RULES] + [None], rules)
        self.cinder.forbidden = True
        (row,) = self.valid('check -f json', 'check', code=3)
        self.assertEqual('UNKNOWN', row['Level'])

    def test_failover(self):
        self.valid('failover -f json', 'failover', 'node3@rep', '--backend-id', 'secondary')

    def test_drain(self):
        lib = library()
        fake_clock(self)
        schema = self.schemas['drain -f json']['items']['properties']
        self.assertEqual(list(lib.maintenance.DRAIN_COLUMNS), list(schema))
        for column in ('In Flight', 'Waiting'):
            self.assertEqual(list(lib.maintenance.IN_FLIGHT_KEYS),
                             list(schema[column]['items']['properties']))
        volume = self.cinder.add_volume(HOST, 'extending')
        snapshot = self.cinder.add_snapshot(volume, 'deleting')
        self.cinder.add_volume(HOST, 'reserved')
        verdicts = []
        [row] = self.valid('drain -f json', 'drain', HOST, '--wait-timeout', '0', code=1)
        self.assertEqual((2, 1, 2, 1), (row['Volumes'], row['Snapshots'],
                                        len(row['In Flight']), len(row['Waiting'])))
        verdicts.append(row['Verdict'])
        volume['status'] = snapshot['status'] = 'available'
        [row] = self.valid('drain -f json', 'drain', HOST)
        verdicts.append(row['Verdict'])
        # A backend down cannot be frozen: the change fails for it, it is
        # not watched and its counts are null; the others are watched.
        rows = self.valid('drain -f json', 'drain', '--host-pattern', 'node*', '--freeze',
                          code=1)
        self.assertIn(None, {r['Volumes'] for r in rows})
        verdicts += [r['Verdict'] for r in rows]
        ctrl_c_while_watching(self)
        self.cinder.add_volume('node3@rep', 'creating')
        [row] = self.valid('drain -f json', 'drain', 'node3@rep', code=130)
        verdicts.append(row['Verdict'])
        self.assertEqual(sorted(schema['Verdict']['enum']), sorted(set(verdicts)))
        self.assertEqual(2, self.cli('drain', HOST, '--interval', '0').code)
        self.assertIn('``drain -q`` and ``resume -q`` print the rows and why they failed',
                      prose('scripting.rst'))
        quiet = self.cli('drain', 'node3@rep', '--wait-timeout', '0', '-f', 'value',
                         '-c', 'Verdict', global_options=['-q'])
        self.assertEqual((1, 'in flight\n'), (quiet.code, quiet.stdout))
        self.assertTrue(quiet.stderr.startswith('Still in flight after 0 s: node3@rep: '),
                        quiet.stderr)

    def test_resume(self):
        lib = library()
        fake_clock(self)
        schema = self.schemas['resume -f json']['items']['properties']
        self.assertEqual(list(lib.rendering.COLUMNS), list(schema))
        # Nothing reports: nothing changes, no rows.
        result = self.cli('resume', HOST, '--wait-timeout', '0', '-f', 'json')
        self.assertEqual((1, ''), (result.code, result.stdout), result)
        # Ctrl-C while it waits: nothing changes, and it says so.
        ctrl_c_while_waiting(self)
        result = self.cli('resume', HOST, '-f', 'json')
        self.assertEqual((130, '', 'resume: interrupted while waiting for cinder-volume '
                                   'to report again; nothing was changed\n'),
                         (result.code, result.stdout, result.stderr))
        self.assertEqual([], self.cinder.puts())
        beating(self)
        [row] = self.valid('resume -f json', 'resume', HOST)
        self.assertEqual(('enable, freeze, thaw', 'changed'), (row['Actions'], row['Result']))
        [row] = self.valid('resume -f json', 'resume', HOST)
        self.assertEqual(('-', 'unchanged'), (row['Actions'], row['Result']))
        self.assertEqual(2, self.cli('resume', HOST, '--interval', '0').code)

    def test_wait_exit_codes(self):
        met = self.cli('wait', '--service', VOLUME, '--host-pattern', 'node3*',
                       '--state', 'up', '--wait-timeout', '0')
        self.assertEqual(0, met.code, met)
        self.assertIn('0 once every selected service is as asked', prose('scripting.rst'))
        self.cinder.forbidden = True
        error = self.cli('wait', HOST, VOLUME, '--state', 'up', '--wait-timeout', '0')
        self.assertEqual(1, error.code, error)


class TestDecidedBehaviour(base.ShellTestCase):
    """What the pages document as decided (issue 27), done by the code."""

    def test_a_wait_timeout_has_its_own_exit_code(self):
        self.cinder.add(HOST)
        self.assertIn('124 at ``--wait-timeout``', page('scripting.rst'))
        result = self.cli('wait', HOST, VOLUME, '--state', 'down', '--wait-timeout', '0')
        self.assertEqual(124, result.code, result)

    def test_freezing_one_member_of_a_cluster_is_refused(self):
        for member in ('c1@lvm', 'c2@lvm'):
            self.cinder.add(member, cluster_name='cl@lvm')
        self.assertIn('Freezing or thawing one member alone is refused',
                      prose('operations.rst'))
        result = self.cli('freeze', 'c1@lvm')
        self.assertEqual(1, result.code, result)
        for member in self.cinder.members('cl@lvm'):
            member.update(frozen=True, disabled=True, disabled_reason='frozen')
        result = self.cli('thaw', 'c1@lvm')
        self.assertEqual(1, result.code, result)
        self.assertEqual([], self.cinder.puts())


# The maintenance runbook (operations.rst)

def example(name, command):
    """The lines a page shows after ``$ <command>`` in a console block, up
    to the next command or the end of the block."""
    lines = page(name).splitlines()
    for number, line in enumerate(lines):
        if line.strip() == f'$ {command}':
            indent = line[:len(line) - len(line.lstrip())]
            shown = []
            for following in lines[number + 1:]:
                if not following.startswith(indent) or following.strip().startswith('$ '):
                    break
                shown.append(following[len(indent):])
            return shown
    raise AssertionError(f'{name} shows no "$ {command}"')


def list_table_rows(text):
    """The rows of the list-tables in ``text``, each a list of its cells'
    text, folded."""
    rows = []
    for row in re.split(r'^   \* - ', text, flags=re.MULTILINE)[1:]:
        cells = re.split(r'^     - ', row, flags=re.MULTILINE)
        rows.append([' '.join(cell.split()) for cell in cells])
    return rows


def literals(text):
    return set(re.findall(r'``([^`]+)``', text))


def section(name, start, end):
    text = page(name)
    return text[text.index(start):text.index(end)]


class TestMaintenanceRunbook(base.ShellTestCase):
    """What operations.rst's runbook shows and promises, done by the code."""

    def setUp(self):
        super().setUp()
        fake_clock(self)

    def run_example(self, program, *args, stderr_first=False):
        """The lines ``args`` print, as the runbook shows them."""
        result = self.cli(*args)
        out, err = result.stdout.splitlines(), result.stderr.splitlines()
        shown = example('operations.rst', ' '.join((program, shlex.join(args))))
        self.assertEqual(shown, err + out if stderr_first else out + err)
        return result

    def test_one_backend(self):
        self.cinder.add(HOST)
        for _ in range(3):
            self.cinder.add_volume(HOST + '#pool')
        self.cinder.attach(self.cinder.add_volume(HOST), 'server-1')
        drained = self.run_example('openstack volume service', 'drain', HOST,
                                   '--disable-reason', 'firmware 4.2')
        self.assertEqual(0, drained.code, drained)
        beating(self)
        resumed = self.run_example('openstack volume service', 'resume', HOST,
                                   stderr_first=True)
        self.assertEqual(0, resumed.code, resumed)
        checked = self.cli('check', '--host-pattern', HOST, '--service', VOLUME,
                           '--ignore-disabled')
        self.assertEqual(0, checked.code, checked)
        self.assertEqual(example('operations.rst', shlex.join((
            'volsvc', 'check', '--host-pattern', HOST, '--service', VOLUME,
            '--ignore-disabled'))), checked.stdout.splitlines())

    def test_the_timeout_line(self):
        [shown] = [line.strip() for line in page('operations.rst').splitlines()
                   if line.strip().startswith('Still in flight after ')]
        volume, project = re.search(r'volume (\S+) \(project (\S+),', shown).groups()
        self.cinder.add(HOST)
        self.cinder.add_volume(HOST, 'extending', id=volume, project_id=project)
        result = self.cli('drain', HOST, '--disable-reason', 'firmware 4.2')
        self.assertEqual((1, shown), (result.code, last_line(result)))
        wait_timeout = _parser_default(library().drain, '--wait-timeout')
        self.assertIn(f'after {wait_timeout:g} s:', shown)

    def drained_and_resumed(self, release, *drain):
        """A new cluster of two drained, then resumed: the exit codes of
        each resume (until one succeeds, at most two), and how many members
        it left enabled."""
        self.cinder.release = release
        cluster = f'cl{len(self.cinder.services)}@aa'
        members = [self.cinder.add(f'{cluster}-{n}', cluster_name=cluster) for n in (1, 2)]
        result = self.cli('drain', '--cluster', cluster, *drain)
        self.assertEqual(0, result.code, result)
        beating(self)
        codes = []
        for _ in range(2):
            result = self.cli('resume', '--cluster', cluster)
            codes.append(result.code)
            if not result.code:
                break
        return codes, sum(not m['disabled'] for m in members), result

    def test_a_cluster_comes_back_on_every_release(self):
        text = prose('operations.rst')
        self.assertIn('A cluster is **frozen, not disabled** member by member', text)
        self.assertIn('so every member is back, on every release', text)
        for release in (27, 28, 29):
            for drain in ((), ('--freeze',)):
                codes, enabled, _ = self.drained_and_resumed(release, *drain)
                self.assertEqual(([0], 2), (codes, enabled), (release, drain))

    def test_a_cluster_disabled_member_by_member_on_28_and_later(self):
        [phrase] = re.findall(r"``(a freeze and thaw would act on every member of "
                              r"cluster '<cluster>'[^`]*)``", prose('operations.rst'))
        self.cinder.release = 29
        members = [self.cinder.add(f'cl@aa-{n}', cluster_name='cl@aa') for n in (1, 2)]
        for member in members:
            self.assertEqual(0, self.cli('set', member['host'], VOLUME, '--disable').code)
        beating(self)
        result = self.cli('resume', '--cluster', 'cl@aa')
        self.assertEqual(1, result.code, result)
        self.assertRegex(result.stdout, pattern(phrase))

    def test_a_selection_with_a_backend_down_cannot_be_frozen(self):
        self.cinder.add('rack3-a@lvm')
        self.cinder.add('rack3-b@lvm', state='down')
        self.assertIn("its row says ``not disabled``, the others are watched, and the "
                      "drain exits 1", prose('operations.rst'))
        result = self.cli('drain', '--host-pattern', 'rack3-*', '--freeze', '-f', 'json')
        self.assertEqual(1, result.code, result)
        self.assertEqual({'rack3-a@lvm': 'drained', 'rack3-b@lvm': 'not disabled'},
                         {row['Backend']: row['Verdict'] for row in result.json()})

    def test_what_drain_waits_for_is_the_code_s(self):
        flight = library().in_flight
        rows = list_table_rows(section('operations.rst', '.. _drain-in-flight:',
                                       '``available``, ``in-use`` and the error'))
        cells = {row[0]: row[1:] for row in rows}

        def having(table, activity):
            return {status for status, a in table.items() if a is activity}

        volumes, waiting = cells['Volumes']
        self.assertEqual(
            having(flight.VOLUME_STATUSES, flight.IN_FLIGHT) - {'managing'}
            | having(flight.MIGRATION_STATUSES, flight.IN_FLIGHT)
            | {flight.MIGRATION_TARGET + '<id>'},
            literals(volumes))
        self.assertEqual(having(flight.VOLUME_STATUSES, flight.WAITING), literals(waiting))
        self.assertEqual(having(flight.SNAPSHOT_STATUSES, flight.IN_FLIGHT),
                         literals(cells['Snapshots of those volumes'][0]))
        self.assertEqual(having(flight.BACKUP_STATUSES, flight.IN_FLIGHT),
                         literals(cells['Backups of those volumes'][0]))


# Limits, defaults and figures the pages quote

def _parser_default(command, option):
    parser = command(None, None).get_parser('volume service')
    return parser._option_string_actions[option].default


def limits():
    """(page, phrase) pairs, each phrase worded with the code's values."""
    lib = library()
    b = lib.bounds
    wait_interval = _parser_default(lib.wait, '--interval')
    quiet = {2: 'two', 3: 'three'}[lib.draining.QUIET_READS]
    return [
        ('cinder-server-issues.rst',
         f'``--rpc-timeout`` seconds (default {b.BACKEND_STATE:g}, never retried)'),
        ('cinder-server-issues.rst', f'``--rpc-timeout`` seconds (default {b.ACTION:g})'),
        ('cinder-server-issues.rst', f'``api_timeout``, or {b.REQUEST:g} s when none is set'),
        ('troubleshooting.rst', f'(``api_timeout`` in clouds.yaml, else {b.REQUEST:g} s)'),
        ('standalone.rst', f"``api_timeout``, {b.REQUEST:g} s when unset"),
        ('troubleshooting.rst', f'it sends at most {b.MAX_CONCURRENCY} requests at once'),
        ('troubleshooting.rst', f'``wait --interval`` {b.MIN_INTERVAL:g} or more'),
        ('operations.rst', f'every ``--interval`` seconds ({wait_interval:g} by default, '
                           f'{b.MIN_INTERVAL:g} at least'),
        ('install.rst', f'when cinder-scheduler does not answer within {b.BACKEND_STATE:g} s'),
        ('troubleshooting.rst', f'Cinder accepts at most {lib.reasons.MAX_REASON}'),
        ('troubleshooting.rst', f'``--cluster``: {lib.versions.CLUSTER} to list, wait or '
                                f'check, {lib.versions.CLUSTER_ACTIONS} to freeze'),
        ('operations.rst', f'reason ``{_parser_default(lib.drain, "--disable-reason")}`` '
                           f'unless ``--disable-reason`` gives one'),
        ('operations.rst', f'every ``--interval`` seconds '
                           f'({_parser_default(lib.drain, "--interval"):g} by default) until '
                           f'nothing is in flight in {quiet} reads in a row'),
        ('operations.rst', f'At ``--wait-timeout`` '
                           f'({_parser_default(lib.drain, "--wait-timeout"):g} s by default) '
                           f'it exits 1'),
        ('operations.rst', f'(``--wait-timeout``, '
                           f'{_parser_default(lib.resume, "--wait-timeout"):g} s by default)'),
        ('operations.rst', f'``--cluster`` (Block Storage API {lib.versions.CLUSTER} and later)'),
        ('scripting.rst', f'nothing was in flight on it in {quiet} reads in a row'),
        ('glossary.rst', f'nothing was in flight in {quiet} reads in a row'),
    ]


def module_documentation(name):
    text = (COLLECTION / 'plugins' / 'modules' / f'{name}.py').read_text(encoding='utf-8')
    strings = dict(re.findall(r"^([A-Z]+) = r'''\n(.*?)'''", text, re.MULTILINE | re.DOTALL))
    return yaml.safe_load(strings['DOCUMENTATION']), yaml.safe_load(strings['RETURN'])


def minimums(text):
    """Package -> minimum of a page's list-table of packages."""
    return dict(re.findall(r'\* - ([a-z][a-z0-9-]+)[^\n]*\n\s+- (\d[\d.]*)\n', text))


def declared():
    """Package -> minimum of requirements.txt and setup.cfg's extras."""
    text = (ROOT / 'requirements.txt').read_text() + (ROOT / 'setup.cfg').read_text()
    return dict(re.findall(r'^\s*([a-z][a-z0-9-]+)>=([\d.]+)', text, re.MULTILINE | re.I))


class TestQuotedFigures(testtools.TestCase):
    def test_limits_and_defaults_are_the_code_s(self):
        for name, phrase in limits():
            self.assertIn(phrase, prose(name), name)

    def test_the_collection_documents_the_code_s_limits(self):
        lib = library()
        options, _ = module_documentation('volume_service')
        self.assertIn(f'(1 to {lib.bounds.MAX_CONCURRENCY})',
                      ' '.join(options['options']['concurrency']['description']))
        self.assertIn(f'Default {lib.bounds.ACTION:g}',
                      ' '.join(options['options']['rpc_timeout']['description']))
        options, returns = module_documentation('volume_service_wait')
        self.assertIn(f'(at least {lib.bounds.MIN_INTERVAL:g})',
                      ' '.join(options['options']['interval']['description']))
        frozen = returns['services']['contains']['is_frozen']['description']
        # Cinder lists frozen at every microversion (os-extended-services).
        self.assertNotIn('API 3.', frozen)

    def test_minimum_versions_are_the_declared_ones(self):
        wanted = declared()
        for name in ('install.rst', 'compatibility.rst'):
            listed = minimums(page(name))
            self.assertGreaterEqual(len(listed), 6, name)
            for package, version in listed.items():
                self.assertEqual(wanted[package], version, (name, package))

    def test_speed_claims_are_the_measured_ratios(self):
        measured = prose('performance.rst')
        wall, memory = re.search(
            r'MiB against [\d.]+ s, [\d.]+ MiB: ratios ([\d.]+) and ([\d.]+)', measured
        ).groups()
        helping = re.search(r'``openstack --help`` \(median of 21\) - [\d.]+ s against '
                            r'[\d.]+ s: ([\d.]+)', measured).group(1)
        readme = ' '.join((ROOT / 'README.rst').read_text().split())
        self.assertIn(f'in {wall} of its time and {memory} of its peak memory', readme)
        self.assertIn(f'takes {wall} of the time and {memory} of the peak memory',
                      prose('standalone.rst'))
        self.assertIn(f'``volsvc --help`` {helping} of', prose('standalone.rst'))


class TestLinks(testtools.TestCase):
    def test_the_readme_links_to_pages_that_exist(self):
        # docutils comes with the docs' requirements, not the tests'.
        try:
            from docutils import core
            from docutils import nodes
        except ImportError:
            self.skipTest('docutils is not installed (doc/requirements.txt)')

        tree = core.publish_doctree((ROOT / 'README.rst').read_text(),
                                    settings_overrides={'report_level': 4})
        targets = [node['refuri'] for node in tree.findall(nodes.reference)
                   if 'refuri' in node and '://' not in node['refuri']]
        self.assertGreaterEqual(len(targets), 12)
        for target in targets:
            self.assertTrue((ROOT / target).exists(), target)
        for name in ('scripting', 'compatibility', 'glossary', 'ansible-modules'):
            self.assertIn(f'doc/source/{name}.rst', targets)


class TestCommandReference(testtools.TestCase):
    def test_the_v2_section_names_every_difference(self):
        import importlib.metadata

        def options(group, name):
            command = next(e for e in importlib.metadata.entry_points(group=group)
                           if e.name == name).load()
            parser = command(None, None).get_parser(name)
            return {o for action in parser._actions for o in action.option_strings}

        v3_only = {}
        for entry in importlib.metadata.entry_points(group='openstack.volume_service.v3'):
            v2 = options('openstack.volume_service.v2', entry.name)
            v3 = options('openstack.volume_service.v3', entry.name)
            self.assertEqual(set(), v2 - v3, entry.name)
            if v3 - v2:
                self.assertEqual({'--cluster'}, v3 - v2, entry.name)
                v3_only[entry.name.removeprefix('volume_service_')] = True
        bullet = re.search(r'``--cluster`` is not there, in (.+?);', prose('cli/index.rst'))
        self.assertEqual(sorted(v3_only), sorted(re.findall(r'``(\w+)``', bullet.group(1))))
