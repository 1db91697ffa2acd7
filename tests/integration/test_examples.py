"""The examples run against the emulator: the FastAPI app (client opened in its lifespan), the
aiohttp.web app (client in a cleanup_ctx), the CSV ingestion script, and the README's tour and pytest
snippet (the latter in a scratch project outside the repository, as a user's project)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer

from botpress_async import Client

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
WEATHER = REPO / "tests" / "data" / "seattle-weather.csv"


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def in_process_env(bp_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's BP_* variables point at the emulator (the apps' Client() reads them)."""
    for key in ("BP_WORKSPACE_ID", "BP_INTEGRATION_ID"):
        monkeypatch.delenv(key, raising=False)
    for key in ("BP_API_URL", "BP_TOKEN", "BP_BOT_ID"):
        monkeypatch.setenv(key, bp_env[key])


@pytest.mark.usefixtures("in_process_env")
async def test_the_fastapi_example_serves_a_chat_through_the_client_of_its_lifespan() -> None:
    app = load_example("fastapi_app").app
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as http,
    ):
        first = await http.post("/messages", json={"email": "ada@example.com", "text": "hello"})
        second = await http.post("/messages", json={"email": "ada@example.com", "text": "bye"})
        assert first.status_code == second.status_code == 201
        assert second.json()["messages"] == 2
        conv = second.json()["conversationId"]
        transcript = await http.get(f"/conversations/{conv}/transcript")
        assert [m["text"] for m in transcript.json()["messages"]] == ["hello", "bye"]
        missing = await http.get("/conversations/conv_0123456789012345678901234/transcript")
        bp: Client = app.state.bp
    assert missing.status_code == 404
    assert bp.closed


@pytest.mark.usefixtures("in_process_env")
async def test_the_aiohttp_example_serves_a_chat_through_the_client_of_its_cleanup_ctx() -> None:
    module = load_example("aiohttp_app")
    app = module.create_app()
    async with TestClient(TestServer(app)) as http:
        first = await http.post("/messages", json={"email": "bob@example.com", "text": "hi"})
        second = await http.post("/messages", json={"email": "bob@example.com", "text": "there"})
        assert first.status == second.status == 201
        body = await second.json()
        assert body["messages"] == 2
        transcript = await http.get(f"/conversations/{body['conversationId']}/transcript")
        assert [m["text"] for m in (await transcript.json())["messages"]] == ["hi", "there"]
        missing = await http.get("/conversations/conv_0123456789012345678901234/transcript")
        assert missing.status == 404
        bp: Client = app[module.BOTPRESS]
    assert bp.closed


async def test_the_ingest_example_streams_a_csv_into_a_table(
    runner: Any, bp_env: dict[str, str], botpress_client: Client
) -> None:
    script = [sys.executable, str(EXAMPLES / "ingest_csv.py"), str(WEATHER), "weatherTable", "date"]

    result = await runner.run(script, bp_env)

    assert result.returncode == 0, result.stderr
    assert "1461 rows: 1461 inserted, 0 updated, 0 failed" in result.stdout
    assert (await botpress_client.tables.get("weatherTable")).rows == 1461
    rainy = await botpress_client.tables.find_rows("weatherTable", filter={"date": {"$eq": "2012/01/02"}})
    assert [(r["precipitation"], r["weather"]) for r in rainy.rows] == [(10.9, "rain")]


async def test_the_ingest_example_keeps_a_zero_padded_code_as_text(
    runner: Any, bp_env: dict[str, str], botpress_client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "zips.csv"
    path.write_text("zip,population,name\n00123,5.5,Adjuntas\n10001,21102,New York\n")
    script = [sys.executable, str(EXAMPLES / "ingest_csv.py"), str(path), "zipsTable", "zip"]

    result = await runner.run(script, bp_env)

    assert result.returncode == 0, result.stderr
    page = await botpress_client.tables.find_rows("zipsTable", order_by="zip")
    assert [(r["zip"], r["population"]) for r in page.rows] == [("00123", 5.5), ("10001", 21102)]


def readme_block(section: str, language: str, index: int = 0) -> str:
    """The ``index``-th fenced block of ``language`` in the README section titled ``section``."""
    readme = (REPO / "README.md").read_text()
    text = readme.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return text.split(f"```{language}\n")[index + 1].split("```", 1)[0]


async def test_the_readme_tour_runs_against_the_emulator(runner: Any, bp_env: dict[str, str]) -> None:
    tour = readme_block("A tour", "python")

    result = await runner.run([sys.executable, "-c", tour], bp_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "outgoing Let me look that up.",  # newest first
        "incoming Which airports are in Alaska?",
        "1 0 0",
        "ANC Ted Stevens Anchorage International",
    ]


async def test_the_readme_tour_twice_upserts_its_row_and_records_the_question_once(
    runner: Any, bp_env: dict[str, str]
) -> None:
    tour = readme_block("A tour", "python")
    assert (await runner.run([sys.executable, "-c", tour], bp_env)).returncode == 0

    again = await runner.run([sys.executable, "-c", tour], bp_env)

    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    assert lines.count("incoming Which airports are in Alaska?") == 1
    assert lines[-2:] == ["0 1 0", "ANC Ted Stevens Anchorage International"]


def test_the_readme_tour_does_not_use_the_demo_table() -> None:
    from botpress_async.demo import TABLE_NAME

    assert f'"{TABLE_NAME}"' not in readme_block("A tour", "python")


def run_pytest_in_scratch_project(project: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BP_", "PYTEST_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_readme_pytest_snippet_passes_in_a_project_with_the_readme_configuration(tmp_path: Path) -> None:
    section = "The emulator and the pytest fixtures"
    (tmp_path / "pyproject.toml").write_text(readme_block(section, "toml"))
    (tmp_path / "test_snippet.py").write_text(readme_block(section, "python"))

    result = run_pytest_in_scratch_project(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_readme_pytest_snippet_passes_with_marked_tests_in_strict_mode(tmp_path: Path) -> None:
    section = "The emulator and the pytest fixtures"
    config = readme_block(section, "toml").replace('asyncio_mode = "auto"\n', "")
    (tmp_path / "pyproject.toml").write_text(config)
    snippet = readme_block(section, "python").replace("async def", "@pytest.mark.asyncio\nasync def")
    (tmp_path / "test_snippet.py").write_text("import pytest\n\n" + snippet)

    result = run_pytest_in_scratch_project(tmp_path)

    assert "asyncio_mode" not in config
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
