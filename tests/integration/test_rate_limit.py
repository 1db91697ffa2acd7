"""The adaptive limiter against the emulator's sliding-window rate limit, over loopback.

Each test runs for about two seconds of real time: the limit is what paces it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

from botpress_async import Client
from botpress_async.emulator import Emulator
from botpress_async.models import table_schema

BOT_ID = "0c6e1c4e-7a9f-4a0b-9d3b-2f4b5a6c7d8e"
T = "skusTable"


def skus(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"sku": f"S{i:05d}", "price": i}


async def test_a_bulk_upsert_under_a_20_per_second_limit_meets_no_429_and_stores_every_row(
    client_for: Callable[..., Client]
) -> None:
    async with Emulator(rate_limit="20/s") as emulator, client_for(emulator, BOT_ID) as bp:
        await bp.tables.create(T, schema=table_schema({"sku": "string", "price": "number"}), key_column="sku")
        started = time.monotonic()
        result = await bp.tables.bulk_upsert(T, skus(400), key_column="sku", chunk_size=10, concurrency=16)
        elapsed = time.monotonic() - started
        stats = bp.rate_limit_stats
        assert (result.inserted, result.failed, result.uncertain) == (400, [], [])
        assert result.rate_limited == 0 and stats.rate_limited == 0
        assert (await bp.tables.get(T)).rows == 400
    # 41 calls (the create, then 40 chunks) fit in 20/s only if they were paced over two windows.
    assert elapsed >= 1.0
    assert stats.limit == 20 and stats.pace is not None and stats.pace <= 20


async def test_many_concurrent_creates_share_one_budget_through_views_of_one_client(
    client_for: Callable[..., Client]
) -> None:
    async with Emulator(rate_limit="40/s") as emulator, client_for(emulator, BOT_ID) as bp:
        views = [bp, bp.with_options(timeout=30), bp.with_options(deadline=60)]
        users = await asyncio.gather(
            *(views[i % 3].users.create(tags={"n": str(i)}) for i in range(100))
        )
        stats = bp.rate_limit_stats
    assert len({user.id for user in users}) == 100
    assert stats.rate_limited <= 1  # < 1 % of the 100 calls
    assert stats.limit == 40


async def test_a_client_without_the_adaptive_limiter_meets_429s_under_the_same_load(
    client_for: Callable[..., Client]
) -> None:
    async with Emulator(rate_limit="40/s") as emulator, client_for(
        emulator, BOT_ID, adaptive_rate_limit=False
    ) as bp:
        users = await asyncio.gather(*(bp.users.create(tags={"n": str(i)}) for i in range(60)))
        stats = bp.rate_limit_stats
    assert len(users) == 60
    assert stats.rate_limited > 1
