"""``APIConnectionError.request_sent``: the transport says when the service cannot have acted on a call."""

from __future__ import annotations

import re
from types import SimpleNamespace

import aiohttp
import pytest
from fakes import FakeClock, make_client
from wire_recorder import BASE_URL, WireMock

from botpress_async import NO_RETRY, RetryPolicy
from botpress_async.errors import APIConnectionError

USERS = "/v1/chat/users"
USER = "/v1/chat/users/user_1"
_FAST = RetryPolicy(max_attempts=2, backoff_base=0.0, backoff_max=0.0)


def _refused() -> aiohttp.ClientConnectorError:
    key = SimpleNamespace(ssl=False, host="api.botpress.test", port=443)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))  # type: ignore[arg-type]


def _fail(wire: WireMock, method: str, path: str, exception: BaseException, repeat: bool = True) -> None:
    wire.add(re.compile(re.escape(BASE_URL + path)), method, exception=exception, repeat=repeat)


async def test_an_error_built_without_request_sent_says_the_request_may_have_been_sent() -> None:
    assert APIConnectionError("reset").request_sent is True


@pytest.mark.parametrize(
    "failure",
    [
        _refused(),
        aiohttp.ConnectionTimeoutError(),
        aiohttp.ClientOSError(None, f"Can not write request body for {BASE_URL}{USERS}"),
    ],
    ids=["refused connection", "connect timeout", "request body not written"],
)
async def test_a_create_that_never_left_on_any_attempt_says_the_request_was_not_sent(
    wire: WireMock, failure: BaseException
) -> None:
    _fail(wire, "POST", USERS, failure)
    async with make_client(FakeClock(), retry=_FAST) as bp:
        with pytest.raises(APIConnectionError) as caught:
            await bp.request("POST", USERS, json={"tags": {}})
    assert (caught.value.request_sent, caught.value.attempts) == (False, 2)


async def test_a_connection_reset_says_the_request_may_have_been_sent(wire: WireMock) -> None:
    _fail(wire, "POST", USERS, aiohttp.ServerDisconnectedError())
    async with make_client(FakeClock(), retry=NO_RETRY) as bp:
        with pytest.raises(APIConnectionError) as caught:
            await bp.request("POST", USERS, json={"tags": {}})
    assert caught.value.request_sent is True


async def test_a_read_timeout_says_the_request_may_have_been_sent(wire: WireMock) -> None:
    _fail(wire, "POST", USERS, TimeoutError())
    async with make_client(FakeClock(), retry=NO_RETRY) as bp:
        with pytest.raises(APIConnectionError) as caught:
            await bp.request("POST", USERS, json={"tags": {}})
    assert caught.value.request_sent is True


async def test_a_refused_retry_after_a_503_says_the_request_may_have_been_sent(wire: WireMock) -> None:
    wire.reply("GET", USER, status=503, body="busy")
    _fail(wire, "GET", USER, _refused())
    async with make_client(FakeClock(), retry=_FAST) as bp:
        with pytest.raises(APIConnectionError) as caught:
            await bp.request("GET", USER)
    assert (caught.value.request_sent, caught.value.attempts) == (True, 2)


async def test_a_refused_retry_after_a_429_says_the_request_was_not_sent(wire: WireMock) -> None:
    wire.reply("POST", USERS, status=429, headers={"Retry-After": "0"}, payload={
        "id": "err_1", "code": 429, "type": "RateLimited", "message": "slow down"})
    _fail(wire, "POST", USERS, _refused())
    async with make_client(FakeClock(), retry=_FAST) as bp:
        with pytest.raises(APIConnectionError) as caught:
            await bp.request("POST", USERS, json={"tags": {}})
    assert (caught.value.request_sent, caught.value.attempts) == (False, 2)
