"""The client-wide limiter: a concurrency cap, a rate cap, and one shared pause after a 429."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fakes import FakeClock, VirtualClock, make_client, settle
from wire_recorder import WireMock

from botpress_async._limiter import Limiter

USER = "/v1/chat/users/user_1"


async def test_the_concurrency_cap_is_respected_by_many_tasks() -> None:
    limiter = Limiter(3)
    running = peak = 0

    async def work() -> None:
        nonlocal running, peak
        await limiter.acquire()
        try:
            running += 1
            peak = max(peak, running)
            await settle()
            running -= 1
        finally:
            limiter.release()

    await asyncio.gather(*(work() for _ in range(30)))
    assert peak == 3
    assert limiter.in_flight == 0


async def test_the_client_never_has_more_requests_in_flight_than_max_concurrency(wire: WireMock) -> None:
    running = peak = 0

    async def slow(url: Any, **kwargs: Any) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await settle()
        running -= 1

    wire.get(f"https://api.botpress.test{USER}", payload={"user": {}}, callback=slow, repeat=True)
    async with make_client(max_concurrency=5) as bp:
        await asyncio.gather(*(bp.request("GET", USER) for _ in range(40)))
        assert bp._pool.limiter.in_flight == 0
    assert peak == 5
    assert len(wire.calls) == 40


async def test_a_429_pauses_every_caller_until_the_reset() -> None:
    clock = VirtualClock()
    limiter = Limiter(10, clock=clock, sleep=clock.sleep)
    limiter.observe(429, {}, 2.0)
    started: list[int] = []

    async def caller(n: int) -> None:
        await limiter.acquire()
        started.append(n)
        limiter.release()

    tasks = [asyncio.create_task(caller(n)) for n in range(5)]
    await settle()
    assert started == []
    await clock.advance(1.9)
    assert started == []
    await clock.advance(0.1)
    assert sorted(started) == [0, 1, 2, 3, 4]
    await asyncio.gather(*tasks)
    assert limiter.rate_limited == 1


async def test_a_429_seen_by_one_call_holds_back_the_others_through_the_client(wire: WireMock) -> None:
    clock = VirtualClock()
    rate_limited = {"id": "e", "code": 429, "type": "RateLimited", "message": "slow down"}
    wire.reply("GET", USER, rate_limited, status=429, headers={"Retry-After": "2"})
    wire.reply("GET", USER, {"user": {}}, repeat=True)
    async with make_client(clock) as bp:
        first = asyncio.create_task(bp.request("GET", USER))
        await settle()
        assert len(wire.calls) == 1  # answered 429: the client is now paused for 2 s
        others = [asyncio.create_task(bp.request("GET", USER)) for _ in range(3)]
        await settle()
        await clock.advance(1.5)
        assert len(wire.calls) == 1
        await clock.advance(0.5)
        results = await asyncio.gather(first, *others)
    assert results == [{"user": {}}] * 4
    assert len(wire.calls) == 5


async def test_a_pause_is_extended_never_shortened() -> None:
    clock = VirtualClock()
    limiter = Limiter(1, clock=clock, sleep=clock.sleep)
    limiter.pause(5)
    limiter.observe(429, {}, 1.0)
    task = asyncio.create_task(limiter.acquire())
    await clock.advance(4.9)
    assert not task.done()
    await clock.advance(0.1)
    assert task.done()
    limiter.release()


def test_adaptive_limiter_pauses_when_the_budget_is_spent() -> None:
    clock = VirtualClock()
    adaptive = Limiter(1, adaptive=True, clock=clock)
    adaptive.observe(200, {"RateLimit-Remaining": "0"}, 3.0)
    assert adaptive._paused_until == 3.0
    plain = Limiter(1, adaptive=False, clock=clock)
    plain.observe(200, {"RateLimit-Remaining": "0"}, 3.0)
    assert plain._paused_until == 0.0


def test_adaptive_limiter_ignores_a_budget_that_is_not_spent() -> None:
    limiter = Limiter(1, adaptive=True, clock=VirtualClock())
    limiter.observe(200, {"RateLimit-Remaining": "12"}, 3.0)
    assert limiter._paused_until == 0.0


async def test_the_client_waits_for_the_reset_after_an_answer_that_spends_the_budget(wire: WireMock) -> None:
    wire.reply("GET", USER, {"user": {}}, headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "3"})
    wire.reply("GET", USER, {"user": {}})
    clock = FakeClock()
    async with make_client(clock) as bp:
        await bp.request("GET", USER)
        assert clock.sleeps == []
        await bp.request("GET", USER)
    assert clock.sleeps == [3.0]


async def test_the_rate_cap_spaces_out_attempt_starts() -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    limiter = Limiter(10, requests_per_second=10, clock=lambda: 100.0, sleep=record)
    for _ in range(5):
        await limiter.acquire()
    assert waits == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert limiter.in_flight == 5


async def test_a_caller_cancelled_while_waiting_for_a_slot_takes_none() -> None:
    limiter = Limiter(1)
    await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await settle()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    limiter.release()
    assert limiter.in_flight == 0
    await asyncio.wait_for(limiter.acquire(), 1)
    assert limiter.in_flight == 1


async def test_a_caller_cancelled_during_a_pause_gives_its_slot_back() -> None:
    clock = VirtualClock()
    limiter = Limiter(1, clock=clock, sleep=clock.sleep)
    limiter.pause(10)
    waiter = asyncio.create_task(limiter.acquire())
    await settle()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert limiter.in_flight == 0
    await clock.advance(10)
    await asyncio.wait_for(limiter.acquire(), 1)
    assert limiter.in_flight == 1
