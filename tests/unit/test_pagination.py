"""Paginators: await one page, iterate every item, stop on an empty token, refuse a looping token."""

from __future__ import annotations

from typing import Any

import pytest
from fakes import make_client
from wire_recorder import WireMock

from botpress_async import OffsetPage, OffsetPaginator, Page, Paginator
from botpress_async.errors import PaginationLoopError
from botpress_async.models import ListUsersResponse, User
from botpress_async.resources._base import Resource

CREATED = "2023-09-14T19:39:26.764Z"


class Pages:
    """A fake listing: ``pages`` maps a token (None first) to (items, next token); calls are recorded."""

    def __init__(self, pages: dict[str | None, tuple[list[int], Any]]) -> None:
        self.pages = pages
        self.tokens: list[str | None] = []

    async def __call__(self, token: str | None) -> Page[int]:
        self.tokens.append(token)
        items, next_token = self.pages[token]
        return Page(items, next_token)


THREE_PAGES = {None: ([1, 2], "t2"), "t2": ([3, 4], "t3"), "t3": ([5], None)}


async def test_awaiting_a_paginator_gives_the_first_page_only() -> None:
    fetch = Pages(THREE_PAGES)
    page = await Paginator(fetch)
    assert (page.items, page.next_token, page.has_more) == ([1, 2], "t2", True)
    assert fetch.tokens == [None]


async def test_async_for_walks_every_item_of_three_pages() -> None:
    fetch = Pages(THREE_PAGES)
    assert [item async for item in Paginator(fetch)] == [1, 2, 3, 4, 5]
    assert fetch.tokens == [None, "t2", "t3"]


async def test_pages_yields_each_page_in_turn() -> None:
    pages = [page.items async for page in Paginator(Pages(THREE_PAGES)).pages()]
    assert pages == [[1, 2], [3, 4], [5]]


@pytest.mark.parametrize("last_token", ["", None])
async def test_an_empty_or_missing_token_ends_the_listing(last_token: str | None) -> None:
    fetch = Pages({None: ([1], "t2"), "t2": ([2], last_token)})
    assert await Paginator(fetch).collect() == [1, 2]
    assert fetch.tokens == [None, "t2"]


async def test_a_repeated_token_raises_instead_of_looping_forever() -> None:
    fetch = Pages({None: ([1], "t2"), "t2": ([2], "t3"), "t3": ([3], "t2")})
    seen: list[int] = []
    with pytest.raises(PaginationLoopError, match="'t2' a second time"):
        async for item in Paginator(fetch):
            seen.append(item)
    assert seen == [1, 2, 3]
    assert fetch.tokens == [None, "t2", "t3"]


async def test_a_page_pointing_at_itself_raises_at_once() -> None:
    fetch = Pages({None: ([1], "same"), "same": ([2], "same")})
    with pytest.raises(PaginationLoopError):
        await Paginator(fetch).collect()
    assert fetch.tokens == [None, "same"]


async def test_collect_with_a_limit_fetches_no_page_beyond_what_it_needs() -> None:
    fetch = Pages(THREE_PAGES)
    assert await Paginator(fetch).collect(limit=3) == [1, 2, 3]
    assert fetch.tokens == [None, "t2"]


@pytest.mark.parametrize("limit", [0, -1])
async def test_collect_with_a_limit_of_zero_fetches_nothing(limit: int) -> None:
    fetch = Pages(THREE_PAGES)
    assert await Paginator(fetch).collect(limit=limit) == []
    assert fetch.tokens == []


async def test_collect_without_a_limit_gathers_everything() -> None:
    assert await Paginator(Pages(THREE_PAGES)).collect() == [1, 2, 3, 4, 5]


async def test_breaking_out_of_async_for_stops_fetching() -> None:
    fetch = Pages(THREE_PAGES)
    async for item in Paginator(fetch):
        if item == 2:
            break
    assert fetch.tokens == [None]


# -- through a resource, on the wire ------------------------------------------------------------


def _user(n: int) -> dict[str, Any]:
    return {"id": f"user_{n:028d}", "createdAt": CREATED, "updatedAt": CREATED, "tags": {}}


async def test_a_listing_sends_next_token_and_structures_every_page(wire: WireMock) -> None:
    wire.reply("GET", "/v1/chat/users", {"users": [_user(1), _user(2)], "meta": {"nextToken": "p2"}})
    wire.reply("GET", "/v1/chat/users", {"users": [_user(3)], "meta": {"nextToken": "p3"}})
    wire.reply("GET", "/v1/chat/users", {"users": [_user(4)], "meta": {}})
    async with make_client() as bp:
        listing = Resource(bp._transport)._list(
            "/v1/chat/users", cast=ListUsersResponse, items=lambda r: r.users, params={"tags": {"a b": "c"}}
        )
        users = await listing.collect()
    assert all(isinstance(user, User) for user in users)
    assert [user.id for user in users] == [_user(n)["id"] for n in (1, 2, 3, 4)]
    assert [call.query for call in wire.calls] == [
        "tags.a%20b=c", "nextToken=p2&tags.a%20b=c", "nextToken=p3&tags.a%20b=c",
    ]


async def test_a_listing_whose_server_repeats_a_token_raises(wire: WireMock) -> None:
    wire.reply("GET", "/v1/chat/users", {"users": [_user(1)], "meta": {"nextToken": "again"}}, repeat=True)
    async with make_client() as bp:
        resource = Resource(bp._transport)
        listing = resource._list("/v1/chat/users", cast=ListUsersResponse, items=lambda r: r.users)
        with pytest.raises(PaginationLoopError):
            await listing.collect()
    assert len(wire.calls) == 2


# -- offset pages (find rows) -------------------------------------------------------------------


async def test_offset_pages_advance_by_the_rows_received_until_has_more_is_false() -> None:
    calls: list[tuple[int, int]] = []
    rows = list(range(7))

    async def fetch(offset: int, limit: int) -> OffsetPage[int]:
        calls.append((offset, limit))
        chunk = rows[offset : offset + limit]
        return OffsetPage(chunk, offset + limit < len(rows), offset, limit)

    assert await OffsetPaginator(fetch, limit=3).collect() == rows
    assert calls == [(0, 3), (3, 3), (6, 3)]


async def test_offset_pages_stop_on_an_empty_page_even_if_has_more_says_otherwise() -> None:
    calls: list[int] = []

    async def fetch(offset: int, limit: int) -> OffsetPage[int]:
        calls.append(offset)
        return OffsetPage([1] if offset == 0 else [], True, offset, limit)

    assert await OffsetPaginator(fetch, limit=1).collect() == [1]
    assert calls == [0, 1]
