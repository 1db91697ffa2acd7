"""One measurement in a fresh Python process: ``python -m benchmarks.worker '<json spec>'``.

The spec's ``task`` picks the measurement; the result is printed as one JSON line on stdout. A fresh
process per measurement keeps CPU time and RSS attributable to the client being measured (the
servers run in processes of their own).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import statistics
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks import canned

Call = Callable[[], Awaitable[Any]]
HEADERS = {"Authorization": f"Bearer {canned.TOKEN}", "x-bot-id": canned.BOT_ID}
JSON_HEADERS = {**HEADERS, "Content-Type": "application/json"}
FIND_BODY = json.dumps({"limit": canned.FIND_ROWS}).encode()


# -- measuring helpers ----------


def rss_reader() -> Callable[[], int]:
    """A function returning this process's resident set size in bytes (psutil, else /proc)."""
    try:
        import psutil
    except ImportError:
        import os

        page = os.sysconf("SC_PAGE_SIZE")

        def from_proc() -> int:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * page

        return from_proc
    proc = psutil.Process()
    return lambda: int(proc.memory_info().rss)


class PeakRSS:
    """Samples this process's RSS every few milliseconds in a thread; ``peak - baseline`` is the growth."""

    def __init__(self, interval: float = 0.005) -> None:
        self._rss = rss_reader()
        self._interval = interval
        self._stop = threading.Event()
        self.baseline = self._rss()
        self.peak = self.baseline
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakRSS:
        self.baseline = self._rss()
        self.peak = self.baseline
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.baseline) / 2**20


async def run_cell(
    call: Call, concurrency: int, n: int, warmup: int, max_seconds: float | None = None
) -> dict[str, float]:
    """Up to ``n`` calls from ``concurrency`` tasks, fewer if ``max_seconds`` runs out: rate, CPU per call."""
    for _ in range(warmup):
        await call()
    done = 0
    deadline = float("inf") if max_seconds is None else time.perf_counter() + max_seconds

    async def task() -> None:
        nonlocal done
        while done < n and time.perf_counter() < deadline:
            done += 1
            await call()

    wall0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(task() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"rps": done / wall, "cpu_us": cpu / done * 1e6, "wall_s": wall, "n": done}


# -- the clients under test ----------


