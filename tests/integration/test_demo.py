"""``botpress-async demo`` (what ``make demo`` runs) against the embedded emulator on a database file.

The first run loads the 3,376 airports; a second run on the same file finds them and reports 0 new
rows; an ``airportsTable`` left by another script is patched with the missing columns or refused
with the reason; a run whose checks fail exits non-zero with a one-line reason.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from botpress_async import Client
from botpress_async.demo import (
    DEMO_BOT_ID,
    TABLE_NAME,
    DemoFailed,
    partial_target_hint,
    run,
    schema_patch,
    state_in_question,
    target_label,
    warning_lines,
)
from botpress_async.emulator import Emulator
from botpress_async.models import Table, table_schema

#: The table the README tour made before it had a table of its own: three of the demo's columns.
TOUR_SCHEMA = table_schema({"iata": "string", "name": "string", "state": "string"})


async def make_table(
    client_for: Callable[..., Client],
    db: Path,
    schema: dict[str, Any],
    rows: list[dict[str, Any]],
    key: str | None,
    *,
    frozen: bool = False,
) -> None:
    """Create the demo's table in the demo database, as another script would have."""
    async with Emulator(db=str(db)) as emu, client_for(emu, DEMO_BOT_ID) as bp:
        await bp.tables.create(TABLE_NAME, schema=schema, key_column=key, frozen=frozen)
        if rows:
            await bp.tables.bulk_upsert(TABLE_NAME, rows)


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


async def test_the_demo_with_only_some_bp_variables_says_so_and_uses_the_emulator_in_the_cache_directory(
    runner: Any, base_env: dict[str, str], tmp_path: Path
) -> None:
    result = await runner.cli(["demo", "--no-progress"], {**base_env, "BP_TOKEN": "a-token"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(
        "note: BP_TOKEN set but not BP_API_URL and BP_BOT_ID: using the embedded emulator"
    )
    assert "demo against the embedded emulator" in result.stdout
    assert (tmp_path / "cache" / "botpress-async" / "demo.db").is_file()


async def test_the_demo_adds_the_columns_a_table_left_by_the_old_readme_tour_lacks(
    runner: Any, base_env: dict[str, str], tmp_path: Path, client_for: Callable[..., Client]
) -> None:
    db = tmp_path / "demo.db"
    anc = {"iata": "ANC", "name": "Ted Stevens Anchorage International", "state": "AK"}
    await make_table(client_for, db, TOUR_SCHEMA, [anc], key="iata")

    result = await runner.cli(["demo", "--db", str(db), "--no-progress"], base_env)

    assert result.returncode == 0, result.stderr
    assert "added city, country, latitude, longitude; made name searchable" in result.stdout
    assert "3,375 new rows, 1 updated, 0 failed, 0 server warnings" in result.stdout
    assert "Every step checked out" in result.stdout


async def test_the_demo_stops_with_the_reason_when_a_column_has_another_type(
    runner: Any, base_env: dict[str, str], tmp_path: Path, client_for: Callable[..., Client]
) -> None:
    db = tmp_path / "demo.db"
    await make_table(client_for, db, table_schema({"iata": "string", "latitude": "string"}), [], key="iata")

    result = await runner.cli(["demo", "--db", str(db), "--no-progress"], base_env)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"botpress-async: error: demo failed: {TABLE_NAME} exists with other column types (column "
        "'latitude' is string, the demo needs number): delete it, or run the demo on another database (--db)"
    ]


async def test_the_demo_stops_with_the_reason_when_a_table_lacking_columns_cannot_be_patched(
    runner: Any, base_env: dict[str, str], tmp_path: Path, client_for: Callable[..., Client]
) -> None:
    db = tmp_path / "demo.db"
    await make_table(client_for, db, TOUR_SCHEMA, [], key="iata", frozen=True)

    result = await runner.cli(["demo", "--db", str(db), "--no-progress"], base_env)

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        f"botpress-async: error: demo failed: {TABLE_NAME} lacks columns the demo needs (name, city, "
        "country, latitude, longitude) and could not be patched: Forbidden:"
    )


