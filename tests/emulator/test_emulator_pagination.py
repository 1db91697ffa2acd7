"""Runtime list pagination: 20 a page, newest first, opaque and stable nextToken."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
import yarl
from emulator_helpers import Api, assert_error

from botpress_async.emulator import ManualClock
from botpress_async.emulator.pagination import decode_token, encode_token


async def _users(api: Api, count: int, clock: ManualClock, **tags: str) -> list[str]:
    ids = []
    for _ in range(count):
        status, body = await api.call("POST", "/v1/chat/users", json={"tags": tags})
        assert status == 201
        ids.append(body["user"]["id"])
        clock.advance(1)
    return ids


async def _all_pages(api: Api, params: dict[str, str]) -> list[list[str]]:
    pages, token = [], None
    while True:
        query = dict(params, **({"nextToken": token} if token else {}))
        status, body = await api.call("GET", "/v1/chat/users", params=query)
        assert status == 200, body
        pages.append([u["id"] for u in body["users"]])
        token = body["meta"].get("nextToken")
        if token is None:
            return pages


async def test_three_pages_of_20_20_5_newest_first(api: Api, clock: ManualClock) -> None:
    ids = await _users(api, 45, clock)
    pages = await _all_pages(api, {})
    assert [len(p) for p in pages] == [20, 20, 5]
    assert [i for p in pages for i in p] == ids[::-1]


async def test_ascending_sort_lists_oldest_first(api: Api, clock: ManualClock) -> None:
    ids = await _users(api, 25, clock)
    pages = await _all_pages(api, {"sortDirection": "asc"})
    assert [i for p in pages for i in p] == ids


async def test_equal_created_at_is_ordered_by_id(api: Api, clock: ManualClock) -> None:
    await _users(api, 0, clock)
    ids = []
    for _ in range(25):  # the clock does not move: every user has the same createdAt
        ids.append((await api.call("POST", "/v1/chat/users", json={"tags": {}}))[1]["user"]["id"])
    pages = await _all_pages(api, {})
    assert [i for p in pages for i in p] == sorted(ids, reverse=True)


async def test_pages_are_stable_while_rows_are_inserted(api: Api, clock: ManualClock) -> None:
    ids = await _users(api, 40, clock)
    _, first = await api.call("GET", "/v1/chat/users")
    await _users(api, 7, clock)  # newer rows arrive between the two pages
    _, second = await api.call("GET", "/v1/chat/users", params={"nextToken": first["meta"]["nextToken"]})
    listed = [u["id"] for u in first["users"] + second["users"]]
    assert listed == ids[::-1]


async def test_the_last_page_has_no_next_token(api: Api, clock: ManualClock) -> None:
    await _users(api, 20, clock)
    _, body = await api.call("GET", "/v1/chat/users")
    assert len(body["users"]) == 20 and body["meta"] == {}


@pytest.mark.parametrize("token", ["not base64!", "e30=", base64.b64encode(b"[1,2]").decode(), "%%%"])
async def test_an_invalid_next_token_is_400_invalid_query(api: Api, token: str) -> None:
    status, body = await api.call("GET", "/v1/chat/users", params={"nextToken": token})
    assert_error(status, body, "InvalidQuery")


async def test_a_token_made_for_another_sort_is_invalid_query(api: Api, clock: ManualClock) -> None:
    await _users(api, 21, clock)
    status, body = await api.call("GET", "/v1/chat/users")
    token = body["meta"]["nextToken"]
    query = {"nextToken": token, "sortDirection": "asc"}
    status, body = await api.call("GET", "/v1/chat/users", params=query)
    assert_error(status, body, "InvalidQuery")


def test_tokens_are_standard_base64_and_may_carry_plus_slash_and_equals() -> None:
    token = encode_token("createdAt", "desc", 1_700_000_000_000, "user_>>>???~~~")
    assert set("+/=") & set(token)
    assert decode_token(token, "createdAt", "desc") == (1_700_000_000_000, "user_>>>???~~~")


async def test_a_percent_encoded_token_is_accepted(api: Api, clock: ManualClock) -> None:
    await _users(api, 21, clock)
    _, body = await api.call("GET", "/v1/chat/users")
    encoded = quote(body["meta"]["nextToken"], safe="")
    status, body = await api.call("GET", yarl.URL(f"/v1/chat/users?nextToken={encoded}", encoded=True))
    assert status == 200 and len(body["users"]) == 1


async def test_tag_filters_accept_dot_and_bracket_forms(api: Api, clock: ManualClock) -> None:
    [blue] = await _users(api, 1, clock, team="blue", size="L")
    await _users(api, 1, clock, team="blue", size="S")
    dotted = await _all_pages(api, {"tags.team": "blue", "tags.size": "L"})
    bracketed = await _all_pages(api, {"tags[team]": "blue", "tags[size]": "L"})
    assert dotted == bracketed == [[blue]]
