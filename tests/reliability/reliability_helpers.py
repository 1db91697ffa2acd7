"""Shared pieces of the reliability tests: a fast retry policy, row generators, table readers."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

from botpress_async import Client, RetryPolicy

#: Many attempts, tiny waits: injected faults are random, the outcome of a test must not be. Retry-After
#: and RateLimit-Reset (1 s from the emulator) are capped at 5 ms so that 429s cost no wall time.
FAST_RETRY = RetryPolicy(max_attempts=12, backoff_base=0.001, backoff_max=0.005, max_retry_after=0.005)

#: A token that is easy to find in any text it leaks into.
TOKEN = "bp_pat_RELIABILITY_SECRET_0123456789abcdefghijklmnop"


def bot_id() -> str:
    """A fresh bot id in the service's form (a UUID)."""
    return str(uuid.uuid4())


def coded_rows(count: int, start: int = 0) -> Iterator[dict[str, Any]]:
    """``{"code": "R000000", "n": 0}``, ... : a unique ``code`` per row, ``n`` its input index."""
    return ({"code": f"R{i:06d}", "n": i} for i in range(start, start + count))


def code(index: int) -> str:
    """The ``code`` of the row at input ``index`` in :func:`coded_rows`."""
    return f"R{index:06d}"


def fast_client(base_url: str, token: str, bot: str, **options: Any) -> Client:
    """A client with :data:`FAST_RETRY` that reads nothing from the environment."""
    options.setdefault("retry", FAST_RETRY)
    return Client(token=token, bot_id=bot, base_url=base_url, environ={}, **options)


async def code_counts(bp: Client, table: str) -> Counter[str]:
    """How many rows of ``table`` hold each ``code`` (every page of find_rows)."""
    return Counter([row["code"] async for row in bp.tables.find_rows(table, limit=1000, select=["code"])])
