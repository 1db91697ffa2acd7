"""bp.messages: every endpoint's request on the wire, incoming-message setup, imports in batches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from runtime_wire import (
    CONV_ID,
    CREATED_AT,
    MSG_ID,
    USER_ID,
    assert_sent,
    conversation,
    message,
    only_call,
    user,
)

from botpress_async import Client
from botpress_async.errors import InvalidPayloadError
from botpress_async.models import Message

_MESSAGES = "/v1/chat/messages"
_MSG = f"/v1/chat/messages/{MSG_ID}"


async def test_create_posts_the_message_with_schedule_and_origin(bp: Client, wire) -> None:
    wire.reply("POST", _MESSAGES, {"message": message(origin="synthetic")}, status=201)
    result = await bp.messages.create(
        conversation_id=CONV_ID, user_id=USER_ID, type="text", payload={"text": "hi"}, tags={},
        delay_ms=5000, origin="synthetic",
    )
    assert_sent(
        only_call(wire), "POST", _MESSAGES,
        {"payload": {"text": "hi"}, "userId": USER_ID, "conversationId": CONV_ID, "type": "text", "tags": {},
         "schedule": {"delay": 5000}, "origin": "synthetic"},
    )
    assert isinstance(result, Message)
    assert result.origin == "synthetic"
    assert result.created_at == CREATED_AT


async def test_create_with_a_date_time_schedule_sends_the_24_character_form(bp: Client, wire) -> None:
    wire.reply("POST", _MESSAGES, {"message": message()}, status=201)
    await bp.messages.create(
        conversation_id=CONV_ID, user_id=USER_ID, type="text", payload={"text": "hi"}, tags={},
        schedule={"dateTime": datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)},
    )
    assert only_call(wire).json["schedule"] == {"dateTime": "2031-02-03T04:05:06.000Z"}


async def test_get_or_create_posts_discriminating_tags(bp: Client, wire) -> None:
    wire.reply("POST", f"{_MESSAGES}/get-or-create", {"message": message()})
    await bp.messages.get_or_create(
        conversation_id=CONV_ID, user_id=USER_ID, type="text", payload={"text": "hi"},
        tags={"ext": "42"}, discriminate_by_tags=["ext"],
    )
    assert_sent(
        only_call(wire), "POST", f"{_MESSAGES}/get-or-create",
        {"payload": {"text": "hi"}, "userId": USER_ID, "conversationId": CONV_ID, "type": "text",
         "tags": {"ext": "42"}, "discriminateByTags": ["ext"]},
    )


async def test_get_fetches_one_message(bp: Client, wire) -> None:
    wire.reply("GET", _MSG, {"message": message()})
    result = await bp.messages.get(MSG_ID)
    assert_sent(only_call(wire), "GET", _MSG)
    assert result.payload == {"text": "hi"}
    assert result.direction == "outgoing"


async def test_update_sends_the_required_tags_and_the_payload(bp: Client, wire) -> None:
    wire.reply("PUT", _MSG, {"message": message(payload={"text": "edited"})})
    result = await bp.messages.update(MSG_ID, tags={}, payload={"text": "edited"})
    assert_sent(only_call(wire), "PUT", _MSG, {"tags": {}, "payload": {"text": "edited"}})
    assert result.payload == {"text": "edited"}


async def test_update_without_payload_sends_tags_only(bp: Client, wire) -> None:
    wire.reply("PUT", _MSG, {"message": message()})
    await bp.messages.update(MSG_ID, tags={"seen": "1"})
    assert only_call(wire).json == {"tags": {"seen": "1"}}


async def test_list_sends_every_filter(bp: Client, wire) -> None:
    wire.reply("GET", _MESSAGES, {"messages": [message()], "meta": {}})
    page = await bp.messages.list(
        conversation_id=CONV_ID, tags={"a b": "c&d"}, after_date="2024-01-01T00:00:00.000Z",
        before_date=datetime(2024, 2, 1, tzinfo=UTC),
    )
    assert_sent(
        only_call(wire), "GET",
        f"{_MESSAGES}?conversationId={CONV_ID}&tags.a%20b=c%26d&afterDate=2024-01-01T00%3A00%3A00.000Z"
        "&beforeDate=2024-02-01T00%3A00%3A00.000Z",
    )
    assert [m.id for m in page] == [MSG_ID]


async def test_list_iterates_three_pages(bp: Client, wire) -> None:
    wire.reply("GET", _MESSAGES, {"messages": [message("m1")], "meta": {"nextToken": "x"}})
    wire.reply("GET", _MESSAGES, {"messages": [message("m2")], "meta": {"nextToken": "y"}})
    wire.reply("GET", _MESSAGES, {"messages": [message("m3")], "meta": {}})
    pages = [len(p) async for p in bp.messages.list(conversation_id=CONV_ID).pages()]
    assert pages == [1, 1, 1]
    assert wire.calls[2].query == f"nextToken=y&conversationId={CONV_ID}"


async def test_delete_sends_an_empty_object(bp: Client, wire) -> None:
    wire.reply("DELETE", _MSG, {})
    assert await bp.messages.delete(MSG_ID) is None
    assert_sent(only_call(wire), "DELETE", _MSG, {})


async def test_initialize_incoming_camel_cases_nested_objects(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/initialize-incoming-message",
               {"user": user(), "conversation": conversation(), "message": message(direction="incoming")})
    result = await bp.messages.initialize_incoming(
        user={"tags": {"email": "a@example.com"}, "discriminate_by_tags": ["email"], "picture_url": "u"},
        conversation={"channel": "dm", "tags": {"thread": "t1"}, "discriminateByTags": ["thread"]},
        message={"type": "text", "payload": {"text": "hi"}, "tags": {"ext": "1"},
                 "discriminate_by_tags": ["ext"]},
    )
    assert_sent(
        only_call(wire), "POST", "/v1/chat/initialize-incoming-message",
        {"user": {"tags": {"email": "a@example.com"}, "discriminateByTags": ["email"], "pictureUrl": "u"},
         "conversation": {"channel": "dm", "tags": {"thread": "t1"}, "discriminateByTags": ["thread"]},
         "message": {"type": "text", "payload": {"text": "hi"}, "tags": {"ext": "1"},
                     "discriminateByTags": ["ext"]}},
    )
    assert result.user.id == USER_ID
    assert result.conversation.id == CONV_ID
    assert result.message is not None and result.message.direction == "incoming"


async def test_initialize_incoming_with_ids_and_no_message(bp: Client, wire) -> None:
    answer = {"user": user(), "conversation": conversation()}
    wire.reply("POST", "/v1/chat/initialize-incoming-message", answer)
    result = await bp.messages.initialize_incoming(user_id=USER_ID, conversation_id=CONV_ID)
    assert only_call(wire).json == {"userId": USER_ID, "conversationId": CONV_ID}
    assert result.message is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"conversation_id": CONV_ID},
        {"user_id": USER_ID, "user": {"tags": {}}, "conversation_id": CONV_ID},
        {"user_id": USER_ID},
        {"user_id": USER_ID, "conversation_id": CONV_ID, "conversation": {"channel": "dm"}},
    ],
    ids=["no-user", "both-users", "no-conversation", "both-conversations"],
)
async def test_initialize_incoming_needs_exactly_one_user_and_one_conversation(
    bp: Client, wire, kwargs
) -> None:
    with pytest.raises(ValueError):
        await bp.messages.initialize_incoming(**kwargs)
    assert wire.calls == []


def _to_import(i: int) -> dict[str, object]:
    return {"conversation_id": CONV_ID, "user_id": USER_ID, "type": "text", "payload": {"text": str(i)},
            "tags": {}, "created_at": datetime(2024, 1, 1, 0, 0, i % 60, tzinfo=UTC),
            "discriminate_by_tags": []}


async def test_import_many_sends_one_call_with_wire_names(bp: Client, wire) -> None:
    wire.reply("POST", f"{_MESSAGES}/import-messages", {"messages": [message()]})
    result = await bp.messages.import_many([_to_import(7)])
    assert_sent(
        only_call(wire), "POST", f"{_MESSAGES}/import-messages",
        {"messages": [{"conversationId": CONV_ID, "userId": USER_ID, "type": "text", "payload": {"text": "7"},
                       "tags": {}, "createdAt": "2024-01-01T00:00:07.000Z", "discriminateByTags": []}]},
    )
    assert [m.id for m in result] == [MSG_ID]


async def test_import_many_chunks_250_messages_into_calls_of_100_in_order(bp: Client, wire) -> None:
    for n in (100, 100, 50):
        answer = {"messages": [message(f"m{n}_{i}") for i in range(n)]}
        wire.reply("POST", f"{_MESSAGES}/import-messages", answer)
    result = await bp.messages.import_many([_to_import(i) for i in range(250)])
    assert [len(c.json["messages"]) for c in wire.calls] == [100, 100, 50]
    assert wire.calls[1].json["messages"][0]["payload"] == {"text": "100"}
    assert len(result) == 250


async def test_import_many_of_nothing_sends_nothing(bp: Client, wire) -> None:
    assert await bp.messages.import_many([]) == []
    assert wire.calls == []


@pytest.mark.parametrize("batch_size", [0, 101, True])
async def test_import_many_refuses_a_batch_size_outside_1_to_100(bp: Client, wire, batch_size) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        await bp.messages.import_many([_to_import(0)], batch_size=batch_size)
    assert wire.calls == []


async def test_import_many_failing_later_batch_notes_what_was_imported(bp: Client, wire) -> None:
    wire.reply("POST", f"{_MESSAGES}/import-messages", {"messages": [message(f"m{i}") for i in range(2)]})
    wire.reply("POST", f"{_MESSAGES}/import-messages", status=400, payload={
        "id": "err_1", "code": 400, "type": "InvalidPayload", "message": "bad message"})
    with pytest.raises(InvalidPayloadError) as info:
        await bp.messages.import_many([_to_import(i) for i in range(4)], batch_size=2)
    assert any("2 messages before index 2 were imported" in note for note in info.value.__notes__)
    assert len(wire.calls) == 2


async def test_list_sends_page_size_before_the_filters_on_every_page(bp: Client, wire) -> None:
    wire.reply("GET", _MESSAGES, {"messages": [message("m1")], "meta": {"nextToken": "x"}})
    wire.reply("GET", _MESSAGES, {"messages": [], "meta": {}})
    await bp.messages.list(conversation_id=CONV_ID, page_size=100).collect()
    assert [c.query for c in wire.calls] == [
        f"pageSize=100&conversationId={CONV_ID}",
        f"nextToken=x&pageSize=100&conversationId={CONV_ID}",
    ]


async def test_list_refuses_a_page_size_of_zero_before_sending(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="page_size"):
        bp.messages.list(page_size=0)
    assert wire.calls == []


async def test_initialize_incoming_sends_nested_properties_with_their_keys_unchanged(
    bp: Client, wire
) -> None:
    answer = {"user": user(), "conversation": conversation()}
    wire.reply("POST", "/v1/chat/initialize-incoming-message", answer)
    await bp.messages.initialize_incoming(
        user={"tags": {"e": "1"}, "discriminate_by_tags": ["e"], "properties": {"plan_tier": "pro"}},
        conversation={"channel": "dm", "tags": {}, "discriminate_by_tags": [], "properties": {"topic": "x"}},
    )
    assert only_call(wire).json == {
        "user": {"tags": {"e": "1"}, "discriminateByTags": ["e"], "properties": {"plan_tier": "pro"}},
        "conversation": {"channel": "dm", "tags": {}, "discriminateByTags": [], "properties": {"topic": "x"}},
    }
