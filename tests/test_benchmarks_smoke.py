"""Smoke test of the benchmark harness: a tiny run (seconds) must still produce its report.

The numbers of a tiny run mean nothing; what is checked is that every part of the harness still runs
and writes the markdown and JSON side by side (so `make bench` does not rot between releases).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--tiny",
            "--repeats",
            "1",
            "--no-chart",
            "--clients",
            "raw,botpress_async",
            "--only",
            "client,bulk,pagination,decode,emulator",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def _sections(out: Path) -> dict[str, Any]:
    data = json.loads((out / "latest.json").read_text())
    return {s["id"]: s for s in data["sections"]}


def test_a_tiny_run_writes_the_markdown_and_json_reports(tiny_run: Path) -> None:
    assert (tiny_run / "latest.md").read_text().startswith("## Benchmark results (tiny run")
    assert json.loads((tiny_run / "latest.json").read_text())["mode"] == "tiny"


def test_the_report_header_names_the_machine(tiny_run: Path) -> None:
    machine = json.loads((tiny_run / "latest.json").read_text())["machine"]
    assert machine["cores"] >= 1 and machine["python"] and machine["cpu"]
    assert f"{machine['cores']} cores" in (tiny_run / "latest.md").read_text()


def test_client_cost_puts_botpress_async_beside_raw_aiohttp_for_every_cell(tiny_run: Path) -> None:
    data = _sections(tiny_run)["client"]["data"]
    cells = {(d["op"], d["concurrency"]) for d in data}
    assert cells == {(op, c) for op in ("get_user", "list_users", "find_rows") for c in (1, 32)}
    for op, conc in cells:
        clients = {d["client"]: d for d in data if (d["op"], d["concurrency"]) == (op, conc)}
        assert set(clients) == {"raw", "botpress_async"}
        assert clients["raw"]["cpu_x_raw"] == 1.0
        assert clients["botpress_async"]["cpu_us"] > 0 and clients["botpress_async"]["rps"] > 0


def test_bulk_into_the_stub_measures_the_raw_loader(tiny_run: Path) -> None:
    rows = [d for d in _sections(tiny_run)["bulk"]["data"] if d["target"] == "stub"]
    raw = next(d for d in rows if d["loader"] == "raw")
    assert raw["rows"] == 2_000 and raw["rows_per_s"] > 0


def test_pagination_sees_every_user_of_the_stub(tiny_run: Path) -> None:
    data = _sections(tiny_run)["pagination"]["data"]
    assert {d["loader"]: d["items"] for d in data}.get("raw") == 2_000
    assert all(d["items"] == 2_000 for d in data)


def test_decode_compares_models_with_json_loads_for_each_body(tiny_run: Path) -> None:
    data = _sections(tiny_run)["decode"]["data"]
    assert [d["body"] for d in data] == ["find rows (1000 rows)", "list users (20 users)", "get user"]
    assert all(d["json_us"] > 0 and d["model_us"] > 0 for d in data)


def test_the_emulator_section_has_its_measurements_or_says_why_not(tiny_run: Path) -> None:
    section = _sections(tiny_run)["emulator"]
    measured = {d["measurement"] for d in section["data"]}
    assert measured == {"get_user_rps", "find_p50_ms", "find_p95_ms"} or section["notes"]


def test_an_unknown_scenario_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "unknown scenarios" in done.stderr