async def test_the_bot_replies_as_itself_without_a_user_of_its_own(
    tmp_path: Path, client_for: Callable[..., Client]
) -> None:
    db = tmp_path / "demo.db"
    summary = await run(db=db, progress=False, environ={}, out=io.StringIO())
    async with Emulator(db=str(db)) as emu, client_for(emu, DEMO_BOT_ID) as bp:
        users = [u async for u in bp.users.list()]
        (conversation,) = [c async for c in bp.conversations.list()]
        messages = [m async for m in bp.messages.list(conversation_id=conversation.id)]
    assert summary.warnings == 0
    assert len(users) == 1
    assert [(m.direction, m.user_id) for m in messages] == [
        ("outgoing", DEMO_BOT_ID),
        ("incoming", users[0].id),
    ]


async def test_a_demo_whose_checks_fail_exits_non_zero_with_a_one_line_reason(
    runner: Any, base_env: dict[str, str], tmp_path: Path, client_for: Callable[..., Client]
) -> None:
    db = tmp_path / "demo.db"
    # An airportsTable without the iata key column: the demo must refuse to upsert into it.
    await make_table(client_for, db, table_schema({"iata": "string", "name": "string"}), [], key=None)

    result = await runner.cli(["demo", "--db", str(db), "--no-progress"], base_env)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"botpress-async: error: demo failed: {TABLE_NAME} exists with key column None"
    ]


def test_the_server_warnings_are_counted_and_the_first_three_quoted() -> None:
    warnings = [f"row {i}: column 'city' does not exist in table 'airportsTable'; ignored" for i in range(5)]
    assert warning_lines(warnings) == [
        "      the server answered 5 warnings (the first 3):",
        *(f"        warning: {w}" for w in warnings[:3]),
    ]
    assert warning_lines([]) == []


def as_table(schema: dict[str, Any]) -> Table:
    return Table(id="table_1", name=TABLE_NAME, schema=schema)


def test_the_schema_patch_adds_missing_columns_and_makes_search_columns_searchable() -> None:
    wanted = table_schema({"iata": "string", "name": "string", "city": "string"}, searchable=("name", "city"))
    patch = schema_patch(as_table(table_schema({"iata": "string", "name": "string"})), wanted)
    assert patch == {"name": wanted["properties"]["name"], "city": wanted["properties"]["city"]}
    assert schema_patch(as_table(wanted), wanted) == {}


def test_the_schema_patch_refuses_a_column_of_another_type() -> None:
    wanted = table_schema({"iata": "string", "latitude": "number"})
    with pytest.raises(DemoFailed, match="column 'latitude' is string, the demo needs number"):
        schema_patch(as_table(table_schema({"iata": "string", "latitude": "string"})), wanted)


def test_the_target_is_called_botpress_cloud_only_at_the_cloud_url() -> None:
    assert target_label("https://api.botpress.cloud/") == "Botpress Cloud (https://api.botpress.cloud)"
    assert target_label("http://127.0.0.1:8765") == "the API at http://127.0.0.1:8765"


def test_no_note_when_no_or_all_bp_variables_are_set() -> None:
    assert partial_target_hint({}) is None
    assert partial_target_hint({"BP_API_URL": "u", "BP_TOKEN": "t", "BP_BOT_ID": "b"}) is None
    assert "BP_API_URL=https://api.botpress.cloud" in (partial_target_hint({"BP_TOKEN": "t"}) or "")


def test_the_bot_reads_the_state_a_question_is_about() -> None:
    assert state_in_question("Which airports are in Alaska?") == "AK"
    assert state_in_question("airports in west virginia please") == "WV"
    assert state_in_question("What about TX?") == "TX"
    assert state_in_question("hello") is None
