"""The bulk engine: accounting, chunking, bounded concurrency, failures, cancellation, progress."""

from __future__ import annotations

import asyncio
import json
import math
import re
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from fakes import FakeClock, make_client
from tables_wire import row, table_answer
from wire_recorder import BASE_URL

import botpress_async
from botpress_async import Client, bulk, errors
from botpress_async._transport import CallStats, Transport
from botpress_async.bulk import (
    MAX_WARNINGS,
    BulkError,
    ChunkReply,
    RowRejectedError,
    RowTooLargeError,
    RowWarning,
    attribute_errors,
    input_row_message,
    run_bulk,
)
from botpress_async.errors import APIConnectionError, InvalidPayloadError

T = "/v1/tables/airportsTable"


class FakeUpsert:
    """An operation answering every row as inserted, recording chunks and the calls in flight."""

    def __init__(
        self, *, delay: float = 0.0, gate: asyncio.Event | None = None, idempotent: bool = True
    ) -> None:
        self.delay = delay
        self.gate = gate
        self.in_flight = 0
        self.most_in_flight = 0
        self.chunks: list[list[Any]] = []
        self.started = 0
        self._idempotent = idempotent

    def prepare(self, row: Any) -> Any:
        return dict(row)

    def idempotent(self, items: list[Any]) -> bool:
        return self._idempotent

    async def send(self, transport: Transport, items: list[Any], stats: CallStats) -> ChunkReply:
        self.started += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        self.chunks.append(items)
        return ChunkReply(inserted=len(items))


def rows(n: int) -> Iterator[dict[str, int]]:
    return ({"n": i} for i in range(n))


async def run(bp: Client, source: Any, op: Any, **kw: Any) -> Any:
    options: dict[str, Any] = {
        "chunk_size": 10, "max_rows_per_call": 1000, "max_bytes": 1 << 20, "body_overhead": 96,
        "max_row_bytes": 4096, "concurrency": 4}
    options.update(kw)
    return await run_bulk(source, op, bp._transport, **options)


# -- through the Tables resource, on the wire ---------------------------------------------------------


async def test_bulk_upsert_accounts_for_good_oversized_invalid_and_rejected_rows(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    # The chunk sent holds input rows 0, 2, 4; the server refuses its second row (input row 2).
    wire.reply("POST", f"{T}/rows/upsert", {
        "inserted": [row(1, iata="A")], "updated": [row(2, iata="E")], "errors": ["row 1: bad value"],
        "warnings": ["column x ignored"]})
    source = [{"iata": "A"}, {"iata": "B", "blob": "x" * 5000}, {"iata": "C"}, {"iata": "D", "p": math.nan},
              {"iata": "E"}]
    result = await bp.tables.bulk_upsert("airportsTable", source, key_column="iata")
    assert (result.total, result.inserted, result.updated) == (5, 1, 1)
    assert [f.index for f in result.failed] == [1, 2, 3]
    assert isinstance(result.failed[0].error, RowTooLargeError)
    assert isinstance(result.failed[1].error, RowRejectedError)
    assert isinstance(result.failed[2].error, ValueError)
    assert result.failed[1].row == {"iata": "C"}
    assert result.warnings == ["column x ignored"]
    assert wire.calls[1].json["rows"] == [{"iata": "A"}, {"iata": "C"}, {"iata": "E"}]


async def test_bulk_upsert_uses_the_table_factor_for_the_row_size_limit(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer(factor=2))
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [row(1)], "updated": []})
    result = await bp.tables.bulk_upsert("airportsTable", [{"blob": "x" * 5000}])
    assert (result.inserted, result.failed) == (1, [])


async def test_bulk_upsert_chunk_answered_503_then_200_is_retried(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", status=503, body="busy")
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [], "updated": [row(1, iata="A")]})
    result = await bp.tables.bulk_upsert("airportsTable", [{"iata": "A"}], key_column="iata")
    assert (result.updated, result.retries, result.chunks, result.failed) == (1, 1, 1, [])


async def test_bulk_upsert_without_key_column_retries_rows_keyed_on_the_tables_key(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())  # the table's keyColumn is "iata"
    wire.reply("POST", f"{T}/rows/upsert", status=503, body="busy")
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [], "updated": [row(1, iata="A")]})
    result = await bp.tables.bulk_upsert("airportsTable", [{"iata": "A"}])
    assert (result.updated, result.retries) == (1, 1)
    assert wire.calls[1].json == {"rows": [{"iata": "A"}]}


