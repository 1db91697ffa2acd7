"""Test doubles for the core: a clock whose sleeps return at once, and a client built on it.

``FakeClock`` moves only when someone sleeps through it, so retry backoff, Retry-After waits and
limiter pauses take no real time and every wait is recorded in ``clock.sleeps``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from wire_recorder import BASE_URL, BOT_ID, TOKEN

from botpress_async import Client


class FakeClock:
    """Monotonic seconds that advance by exactly what is slept; ``sleeps`` lists every wait."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def make_client(clock: FakeClock | None = None, **options: Any) -> Client:
    """A client aimed at the wire recorder's BASE_URL, with no environment lookup."""
    options.setdefault("token", TOKEN)
    options.setdefault("bot_id", BOT_ID)
    options.setdefault("base_url", BASE_URL)
    options.setdefault("environ", {})
    if clock is not None:
        options["_clock"] = clock
        options["_sleep"] = clock.sleep
    return Client(**options)
