"""The emulator's SQLite database: connection settings, the runtime (chat) schema, transactions.

One connection per emulator, used only from the event loop's thread. It runs in autocommit mode;
every write goes through :func:`transaction`, so a handler's changes are committed (and, for a
database file, synced to disk: WAL with ``synchronous=FULL``) before its 2xx answer is sent.

Runtime resources (users, conversations, messages, events, tasks, workflows) share one ``records``
table: indexed columns for scope and ordering, JSON columns for tags and the resource's other fields.
Other parts of the emulator (Tables) create their own tables on the same connection with
``CREATE TABLE IF NOT EXISTS`` in their ``add_routes``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["connect", "transaction"]

_RUNTIME_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    bot_id     TEXT    NOT NULL,
    kind       TEXT    NOT NULL,          -- user | conversation | message | event | task | workflow
    id         TEXT    NOT NULL,
    created_at INTEGER NOT NULL,          -- ms since the epoch
    updated_at INTEGER NOT NULL,
    tags       TEXT    NOT NULL DEFAULT '{}',   -- JSON object of strings
    data       TEXT    NOT NULL DEFAULT '{}',   -- JSON object: the resource's other wire fields
    due_at     INTEGER,                   -- scheduled events/messages: when they are due (ms)
    PRIMARY KEY (bot_id, kind, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_created ON records (bot_id, kind, created_at, id);
CREATE INDEX IF NOT EXISTS records_updated ON records (bot_id, kind, updated_at, id);
CREATE INDEX IF NOT EXISTS records_conversation
    ON records (bot_id, kind, json_extract(data, '$.conversationId'));

CREATE TABLE IF NOT EXISTS participants (
    bot_id          TEXT    NOT NULL,
    conversation_id TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (bot_id, conversation_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS participants_user ON participants (bot_id, user_id);

CREATE TABLE IF NOT EXISTS states (
    bot_id     TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    owner_id   TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    payload    TEXT    NOT NULL,          -- JSON object
    expiry_ms  INTEGER,                   -- idle expiry; NULL: never expires
    touched_at INTEGER NOT NULL,          -- last read or write (the idle timer's start)
    PRIMARY KEY (bot_id, type, owner_id, name)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS analytics (
    bot_id TEXT    NOT NULL,
    name   TEXT    NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (bot_id, name)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS integration_config (
    bot_id         TEXT NOT NULL,
    integration_id TEXT NOT NULL,
    config         TEXT NOT NULL,         -- JSON object: the last configureIntegration body
    PRIMARY KEY (bot_id, integration_id)
) WITHOUT ROWID;
"""


def connect(path: str = ":memory:") -> sqlite3.Connection:
    """Open (creating if needed) the emulator database and its runtime schema.

    Args:
        path: a database file, or ``":memory:"``. A file uses WAL with ``synchronous=FULL`` so that a
            committed write survives a crash of the process or the machine.

    Returns:
        An autocommit connection with ``sqlite3.Row`` rows.

    Raises:
        sqlite3.Error: the file cannot be opened or is not a database.
    """
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    if path != ":memory:" and not path.startswith("file::memory:"):
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA busy_timeout=5000")
    db.executescript(_RUNTIME_SCHEMA)
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any exception); nested use joins the outer one."""
    if db.in_transaction:
        yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
