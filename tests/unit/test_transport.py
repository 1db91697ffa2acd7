"""The one request path: bodies, decoding, structuring and transport failures."""

from __future__ import annotations

import asyncio
import math
import re
from types import SimpleNamespace

import aiohttp
import attrs
import pytest
from fakes import FakeClock, make_client
from wire_recorder import BASE_URL, WireMock

from botpress_async import NO_RETRY
from botpress_async.errors import APIConnectionError, APITimeoutError, ResponseDecodeError

USERS = "/v1/chat/users"
USER = "/v1/chat/users/user_1"


@attrs.define(kw_only=True)
class Thing:
    id: str
    count: int = 0


# -- request bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
async def test_nan_or_infinity_in_a_body_is_refused_and_nothing_is_sent(wire: WireMock, bad: float) -> None:
    wire.reply("POST", USERS, {"user": {}}, repeat=True)
    async with make_client() as bp:
        with pytest.raises(ValueError, match="NaN or Infinity"):
            await bp.request("POST", USERS, json={"tags": {}, "payload": {"score": [1, bad]}})
    assert wire.calls == []


async def test_a_body_is_compact_utf8_json(wire: WireMock) -> None:
    wire.reply("POST", USERS, {"user": {}})
    async with make_client() as bp:
        await bp.request("POST", USERS, json={"name": "Zoë 🦜", "n": 1})
    assert wire.calls[0].data == '{"name":"Zoë 🦜","n":1}'.encode()


async def test_a_lone_surrogate_is_sent_escaped_instead_of_failing(wire: WireMock) -> None:
    wire.reply("POST", USERS, {"user": {}})
    async with make_client() as bp:
        await bp.request("POST", USERS, json={"name": "half \ud83e emoji"})
    assert wire.calls[0].data == b'{"name":"half \\ud83e emoji"}'


async def test_a_body_that_is_not_json_serializable_is_a_type_error_and_nothing_is_sent(
    wire: WireMock,
) -> None:
    async with make_client() as bp:
        with pytest.raises(TypeError, match="not JSON-serializable"):
            await bp.request("POST", USERS, json={"when": object()})
    assert wire.calls == []


async def test_a_get_sends_no_body_and_a_bare_delete_sends_an_empty_object(wire: WireMock) -> None:
    wire.reply("GET", USER, {"user": {}})
    wire.reply("DELETE", USER, status=204, body="")
    async with make_client() as bp:
        await bp.request("GET", USER)
        await bp.request("DELETE", USER)
    assert [(call.method, call.data) for call in wire.calls] == [("GET", None), ("DELETE", b"{}")]


async def test_an_explicit_null_body_is_sent_as_null(wire: WireMock) -> None:
    wire.reply("POST", USERS, {"ok": True})
    async with make_client() as bp:
        await bp.request("POST", USERS, json=None)
    assert wire.calls[0].data == b"null"


# -- answers ------------------------------------------------------------------------------------


async def test_an_empty_2xx_answer_decodes_to_none(wire: WireMock) -> None:
    wire.reply("DELETE", USER, status=204, body="")
    async with make_client() as bp:
        assert await bp.request("DELETE", USER) is None


async def test_an_answer_is_structured_into_the_model_asked_for(wire: WireMock) -> None:
    wire.reply("GET", USER, {"id": "t1", "count": 3})
    async with make_client() as bp:
        thing = await bp._transport.request("GET", USER, cast=Thing)
    assert thing == Thing(id="t1", count=3)


async def test_an_empty_200_where_a_model_is_expected_is_a_response_decode_error(wire: WireMock) -> None:
    wire.reply("GET", USER, status=200, body="")
    async with make_client() as bp:
        with pytest.raises(ResponseDecodeError, match="expected a JSON object"):
            await bp._transport.request("GET", USER, cast=Thing)


async def test_a_json_array_where_an_object_is_expected_is_a_response_decode_error(wire: WireMock) -> None:
    wire.reply("GET", USER, status=200, body="[1, 2, 3]")
    async with make_client() as bp:
        with pytest.raises(ResponseDecodeError, match="got list") as caught:
            await bp._transport.request("GET", USER, cast=Thing)
    assert caught.value.body == [1, 2, 3]


