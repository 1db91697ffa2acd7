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


async def test_a_filter_that_is_not_json_fails_with_one_line(run_cli: Any, env: dict[str, str]) -> None:
    result = await run_cli(["tables", "export", "anyTable", "--filter", "{state: AK}"], env)
    assert_one_line_error(result, contains="--filter is not valid JSON")


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
    assert records[0]["error"]


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
