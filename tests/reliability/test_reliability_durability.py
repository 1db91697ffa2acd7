"""Durability: the emulator process is killed with SIGKILL in the middle of a bulk write on a database
file, then restarted on the same file: every row whose call was answered 2xx is still there.

The emulator runs as a real subprocess (``python -m botpress_async.emulator --port 0``, which prints
the URL it bound). Which calls were answered 2xx is observed on the wire, through an aiohttp trace on
a session the test owns: a status line of 2xx is only sent after the write's transaction committed.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from reliability_helpers import TOKEN, bot_id, code, code_counts, coded_rows, fast_client

from botpress_async import RetryPolicy
from botpress_async.models import table_schema

T = "durableTable"
SCHEMA = table_schema({"code": "string", "n": "number"})
ROWS = 10_000
KILL_AFTER = 1_000  # acknowledged rows before the kill


@asynccontextmanager
async def emulator_process(db: Path) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """``python -m botpress_async.emulator`` on ``db`` and a free port: (process, base URL); killed after."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "botpress_async.emulator", "--port", "0", "--db", str(db), "--token", TOKEN,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        found = re.search(r"listening on (http://\S+)", line)
        assert found, f"unexpected first line from the emulator: {line!r}"
        yield proc, found.group(1)
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.communicate()


class Acknowledged:
    """An aiohttp trace collecting the rows of every POST to a path ending in ``suffix`` answered 2xx."""

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix
        self.codes: set[str] = set()
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_chunk_sent.append(self._sent)
        self.trace.on_request_end.append(self._answered)

    async def _sent(self, _: Any, ctx: SimpleNamespace, params: aiohttp.TraceRequestChunkSentParams) -> None:
        ctx.body = getattr(ctx, "body", b"") + params.chunk

    async def _answered(self, _: Any, ctx: SimpleNamespace, params: aiohttp.TraceRequestEndParams) -> None:
        written = params.method == "POST" and params.url.path.endswith(self.suffix)
        if written and 200 <= params.response.status < 300:
            self.codes.update(row["code"] for row in json.loads(ctx.body)["rows"])


@pytest.mark.parametrize("operation", ["bulk_upsert", "bulk_create"])
async def test_every_row_acknowledged_before_a_kill_9_is_there_after_a_restart(
    tmp_path: Path, operation: str
) -> None:
    db = tmp_path / "emulator.db"
    bot = bot_id()
    upsert = operation == "bulk_upsert"
    acked = Acknowledged("/rows/upsert" if upsert else "/rows")
    # Few, quick attempts: once the server is gone, the remaining chunks fail fast.
    retry = RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_max=0.002, max_retry_after=0.002)
    async with emulator_process(db) as (proc, url):
        async with aiohttp.ClientSession(trace_configs=[acked.trace]) as session, \
                fast_client(url, TOKEN, bot, session=session, retry=retry) as bp:
            await bp.tables.create(T, schema=SCHEMA)
            options: dict[str, Any] = {"key_column": "code"} if upsert else {}
            run = asyncio.create_task(getattr(bp.tables, operation)(
                T, coded_rows(ROWS), chunk_size=100, concurrency=4, **options))
            while len(acked.codes) < KILL_AFTER and not run.done():
                await asyncio.sleep(0.002)
            os.kill(proc.pid, signal.SIGKILL)
            result = await run
        assert await proc.wait() == -signal.SIGKILL
    assert KILL_AFTER <= len(acked.codes) < ROWS, "the kill should land in the middle of the run"
    assert result.accounted == result.total == ROWS
    assert result.failed or result.uncertain, "the rows after the kill cannot have been written"
    unconfirmed = {code(row.index) for row in [*result.failed, *result.uncertain]}
    confirmed = {code(i) for i in range(ROWS)} - unconfirmed
    assert confirmed <= acked.codes

    async with emulator_process(db) as (_, url), fast_client(url, TOKEN, bot) as bp:
        counts = await code_counts(bp, T)
    assert acked.codes <= counts.keys()  # every acknowledged row survived the kill
    assert max(counts.values()) == 1
    assert counts.keys() <= {code(i) for i in range(ROWS)}