async def test_bulk_upsert_of_rows_without_their_key_is_not_retried_after_503(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", status=503, body="busy", repeat=True)
    result = await bp.tables.bulk_upsert("airportsTable", [{"name": "no key"}])
    assert len([c for c in wire.calls if c.method == "POST"]) == 1
    assert [u.index for u in result.uncertain] == [0]


async def test_bulk_upsert_counts_429s_met(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", status=429, headers={"Retry-After": "0"}, payload={
        "id": "err_1", "code": 429, "type": "RateLimited", "message": "slow down"})
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [row(1)], "updated": []})
    result = await bp.tables.bulk_upsert("airportsTable", [{"iata": "A"}])
    assert (result.inserted, result.rate_limited, result.retries) == (1, 1, 1)


async def test_a_chunk_refused_by_the_server_is_recorded_not_raised(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", status=400, payload={
        "id": "err_1", "code": 400, "type": "InvalidPayload", "message": "no"})
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [row(3)], "updated": []})
    result = await bp.tables.bulk_upsert("airportsTable", rows(3), chunk_size=2, concurrency=1)
    assert [(f.index, type(f.error)) for f in result.failed] == [
        (0, InvalidPayloadError), (1, InvalidPayloadError)]
    assert result.inserted == 1


async def test_bulk_create_chunk_answered_502_is_sent_once_and_reported_uncertain(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows", status=502, body="bad gateway", repeat=True)
    result = await bp.tables.bulk_create("airportsTable", rows(3))
    assert len([c for c in wire.calls if c.method == "POST"]) == 1
    assert [u.index for u in result.uncertain] == [0, 1, 2]
    assert (result.inserted, result.failed) == (0, [])


async def test_bulk_create_chunk_refused_with_400_is_failed_not_uncertain(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows", status=400, payload={
        "id": "err_1", "code": 400, "type": "InvalidDataFormat", "message": "no row was written"})
    result = await bp.tables.bulk_create("airportsTable", rows(2))
    assert ([f.index for f in result.failed], result.uncertain) == ([0, 1], [])


