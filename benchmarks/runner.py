"""The benchmark harness: runs every scenario side by side and writes benchmarks/results/.

Scenarios (each measurement in a fresh child process; servers in processes of their own):

1. client cost: raw aiohttp + json.loads (the floor), botpress_async (typed models), httpx, and the
   official @botpress/client under node, against the canned stub: requests/s and client-process CPU
   µs per request at concurrency 1 and 32, medians over repeats, ratios against raw aiohttp;
2. bulk upsert from a generator into the stub and into the emulator, against a hand-written loader;
3. pagination memory: ``async for`` over every user of the stub;
4. the emulator: simple GET requests/s, find with a filter p50/p95;
5. decode cost: structuring canned bodies into models against json.loads alone;
6. rate-limited ingestion (issue 9), when the emulator and the client support it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import _procs, canned, report
from benchmarks.report import Results, Section

RESULTS = Path(__file__).resolve().parent / "results"
CLIENTS = ("raw", "botpress_async", "httpx", "official")
CLIENT_LABELS = {
    "raw": "raw aiohttp + json.loads",
    "botpress_async": "botpress_async",
    "httpx": "httpx.AsyncClient",
    "official": "@botpress/client (node)",
}
OPS = ("get_user", "list_users", "find_rows")
OP_LABELS = {"get_user": "get user", "list_users": "list users (20)", "find_rows": "find rows (1000)"}


class Plan:
    """Sizes of one invocation (``--quick``, default, ``--large``, or the smoke test's ``--tiny``)."""

    def __init__(self, mode: str, repeats: int | None) -> None:
        self.mode = mode
        tiny, quick, large = mode == "tiny", mode == "quick", mode == "large"
        self.repeats = repeats or (1 if tiny else 3 if quick else 5)
        # requests per cell, by operation
        self.requests = (
            {"get_user": 20, "list_users": 20, "find_rows": 4}
            if tiny
            else {"get_user": 400, "list_users": 300, "find_rows": 40}
            if quick
            else {"get_user": 2000, "list_users": 1000, "find_rows": 150}
        )
        self.concurrency = (1, 32)
        # a slow client stops a cell early (its rate and CPU per call stay comparable)
        self.max_seconds = 1.0 if tiny else 2.0 if quick else 5.0
        self.bulk_rows = 2_000 if tiny else 20_000 if quick else 1_000_000 if large else 100_000
        self.bulk_emulator_rows = 2_000 if tiny else 20_000 if quick else self.bulk_rows
        self.bulk_repeats = 1 if tiny else 2 if quick else min(self.repeats, 3)
        self.chunk, self.bulk_concurrency = 500, 8
        self.users = 2_000 if tiny else 20_000 if quick else 100_000
        self.emulator_gets = 200 if tiny else 1_500 if quick else 5_000
        self.find_table_rows = 2_000 if tiny else 100_000
        self.finds = 5 if tiny else 30 if quick else 100
        self.rate_rows = 2_000 if tiny else 10_000 if quick else 200_000
        self.rate_rows_small_chunks = 200 if tiny else 2_000 if quick else 4_000
        self.decode_seconds = 0.002 if tiny else 0.02 if quick else 0.05  # per timing


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def attempt(
    results: Results, section: Section, what: str, fn: Callable[[], dict[str, Any]]
) -> dict[str, Any] | None:
    """Run one worker; on failure, note it in the section and return None."""
    try:
        out = fn()
    except (_procs.WorkerError, OSError, ValueError) as exc:
        section.notes.append(f"{what} failed: {exc}")
        print(f"  {what} failed: {exc}", file=sys.stderr)
        return None
    if "skipped" in out:
        section.notes.append(f"{what} skipped: {out['skipped']}")
        return None
    for note in out.get("notes", []):
        if f"{what}: {note}" not in section.notes:
            section.notes.append(f"{what}: {note}")
    return out


# -- 1. client cost ----------


def client_cost(plan: Plan, results: Results, stub_url: str, clients: tuple[str, ...]) -> None:
    section = results.section(
        "client",
        "Client cost against the canned stub (loopback)",
        ["operation", "concurrency", "client", "req/s", "CPU µs/req", "CPU × raw", "req/s × raw"],
    )
    require_from = None
    if "official" in clients:
        require_from, version = _procs.official_client()
        if require_from is None:
            section.notes.append(f"@botpress/client skipped: {version}")
            clients = tuple(c for c in clients if c != "official")
        else:
            results.machine["official_client"] = version
    cells = [{"op": op, "concurrency": c, "n": plan.requests[op]} for op in OPS for c in plan.concurrency]
    runs: dict[str, list[dict[tuple[str, int], dict[str, float]]]] = {c: [] for c in clients}
    for r in range(plan.repeats):
        order = clients[r % len(clients) :] + clients[: r % len(clients)]  # rotate: no client always first
        for client in order:
            print(f"  client cost: {client} (repeat {r + 1}/{plan.repeats})", file=sys.stderr)
            if client == "official":
                spec = {
                    "requireFrom": require_from,
                    "url": stub_url,
                    "token": canned.TOKEN,
                    "botId": canned.BOT_ID,
                    "userId": canned.USER_ID,
                    "table": canned.TABLE,
                    "findRows": canned.FIND_ROWS,
                    "cells": cells,
                    "warmup": 10,
                    "max_seconds": plan.max_seconds,
                }
                out = attempt(results, section, client, lambda s=spec: _procs.run_node(s))  # type: ignore[misc]
            else:
                spec = {
                    "task": "client_cost",
                    "client": client,
                    "url": stub_url,
                    "cells": cells,
                    "warmup": 10,
                    "max_seconds": plan.max_seconds,
                }
                out = attempt(results, section, client, lambda s=spec: _procs.run_python(s))  # type: ignore[misc]
            if out is not None:
                runs[client].append({(c["op"], c["concurrency"]): c for c in out["cells"]})
    raw_runs = runs.get("raw", [])
    for op in OPS:
        for conc in plan.concurrency:
            key = (op, conc)
            for client in clients:
                mine = [run[key] for run in runs[client] if key in run]
                if not mine:
                    continue
                rps = median([m["rps"] for m in mine])
                cpu = median([m["cpu_us"] for m in mine])
                # Ratios pair the runs of the same repeat (close in time), then take the median.
                pairs = list(zip(mine, raw_runs, strict=False))
                cpu_x = (
                    median([m["cpu_us"] / raw[key]["cpu_us"] for m, raw in pairs]) if pairs else float("nan")
                )
                rps_x = median([m["rps"] / raw[key]["rps"] for m, raw in pairs]) if pairs else float("nan")
                section.add(
                    [OP_LABELS[op], conc, CLIENT_LABELS[client], rps, cpu, cpu_x, rps_x],
                    key={
                        "op": op,
                        "concurrency": conc,
                        "client": client,
                        "rps": rps,
                        "cpu_us": cpu,
                        "cpu_x_raw": cpu_x,
                        "rps_x_raw": rps_x,
                        "runs": [{"rps": m["rps"], "cpu_us": m["cpu_us"]} for m in mine],
                    },
                )
    by = {(d["op"], d["concurrency"], d["client"]): d for d in section.data}
    cpu_ratios = [
        (d["cpu_x_raw"], f"{OP_LABELS[d['op']]} c={d['concurrency']}")
        for d in section.data
        if d["client"] == "botpress_async"
    ]
    if cpu_ratios:
        worst = max(cpu_ratios)
        results.target(
            "botpress_async CPU per request ≤ 1.25× raw aiohttp (worst cell)",
            worst[0] <= 1.25,
            f"{worst[0]:.2f}× ({worst[1]})",
        )
    speedups = []
    for (op, conc, client), d in by.items():
        if client == "botpress_async" and (op, conc, "official") in by:
            speedups.append((d["rps"] / by[(op, conc, "official")]["rps"], f"{OP_LABELS[op]} c={conc}"))
    if speedups:
        worst = min(speedups)
        results.target(
            "botpress_async ≥ 3× the official client's requests/s (worst cell)",
            worst[0] >= 3,
            f"{worst[0]:.2f}× ({worst[1]})",
        )
    else:
        results.target(
            "botpress_async ≥ 3× the official client's requests/s", None, "official client not measured"
        )


# -- 2. bulk ----------


def bulk(plan: Plan, results: Results, stub_url: str, emulator_url: str | None) -> str | None:
    """Bulk upsert into the stub and the emulator; returns a loaded emulator table for the find test."""
    section = results.section(
        "bulk",
        "Bulk upsert from a generator (chunks of 500, concurrency 8)",
        ["target", "rows", "loader", "rows/s", "× raw loader", "peak RSS growth (MB)"],
    )
    loaded_table = None
    targets = [("stub", stub_url, plan.bulk_rows)]
    if emulator_url is not None:
        targets.append(("emulator", emulator_url, plan.bulk_emulator_rows))
    for target, url, rows in targets:
        runs: dict[str, list[dict[str, Any]]] = {"raw": [], "botpress_async": []}
        for r in range(plan.bulk_repeats):
            for loader in ("raw", "botpress_async") if r % 2 == 0 else ("botpress_async", "raw"):
                table = f"bench{loader.replace('_', '').title()}{r}Table"
                print(f"  bulk: {loader} into the {target}, {rows} rows (repeat {r + 1})", file=sys.stderr)
                spec = {
                    "task": "bulk",
                    "loader": loader,
                    "url": url,
                    "table": table,
                    "rows": rows,
                    "chunk": plan.chunk,
                    "concurrency": plan.bulk_concurrency,
                }
                out = attempt(
                    results, section, f"{loader} into the {target}", lambda s=spec: _procs.run_python(s)
                )  # type: ignore[misc]
                if out is None:
                    continue
                if out.get("loaded") not in (None, rows):
                    section.notes.append(
                        f"{loader} into the {target}: {out['loaded']} rows acknowledged of {rows}"
                    )
                runs[loader].append(out)
                if target == "emulator" and loader == "raw" and rows >= plan.find_table_rows:
                    loaded_table = table
        for loader in ("raw", "botpress_async"):
            if not runs[loader]:
                continue
            rps = median([o["rows_per_s"] for o in runs[loader]])
            pairs = list(zip(runs[loader], runs["raw"], strict=False))
            ratio = (
                median([o["rows_per_s"] / raw["rows_per_s"] for o, raw in pairs]) if pairs else float("nan")
            )
            rss = max(o["rss_growth_mb"] for o in runs[loader])
            label = "raw aiohttp loader" if loader == "raw" else "botpress_async bulk_upsert"
            section.add(
                [target, rows, label, rps, ratio, rss],
                key={
                    "target": target,
                    "rows": rows,
                    "loader": loader,
                    "rows_per_s": rps,
                    "x_raw": ratio,
                    "rss_growth_mb": rss,
                },
            )
            if loader == "botpress_async":
                results.target(
                    f"bulk_upsert into the {target} ≥ 0.9× the raw loader", ratio >= 0.9, f"{ratio:.2f}×"
                )
                if rows >= 1_000_000:
                    results.target(
                        f"bulk_upsert peak RSS growth ≤ 50 MB at {rows:,} rows ({target})",
                        rss <= 50,
                        f"{rss:.1f} MB",
                    )
                elif target == "stub":
                    results.target(
                        "bulk_upsert peak RSS growth ≤ 50 MB at 1M rows",
                        None,
                        f"{rss:.1f} MB at {rows:,} rows (run --large for 1M)",
                    )
    return loaded_table


# -- 3. pagination ----------


def pagination(plan: Plan, results: Results, stub_url: str) -> None:
    section = results.section(
        "pagination",
        f"Pagination memory: every user of {plan.users:,}, 20 per page",
        ["loader", "users", "users/s", "peak RSS growth (MB)", "one page (KB of JSON)"],
    )
    for loader, label in (("raw", "raw aiohttp loop"), ("botpress_async", "botpress_async `async for`")):
        print(f"  pagination: {loader}", file=sys.stderr)
        spec = {"task": "pagination", "loader": loader, "url": stub_url, "users": plan.users}
        out = attempt(results, section, loader, lambda s=spec: _procs.run_python(s))  # type: ignore[misc]
        if out is None:
            continue
        section.add(
            [label, out["items"], out["items_per_s"], out["rss_growth_mb"], out["page_kb"]],
            key={"loader": loader, **out},
        )
        if out["items"] != plan.users:
            section.notes.append(f"{loader}: {out['items']} users seen of {plan.users}")
        if loader == "botpress_async":
            results.target(
                "pagination RSS growth ≈ one page (≤ 2 MB, allocator granularity)",
                out["rss_growth_mb"] <= 2 and out["items"] == plan.users,
                f"{out['rss_growth_mb']:.2f} MB over {out['items']:,} users",
            )


# -- 4. emulator ----------


def emulator_get(plan: Plan, results: Results, url: str) -> None:
    section = results.section(
        "emulator", "Emulator (SQLite in memory, own process)", ["measurement", "value", "detail"]
    )
    runs = []
    for r in range(plan.repeats):
        print(f"  emulator GET (repeat {r + 1})", file=sys.stderr)
        spec = {"task": "emulator_get", "url": url, "n": plan.emulator_gets, "concurrency": 32}
        out = attempt(results, section, "emulator GET", lambda s=spec: _procs.run_python(s))  # type: ignore[misc]
        if out is not None:
            runs.append(out)
    if runs:
        rps = median([o["rps"] for o in runs])
        section.add(
            ["get user, req/s", rps, "concurrency 32, raw aiohttp load generator"],
            key={"measurement": "get_user_rps", "value": rps},
        )
        results.target("emulator simple GET ≥ 2000 req/s", rps >= 2000, f"{rps:,.0f} req/s")


def emulator_find(plan: Plan, results: Results, url: str, table: str | None) -> None:
    section = results.section(
        "emulator", "Emulator (SQLite in memory, own process)", ["measurement", "value", "detail"]
    )
    if table is None:
        section.notes.append(
            f"find with filter skipped: no emulator table with {plan.find_table_rows:,} rows "
            "(the bulk load into the emulator failed or was smaller)"
        )
        results.target("emulator find with filter over 100k rows p50 ≤ 50 ms", None, "not measured")
        return
    flt = {"category": {"$eq": "c3"}, "price": {"$gte": 50}}
    print("  emulator find", file=sys.stderr)
    spec = {"task": "emulator_find", "url": url, "table": table, "filter": flt, "n": plan.finds, "limit": 100}
    out = attempt(results, section, "emulator find", lambda: _procs.run_python(spec))
    if out is None:
        results.target("emulator find with filter over 100k rows p50 ≤ 50 ms", None, "failed")
        return
    detail = (
        f"{plan.find_table_rows:,} rows, filter {json.dumps(flt)}, limit 100, {out['n']} sequential calls"
    )
    section.add(
        ["find with filter, p50 ms", out["p50_ms"], detail], key={"measurement": "find_p50_ms", **out}
    )
    section.add(["find with filter, p95 ms", out["p95_ms"], detail], key={"measurement": "find_p95_ms"})
    name = f"emulator find with filter over {plan.find_table_rows:,} rows p50 ≤ 50 ms"
    results.target(name, out["p50_ms"] <= 50, f"p50 {out['p50_ms']:.1f} ms, p95 {out['p95_ms']:.1f} ms")


# -- 5. decode ----------


def decode(plan: Plan, results: Results) -> None:
    section = results.section(
        "decode",
        "Decode cost: json.loads alone vs json.loads + structuring into models (best of interleaved runs)",
        ["body", "bytes", "json.loads µs", "+ models µs", "× json.loads"],
    )
    print("  decode", file=sys.stderr)
    out = attempt(
        results,
        section,
        "decode",
        lambda: _procs.run_python(
            {"task": "decode", "seconds_per_timing": plan.decode_seconds, "repeats": plan.repeats}
        ),
    )
    if out is None:
        return
    for d in out["bodies"]:
        section.add([d["body"], d["bytes"], d["json_us"], d["model_us"], d["model_us"] / d["json_us"]], key=d)


# -- 6. rate-limited ingestion (issue 9)


RATE = 50  # requests per second the emulator allows in this scenario


def rate_limited(plan: Plan, results: Results) -> None:
    section = results.section(
        "ratelimit",
        f"Rate-limited ingestion (issue 9): emulator limited to {RATE} req/s, concurrency 16",
        [
            "chunk rows",
            "rows",
            "variant",
            "OK req/s",
            f"share of {RATE}/s",
            "429 share",
            "requests",
            "rows in table",
            "seconds",
        ],
    )
    name = f"adaptive limiter ≥ 90% of {RATE} req/s, < 1% 429, every row stored"
    try:
        from benchmarks.emulator_proc import supports_rate_limit
        from botpress_async.resources import Tables

        emulator_ready, bulk_ready = supports_rate_limit(), hasattr(Tables, "bulk_upsert")
    except ImportError as exc:
        emulator_ready = bulk_ready = False
        section.notes.append(f"import failed: {exc}")
    missing = [
        w
        for w, ok in (("Emulator(rate_limit=...)", emulator_ready), ("tables.bulk_upsert", bulk_ready))
        if not ok
    ]
    if missing:
        section.notes.append("skipped: not available yet: " + ", ".join(missing))
        results.target(name, None, "skipped: " + ", ".join(missing) + " missing")
        return
    variants = (
        ("capacity", "adaptive", "no server limit (the emulator's own capacity)"),
        ("adaptive", "adaptive", "botpress_async, adaptive limiter"),
        ("retry_only", "retry_only", "botpress_async, retry only (limiter off)"),
        ("naive", "naive", "naive asyncio.gather (sleep Retry-After, retry)"),
    )
    # The configuration (chunks of 500), then one where the limit surely binds (chunks of 10):
    # when the emulator cannot absorb 50 req/s of 500-row upserts, the limit is never reached.
    configs = ((plan.chunk, plan.rate_rows), (10, plan.rate_rows_small_chunks))
    judged: dict[int, dict[str, Any]] = {}
    for chunk, rows in configs:
        for key, variant, label in variants:
            print(f"  rate limited: {label}, chunks of {chunk}", file=sys.stderr)
            args = () if key == "capacity" else ("--rate-limit", f"{RATE}/s")
            spec = {
                "task": "ratelimit",
                "variant": variant,
                "table": "benchRateTable",
                "rows": rows,
                "chunk": chunk,
                "concurrency": 16,
            }
            try:
                # A fresh emulator per run: no window or table left over from the previous one.
                with _procs.server("benchmarks.emulator_proc", *args) as url:
                    spec["url"] = url
                    out = attempt(
                        results, section, f"{key} (chunks of {chunk})", lambda s=spec: _procs.run_python(s)
                    )
            except _procs.WorkerError as exc:
                section.notes.append(f"{key}: emulator did not start: {exc}")
                out = None
            if out is None:
                continue
            row = [
                chunk,
                rows,
                label,
                out["ok_rps"],
                out["ok_rps"] / RATE,
                out["share_429"],
                out["requests"],
                out["rows_in_table"],
                out["wall_s"],
            ]
            section.add(row, key={"variant": key, "chunk": chunk, **out})
            if key in ("capacity", "adaptive"):
                judged.setdefault(chunk, {})[key] = out
    chosen = None
    for chunk, _rows in configs:
        capacity = judged.get(chunk, {}).get("capacity")
        if capacity is not None and capacity["ok_rps"] < RATE * 1.1:
            section.notes.append(
                f"chunks of {chunk}: the emulator absorbs only {capacity['ok_rps']:.0f} req/s here, "
                f"below {RATE}/s plus headroom: the limit never binds, so these rows compare nothing."
            )
            continue
        if "adaptive" in judged.get(chunk, {}) and chosen is None:
            chosen = (chunk, judged[chunk]["adaptive"])
    if chosen is None:
        results.target(name, None, "the limit never bound (emulator slower than the limit) or runs failed")
        return
    chunk, out = chosen
    share = out["ok_rps"] / RATE
    ok = share >= 0.9 and out["share_429"] < 0.01 and out["rows_in_table"] == out["rows_sent"]
    results.target(
        name,
        ok,
        f"chunks of {chunk}: {share:.0%} of the rate, {out['share_429']:.1%} 429, "
        f"{out['rows_in_table']} of {out['rows_sent']} rows",
    )


# -- main ----------


def profile(plan: Plan, stub_url: str, out_dir: Path) -> list[str]:
    """pyinstrument profiles of botpress_async on the stub, written to ``out_dir/profiles/``."""
    folder = out_dir / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    jobs = [
        {"what": "get_user", "concurrency": 1, "n": plan.requests["get_user"]},
        {"what": "list_users", "concurrency": 32, "n": plan.requests["list_users"]},
        {"what": "find_rows", "concurrency": 32, "n": plan.requests["find_rows"]},
        {
            "what": "bulk",
            "table": canned.TABLE,
            "rows": plan.bulk_rows,
            "chunk": plan.chunk,
            "concurrency": plan.bulk_concurrency,
        },
    ]
    for job in jobs:
        name = f"{job['what']}_c{job['concurrency']}.txt"
        print(f"  profile: {name}", file=sys.stderr)
        spec = {"task": "profile", "url": stub_url, "path": str(folder / name), **job}
        try:
            out = _procs.run_python(spec)
        except _procs.WorkerError as exc:
            print(f"  profile {name} failed: {exc}", file=sys.stderr)
            continue
        if "skipped" in out:
            print(f"  profile skipped: {out['skipped']}", file=sys.stderr)
            break
        written.append(str(folder / name))
    return written


SCENARIOS = ("client", "bulk", "pagination", "emulator", "decode", "ratelimit")


def run(plan: Plan, only: set[str], clients: tuple[str, ...], out_dir: Path, chart: bool = True) -> Results:
    results = Results(mode=plan.mode, machine=report.machine())
    started = time.monotonic()
    need_stub = bool(only & {"client", "bulk", "pagination"})
    need_emulator = bool(only & {"bulk", "emulator"})
    with contextlib.ExitStack() as stack:
        stub_url = (
            stack.enter_context(_procs.server("benchmarks.stub_server", "--users", str(plan.users)))
            if need_stub
            else ""
        )
        if "client" in only:
            client_cost(plan, results, stub_url, clients)
        emulator_url = None
        if need_emulator:
            try:
                emulator_url = stack.enter_context(_procs.server("benchmarks.emulator_proc"))
            except _procs.WorkerError as exc:
                results.section(
                    "emulator", "Emulator (SQLite in memory, own process)", ["measurement", "value", "detail"]
                ).notes.append(f"emulator did not start: {exc}")
        if "emulator" in only and emulator_url:
            emulator_get(plan, results, emulator_url)
        table = None
        if "bulk" in only:
            table = bulk(plan, results, stub_url, emulator_url)
        if "emulator" in only and emulator_url:
            if table is None:
                table = _load_find_table(plan, results, emulator_url)
            emulator_find(plan, results, emulator_url, table)
        if "pagination" in only:
            pagination(plan, results, stub_url)
    if "decode" in only:
        decode(plan, results)
    if "ratelimit" in only:
        rate_limited(plan, results)
    results.seconds = time.monotonic() - started
    report.write(results, out_dir, chart=chart)
    return results


def _load_find_table(plan: Plan, results: Results, url: str) -> str | None:
    """Load ``find_table_rows`` rows into the emulator with the raw loader (untimed) for the find test."""
    print(f"  emulator: loading {plan.find_table_rows:,} rows for the find test", file=sys.stderr)
    section = results.section(
        "emulator", "Emulator (SQLite in memory, own process)", ["measurement", "value", "detail"]
    )
    spec = {
        "task": "bulk",
        "loader": "raw",
        "url": url,
        "table": "benchFindTable",
        "rows": plan.find_table_rows,
        "chunk": 1000,
        "concurrency": 4,
    }
    out = attempt(results, section, "loading the find table", lambda: _procs.run_python(spec))
    return "benchFindTable" if out is not None else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller runs, about two minutes in all")
    size.add_argument("--large", action="store_true", help="bulk ingestion of 1M rows")
    size.add_argument("--tiny", action="store_true", help="seconds; for the smoke test, numbers mean nothing")
    parser.add_argument(
        "--repeats", type=int, default=None, help="repeats per measurement (default 3 quick, 5)"
    )
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated subset of {SCENARIOS}")
    parser.add_argument("--clients", default=",".join(CLIENTS), help=f"comma-separated subset of {CLIENTS}")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    parser.add_argument("--no-chart", action="store_true", help="skip the PNG chart")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only write pyinstrument profiles of botpress_async (results/profiles/)",
    )
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "large" if args.large else "tiny" if args.tiny else "default"
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    clients = tuple(c for c in CLIENTS if c in {s.strip() for s in args.clients.split(",")})
    if "raw" not in clients:
        clients = ("raw", *clients)  # the floor every ratio is taken against
    if args.profile:
        with _procs.server("benchmarks.stub_server", "--users", "1000") as stub_url:
            for path in profile(Plan(mode, args.repeats), stub_url, args.out):
                print(f"wrote {path}", file=sys.stderr)
        return 0
    results = run(Plan(mode, args.repeats), only, clients, args.out, chart=not args.no_chart)
    print(report.markdown(results))
    print(f"wrote {args.out}/latest.md and latest.json ({results.seconds:.0f}s)", file=sys.stderr)
    return 0
