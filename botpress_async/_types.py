"""Sentinels and small shared types.

``UNSET`` marks an argument the caller did not give: it is never sent. ``None`` is sent as JSON
``null`` (for example ``users.update(id, name=None)`` clears the name).
"""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeAlias


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = _Unset.UNSET
Unset: TypeAlias = Literal[_Unset.UNSET]

Tags: TypeAlias = dict[str, str]
"""Botpress tags: string keys to string values (at most 500 characters each)."""
