"""Fault injection and the sliding-window rate limiter (both off by default)."""

from __future__ import annotations

import aiohttp
import pytest
from emulator_helpers import BOT_A, BOT_B, assert_error

from botpress_async.emulator import Emulator, ManualClock
from botpress_async.emulator.faults import FaultPlan
from botpress_async.emulator.rate_limit import RateLimit


def _headers(emulator: Emulator, bot: str = BOT_A) -> dict[str, str]:
    return {"Authorization": f"Bearer {emulator.token}", "x-bot-id": bot}


def test_a_fault_plan_parses_every_fault() -> None:
    text = "429=0.05:2s,503=0.03,reset=0.02,latency=0.05:200ms,commit502=0.01,commitreset=0.04"
    plan = FaultPlan.parse(text)
    assert plan == FaultPlan(rate_limited=0.05, retry_after_s=2, unavailable=0.03, reset=0.02, latency=0.05,
                             latency_ms=200, commit_then_502=0.01, commit_then_reset=0.04)


@pytest.mark.parametrize("text", ["418=0.1", "429=2", "latency=0.1:soon", "503=0.1:1s", "429"])
def test_a_bad_fault_plan_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        FaultPlan.parse(text)


async def test_injected_429_carries_retry_after_and_the_error_shape() -> None:
    async with Emulator(faults="429=1") as emulator, aiohttp.ClientSession() as http, \
            http.get(f"{emulator.url}/v1/chat/users", headers=_headers(emulator)) as response:
        assert_error(response.status, await response.json(), "RateLimited")
        assert response.headers["Retry-After"] == "1" and response.headers["RateLimit-Reset"] == "1"


async def test_injected_503_is_in_the_error_shape() -> None:
    async with Emulator(faults="503=1") as emulator, aiohttp.ClientSession() as http, \
            http.get(f"{emulator.url}/v1/chat/users", headers=_headers(emulator)) as response:
        assert_error(response.status, await response.json())
        assert response.status == 503


async def test_injected_reset_drops_the_connection() -> None:
    async with Emulator(faults="reset=1") as emulator, aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientError):
            async with http.get(f"{emulator.url}/v1/chat/users", headers=_headers(emulator)) as response:
                await response.read()


async def test_commit_then_502_applies_the_write_before_failing() -> None:
    async with Emulator(faults="commit502=1") as emulator, aiohttp.ClientSession() as http:
        async with http.post(f"{emulator.url}/v1/chat/users", json={"tags": {}},
                             headers=_headers(emulator)) as response:
            assert response.status == 502
        async with http.get(f"{emulator.url}/v1/chat/users", headers=_headers(emulator)) as response:
            assert len((await response.json())["users"]) == 1


async def test_commit_then_reset_applies_the_write_then_drops_the_connection() -> None:
    async with Emulator(faults="commitreset=1") as emulator, aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientError):
            async with http.post(f"{emulator.url}/v1/chat/users", json={"tags": {}},
                                 headers=_headers(emulator)) as response:
                await response.read()
        async with http.get(f"{emulator.url}/v1/chat/users", headers=_headers(emulator)) as response:
            assert len((await response.json())["users"]) == 1


async def test_mixed_faults_never_break_the_error_shape() -> None:
    async with Emulator(faults="429=0.2:0s,503=0.2,commit502=0.2", fault_seed=7) as emulator, \
            aiohttp.ClientSession() as http:
        statuses = set()
        for _ in range(40):
            async with http.post(f"{emulator.url}/v1/chat/users", json={"tags": {}},
                                 headers=_headers(emulator)) as response:
                statuses.add(response.status)
                if response.status >= 400:
                    assert_error(response.status, await response.json())
    assert statuses == {201, 429, 502, 503}


@pytest.mark.parametrize(("text", "expected"), [
    ("50/s", RateLimit(50, 1000)), ("600/m", RateLimit(600, 60_000)), ("10/500ms", RateLimit(10, 500)),
    ("100/10s", RateLimit(100, 10_000)),
])
def test_a_rate_limit_parses(text: str, expected: RateLimit) -> None:
    assert RateLimit.parse(text) == expected


@pytest.mark.parametrize("text", ["fast", "0/s", "5/fortnight", "5/0s"])
def test_a_bad_rate_limit_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        RateLimit.parse(text)


async def test_the_rate_limit_answers_429_with_headers_then_recovers() -> None:
    clock = ManualClock(start_ms=1_000_000)
    async with Emulator(rate_limit="3/s", clock=clock) as emulator, aiohttp.ClientSession() as http:
        remaining = []
        for _ in range(3):
            async with http.get(f"{emulator.url}/v1/chat/users", headers=_headers(emulator)) as response:
                assert response.status == 200
                assert response.headers["RateLimit-Limit"] == "3"
                remaining.append(response.headers["RateLimit-Remaining"])
            clock.advance(100)
        async with http.get(f"{emulator.url}/v1/chat/users", headers=_headers(emulator)) as response:
            assert_error(response.status, await response.json(), "RateLimited")
            assert response.headers["RateLimit-Remaining"] == "0"
            assert response.headers["Retry-After"] == response.headers["RateLimit-Reset"] == "1"
        clock.advance(701)  # the first request leaves the window
        async with http.get(f"{emulator.url}/v1/chat/users", headers=_headers(emulator)) as response:
            assert response.status == 200
    assert remaining == ["2", "1", "0"]


async def test_the_rate_limit_counts_each_bot_separately() -> None:
    clock = ManualClock(start_ms=1_000_000)
    async with Emulator(rate_limit="1/s", clock=clock) as emulator, aiohttp.ClientSession() as http:
        for bot in (BOT_A, BOT_B):
            async with http.get(f"{emulator.url}/v1/chat/users", headers=_headers(emulator, bot)) as response:
                assert response.status == 200


async def test_error_answers_within_the_limit_carry_the_rate_limit_headers() -> None:
    async with Emulator(rate_limit="5/s") as emulator, aiohttp.ClientSession() as http, \
            http.get(f"{emulator.url}/v1/chat/users/user_missing", headers=_headers(emulator)) as response:
        assert response.status == 404
        assert response.headers["RateLimit-Remaining"] == "4"
