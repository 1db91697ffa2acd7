"""Bulk writes through an emulator that injects faults: every row written once, every row accounted for.

The emulator draws its faults from a seeded generator, but which request meets which fault depends on
the order requests arrive in, so the assertions hold for any draw: they are about accounting and
the table's content, never about which chunk failed.
"""

from __future__ import annotations

from typing import Any

from reliability_helpers import bot_id, code, code_counts, coded_rows, fast_client

from botpress_async.bulk import BulkResult
from botpress_async.emulator import Emulator
from botpress_async.errors import APIConnectionError, APIError
from botpress_async.models import table_schema

T = "reliabilityTable"
SCHEMA = table_schema({"code": "string", "n": "number"})
# The mix, 10 % of requests in all: 429 (Retry-After and RateLimit-Reset of 1 s, which
# FAST_RETRY caps at 5 ms), 503, a dropped connection, and added latency.
TEN_PERCENT = "429=0.03:1s,503=0.03,reset=0.02,latency=0.02:20ms"


def assert_accounted(result: BulkResult, total: int) -> None:
    """The accounting invariant, and every failed/uncertain row named by a valid, distinct input index."""
    assert result.total == total
    assert result.accounted == total
    written = result.inserted + result.updated + result.deleted + result.not_found
    assert written + len(result.failed) + len(result.uncertain) == total
    indexes = [row.index for row in [*result.failed, *result.uncertain]]
    assert len(indexes) == len(set(indexes))
    assert all(0 <= index < total for index in indexes)


async def test_a_keyed_upsert_of_20k_rows_under_10_percent_mixed_faults_leaves_exactly_20k_rows() -> None:
    bot = bot_id()
    async with Emulator(faults=TEN_PERCENT, fault_seed=2024) as emulator, \
            fast_client(emulator.url, emulator.token, bot) as bp:
        # No keyColumn on the table: the service does not enforce unique codes, so a chunk written
        # twice would show up as duplicates. The upsert matches on the request's key_column.
        await bp.tables.create(T, schema=SCHEMA)
        result = await bp.tables.bulk_upsert(T, coded_rows(20_000), key_column="code", chunk_size=100,
                                             concurrency=8)
        counts = await code_counts(bp, T)
        groups = [row async for row in bp.tables.find_rows(T, group={"code": ["key", "count"]}, limit=1000)]
        values = {row["code"]: row["n"] async for row in bp.tables.find_rows(T, limit=1000)}
    assert_accounted(result, 20_000)
    assert result.failed == [] and result.uncertain == []
    assert result.inserted + result.updated == 20_000
    assert result.retries > 0 and result.rate_limited > 0, "the faults should have been met"
    assert len(counts) == 20_000 and set(counts.values()) == {1}
    assert len(groups) == 20_000 and {row["codeCount"] for row in groups} == {1}
    assert values == {code(i): i for i in range(20_000)}


async def test_a_keyed_upsert_whose_writes_commit_then_fail_is_retried_without_duplicating_a_row() -> None:
    bot = bot_id()
    faults = "commit502=0.2,commitreset=0.2"
    async with Emulator(faults=faults, fault_seed=5) as emulator, \
            fast_client(emulator.url, emulator.token, bot) as bp:
        await bp.tables.create(T, schema=SCHEMA)
        result = await bp.tables.bulk_upsert(T, coded_rows(3000), key_column="code", chunk_size=100,
                                             concurrency=4)
        counts = await code_counts(bp, T)
    assert_accounted(result, 3000)
    assert result.ok
    assert result.retries > 0
    # A retried chunk finds its rows already written: they come back as updates, never as new rows.
    assert result.updated > 0
    assert len(counts) == 3000 and set(counts.values()) == {1}


async def test_bulk_create_under_commit_then_fail_confirms_or_reports_uncertain_each_row_once() -> None:
    bot = bot_id()
    total = 4000
    faults = "commit502=0.1,commitreset=0.1,429=0.05:1s"
    async with Emulator(faults=faults, fault_seed=99) as emulator, \
            fast_client(emulator.url, emulator.token, bot) as bp:
        await bp.tables.create(T, schema=SCHEMA)
        result = await bp.tables.bulk_create(T, coded_rows(total), chunk_size=100, concurrency=4)
        counts = await code_counts(bp, T)
    assert_accounted(result, total)
    assert result.failed == []  # 429s are retried; everything else here happens after the commit
    assert result.uncertain, "the commit faults should have hit at least one chunk"
    for row in result.uncertain:
        assert row.row == {"code": code(row.index), "n": row.index}  # the input row, by its input index
        assert isinstance(row.error, (APIError, APIConnectionError))
    uncertain = {code(row.index) for row in result.uncertain}
    confirmed = {code(i) for i in range(total)} - uncertain
    assert result.inserted == len(confirmed)
    assert len(confirmed) + len(uncertain) == total
    assert max(counts.values()) == 1  # nothing written twice
    assert confirmed <= counts.keys()  # every confirmed row is in the table
    assert counts.keys() - confirmed <= uncertain  # beyond them, at most the uncertain ones


async def test_the_uncertain_rows_of_a_bulk_create_can_be_checked_and_completed_without_duplicates() -> None:
    bot = bot_id()
    total = 1500
    async with Emulator(faults="commit502=0.15,commitreset=0.15", fault_seed=3) as emulator, \
            fast_client(emulator.url, emulator.token, bot) as bp:
        await bp.tables.create(T, schema=SCHEMA)
        first = await bp.tables.bulk_create(T, coded_rows(total), chunk_size=50, concurrency=4)
        assert first.uncertain
        # What the docs tell users to do: look the uncertain rows up, send only the missing ones (by
        # their key, so that the faults, still on, cannot duplicate them either).
        present = set((await code_counts(bp, T)).keys())
        missing: list[dict[str, Any]] = [r.row for r in first.uncertain if r.row["code"] not in present]
        second = await bp.tables.bulk_upsert(T, missing, key_column="code", chunk_size=50)
        counts = await code_counts(bp, T)
    assert_accounted(second, len(missing))
    assert second.ok
    assert len(counts) == total and set(counts.values()) == {1}
