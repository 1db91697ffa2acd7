"""The canned wire answers the stub server sends and the decode benchmark structures.

One source for both, so "decode cost" measures exactly the bodies the clients receive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

TOKEN = "bench-token-not-a-secret"
BOT_ID = "bench-bot"
TABLE = "benchRowsTable"
USER_ID = "user_01HBENCH0000000000000000001"
PAGE_SIZE = 20
FIND_ROWS = 1000
STAMP = "2024-05-01T12:00:00.000Z"


def user(i: int) -> dict[str, Any]:
    """One wire user (the shape of ``GET /v1/chat/users/{id}``'s ``user``)."""
    return {
        "id": f"user_01HBENCH{i:019d}",
        "createdAt": STAMP,
        "updatedAt": STAMP,
        "tags": {"email": f"user{i}@example.com", "plan": "pro"},
        "name": f"Bench User {i}",
        "pictureUrl": f"https://example.com/avatars/{i}.png",
    }


def get_user_body() -> bytes:
    """The answer of ``GET /v1/chat/users/{id}``."""
    return json.dumps({"user": user(1)}).encode()


def list_users_body(offset: int, total: int, page_size: int = PAGE_SIZE) -> bytes:
    """One page of ``GET /v1/chat/users`` starting at ``offset`` out of ``total`` users."""
    end = min(offset + page_size, total)
    meta: dict[str, Any] = {"nextToken": str(end)} if end < total else {}
    return json.dumps({"users": [user(i) for i in range(offset, end)], "meta": meta}).encode()


def row(i: int) -> dict[str, Any]:
    """One stored row as the Tables API returns it (system columns included)."""
    return {
        "id": i,
        "createdAt": STAMP,
        "updatedAt": STAMP,
        "computed": {},
        "stale": [],
        "sku": f"sku-{i:08d}",
        "name": f"Item number {i}",
        "price": (i % 1000) / 10,
        "qty": i % 50,
        "category": f"c{i % 10}",
    }


def find_rows_body(n: int = FIND_ROWS) -> bytes:
    """The answer of ``POST /v1/tables/{table}/rows/find`` with ``n`` rows."""
    return json.dumps(
        {"rows": [row(i) for i in range(1, n + 1)], "hasMore": False, "offset": 0, "limit": n}
    ).encode()


def input_rows(n: int) -> Iterator[dict[str, Any]]:
    """``n`` rows to ingest, generated lazily (nothing is held in memory)."""
    for i in range(n):
        yield {
            "sku": f"sku-{i:08d}",
            "name": f"Item number {i}",
            "price": (i % 1000) / 10,
            "qty": i % 50,
            "category": f"c{i % 10}",
        }


TABLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "sku": {"type": "string"},
        "name": {"type": "string"},
        "price": {"type": "number"},
        "qty": {"type": "number"},
        "category": {"type": "string"},
    },
}
