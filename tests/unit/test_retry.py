"""What is retried, how long each wait is, and what bounds the retries (attempts, deadline, cancel)."""

from __future__ import annotations

import asyncio
import email.utils
import re
import time
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from fakes import FakeClock, make_client
from wire_recorder import BASE_URL, WireMock

from botpress_async import RetryPolicy
from botpress_async._retry import parse_retry_after
from botpress_async.errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidPayloadError,
    RateLimitedError,
    UnknownError,
)

USERS = "/v1/chat/users"
USER = "/v1/chat/users/user_1"
RATE_LIMITED = {"id": "err_1", "code": 429, "type": "RateLimited", "message": "slow down"}


def _http_date(unix: float) -> str:
    return email.utils.formatdate(unix, usegmt=True)


def _connect_refused() -> aiohttp.ClientConnectorError:
    key = SimpleNamespace(ssl=False, host="api.botpress.test", port=443)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))  # type: ignore[arg-type]


# -- waits the server asks for -------------------------------------------------------------------


async def test_429_with_retry_after_seconds_waits_exactly_that(wire: WireMock) -> None:
    wire.reply("GET", USER, RATE_LIMITED, status=429, headers={"Retry-After": "2"})
    wire.reply("GET", USER, {"user": {"id": "user_1"}})
    clock = FakeClock()
    async with make_client(clock) as bp:
        assert await bp.request("GET", USER) == {"user": {"id": "user_1"}}
    assert clock.sleeps == [2.0]
    assert len(wire.calls) == 2


async def test_429_with_an_http_date_waits_until_then_measured_against_the_response_date(
    wire: WireMock,
) -> None:
    sent = 1_700_000_000.0
    headers = {"Retry-After": _http_date(sent + 2), "Date": _http_date(sent)}
    wire.reply("GET", USER, RATE_LIMITED, status=429, headers=headers)
    wire.reply("GET", USER, {"user": {}})
    clock = FakeClock()
    async with make_client(clock) as bp:
        await bp.request("GET", USER)
    assert clock.sleeps == [2.0]


async def test_429_with_an_http_date_and_no_date_header_is_measured_against_now(wire: WireMock) -> None:
    wire.reply("GET", USER, RATE_LIMITED, status=429, headers={"Retry-After": _http_date(time.time() + 3)})
    wire.reply("GET", USER, {"user": {}})
    clock = FakeClock()
    async with make_client(clock) as bp:
        await bp.request("GET", USER)
    assert len(clock.sleeps) == 1
    assert 1.5 <= clock.sleeps[0] <= 3.0  # the date has whole seconds


async def test_429_with_ratelimit_reset_waits_that_many_seconds(wire: WireMock) -> None:
    wire.reply("GET", USER, RATE_LIMITED, status=429, headers={"RateLimit-Reset": "3"})
    wire.reply("GET", USER, {"user": {}})
    clock = FakeClock()
    async with make_client(clock) as bp:
        await bp.request("GET", USER)
    assert clock.sleeps == [3.0]


async def test_a_server_wait_is_capped_by_max_retry_after(wire: WireMock) -> None:
    wire.reply("GET", USER, RATE_LIMITED, status=429, headers={"Retry-After": "3600"})
    wire.reply("GET", USER, {"user": {}})
    clock = FakeClock()
    async with make_client(clock, retry=RetryPolicy(max_retry_after=5)) as bp:
        await bp.request("GET", USER)
    assert clock.sleeps == [5.0]


async def test_429_without_a_wait_header_backs_off_exponentially_with_jitter(wire: WireMock) -> None:
    wire.reply("GET", USER, RATE_LIMITED, status=429, repeat=True)
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_max=8)
    async with make_client(clock, retry=policy) as bp:
        with pytest.raises(RateLimitedError) as caught:
            await bp.request("GET", USER)
    assert caught.value.attempts == 4
    assert len(clock.sleeps) == 3
    for wait, ceiling in zip(clock.sleeps, [0.5, 1.0, 2.0], strict=True):
        assert 0 <= wait <= ceiling


