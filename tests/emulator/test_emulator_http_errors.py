"""Transport-level failures answer the error body with the right status and catalogue type."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import aiohttp
from emulator_helpers import BOT_A, Api, assert_error

from botpress_async.emulator import Emulator


async def test_missing_token_is_401_unauthorized(emulator: Emulator) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{emulator.url}/v1/chat/users",
                                                         headers={"x-bot-id": BOT_A}) as response:
        assert_error(response.status, await response.json(), "Unauthorized")
        assert response.status == 401


async def test_wrong_token_is_401_and_never_echoed(emulator: Emulator) -> None:
    headers = {"Authorization": "Bearer not-the-token", "x-bot-id": BOT_A}
    async with aiohttp.ClientSession() as http, http.get(f"{emulator.url}/v1/chat/users",
                                                         headers=headers) as response:
        text = await response.text()
    assert response.status == 401
    assert emulator.token not in text and "not-the-token" not in text


async def test_unknown_route_is_404_resource_not_found(api: Api) -> None:
    status, body = await api.call("GET", "/v1/chat/nothing-here")
    assert_error(status, body, "ResourceNotFound")
    assert status == 404


async def test_wrong_method_is_405_method_not_found(api: Api) -> None:
    status, body = await api.call("PATCH", "/v1/chat/users")
    assert_error(status, body, "MethodNotFound")
    assert status == 405


async def test_missing_bot_id_is_400_invalid_payload(session: aiohttp.ClientSession) -> None:
    async with session.get("/v1/chat/users") as response:
        body = await response.json()
    assert_error(response.status, body, "InvalidPayload")
    assert "x-bot-id" in body["message"]


async def test_non_json_content_type_is_415(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/users", data=b"tags=1",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(status, body, "UnsupportedMediaType")
    assert status == 415


async def test_body_over_one_megabyte_is_413(api: Api) -> None:
    big = b'{"tags": {"k": "' + b"x" * (1024 * 1024) + b'"}}'
    status, body = await api.call("POST", "/v1/chat/users", data=io.BytesIO(big),
                                  headers={"Content-Type": "application/json"})
    assert_error(status, body, "PayloadTooLarge")
    assert status == 413


async def test_a_chunked_body_over_the_limit_is_413(api: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"tags": {"k": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}}'

    status, body = await api.call("POST", "/v1/chat/users", data=chunks(),
                                  headers={"Content-Type": "application/json"})
    assert_error(status, body, "PayloadTooLarge")


async def test_malformed_json_is_400_invalid_payload(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/users", data=b'{"tags": {',
                                  headers={"Content-Type": "application/json"})
    assert_error(status, body, "InvalidPayload")


async def test_a_json_array_body_is_400_invalid_payload(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/users", json=[1, 2])
    assert_error(status, body, "InvalidPayload")
    assert "object" in body["message"]


async def test_a_missing_required_field_is_named_in_the_message(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/conversations", json={"tags": {}})
    assert_error(status, body, "InvalidPayload")
    assert "channel" in body["message"]


async def test_an_unknown_body_field_is_invalid_payload(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/users", json={"tags": {}, "nickname": "x"})
    assert_error(status, body, "InvalidPayload")
    assert "nickname" in body["message"]


async def test_a_too_long_tag_value_names_the_tag(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/users", json={"tags": {"email": "x" * 501}})
    assert_error(status, body, "InvalidPayload")
    assert "body.tags.email" in body["message"]


async def test_an_out_of_range_expiry_is_invalid_payload(api: Api) -> None:
    status, body = await api.call("POST", f"/v1/chat/states/bot/{BOT_A}/s", json={"payload": {}, "expiry": 0})
    assert_error(status, body, "InvalidPayload")
    assert "expiry" in body["message"]


async def test_a_bad_enum_query_value_is_invalid_query(api: Api) -> None:
    status, body = await api.call("GET", "/v1/chat/users", params={"sortDirection": "sideways"})
    assert_error(status, body, "InvalidQuery")
    assert "sortDirection" in body["message"]


async def test_a_missing_required_query_parameter_is_invalid_query(api: Api) -> None:
    status, body = await api.call("GET", "/v1/chat/tags/k/values")
    assert_error(status, body, "InvalidQuery")
    assert "type" in body["message"]


async def test_a_lone_surrogate_in_the_body_is_invalid_payload(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/users", data=b'{"tags": {"k": "\\ud800"}}',
                                  headers={"Content-Type": "application/json"})
    assert_error(status, body, "InvalidPayload")


async def test_deeply_nested_json_is_invalid_payload_not_500(api: Api) -> None:
    deep = b'{"type": "t", "input": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status, body = await api.call("POST", "/v1/chat/actions", data=deep,
                                  headers={"Content-Type": "application/json"})
    assert_error(status, body, "InvalidPayload")


async def test_emoji_and_right_to_left_text_round_trip(api: Api) -> None:
    text = "שלום 👋🏽 \u202e"
    status, body = await api.call("POST", "/v1/chat/users", json={"tags": {"name": text}})
    assert status == 201
    assert body["user"]["tags"]["name"] == text
