"""Scheduled events and messages are delivered at their time on the emulator's (injected) clock; cancelling
stops them."""

from __future__ import annotations

from typing import Any

from emulator_helpers import Api, assert_error
from test_emulator_runtime_endpoints import make_conversation, make_user

from botpress_async.emulator import ManualClock
from botpress_async.emulator.clock import iso


async def schedule_message(api: Api, conversation: dict[str, Any], user: dict[str, Any],
                           schedule: dict[str, Any], **tags: str) -> dict[str, Any]:
    body = {"conversationId": conversation["id"], "userId": user["id"], "type": "text",
            "payload": {"text": "later"}, "tags": tags, "schedule": schedule}
    return (await api.ok("POST", "/v1/chat/messages", "createMessage", 201, json=body))["message"]


async def listed_ids(api: Api, conversation: dict[str, Any]) -> list[str]:
    query = {"conversationId": conversation["id"]}
    body = await api.ok("GET", "/v1/chat/messages", "listMessages", params=query)
    return [m["id"] for m in body["messages"]]


async def schedule_event(api: Api, delay_ms: int) -> dict[str, Any]:
    body = {"type": "reminder", "payload": {}, "schedule": {"delay": delay_ms}}
    return (await api.ok("POST", "/v1/chat/events", "createEvent", 201, json=body))["event"]


async def event_status(api: Api, event: dict[str, Any]) -> str:
    status: str = (await api.ok("GET", f"/v1/chat/events/{event['id']}", "getEvent"))["event"]["status"]
    return status


# ---------------------------------------------------------------------------------------- messages


async def test_a_scheduled_message_is_not_listed_before_its_time(api: Api, clock: ManualClock) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    await schedule_message(api, conversation, user, {"delay": 60_000})
    clock.advance(59_999)
    assert await listed_ids(api, conversation) == []


async def test_a_scheduled_message_is_listed_once_the_clock_reaches_its_time(
    api: Api, clock: ManualClock
) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    message = await schedule_message(api, conversation, user, {"delay": 60_000})
    clock.advance(60_000)
    assert await listed_ids(api, conversation) == [message["id"]]


async def test_get_of_a_scheduled_message_is_404_until_its_time(api: Api, clock: ManualClock) -> None:
    message = await schedule_message(api, await make_conversation(api), await make_user(api), {"delay": 1000})
    status, body = await api.call("GET", f"/v1/chat/messages/{message['id']}")
    assert_error(status, body, "ResourceNotFound")
    clock.advance(1000)
    fetched = await api.ok("GET", f"/v1/chat/messages/{message['id']}", "getMessage")
    assert fetched["message"] == message


async def test_a_scheduled_message_is_created_at_its_delivery_time(api: Api, clock: ManualClock) -> None:
    now = clock.now_ms()
    message = await schedule_message(api, await make_conversation(api), await make_user(api), {"delay": 5000})
    assert message["createdAt"] == message["updatedAt"] == iso(now + 5000)


async def test_a_date_time_schedule_delivers_at_that_time(api: Api, clock: ManualClock) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    message = await schedule_message(api, conversation, user, {"dateTime": iso(clock.now_ms() + 3_600_000)})
    clock.advance(3_599_999)
    assert await listed_ids(api, conversation) == []
    clock.advance(1)
    assert await listed_ids(api, conversation) == [message["id"]]


async def test_a_schedule_already_reached_delivers_at_once(api: Api, clock: ManualClock) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    message = await schedule_message(api, conversation, user, {"dateTime": iso(clock.now_ms() - 1000)})
    assert message["createdAt"] == iso(clock.now_ms())
    assert await listed_ids(api, conversation) == [message["id"]]


async def test_a_delivered_message_lists_before_older_ones(api: Api, clock: ManualClock) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    later = await schedule_message(api, conversation, user, {"delay": 10_000})
    clock.advance(1)
    body = {"conversationId": conversation["id"], "userId": user["id"], "type": "text", "payload": {},
            "tags": {}}
    now = (await api.ok("POST", "/v1/chat/messages", "createMessage", 201, json=body))["message"]
    clock.advance(10_000)
    assert await listed_ids(api, conversation) == [later["id"], now["id"]]


