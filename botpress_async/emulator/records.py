"""Storage of the runtime's tagged resources: users, conversations, messages, events, tasks, workflows.

Every resource is one row of ``records`` (see ``store.py``), scoped by bot. Columns hold what is
queried or ordered on (bot, kind, id, times); ``tags`` and ``data`` are JSON objects filtered in SQL
with ``json_each``/``json_extract``, never scanned in Python. ``data`` keys that start with ``_`` are
internal (never sent on the wire).

This module knows no HTTP: it raises :class:`EmulatorError` and returns :class:`Record` objects.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator._json import dumps
from botpress_async.emulator.pagination import PAGE_SIZE, Direction, fetch_page

__all__ = [
    "PREFIXES",
    "Filter",
    "Kind",
    "Record",
    "clean_tags",
    "delete",
    "find_by_tags",
    "get",
    "insert",
    "list_page",
    "merge_tags",
    "new_id",
    "require",
    "update",
]

Kind = Literal["user", "conversation", "message", "event", "task", "workflow"]

#: Id prefix per kind (the service's prefixes; ids are ``<prefix>_<26-char ULID>``, 30 to 34 chars).
PREFIXES: dict[str, str] = {
    "user": "user",
    "conversation": "conv",
    "message": "msg",
    "event": "evt",
    "task": "task",
    "workflow": "wrkflow",
    "state": "state",
}

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_id_lock = threading.Lock()
_last_id = [0, 0]  # (ms, 80 random bits) of the last id: ids made in one process sort in creation order


def new_id(kind: str, now_ms: int) -> str:
    """A new id ``<prefix>_<ULID>``; ids from one process increase strictly, so they break createdAt ties
    in creation order."""
    with _id_lock:
        ms = max(now_ms, _last_id[0])
        rand = _last_id[1] + 1 if ms == _last_id[0] else secrets.randbits(79)
        _last_id[0], _last_id[1] = ms, rand
    number = (ms << 80) | rand
    chars = [_CROCKFORD[(number >> shift) & 31] for shift in range(125, -1, -5)]
    return f"{PREFIXES[kind]}_{''.join(chars)}"


@dataclass
class Record:
    """One stored resource.

    Attributes:
        kind: the resource kind.
        id: its id.
        created_at, updated_at: ms since the epoch.
        tags: its tags (no empty values).
        data: its other fields, wire names; ``_``-prefixed keys are internal.
        due_at: when a scheduled event stops being ``scheduled``, or a scheduled message is delivered
            (ms); None for everything else.
    """

    kind: str
    id: str
    created_at: int
    updated_at: int
    tags: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    due_at: int | None = None

    def wire(self) -> dict[str, Any]:
        """Data fields without the internal ones."""
        return {k: v for k, v in self.data.items() if not k.startswith("_")}


def _row_to_record(row: sqlite3.Row) -> Record:
    return Record(
        kind=row["kind"],
        id=row["id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        tags=json.loads(row["tags"]),
        data=json.loads(row["data"]),
        due_at=row["due_at"],
    )


_COLUMNS = "r.kind, r.id, r.created_at, r.updated_at, r.tags, r.data, r.due_at"


def clean_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """Tags as stored: keys with an empty value are dropped (an empty value means "no such tag")."""
    return {k: v for k, v in (tags or {}).items() if v != ""}


def merge_tags(current: Mapping[str, str], patch: Mapping[str, str] | None) -> dict[str, str]:
    """Per-key update: given keys replace, ``""`` unsets, keys not given stay."""
    merged = dict(current)
    for key, value in (patch or {}).items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def insert(
    db: sqlite3.Connection,
    bot_id: str,
    kind: Kind,
    *,
    now_ms: int,
    tags: Mapping[str, str] | None = None,
    data: Mapping[str, Any] | None = None,
    due_at: int | None = None,
    created_at: int | None = None,
) -> Record:
    """Store a new resource (inside the caller's transaction) and return it."""
    created = created_at if created_at is not None else now_ms
    record = Record(
        kind=kind,
        id=new_id(kind, now_ms),
        created_at=created,
        updated_at=created,
        tags=clean_tags(tags),
        data=dict(data or {}),
        due_at=due_at,
    )
    db.execute(
        "INSERT INTO records (bot_id, kind, id, created_at, updated_at, tags, data, due_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (bot_id, kind, record.id, record.created_at, record.updated_at, dumps(record.tags),
         dumps(record.data), due_at),
    )
    return record


def get(db: sqlite3.Connection, bot_id: str, kind: Kind, id: str) -> Record | None:
    """The resource, or None."""
    row = db.execute(
        f"SELECT {_COLUMNS} FROM records r WHERE r.bot_id = ? AND r.kind = ? AND r.id = ?", (bot_id, kind, id)
    ).fetchone()
    return _row_to_record(row) if row is not None else None


