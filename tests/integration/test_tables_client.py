"""bp.tables and bp.files against the emulator over loopback: bulk writes, find/paging/group, jobs."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from botpress_async import Client, RetryPolicy
from botpress_async.bulk import RowRejectedError, RowTooLargeError
from botpress_async.emulator import Emulator
from botpress_async.emulator import server as emulator_server
from botpress_async.models import table_schema

T = "airportsTable"
SCHEMA = table_schema({"code": "string", "state": "string", "elevation": "number", "name": "string"})


async def make_table(bp: Client, *, key_column: str | None = "code") -> None:
    await bp.tables.create(T, schema=SCHEMA, key_column=key_column)


def airports(n: int, *, elevation: int = 0) -> Iterator[dict[str, Any]]:
    states = ("AK", "CA", "TX", "NY")
    for i in range(n):
        yield {"code": f"C{i:05d}", "state": states[i % 4], "elevation": i + elevation,
               "name": f"airport {i}"}


async def test_bulk_upsert_of_10k_rows_twice_inserts_then_updates_every_row(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp)
    first = await bp.tables.bulk_upsert(T, airports(10_000), key_column="code", concurrency=8)
    second = await bp.tables.bulk_upsert(T, airports(10_000, elevation=1), key_column="code", concurrency=8)
    assert (first.inserted, first.updated, first.failed, first.uncertain) == (10_000, 0, [], [])
    assert (second.inserted, second.updated, second.failed) == (0, 10_000, [])
    assert first.chunks == 10
    assert (await bp.tables.get(T)).rows == 10_000
    page = await bp.tables.find_rows(T, filter={"code": "C00042"})
    assert page.rows[0]["elevation"] == 43


async def test_bulk_create_accounts_for_good_oversized_and_invalid_rows(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp, key_column=None)
    source = [{"code": "A", "elevation": 1}, {"code": "B", "name": "x" * 5000},
              {"code": "C", "elevation": "high"}, {"code": "D", "elevation": 4}]
    result = await bp.tables.bulk_create(T, source)
    assert result.inserted == 2
    assert [(f.index, type(f.error)) for f in result.failed] == [(1, RowTooLargeError), (2, RowRejectedError)]
    assert result.accounted == result.total == 4
    assert (await bp.tables.get(T)).rows == 2


async def test_bulk_upsert_reports_duplicate_keys_on_their_input_index(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp, key_column=None)
    await bp.tables.create_rows(T, [{"code": "X"}, {"code": "X"}])
    result = await bp.tables.bulk_upsert(T, [{"code": "Y"}, {"code": "X"}], key_column="code")
    assert (result.inserted, [f.index for f in result.failed]) == (1, [1])


Handler = Callable[[web.Request], Awaitable[Any]]
NO_WAIT_RETRY = RetryPolicy(backoff_base=0.0, backoff_max=0.0)
Fault = Callable[[web.Request, Handler], Awaitable[Any]]


def busy(status: int) -> web.Response:
    error = {"id": "err_1", "code": status, "type": "Unknown", "message": "busy"}
    return web.json_response(error, status=status)


async def faulty_emulator(
    monkeypatch: pytest.MonkeyPatch, fault: Fault
) -> Emulator:
    """An emulator (not started) whose app runs ``fault`` as a middleware after authentication."""
    real_make_app = emulator_server.make_app

    def make_app_with_fault(state: Any) -> web.Application:
        state.middlewares.append(web.middleware(fault))
        return real_make_app(state)

    monkeypatch.setattr(emulator_server, "make_app", make_app_with_fault)
    return Emulator()


async def test_a_chunk_answered_503_then_200_is_retried_and_written_once(
    monkeypatch: pytest.MonkeyPatch, botpress_bot_id: str, client_for: Callable[..., Client]
) -> None:
    failures = {"left": 1}

    async def fail_first_upsert(request: web.Request, handler: Handler) -> Any:
        if request.path.endswith("/rows/upsert") and failures["left"]:
            failures["left"] -= 1
            return busy(503)
        return await handler(request)

    async with await faulty_emulator(monkeypatch, fail_first_upsert) as emulator, client_for(
        emulator, botpress_bot_id, retry=NO_WAIT_RETRY
    ) as bp:
        await make_table(bp)
        result = await bp.tables.bulk_upsert(T, airports(50), key_column="code", chunk_size=25, concurrency=1)
        assert (result.inserted, result.retries, result.failed) == (50, 1, [])
        assert (await bp.tables.get(T)).rows == 50
    assert failures["left"] == 0


async def test_bulk_create_under_commit_then_fail_reports_uncertain_rows_and_never_duplicates(
    monkeypatch: pytest.MonkeyPatch, botpress_bot_id: str, client_for: Callable[..., Client]
) -> None:
    creates = {"seen": 0}

    async def commit_then_fail_second_create(request: web.Request, handler: Handler) -> Any:
        if request.method == "POST" and request.path.endswith("/rows"):
            creates["seen"] += 1
            response = await handler(request)  # the rows are written ...
            if creates["seen"] == 2:
                return busy(502)  # ... and the answer is lost
            return response
        return await handler(request)

    async with await faulty_emulator(monkeypatch, commit_then_fail_second_create) as emulator, client_for(
        emulator, botpress_bot_id, retry=NO_WAIT_RETRY
    ) as bp:
        await make_table(bp, key_column=None)
        result = await bp.tables.bulk_create(T, airports(30), chunk_size=10, concurrency=1)
        assert creates["seen"] == 3  # the failed create was not re-sent
        assert (result.inserted, [u.index for u in result.uncertain]) == (20, list(range(10, 20)))
        codes = [row["code"] async for row in bp.tables.find_rows(T, limit=1000)]
    assert sorted(codes) == [f"C{i:05d}" for i in range(30)]  # every row once: none lost, none twice


def client_tasks() -> set[asyncio.Task[Any]]:
    """The loop's tasks minus the emulator's own request handlers (it serves from this loop too)."""
    return {
        task for task in asyncio.all_tasks()
        if not getattr(task.get_coro(), "__qualname__", "").startswith("RequestHandler.")
    }


async def test_cancelling_a_bulk_upsert_mid_run_leaves_no_task(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp)
    done: list[int] = []
    before = client_tasks()
    task = asyncio.create_task(bp.tables.bulk_upsert(
        T, airports(20_000), key_column="code", chunk_size=100, concurrency=4,
        on_progress=lambda d, _: done.append(d)))
    while not done:
        await asyncio.sleep(0.001)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert client_tasks() == before
    written = (await bp.tables.get(T)).rows
    assert 0 < written < 20_000


async def test_bulk_upsert_from_an_async_generator(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp)

    async def source() -> AsyncIterator[dict[str, Any]]:
        for row in airports(1500):
            yield row

    result = await bp.tables.bulk_upsert(T, source(), key_column="code")
    assert (result.total, result.inserted) == (1500, 1500)


async def test_bulk_delete_removes_the_rows_and_counts_missing_ids(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp)
    await bp.tables.bulk_upsert(T, airports(30), key_column="code")
    result = await bp.tables.bulk_delete(T, [*range(1, 21), 999], chunk_size=7)
    assert (result.deleted, result.not_found, result.failed) == (20, 1, [])
    assert (await bp.tables.get(T)).rows == 10


async def test_find_rows_filters_orders_and_pages_across_three_pages(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp)
    await bp.tables.bulk_upsert(T, airports(100), key_column="code")
    paginator = bp.tables.find_rows(
        T, filter={"state": {"$in": ["AK", "CA"]}, "elevation": {"$gte": 20}}, order_by="elevation",
        order_direction="desc", limit=15,
    )
    pages = [page async for page in paginator.pages()]
    rows = [row for page in pages for row in page.rows]
    assert [len(p.rows) for p in pages] == [15, 15, 10]
    assert [p.offset for p in pages] == [0, 15, 30]
    assert [r["elevation"] for r in rows] == sorted(
        (i for i in range(20, 100) if i % 4 in (0, 1)), reverse=True)
    assert [r["elevation"] async for r in paginator] == [r["elevation"] for r in rows]


async def test_find_rows_awaited_gives_one_page(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp)
    await bp.tables.bulk_upsert(T, airports(10), key_column="code")
    page = await bp.tables.find_rows(T, limit=4, offset=2)
    assert ([r.id for r in page.rows], page.has_more, page.offset, page.limit) == ([3, 4, 5, 6], True, 2, 4)


async def test_find_rows_groups_by_key_with_aggregates(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp)
    await bp.tables.bulk_upsert(T, airports(8), key_column="code")
    page = await bp.tables.find_rows(T, group={"state": "key", "elevation": ["sum", "max"], "code": "count"})
    summary = {r["stateKey"]: (r["elevationSum"], r["elevationMax"], r["codeCount"]) for r in page.rows}
    assert summary == {"AK": (4, 4, 2), "CA": (6, 5, 2), "NY": (10, 7, 2), "TX": (8, 6, 2)}


async def test_find_rows_search_ranks_rows_by_similarity(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp)
    await bp.tables.create_rows(T, [{"code": "A", "name": "big river"}, {"code": "B", "name": "small lake"}])
    page = await bp.tables.find_rows(T, search="lake")
    assert page.rows[0]["code"] == "B"
    assert page.rows[0].similarity is not None


async def test_table_lifecycle_get_or_create_update_rename_duplicate_delete(botpress_client: Client) -> None:
    bp = botpress_client
    created = await bp.tables.get_or_create(T, schema=SCHEMA, key_column="code")
    again = await bp.tables.get_or_create(T, schema={"other": "x"})
    assert (created.created, again.created, again.table.id) == (True, False, created.table.id)
    await bp.tables.create_rows(T, [{"code": "A", "name": "Alpha"}])
    updated = await bp.tables.update(T, schema={"state": None, "city": {"type": "string"}}, factor=2)
    assert "state" not in updated.table.schema["properties"]
    assert "city" in updated.table.schema["properties"]
    renamed = await bp.tables.rename_column(T, "name", "label")
    assert "label" in renamed.schema["properties"]
    assert (await bp.tables.find_rows(T)).rows[0]["label"] == "Alpha"
    copy = await bp.tables.duplicate(T, table_name="copyTable")
    assert (copy.table.name, copy.rows) == ("copyTable", 1)
    assert sorted(t.name for t in await bp.tables.list()) == ["airportsTable", "copyTable"]
    await bp.tables.delete("copyTable")
    assert [t.name for t in await bp.tables.list()] == ["airportsTable"]


async def test_row_operations_get_update_upsert_delete(botpress_client: Client) -> None:
    bp = botpress_client
    await make_table(bp)
    created = await bp.tables.create_rows(T, [{"code": "A", "elevation": 1}, {"code": "B", "elevation": 2}])
    first = created.rows[0]
    assert (await bp.tables.get_row(T, first.id))["code"] == "A"
    updated = await bp.tables.update_rows(T, [{"id": first.id, "elevation": 10}])
    assert updated.rows[0]["elevation"] == 10
    upserted = await bp.tables.upsert_rows(
        T, [{"code": "B", "elevation": 20}, {"code": "C"}], key_column="code")
    assert ([r["code"] for r in upserted.inserted], [r["code"] for r in upserted.updated]) == (["C"], ["B"])
    assert await bp.tables.delete_rows(T, filter={"code": "C"}) == 1
    assert await bp.tables.delete_rows(T, ids=[first.id]) == 1
    assert await bp.tables.delete_rows(T, delete_all_rows=True) == 1


async def test_export_then_download_and_upload_then_import_round_trip_a_table(
    botpress_client: Client, tmp_path: Path
) -> None:
    bp = botpress_client
    await make_table(bp)
    await bp.tables.bulk_upsert(T, airports(20), key_column="code")
    job = await bp.tables.export(T, format="json", compress=True)
    while job.status not in ("completed", "failed"):
        await asyncio.sleep(0.01)
        job = next(j for j in await bp.tables.jobs(T) if j.id == job.id)
    assert job.status == "completed" and job.output_file_id is not None
    exported = gzip.decompress(await bp.files.download(job.output_file_id))
    assert b"C00019" in exported

    await bp.tables.create("copyTable", schema=SCHEMA)
    path = tmp_path / "rows.json.gz"
    path.write_bytes(gzip.compress(exported))
    uploaded = await bp.files.upload("rows.json.gz", path)
    assert uploaded.size == path.stat().st_size
    job = await bp.tables.import_("copyTable", uploaded.id)
    while job.status not in ("completed", "failed"):
        await asyncio.sleep(0.01)
        job = next(j for j in await bp.tables.jobs("copyTable") if j.id == job.id)
    assert job.status == "completed"
    assert (await bp.tables.get("copyTable")).rows == 20


async def test_files_upload_get_list_delete(botpress_client: Client) -> None:
    bp = botpress_client
    uploaded = await bp.files.upload("notes.json", json.dumps({"a": 1}), content_type="application/json",
                                     tags={"kind": "note"})
    assert (await bp.files.get(uploaded.id)).key == "notes.json"
    assert await bp.files.download(uploaded.id) == b'{"a": 1}'
    assert [f.id async for f in bp.files.list(tags={"kind": "note"})] == [uploaded.id]
    await bp.files.delete(uploaded.id)
    assert [f.id async for f in bp.files.list()] == []
