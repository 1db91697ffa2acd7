"""Table export and import jobs: run in the background on the event loop, progress kept in SQLite.

A job row (``bp_table_jobs``) is what ``exportTable``, ``importTable`` and ``getTableJobs`` answer:
``{id, botId, tableId, type, status, progress, inputFileId, outputFileId, createdAt, updatedAt}``.

Pinned choices:

- A job starts ``pending`` and is answered at once; an asyncio task moves it to ``in_progress`` and then
  ``completed`` (or ``failed``). ``progress`` is a percentage, 0 to 100. Outside a running event loop
  (direct store use) the job runs to the end before the call returns.
- Export ``json`` writes ``{"table": {name, schema, keyColumn, factor}, "rows": [row...]}``; ``csv`` writes a
  header ``id,createdAt,updatedAt,<columns in order>`` then one line per row (null -> empty field,
  booleans ``true``/``false``, objects and arrays as JSON). Both are gzipped unless ``compress=false``.
  The output is a file of the bot (``tables/<table name>/exports/<job id>.<json|csv>[.gz]``).
- Import reads a file of the bot (ResourceNotFound otherwise), gunzips it when it starts with the gzip
  magic bytes, and reads JSON (an object with ``rows``, or an array of rows) when it starts with ``{`` or
  ``[``, CSV otherwise. CSV fields are converted by column type (numbers, ``true``/``false``, JSON for
  objects/arrays, empty -> null). ``id``/``createdAt``/``updatedAt`` are ignored: imported rows get new
  ids, existing rows are kept. Rows are inserted 1000 at a time; rows the table rejects are skipped
  (the job still completes); a file that cannot be read fails the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import gzip
import io
import json
import secrets
import sqlite3
from collections.abc import Callable
from typing import Any

from aiohttp import web

from botpress_async.emulator import store
from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator.clock import Clock, iso
from botpress_async.emulator.files import FileStore
from botpress_async.emulator.tables import TableStore

__all__ = ["JOBS_KEY", "TableJobs", "install"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bp_table_jobs (
    id             TEXT NOT NULL PRIMARY KEY,
    bot_id         TEXT NOT NULL,
    table_id       TEXT NOT NULL,
    type           TEXT NOT NULL,
    status         TEXT NOT NULL,
    progress       REAL NOT NULL,
    input_file_id  TEXT,
    output_file_id TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bp_table_jobs_table ON bp_table_jobs (bot_id, table_id, created_at);
"""

_CHUNK = 1000
_SYSTEM = ("id", "createdAt", "updatedAt")


