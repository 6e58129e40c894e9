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

"""A small HTTP proxy in front of cinder-api that can hold chosen requests.

Tests point a cloud's ``block_storage_endpoint_override`` at it to make a
race or a Ctrl-C land where they want: ``hold('PUT', 'freeze', 5)`` keeps
the next freeze from reaching Cinder for 5 s, or until the test sets the
event it returns; ``holding()`` tells when the request is held, so that a
test acts on that condition, never after a guessed delay.
"""

import http.client
import http.server
import threading
import time
import urllib.parse


class Proxy:
    def __init__(self, upstream):
        target = urllib.parse.urlsplit(upstream)
        self.upstream = (target.hostname, target.port)
        self.holds = []
        self.seen = []
        #: (method, path, status, started, answered) of each request
        #: forwarded, by time.monotonic(): when it reached the proxy, and
        #: when Cinder's whole answer had come back.
        self.timed = []
        self.held = []
        self.lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        with self.lock:
            for hold in self.holds:
                hold[-1].set()
            for _, _, released in self.held:
                released.set()
        self.server.shutdown()
        self.server.server_close()

    def hold(self, method, path_end, seconds, answered=False, once_seen=None):
        """Hold the next ``method`` request whose path ends with
        ``path_end`` for ``seconds`` or until the returned event is set:
        before Cinder handles it, or once Cinder has answered when
        ``answered``; only after a ``once_seen`` request (a method) went
        through, when given."""
        released = threading.Event()
        with self.lock:
            self.holds.append((method, path_end, seconds, answered, once_seen, released))
        return released

    def holding(self, method, path_end):
        """Whether such a request is held now (with Cinder's answer, for an
        ``answered`` hold)."""
        with self.lock:
            return any(m == method and p.split('?')[0].endswith(path_end)
                       for m, p, _ in self.held)

    def saw(self, method, path_end):
        return any(m == method and p.split('?')[0].endswith(path_end)
                   for m, p in list(self.seen))

    def _take_hold(self, method, path):
        with self.lock:
            for hold in self.holds:
                wanted, end, seconds, answered, once_seen, released = hold
                if (wanted == method and path.split('?')[0].endswith(end)
                        and (once_seen is None
                             or any(m == once_seen for m, _ in self.seen[:-1]))):
                    self.holds.remove(hold)
                    return seconds, answered, released
        return 0, False, None

    def _wait(self, method, path, seconds, released):
        entry = (method, path, released)
        with self.lock:
            self.held.append(entry)
        try:
            released.wait(seconds)
        finally:
            with self.lock:
                self.held.remove(entry)

    def _handler(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                started = time.monotonic()
                proxy.seen.append((self.command, self.path))
                seconds, answered, released = proxy._take_hold(self.command, self.path)
                if released and not answered:
                    proxy._wait(self.command, self.path, seconds, released)
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=300)
                headers = {k: v for k, v in self.headers.items() if k.lower() != 'host'}
                upstream.request(self.command, self.path, body or None, headers)
                answer = upstream.getresponse()
                data = answer.read()
                proxy.timed.append(
                    (self.command, self.path, answer.status, started, time.monotonic()))
                if released and answered:
                    proxy._wait(self.command, self.path, seconds, released)
                # Cinder's own Date and Server headers, not a second pair
                # of the proxy's (send_response would add them).
                self.send_response_only(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ('transfer-encoding', 'connection',
                                            'content-length'):
                        self.send_header(name, value)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    # The client was interrupted while its request was held.
                    pass

            do_GET = do_PUT = do_POST = do_DELETE = _forward

        return Handler