async def test_a_create_answered_429_is_retried_because_the_server_refused_it(wire: WireMock) -> None:
    wire.reply("POST", USERS, RATE_LIMITED, status=429, headers={"Retry-After": "1"})
    wire.reply("POST", USERS, {"user": {"id": "user_1"}}, status=201)
    clock = FakeClock()
    async with make_client(clock) as bp:
        assert await bp.request("POST", USERS, json={"tags": {}}) == {"user": {"id": "user_1"}}
    assert [call.method for call in wire.calls] == ["POST", "POST"]
    assert clock.sleeps == [1.0]


# -- what may be sent again ---------------------------------------------------------------------


async def test_a_create_answered_502_is_not_retried(wire: WireMock) -> None:
    wire.reply("POST", USERS, status=502, body="bad gateway", repeat=True)
    clock = FakeClock()
    async with make_client(clock) as bp:
        with pytest.raises(UnknownError) as caught:
            await bp.request("POST", USERS, json={"tags": {}})
    assert len(wire.calls) == 1
    assert caught.value.status == 502
    assert caught.value.attempts == 1
    assert clock.sleeps == []


async def test_a_create_whose_connection_dropped_is_not_retried(wire: WireMock) -> None:
    wire.add(re.compile(re.escape(BASE_URL + USERS)), "POST", exception=aiohttp.ServerDisconnectedError())
    async with make_client(FakeClock()) as bp:
        with pytest.raises(APIConnectionError):
            await bp.request("POST", USERS, json={"tags": {}})
    assert len(wire.calls) == 1


async def test_a_create_that_timed_out_is_not_retried(wire: WireMock) -> None:
    wire.add(re.compile(re.escape(BASE_URL + USERS)), "POST", exception=TimeoutError())
    async with make_client(FakeClock()) as bp:
        with pytest.raises(APITimeoutError):
            await bp.request("POST", USERS, json={"tags": {}})
    assert len(wire.calls) == 1


async def test_a_create_that_could_not_connect_is_retried_because_nothing_was_sent(wire: WireMock) -> None:
    wire.add(re.compile(re.escape(BASE_URL + USERS)), "POST", exception=_connect_refused())
    wire.reply("POST", USERS, {"user": {"id": "user_1"}}, status=201)
    async with make_client(FakeClock()) as bp:
        assert await bp.request("POST", USERS, json={"tags": {}}) == {"user": {"id": "user_1"}}
    assert len(wire.calls) == 2


async def test_a_create_is_retried_on_502_when_the_caller_opts_in(wire: WireMock) -> None:
    wire.reply("POST", USERS, status=502, body="bad gateway")
    wire.reply("POST", USERS, {"user": {}}, status=201)
    async with make_client(FakeClock(), retry=RetryPolicy(retry_non_idempotent=True)) as bp:
        await bp.request("POST", USERS, json={"tags": {}})
    assert len(wire.calls) == 2


async def test_a_post_marked_idempotent_is_retried_on_503(wire: WireMock) -> None:
    wire.reply("POST", USERS + "/get-or-create", status=503, body="busy")
    wire.reply("POST", USERS + "/get-or-create", {"user": {}})
    async with make_client(FakeClock()) as bp:
        await bp.request("POST", USERS + "/get-or-create", json={"tags": {}}, idempotent=True)
    assert len(wire.calls) == 2


async def test_a_get_answered_503_then_200_is_retried(wire: WireMock) -> None:
    wire.reply("GET", USER, status=503, body="busy")
    wire.reply("GET", USER, {"user": {"id": "user_1"}})
    clock = FakeClock()
    async with make_client(clock) as bp:
        assert await bp.request("GET", USER) == {"user": {"id": "user_1"}}
    assert len(wire.calls) == 2
    assert len(clock.sleeps) == 1