async def test_an_object_of_the_wrong_shape_is_a_response_decode_error(wire: WireMock) -> None:
    wire.reply("GET", USER, {"id": 5})
    async with make_client() as bp:
        with pytest.raises(ResponseDecodeError, match="unexpected answer shape"):
            await bp._transport.request("GET", USER, cast=Thing)


async def test_a_non_json_2xx_is_a_response_decode_error_with_the_raw_text(wire: WireMock) -> None:
    wire.reply("GET", USER, status=200, body="<html>maintenance</html>")
    async with make_client() as bp:
        with pytest.raises(ResponseDecodeError) as caught:
            await bp.request("GET", USER)
    assert caught.value.raw == "<html>maintenance</html>"


async def test_a_body_larger_than_max_response_bytes_is_refused_and_not_retried(wire: WireMock) -> None:
    wire.reply("GET", USER, status=200, body=b"x" * 5000, repeat=True)
    async with make_client(max_response_bytes=1000) as bp:
        with pytest.raises(ResponseDecodeError, match="max_response_bytes=1000"):
            await bp.request("GET", USER)
    assert len(wire.calls) == 1


# -- transport failures -------------------------------------------------------------------------


async def test_a_refused_connection_is_an_api_connection_error(wire: WireMock) -> None:
    key = SimpleNamespace(ssl=False, host="api.botpress.test", port=443)
    refused = aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))  # type: ignore[arg-type]
    wire.add(re.compile(re.escape(BASE_URL + USER)), "GET", exception=refused, repeat=True)
    async with make_client(FakeClock(), retry=NO_RETRY) as bp:
        with pytest.raises(APIConnectionError, match="could not connect") as caught:
            await bp.request("GET", USER)
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    assert not isinstance(caught.value, APITimeoutError)


async def test_a_payload_error_is_an_api_connection_error(wire: WireMock) -> None:
    failure = aiohttp.ClientPayloadError("Response payload is not completed")
    wire.add(re.compile(re.escape(BASE_URL + USER)), "GET", exception=failure)
    async with make_client(retry=NO_RETRY) as bp:
        with pytest.raises(APIConnectionError, match="ClientPayloadError") as caught:
            await bp.request("GET", USER)
    assert caught.value.attempts == 1


async def test_a_timeout_is_an_api_timeout_error_naming_the_timeout(wire: WireMock) -> None:
    wire.add(re.compile(re.escape(BASE_URL + USER)), "GET", exception=TimeoutError())
    async with make_client(retry=NO_RETRY, timeout=7) as bp:
        with pytest.raises(APITimeoutError, match="within 7s"):
            await bp.request("GET", USER)


async def test_a_connect_timeout_lets_even_a_create_be_retried(wire: WireMock) -> None:
    wire.add(re.compile(re.escape(BASE_URL + USERS)), "POST", exception=aiohttp.ConnectionTimeoutError())
    wire.reply("POST", USERS, {"user": {}}, status=201)
    async with make_client(FakeClock()) as bp:
        await bp.request("POST", USERS, json={"tags": {}})
    assert len(wire.calls) == 2


async def test_waiting_for_a_slot_counts_against_the_deadline(wire: WireMock) -> None:
    wire.reply("GET", USER, {"user": {}}, repeat=True)
    async with make_client(max_concurrency=1, deadline=0.05) as bp:
        limiter = bp._pool.limiter
        await limiter.acquire()  # someone else holds the only slot
        try:
            with pytest.raises(APITimeoutError, match="waiting for a free slot"):
                await bp.request("GET", USER)
        finally:
            limiter.release()
        assert limiter.in_flight == 0
        assert await bp.request("GET", USER) == {"user": {}}
    assert len(wire.calls) == 1


async def test_requests_from_many_tasks_all_complete_and_release_their_slots(wire: WireMock) -> None:
    wire.reply("GET", USER, {"user": {}}, repeat=True)
    async with make_client(max_concurrency=4) as bp:
        results = await asyncio.gather(*(bp.request("GET", USER) for _ in range(50)))
        assert bp._pool.limiter.in_flight == 0
    assert results == [{"user": {}}] * 50
