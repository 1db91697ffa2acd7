"""Runtime states: named JSON payloads attached to a conversation, user, bot, integration, task or workflow.

Semantics (see the package docstring for the pinned choices): set replaces (a null payload deletes),
patch merges top-level keys and needs an existing state, get-or-set keeps the first value, expiry is
idle-based in milliseconds on the emulator's clock, payloads are at most 128 KB of UTF-8 JSON.

This module knows no HTTP; it raises :class:`EmulatorError`.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from botpress_async.emulator import records
from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator._json import dumps
from botpress_async.emulator.clock import iso

__all__ = ["MAX_PAYLOAD_BYTES", "StateKey", "get", "get_or_set", "patch", "set", "set_expiry"]

#: Largest state payload, in bytes of its UTF-8 JSON (the service's ``state_item_payload_bytes``).
MAX_PAYLOAD_BYTES = 128 * 1024

# State types whose owner is a stored resource: the owner must exist in the bot.
_OWNER_KINDS: dict[str, records.Kind] = {
    "conversation": "conversation",
    "user": "user",
    "task": "task",
    "workflow": "workflow",
}


@dataclass(frozen=True)
class StateKey:
    """Which state: the bot, the owner's type and id, the state's name."""

    bot_id: str
    type: str
    owner_id: str
    name: str


def _check_payload(payload: dict[str, Any]) -> str:
    text = dumps(payload)
    size = len(text.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise EmulatorError(
            "PayloadTooLarge", f"body.payload: the state payload is {size} bytes; limit {MAX_PAYLOAD_BYTES}"
        )
    return text


def check_owner(db: sqlite3.Connection, key: StateKey) -> None:
    """ResourceNotFound when the owner (conversation, user, task, workflow) is not in the bot."""
    kind = _OWNER_KINDS.get(key.type)
    if kind is not None:
        records.require(db, key.bot_id, kind, key.owner_id)


def _wire(row: Any, key: StateKey) -> dict[str, Any]:
    state: dict[str, Any] = {
        "id": row["id"],
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
        "botId": key.bot_id,
        "name": key.name,
        "type": key.type,
        "payload": json.loads(row["payload"]),
    }
    if key.type == "conversation":
        state["conversationId"] = key.owner_id
    elif key.type == "user":
        state["userId"] = key.owner_id
    return state


_WHERE = "bot_id = ? AND type = ? AND owner_id = ? AND name = ?"


def _params(key: StateKey) -> tuple[str, str, str, str]:
    return key.bot_id, key.type, key.owner_id, key.name


def _live_row(db: sqlite3.Connection, key: StateKey, now_ms: int) -> sqlite3.Row | None:
    """The state's row, deleting it first if it has been idle longer than its expiry."""
    row: sqlite3.Row | None = db.execute(f"SELECT * FROM states WHERE {_WHERE}", _params(key)).fetchone()
    if row is None:
        return None
    if row["expiry_ms"] is not None and row["touched_at"] + row["expiry_ms"] <= now_ms:
        db.execute(f"DELETE FROM states WHERE {_WHERE}", _params(key))
        return None
    return row


def _touch(db: sqlite3.Connection, key: StateKey, now_ms: int) -> sqlite3.Row:
    db.execute(f"UPDATE states SET touched_at = ? WHERE {_WHERE}", (now_ms, *_params(key)))
    row: sqlite3.Row = db.execute(f"SELECT * FROM states WHERE {_WHERE}", _params(key)).fetchone()
    return row


def _not_found(key: StateKey) -> EmulatorError:
    return EmulatorError(
        "ResourceNotFound", f"No State found: {key.type} {key.owner_id!r} has no state {key.name!r}"
    )


def get(db: sqlite3.Connection, key: StateKey, now_ms: int) -> dict[str, Any]:
    """The live state (a read restarts its idle timer). Raises ResourceNotFound when absent or expired."""
    check_owner(db, key)
    if _live_row(db, key, now_ms) is None:
        raise _not_found(key)
    return _wire(_touch(db, key, now_ms), key)


