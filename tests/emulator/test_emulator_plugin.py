"""The pytest plugin's fixtures, used as a user would (the plugin is loaded by the pytest11 entry point)."""

from __future__ import annotations

from typing import Any

from botpress_async.emulator import Emulator


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
