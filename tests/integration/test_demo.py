"""``botpress-async demo`` (what ``make demo`` runs) against the embedded emulator on a database file.

The first run loads the 3,376 airports; a second run on the same file finds them and reports 0 new
rows; a run whose checks fail exits non-zero with a one-line reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from botpress_async import Client
from botpress_async.demo import DEMO_BOT_ID, TABLE_NAME, state_in_question
from botpress_async.emulator import Emulator
from botpress_async.models import table_schema


async def test_the_demo_twice_on_one_database_inserts_then_only_updates(
    runner: Any, base_env: dict[str, str], tmp_path: Path
) -> None:
    env, run_cli = base_env, runner.cli
    db = tmp_path / "demo.db"

    first = await run_cli(["demo", "--db", str(db), "--no-progress"], env)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert "3,376 new rows, 0 updated, 0 failed" in first.stdout
    assert "Every step checked out" in first.stdout

    second = await run_cli(["demo", "--db", str(db), "--no-progress"], env)
    assert second.returncode == 0, second.stderr
    assert "found (3,376 rows)" in second.stdout
    assert "0 new rows, 3,376 updated, 0 failed" in second.stdout
    transcripts = [
        int(m) for out in (first.stdout, second.stdout) for m in re.findall(r"transcript (\d+) messages", out)
    ]
    assert transcripts == [2, 4]


async def test_the_demo_keeps_its_database_under_the_cache_directory_by_default(
    runner: Any, base_env: dict[str, str], tmp_path: Path
) -> None:
    result = await runner.cli(["demo", "--no-progress"], base_env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cache" / "botpress-async" / "demo.db").is_file()


async def test_a_demo_whose_checks_fail_exits_non_zero_with_a_one_line_reason(
    runner: Any, base_env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "demo.db"
    # An airportsTable without the iata key column: the demo must refuse to upsert into it.
    async with (
        Emulator(db=str(db)) as emu,
        Client(token=emu.token, bot_id=DEMO_BOT_ID, base_url=emu.url) as bp,
    ):
        await bp.tables.create(TABLE_NAME, schema=table_schema({"iata": "string", "name": "string"}))

    result = await runner.cli(["demo", "--db", str(db), "--no-progress"], base_env)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"botpress-async: error: demo failed: {TABLE_NAME} exists with key column None"
    ]


def test_the_bot_reads_the_state_a_question_is_about() -> None:
    assert state_in_question("Which airports are in Alaska?") == "AK"
    assert state_in_question("airports in west virginia please") == "WV"
    assert state_in_question("What about TX?") == "TX"
    assert state_in_question("hello") is None
