"""Table export/import jobs and the file store, without HTTP (``await jobs.wait()`` runs the jobs started)."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

import pytest

from botpress_async.emulator import store
from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator.clock import ManualClock
from botpress_async.emulator.files import FileStore
from botpress_async.emulator.table_jobs import TableJobs
from botpress_async.emulator.tables import TableStore

BOT = "bot_jobs"
SCHEMA = {"name": "x", "n": 1, "ok": True, "info": {"a": 1}}


@pytest.fixture
async def jobs() -> AsyncIterator[TableJobs]:
    db = store.connect(":memory:")
    clock = ManualClock(1_700_000_000_000)
    try:
        tables = TableStore(db, clock)
        tables.create_table(BOT, {"name": "srcTable", "schema": SCHEMA})
        tables.create_table(BOT, {"name": "dstTable", "schema": SCHEMA})
        table_jobs = TableJobs(tables, FileStore(db, clock), clock)
        yield table_jobs
        await table_jobs.wait()
    finally:
        db.close()


async def test_a_csv_export_writes_typed_fields_and_completes(jobs: TableJobs) -> None:
    jobs.tables.create_rows(BOT, "srcTable", [{"name": "a,b", "n": 2, "ok": False, "info": {"a": [1]}}])
    job = jobs.start_export(BOT, "srcTable", format="csv", compress=False)
    await jobs.wait()
    done = jobs.job(job["id"])
    assert (done["status"], done["progress"], done["type"]) == ("completed", 100, "export")
    content = jobs.files.content(done["outputFileId"])
    assert content is not None
    assert content.decode().splitlines()[1].endswith('"a,b",2,false,"{""a"": [1]}"')


async def test_importing_a_csv_converts_fields_by_column_type(jobs: TableJobs) -> None:
    csv = 'id,name,n,ok,info,unknown\n7,x,1.5,true,"{""a"": 2}",z\n8,,3,false,,\n'
    file = jobs.files.save(BOT, "in.csv", csv.encode(), "text/csv")
    job = jobs.start_import(BOT, "dstTable", file["id"])
    await jobs.wait()
    assert jobs.job(job["id"])["status"] == "completed"
    rows = jobs.tables.find_rows(BOT, "dstTable", {})["rows"]
    assert [(r["id"], r["name"], r["n"], r["ok"], r["info"]) for r in rows] == [
        (1, "x", 1.5, True, {"a": 2}),
        (2, None, 3, False, None),
    ]


async def test_importing_gzipped_json_rows_keeps_existing_rows(jobs: TableJobs) -> None:
    jobs.tables.create_rows(BOT, "dstTable", [{"name": "old"}])
    document = {"rows": [{"id": 1, "name": "new", "n": 4}, {"name": 5}]}
    file = jobs.files.save(
        BOT, "in.json.gz", gzip.compress(json.dumps(document).encode()), "application/gzip"
    )
    jobs.start_import(BOT, "dstTable", file["id"])
    await jobs.wait()
    assert [r["name"] for r in jobs.tables.find_rows(BOT, "dstTable", {})["rows"]] == ["old", "new"]


async def test_an_unreadable_import_file_fails_the_job(jobs: TableJobs) -> None:
    file = jobs.files.save(BOT, "bad.json", b"{not json", "application/json")
    job = jobs.start_import(BOT, "dstTable", file["id"])
    await jobs.wait()
    assert jobs.job(job["id"])["status"] == "failed"


async def test_an_import_from_another_bots_file_is_not_found(jobs: TableJobs) -> None:
    file = jobs.files.save("other_bot", "in.csv", b"name\nx\n", "text/csv")
    with pytest.raises(EmulatorError) as info:
        jobs.start_import(BOT, "dstTable", file["id"])
    assert info.value.type == "ResourceNotFound"


async def test_jobs_are_listed_newest_first_per_table(jobs: TableJobs) -> None:
    first = jobs.start_export(BOT, "srcTable", format="json", compress=True)
    second = jobs.start_export(BOT, "srcTable", format="json", compress=True)
    await jobs.wait()
    assert [j["id"] for j in jobs.list_jobs(BOT, "srcTable")] == [second["id"], first["id"]]
    assert jobs.list_jobs(BOT, "dstTable") == []


async def test_upserting_an_existing_key_resets_the_file(jobs: TableJobs) -> None:
    saved = jobs.files.save(BOT, "k", b"abc", "text/plain")
    again = jobs.files.upsert(BOT, {"key": "k", "size": 9})
    assert again["id"] == saved["id"] and again["status"] == "upload_pending"
    assert jobs.files.content(saved["id"]) is None
