"""Error answers become the catalogue's classes; malformed answers become APIErrors with the raw text."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from fakes import make_client
from wire_recorder import WireMock

from botpress_async import NO_RETRY
from botpress_async.errors import (
    CATALOGUE,
    APIConnectionError,
    APIError,
    APITimeoutError,
    BotpressError,
    InternalError,
    InvalidPayloadError,
    OperationTimeoutError,
    RateLimitedError,
    ResourceNotFoundError,
    ResponseDecodeError,
    UnknownError,
    error_class_for,
    make_api_error,
)

USER_PATH = "/v1/chat/users/user_1"


def _catalogue() -> list[tuple[str, int]]:
    entries: dict[str, int] = {}
    for name in ("runtime.metadata.json", "tables.metadata.json"):
        text = resources.files("botpress_async").joinpath("spec", name).read_text()
        for error in json.loads(text)["errors"]:
            entries[error["type"]] = error["status"]
    return sorted(entries.items())


CATALOGUE_ENTRIES = _catalogue()


def test_the_catalogue_has_the_26_types_of_the_spec() -> None:
    assert len(CATALOGUE_ENTRIES) == 26
    assert set(CATALOGUE) == {name for name, _ in CATALOGUE_ENTRIES}


@pytest.mark.parametrize(("type_name", "status"), CATALOGUE_ENTRIES)
def test_each_catalogue_type_in_the_service_shape_maps_to_its_class(type_name: str, status: int) -> None:
    body = {"id": "err_123", "code": status, "type": type_name, "message": f"{type_name} happened"}
    error = make_api_error(status, json.dumps(body), method="GET", path=USER_PATH)
    assert type(error) is CATALOGUE[type_name]
    assert error.type_name == type_name
    assert (error.status, error.type, error.id) == (status, type_name, "err_123")
    assert error.message == body["message"]
    assert error.raw is None
    assert error.body == body


@pytest.mark.parametrize(("type_name", "status"), CATALOGUE_ENTRIES)
def test_each_catalogue_type_in_the_docs_shape_maps_to_its_class(type_name: str, status: int) -> None:
    body = {"type": type_name, "description": "what the docs show", "status": status}
    error = make_api_error(status, json.dumps(body))
    assert type(error) is CATALOGUE[type_name]
    assert error.message == "what the docs show"
    assert error.description == "what the docs show"


@pytest.mark.parametrize(("type_name", "status"), CATALOGUE_ENTRIES)
async def test_each_catalogue_answer_raises_its_class_from_a_call(
    wire: WireMock, type_name: str, status: int
) -> None:
    body = {"id": "err_9", "code": status, "type": type_name, "message": "nope"}
    wire.reply("GET", USER_PATH, body, status=status)
    async with make_client(retry=NO_RETRY) as bp:
        with pytest.raises(CATALOGUE[type_name]) as caught:
            await bp.request("GET", USER_PATH)
    assert caught.value.method == "GET"
    assert caught.value.path == USER_PATH


def test_the_type_wins_over_the_status() -> None:
    body = {"id": "err_1", "code": 400, "type": "ResourceNotFound", "message": "gone"}
    assert type(make_api_error(400, json.dumps(body))) is ResourceNotFoundError


def test_an_unknown_type_falls_back_to_the_status() -> None:
    body = {"id": "err_1", "code": 404, "type": "BrandNewType", "message": "new"}
    error = make_api_error(404, json.dumps(body))
    assert type(error) is ResourceNotFoundError
    assert error.type == "BrandNewType"


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, InvalidPayloadError), (404, ResourceNotFoundError), (429, RateLimitedError), (500, InternalError),
     (502, UnknownError), (503, UnknownError), (504, OperationTimeoutError), (418, APIError)],
)
def test_status_alone_picks_a_class(status: int, cls: type[APIError]) -> None:
    assert error_class_for(None, status) is cls


async def test_an_html_502_from_a_proxy_is_an_api_error_with_the_raw_text(wire: WireMock) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    wire.reply("GET", USER_PATH, status=502, body=html, headers={"Content-Type": "text/html"})
    async with make_client(retry=NO_RETRY) as bp:
        with pytest.raises(APIError) as caught:
            await bp.request("GET", USER_PATH)
    assert type(caught.value) is UnknownError
    assert caught.value.status == 502
    assert caught.value.raw == html
    assert "not JSON" in caught.value.message


async def test_an_empty_error_body_is_an_api_error(wire: WireMock) -> None:
    wire.reply("GET", USER_PATH, status=404, body="")
    async with make_client(retry=NO_RETRY) as bp:
        with pytest.raises(ResourceNotFoundError) as caught:
            await bp.request("GET", USER_PATH)
    assert caught.value.raw == ""
    assert "empty body" in caught.value.message


async def test_a_truncated_json_error_is_an_api_error_with_the_raw_text(wire: WireMock) -> None:
    text = '{"id": "err_1", "code": 404, "type": "ResourceNo'
    wire.reply("GET", USER_PATH, status=404, body=text)
    async with make_client(retry=NO_RETRY) as bp:
        with pytest.raises(ResourceNotFoundError) as caught:
            await bp.request("GET", USER_PATH)
    assert caught.value.raw == text
    assert caught.value.body is None


@pytest.mark.parametrize("body", ["[1, 2]", '"just a string"', "42", '{"unexpected": true}'])
def test_json_that_is_not_an_error_object_keeps_the_raw_text(body: str) -> None:
    error = make_api_error(400, body)
    assert type(error) is InvalidPayloadError
    assert error.raw == body
    assert "unexpected JSON" in error.message


async def test_a_truncated_json_success_is_a_response_decode_error(wire: WireMock) -> None:
    wire.reply("GET", USER_PATH, status=200, body='{"user": {"id": "us')
    async with make_client() as bp:
        with pytest.raises(ResponseDecodeError) as caught:
            await bp.request("GET", USER_PATH)
    assert caught.value.raw == '{"user": {"id": "us'
    assert caught.value.status == 200


async def test_a_2xx_carrying_an_error_body_raises_its_class(wire: WireMock) -> None:
    body = {"id": "err_7", "code": 404, "type": "ResourceNotFound", "message": "User not found"}
    wire.reply("GET", USER_PATH, body, status=200)
    async with make_client() as bp:
        with pytest.raises(ResourceNotFoundError) as caught:
            await bp.request("GET", USER_PATH)
    assert caught.value.id == "err_7"


async def test_a_resource_that_has_a_type_field_is_not_taken_for_an_error(wire: WireMock) -> None:
    body = {"id": "evt_1", "type": "reminder", "payload": {}}
    wire.reply("GET", USER_PATH, body, status=200)
    async with make_client() as bp:
        assert await bp.request("GET", USER_PATH) == body


def test_every_error_is_a_botpress_error() -> None:
    for cls in [*CATALOGUE.values(), ResponseDecodeError, APIConnectionError, APITimeoutError]:
        assert issubclass(cls, BotpressError)
    assert issubclass(APITimeoutError, APIConnectionError)


def test_str_names_status_type_message_request_and_id() -> None:
    body = {"id": "err_5", "code": 404, "type": "ResourceNotFound", "message": "User not found"}
    error = make_api_error(404, json.dumps(body), method="GET", path=USER_PATH, attempts=2)
    assert str(error) == f"404 ResourceNotFound: User not found [GET {USER_PATH}] (id err_5) after 2 attempts"
    assert repr(error).startswith("ResourceNotFoundError(status=404")


def test_request_id_comes_from_the_body_or_the_response_headers() -> None:
    error = make_api_error(500, "", headers={"x-request-id": "req_1"})
    assert error.request_id == "req_1"
