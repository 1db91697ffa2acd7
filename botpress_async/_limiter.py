"""The client-wide limiter: one per Client, shared by its ``with_options`` views and every task.

It bounds the requests in flight (``max_concurrency``), optionally caps the request rate
(``requests_per_second``), and pauses every caller when the server answers 429, until the reset it
advertised: many concurrent callers then resume together at the reset instead of each retrying
on its own schedule.

With ``adaptive`` on, a successful answer that says the budget is spent (``RateLimit-Remaining: 0``
with a ``RateLimit-Reset``) pauses every caller the same way, before the server has to refuse anyone.

The transport calls ``acquire()`` before each attempt, ``release()`` after it, and ``observe()``
with each response's status and headers. Nothing here sends HTTP.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

__all__ = ["Limiter"]


class Limiter:
    """Concurrency cap, optional rate cap, and a shared pause after 429.

    Args:
        max_concurrency: the most attempts in flight at once.
        requests_per_second: an optional cap on the start rate of attempts; None for no cap.
        adaptive: pause when a successful answer reports ``RateLimit-Remaining: 0``.
        clock: monotonic seconds (injectable for tests).
        sleep: the coroutine used to wait (injectable for tests).
    """

    def __init__(
        self,
        max_concurrency: int,
        requests_per_second: float | None = None,
        *,
        adaptive: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.max_concurrency = max_concurrency
        self.requests_per_second = requests_per_second
        self.adaptive = adaptive
        self._clock = clock
        self._sleep = sleep
        self._semaphore: asyncio.Semaphore | None = None
        self._taken = 0
        self._paused_until = 0.0
        self._next_start = 0.0
        self.rate_limited = 0
        self.waited = 0.0

    def _sem(self) -> asyncio.Semaphore:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
        return self._semaphore

    async def acquire(self) -> None:
        """Wait for a slot, for the shared pause to end, and for the rate cap."""
        await self._sem().acquire()
        try:
            await self._wait_turn()
        except BaseException:
            self._sem().release()
            raise
        self._taken += 1

    def release(self) -> None:
        """Give the slot back."""
        self._taken -= 1
        self._sem().release()

    async def _wait_turn(self) -> None:
        while True:
            now = self._clock()
            wait = self._paused_until - now
            if self.requests_per_second:
                start = max(now, self._next_start)
                if wait <= 0:
                    # Reserve the start time before sleeping, so concurrent callers space out.
                    self._next_start = start + 1.0 / self.requests_per_second
                    wait = start - now
                    if wait > 0:
                        self.waited += wait
                        await self._sleep(wait)
                    return
            if wait <= 0:
                return
            self.waited += wait
            await self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` from now (extends, never shortens, a pause)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def in_flight(self) -> int:
        """How many slots are taken right now (0 when the client is idle)."""
        return self._taken

    def observe(self, status: int, headers: Mapping[str, str], server_wait: float | None) -> None:
        """Learn from a response: a 429 pauses the whole client until the advertised reset.

        Args:
            status: the HTTP status of the answer.
            headers: its headers (RateLimit-Remaining / RateLimit-Reset are read when adaptive).
            server_wait: the wait the server asked for, in seconds, already parsed and capped.
        """
        if status == 429:
            self.rate_limited += 1
            if server_wait:
                self.pause(server_wait)
        elif self.adaptive and status < 400 and server_wait:
            remaining = headers.get("RateLimit-Remaining")
            if remaining is not None and remaining.strip() == "0":
                self.pause(server_wait)
