"""pytest plugin (entry point ``pytest11``): fixtures running the local Botpress emulator.

Usage in a user's tests (pytest-asyncio installed)::

    async def test_greets(botpress_client):
        user = await botpress_client.users.create(tags={})
        ...

Fixtures are function-scoped: every test gets an empty emulator. This module must stay importable
without pytest-asyncio (pytest loads every installed plugin): without it, the fixtures fail with a
message saying what to install.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

from botpress_async.emulator import Emulator

if TYPE_CHECKING:
    from botpress_async._client import Client

pytest_asyncio: Any
try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - depends on the user's environment
    pytest_asyncio = None

__all__ = ["botpress_bot_id", "botpress_client", "botpress_emulator"]


def _async_fixture(function: Any) -> Any:
    if pytest_asyncio is None:  # pragma: no cover

        @pytest.fixture(name=function.__name__)
        def missing(*args: Any, **kwargs: Any) -> None:
            pytest.fail("the botpress_async fixtures need pytest-asyncio: pip install pytest-asyncio")

        return missing
    return pytest_asyncio.fixture(function)


@pytest.fixture
def botpress_bot_id() -> str:
    """The bot id ``botpress_client`` sends as ``x-bot-id``: a random UUID (the service's id form)."""
    return str(uuid.uuid4())


@_async_fixture
async def botpress_emulator() -> AsyncIterator[Emulator]:
    """A running emulator (in-memory database, free loopback port, random token), new for each test."""
    async with Emulator() as emulator:
        yield emulator


@_async_fixture
async def botpress_client(botpress_emulator: Emulator, botpress_bot_id: str) -> AsyncIterator[Client]:
    """A ``botpress_async.Client`` bound to ``botpress_emulator`` as bot ``botpress_bot_id``; closed after.

    It reads no ``BP_*`` variable: a developer's ``BP_WORKSPACE_ID`` or ``BP_INTEGRATION_ID`` never
    reaches the emulator.
    """
    from botpress_async._client import Client  # imported here: the plugin loads before the user's code

    client = Client(
        token=botpress_emulator.token, bot_id=botpress_bot_id, base_url=botpress_emulator.url, environ={}
    )
    async with client:
        yield client
