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

"""The JSON schemas Cinder validates os-services request bodies with, and
its validator."""

import copy

import jsonschema

from volsvcclient.tests.unit.fakes.wsgi import Fault

# cinder/api/validation/parameter_types.py and cinder/api/schemas/services.py
_CINDER_HOST = {
    'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255,
    'pattern': r'^[a-zA-Z0-9-._#@:/+\[\]]*$',
}
_NULLABLE_STRING = {'type': ('string', 'null'), 'minLength': 0, 'maxLength': 255}
_ENABLE_AND_DISABLE = {
    'type': 'object',
    'properties': {
        'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'host': _CINDER_HOST,
        'cluster': _NULLABLE_STRING,
        'service': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    },
    'anyOf': [{'required': ['binary']}, {'required': ['service']}],
    'additionalProperties': False,
}
_DISABLE_LOG_REASON = copy.deepcopy(_ENABLE_AND_DISABLE)
_DISABLE_LOG_REASON['properties']['disabled_reason'] = {
    'type': 'string', 'minLength': 1, 'maxLength': 255, 'format': 'disabled_reason',
}
_FREEZE_AND_THAW = {
    'type': 'object',
    'properties': {'cluster': _NULLABLE_STRING, 'host': _CINDER_HOST},
    'additionalProperties': False,
}
_FAILOVER_HOST = {
    'type': 'object',
    'properties': {
        'host': _CINDER_HOST,
        'backend_id': _NULLABLE_STRING,
        'cluster': _NULLABLE_STRING,
    },
    'additionalProperties': False,
}
SCHEMAS = {
    'enable': _ENABLE_AND_DISABLE,
    'disable': _ENABLE_AND_DISABLE,
    'disable-log-reason': _DISABLE_LOG_REASON,
    'freeze': _FREEZE_AND_THAW,
    'thaw': _FREEZE_AND_THAW,
    'failover_host': _FAILOVER_HOST,
    'failover': _FAILOVER_HOST,
}

_FORMATS = jsonschema.FormatChecker([])


class _InvalidInput(Exception):
    pass


@_FORMATS.checks('disabled_reason', _InvalidInput)
def _disabled_reason(value):
    # cinder/api/validation/validators.py _validate_disabled_reason: the
    # reason stripped of blanks must still be 1 to 255 characters.
    if value and not 1 <= len(value.strip()) <= 255:
        raise _InvalidInput(value)
    return True


def validate(action, body):
    """cinder/api/validation/validators.py _SchemaValidator.validate."""
    validator = jsonschema.Draft4Validator(SCHEMAS[action], format_checker=_FORMATS)
    try:
        validator.validate(body)
    except jsonschema.ValidationError as exc:
        if len(exc.path) > 0:
            detail = (f'Invalid input for field/attribute {exc.path.pop()}. '
                      f'Value: {exc.instance}. {exc.message}')
        else:
            detail = exc.message
        raise Fault(400, detail) from None
