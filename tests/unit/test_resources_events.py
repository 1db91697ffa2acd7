"""bp.events: every endpoint's request on the wire, schedules, and the structured answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from runtime_wire import (
    CONV_ID,
    CREATED_AT,
    EVENT_ID,
    MSG_ID,
    USER_ID,
    WORKFLOW_ID,
    assert_sent,
    event,
    only_call,
)

from botpress_async import Client
from botpress_async.models import Event

_EVENTS = "/v1/chat/events"


async def test_create_posts_type_payload_and_references(bp: Client, wire) -> None:
    wire.reply("POST", _EVENTS, {"event": event()}, status=201)
    result = await bp.events.create(
        type="reminder", payload={"n": 1}, conversation_id=CONV_ID, user_id=USER_ID,
        workflow_id=WORKFLOW_ID, message_id=MSG_ID,
    )
    assert_sent(
        only_call(wire), "POST", _EVENTS,
        {"type": "reminder", "payload": {"n": 1}, "conversationId": CONV_ID, "userId": USER_ID,
         "workflowId": WORKFLOW_ID, "messageId": MSG_ID},
    )
    assert isinstance(result, Event)
    assert result.created_at == CREATED_AT
    assert result.failure_reason is None


async def test_create_with_a_delay_schedule_sends_milliseconds(bp: Client, wire) -> None:
    wire.reply("POST", _EVENTS, {"event": event(status="scheduled")}, status=201)
    result = await bp.events.create(type="reminder", payload={}, schedule={"delay": 60_000})
    assert only_call(wire).json == {"type": "reminder", "payload": {}, "schedule": {"delay": 60_000}}
    assert result.status == "scheduled"


async def test_create_with_a_date_time_schedule_sends_the_24_character_form(bp: Client, wire) -> None:
    wire.reply("POST", _EVENTS, {"event": event()}, status=201)
    when = datetime(2030, 5, 6, 9, 8, 7, 123456, tzinfo=timezone(timedelta(hours=2)))
    await bp.events.create(type="reminder", payload={}, schedule={"date_time": when})
    assert only_call(wire).json["schedule"] == {"dateTime": "2030-05-06T07:08:07.123Z"}


async def test_create_delay_ms_shortcut_is_the_delay_schedule(bp: Client, wire) -> None:
    wire.reply("POST", _EVENTS, {"event": event()}, status=201)
    await bp.events.create(type="reminder", payload={}, delay_ms=1500)
    assert only_call(wire).json["schedule"] == {"delay": 1500}


async def test_create_at_shortcut_is_the_date_time_schedule(bp: Client, wire) -> None:
    wire.reply("POST", _EVENTS, {"event": event()}, status=201)
    await bp.events.create(type="reminder", payload={}, at=datetime(2030, 1, 1, tzinfo=UTC))
    assert only_call(wire).json["schedule"] == {"dateTime": "2030-01-01T00:00:00.000Z"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"schedule": {"delay": 1}, "delay_ms": 1},
        {"delay_ms": 1, "at": datetime(2030, 1, 1, tzinfo=UTC)},
        {"schedule": {"delay": 1, "date_time": datetime(2030, 1, 1, tzinfo=UTC)}},
        {"schedule": {}},
        {"schedule": {"when": 5}},
        {"delay_ms": -1},
        {"delay_ms": True},
        {"at": datetime(2030, 1, 1)},
        {"at": "tomorrow"},
    ],
    ids=["schedule-and-delay", "delay-and-at", "both-forms", "empty", "unknown-key", "negative",
         "bool", "naive-datetime", "short-string"],
)
async def test_create_with_a_bad_schedule_raises_value_error_and_sends_nothing(
    bp: Client, wire, kwargs
) -> None:
    with pytest.raises(ValueError):
        await bp.events.create(type="reminder", payload={}, **kwargs)
    assert wire.calls == []


async def test_get_fetches_one_event(bp: Client, wire) -> None:
    wire.reply("GET", f"{_EVENTS}/{EVENT_ID}", {"event": event()})
    result = await bp.events.get(EVENT_ID)
    assert_sent(only_call(wire), "GET", f"{_EVENTS}/{EVENT_ID}")
    assert result.payload == {"n": 1}


async def test_list_sends_every_filter(bp: Client, wire) -> None:
    wire.reply("GET", _EVENTS, {"events": [event()], "meta": {}})
    page = await bp.events.list(
        type="reminder", conversation_id=CONV_ID, user_id=USER_ID, message_id=MSG_ID,
        workflow_id=WORKFLOW_ID, status="scheduled",
    )
    assert_sent(
        only_call(wire), "GET",
        f"{_EVENTS}?type=reminder&conversationId={CONV_ID}&userId={USER_ID}&messageId={MSG_ID}"
        f"&workflowId={WORKFLOW_ID}&status=scheduled",
    )
    assert [e.id for e in page] == [EVENT_ID]


async def test_list_iterates_three_pages(bp: Client, wire) -> None:
    wire.reply("GET", _EVENTS, {"events": [event("e1")], "meta": {"nextToken": "a"}})
    wire.reply("GET", _EVENTS, {"events": [event("e2")], "meta": {"nextToken": "b"}})
    wire.reply("GET", _EVENTS, {"events": [event("e3")], "meta": {}})
    assert [e.id async for e in bp.events.list()] == ["e1", "e2", "e3"]
    assert [c.query for c in wire.calls] == ["", "nextToken=a", "nextToken=b"]


async def test_cancel_scheduled_sends_delete_to_the_scheduled_path(bp: Client, wire) -> None:
    wire.reply("DELETE", f"{_EVENTS}/scheduled/{EVENT_ID}", {})
    assert await bp.events.cancel_scheduled(EVENT_ID) is None
    assert_sent(only_call(wire), "DELETE", f"{_EVENTS}/scheduled/{EVENT_ID}", {})


async def test_list_sends_page_size_before_the_filters(bp: Client, wire) -> None:
    wire.reply("GET", _EVENTS, {"events": [], "meta": {}})
    await bp.events.list(type="reminder", page_size=50)
    assert only_call(wire).query == "pageSize=50&type=reminder"


async def test_list_refuses_a_page_size_over_100_before_sending(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="page_size"):
        bp.events.list(page_size=500)
    assert wire.calls == []
