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

"""The collection's words for what the Python API says in facts and advice
(its ``Words``): module options (``Set even_if_down: true to ...``) and
tasks of these modules, never a command line or its flags."""

#: What advice can ask to run (volsvcclient.cinder.advice's verbs).
_THAW = 'thaw'
_FREEZE_THEN_THAW = 'freeze-then-thaw'
_SHOW = 'show'
_FAILOVER = 'failover'
_ENABLE = 'enable'
#: How advice on a keyword reads: "Set K to <purpose>", or "K <purpose>".
_DOES = 'does'

#: The API's keyword arguments that these modules spell otherwise.
_NAMES = {
    'microversion': 'Block Storage API',
    'cacert': 'ca_cert',
    'api_version': "the cloud's block_storage_api_version",
    'wait_timeout': 'timeout',
    'session': 'this task',
}


def _value(value):
    """A value as a task writes it."""
    if value is True or value is False:
        return str(value).lower()
    return str(value)


class AnsibleWords(object):
    """The API's ``Words`` for the Ansible modules."""

    def name(self, keyword):
        return _NAMES.get(keyword, keyword)

    def advise(self, advice):
        if advice.keyword is not None:
            given = self.name(advice.keyword)
            if advice.value is not None:
                given = '%s: %s' % (given, _value(advice.value))
            if advice.form == _DOES:
                return '%s %s' % (given, advice.purpose)
            start = '%s, or set' % advice.first if advice.first else 'Set'
            return '%s %s to %s' % (start, given, advice.purpose)
        where = 'host: %s, binary: %s' % (advice.host, advice.binary)
        task = {
            _THAW: 'a volume_service task with %s and frozen: false' % where,
            _FREEZE_THEN_THAW: ('a volume_service task with %s and frozen: true, '
                                'then frozen: false,' % where),
            _SHOW: 'a volume_service_check task with %s' % where,
            _FAILOVER: 'a failover of the backend',
            _ENABLE: 'a volume_service task with %s and status: enabled' % where,
        }[advice.verb]
        said = '%s %s' % (task, advice.purpose)
        if advice.also:
            said += ' (%s: true %s)' % (self.name(advice.also[0]), advice.also[1])
        return said


WORDS = AnsibleWords()