@contextlib.asynccontextmanager
async def raw_client(url: str) -> AsyncIterator[dict[str, Call]]:
    """The floor: aiohttp, reading the body and ``json.loads`` it, nothing more."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:

        async def get(path: str) -> Any:
            async with session.get(url + path, headers=HEADERS) as resp:
                body = await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
                return json.loads(body)

        async def find_rows() -> Any:
            async with session.post(
                url + f"/v1/tables/{canned.TABLE}/rows/find", data=FIND_BODY, headers=JSON_HEADERS
            ) as resp:
                body = await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
                return json.loads(body)

        yield {
            "get_user": lambda: get(f"/v1/chat/users/{canned.USER_ID}"),
            "list_users": lambda: get("/v1/chat/users"),
            "find_rows": find_rows,
        }


@contextlib.asynccontextmanager
async def httpx_client(url: str) -> AsyncIterator[dict[str, Call]]:
    """httpx.AsyncClient, decoding with ``response.json()``."""
    import httpx

    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=url, headers=HEADERS, limits=limits) as client:

        async def get(path: str) -> Any:
            resp = await client.get(path)
            resp.raise_for_status()
            return resp.json()

        async def find_rows() -> Any:
            resp = await client.post(
                f"/v1/tables/{canned.TABLE}/rows/find",
                content=FIND_BODY,
                headers={"Content-Type": "application/json"},
            )
            resp.raise_for_status()
            return resp.json()

        yield {
            "get_user": lambda: get(f"/v1/chat/users/{canned.USER_ID}"),
            "list_users": lambda: get("/v1/chat/users"),
            "find_rows": find_rows,
        }


def bp_client(url: str, **options: Any) -> Any:
    from botpress_async import Client

    return Client(token=canned.TOKEN, bot_id=canned.BOT_ID, base_url=url, **options)


@contextlib.asynccontextmanager
async def botpress_async_client(url: str, notes: list[str]) -> AsyncIterator[dict[str, Call]]:
    """botpress_async with typed models; falls back to its transport for methods not written yet."""
    from botpress_async import models

    async with bp_client(url, pool_limit=100) as bp:
        transport = bp._transport
        users = bp.users
        tables = bp.tables
        if hasattr(users, "get"):
            get_user: Call = lambda: users.get(canned.USER_ID)  # noqa: E731
        else:
            notes.append("users.get missing: measured through the transport with cast=GetUserResponse")
            get_user = lambda: transport.request(  # noqa: E731
                "GET", "/v1/chat/users/{id}", path_params={"id": canned.USER_ID}, cast=models.GetUserResponse
            )
        if hasattr(users, "list"):

            async def list_users() -> Any:
                return await users.list()
        else:
            notes.append("users.list missing: measured through the transport with cast=ListUsersResponse")

            async def list_users() -> Any:
                return await transport.request("GET", "/v1/chat/users", cast=models.ListUsersResponse)

        if hasattr(tables, "find_rows"):

            async def find_rows() -> Any:
                return await tables.find_rows(canned.TABLE, limit=canned.FIND_ROWS)
        else:
            notes.append(
                "tables.find_rows missing: measured through the transport with cast=FindTableRowsResponse"
            )

            async def find_rows() -> Any:
                return await transport.request(
                    "POST",
                    "/v1/tables/{table}/rows/find",
                    path_params={"table": canned.TABLE},
                    json={"limit": canned.FIND_ROWS},
                    cast=models.FindTableRowsResponse,
                )

        yield {"get_user": get_user, "list_users": list_users, "find_rows": find_rows}


async def task_client_cost(spec: dict[str, Any]) -> dict[str, Any]:
    notes: list[str] = []
    client = spec["client"]
    if client == "raw":
        factory = raw_client(spec["url"])
    elif client == "httpx":
        factory = httpx_client(spec["url"])
    elif client == "botpress_async":
        factory = botpress_async_client(spec["url"], notes)
    else:
        raise ValueError(f"unknown client {client!r}")
    cells = []
    async with factory as calls:
        for cell in spec["cells"]:
            result = await run_cell(
                calls[cell["op"]],
                cell["concurrency"],
                cell["n"],
                spec.get("warmup", 10),
                spec.get("max_seconds"),
            )
            cells.append({**cell, **result})
    return {"cells": cells, "notes": notes}


# -- bulk ingestion ----------


async def ensure_table(session: aiohttp.ClientSession, url: str, table: str) -> None:
    """Create the table (and check the server can store rows) before anything is timed."""
    body = json.dumps({"schema": canned.TABLE_SCHEMA}).encode()
    async with session.post(f"{url}/v1/tables/{table}", data=body, headers=JSON_HEADERS) as resp:
        text = await resp.text()
        if resp.status >= 300:
            raise RuntimeError(f"getOrCreateTable answered {resp.status}: {text[:300]}")


async def raw_loader(
    session: aiohttp.ClientSession,
    url: str,
    table: str,
    rows: Iterator[dict[str, Any]],
    chunk: int,
    concurrency: int,
) -> int:
    """The hand-written loader: ``concurrency`` tasks pulling ``chunk``-row slices off one generator."""
    target = f"{url}/v1/tables/{table}/rows/upsert"
    loaded = 0

    async def worker() -> None:
        nonlocal loaded
        while batch := list(itertools.islice(rows, chunk)):
            data = json.dumps({"rows": batch, "keyColumn": "sku"}, separators=(",", ":")).encode()
            async with session.post(target, data=data, headers=JSON_HEADERS) as resp:
                body = await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"upsert answered {resp.status}: {body[:300]!r}")
            answer = json.loads(body)
            loaded += len(answer["inserted"]) + len(answer["updated"])

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return loaded


def bulk_kwargs(method: Callable[..., Any], chunk: int, concurrency: int) -> dict[str, Any]:
    """The keyword arguments of ``bulk_upsert`` this version understands, for chunking and concurrency."""
    params = inspect.signature(method).parameters
    kwargs: dict[str, Any] = {}
    for name in ("key_column",):
        if name in params:
            kwargs[name] = "sku"
    for name in ("chunk_size", "batch_size", "chunk"):
        if name in params:
            kwargs[name] = chunk
            break
    if "concurrency" in params:
        kwargs["concurrency"] = concurrency
    return kwargs


def count_loaded(report: Any) -> int | None:
    """Rows a BulkResult says were written (None when it says nothing we recognise)."""
    for names in (("inserted", "updated"), ("upserted",), ("succeeded",), ("rows",), ("total",)):
        values = [getattr(report, n, None) for n in names]
        if all(isinstance(v, int) for v in values):
            return sum(values)  # type: ignore[arg-type]
    return None


async def task_bulk(spec: dict[str, Any]) -> dict[str, Any]:
    url, table, n = spec["url"], spec["table"], spec["rows"]
    chunk, concurrency = spec["chunk"], spec["concurrency"]
    notes: list[str] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:
        await ensure_table(session, url, table)
        if spec["loader"] == "raw":
            with PeakRSS() as rss:
                t0 = time.perf_counter()
                loaded: int | None = await raw_loader(
                    session, url, table, canned.input_rows(n), chunk, concurrency
                )
                wall = time.perf_counter() - t0
            return {
                "rows_per_s": n / wall,
                "wall_s": wall,
                "rss_growth_mb": rss.growth_mb,
                "loaded": loaded,
                "notes": notes,
            }
    async with bp_client(url) as bp:
        method = getattr(bp.tables, "bulk_upsert", None)
        if method is None:
            return {"skipped": "tables.bulk_upsert is not written yet"}
        kwargs = bulk_kwargs(method, chunk, concurrency)
        notes.append("bulk_upsert(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")")
        with PeakRSS() as rss:
            t0 = time.perf_counter()
            report = await method(table, canned.input_rows(n), **kwargs)
            wall = time.perf_counter() - t0
        return {
            "rows_per_s": n / wall,
            "wall_s": wall,
            "rss_growth_mb": rss.growth_mb,
            "loaded": count_loaded(report),
            "report": repr(report)[:300],
            "notes": notes,
        }


# -- pagination memory ----------


async def task_pagination(spec: dict[str, Any]) -> dict[str, Any]:
    url, total = spec["url"], spec["users"]
    count = 0
    if spec["loader"] == "raw":
        async with aiohttp.ClientSession() as session:
            with PeakRSS() as rss:
                t0 = time.perf_counter()
                token: str | None = None
                while True:
                    params = {"nextToken": token} if token else {}
                    async with session.get(f"{url}/v1/chat/users", params=params, headers=HEADERS) as resp:
                        page = json.loads(await resp.read())
                    count += len(page["users"])
                    token = page["meta"].get("nextToken")
                    if not token:
                        break
                wall = time.perf_counter() - t0
    else:
        async with bp_client(url) as bp:
            if not hasattr(bp.users, "list"):
                return {"skipped": "users.list is not written yet"}
            await bp.users.list()  # warm the pool and the generated structure functions
            with PeakRSS() as rss:
                t0 = time.perf_counter()
                async for _user in bp.users.list():
                    count += 1
                wall = time.perf_counter() - t0
    page_kb = len(canned.list_users_body(0, canned.PAGE_SIZE)) / 1024
    return {
        "items": count,
        "expected": total,
        "items_per_s": count / wall,
        "wall_s": wall,
        "rss_growth_mb": rss.growth_mb,
        "page_kb": page_kb,
    }


# -- emulator ----------


async def task_emulator_get(spec: dict[str, Any]) -> dict[str, Any]:
    url = spec["url"]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:
        async with session.post(f"{url}/v1/chat/users", data=b'{"tags":{}}', headers=JSON_HEADERS) as resp:
            created = await resp.json()
            if resp.status >= 300:
                return {"skipped": f"createUser answered {resp.status}: {str(created)[:200]}"}
        target = f"{url}/v1/chat/users/{created['user']['id']}"

        async def get() -> None:
            async with session.get(target, headers=HEADERS) as r:
                await r.read()
                if r.status != 200:
                    raise RuntimeError(f"getUser answered {r.status}")

        return await run_cell(get, spec["concurrency"], spec["n"], 20)


async def task_emulator_find(spec: dict[str, Any]) -> dict[str, Any]:
    url, table = spec["url"], spec["table"]
    body = json.dumps({"filter": spec["filter"], "limit": spec.get("limit", 100)}).encode()
    latencies = []
    returned = 0
    async with aiohttp.ClientSession() as session:
        for i in range(spec["n"] + 3):
            t0 = time.perf_counter()
            async with session.post(
                f"{url}/v1/tables/{table}/rows/find", data=body, headers=JSON_HEADERS
            ) as r:
                answer = await r.read()
                if r.status != 200:
                    return {"skipped": f"findTableRows answered {r.status}: {answer[:200]!r}"}
            if i >= 3:  # the first calls warm caches
                latencies.append((time.perf_counter() - t0) * 1000)
            returned = len(json.loads(answer)["rows"])
    latencies.sort()
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "n": len(latencies),
        "rows_returned": returned,
    }


# -- rate-limited ingestion (issue 9)


async def table_row_count(session: aiohttp.ClientSession, url: str, table: str) -> int | None:
    async with session.get(f"{url}/v1/tables/{table}", headers=HEADERS) as resp:
        if resp.status != 200:
            return None
        rows = (await resp.json()).get("rows")
        return int(rows) if isinstance(rows, int | float) else None


async def task_ratelimit(spec: dict[str, Any]) -> dict[str, Any]:
    url, table, n = spec["url"], spec["table"], spec["rows"]
    chunk, concurrency, variant = spec["chunk"], spec["concurrency"], spec["variant"]
    statuses: dict[int, int] = {}

    async def on_request_end(session: Any, ctx: Any, params: aiohttp.TraceRequestEndParams) -> None:
        statuses[params.response.status] = statuses.get(params.response.status, 0) + 1

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    notes: list[str] = []
    async with aiohttp.ClientSession() as setup:
        await ensure_table(setup, url, table)
    t0 = time.perf_counter()
    if variant == "naive":
        async with aiohttp.ClientSession(
            trace_configs=[trace], connector=aiohttp.TCPConnector(limit=0)
        ) as session:
            rows = list(canned.input_rows(n))
            target = f"{url}/v1/tables/{table}/rows/upsert"

            async def send(batch: list[dict[str, Any]]) -> None:
                data = json.dumps({"rows": batch, "keyColumn": "sku"}).encode()
                for _ in range(50):  # what a script without a limiter does: sleep as told, then retry
                    async with session.post(target, data=data, headers=JSON_HEADERS) as resp:
                        await resp.read()
                        if resp.status != 429:
                            return
                        wait = float(resp.headers.get("Retry-After", "1"))
                    await asyncio.sleep(wait)
                raise RuntimeError("gave up after 50 attempts")

            await asyncio.gather(*(send(rows[i : i + chunk]) for i in range(0, n, chunk)))
    else:
        from botpress_async import RetryPolicy

        session = aiohttp.ClientSession(trace_configs=[trace])
        retry = RetryPolicy(max_attempts=50)
        try:
            async with bp_client(
                url, session=session, adaptive_rate_limit=variant == "adaptive", retry=retry
            ) as bp:
                method = bp.tables.bulk_upsert
                await method(table, canned.input_rows(n), **bulk_kwargs(method, chunk, concurrency))
        finally:
            await session.close()
    wall = time.perf_counter() - t0
    async with aiohttp.ClientSession() as check:
        stored = await table_row_count(check, url, table)
    total = sum(statuses.values())
    ok = total - statuses.get(429, 0)
    return {
        "ok_rps": ok / wall,
        "requests": total,
        "rate_limited": statuses.get(429, 0),
        "share_429": statuses.get(429, 0) / total if total else 0.0,
        "wall_s": wall,
        "rows_in_table": stored,
        "rows_sent": n,
        "notes": notes,
    }


# -- decode cost ----------


async def task_decode(spec: dict[str, Any]) -> dict[str, Any]:
    import timeit

    from botpress_async import models
    from botpress_async._serde import structure

    repeats = max(spec["repeats"], 3) * 2
    budget = spec.get("seconds_per_timing", 0.02)
    bodies = (
        ("find rows (1000 rows)", canned.find_rows_body(), models.FindTableRowsResponse),
        ("list users (20 users)", canned.list_users_body(0, 10**6), models.ListUsersResponse),
        ("get user", canned.get_user_body(), models.GetUserResponse),
    )
    out = []
    for name, body, model in bodies:
        structure(json.loads(body), model)  # the first call compiles the structure functions
        plain = timeit.Timer(lambda b=body: json.loads(b))
        typed = timeit.Timer(lambda b=body, m=model: structure(json.loads(b), m))
        loops = max(1, int(budget / max(plain.timeit(3) / 3, 1e-7)))
        # Interleaved, and the minimum of each: the least disturbed run on a shared machine.
        json_s, model_s = [], []
        for _ in range(repeats):
            json_s.append(plain.timeit(loops))
            model_s.append(typed.timeit(loops))
        out.append(
            {
                "body": name,
                "bytes": len(body),
                "json_us": min(json_s) / loops * 1e6,
                "model_us": min(model_s) / loops * 1e6,
                "loops": loops,
            }
        )
    return {"bodies": out}


# -- profiling ----------


async def task_profile(spec: dict[str, Any]) -> dict[str, Any]:
    """Profile botpress_async on one operation (or a bulk upsert) with pyinstrument; write the text."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {"skipped": "pyinstrument is not installed (pip install pyinstrument)"}
    profiler = Profiler(interval=0.0002, async_mode="disabled")
    what, url = spec["what"], spec["url"]
    if what == "bulk":
        async with bp_client(url) as bp:
            method = bp.tables.bulk_upsert
            kwargs = bulk_kwargs(method, spec["chunk"], spec["concurrency"])
            await method(spec["table"], canned.input_rows(spec["chunk"] * 4), **kwargs)  # warm up
            profiler.start()
            await method(spec["table"], canned.input_rows(spec["rows"]), **kwargs)
            profiler.stop()
    else:
        async with botpress_async_client(url, []) as calls:
            call = calls[what]
            for _ in range(20):
                await call()
            profiler.start()
            await run_cell(call, spec["concurrency"], spec["n"], 0)
            profiler.stop()
    text = profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
    Path(spec["path"]).write_text(text)  # noqa: ASYNC240 - after the measurement, nothing else runs
    return {"path": spec["path"]}


TASKS: dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]] = {
    "client_cost": task_client_cost,
    "bulk": task_bulk,
    "pagination": task_pagination,
    "emulator_get": task_emulator_get,
    "emulator_find": task_emulator_find,
    "ratelimit": task_ratelimit,
    "decode": task_decode,
    "profile": task_profile,
}


def main() -> None:
    spec = json.loads(sys.argv[1])
    result = asyncio.run(TASKS[spec["task"]](spec))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
