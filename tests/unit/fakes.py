"""Test doubles for the core: fake clocks, and a client built on one.

``FakeClock`` moves only when someone sleeps through it, so retry backoff, Retry-After waits and
limiter pauses take no real time and every wait is recorded in ``clock.sleeps``. ``VirtualClock`` is
the same clock where a sleep blocks until time reaches its wake-up: the test moves time itself
(:meth:`VirtualClock.advance`), or lets :meth:`VirtualClock.run` jump to the next wake-up whenever
every task waits, so a minute of paced requests takes milliseconds.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
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


class VirtualClock(FakeClock):
    """Monotonic seconds, from 0, where a sleep returns only once time reaches its wake-up."""

    def __init__(self, start: float = 0.0) -> None:
        super().__init__(start)
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()  # equal wake-ups wake in the order they slept

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        await future

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, wake every sleeper due by then, and let them run."""
        self.now += seconds
        while self._sleepers and self._sleepers[0][0] <= self.now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():  # a cancelled sleeper
                future.set_result(None)
        await settle()

    async def run(self, *aws: Awaitable[Any]) -> list[Any]:
        """Run ``aws`` to completion, jumping to the next wake-up whenever all of them wait on this clock."""
        tasks = [asyncio.ensure_future(aw) for aw in aws]
        while not all(task.done() for task in tasks):
            await settle(50)
            if all(task.done() for task in tasks):
                break
            assert self._sleepers, "deadlock: every task waits, and not on the clock"
            when, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, when)
            if not future.done():  # a cancelled sleeper
                future.set_result(None)
        return [task.result() for task in tasks]


async def settle(rounds: int = 10) -> None:
    """Let every ready task run ``rounds`` event-loop turns (what they do until they next wait)."""
    for _ in range(rounds):
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
