"""The client-wide limiter: one per Client, shared by its ``with_options`` views and every task.

It bounds the requests in flight (``max_concurrency``), optionally caps the request rate
(``requests_per_second``), and pauses every caller when the server answers 429, until the reset it
advertised; after the pause, callers start again one at a time at the current pace, not all at once.

Adaptive mode (``adaptive=True``, the client's default) wakes up once an answer carries
``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (requests allowed per window,
requests left in it, seconds until it resets). From then on, request starts are spaced evenly:

- never faster than the advertised limit less a reserve of 5 % (at least one request) that absorbs
  network jitter: ``(limit - reserve) / window`` requests per second, the window being the longest
  reset seen;
- when the reset comes before a whole window has passed (a fixed window, partly used), no faster than
  the remaining budget spread over the time left: ``remaining / reset``;
- a 429 halves the pace (once per pause: the other answers refused meanwhile are the same burst) and
  pauses every caller until the reset; each later success adds ``limit_rate / (2 × limit)`` back, so
  recovering takes about two windows' worth of requests;
- an answer that spends the budget (``RateLimit-Remaining: 0``) pauses every caller until a reset that
  ends the window; when the reset is a whole window away (a sliding window, where slots free up one by
  one) it lowers the pace by 10 % instead of stopping for a whole window.

An adaptive limiter lets its very first request go alone and holds the others until that answer
(at most 2 s): a burst of ``max_concurrency`` requests cannot overrun a limit not yet known. Once an
answer without these headers is seen, and without ``requests_per_second``, nothing is paced:
``acquire`` is one semaphore acquire and ``observe`` two header look-ups.

The transport calls ``acquire()`` before each attempt, ``release()`` after it, and ``observe()`` with
each response's status and headers. Nothing here sends HTTP.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping

import attrs

from botpress_async._retry import header, seconds

__all__ = ["Limiter", "RateLimitStats"]

_BACKOFF = 0.5  # pace multiplier on a 429
_EASE = 0.9  # pace multiplier when a sliding window's budget is spent
_RESERVE = 0.05  # share of the limit left unused, to absorb jitter
_WHOLE_WINDOW = 0.9  # a reset at least this share of the window away is "a whole window away"
_FLOOR = 0.05  # the adaptive pace never drops below this share of the limit rate
_PROBE_WAIT = 2.0  # real seconds the other callers wait at most for the first answer


@attrs.frozen(kw_only=True)
class RateLimitStats:
    """A snapshot of the client's limiter (``client.rate_limit_stats``).

    Attributes:
        rate_limited: 429 answers met since the client was created.
        waited: seconds the limiter held requests back (429 pauses and pacing), as wall-clock time:
            callers waiting side by side count once.
        pace: the current pace in requests per second (the adaptive pace or ``requests_per_second``,
            whichever is lower); None when requests are not paced.
        limit: the last ``RateLimit-Limit`` the server sent (requests per window); None if never sent.
        remaining: the last ``RateLimit-Remaining`` it sent; None if never sent.
        window: the estimated window length in seconds (the longest ``RateLimit-Reset`` seen); None
            before the first one.
        paused_for: seconds left in the current pause after a 429 or a spent budget (0.0 if none).
    """

    rate_limited: int
    waited: float
    pace: float | None
    limit: int | None
    remaining: int | None
    window: float | None
    paused_for: float


class Limiter:
    """Concurrency cap, optional rate cap, adaptive pacing, and a shared pause after 429.

    Args:
        max_concurrency: the most attempts in flight at once.
        requests_per_second: an optional cap on the start rate of attempts; None for no cap.
        adaptive: pace from the server's ``RateLimit-*`` headers once it sends them.
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
        self._gate: asyncio.Lock | None = None
        # False on the fast path: no rate cap, no adaptive pace, no pause, no probe pending.
        self._gated = bool(requests_per_second) or adaptive
        # Adaptive: until a first answer is seen, one request (the probe) goes alone, the others wait
        # for its answer, so a server's limit is known before max_concurrency requests overrun it.
        self._unprobed = adaptive
        self._probe: asyncio.Event | None = None
        self._version = 0  # bumped when a pause is set or extended: sleeping callers look again
        self._taken = 0
        self._paused_until = 0.0
        self._next_start = 0.0
        # Adaptive state, filled from the RateLimit-* headers.
        self._limit: int | None = None
        self._remaining: int | None = None
        self._window = 0.0
        self._reserve = 1
        self._ceiling = 0.0  # (limit - reserve) / window, requests per second
        self._step = 0.0  # the additive increase per success: ceiling / (2 × limit)
        self._rate: float | None = None  # the adaptive pace; None until the headers are seen
        self._budget_rate = 0.0  # remaining / reset, valid until _budget_until
        self._budget_until = 0.0
        self.rate_limited = 0
        self.waited = 0.0

    def _sem(self) -> asyncio.Semaphore:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
        return self._semaphore

    async def acquire(self) -> None:
        """Wait for a slot, for the shared pause to end, and for this caller's turn at the pace."""
        semaphore = self._semaphore if self._semaphore is not None else self._sem()
        await semaphore.acquire()
        if self._gated:
            try:
                await self._wait_turn()
            except BaseException:
                semaphore.release()
                raise
        self._taken += 1

    def release(self) -> None:
        """Give the slot back."""
        self._taken -= 1
        self._sem().release()
        if self._unprobed:
            self._end_probe()

    def _end_probe(self) -> None:
        # The transport calls observe() right after release(), with no await between: the callers
        # woken here run after the probe's answer has been learnt.
        self._unprobed = False
        if self._probe is not None:
            self._probe.set()
            self._probe = None
        self._gated = bool(self.requests_per_second) or self._rate is not None or self._paused_until > 0

    async def _wait_turn(self) -> None:
        if self._unprobed and await self._be_probe():
            return
        try:
            await self._wait_gate()
        except BaseException:
            if self._probe is not None and self._unprobed and self._taken == 0:
                # This caller was the probe and never went: let the next caller probe instead.
                self._probe.set()
                self._probe = None
            raise

    async def _be_probe(self) -> bool:
        """Wait while another caller's probe is out; True when this caller is the probe and may go now."""
        probe = self._probe
        if probe is not None:
            try:
                # Bounded: a first call that takes long (a slow export) must not hold everyone back.
                async with asyncio.timeout(_PROBE_WAIT):
                    await probe.wait()
            except TimeoutError:
                return False
        if not self._unprobed or self._probe is not None:
            return False
        self._probe = asyncio.Event()
        return not self.requests_per_second and not self._paused_until

    async def _wait_gate(self) -> None:
        if self._gate is None:
            self._gate = asyncio.Lock()
        async with self._gate:
            # One caller at a time picks its start time; the others queue here, first come first served,
            # so a pause or a slower pace applies to every one of them when its turn comes.
            now = self._clock()
            while True:
                version = self._version
                planned = max(self._paused_until, self._next_start)
                if planned <= now:
                    break
                wait = planned - now
                self.waited += wait
                await self._sleep(wait)
                now = self._clock()
                if self._version == version:
                    break  # no new pause meanwhile: the planned start stands
            pace = self._pace(now)
            if pace:
                interval = 1.0 / pace
                # Starts keep to a grid (a late wake-up does not push every later start back, which would
                # lose a little of the pace at each request) unless this one is more than half an
                # interval late: then the grid restarts from now, so a late start never causes a burst.
                self._next_start = (planned if now - planned <= interval / 2 else now) + interval
            else:
                self._next_start = now
            self._gated = pace is not None or self._paused_until > now

    def _pace(self, now: float) -> float | None:
        """Requests per second allowed right now; None when unpaced."""
        pace = self._rate
        if pace is not None and self._budget_until > now and self._budget_rate < pace:
            pace = self._budget_rate
        cap = self.requests_per_second
        if cap and (pace is None or cap < pace):
            pace = cap
        return pace

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` from now (extends, never shortens, a pause)."""
        until = self._clock() + seconds
        if until > self._paused_until:
            self._paused_until = until
            self._version += 1
            self._gated = True

    @property
    def in_flight(self) -> int:
        """How many slots are taken right now (0 when the client is idle)."""
        return self._taken

    @property
    def stats(self) -> RateLimitStats:
        """A snapshot: 429s met, seconds waited, current pace, the server's last advertised budget."""
        now = self._clock()
        return RateLimitStats(
            rate_limited=self.rate_limited,
            waited=self.waited,
            pace=self._pace(now),
            limit=self._limit,
            remaining=self._remaining,
            window=self._window or None,
            paused_for=max(0.0, self._paused_until - now),
        )

    def observe(self, status: int, headers: Mapping[str, str], server_wait: float | None) -> None:
        """Learn from a response: pace from its RateLimit-* headers, pause everyone after a 429.

        Args:
            status: the HTTP status of the answer.
            headers: its headers (RateLimit-Limit / -Remaining / -Reset are read when adaptive).
            server_wait: the wait the server asked for, in seconds, already parsed and capped
                (Retry-After, else RateLimit-Reset); None when it asked for none.
        """
        if self._unprobed:
            self._end_probe()
        if status == 429:
            self.rate_limited += 1
            if self.adaptive:
                self._remaining = 0
                self._learn(headers, server_wait)
                if self._rate is not None and self._clock() >= self._paused_until:
                    self._rate = max(self._rate * _BACKOFF, self._ceiling * _FLOOR)
            if server_wait:
                self.pause(server_wait)
            return
        if not self.adaptive:
            return
        raw = header(headers, "RateLimit-Remaining")
        if raw is None:
            return  # the fast path: this server (or route) advertises no budget
        remaining = _count(raw)
        if remaining is None:
            return
        self._remaining = remaining
        starting = self._rate is None
        reset = self._learn(headers, server_wait)
        if self._rate is None or not reset:
            # No limit advertised (or no reset): only a spent budget matters, until the reset if known.
            if remaining == 0 and reset:
                self.pause(reset)
            return
        # A reset nearer than a whole window ends a fixed window: the budget must last until then. One a
        # whole window away (a sliding window) only says the budget comes back within it, a slot at a time.
        window_ends = reset < _WHOLE_WINDOW * self._window
        if remaining == 0:
            if window_ends or starting:
                self.pause(reset)  # nothing comes back before the reset
            else:
                self._rate = max(self._rate * _EASE, self._ceiling * _FLOOR)  # the oldest leave soon
            return
        if window_ends:
            self._budget_rate = remaining / reset
            self._budget_until = self._clock() + reset
        elif starting:
            # The requests sent before the headers were seen (up to max_concurrency at once) count for a
            # whole window: spread what is left of the budget, less them, over that window.
            spare = remaining - self._taken - self._reserve
            self._budget_rate = max(spare, 1) / self._window
            self._budget_until = self._clock() + self._window
        self._rate = min(self._ceiling, self._rate + self._step)

    def _learn(self, headers: Mapping[str, str], server_wait: float | None) -> float | None:
        """Read RateLimit-Limit and RateLimit-Reset; start or re-cap the adaptive pace. Returns the reset."""
        reset = seconds(header(headers, "RateLimit-Reset"))
        if reset is None:
            reset = server_wait
        limit = _count(header(headers, "RateLimit-Limit"))
        if not limit or not reset:
            return reset
        self._limit = limit
        if reset > self._window:
            self._window = reset
        self._reserve = max(1, math.ceil(limit * _RESERVE))
        self._ceiling = max(limit - self._reserve, limit / 2) / self._window
        self._step = self._ceiling / (2 * limit)
        if self._rate is None or self._rate > self._ceiling:
            self._rate = self._ceiling
        self._gated = True
        return reset


def _count(text: str | None) -> int | None:
    """A non-negative integer header value, or None when absent or malformed."""
    if text is None:
        return None
    try:
        value = int(text.strip())
    except ValueError:
        return None
    return value if value >= 0 else None