async def test_bulk_create_maps_row_errors_to_input_indexes(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows", {"rows": [row(1), row(2)], "errors": ["row 1: n must be a string"]})
    result = await bp.tables.bulk_create("airportsTable", rows(3))
    assert result.inserted == 2
    assert [(f.index, str(f.error)) for f in result.failed] == [(1, "input row 1: n must be a string")]


async def test_bulk_delete_counts_deleted_and_not_found(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/delete", {"deletedRows": 2})
    wire.reply("POST", f"{T}/rows/delete", {"deletedRows": 1})
    result = await bp.tables.bulk_delete("airportsTable", [1, 2, 3, 0, 4], chunk_size=2, concurrency=1)
    assert (result.deleted, result.not_found, [f.index for f in result.failed]) == (3, 1, [3])
    assert [c.json for c in wire.calls] == [{"ids": [1, 2]}, {"ids": [3, 4]}]


async def test_bulk_upsert_of_a_missing_table_raises_before_reading_rows(bp: Client, wire) -> None:
    wire.reply("GET", T, status=404, payload={
        "id": "e", "code": 404, "type": "ResourceNotFound", "message": "x"})
    pulled = []

    def source() -> Iterator[dict[str, int]]:
        pulled.append(1)
        yield {"n": 1}

    with pytest.raises(Exception, match="x"):
        await bp.tables.bulk_upsert("airportsTable", source())
    assert pulled == []


async def test_chunks_are_split_by_encoded_size(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [], "updated": []}, repeat=True)
    source = [{"id": i + 1, "text": "é" * 300} for i in range(20)]  # about 620 bytes each (é is 2 bytes)
    await bp.tables.bulk_upsert("airportsTable", source, max_bytes=2048, concurrency=1)
    posts = [c for c in wire.calls if c.method == "POST"]
    assert len(posts) == 7  # 3 rows fit under 2048 bytes with the body's overhead, never 4
    assert all(len(c.data or b"") <= 2048 for c in posts)
    assert sum(len(c.json["rows"]) for c in posts) == 20


# -- the engine with a fake operation -----------------------------------------------------------------


async def test_chunks_hold_at_most_chunk_size_rows(bp: Client) -> None:
    op = FakeUpsert()
    result = await run(bp, rows(25), op, chunk_size=10, concurrency=1)
    assert [len(c) for c in op.chunks] == [10, 10, 5]
    assert (result.inserted, result.chunks) == (25, 3)


async def test_never_more_calls_in_flight_than_concurrency(bp: Client) -> None:
    op = FakeUpsert(delay=0.001)
    result = await run(bp, rows(400), op, chunk_size=5, concurrency=4)
    assert op.most_in_flight == 4
    assert result.inserted == 400


async def test_input_is_streamed_not_read_ahead(bp: Client) -> None:
    gate = asyncio.Event()
    op = FakeUpsert(gate=gate)
    pulled = 0

    def source() -> Iterator[dict[str, int]]:
        nonlocal pulled
        for i in range(10_000):
            pulled += 1
            yield {"n": i}

    task = asyncio.create_task(run(bp, source(), op, chunk_size=10, concurrency=2))
    for _ in range(20):
        await asyncio.sleep(0)
    # 2 chunks in flight, 2 queued, one being built: the rest of the input is not touched.
    assert pulled <= 5 * 10 + 1
    gate.set()
    result = await task
    assert result.inserted == 10_000


async def test_async_iterable_input_is_consumed(bp: Client) -> None:
    async def source() -> AsyncIterator[dict[str, int]]:
        for i in range(23):
            yield {"n": i}

    result = await run(bp, source(), FakeUpsert())
    assert (result.total, result.inserted) == (23, 23)


async def test_progress_callback_reports_done_and_the_total_of_a_sized_input(bp: Client) -> None:
    seen: list[tuple[int, int | None]] = []
    await run(bp, list(rows(25)), FakeUpsert(), concurrency=1, on_progress=lambda d, t: seen.append((d, t)))
    assert seen == [(10, 25), (20, 25), (25, 25)]


async def test_progress_callback_total_is_none_for_a_generator(bp: Client) -> None:
    seen: list[tuple[int, int | None]] = []
    await run(bp, rows(5), FakeUpsert(), on_progress=lambda d, t: seen.append((d, t)))
    assert seen == [(5, None)]


async def test_progress_bar_without_tqdm_names_the_extra_to_install(bp: Client, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError, match=r"botpress-async\[progress\]"):
        await run(bp, rows(1), FakeUpsert(), progress=True)


async def test_progress_bar_counts_every_row(bp: Client, capsys) -> None:
    result = await run(bp, list(rows(12)), FakeUpsert(), progress=True)
    assert result.inserted == 12
    assert "12/12" in capsys.readouterr().err


async def test_fail_fast_raises_with_the_partial_result(bp: Client) -> None:
    class FailSecond(FakeUpsert):
        async def send(self, transport: Transport, items: list[Any], stats: CallStats) -> ChunkReply:
            if items[0]["n"] == 10:
                raise APIConnectionError("could not connect")
            return await super().send(transport, items, stats)

    with pytest.raises(BulkError) as caught:
        await run(bp, rows(100), FailSecond(), chunk_size=10, concurrency=1, fail_fast=True)
    result = caught.value.result
    assert isinstance(caught.value.__cause__, APIConnectionError)
    assert result.inserted == 10
    assert result.accounted == result.total
    assert result.failed[0].index == 10


async def test_fail_fast_reports_chunks_cancelled_in_flight_as_uncertain(bp: Client) -> None:
    class FailThird(FakeUpsert):
        async def send(self, transport: Transport, items: list[Any], stats: CallStats) -> ChunkReply:
            if items[0]["n"] == 20:
                while self.in_flight < 2:  # the first two chunks are in flight, blocked on the gate
                    await asyncio.sleep(0)
                raise APIConnectionError("could not connect")
            return await super().send(transport, items, stats)

    op = FailThird(gate=asyncio.Event())
    with pytest.raises(BulkError) as caught:
        await run(bp, rows(100), op, chunk_size=10, concurrency=3, fail_fast=True)
    result = caught.value.result
    assert [u.index for u in result.uncertain] == list(range(20))
    assert [f.index for f in result.failed][:10] == list(range(20, 30))
    assert result.accounted == result.total
    assert op.in_flight == 0


async def test_fail_fast_stops_at_a_locally_invalid_row(bp: Client) -> None:
    source = [{"n": 1}, {"n": math.inf}, *({"n": i} for i in range(50))]
    with pytest.raises(BulkError) as caught:
        await run(bp, source, FakeUpsert(), fail_fast=True)
    assert caught.value.result.accounted == caught.value.result.total
    assert caught.value.result.total < len(source)


async def test_without_fail_fast_a_failed_chunk_does_not_stop_the_run(bp: Client) -> None:
    class FailFirst(FakeUpsert):
        async def send(self, transport: Transport, items: list[Any], stats: CallStats) -> ChunkReply:
            if items[0]["n"] == 0:
                raise APIConnectionError("reset")
            return await super().send(transport, items, stats)

    result = await run(bp, rows(30), FailFirst(), concurrency=1)
    assert (result.inserted, len(result.failed)) == (20, 10)


async def test_a_transport_failure_of_a_non_idempotent_chunk_is_uncertain(bp: Client) -> None:
    class Reset(FakeUpsert):
        async def send(self, transport: Transport, items: list[Any], stats: CallStats) -> ChunkReply:
            raise APIConnectionError("connection reset")

    result = await run(bp, rows(3), Reset(idempotent=False))
    assert ([u.index for u in result.uncertain], result.failed) == ([0, 1, 2], [])


async def test_cancelling_the_caller_cancels_in_flight_chunks_and_leaves_no_task(bp: Client) -> None:
    gate = asyncio.Event()
    op = FakeUpsert(gate=gate)
    before = asyncio.all_tasks()
    task = asyncio.create_task(run(bp, rows(1000), op, concurrency=3))
    while op.in_flight < 3:
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert op.in_flight == 0
    assert asyncio.all_tasks() == before


@pytest.mark.parametrize("kwargs", [{"chunk_size": 0}, {"chunk_size": 1001}, {"concurrency": 0},
                                    {"max_bytes": 100}])
async def test_bad_engine_settings_are_refused(bp: Client, kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        await run(bp, rows(1), FakeUpsert(), **kwargs)


async def test_a_single_mapping_is_not_taken_for_rows(bp: Client) -> None:
    with pytest.raises(TypeError, match="iterable of rows"):
        await run(bp, {"n": 1}, FakeUpsert())


# -- tying errors to rows -----------------------------------------------------------------------------


def test_errors_with_row_indexes_name_the_refused_rows() -> None:
    failed, unattributed = attribute_errors(4, 2, ["row 1: bad", "Row #3: worse"])
    assert (failed, unattributed) == ({1: "row 1: bad", 3: "Row #3: worse"}, None)


def test_errors_without_indexes_fall_back_to_the_key_values() -> None:
    failed, unattributed = attribute_errors(
        3, 2, ["duplicate key"], keys=["a", "b", "c"], succeeded_keys={"a", "c"})
    assert (failed, unattributed) == ({1: "duplicate key"}, None)


def test_errors_that_cannot_be_tied_to_rows_are_reported_unattributed() -> None:
    failed, unattributed = attribute_errors(3, 1, ["something failed"])
    assert failed == {}
    assert unattributed is not None and "2 of 3" in unattributed


async def test_unattributed_failures_make_the_chunk_uncertain(bp: Client) -> None:
    class Vague(FakeUpsert):
        async def send(self, transport: Transport, items: list[Any], stats: CallStats) -> ChunkReply:
            return ChunkReply(inserted=len(items) - 1, unattributed="one row failed")

    result = await run(bp, rows(3), Vague())
    assert (result.inserted, len(result.uncertain), result.accounted) == (0, 3, 3)


def test_bulk_result_json_sizes_are_compact() -> None:
    # The engine sizes chunks on compact UTF-8 JSON, the transport's own encoding.
    assert len(json.dumps({"a": "é"}, separators=(",", ":"), ensure_ascii=False).encode()) == 10


async def test_an_error_raised_by_the_input_reaches_the_caller_as_it_is(bp: Client) -> None:
    def source() -> Iterator[dict[str, int]]:
        yield {"n": 1}
        raise KeyError("broken source")

    with pytest.raises(KeyError, match="broken source"):
        await run(bp, source(), FakeUpsert())


# -- what the transport knows about a failed chunk ---------------------------------------------------


async def test_bulk_create_chunk_whose_connect_timed_out_every_attempt_is_failed_not_uncertain(
    bp: Client, wire
) -> None:
    wire.reply("GET", T, table_answer())
    wire.add(re.compile(re.escape(f"{BASE_URL}{T}/rows")), "POST", exception=aiohttp.ConnectionTimeoutError(),
             repeat=True)
    result = await bp.tables.bulk_create("airportsTable", rows(2))
    assert ([f.index for f in result.failed], result.uncertain) == ([0, 1], [])
    assert result.failed[0].error.request_sent is False  # type: ignore[attr-defined]


async def test_bulk_create_chunk_whose_body_could_never_be_written_is_failed_not_uncertain(
    bp: Client, wire
) -> None:
    wire.reply("GET", T, table_answer())
    unsent = aiohttp.ClientOSError(None, f"Can not write request body for {BASE_URL}{T}/rows")
    wire.add(re.compile(re.escape(f"{BASE_URL}{T}/rows")), "POST", exception=unsent, repeat=True)
    result = await bp.tables.bulk_create("airportsTable", rows(2))
    assert ([f.index for f in result.failed], result.uncertain) == ([0, 1], [])


async def test_a_non_idempotent_chunk_failing_with_request_sent_false_is_failed(bp: Client) -> None:
    class Refused(FakeUpsert):
        async def send(self, transport: Transport, items: list[Any], stats: CallStats) -> ChunkReply:
            raise APIConnectionError("could not connect", request_sent=False)

    result = await run(bp, rows(3), Refused(idempotent=False))
    assert ([f.index for f in result.failed], result.uncertain) == ([0, 1, 2], [])


# -- what the run's own calls cost ----------------------------------------------------------------------


async def test_429s_and_retries_of_other_calls_during_a_run_are_not_counted_in_its_result(
    bp: Client, wire
) -> None:
    other = "/v1/chat/users/user_1"
    wire.reply("GET", other, status=429, headers={"Retry-After": "0"}, payload={
        "id": "err_1", "code": 429, "type": "RateLimited", "message": "slow down"})
    wire.reply("GET", other, {"user": {}})
    gate = asyncio.Event()
    task = asyncio.create_task(run(bp, rows(5), FakeUpsert(gate=gate)))
    await asyncio.sleep(0)  # the run has started and waits on the gate
    await bp.request("GET", other)
    gate.set()
    result = await task
    assert bp.rate_limit_stats.rate_limited == 1
    assert (result.rate_limited, result.retries, result.waited_seconds) == (0, 0, 0.0)


async def test_waited_seconds_sums_the_runs_retry_waits(wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", status=429, headers={"Retry-After": "2"}, payload={
        "id": "err_1", "code": 429, "type": "RateLimited", "message": "slow down"})
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [row(1)], "updated": []})
    async with make_client(FakeClock()) as bp:
        result = await bp.tables.bulk_upsert("airportsTable", [{"iata": "A"}])
    assert (result.inserted, result.rate_limited, result.retries, result.waited_seconds) == (1, 1, 1, 2.0)