async def test_a_get_that_timed_out_is_retried(wire: WireMock) -> None:
    wire.add(re.compile(re.escape(BASE_URL + USER)), "GET", exception=TimeoutError())
    wire.reply("GET", USER, {"user": {}})
    async with make_client(FakeClock()) as bp:
        await bp.request("GET", USER)
    assert len(wire.calls) == 2


async def test_a_get_failing_every_time_stops_after_max_attempts(wire: WireMock) -> None:
    wire.reply("GET", USER, status=503, body="busy", repeat=True)
    clock = FakeClock()
    async with make_client(clock, retry=RetryPolicy(max_attempts=3)) as bp:
        with pytest.raises(UnknownError) as caught:
            await bp.request("GET", USER)
    assert len(wire.calls) == 3
    assert caught.value.attempts == 3
    assert len(clock.sleeps) == 2


async def test_a_client_error_is_never_retried(wire: WireMock) -> None:
    wire.reply("GET", USER, {"id": "e", "code": 400, "type": "InvalidPayload", "message": "no"}, status=400)
    async with make_client(FakeClock()) as bp:
        with pytest.raises(InvalidPayloadError):
            await bp.request("GET", USER)
    assert len(wire.calls) == 1


# -- the deadline -------------------------------------------------------------------------------


async def test_the_deadline_caps_the_total_time_across_retries(wire: WireMock) -> None:
    wire.reply("GET", USER, status=503, body="busy", headers={"Retry-After": "1"}, repeat=True)
    clock = FakeClock()
    async with make_client(clock, deadline=2.5, retry=RetryPolicy(max_attempts=10)) as bp:
        with pytest.raises(UnknownError) as caught:
            await bp.request("GET", USER)
    assert sum(clock.sleeps) <= 2.5
    assert clock.sleeps == [1.0, 1.0]  # a third wait would end after the deadline: give up instead
    assert caught.value.attempts == 3


async def test_each_attempt_gets_at_most_what_is_left_of_the_deadline(wire: WireMock) -> None:
    clock = FakeClock()

    def slow_503(url: Any, **kwargs: Any) -> None:
        clock.now += 1.5  # this attempt "took" 1.5 s

    pattern = re.compile(re.escape(BASE_URL + USER))
    wire.get(pattern, status=503, body="busy", callback=slow_503)
    wire.get(pattern, payload={"user": {}})
    async with make_client(clock, timeout=10, deadline=2, retry=RetryPolicy(backoff_base=0.0)) as bp:
        await bp.request("GET", USER)
    timeouts = [call.kwargs["timeout"].total for calls in wire.requests.values() for call in calls]
    assert timeouts == [2.0, pytest.approx(0.5)]


async def test_a_deadline_shorter_than_the_timeout_bounds_the_first_attempt(wire: WireMock) -> None:
    wire.reply("GET", USER, {"user": {}})
    async with make_client(FakeClock(), timeout=30, deadline=4) as bp:
        await bp.request("GET", USER)
    [[call]] = wire.requests.values()
    assert call.kwargs["timeout"].total == 4


# -- cancellation -------------------------------------------------------------------------------


async def test_cancelling_during_a_backoff_sleep_raises_cancelled_error_and_holds_no_slot(
    wire: WireMock,
) -> None:
    wire.reply("GET", USER, status=503, body="busy", repeat=True)
    sleeping = asyncio.Event()
    in_flight_while_sleeping: list[int] = []

    async def blocking_sleep(seconds: float) -> None:
        in_flight_while_sleeping.append(bp._pool.limiter.in_flight)
        sleeping.set()
        await asyncio.Event().wait()

    bp = make_client(_sleep=blocking_sleep)
    async with bp:
        task = asyncio.create_task(bp.request("GET", USER))
        await sleeping.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert bp._pool.limiter.in_flight == 0
    assert in_flight_while_sleeping == [0]  # the slot (and the response) were released before sleeping
    assert len(wire.calls) == 1


