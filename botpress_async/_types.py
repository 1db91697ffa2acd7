"""Sentinels and small shared types.

``UNSET`` marks an argument the caller did not give: it is never sent. ``None`` is sent as JSON
``null`` (for example ``users.update(id, name=None)`` clears the name).
"""

from __future__ import annotations

import enum
from typing import Any, Final, Literal, TypeAlias, TypeVar

T = TypeVar("T")


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = _Unset.UNSET
Unset: TypeAlias = Literal[_Unset.UNSET]

JSON: TypeAlias = Any
"""A JSON value as decoded by :mod:`json` (dict, list, str, int, float, bool or None)."""

Tags: TypeAlias = dict[str, str]
"""Botpress tags: string keys to string values (at most 500 characters each)."""


def is_set(value: object) -> bool:
    """True when ``value`` is anything but :data:`UNSET` (``None`` included)."""
    return value is not UNSET
