"""Fixtures for emulator tests: a running emulator (ManualClock) on a real loopback socket, a raw aiohttp
session bound to it, and JSON callers for two bots."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from emulator_helpers import BOT_A, BOT_B, Api

from botpress_async.emulator import Emulator, ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start_ms=1_700_000_000_000)


@pytest.fixture
async def emulator(clock: ManualClock) -> AsyncIterator[Emulator]:
    async with Emulator(clock=clock) as emu:
        yield emu


@pytest.fixture
async def session(emulator: Emulator) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    async with aiohttp.ClientSession(emulator.url, headers=headers) as http:
        yield http


@pytest.fixture
def api(session: aiohttp.ClientSession) -> Api:
    return Api(session, BOT_A)


@pytest.fixture
def api_b(session: aiohttp.ClientSession) -> Api:
    return Api(session, BOT_B)