async def test_deleting_a_scheduled_message_cancels_its_delivery(api: Api, clock: ManualClock) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    message = await schedule_message(api, conversation, user, {"delay": 1000})
    await api.ok("DELETE", f"/v1/chat/messages/{message['id']}", "deleteMessage")
    clock.advance(1000)
    assert await listed_ids(api, conversation) == []


async def test_update_of_a_scheduled_message_is_404_until_its_time(api: Api) -> None:
    message = await schedule_message(api, await make_conversation(api), await make_user(api), {"delay": 1000})
    status, body = await api.call("PUT", f"/v1/chat/messages/{message['id']}", json={"tags": {"k": "v"}})
    assert_error(status, body, "ResourceNotFound")


async def test_a_scheduled_messages_tags_are_listed_once_it_is_delivered(
    api: Api, clock: ManualClock
) -> None:
    await schedule_message(api, await make_conversation(api), await make_user(api), {"delay": 1000}, k="v")
    path, query = "/v1/chat/tags/k/values", {"type": "message"}
    assert (await api.ok("GET", path, "listTagValues", params=query))["tags"] == []
    clock.advance(1000)
    assert (await api.ok("GET", path, "listTagValues", params=query))["tags"] == [{"value": "v"}]


async def test_get_or_create_with_a_schedule_creates_a_scheduled_incoming_message(
    api: Api, clock: ManualClock
) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    body = {"conversationId": conversation["id"], "userId": user["id"], "type": "text", "payload": {},
            "tags": {"ext": "1"}, "schedule": {"delay": 2000}}
    path = "/v1/chat/messages/get-or-create"
    message = (await api.ok("POST", path, "getOrCreateMessage", json=body))["message"]
    assert message["direction"] == "incoming" and await listed_ids(api, conversation) == []
    clock.advance(2000)
    assert await listed_ids(api, conversation) == [message["id"]]


async def test_get_or_create_matches_a_message_not_yet_delivered(api: Api) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    body = {"conversationId": conversation["id"], "userId": user["id"], "type": "text", "payload": {},
            "tags": {"ext": "1"}, "schedule": {"delay": 2000}}
    first = await api.ok("POST", "/v1/chat/messages/get-or-create", "getOrCreateMessage", json=body)
    again = await api.ok("POST", "/v1/chat/messages/get-or-create", "getOrCreateMessage", json=body)
    assert again["message"] == first["message"]


# ------------------------------------------------------------------------------------------ events


async def test_a_scheduled_event_is_listed_as_scheduled_before_its_time(api: Api, clock: ManualClock) -> None:
    event = await schedule_event(api, 60_000)
    clock.advance(59_999)
    listed = await api.ok("GET", "/v1/chat/events", "listEvents", params={"status": "scheduled"})
    assert [e["id"] for e in listed["events"]] == [event["id"]]


async def test_a_scheduled_event_is_listed_as_pending_once_due(api: Api, clock: ManualClock) -> None:
    event = await schedule_event(api, 60_000)
    clock.advance(60_000)
    listed = await api.ok("GET", "/v1/chat/events", "listEvents", params={"status": "pending"})
    assert [e["id"] for e in listed["events"]] == [event["id"]]


async def test_a_canceled_event_stays_canceled_past_its_time(api: Api, clock: ManualClock) -> None:
    event = await schedule_event(api, 1000)
    await api.ok("DELETE", f"/v1/chat/events/scheduled/{event['id']}", "cancelScheduledEvent")
    clock.advance(10_000)
    assert await event_status(api, event) == "canceled"
    listed = await api.ok("GET", "/v1/chat/events", "listEvents", params={"status": "pending"})
    assert listed["events"] == []


async def test_cancelling_a_delivered_event_is_refused(api: Api, clock: ManualClock) -> None:
    event = await schedule_event(api, 1000)
    clock.advance(1000)
    status, body = await api.call("DELETE", f"/v1/chat/events/scheduled/{event['id']}")
    assert_error(status, body, "InvalidPayload")
    assert await event_status(api, event) == "pending"
