"""``botpress-async`` as a user runs it: a subprocess against the emulator.

Error paths end with one line on stderr and a non-zero exit, never a traceback; ``tables import`` of a
real CSV round-trips through ``tables export`` unchanged.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
from pathlib import Path
from typing import Any

import pytest

from botpress_async import Client, ResourceNotFoundError
from botpress_async.models import table_schema

WEATHER = Path(__file__).resolve().parents[1] / "data" / "seattle-weather.csv"
WEATHER_ROWS = 1461
IMPORT_WEATHER = ["tables", "import", str(WEATHER), "--table", "weatherTable", "--key-column", "date"]


@pytest.fixture
def env(bp_env: dict[str, str]) -> dict[str, str]:
    return bp_env


@pytest.fixture
def run_cli(runner: Any) -> Any:
    return runner.cli


def assert_one_line_error(result: Any, *, contains: str = "") -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("botpress-async: error:"), lines[0]
    assert contains.lower() in lines[0].lower(), lines[0]


async def test_import_of_a_missing_file_fails_with_one_line(
    run_cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    result = await run_cli(["tables", "import", str(tmp_path / "nope.csv"), "--table", "nopeTable"], env)
    assert_one_line_error(result, contains="nope.csv")


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("a,b,c\n1,2,3\n4,5,6,7\n", 3),  # one field too many
        ('a,b\n1,"x"y\n', 2),  # text after a closing quote
        ('a,b\n1,2\n3,"never closed\n', 3),  # a quote left open at the end of the file
    ],
    ids=["extra-field", "stray-quote", "open-quote"],
)
async def test_import_of_a_malformed_csv_line_fails_naming_the_line_and_sends_nothing(
    run_cli: Any, env: dict[str, str], tmp_path: Path, botpress_client: Client, content: str, line: int
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = await run_cli(["tables", "import", str(path), "--table", "badTable"], env)
    assert_one_line_error(result, contains=f"bad.csv:{line}: malformed CSV line")
    with pytest.raises(ResourceNotFoundError):
        await botpress_client.tables.get("badTable")


async def test_import_of_a_malformed_jsonl_line_fails_naming_the_line(
    run_cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{"a": 2\n')
    result = await run_cli(["tables", "import", str(path), "--table", "badTable"], env)
    assert_one_line_error(result, contains="bad.jsonl:2: malformed JSON line")


async def test_export_of_an_unknown_table_fails_with_one_line(run_cli: Any, env: dict[str, str]) -> None:
    result = await run_cli(["tables", "export", "missingTable"], env)
    assert_one_line_error(result, contains="missingTable")


async def test_a_wrong_token_fails_with_one_line_that_does_not_show_it(
    run_cli: Any, env: dict[str, str]
) -> None:
    wrong = "wrong-token-0123456789"
    result = await run_cli(["tables", "export", "anyTable"], {**env, "BP_TOKEN": wrong})
    assert_one_line_error(result, contains="unauthorized")
    assert wrong not in result.stderr


async def test_an_emulator_that_is_not_running_fails_with_one_line(run_cli: Any, env: dict[str, str]) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = await run_cli(
        ["tables", "export", "anyTable"], {**env, "BP_API_URL": f"http://127.0.0.1:{port}"}
    )
    assert_one_line_error(result)


@pytest.mark.parametrize(
    ("flt", "message"),
    [("{state: AK}", "--filter is not valid JSON"), ("[1]", "--filter must be a JSON object")],
    ids=["not-json", "not-an-object"],
)
async def test_a_malformed_filter_is_a_usage_error_with_one_line(
    run_cli: Any, env: dict[str, str], flt: str, message: str
) -> None:
    result = await run_cli(["tables", "export", "anyTable", "--filter", flt], env)
    assert_one_line_error(result, contains=message)
    assert result.returncode == 2


async def test_an_unknown_command_is_a_usage_error_without_traceback(
    run_cli: Any, env: dict[str, str]
) -> None:
    result = await run_cli(["tables", "frobnicate"], env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


async def test_a_csv_round_trips_through_import_and_export_unchanged(
    run_cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    imported = await run_cli(
        ["tables", "import", str(WEATHER), "--table", "weatherTable", "--key-column", "date"], env
    )
    assert imported.returncode == 0, imported.stderr
    assert f"{WEATHER_ROWS} inserted, 0 updated, 0 failed" in imported.stdout

    out = tmp_path / "export.csv"
    exported = await run_cli(["tables", "export", "weatherTable", "--order-by", "date", "-o", str(out)], env)
    assert exported.returncode == 0, exported.stderr
    assert out.read_bytes() == WEATHER.read_bytes()


async def test_importing_the_same_csv_again_updates_every_row(run_cli: Any, env: dict[str, str]) -> None:
    args = ["tables", "import", str(WEATHER), "--table", "weatherTable", "--key-column", "date"]
    assert (await run_cli(args, env)).returncode == 0
    again = await run_cli(args, env)
    assert again.returncode == 0, again.stderr
    assert f"0 inserted, {WEATHER_ROWS} updated, 0 failed" in again.stdout


async def test_export_as_jsonl_with_a_filter_streams_only_the_matching_rows(
    run_cli: Any, env: dict[str, str]
) -> None:
    args = ["tables", "import", str(WEATHER), "--table", "weatherTable", "--key-column", "date"]
    assert (await run_cli(args, env)).returncode == 0
    flt = json.dumps({"weather": {"$eq": "snow"}})
    result = await run_cli(["tables", "export", "weatherTable", "--format", "jsonl", "--filter", flt], env)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    expected = sum(1 for line in WEATHER.read_text().splitlines()[1:] if line.endswith(",snow"))
    assert len(rows) == expected > 0
    assert {r["weather"] for r in rows} == {"snow"}
    assert set(rows[0]) == {"date", "precipitation", "temp_max", "temp_min", "wind", "weather"}


async def test_rows_the_server_refuses_are_written_to_the_failed_file_with_their_reasons(
    run_cli: Any, env: dict[str, str], tmp_path: Path, botpress_client: Client
) -> None:
    schema = table_schema({"code": "string", "size": "number"}, key_column="code")
    await botpress_client.tables.get_or_create("sizesTable", schema=schema, key_column="code")
    path = tmp_path / "sizes.jsonl"
    path.write_text('{"code": "a", "size": 1}\n{"code": "b", "size": "huge"}\n{"code": "c", "size": 3}\n')
    failed = tmp_path / "failed.jsonl"

    result = await run_cli(
        ["tables", "import", str(path), "--table", "sizesTable", "--failed", str(failed)], env
    )

    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert "2 inserted, 0 updated, 1 failed" in result.stdout
    records = [json.loads(line) for line in failed.read_text().splitlines()]
    assert [(r["line"], r["row"]) for r in records] == [(2, {"code": "b", "size": "huge"})]
    assert records[0]["error"].startswith("RowRejectedError: input row 1:")
    assert f"error: 1 row failed; it is in {failed} with its reason" in result.stderr


async def test_import_reports_the_servers_warnings_with_line_numbers_on_stderr_and_in_a_file(
    run_cli: Any, env: dict[str, str], tmp_path: Path, botpress_client: Client
) -> None:
    schema = table_schema({"code": "string"}, key_column="code")
    await botpress_client.tables.get_or_create("extrasTable", schema=schema, key_column="code")
    path = tmp_path / "extras.jsonl"
    path.write_text('{"code": "a"}\n{"code": "b", "extra": 1}\n')

    result = await run_cli(["tables", "import", str(path), "--table", "extrasTable"], env)

    assert result.returncode == 0, result.stderr
    assert "0 failed, 1 warning in" in result.stdout
    warnings_file = tmp_path / "extras.jsonl.warnings.jsonl"
    assert "the server answered 1 warning" in result.stderr
    assert str(warnings_file) in result.stderr
    assert re.search(r"warning: line 2: input row 1: column 'extra'", result.stderr), result.stderr
    records = [json.loads(line) for line in warnings_file.read_text().splitlines()]
    assert [(r["line"], r["index"]) for r in records] == [(2, 1)]
    assert records[0]["warning"].startswith("input row 1: column 'extra'")


async def test_the_emulator_command_serves_the_api_until_interrupted(
    runner: Any, base_env: dict[str, str], tmp_path: Path, botpress_bot_id: str
) -> None:
    db = tmp_path / "emu.db"
    proc = await asyncio.create_subprocess_exec(
        *runner.cli_command, "emulator", "--port", "0", "--token", "cli-token", "--db", str(db),
        env=base_env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert url, line
        async with Client(token="cli-token", bot_id=botpress_bot_id, base_url=url.group(0), environ={}) as bp:
            user = await bp.users.create(tags={})
            assert (await bp.users.get(user.id)).id == user.id
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0
    assert b"Traceback" not in err
    assert db.is_file()


async def test_a_missing_token_fails_with_one_line_before_any_request(
    run_cli: Any, base_env: dict[str, str]
) -> None:
    result = await run_cli(["tables", "export", "anyTable"], base_env)
    assert_one_line_error(result, contains="BP_TOKEN and BP_BOT_ID not set")


async def import_weather(run_cli: Any, env: dict[str, str]) -> None:
    assert (await run_cli([*IMPORT_WEATHER, "--no-progress"], env)).returncode == 0


@pytest.mark.parametrize(
    "bad",
    [["--order-by", "noSuchColumn"], ["--filter", '{"weather": {"$bogus": 1}}']],
    ids=["order-by", "filter"],
)
async def test_a_failed_export_leaves_the_output_file_as_it_was(
    run_cli: Any, env: dict[str, str], tmp_path: Path, bad: list[str]
) -> None:
    await import_weather(run_cli, env)
    out = tmp_path / "export.csv"
    out.write_text("the previous export\n")

    result = await run_cli(["tables", "export", "weatherTable", *bad, "-o", str(out)], env)

    assert_one_line_error(result, contains="InvalidQuery")
    assert out.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]  # no temporary file left


async def test_a_failed_export_to_a_new_file_creates_no_file(
    run_cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    await import_weather(run_cli, env)
    out = tmp_path / "export.csv"

    result = await run_cli(["tables", "export", "weatherTable", "--order-by", "nope", "-o", str(out)], env)

    assert_one_line_error(result, contains="InvalidQuery")
    assert list(tmp_path.iterdir()) == []


async def test_a_failed_export_to_stdout_writes_nothing_there(run_cli: Any, env: dict[str, str]) -> None:
    await import_weather(run_cli, env)

    result = await run_cli(["tables", "export", "weatherTable", "--order-by", "noSuchColumn"], env)

    assert_one_line_error(result, contains="InvalidQuery")
    assert result.stdout == ""


async def test_an_export_matching_no_row_is_the_header_alone(run_cli: Any, env: dict[str, str]) -> None:
    await import_weather(run_cli, env)
    flt = json.dumps({"weather": {"$eq": "hail"}})

    result = await run_cli(["tables", "export", "weatherTable", "--filter", flt], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "date,precipitation,temp_max,temp_min,wind,weather\n"


async def test_importing_into_a_new_table_without_a_key_column_warns_that_it_is_not_idempotent(
    run_cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("code,label\na,one\nb,two\n")
    args = ["tables", "import", str(path), "--table", "codesTable", "--no-progress"]

    first = await run_cli(args, env)
    second = await run_cli(args, env)

    assert first.returncode == second.returncode == 0, first.stderr
    assert (
        "botpress-async: warning: created table codesTable without a key column: every row is inserted "
        "as a new row, so importing this file again duplicates its rows" in first.stderr
    )
    assert "botpress-async: warning: table codesTable has no key column" in second.stderr
    assert "2 inserted, 0 updated" in second.stdout  # what the warning announced


async def test_importing_with_a_key_column_does_not_warn(run_cli: Any, env: dict[str, str]) -> None:
    args = [*IMPORT_WEATHER, "--no-progress"]
    result = await run_cli(args, env)
    assert result.returncode == 0
    assert "warning" not in result.stderr


async def test_the_import_progress_bar_shows_the_total_rows(run_cli: Any, env: dict[str, str]) -> None:
    result = await run_cli(IMPORT_WEATHER, env)
    assert result.returncode == 0, result.stderr
    assert f"{WEATHER_ROWS}/{WEATHER_ROWS}" in result.stderr


async def test_importing_a_directory_fails_saying_it_is_a_directory(
    run_cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "data.csv"
    folder.mkdir()
    result = await run_cli(["tables", "import", str(folder), "--table", "dataTable"], env)
    assert_one_line_error(result, contains=f"{folder}: is a directory")


async def test_importing_a_csv_with_only_a_header_fails_and_creates_no_table(
    run_cli: Any, env: dict[str, str], tmp_path: Path, botpress_client: Client
) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("code,label\n")

    result = await run_cli(["tables", "import", str(path), "--table", "emptyTable"], env)

    assert_one_line_error(result, contains="empty.csv: no rows to import (only a header line)")
    with pytest.raises(ResourceNotFoundError):
        await botpress_client.tables.get("emptyTable")


async def test_exporting_into_a_directory_fails_saying_it_is_a_directory(
    run_cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    result = await run_cli(["tables", "export", "anyTable", "-o", str(tmp_path)], env)
    assert_one_line_error(result, contains=f"{tmp_path}: is a directory")
