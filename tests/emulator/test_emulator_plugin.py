"""The pytest plugin's fixtures, used as a user would (the plugin is loaded by the pytest11 entry point)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from botpress_async.emulator import Emulator
from botpress_async.emulator import server as emulator_server


async def test_botpress_emulator_is_running_on_loopback(botpress_emulator: Emulator) -> None:
    assert botpress_emulator.url.startswith("http://127.0.0.1:")
    assert botpress_emulator.token


async def test_botpress_client_talks_to_the_emulator(botpress_client: Any, botpress_bot_id: str) -> None:
    user = await botpress_client.users.create(tags={"email": "a@example.com"})
    fetched = await botpress_client.users.get(user.id)
    assert fetched.id == user.id and fetched.tags == {"email": "a@example.com"}


async def test_each_test_gets_an_empty_emulator(botpress_client: Any) -> None:
    page = await botpress_client.users.list()
    assert list(page.items) == []


@pytest.fixture
def developer_environment(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """A developer's BP_* identities in the environment; returns the headers of every request the
    emulator then receives (set up before ``botpress_emulator``, which must be started after it)."""
    monkeypatch.setenv("BP_WORKSPACE_ID", "wkspace_from_developer_env")
    monkeypatch.setenv("BP_INTEGRATION_ID", "intg_from_developer_env")
    received: list[dict[str, str]] = []
    real_make_app = emulator_server.make_app

    @web.middleware
    async def record(request: web.Request, handler: Callable[[web.Request], Awaitable[Any]]) -> Any:
        received.append({name.lower(): value for name, value in request.headers.items()})
        return await handler(request)

    def make_app_recording(state: Any) -> web.Application:
        state.middlewares.append(record)
        return real_make_app(state)

    monkeypatch.setattr(emulator_server, "make_app", make_app_recording)
    return received


async def test_botpress_client_sends_no_identity_from_the_developers_environment(
    developer_environment: list[dict[str, str]], botpress_client: Any, botpress_bot_id: str
) -> None:
    await botpress_client.users.list()
    assert len(developer_environment) == 1
    headers = developer_environment[0]
    assert headers["x-bot-id"] == botpress_bot_id
    assert "x-workspace-id" not in headers
    assert "x-integration-id" not in headers