def _write(
    db: sqlite3.Connection, key: StateKey, now_ms: int, payload_text: str, expiry: int | None, existing: Any
) -> dict[str, Any]:
    if existing is None:
        db.execute(
            "INSERT INTO states (bot_id, type, owner_id, name, id, created_at, updated_at, payload,"
            " expiry_ms, touched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*_params(key), records.new_id("state", now_ms), now_ms, now_ms, payload_text, expiry, now_ms),
        )
    else:
        db.execute(
            f"UPDATE states SET updated_at = ?, payload = ?, expiry_ms = ?, touched_at = ? WHERE {_WHERE}",
            (max(now_ms, existing["created_at"]), payload_text, expiry, now_ms, *_params(key)),
        )
    row = db.execute(f"SELECT * FROM states WHERE {_WHERE}", _params(key)).fetchone()
    return _wire(row, key)


_KEEP = object()


def set(
    db: sqlite3.Connection, key: StateKey, now_ms: int, payload: dict[str, Any] | None, expiry: Any = _KEEP
) -> dict[str, Any]:
    """Replace (or create) the state; ``payload=None`` deletes it.

    Args:
        expiry: idle expiry in milliseconds; ``None`` removes it; omitted keeps the current one.

    Returns:
        The stored state; for a deletion, the state as it was with an empty payload.
    """
    check_owner(db, key)
    existing = _live_row(db, key, now_ms)
    if payload is None:
        if existing is None:
            return _wire_deleted(key, now_ms, None)
        db.execute(f"DELETE FROM states WHERE {_WHERE}", _params(key))
        return _wire_deleted(key, now_ms, existing)
    text = _check_payload(payload)
    if expiry is _KEEP:
        expiry = existing["expiry_ms"] if existing is not None else None
    return _write(db, key, now_ms, text, expiry, existing)


def _wire_deleted(key: StateKey, now_ms: int, existing: sqlite3.Row | None) -> dict[str, Any]:
    state_id = existing["id"] if existing is not None else records.new_id("state", now_ms)
    created = existing["created_at"] if existing is not None else now_ms
    fake = {"id": state_id, "created_at": created, "updated_at": now_ms, "payload": "{}"}
    return _wire(fake, key)


def patch(
    db: sqlite3.Connection, key: StateKey, now_ms: int, payload: dict[str, Any], expiry: Any = _KEEP
) -> dict[str, Any]:
    """Merge ``payload``'s top-level keys into the state. Raises ResourceNotFound when absent or expired.

    Args:
        expiry: as for :func:`set` (ms; ``None`` removes it; omitted keeps the current one). Beyond the
            1.70.2 spec: newer clients send it.
    """
    check_owner(db, key)
    existing = _live_row(db, key, now_ms)
    if existing is None:
        raise _not_found(key)
    merged = json.loads(existing["payload"])
    merged.update(payload)
    kept = existing["expiry_ms"] if expiry is _KEEP else expiry
    return _write(db, key, now_ms, _check_payload(merged), kept, existing)


def get_or_set(
    db: sqlite3.Connection, key: StateKey, now_ms: int, payload: dict[str, Any], expiry: int | None
) -> dict[str, Any]:
    """The live state unchanged (its idle timer restarted), or a new one with ``payload`` and ``expiry``."""
    check_owner(db, key)
    text = _check_payload(payload)
    if _live_row(db, key, now_ms) is not None:
        return _wire(_touch(db, key, now_ms), key)
    return _write(db, key, now_ms, text, expiry, None)


def set_expiry(db: sqlite3.Connection, key: StateKey, now_ms: int, expiry: int | None) -> dict[str, Any]:
    """Set (ms) or remove (None) the idle expiry; the idle timer restarts. ResourceNotFound when absent."""
    check_owner(db, key)
    existing = _live_row(db, key, now_ms)
    if existing is None:
        raise _not_found(key)
    db.execute(
        f"UPDATE states SET expiry_ms = ?, touched_at = ? WHERE {_WHERE}", (expiry, now_ms, *_params(key))
    )
    return _wire(db.execute(f"SELECT * FROM states WHERE {_WHERE}", _params(key)).fetchone(), key)