async def test_bulk_upsert_sends_the_key_column_given_and_retries_rows_keyed_on_it(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())  # the table's keyColumn is "iata": the one given wins
    wire.reply("POST", f"{T}/rows/upsert", status=503, body="busy")
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [], "updated": [row(1, name="A")]})
    result = await bp.tables.bulk_upsert("airportsTable", [{"name": "A"}], key_column="name")
    assert (result.updated, result.retries) == (1, 1)
    assert wire.calls[2].json == {"rows": [{"name": "A"}], "keyColumn": "name"}


# -- server row positions mapped to input indexes -----------------------------------------------------


async def test_a_rejected_rows_message_names_its_input_row_not_its_position_in_the_chunk(
    bp: Client, wire
) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [row(1), row(2)], "updated": []})
    wire.reply("POST", f"{T}/rows/upsert", {
        "inserted": [row(3)], "updated": [],
        "errors": ["row 1: column 'active': 'yes' is not of type 'boolean'"]})
    source = [{"iata": str(i)} for i in range(4)]
    result = await bp.tables.bulk_upsert(
        "airportsTable", source, key_column="iata", chunk_size=2, concurrency=1)
    assert [(f.index, str(f.error)) for f in result.failed] == [
        (3, "input row 3: column 'active': 'yes' is not of type 'boolean'")]


