"""Adaptive rate limiting: pacing from RateLimit-* headers, backoff on 429, one budget per Client.

Everything runs on a virtual clock: time moves only when every task is waiting, straight to the next
wake-up, so a minute of paced requests takes milliseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest
from fakes import VirtualClock, make_client

from botpress_async._limiter import Limiter, RateLimitStats


def limiter(clock: VirtualClock, **options: Any) -> Limiter:
    options.setdefault("adaptive", True)
    return Limiter(options.pop("max_concurrency", 64), clock=clock, sleep=clock.sleep, **options)


def budget(limit: int, remaining: int, reset: float) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining), "RateLimit-Reset": f"{reset:g}"
    }


class SlidingWindowServer:
    """``limit`` requests in any rolling ``window`` seconds; resets in whole seconds, as the emulator does."""

    def __init__(self, clock: VirtualClock, limit: int, window: float = 1.0) -> None:
        self.clock, self.limit, self.window = clock, limit, window
        self.accepted: deque[float] = deque()
        self.log: list[float] = []
        self.refused = 0

    def answer(self) -> tuple[int, dict[str, str]]:
        now = self.clock()
        while self.accepted and self.accepted[0] <= now - self.window:
            self.accepted.popleft()
        if len(self.accepted) >= self.limit:
            self.refused += 1
            reset = max(1, math.ceil(self.accepted[0] + self.window - now))
            return 429, {**budget(self.limit, 0, reset), "Retry-After": str(reset)}
        self.accepted.append(now)
        self.log.append(now)
        reset = max(1, math.ceil(self.accepted[0] + self.window - now))
        return 200, budget(self.limit, self.limit - len(self.accepted), reset)


class FixedWindowServer:
    """``limit`` requests per window starting at multiples of ``window``; exact resets."""

    def __init__(self, clock: VirtualClock, limit: int, window: float) -> None:
        self.clock, self.limit, self.window = clock, limit, window
        self.index = -1
        self.used = 0
        self.log: list[float] = []
        self.refused = 0

    def answer(self) -> tuple[int, dict[str, str]]:
        now = self.clock()
        index = int(now // self.window)
        if index != self.index:
            self.index, self.used = index, 0
        reset = round((index + 1) * self.window - now, 3)
        if self.used >= self.limit:
            self.refused += 1
            return 429, {**budget(self.limit, 0, reset), "Retry-After": f"{reset:g}"}
        self.used += 1
        self.log.append(now)
        return 200, budget(self.limit, self.limit - self.used, reset)


async def ingest(
    clock: VirtualClock,
    shared: Limiter,
    answer: Callable[[], tuple[int, dict[str, str]]],
    *,
    tasks: int,
    requests: int,
    latency: float = 0.01,
) -> None:
    """``tasks`` workers send ``requests`` in all through ``shared``, like the transport: slot, send, answer,
    release, observe; a 429 is slept off (Retry-After) and sent again."""
    queue = iter(range(requests))

    async def worker() -> None:
        for _ in queue:
            while True:
                await shared.acquire()
                await clock.sleep(latency)
                status, headers = answer()
                await clock.sleep(latency)
                shared.release()
                wait = float(headers["Retry-After"]) if status == 429 else None
                shared.observe(status, headers, wait)
                if status != 429:
                    break
                assert wait is not None
                await clock.sleep(wait)

    await clock.run(*(worker() for _ in range(tasks)))


async def start_times(clock: VirtualClock, shared: Limiter, tasks: int) -> list[float]:
    """When each of ``tasks`` concurrent callers got its slot."""
    starts: list[float] = []

    async def one() -> None:
        await shared.acquire()
        starts.append(clock())
        shared.release()

    await clock.run(*(one() for _ in range(tasks)))
    return starts


def most_in_any_window(starts: list[float], window: float) -> int:
    most, first = 0, 0
    for last, start in enumerate(starts):
        while starts[first] <= start - window:
            first += 1
        most = max(most, last - first + 1)
    return most


# -- pacing ------------------------------------------------------------------------------------------


async def test_many_tasks_sharing_one_limiter_stay_within_a_sliding_window_at_over_90_percent() -> None:
    clock = VirtualClock()
    server = SlidingWindowServer(clock, limit=20)
    await ingest(clock, limiter(clock), server.answer, tasks=16, requests=400)
    assert server.refused == 0
    assert most_in_any_window(server.log, 1.0) <= 20
    assert 400 / clock.now >= 0.9 * 20


async def test_a_fixed_window_budget_is_spread_over_each_window_without_a_429() -> None:
    clock = VirtualClock()
    server = FixedWindowServer(clock, limit=100, window=10.0)
    await ingest(clock, limiter(clock), server.answer, tasks=16, requests=500)
    assert server.refused == 0
    assert 500 / clock.now >= 0.9 * 10


async def test_without_the_adaptive_limiter_the_same_load_meets_429s() -> None:
    clock = VirtualClock()
    server = SlidingWindowServer(clock, limit=20)
    await ingest(clock, limiter(clock, adaptive=False), server.answer, tasks=16, requests=200)
    assert server.refused > 20


async def test_request_starts_are_spaced_evenly_at_the_limit_less_the_reserve() -> None:
    clock = VirtualClock()
    shared = limiter(clock)
    shared.observe(200, budget(50, 50, 1), None)  # a whole budget: no startup discount
    starts = await start_times(clock, shared, 48)
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(starts)}
    assert gaps == {round(1 / 47, 6)}  # 50 per second less a 5 % reserve (3 requests)


def test_the_pace_spreads_what_is_left_of_a_fixed_window_over_the_time_to_its_reset() -> None:
    clock = VirtualClock()
    shared = limiter(clock)
    shared.observe(200, budget(100, 99, 10), None)  # learns a 10 s window
    shared.observe(200, budget(100, 10, 2), None)  # 10 requests left for the last 2 s
    assert shared.stats.pace == pytest.approx(5.0)


def test_the_pace_never_exceeds_the_limit_rate_however_much_budget_is_left() -> None:
    clock = VirtualClock()
    shared = limiter(clock)
    shared.observe(200, budget(100, 99, 10), None)
    shared.observe(200, budget(100, 90, 1), None)  # 90 left for 1 s: more than 100 per 10 s allows
    pace = shared.stats.pace
    assert pace is not None and pace <= 100 / 10


def test_requests_already_in_flight_when_the_headers_first_arrive_are_counted_against_the_budget() -> None:
    clock = VirtualClock()
    shared = limiter(clock)
    shared._taken = 10  # ten requests sent before any header was seen are still out
    shared.observe(200, budget(50, 40, 1), None)
    assert shared.stats.pace == pytest.approx(40 - 10 - 3)


def test_requests_per_second_caps_the_adaptive_pace() -> None:
    shared = limiter(VirtualClock(), requests_per_second=5)
    shared.observe(200, budget(100, 100, 1), None)
    assert shared.stats.pace == 5


# -- 429 and spent budgets -----------------------------------------------------------------------------


async def test_a_429_pauses_every_waiting_task_until_the_reset_then_they_start_one_at_a_time() -> None:
    clock = VirtualClock()
    shared = limiter(clock)
    shared.observe(200, budget(20, 20, 1), None)
    shared.observe(429, budget(20, 0, 1), 2.0)  # Retry-After: 2
    starts = await start_times(clock, shared, 8)
    assert min(starts) == pytest.approx(2.0)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) == pytest.approx(1 / (19 * 0.5))  # the halved pace, not a burst at the reset


def test_a_429_halves_the_pace() -> None:
    shared = limiter(VirtualClock())
    shared.observe(200, budget(20, 20, 1), None)
    shared.observe(429, budget(20, 0, 1), 1.0)
    assert shared.stats.pace == pytest.approx(19 / 2)


def test_429s_answered_during_the_pause_halve_the_pace_only_once() -> None:
    shared = limiter(VirtualClock())
    shared.observe(200, budget(20, 20, 1), None)
    for _ in range(5):
        shared.observe(429, budget(20, 0, 1), 1.0)
    assert shared.stats.pace == pytest.approx(19 / 2)
    assert shared.rate_limited == 5


def test_successes_after_a_429_bring_the_pace_back_additively() -> None:
    clock = VirtualClock()
    shared = limiter(clock)
    shared.observe(200, budget(20, 20, 1), None)
    shared.observe(429, budget(20, 0, 1), 1.0)
    clock.now = 1.0
    paces = []
    for _ in range(20):
        shared.observe(200, budget(20, 10, 1), None)
        paces.append(shared.stats.pace)
    steps = {round(b - a, 6) for a, b in itertools.pairwise(paces)}
    assert steps == {round(19 / 40, 6)}  # limit rate / (2 × limit) per success
    assert paces[-1] == pytest.approx(19.0)


def test_a_spent_fixed_window_pauses_every_caller_until_its_reset() -> None:
    shared = limiter(VirtualClock())
    shared.observe(200, budget(100, 99, 10), None)
    shared.observe(200, budget(100, 0, 2), None)
    assert shared.stats.paused_for == pytest.approx(2.0)


def test_a_spent_sliding_window_eases_the_pace_instead_of_stopping_for_a_whole_window() -> None:
    shared = limiter(VirtualClock())
    shared.observe(200, budget(20, 20, 1), None)
    before = shared.stats.pace
    shared.observe(200, budget(20, 0, 1), None)
    stats = shared.stats
    assert stats.paused_for == 0.0
    assert before is not None and stats.pace == pytest.approx(before * 0.9)


# -- the first request ------------------------------------------------------------------------------------


async def test_the_first_request_of_an_adaptive_client_goes_alone_and_its_answer_paces_the_others() -> None:
    clock = VirtualClock()
    server = SlidingWindowServer(clock, limit=10)
    await ingest(clock, limiter(clock), server.answer, tasks=32, requests=32)
    assert server.refused == 0  # 32 at once would have overrun a limit of 10
    assert server.log[1] - server.log[0] == pytest.approx(0.02)  # the second waited for the first answer


async def test_a_probe_cancelled_before_it_went_lets_the_next_caller_probe() -> None:
    clock = VirtualClock()
    shared = limiter(clock)
    shared.pause(5)
    probe = asyncio.ensure_future(shared.acquire())
    await asyncio.sleep(0)
    other = asyncio.ensure_future(shared.acquire())
    await asyncio.sleep(0)
    probe.cancel()
    await clock.run(other)
    assert clock.now == 5.0 and shared.in_flight == 1


async def test_a_limiter_that_is_not_adaptive_sends_no_probe() -> None:
    shared = Limiter(8, adaptive=False)
    for _ in range(8):
        await asyncio.wait_for(shared.acquire(), 1)
    assert shared.in_flight == 8


# -- idle, malformed, stats ------------------------------------------------------------------------------


async def test_without_rate_limit_headers_the_limiter_never_reads_the_clock() -> None:
    def no_clock() -> float:
        raise AssertionError("the fast path read the clock")

    shared = Limiter(4, adaptive=True, clock=no_clock)
    for _ in range(10):
        await shared.acquire()
        shared.release()
        shared.observe(200, {"Content-Type": "application/json"}, None)
    assert shared.in_flight == 0
    assert shared._gated is False


@pytest.mark.parametrize(
    "headers",
    [
        {"RateLimit-Limit": "many", "RateLimit-Remaining": "3", "RateLimit-Reset": "1"},
        {"RateLimit-Limit": "10", "RateLimit-Remaining": "-1", "RateLimit-Reset": "1"},
        {"RateLimit-Limit": "10", "RateLimit-Remaining": "3", "RateLimit-Reset": "inf"},
        {"RateLimit-Limit": "0", "RateLimit-Remaining": "3", "RateLimit-Reset": "1"},
    ],
)
def test_malformed_rate_limit_headers_start_no_pacing(headers: dict[str, str]) -> None:
    shared = limiter(VirtualClock())
    shared.observe(200, headers, None)
    assert shared.stats.pace is None


def test_lower_case_header_names_are_understood() -> None:
    shared = limiter(VirtualClock())
    shared.observe(200, {k.lower(): v for k, v in budget(20, 20, 1).items()}, None)
    assert shared.stats.pace == pytest.approx(19.0)


def test_the_stats_report_429s_waits_pace_and_the_advertised_budget() -> None:
    clock = VirtualClock()
    shared = limiter(clock)
    shared.observe(200, budget(20, 20, 1), None)
    shared.observe(429, budget(20, 0, 1), 3.0)  # Retry-After: 3
    assert shared.stats == RateLimitStats(
        rate_limited=1, waited=0.0, pace=9.5, limit=20, remaining=0, window=1.0, paused_for=3.0
    )


async def test_a_client_and_its_views_share_one_limiter_and_its_stats() -> None:
    async with make_client() as bp:
        view = bp.with_options(timeout=5)
        bp._pool.limiter.observe(429, {}, 1.0)
        assert view.rate_limit_stats.rate_limited == 1
        assert view._pool.limiter is bp._pool.limiter
