"""Query strings and paths encoded exactly as the official client encodes them.

The official client uses ``qs`` with ``allowDots`` and ``arrayFormat: 'repeat'``:
``tags.slack%3Aid=U%201&participantIds=a&participantIds=b``. Nested mappings become dotted keys,
lists repeat the key, ``None`` and UNSET are omitted, booleans are ``true``/``false``, datetimes are
the 24-character ``YYYY-MM-DDTHH:MM:SS.mmmZ`` form. Keys and values are percent-encoded like
``encodeURIComponent`` in RFC 3986 mode (a space is ``%20``, ``:`` is ``%3A``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from botpress_async._serde import format_datetime
from botpress_async._types import UNSET

__all__ = ["encode_path", "encode_query"]


def _quote(text: str) -> str:
    return quote(text, safe="-_.~")


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise ValueError(f"{value} is not a valid query parameter value")
    if isinstance(value, enum.Enum):
        # str() of a (str, Enum) member is "Class.MEMBER" before Python 3.12's StrEnum: send the value.
        return _scalar(value.value)
    return str(value)


def _pairs(prefix: str, value: Any, out: list[str]) -> None:
    if value is None or value is UNSET:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            _pairs(f"{prefix}.{key}" if prefix else str(key), item, out)
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            if item is None or item is UNSET:
                continue
            out.append(f"{_quote(prefix)}={_quote(_scalar(item))}")
        return
    out.append(f"{_quote(prefix)}={_quote(_scalar(value))}")


def encode_query(params: Mapping[str, Any] | None) -> str:
    """Encode ``params`` (wire names, already camelCase) as a query string without the ``?``."""
    if not params:
        return ""
    out: list[str] = []
    for key, value in params.items():
        _pairs(key, value, out)
    return "&".join(out)


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_TEMPLATES: dict[str, tuple[str, ...]] = {}


def _split(template: str) -> tuple[str, ...]:
    """``template`` split at its placeholders (literal, name, literal, …, literal), cached."""
    parts = _TEMPLATES.get(template)
    if parts is None:
        parts = tuple(_PLACEHOLDER.split(template))
        if len(_TEMPLATES) < 1024:  # templates are the API's routes: a handful
            _TEMPLATES[template] = parts
    return parts


def encode_path(template: str, params: Mapping[str, Any] | None) -> str:
    """Fill ``{name}`` placeholders of ``template`` with values percent-encoded like ``encodeURIComponent``.

    Raises:
        ValueError: a placeholder has no value, or its value is empty, ``.`` or ``..`` (each would
            address a different route once a proxy normalizes the path).
    """
    parts = _split(template)
    if len(parts) == 1:
        return template
    values = params or {}
    path = parts[0]
    # One pass over the template: a value can never be taken for another placeholder.
    for i in range(1, len(parts), 2):
        key = parts[i]
        if key not in values:
            missing = [name for name in parts[1::2] if name not in values]
            raise ValueError(f"path {template!r} is missing parameters {missing}")
        value = values[key]
        text = "" if value is None else str(value.value if isinstance(value, enum.Enum) else value)
        if text in ("", ".", ".."):
            raise ValueError(f"path parameter {key!r} must be a non-empty id, got {value!r}")
        path += quote(text, safe="-_.~!*'()") + parts[i + 1]
    return path