def require(
    db: sqlite3.Connection, bot_id: str, kind: Kind, id: str, *, error: str = "ResourceNotFound",
    field: str | None = None,
) -> Record:
    """The resource, or ``EmulatorError(error)`` (ResourceNotFound by default; ReferenceNotFound for an id
    given inside a body, then ``field`` names it)."""
    record = get(db, bot_id, kind, id)
    if record is None:
        where = f"body.{field}: " if field else ""
        raise EmulatorError(error, f"{where}no {kind} with id {id!r} in this bot")
    return record


def update(
    db: sqlite3.Connection,
    bot_id: str,
    record: Record,
    *,
    now_ms: int,
    tags: Mapping[str, str] | None = None,
    data: Mapping[str, Any] | None = None,
    due_at: int | None = None,
) -> Record:
    """Apply a tag patch (see :func:`merge_tags`) and a data patch (``None`` removes a key); store; return."""
    record.tags = merge_tags(record.tags, tags)
    for key, value in (data or {}).items():
        if value is None:
            record.data.pop(key, None)
        else:
            record.data[key] = value
    record.updated_at = max(now_ms, record.created_at)
    if due_at is not None:
        record.due_at = due_at
    db.execute(
        "UPDATE records SET updated_at = ?, tags = ?, data = ?, due_at = ?"
        " WHERE bot_id = ? AND kind = ? AND id = ?",
        (record.updated_at, dumps(record.tags), dumps(record.data), record.due_at, bot_id, record.kind,
         record.id),
    )
    return record


def delete(db: sqlite3.Connection, bot_id: str, kind: Kind, id: str) -> bool:
    """Remove the resource; True when it existed."""
    cursor = db.execute("DELETE FROM records WHERE bot_id = ? AND kind = ? AND id = ?", (bot_id, kind, id))
    return cursor.rowcount > 0


@dataclass
class Filter:
    """SQL conditions over ``records r``, ANDed; build with the methods, then pass to :func:`list_page`."""

    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, sql: str, *params: Any) -> Filter:
        """A raw condition with its parameters."""
        self.where.append(sql)
        self.params.extend(params)
        return self

    def tags(self, tags: Mapping[str, str] | None) -> Filter:
        """Every given tag is stored with exactly that value (``json_each``: any key is safe)."""
        for key, value in (tags or {}).items():
            self.add("EXISTS (SELECT 1 FROM json_each(r.tags) t WHERE t.key = ? AND t.value = ?)", key, value)
        return self

    def field_equals(self, name: str, value: Any) -> Filter:
        """``data[name] == value`` (``name`` is a wire field name from our code, never user input)."""
        return self.add(f"json_extract(r.data, '$.{name}') = ?", value)

    def field_in(self, name: str, values: Iterable[Any]) -> Filter:
        """``data[name]`` is one of ``values``."""
        items = list(values)
        marks = ", ".join("?" for _ in items) or "NULL"
        return self.add(f"json_extract(r.data, '$.{name}') IN ({marks})", *items)

    def delivered(self, now_ms: int) -> Filter:
        """Not scheduled for later: no ``due_at``, or one the clock has reached (a scheduled message is
        invisible until then)."""
        return self.add("(r.due_at IS NULL OR r.due_at <= ?)", now_ms)

    def range(
        self, column: Literal["created_at", "updated_at"], after: int | None, before: int | None
    ) -> Filter:
        """Inclusive bounds on a time column (ms)."""
        if after is not None:
            self.add(f"r.{column} >= ?", after)
        if before is not None:
            self.add(f"r.{column} <= ?", before)
        return self


def list_page(
    db: sqlite3.Connection,
    bot_id: str,
    kind: Kind,
    filter: Filter,
    *,
    sort_field: Literal["createdAt", "updatedAt"] = "createdAt",
    direction: Direction = "desc",
    next_token: str | None = None,
    page_size: int = PAGE_SIZE,
) -> tuple[list[Record], str | None]:
    """One page (``page_size`` items) of the bot's resources of ``kind`` matching ``filter``, newest first by
    default."""
    column = "r.created_at" if sort_field == "createdAt" else "r.updated_at"
    rows, token = fetch_page(
        db,
        select=_COLUMNS,
        source="records r",
        where=["r.bot_id = ?", "r.kind = ?", *filter.where],
        params=[bot_id, kind, *filter.params],
        sort_column=column,
        id_column="r.id",
        sort_field=sort_field,
        direction=direction,
        next_token=next_token,
        page_size=page_size,
    )
    return [_row_to_record(row) for row in rows], token


def find_by_tags(
    db: sqlite3.Connection, bot_id: str, kind: Kind, match: Mapping[str, str], scope: Filter | None = None
) -> Record | None:
    """The oldest resource whose tags include every pair of ``match`` (within ``scope``).

    An empty ``match`` never matches: get-or-create then always creates.
    """
    if not match:
        return None
    condition = Filter().tags(match)
    if scope is not None:
        condition.where += scope.where
        condition.params += scope.params
    row = db.execute(
        f"SELECT {_COLUMNS} FROM records r WHERE r.bot_id = ? AND r.kind = ?"
        f" AND {' AND '.join(condition.where)} ORDER BY r.created_at, r.id LIMIT 1",
        (bot_id, kind, *condition.params),
    ).fetchone()
    return _row_to_record(row) if row is not None else None
