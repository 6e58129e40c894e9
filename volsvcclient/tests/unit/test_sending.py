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

"""The sender's threads: what a second Ctrl-C leaves behind. No HTTP: the
os-services layer stands in with freezes that hang as an RPC-bound request
does while Cinder waits for a stopped cinder-volume (the commands are
tested through the real SDK elsewhere; requests-mock answers one request
at a time, so it cannot hold several under way)."""

import threading

import testtools

from volsvcclient.cinder import records
from volsvcclient.engine import desired_state
from volsvcclient.engine import events
from volsvcclient.engine import interrupts
from volsvcclient.engine import outcomes
from volsvcclient.engine import sending

HOSTS = ('vm@fake-1', 'vm@fake-2', 'vm@fake-3')


class HangingFreezes:
    """Freezes that hang until ``release`` is set."""

    def __init__(self, test):
        self.release = threading.Event()
        test.addCleanup(self.release.set)
        self.under_way = threading.Semaphore(0)

    def freeze(self, target):
        self.under_way.release()
        self.release.wait(30)


class TestSecondCtrlC(testtools.TestCase):

    def test_nothing_left_keeps_the_process_alive(self):
        # Issue 23, item 5: after the second Ctrl-C the report is printed
        # and the process ends; requests under way must not hold it.
        api = HangingFreezes(self)
        live = {(h, 'cinder-volume'): records.Service({'host': h, 'binary': 'cinder-volume'})
                for h in HOSTS}
        ctrl_c = interrupts.Interrupts()
        told = []
        sender = sending.Sender(api, live, told.append, ctrl_c)
        changing = [outcomes.Outcome(desired_state.Desired(h, 'cinder-volume', frozen=True),
                                     [desired_state.FREEZE]) for h in HOSTS]

        def press_twice():
            for _ in HOSTS:
                api.under_way.acquire(timeout=30)
            ctrl_c.record()
            ctrl_c.record()

        threading.Thread(target=press_twice, daemon=True).start()
        sender.send_all(changing, concurrency=8)
        # Returned while every freeze still hangs ...
        self.assertFalse(api.release.is_set())
        self.assertEqual([desired_state.FREEZE] * 3, [o.abandoned for o in changing])
        self.assertIn(events.Interrupted('again', 3), told)
        # ... and no thread under way is one the interpreter waits for at exit.
        senders = [t for t in threading.enumerate() if t.name.startswith('volsvc-send')]
        self.assertEqual(3, len(senders))
        self.assertTrue(all(t.daemon for t in senders))
