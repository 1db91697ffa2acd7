"""Request (and response) validation against the packaged 1.70.2 OpenAPI schemas.

The specs are OpenAPI 3.0: before handing a schema to ``jsonschema`` we rewrite ``nullable: true`` into a
``"null"`` type (and a ``None`` enum member) and point every ``$ref`` at the whole spec document, registered
once per spec. Validators are built lazily and cached per operation.

Request failures raise :class:`EmulatorError` (InvalidPayload for bodies, InvalidQuery for query strings)
with a message that starts with the failing field's path (``body.tags.foo: ...``).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from multidict import MultiMapping
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from botpress_async.emulator._errors import EmulatorError

__all__ = ["SpecName", "operation", "response_validator", "validate_body", "validate_query"]

SpecName = Literal["runtime", "tables", "files"]

_METHODS = ("get", "post", "put", "patch", "delete")


def _uri(spec: str) -> str:
    return f"urn:botpress-async:spec:{spec}"


def _convert(node: Any, spec: str) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema draft 7: ``nullable`` and absolute ``$ref``s."""
    if isinstance(node, list):
        return [_convert(item, spec) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith("#"):
            out[key] = _uri(spec) + value
        elif key in ("properties", "patternProperties", "definitions", "schemas", "responses",
                     "requestBodies", "paths", "content", "parameters") and isinstance(value, dict):
            # name -> schema (or name -> container) maps: a member called "nullable" is a name, not a keyword
            out[key] = {name: _convert(sub, spec) for name, sub in value.items()}
        else:
            out[key] = _convert(value, spec)
    if out.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if "type" not in out and ("anyOf" in out or "oneOf" in out or "allOf" in out):
            out = {"anyOf": [{"type": "null"}, {k: v for k, v in out.items() if k != "nullable"}]}
    return out


@cache
def _spec(spec: str) -> dict[str, Any]:
    text = resources.files("botpress_async.spec").joinpath(f"{spec}.openapi.json").read_text("utf-8")
    converted: dict[str, Any] = _convert(json.loads(text), spec)
    return converted


@cache
def _registry(spec: str) -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(_spec(spec), default_specification=DRAFT7)
    registry: Registry[Any] = Registry().with_resource(_uri(spec), resource)
    return registry


def _resolve(spec: str, node: dict[str, Any]) -> dict[str, Any]:
    """Follow a ``$ref`` to a component (request bodies and responses are referenced, not inlined)."""
    while "$ref" in node:
        pointer = node["$ref"].split("#", 1)[1]
        target: Any = _spec(spec)
        for part in pointer.strip("/").split("/"):
            target = target[part]
        node = target
    return node


@cache
def operation(spec: SpecName, operation_id: str) -> tuple[str, str, dict[str, Any]]:
    """``(METHOD, path, operation object)`` for ``operation_id``.

    Raises:
        KeyError: the spec has no such operation (a programming error in a route).
    """
    for path, item in _spec(spec)["paths"].items():
        for method in _METHODS:
            op = item.get(method)
            if op is not None and op.get("operationId") == operation_id:
                return method.upper(), path, op
    raise KeyError(f"{spec} spec has no operation {operation_id!r}")


def _validator(schema: dict[str, Any], spec: str, *, formats: bool = False) -> Draft7Validator:
    return Draft7Validator(
        schema, registry=_registry(spec), format_checker=FormatChecker() if formats else None
    )


@cache
def _body_validator(spec: SpecName, operation_id: str) -> Draft7Validator | None:
    _, _, op = operation(spec, operation_id)
    if "requestBody" not in op:
        return None
    body = _resolve(spec, op["requestBody"])
    return _validator(body["content"]["application/json"]["schema"], spec)


_Check = Callable[[Any], bool]
_PLAIN_KINDS: dict[str, _Check] = {
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
}
_ANNOTATIONS = frozenset({"title", "description"})


def _plain_property(schema: Any) -> _Check | None:
    """A fast exact test of a property schema made only of ``type`` (number, string, boolean) and a
    numeric ``maximum``, else ``None``."""
    if not isinstance(schema, dict) or not set(schema) <= {"type", "maximum", *_ANNOTATIONS}:
        return None
    kind_name = schema.get("type")
    kind = _PLAIN_KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        return None
    maximum = schema.get("maximum")
    if maximum is None:
        return kind
    if kind_name != "number" or isinstance(maximum, bool) or not isinstance(maximum, int | float):
        return None
    return lambda v: kind(v) and v <= maximum


def _plain_item(schema: Any) -> _Check | None:
    """A fast test of an array item schema that accepts only valid items (a ``False`` is rechecked by
    jsonschema): an object with plain properties, ``required`` names and any other keys; else ``None``.
    The Tables row arrays have this shape, and jsonschema costs ~20 µs per row on them."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return None
    if schema.get("additionalProperties") is not True:
        return None
    if not set(schema) <= {"type", "properties", "required", "additionalProperties", *_ANNOTATIONS}:
        return None
    checks: dict[str, _Check] = {}
    for name, sub in schema.get("properties", {}).items():
        check = _plain_property(sub)
        if check is None:
            return None
        checks[name] = check
    required = schema.get("required", [])
    if not isinstance(required, list):
        return None

    def item(value: Any) -> bool:
        return (
            isinstance(value, dict)
            and all(name in value for name in required)
            and all(check(value[name]) for name, check in checks.items() if name in value)
        )

    return item


@cache
def _fast_body(spec: SpecName, operation_id: str) -> tuple[Draft7Validator, dict[str, _Check]] | None:
    """For a body whose top-level arrays have plain items: a validator of the body without those arrays'
    ``items`` and the fast item tests. Valid body == that validator passes and every item passes its test
    (``items`` only adds its per-item conditions); ``None`` when no array qualifies."""
    _, _, op = operation(spec, operation_id)
    if "requestBody" not in op:
        return None
    schema = copy.deepcopy(_resolve(spec, op["requestBody"])["content"]["application/json"]["schema"])
    checks: dict[str, _Check] = {}
    for name, sub in schema.get("properties", {}).items():
        if isinstance(sub, dict) and sub.get("type") == "array":
            check = _plain_item(sub.get("items"))
            if check is not None:
                checks[name] = check
                del sub["items"]
    return (_validator(schema, spec), checks) if checks else None


def _path_of(error: ValidationError, root: str) -> str:
    parts = [root]
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(parts)


def _message(error: ValidationError, root: str) -> str:
    text = error.message
    if len(text) > 300:  # the message quotes the instance; keep it readable for huge values
        text = text[:300] + "..."
    return f"{_path_of(error, root)}: {text}"


def validate_body(spec: SpecName, operation_id: str, body: Mapping[str, Any]) -> None:
    """Check a request body against the operation's schema.

    Args:
        spec: which spec holds the operation.
        operation_id: e.g. ``"createUser"``.
        body: the decoded JSON object.

    Raises:
        EmulatorError: InvalidPayload naming the first failing field (``body.tags.k: ...``).
        KeyError: unknown operation (a programming error).
    """
    validator = _body_validator(spec, operation_id)
    if validator is None:
        return
    fast = _fast_body(spec, operation_id)
    if fast is not None and isinstance(body, dict):
        reduced, checks = fast
        items = [(body.get(name), check) for name, check in checks.items()]
        if all(not isinstance(array, list) or all(map(check, array)) for array, check in items) and (
            reduced.is_valid(body)
        ):
            return
    elif validator.is_valid(body):
        return
    error = best_match(validator.iter_errors(body))  # the detailed error, only for an invalid body
    if error is not None:
        raise EmulatorError("InvalidPayload", _message(error, "body"))


# ---------------------------------------------------------------------------------------------- query


@cache
def _query_params(spec: SpecName, operation_id: str) -> tuple[dict[str, dict[str, Any]], Draft7Validator]:
    _, _, op = operation(spec, operation_id)
    params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
    schema = {
        "type": "object",
        "properties": {name: p.get("schema", {}) for name, p in params.items()},
        "required": [name for name, p in params.items() if p.get("required")],
    }
    return params, _validator(schema, spec)


def _scalar(name: str, text: str, schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "boolean":
        if text in ("true", "false"):
            return text == "true"
        raise EmulatorError("InvalidQuery", f"query.{name}: {text!r} is not a boolean (true or false)")
    if kind in ("integer", "number"):
        try:
            number = int(text) if kind == "integer" else float(text)
        except ValueError:
            raise EmulatorError("InvalidQuery", f"query.{name}: {text!r} is not a {kind}") from None
        if isinstance(number, float) and not math.isfinite(number):
            raise EmulatorError("InvalidQuery", f"query.{name}: {text!r} is not a finite number")
        return number
    return text


def _tag_key(key: str) -> str | None:
    """``tags.k`` or ``tags[k]`` -> ``k``; anything else -> None."""
    if key.startswith("tags.") and len(key) > 5:
        return key[5:]
    if key.startswith("tags[") and key.endswith("]") and len(key) > 6:
        return key[5:-1]
    return None


def validate_query(spec: SpecName, operation_id: str, query: MultiMapping[str]) -> dict[str, Any]:
    """Parse and check a query string against the operation's query parameters.

    Encoding follows the official client: ``tags.k=v`` (also ``tags[k]=v``) builds the ``tags`` object,
    an array parameter is repeated (``participantIds=a&participantIds=b``), booleans are ``true``/``false``.
    Query keys the operation does not declare are ignored.

    Args:
        spec: which spec holds the operation.
        operation_id: e.g. ``"listUsers"``.
        query: ``request.query``.

    Returns:
        Parameter name -> typed value, for the parameters that were given.

    Raises:
        EmulatorError: InvalidQuery naming the parameter (``query.sortField: ...``).
    """
    params, validator = _query_params(spec, operation_id)
    values: dict[str, Any] = {}
    tags: dict[str, str] = {}
    for key in set(query.keys()):
        tag = _tag_key(key)
        if tag is not None and "tags" in params:
            given = query.getall(key)
            if len(given) != 1:
                raise EmulatorError("InvalidQuery", f"query.tags.{tag}: given {len(given)} times")
            tags[tag] = given[0]
            continue
        param = params.get(key)
        if param is None:
            continue
        schema = param.get("schema", {})
        given = query.getall(key)
        if schema.get("type") == "array":
            items = schema.get("items", {})
            values[key] = [_scalar(key, text, items) for text in given]
        elif len(given) != 1:
            raise EmulatorError("InvalidQuery", f"query.{key}: given {len(given)} times, expected once")
        else:
            values[key] = _scalar(key, given[0], schema)
    if tags:
        values["tags"] = tags
    error = None if validator.is_valid(values) else best_match(validator.iter_errors(values))
    if error is not None:
        raise EmulatorError("InvalidQuery", _message(error, "query"))
    return values


# ------------------------------------------------------------------------------------------- response


@cache
def response_validator(spec: SpecName, operation_id: str, status: int) -> Draft7Validator:
    """A validator (with ``date-time`` format checks) for the operation's response body at ``status``.

    Raises:
        KeyError: unknown operation, or no schema for that status nor a ``default`` one.
    """
    _, _, op = operation(spec, operation_id)
    responses = op["responses"]
    entry = responses.get(str(status)) or responses["default"]
    schema = _resolve(spec, entry)["content"]["application/json"]["schema"]
    return _validator(copy.deepcopy(schema), spec, formats=True)
