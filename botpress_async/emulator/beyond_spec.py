"""What the emulator accepts beyond the 1.70.2 runtime spec: fields the official client 1.45.0 sends.

The official TypeScript client is newer than the spec the emulator validates against; these few
fields are real service features, so the emulator serves them instead of refusing (400) or silently
ignoring them. Everything else stays validated against the packaged 1.70.2 schemas
(``botpress_async/spec/*.json`` is a facts-only copy and is not edited): a body is checked against the
1.70.2 schema with these fields set aside, and each of these fields against its own schema below.

- ``pageSize`` on every runtime list operation: an integer from 1 to :data:`MAX_PAGE_SIZE` (newer docs:
  default 20, at most 100); anything else is 400 InvalidQuery.
- ``minMessageCount`` / ``maxMessageCount`` on listConversations: integers >= 0, inclusive bounds on a
  conversation's number of (delivered) messages.
- ``properties`` (an object of strings) on createUser, getOrCreateUser, createConversation,
  getOrCreateConversation and initializeIncomingMessage's ``user`` / ``conversation``; on updateUser and
  updateConversation its values may be null (null or ``""`` removes a key, other keys are unchanged).
- ``expiry`` on patchState: as on setState (ms, 1 to 30 days, null removes it, omitted keeps it).
- captureObservation (``POST /v1/chat/observations``): see :data:`OBSERVATION_SCHEMA`.

This module knows no HTTP; it raises :class:`EmulatorError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match
from multidict import MultiMapping

from botpress_async.emulator._errors import EmulatorError

__all__ = [
    "MAX_PAGE_SIZE",
    "OBSERVATION_SCHEMA",
    "check_observation",
    "query_extras",
    "split_body",
]

#: The largest ``pageSize`` a list accepts (newer service docs; the default stays 20).
MAX_PAGE_SIZE = 100

_SCHEMAS: dict[str, dict[str, Any]] = {
    "properties": {"type": "object", "additionalProperties": {"type": "string"}},
    "properties-patch": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
    "expiry": {"type": ["number", "null"], "minimum": 1, "maximum": 2_592_000_000},
}

# operationId -> (path of the object inside the body, field name, key of its schema in _SCHEMAS).
_BODY_FIELDS: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]] = {
    "createUser": (((), "properties", "properties"),),
    "getOrCreateUser": (((), "properties", "properties"),),
    "updateUser": (((), "properties", "properties-patch"),),
    "createConversation": (((), "properties", "properties"),),
    "getOrCreateConversation": (((), "properties", "properties"),),
    "updateConversation": (((), "properties", "properties-patch"),),
    "initializeIncomingMessage": ((("user",), "properties", "properties"),
                                  (("conversation",), "properties", "properties")),
    "patchState": (((), "expiry", "expiry"),),
}

_ID = {"type": "string", "maxLength": 200}

#: The body of captureObservation (official client 1.45.0): ``name`` and ``data`` required; ``id`` is the
#: caller's own identifier (not unique); the other ids link the observation to resources and are not
#: checked for existence.
OBSERVATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": _ID,
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "data": {"type": "object"},
        **{key: _ID for key in ("messageId", "eventId", "conversationId", "userId", "errorId", "traceId")},
    },
    "required": ["name", "data"],
    "additionalProperties": False,
}

_LIST_OPERATIONS = frozenset({
    "listConversations", "listParticipants", "listEvents", "listMessages", "listUsers", "listTasks",
    "listWorkflows", "listTagValues",
})


@cache
def _validator(key: str) -> Draft7Validator:
    return Draft7Validator(OBSERVATION_SCHEMA if key == "observation" else _SCHEMAS[key])


def _check(key: str, value: Any, where: str) -> None:
    error: ValidationError | None = best_match(_validator(key).iter_errors(value))
    if error is not None:
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        message = error.message if len(error.message) <= 300 else error.message[:300] + "..."
        raise EmulatorError("InvalidPayload", f"{where}{path}: {message}")


def split_body(operation_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """Check the beyond-1.70.2 fields of ``body`` and return a copy without them, for 1.70.2 validation.

    Args:
        operation_id: e.g. ``"createUser"``.
        body: the decoded request body (not modified).

    Returns:
        A shallow copy of ``body`` without those fields (nested objects on their path are copied too).

    Raises:
        EmulatorError: InvalidPayload naming the field (``body.properties.plan: ...``).
    """
    rest: dict[str, Any] = dict(body)
    for path, name, schema in _BODY_FIELDS.get(operation_id, ()):
        holder: Any = rest
        for part in path:  # copy along the path: the caller's body stays whole
            inner = holder.get(part)
            if not isinstance(inner, dict):
                holder = None
                break
            inner = dict(inner)
            holder[part] = inner
            holder = inner
        if holder is None or name not in holder:
            continue
        _check(schema, holder.pop(name), ".".join(("body", *path, name)))
    return rest


def check_observation(body: Mapping[str, Any]) -> None:
    """Check a captureObservation body against :data:`OBSERVATION_SCHEMA`.

    Raises:
        EmulatorError: InvalidPayload naming the field.
    """
    _check("observation", body, "body")


def _integer(query: MultiMapping[str], name: str, minimum: int, maximum: int | None) -> int | None:
    given = query.getall(name, [])
    if not given:
        return None
    if len(given) != 1:
        raise EmulatorError("InvalidQuery", f"query.{name}: given {len(given)} times, expected once")
    try:
        value = int(given[0])
    except ValueError:
        raise EmulatorError("InvalidQuery", f"query.{name}: {given[0]!r} is not an integer") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise EmulatorError("InvalidQuery", f"query.{name}: must be {bound}, got {value}")
    return value


def query_extras(operation_id: str, query: MultiMapping[str]) -> dict[str, int]:
    """The beyond-1.70.2 query parameters of a runtime list operation, parsed and checked.

    Args:
        operation_id: e.g. ``"listUsers"``.
        query: ``request.query``.

    Returns:
        The given ones among ``pageSize`` (1 to :data:`MAX_PAGE_SIZE` items) and, for listConversations,
        ``minMessageCount`` / ``maxMessageCount`` (counts >= 0).

    Raises:
        EmulatorError: InvalidQuery naming the parameter.
    """
    found: dict[str, int | None] = {}
    if operation_id in _LIST_OPERATIONS:
        found["pageSize"] = _integer(query, "pageSize", 1, MAX_PAGE_SIZE)
    if operation_id == "listConversations":
        found["minMessageCount"] = _integer(query, "minMessageCount", 0, None)
        found["maxMessageCount"] = _integer(query, "maxMessageCount", 0, None)
    return {name: value for name, value in found.items() if value is not None}
