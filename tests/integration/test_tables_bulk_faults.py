"""Bulk writes against an emulator injecting faults: no row lost, none duplicated, every row accounted for."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from botpress_async import Client, RetryPolicy
from botpress_async.emulator import Emulator
from botpress_async.models import table_schema

T = "faultsTable"
SCHEMA = table_schema({"code": "string", "n": "number"})
MIXED = "429=0.03:0s,503=0.03,reset=0.02,commit502=0.01,commitreset=0.01"


def rows(n: int) -> Iterator[dict[str, Any]]:
    return ({"code": f"R{i:06d}", "n": i} for i in range(n))


def client(emulator: Emulator, bot_id: str) -> Client:
    # Generous attempts with no backoff: the faults are random, the test must not be.
    retry = RetryPolicy(max_attempts=10, backoff_base=0.0, backoff_max=0.0, max_retry_after=0.0)
    return Client(token=emulator.token, bot_id=bot_id, base_url=emulator.url, retry=retry)


async def test_keyed_bulk_upsert_of_20k_rows_under_10_percent_faults_writes_each_row_once(
    botpress_bot_id: str,
) -> None:
    async with Emulator(faults=MIXED, fault_seed=7) as emulator, client(emulator, botpress_bot_id) as bp:
        await bp.tables.create(T, schema=SCHEMA, key_column="code")
        result = await bp.tables.bulk_upsert(
            T, rows(20_000), key_column="code", chunk_size=500, concurrency=8)
        codes = Counter([row["code"] async for row in bp.tables.find_rows(T, limit=1000, select=["code"])])
    assert result.accounted == result.total == 20_000
    assert (result.failed, result.uncertain) == ([], [])
    assert result.inserted + result.updated == 20_000
    assert result.retries > 0
    assert len(codes) == 20_000 and max(codes.values()) == 1


async def test_bulk_create_under_commit_then_fail_never_duplicates_and_reports_uncertain_rows(
    botpress_bot_id: str,
) -> None:
    faults = "commit502=0.1,commitreset=0.1,429=0.05:0s"
    async with Emulator(faults=faults, fault_seed=11) as emulator, client(emulator, botpress_bot_id) as bp:
        await bp.tables.create(T, schema=SCHEMA)
        result = await bp.tables.bulk_create(T, rows(5000), chunk_size=100, concurrency=4)
        codes = Counter([row["code"] async for row in bp.tables.find_rows(T, limit=1000, select=["code"])])
    assert result.accounted == result.total == 5000
    assert result.uncertain, "the faults should have hit at least one create"
    assert max(codes.values()) == 1  # never written twice
    uncertain = {f"R{u.index:06d}" for u in result.uncertain}
    confirmed = {f"R{i:06d}" for i in range(5000)} - uncertain - {f"R{f.index:06d}" for f in result.failed}
    assert confirmed <= codes.keys()  # every confirmed row is there
    assert result.inserted == len(confirmed)
    # A commit-then-fail chunk was written although its answer was lost: its rows are the uncertain ones.
    assert codes.keys() - confirmed <= uncertain