async def test_warnings_name_their_input_row_and_carry_its_index(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [row(1), row(2)], "updated": []})
    wire.reply("POST", f"{T}/rows/upsert", {
        "inserted": [row(3), row(4)], "updated": [],
        "warnings": ["row 0: column 'extra' does not exist in table 'airportsTable'; ignored",
                     "some warning about no row"]})
    source = [{"iata": str(i)} for i in range(4)]
    result = await bp.tables.bulk_upsert(
        "airportsTable", source, key_column="iata", chunk_size=2, concurrency=1)
    assert result.warnings == [
        "input row 2: column 'extra' does not exist in table 'airportsTable'; ignored",
        "some warning about no row"]
    assert [w.input_index for w in result.warnings if isinstance(w, RowWarning)] == [2, None]


def test_input_row_message_leaves_other_text_and_out_of_chunk_positions_verbatim() -> None:
    assert input_row_message("row 7: bad; rows[1] worse", [10, 11]) == ("row 7: bad; input row 11 worse", 11)


async def test_fail_fast_error_names_the_input_row(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [row(1), row(2)], "updated": []})
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [row(3)], "updated": [], "errors": ["row 0: nope"]})
    source = [{"iata": str(i)} for i in range(4)]
    with pytest.raises(BulkError, match=r"input row 2: nope"):
        await bp.tables.bulk_upsert(
            "airportsTable", source, key_column="iata", chunk_size=2, concurrency=1, fail_fast=True)