async def test_a_cancelled_attempt_is_neither_caught_nor_retried(wire: WireMock) -> None:
    wire.add(re.compile(re.escape(BASE_URL + USER)), "GET", exception=asyncio.CancelledError())
    wire.reply("GET", USER, {"user": {}})
    clock = FakeClock()
    async with make_client(clock) as bp:
        with pytest.raises(asyncio.CancelledError):
            await bp.request("GET", USER)
        assert bp._pool.limiter.in_flight == 0
    assert len(wire.calls) == 1
    assert clock.sleeps == []


async def test_each_retry_is_logged_at_info_with_its_reason(
    wire: WireMock, caplog: pytest.LogCaptureFixture
) -> None:
    wire.reply("GET", USER, status=503, body="busy")
    wire.reply("GET", USER, {"user": {}})
    caplog.set_level("INFO", logger="botpress_async")
    async with make_client(FakeClock()) as bp:
        await bp.request("GET", USER)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert f"retrying GET {USER} after 503 Unknown (attempt 1 of 4)" in line


# -- the policy on its own ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "idempotent", "expected"),
    [(429, False, True), (429, True, True), (502, True, True), (503, True, True), (504, True, True),
     (502, False, False), (503, False, False), (500, True, False), (400, True, False), (404, True, False)],
)
def test_which_statuses_are_retried(status: int, idempotent: bool, expected: bool) -> None:
    assert RetryPolicy().should_retry_status(status, idempotent=idempotent) is expected


def test_transport_failures_are_retried_only_when_safe() -> None:
    policy = RetryPolicy()
    assert policy.should_retry_transport(idempotent=True, connect_failed=False)
    assert not policy.should_retry_transport(idempotent=False, connect_failed=False)
    assert policy.should_retry_transport(idempotent=False, connect_failed=True)
    opted_in = RetryPolicy(retry_non_idempotent=True)
    assert opted_in.should_retry_transport(idempotent=False, connect_failed=False)


def test_backoff_waits_grow_exponentially_up_to_the_maximum() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_max=4.0)
    ceilings = [1.0, 2.0, 4.0, 4.0, 4.0]
    for _ in range(50):
        waits = policy.waits()
        for ceiling in ceilings:
            assert 0 <= next(waits) <= ceiling


def test_max_attempts_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": "-3"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "-3", "RateLimit-Reset": "4"}, 4.0),
        ({"RateLimit-Reset": "-1"}, None),
        ({"RateLimit-Reset": "Infinity"}, None),
        ({"Retry-After": "soon"}, None),
        ({"RateLimit-Reset": "7"}, 7.0),
        ({"ratelimit-reset": "7"}, 7.0),
        ({"Retry-After": "1", "RateLimit-Reset": "9"}, 1.0),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_an_http_date_in_the_past_means_no_wait() -> None:
    assert parse_retry_after({"Retry-After": _http_date(1_000_000)}, now=2_000_000) == 0.0


def test_an_http_date_is_measured_against_now_when_given() -> None:
    assert parse_retry_after({"Retry-After": _http_date(1_000_010)}, now=1_000_000) == 10.0


async def test_a_create_whose_request_could_not_be_written_is_retried(wire: WireMock) -> None:
    # What aiohttp raises when a pooled connection turns out closed as the request is written.
    unsent = aiohttp.ClientOSError(None, f"Can not write request body for {BASE_URL}{USERS}")
    wire.add(re.compile(re.escape(BASE_URL + USERS)), "POST", exception=unsent)
    wire.reply("POST", USERS, {"user": {}}, status=201)
    async with make_client(FakeClock()) as bp:
        await bp.request("POST", USERS, json={"tags": {}})
    assert len(wire.calls) == 2


async def test_a_create_whose_connection_was_reset_after_sending_is_not_retried(wire: WireMock) -> None:
    reset = aiohttp.ClientOSError(104, "Connection reset by peer")
    wire.add(re.compile(re.escape(BASE_URL + USERS)), "POST", exception=reset)
    async with make_client(FakeClock()) as bp:
        with pytest.raises(APIConnectionError):
            await bp.request("POST", USERS, json={"tags": {}})
    assert len(wire.calls) == 1
