"""bp.tags: tag values as a paginator."""

from __future__ import annotations

import pytest
from runtime_wire import assert_sent

from botpress_async import Client


async def test_list_values_pages_over_values_of_a_percent_encoded_key(bp: Client, wire) -> None:
    path = "/v1/chat/tags/slack%3Aid/values"
    wire.reply("GET", path, {"tags": [{"value": "U1"}, {"value": "U2"}], "meta": {"nextToken": "n"}})
    wire.reply("GET", path, {"tags": [{"value": "U 3"}], "meta": {"nextToken": "m"}})
    wire.reply("GET", path, {"tags": [], "meta": {}})
    values = [v async for v in bp.tags.list_values("slack:id", type="user")]
    assert values == ["U1", "U2", "U 3"]
    assert_sent(wire.calls[0], "GET", f"{path}?type=user")
    assert_sent(wire.calls[1], "GET", f"{path}?nextToken=n&type=user")
    assert_sent(wire.calls[2], "GET", f"{path}?nextToken=m&type=user")


async def test_list_values_first_page_keeps_the_raw_response(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/chat/tags/plan/values", {"tags": [{"value": "pro"}], "meta": {}})
    page = await bp.tags.list_values("plan", type="conversation")
    assert page.items == ["pro"]
    assert page.response.tags[0].value == "pro"
    assert wire.calls[0].query == "type=conversation"


async def test_list_values_sends_page_size_before_the_type_on_every_page(bp: Client, wire) -> None:
    path = "/v1/chat/tags/plan/values"
    wire.reply("GET", path, {"tags": [{"value": "pro"}], "meta": {"nextToken": "n"}})
    wire.reply("GET", path, {"tags": [], "meta": {}})
    await bp.tags.list_values("plan", type="user", page_size=2).collect()
    assert [c.query for c in wire.calls] == ["pageSize=2&type=user", "nextToken=n&pageSize=2&type=user"]


async def test_list_values_refuses_a_page_size_of_zero_before_sending(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="page_size"):
        bp.tags.list_values("plan", type="user", page_size=0)
    assert wire.calls == []
