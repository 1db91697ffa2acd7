"""Query strings and paths encoded as the official client (qs allowDots + repeat, encodeURIComponent)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fakes import make_client
from wire_recorder import WireMock

from botpress_async._query import encode_path, encode_query
from botpress_async._types import UNSET


class Direction(str, enum.Enum):  # noqa: UP042 - the mixin whose str() is "Direction.ASC"
    ASC = "asc"


class Level(enum.Enum):
    HIGH = 3


def test_tag_keys_with_colons_and_spaces_are_dotted_and_percent_encoded() -> None:
    assert encode_query({"tags": {"slack:id": "U 1", "plan": "pro"}}) == "tags.slack%3Aid=U%201&tags.plan=pro"


def test_arrays_repeat_their_key() -> None:
    assert encode_query({"participantIds": ["a", "b"]}) == "participantIds=a&participantIds=b"


def test_none_and_unset_are_omitted_everywhere() -> None:
    query = encode_query({"a": None, "b": UNSET, "c": "x", "tags": {"k": None}, "ids": [None, "y"]})
    assert query == "c=x&ids=y"


def test_an_empty_array_sends_nothing() -> None:
    assert encode_query({"ids": [], "limit": 5}) == "limit=5"


def test_booleans_are_lowercase() -> None:
    assert encode_query({"a": True, "b": False}) == "a=true&b=false"


def test_numbers_are_sent_as_written() -> None:
    assert encode_query({"limit": 20, "ratio": 0.5}) == "limit=20&ratio=0.5"


def test_datetimes_are_the_24_character_utc_form() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=2)))
    query = encode_query({"afterDate": when})
    assert query == "afterDate=2024-01-02T01%3A04%3A05.678Z"
    assert len("2024-01-02T01:04:05.678Z") == 24


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        encode_query({"afterDate": datetime(2024, 1, 2)})


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nan_and_infinity_are_refused_in_a_query(value: float) -> None:
    with pytest.raises(ValueError):
        encode_query({"x": value})


def test_an_enum_sends_its_value_not_its_name() -> None:
    assert encode_query({"sortDirection": Direction.ASC, "level": Level.HIGH}) == "sortDirection=asc&level=3"


def test_reserved_characters_in_values_are_encoded_like_encode_uri_component() -> None:
    assert encode_query({"q": "a&b=c/d?é"}) == "q=a%26b%3Dc%2Fd%3F%C3%A9"


def test_no_parameters_give_an_empty_query() -> None:
    assert encode_query(None) == ""
    assert encode_query({"a": None}) == ""


async def test_the_query_leaves_the_client_exactly_as_encoded(wire: WireMock) -> None:
    wire.reply("GET", "/v1/chat/conversations", {"conversations": [], "meta": {}})
    async with make_client() as bp:
        await bp.request(
            "GET", "/v1/chat/conversations",
            params={"tags": {"slack:id": "U 1"}, "participantIds": ["a", "b"], "nextToken": None},
        )
    assert wire.calls[0].query == "tags.slack%3Aid=U%201&participantIds=a&participantIds=b"


# -- paths --------------------------------------------------------------------------------------


def test_path_parameters_are_percent_encoded() -> None:
    path = encode_path("/v1/chat/users/{id}", {"id": "a/b c?#%"})
    assert path == "/v1/chat/users/a%2Fb%20c%3F%23%25"


def test_path_parameters_keep_what_encode_uri_component_keeps() -> None:
    assert encode_path("/x/{id}", {"id": "a-b_c.d~e!f*g'h(i)"}) == "/x/a-b_c.d~e!f*g'h(i)"


def test_a_value_looking_like_a_placeholder_is_not_filled_again() -> None:
    assert encode_path("/a/{x}/{y}", {"x": "{y}", "y": "1"}) == "/a/%7By%7D/1"


@pytest.mark.parametrize("value", ["", None, ".", ".."])
def test_empty_and_dot_segments_are_refused(value: str | None) -> None:
    with pytest.raises(ValueError, match="'id'"):
        encode_path("/v1/chat/users/{id}", {"id": value})


def test_a_missing_path_parameter_is_refused() -> None:
    with pytest.raises(ValueError, match="missing"):
        encode_path("/v1/chat/states/{type}/{id}", {"type": "user"})


async def test_path_parameters_reach_the_wire_encoded(wire: WireMock) -> None:
    wire.reply("GET", "/v1/chat/states/user/u%201/my%2Fstate", {"state": {}})
    async with make_client() as bp:
        await bp._transport.request(
            "GET", "/v1/chat/states/{type}/{id}/{name}",
            path_params={"type": "user", "id": "u 1", "name": "my/state"},
        )
    assert wire.calls[0].path == "/v1/chat/states/user/u%201/my%2Fstate"


def test_datetime_helper_output_matches_serde_format() -> None:
    from botpress_async._serde import format_datetime

    when = datetime(2023, 9, 14, 19, 39, 26, 764123, tzinfo=UTC)
    assert encode_query({"d": when}) == "d=" + format_datetime(when).replace(":", "%3A")
