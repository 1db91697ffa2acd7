"""``Transport.request(stats=...)``: a caller learns what its own calls cost, and nothing of others'."""

from __future__ import annotations

import asyncio

from fakes import FakeClock, make_client
from wire_recorder import WireMock

from botpress_async._transport import CallStats

USER = "/v1/chat/users/user_1"
OTHER = "/v1/chat/users/user_2"
_RATE_LIMITED = {"id": "err_1", "code": 429, "type": "RateLimited", "message": "slow down"}


async def test_a_call_counts_its_retries_429s_and_backoff_into_the_stats_it_is_given(wire: WireMock) -> None:
    wire.reply("GET", USER, status=429, headers={"Retry-After": "3"}, payload=_RATE_LIMITED)
    wire.reply("GET", USER, status=503, headers={"Retry-After": "1"}, body="busy")
    wire.reply("GET", USER, {"user": {}})
    clock = FakeClock()
    stats = CallStats()
    async with make_client(clock) as bp:
        await bp._transport.request("GET", USER, stats=stats)
    assert (stats.calls, stats.retries, stats.rate_limited) == (1, 2, 1)
    assert stats.waited == sum(clock.sleeps) == 4.0


async def test_calls_without_the_stats_object_are_not_counted_in_it(wire: WireMock) -> None:
    wire.reply("GET", OTHER, status=429, headers={"Retry-After": "1"}, payload=_RATE_LIMITED)
    wire.reply("GET", OTHER, {"user": {}})
    wire.reply("GET", USER, {"user": {}})
    stats = CallStats()
    async with make_client(FakeClock()) as bp:
        await asyncio.gather(bp.request("GET", OTHER), bp._transport.request("GET", USER, stats=stats))
        assert bp.rate_limit_stats.rate_limited == 1
    assert (stats.calls, stats.retries, stats.rate_limited, stats.waited) == (1, 0, 0, 0.0)
