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

"""``volume service wait`` and ``check`` for Block Storage API v3: they add
the --cluster selector (3.7)."""

from volsvcclient.osc.v2 import operations as v2


class CheckService(v2.CheckService):
    clusters = True


class WaitService(v2.WaitService):
    clusters = True
