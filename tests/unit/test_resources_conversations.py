"""bp.conversations and their participants: every endpoint's request on the wire and the structured answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from runtime_wire import CONV_ID, CREATED_AT, USER_ID, USER_ID_2, assert_sent, conversation, only_call, user

from botpress_async import Client
from botpress_async.models import Conversation, User

_CONV = f"/v1/chat/conversations/{CONV_ID}"


async def test_create_posts_channel_tags_and_integration(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/conversations", {"conversation": conversation()}, status=201)
    result = await bp.conversations.create(
        channel="channel", tags={"thread": "t1"}, integration_name="webchat"
    )
    assert_sent(
        only_call(wire), "POST", "/v1/chat/conversations",
        {"channel": "channel", "tags": {"thread": "t1"}, "integrationName": "webchat"},
    )
    assert isinstance(result, Conversation)
    assert result.id == CONV_ID
    assert result.created_at == CREATED_AT


async def test_get_fetches_one_conversation(bp: Client, wire) -> None:
    wire.reply("GET", _CONV, {"conversation": conversation(currentTaskId="task_1")})
    result = await bp.conversations.get(CONV_ID)
    assert_sent(only_call(wire), "GET", _CONV)
    assert result.current_task_id == "task_1"


async def test_list_repeats_participant_ids_and_dots_tags(bp: Client, wire) -> None:
    answer = {"conversations": [conversation()], "meta": {"nextToken": ""}}
    wire.reply("GET", "/v1/chat/conversations", answer)
    page = await bp.conversations.list(
        tags={"slack:id": "C 1"},
        participant_ids=[USER_ID, USER_ID_2],
        integration_name="slack",
        channel="dm",
        sort_field="createdAt",
        sort_direction="asc",
        after_date=datetime(2024, 1, 1, tzinfo=UTC),
        before_date=None,
    )
    assert_sent(
        only_call(wire), "GET",
        "/v1/chat/conversations?sortField=createdAt&sortDirection=asc&tags.slack%3Aid=C%201"
        f"&participantIds={USER_ID}&participantIds={USER_ID_2}&integrationName=slack&channel=dm"
        "&afterDate=2024-01-01T00%3A00%3A00.000Z",
    )
    assert [c.id for c in page] == [CONV_ID]
    assert not page.has_more


async def test_list_iterates_three_pages(bp: Client, wire) -> None:
    for ids, token in ((["c1"], "p2"), (["c2", "c3"], "p3"), (["c4"], None)):
        meta = {"nextToken": token} if token else {}
        answer = {"conversations": [conversation(i) for i in ids], "meta": meta}
        wire.reply("GET", "/v1/chat/conversations", answer)
    ids_seen = [c.id async for c in bp.conversations.list(channel="dm")]
    assert ids_seen == ["c1", "c2", "c3", "c4"]
    queries = [c.query for c in wire.calls]
    assert queries == ["channel=dm", "nextToken=p2&channel=dm", "nextToken=p3&channel=dm"]


async def test_get_or_create_posts_discriminating_tags(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/conversations/get-or-create", {"conversation": conversation()})
    result = await bp.conversations.get_or_create(
        channel="dm", tags={"thread": "t1", "x": "y"}, discriminate_by_tags=["thread"]
    )
    assert_sent(
        only_call(wire), "POST", "/v1/chat/conversations/get-or-create",
        {"channel": "dm", "tags": {"thread": "t1", "x": "y"}, "discriminateByTags": ["thread"]},
    )
    assert result.id == CONV_ID


async def test_update_sends_only_what_is_given(bp: Client, wire) -> None:
    wire.reply("PUT", _CONV, {"conversation": conversation(tags={"thread": "t2"})})
    result = await bp.conversations.update(CONV_ID, tags={"thread": "t2"})
    assert_sent(only_call(wire), "PUT", _CONV, {"tags": {"thread": "t2"}})
    assert result.tags == {"thread": "t2"}


async def test_update_sends_the_current_task(bp: Client, wire) -> None:
    wire.reply("PUT", _CONV, {"conversation": conversation()})
    await bp.conversations.update(CONV_ID, current_task_id="task_1")
    assert only_call(wire).json == {"currentTaskId": "task_1"}


async def test_delete_sends_an_empty_object(bp: Client, wire) -> None:
    wire.reply("DELETE", _CONV, {})
    assert await bp.conversations.delete(CONV_ID) is None
    assert_sent(only_call(wire), "DELETE", _CONV, {})


async def test_list_participants_pages_over_users(bp: Client, wire) -> None:
    wire.reply("GET", f"{_CONV}/participants", {"participants": [user()], "meta": {"nextToken": "n2"}})
    wire.reply("GET", f"{_CONV}/participants", {"participants": [user(USER_ID_2)], "meta": {}})
    result = await bp.conversations.list_participants(CONV_ID).collect()
    assert [p.id for p in result] == [USER_ID, USER_ID_2]
    assert all(isinstance(p, User) for p in result)
    assert_sent(wire.calls[0], "GET", f"{_CONV}/participants")
    assert_sent(wire.calls[1], "GET", f"{_CONV}/participants?nextToken=n2")


async def test_add_participant_posts_the_user_id(bp: Client, wire) -> None:
    wire.reply("POST", f"{_CONV}/participants", {"participant": user()})
    result = await bp.conversations.add_participant(CONV_ID, user_id=USER_ID)
    assert_sent(only_call(wire), "POST", f"{_CONV}/participants", {"userId": USER_ID})
    assert result.id == USER_ID


async def test_get_participant_addresses_conversation_and_user(bp: Client, wire) -> None:
    wire.reply("GET", f"{_CONV}/participants/{USER_ID}", {"participant": user()})
    result = await bp.conversations.get_participant(CONV_ID, USER_ID)
    assert_sent(only_call(wire), "GET", f"{_CONV}/participants/{USER_ID}")
    assert result.name == "Ada"


async def test_remove_participant_sends_delete_with_an_empty_object(bp: Client, wire) -> None:
    wire.reply("DELETE", f"{_CONV}/participants/{USER_ID}", {})
    assert await bp.conversations.remove_participant(CONV_ID, USER_ID) is None
    assert_sent(only_call(wire), "DELETE", f"{_CONV}/participants/{USER_ID}", {})


# -- beyond the 1.70.2 spec (official client 1.45) ---------------------------------------------------


async def test_list_sends_page_size_first_and_message_counts_last_like_the_official_client(
    bp: Client, wire
) -> None:
    first = {"conversations": [conversation("c1")], "meta": {"nextToken": "p2"}}
    wire.reply("GET", "/v1/chat/conversations", first)
    wire.reply("GET", "/v1/chat/conversations", {"conversations": [], "meta": {}})
    listing = bp.conversations.list(channel="dm", min_message_count=0, max_message_count=3, page_size=10)
    await listing.collect()
    assert [c.query for c in wire.calls] == [
        "pageSize=10&channel=dm&minMessageCount=0&maxMessageCount=3",
        "nextToken=p2&pageSize=10&channel=dm&minMessageCount=0&maxMessageCount=3",
    ]


async def test_list_refuses_a_page_size_over_100_before_sending(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="page_size"):
        bp.conversations.list(page_size=101)
    assert wire.calls == []


async def test_list_participants_sends_page_size_on_every_page(bp: Client, wire) -> None:
    wire.reply("GET", f"{_CONV}/participants", {"participants": [user()], "meta": {"nextToken": "n2"}})
    wire.reply("GET", f"{_CONV}/participants", {"participants": [], "meta": {}})
    await bp.conversations.list_participants(CONV_ID, page_size=1).collect()
    assert [c.query for c in wire.calls] == ["pageSize=1", "nextToken=n2&pageSize=1"]


async def test_list_participants_refuses_a_page_size_of_zero_before_sending(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="page_size"):
        bp.conversations.list_participants(CONV_ID, page_size=0)
    assert wire.calls == []


async def test_create_sends_properties_and_the_answer_keeps_them_in_extra(bp: Client, wire) -> None:
    answer = {"conversation": conversation(properties={"topic": "billing"})}
    wire.reply("POST", "/v1/chat/conversations", answer, status=201)
    result = await bp.conversations.create(channel="dm", tags={}, properties={"topic": "billing"})
    assert only_call(wire).json == {"channel": "dm", "tags": {}, "properties": {"topic": "billing"}}
    assert result.extra["properties"] == {"topic": "billing"}


async def test_get_or_create_sends_properties(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/conversations/get-or-create", {"conversation": conversation()})
    await bp.conversations.get_or_create(channel="dm", tags={"thread": "t1"}, properties={"topic": "x"})
    assert only_call(wire).json == {"channel": "dm", "tags": {"thread": "t1"}, "properties": {"topic": "x"}}


async def test_update_sends_a_null_property_to_remove_it(bp: Client, wire) -> None:
    wire.reply("PUT", _CONV, {"conversation": conversation()})
    await bp.conversations.update(CONV_ID, properties={"topic": None})
    assert only_call(wire).json == {"properties": {"topic": None}}
