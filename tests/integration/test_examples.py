"""The examples run against the emulator: the FastAPI app (client opened in its lifespan), the
aiohttp.web app (client in a cleanup_ctx) and the CSV ingestion script."""

from __future__ import annotations

import importlib.util
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


async def test_the_readme_tour_runs_against_the_emulator(runner: Any, bp_env: dict[str, str]) -> None:
    readme = (REPO / "README.md").read_text()
    tour = readme.split("## A tour", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]

    result = await runner.run([sys.executable, "-c", tour], bp_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["1 0 0", "ANC Ted Stevens Anchorage International"]
    assert result.stdout.splitlines()[0].endswith("Which airports are in Alaska?")
