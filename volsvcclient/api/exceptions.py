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

"""What the Python API raises: one family, rooted in openstacksdk's
``SDKException``. Each says one sentence in the API's words (``str()``),
and carries its facts in fields, so that a caller can word them in its
own (:meth:`Error.worded`)."""

from volsvcclient.cinder import exceptions as _exceptions

__all__ = [
    'Error', 'InvalidRequest', 'NoSuchService', 'NotApplied', 'Refused',
    'RequestFailed', 'Unconfirmed', 'Unreachable', 'Untrusted',
    'VersionUnavailable', 'WaitTimedOut',
]

#: The base of every exception the API raises (an
#: ``openstack.exceptions.SDKException``): one sentence, fit to show an
#: operator as it is.
Error = _exceptions.Error
#: What was asked cannot be sent (``keyword`` names the argument at
#: fault); nothing was sent.
InvalidRequest = _exceptions.InvalidRequest
#: Refused before anything was sent; ``advice`` says what would overrule it
#: (a keyword argument such as ``even_if_down``), or what to ask instead.
Refused = _exceptions.Refused
#: No service (or cluster) of that name; the message says what exists.
#: Also an ``openstack.exceptions.NotFoundException``.
NoSuchService = _exceptions.NoSuchService
#: The Block Storage API version or microversion needed is not offered.
VersionUnavailable = _exceptions.VersionUnavailable
#: The server accepted a request but the service did not change.
NotApplied = _exceptions.NotApplied
#: A request that waits on a cinder-volume got no answer in time.
Unconfirmed = _exceptions.Unconfirmed
#: Keystone or cinder-api could not be reached, or did not answer in time.
Unreachable = _exceptions.Unreachable
#: A server answered with an HTTP error (``status_code``).
RequestFailed = _exceptions.RequestFailed
#: A TLS certificate was refused (give ``cacert``).
Untrusted = _exceptions.Untrusted
#: A wait timed out (``unmet`` says what was not as asked). Also an
#: ``openstack.exceptions.ResourceTimeout``.
WaitTimedOut = _exceptions.WaitTimedOut
