"""What the official client 1.45.0 sends beyond the 1.70.2 spec is served: pageSize, message counts,
properties, patchState expiry, captureObservation. Everything else stays validated."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_helpers import Api, assert_error
from test_emulator_runtime_endpoints import make_conversation, make_message, make_user

from botpress_async.emulator import ManualClock


async def user_ids(api: Api, **query: Any) -> tuple[list[str], str | None]:
    body = await api.ok("GET", "/v1/chat/users", "listUsers", params=query)
    return [u["id"] for u in body["users"]], body["meta"].get("nextToken")


async def conversation_ids(api: Api, **query: Any) -> list[str]:
    body = await api.ok("GET", "/v1/chat/conversations", "listConversations", params=query)
    return [c["id"] for c in body["conversations"]]


# ---------------------------------------------------------------------------------------------- pageSize


async def test_page_size_sets_the_number_of_items_per_page(api: Api) -> None:
    for _ in range(4):
        await make_user(api)
    ids, token = await user_ids(api, pageSize="3")
    assert len(ids) == 3 and token is not None


async def test_page_size_pages_carry_on_with_the_next_token(api: Api, clock: ManualClock) -> None:
    made = []
    for _ in range(5):
        made.append((await make_user(api))["id"])
        clock.advance(1)
    first, token = await user_ids(api, pageSize="2")
    second, token = await user_ids(api, pageSize="2", nextToken=token)
    third, token = await user_ids(api, pageSize="2", nextToken=token)
    assert first + second + third == made[::-1] and token is None


async def test_page_size_of_100_is_accepted(api: Api) -> None:
    await make_user(api)
    ids, _ = await user_ids(api, pageSize="100")
    assert len(ids) == 1


@pytest.mark.parametrize("size", ["0", "101", "two", "1.5"])
async def test_page_size_outside_1_to_100_is_invalid_query(api: Api, size: str) -> None:
    status, body = await api.call("GET", "/v1/chat/users", params={"pageSize": size})
    assert_error(status, body, "InvalidQuery")
    assert "pageSize" in body["message"]


@pytest.mark.parametrize(
    ("path", "key"),
    [("/v1/chat/messages", "messages"), ("/v1/chat/events", "events"), ("/v1/chat/conversations",
     "conversations"), ("/v1/chat/tasks", "tasks"), ("/v1/chat/workflows", "workflows")],
)
async def test_page_size_applies_to_every_runtime_list(api: Api, path: str, key: str) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    await make_conversation(api)
    for _ in range(2):
        await make_message(api, conversation, user)
        await api.call("POST", "/v1/chat/events", json={"type": "t", "payload": {}})
        await api.call("POST", "/v1/chat/tasks", json={"type": "t", "conversationId": conversation["id"]})
        await api.call("POST", "/v1/chat/workflows", json={"name": "w", "status": "pending"})
    status, body = await api.call("GET", path, params={"pageSize": "1"})
    assert status == 200 and len(body[key]) == 1 and body["meta"]["nextToken"]


async def test_page_size_applies_to_participants_and_tag_values(api: Api) -> None:
    conversation = await make_conversation(api)
    for value in ("a", "b"):
        user = await make_user(api, k=value)
        await api.ok("POST", f"/v1/chat/conversations/{conversation['id']}/participants", "addParticipant",
                     json={"userId": user["id"]})
    participants = await api.ok("GET", f"/v1/chat/conversations/{conversation['id']}/participants",
                                "listParticipants", params={"pageSize": "1"})
    values = await api.ok("GET", "/v1/chat/tags/k/values", "listTagValues",
                          params={"type": "user", "pageSize": "1"})
    assert len(participants["participants"]) == 1 and values["tags"] == [{"value": "a"}]


# ----------------------------------------------------------------------------------- message counts


async def test_min_message_count_keeps_conversations_with_at_least_that_many(api: Api) -> None:
    user, busy, quiet = await make_user(api), await make_conversation(api), await make_conversation(api)
    for _ in range(2):
        await make_message(api, busy, user)
    await make_message(api, quiet, user)
    assert await conversation_ids(api, minMessageCount="2") == [busy["id"]]


async def test_max_message_count_keeps_conversations_with_at_most_that_many(api: Api) -> None:
    user, busy, empty = await make_user(api), await make_conversation(api), await make_conversation(api)
    await make_message(api, busy, user)
    assert await conversation_ids(api, maxMessageCount="0") == [empty["id"]]


async def test_message_counts_ignore_messages_not_yet_delivered(api: Api, clock: ManualClock) -> None:
    user, conversation = await make_user(api), await make_conversation(api)
    await api.ok("POST", "/v1/chat/messages", "createMessage", 201, json={
        "conversationId": conversation["id"], "userId": user["id"], "type": "text", "payload": {}, "tags": {},
        "schedule": {"delay": 1000}})
    assert await conversation_ids(api, minMessageCount="1") == []
    clock.advance(1000)
    assert await conversation_ids(api, minMessageCount="1") == [conversation["id"]]


async def test_a_negative_message_count_is_invalid_query(api: Api) -> None:
    status, body = await api.call("GET", "/v1/chat/conversations", params={"minMessageCount": "-1"})
    assert_error(status, body, "InvalidQuery")
    assert "minMessageCount" in body["message"]


# ------------------------------------------------------------------------------------------ properties


async def test_create_user_stores_and_returns_properties(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/users", json={"tags": {}, "properties": {"plan": "pro"}})
    assert status == 201
    created = body["user"]
    fetched = (await api.call("GET", f"/v1/chat/users/{created['id']}"))[1]["user"]
    assert created["properties"] == fetched["properties"] == {"plan": "pro"}


async def test_a_user_without_properties_has_no_properties_key(api: Api) -> None:
    assert "properties" not in await make_user(api)


async def test_update_user_merges_properties_and_null_removes_one(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/users",
                                  json={"tags": {}, "properties": {"a": "1", "b": "2"}})
    assert status == 201
    status, body = await api.call("PUT", f"/v1/chat/users/{body['user']['id']}",
                                  json={"properties": {"a": None, "c": "3"}})
    assert status == 200 and body["user"]["properties"] == {"b": "2", "c": "3"}


async def test_conversation_properties_are_stored_and_merged(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/conversations",
                                  json={"channel": "web", "tags": {}, "properties": {"lang": "fr"}})
    assert status == 201 and body["conversation"]["properties"] == {"lang": "fr"}
    status, body = await api.call("PUT", f"/v1/chat/conversations/{body['conversation']['id']}",
                                  json={"properties": {"topic": "billing"}})
    assert status == 200 and body["conversation"]["properties"] == {"lang": "fr", "topic": "billing"}


async def test_get_or_create_user_and_conversation_accept_properties(api: Api) -> None:
    user = await api.call("POST", "/v1/chat/users/get-or-create",
                          json={"tags": {"ext": "1"}, "properties": {"p": "u"}})
    conversation = await api.call("POST", "/v1/chat/conversations/get-or-create",
                                  json={"channel": "web", "tags": {"ext": "1"}, "properties": {"p": "c"}})
    assert user[1]["user"]["properties"] == {"p": "u"}
    assert conversation[1]["conversation"]["properties"] == {"p": "c"}


async def test_initialize_incoming_message_accepts_user_and_conversation_properties(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/initialize-incoming-message", json={
        "user": {"tags": {"ext": "u"}, "discriminateByTags": ["ext"], "properties": {"p": "u"}},
        "conversation": {"channel": "dm", "tags": {"ext": "c"}, "discriminateByTags": ["ext"],
                         "properties": {"p": "c"}},
    })
    assert status == 200, body
    assert body["user"]["properties"] == {"p": "u"} and body["conversation"]["properties"] == {"p": "c"}


async def test_a_property_that_is_not_a_string_is_invalid_payload(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/users", json={"tags": {}, "properties": {"n": 1}})
    assert_error(status, body, "InvalidPayload")
    assert "body.properties.n" in body["message"]


async def test_the_rest_of_a_body_with_properties_is_still_validated(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/users", json={"tags": {}, "properties": {}, "nick": "x"})
    assert_error(status, body, "InvalidPayload")
    assert "nick" in body["message"]


async def test_properties_are_refused_where_no_newer_client_sends_them(api: Api) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    status, body = await api.call("POST", "/v1/chat/messages", json={
        "conversationId": conversation["id"], "userId": user["id"], "type": "text", "payload": {}, "tags": {},
        "properties": {}})
    assert_error(status, body, "InvalidPayload")


# --------------------------------------------------------------------------------- patchState expiry


async def test_patch_state_with_expiry_sets_the_idle_expiry(api: Api, clock: ManualClock) -> None:
    path = "/v1/chat/states/bot/b1/s"
    await api.ok("POST", path, "setState", json={"payload": {"a": 1}})
    patched = await api.ok("PATCH", path, "patchState", json={"payload": {"b": 2}, "expiry": 1000})
    assert patched["state"]["payload"] == {"a": 1, "b": 2}
    clock.advance(1000)
    status, body = await api.call("GET", path)
    assert_error(status, body, "ResourceNotFound")


async def test_patch_state_with_null_expiry_removes_it(api: Api, clock: ManualClock) -> None:
    path = "/v1/chat/states/bot/b1/s"
    await api.ok("POST", path, "setState", json={"payload": {"a": 1}, "expiry": 1000})
    await api.ok("PATCH", path, "patchState", json={"payload": {"b": 2}, "expiry": None})
    clock.advance(10_000)
    await api.ok("GET", path, "getState")


async def test_patch_state_without_expiry_keeps_it(api: Api, clock: ManualClock) -> None:
    path = "/v1/chat/states/bot/b1/s"
    await api.ok("POST", path, "setState", json={"payload": {"a": 1}, "expiry": 1000})
    await api.ok("PATCH", path, "patchState", json={"payload": {"b": 2}})
    clock.advance(1000)
    status, body = await api.call("GET", path)
    assert_error(status, body, "ResourceNotFound")


async def test_patch_state_expiry_past_30_days_is_invalid_payload(api: Api) -> None:
    path = "/v1/chat/states/bot/b1/s"
    await api.ok("POST", path, "setState", json={"payload": {"a": 1}})
    status, body = await api.call("PATCH", path, json={"payload": {}, "expiry": 2_592_000_001})
    assert_error(status, body, "InvalidPayload")
    assert "body.expiry" in body["message"]


# -------------------------------------------------------------------------------- captureObservation


async def test_capture_observation_answers_an_empty_object(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/observations",
                                  json={"name": "latency", "data": {"ms": 12}, "traceId": "t1"})
    assert (status, body) == (200, {})


@pytest.mark.parametrize("body", [{"data": {}}, {"name": "n"}, {"name": "n", "data": []},
                                  {"name": "n", "data": {}, "extra": 1}])
async def test_a_bad_observation_is_invalid_payload(api: Api, body: dict[str, Any]) -> None:
    status, answer = await api.call("POST", "/v1/chat/observations", json=body)
    assert_error(status, answer, "InvalidPayload")


async def test_get_of_the_observations_path_is_method_not_found(api: Api) -> None:
    status, body = await api.call("GET", "/v1/chat/observations")
    assert_error(status, body, "MethodNotFound")