async def test_a_run_keeps_at_most_max_warnings_and_counts_the_rest(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    many = [f"row {i}: column 'x' does not exist; ignored" for i in range(MAX_WARNINGS + 5)]
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [row(1)], "updated": [], "warnings": many})
    result = await bp.tables.bulk_upsert("airportsTable", [{"iata": "A"}])
    assert (len(result.warnings), result.warnings_omitted) == (MAX_WARNINGS, 5)


# -- the key column is checked against the table ------------------------------------------------------


async def test_bulk_upsert_with_a_key_column_the_table_lacks_raises_before_sending(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())

    def never() -> Iterator[dict[str, str]]:
        raise AssertionError("no row may be read")
        yield {}

    with pytest.raises(ValueError, match=r"key_column 'nocol' is not a column of table 'airportsTable'"):
        await bp.tables.bulk_upsert("airportsTable", never(), key_column="nocol")
    assert [c.method for c in wire.calls] == ["GET"]


async def test_bulk_upsert_accepts_id_as_key_column(bp: Client, wire) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [], "updated": [row(1)]})
    result = await bp.tables.bulk_upsert("airportsTable", [{"id": 1}], key_column="id")
    assert result.updated == 1


def test_table_rows_error_is_one_class_wherever_it_is_imported_from() -> None:
    assert bulk.TableRowsError is errors.TableRowsError is botpress_async.TableRowsError


async def test_chunk_size_above_the_callers_per_call_limit_is_refused_before_reading(bp: Client) -> None:
    read: list[int] = []

    def source() -> Iterator[dict[str, int]]:
        read.append(1)
        yield {"n": 0}

    with pytest.raises(ValueError, match=r"chunk_size must be in 1\.\.50"):
        await run(bp, source(), FakeUpsert(), chunk_size=51, max_rows_per_call=50)
    assert read == []


async def test_the_body_overhead_given_counts_against_max_bytes(bp: Client) -> None:
    # Each {"n":i} row (i < 10) is 7 bytes of JSON and a comma: 1024 - 1000 leaves room for three per chunk.
    op = FakeUpsert()
    result = await run(bp, rows(10), op, max_bytes=1024, body_overhead=1000, chunk_size=100)
    assert result.inserted == 10
    assert sorted(len(chunk) for chunk in op.chunks) == [1, 3, 3, 3]