class TableJobs:
    """Starts export/import jobs and reports them.

    Args:
        tables: the Tables store.
        files: the file store (export output, import input).
        clock: source of the jobs' dates.
    """

    def __init__(self, tables: TableStore, files: FileStore, clock: Clock) -> None:
        self.tables = tables
        self.files = files
        self.clock = clock
        self.db: sqlite3.Connection = tables.db
        self._tasks: set[asyncio.Task[None]] = set()
        self.db.executescript(_SCHEMA)

    def _now(self) -> str:
        return iso(self.clock.now_ms())

    def _wire(self, row: Any) -> dict[str, Any]:
        return {
            "id": row["id"],
            "botId": row["bot_id"],
            "tableId": row["table_id"],
            "type": row["type"],
            "status": row["status"],
            "progress": row["progress"],
            "inputFileId": row["input_file_id"],
            "outputFileId": row["output_file_id"],
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
        }

    def job(self, job_id: str) -> dict[str, Any]:
        """The job ``job_id``."""
        return self._wire(self.db.execute("SELECT * FROM bp_table_jobs WHERE id = ?", (job_id,)).fetchone())

    def list_jobs(self, bot: str, ref: str) -> list[dict[str, Any]]:
        """The table's jobs, newest first. API: ``GET /v1/tables/{table}/jobs``."""
        table = self.tables.table(bot, ref)
        rows = self.db.execute(
            "SELECT * FROM bp_table_jobs WHERE bot_id = ? AND table_id = ? "
            "ORDER BY created_at DESC, rowid DESC",
            (bot, table.id),
        ).fetchall()
        return [self._wire(r) for r in rows]

    def _set(self, job_id: str, **fields: Any) -> None:
        assignments = ", ".join(f"{name} = :{name}" for name in fields)
        with store.transaction(self.db):
            self.db.execute(
                f"UPDATE bp_table_jobs SET {assignments}, updated_at = :now WHERE id = :id",
                {**fields, "now": self._now(), "id": job_id},
            )

    def _create(self, bot: str, table_id: str, type: str, input_file_id: str | None) -> str:
        job_id = "job_" + secrets.token_hex(13)
        now = self._now()
        with store.transaction(self.db):
            self.db.execute(
                "INSERT INTO bp_table_jobs (id, bot_id, table_id, type, status, progress, input_file_id, "
                "output_file_id, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, NULL, ?, ?)",
                (job_id, bot, table_id, type, input_file_id, now, now),
            )
        return job_id

    def _launch(self, job_id: str, work: Callable[[], Any]) -> None:
        async def run() -> None:
            await asyncio.sleep(0)
            try:
                self._set(job_id, status="in_progress")
                result = work()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # a job's failure is reported on the job, never raised
                self._set(job_id, status="failed")
            else:
                self._set(job_id, status="completed", progress=100)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait(self) -> None:
        """Wait until every started job has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def start_export(self, bot: str, ref: str, *, format: str, compress: bool) -> dict[str, Any]:
        """Start exporting the table to a file. API: ``GET /v1/tables/{table}/export`` -> ``{job}``.

        Args:
            format: ``json`` or ``csv``.
            compress: gzip the output.

        Raises:
            EmulatorError: ResourceNotFound (table).
        """
        table = self.tables.table(bot, ref)
        job_id = self._create(bot, table.id, "export", None)

        def work() -> None:
            record = self.tables.table(bot, table.id)
            rows = list(self.tables.iter_rows(bot, table.id))
            if format == "csv":
                data, content_type = _to_csv(list(record.columns), rows), "text/csv"
            else:
                document = {
                    "table": {
                        "name": record.name,
                        "schema": record.schema,
                        "keyColumn": record.key_column,
                        "factor": record.factor,
                    },
                    "rows": rows,
                }
                data, content_type = json.dumps(document, ensure_ascii=False).encode(), "application/json"
            key = f"tables/{record.name}/exports/{job_id}.{'csv' if format == 'csv' else 'json'}"
            if compress:
                data, content_type, key = gzip.compress(data), "application/gzip", key + ".gz"
            file = self.files.save(bot, key, data, content_type)
            self._set(job_id, output_file_id=file["id"])

        self._launch(job_id, work)
        return self.job(job_id)

    def start_import(self, bot: str, ref: str, file_id: str) -> dict[str, Any]:
        """Start importing rows from a file into the table. API: ``POST /v1/tables/{table}/import``.

        Raises:
            EmulatorError: ResourceNotFound (table or file).
        """
        table = self.tables.table(bot, ref)
        self.files.get(bot, file_id)
        job_id = self._create(bot, table.id, "import", file_id)

        async def work() -> None:
            content = self.files.content(file_id, bot)
            if content is None:
                raise ValueError("the file has no content")
            record = self.tables.table(bot, table.id)
            rows = _read_rows(content, record.columns)
            for start in range(0, len(rows), _CHUNK):
                chunk = [
                    {k: v for k, v in row.items() if k not in _SYSTEM} for row in rows[start : start + _CHUNK]
                ]
                # A chunk whose every row is rejected raises; its rows are skipped like any rejected row.
                with contextlib.suppress(EmulatorError):
                    self.tables.create_rows(bot, table.id, chunk)
                self._set(job_id, progress=round(100 * min(len(rows), start + _CHUNK) / len(rows), 2))
                await asyncio.sleep(0)

        self._launch(job_id, work)
        return self.job(job_id)


def _csv_field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _to_csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [*_SYSTEM, *columns]
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_field(row.get(name)) for name in header])
    return out.getvalue().encode("utf-8")


def _from_csv_field(text: str, column: dict[str, Any] | None) -> Any:
    if text == "":
        return None
    kind = column.get("type") if column else "string"
    try:
        if kind == "number":
            number = float(text)
            return (
                int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
            )
        if kind == "boolean" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if kind in ("object", "array"):
            return json.loads(text)
    except ValueError:
        return text  # left as text: the row is then reported invalid by the table's schema
    return text


def _read_rows(content: bytes, columns: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    if content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)
    text = content.decode("utf-8-sig")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        document = json.loads(stripped)
        rows = document.get("rows") if isinstance(document, dict) else document
        if not isinstance(rows, list):
            raise ValueError("a JSON import holds an array of rows or an object with rows")
        return [r for r in rows if isinstance(r, dict)]
    reader = csv.DictReader(io.StringIO(text))
    return [
        {
            name: _from_csv_field(value or "", columns.get(name))
            for name, value in line.items()
            if name is not None
        }
        for line in reader
    ]


JOBS_KEY = web.AppKey("botpress_table_jobs", TableJobs)


def install(app: web.Application, tables: TableStore, files: FileStore, clock: Clock) -> TableJobs:
    """Create the application's job runner (``app[JOBS_KEY]``); pending jobs are awaited at cleanup."""
    jobs = TableJobs(tables, files, clock)
    app[JOBS_KEY] = jobs

    async def finish(_: web.Application) -> None:
        await jobs.wait()

    app.on_cleanup.insert(0, finish)
    return jobs
