"""Every runtime (chat) operation once, over a real socket, its answer validated against the 1.70.2 spec."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_helpers import BOT_A, BOT_B, Api, assert_error

from botpress_async.emulator import ActionContext, Emulator, ManualClock
from botpress_async.emulator.runtime import ROUTES
from botpress_async.emulator.validation import _spec


async def make_user(api: Api, **tags: str) -> dict[str, Any]:
    return (await api.ok("POST", "/v1/chat/users", "createUser", 201, json={"tags": tags}))["user"]


async def make_conversation(api: Api, **tags: str) -> dict[str, Any]:
    body = {"channel": "web", "tags": tags}
    body = await api.ok("POST", "/v1/chat/conversations", "createConversation", 201, json=body)
    return body["conversation"]


async def make_message(api: Api, conversation: dict[str, Any], user: dict[str, Any], **tags: str) -> Any:
    body = {"conversationId": conversation["id"], "userId": user["id"], "type": "text",
            "payload": {"text": "hi"}, "tags": tags}
    return (await api.ok("POST", "/v1/chat/messages", "createMessage", 201, json=body))["message"]


async def make_task(api: Api, conversation: dict[str, Any]) -> dict[str, Any]:
    body = {"type": "review", "conversationId": conversation["id"], "title": "Check"}
    return (await api.ok("POST", "/v1/chat/tasks", "createTask", 201, json=body))["task"]


async def make_workflow(api: Api, **extra: Any) -> dict[str, Any]:
    body = {"name": "onboarding", "status": "pending", **extra}
    return (await api.ok("POST", "/v1/chat/workflows", "createWorkflow", 201, json=body))["workflow"]


def test_every_chat_operation_of_the_spec_has_a_route() -> None:
    spec_ops = {
        op["operationId"]
        for path, item in _spec("runtime")["paths"].items() if path.startswith("/v1/chat")
        for op in item.values() if isinstance(op, dict) and "operationId" in op
    }
    assert spec_ops == set(ROUTES)


# ----------------------------------------------------------------------------------------- users


async def test_create_user_answers_201_with_a_prefixed_id(api: Api) -> None:
    user = await make_user(api, email="a@example.com")
    assert user["id"].startswith("user_") and 28 <= len(user["id"]) <= 36
    assert user["tags"] == {"email": "a@example.com"}


async def test_get_user_returns_the_stored_user(api: Api) -> None:
    user = await make_user(api, email="a@example.com")
    body = await api.ok("GET", f"/v1/chat/users/{user['id']}", "getUser")
    assert body["user"] == user


async def test_update_user_merges_tags_and_sets_name(api: Api, clock: ManualClock) -> None:
    user = await make_user(api, a="1", b="2")
    clock.advance(5)
    body = await api.ok("PUT", f"/v1/chat/users/{user['id']}", "updateUser",
                        json={"tags": {"b": "", "c": "3"}, "name": "Ann"})
    assert body["user"]["tags"] == {"a": "1", "c": "3"}
    assert body["user"]["name"] == "Ann"
    assert body["user"]["updatedAt"] > user["updatedAt"]


async def test_delete_user_then_get_is_404(api: Api) -> None:
    user = await make_user(api)
    await api.ok("DELETE", f"/v1/chat/users/{user['id']}", "deleteUser", json={})
    status, body = await api.call("GET", f"/v1/chat/users/{user['id']}")
    assert_error(status, body, "ResourceNotFound")


async def test_list_users_filters_by_tag(api: Api) -> None:
    await make_user(api, team="red")
    blue = await make_user(api, team="blue")
    body = await api.ok("GET", "/v1/chat/users", "listUsers", params={"tags.team": "blue"})
    assert [u["id"] for u in body["users"]] == [blue["id"]]


async def test_get_or_create_user_answers_200(api: Api) -> None:
    body = await api.ok("POST", "/v1/chat/users/get-or-create", "getOrCreateUser", json={"tags": {"k": "v"}})
    assert body["user"]["tags"] == {"k": "v"}


# --------------------------------------------------------------------------------- conversations


async def test_create_conversation_answers_201(api: Api) -> None:
    conversation = await make_conversation(api, topic="x")
    assert conversation["id"].startswith("conv_") and conversation["channel"] == "web"


async def test_get_conversation_returns_it(api: Api) -> None:
    conversation = await make_conversation(api)
    body = await api.ok("GET", f"/v1/chat/conversations/{conversation['id']}", "getConversation")
    assert body["conversation"] == conversation


async def test_update_conversation_sets_current_task(api: Api) -> None:
    conversation = await make_conversation(api)
    task = await make_task(api, conversation)
    body = await api.ok("PUT", f"/v1/chat/conversations/{conversation['id']}", "updateConversation",
                        json={"currentTaskId": task["id"], "tags": {"t": "1"}})
    assert body["conversation"]["currentTaskId"] == task["id"]
    assert body["conversation"]["tags"] == {"t": "1"}


async def test_delete_conversation_then_get_is_404(api: Api) -> None:
    conversation = await make_conversation(api)
    await api.ok("DELETE", f"/v1/chat/conversations/{conversation['id']}", "deleteConversation")
    status, body = await api.call("GET", f"/v1/chat/conversations/{conversation['id']}")
    assert_error(status, body, "ResourceNotFound")


async def test_list_conversations_filters_by_participants(api: Api) -> None:
    user = await make_user(api)
    await make_conversation(api)
    joined = await make_conversation(api)
    await api.ok("POST", f"/v1/chat/conversations/{joined['id']}/participants", "addParticipant",
                 json={"userId": user["id"]})
    body = await api.ok("GET", "/v1/chat/conversations", "listConversations",
                        params={"participantIds": user["id"]})
    assert [c["id"] for c in body["conversations"]] == [joined["id"]]


async def test_get_or_create_conversation_answers_200(api: Api) -> None:
    body = await api.ok("POST", "/v1/chat/conversations/get-or-create", "getOrCreateConversation",
                        json={"channel": "web", "tags": {"thread": "1"}})
    assert body["conversation"]["tags"] == {"thread": "1"}


async def test_participants_can_be_added_listed_fetched_and_removed(api: Api) -> None:
    user = await make_user(api)
    conversation = await make_conversation(api)
    base = f"/v1/chat/conversations/{conversation['id']}/participants"
    added = await api.ok("POST", base, "addParticipant", json={"userId": user["id"]})
    assert added["participant"]["id"] == user["id"]
    listed = await api.ok("GET", base, "listParticipants")
    assert [p["id"] for p in listed["participants"]] == [user["id"]]
    fetched = await api.ok("GET", f"{base}/{user['id']}", "getParticipant")
    assert fetched["participant"]["id"] == user["id"]
    await api.ok("DELETE", f"{base}/{user['id']}", "removeParticipant")
    status, body = await api.call("GET", f"{base}/{user['id']}")
    assert_error(status, body, "ResourceNotFound")


async def test_list_users_of_a_conversation_lists_its_participants(api: Api) -> None:
    user = await make_user(api)
    await make_user(api)
    conversation = await make_conversation(api)
    await api.ok("POST", f"/v1/chat/conversations/{conversation['id']}/participants", "addParticipant",
                 json={"userId": user["id"]})
    body = await api.ok("GET", "/v1/chat/users", "listUsers", params={"conversationId": conversation["id"]})
    assert [u["id"] for u in body["users"]] == [user["id"]]


# ---------------------------------------------------------------------------------------- events


async def test_create_event_answers_201_pending(api: Api) -> None:
    event = {"type": "ping", "payload": {"n": 1}}
    body = await api.ok("POST", "/v1/chat/events", "createEvent", 201, json=event)
    assert body["event"]["status"] == "pending" and body["event"]["failureReason"] is None


async def test_create_event_accepts_the_bot_id_as_user_id(api: Api) -> None:
    body = await api.ok("POST", "/v1/chat/events", "createEvent", 201,
                        json={"type": "ping", "payload": {}, "userId": BOT_A})
    assert body["event"]["userId"] == BOT_A


async def test_get_and_list_events(api: Api) -> None:
    created = (await api.ok("POST", "/v1/chat/events", "createEvent", 201,
                            json={"type": "ping", "payload": {}}))["event"]
    fetched = await api.ok("GET", f"/v1/chat/events/{created['id']}", "getEvent")
    assert fetched["event"] == created
    listed = await api.ok("GET", "/v1/chat/events", "listEvents", params={"type": "ping"})
    assert [e["id"] for e in listed["events"]] == [created["id"]]


async def test_scheduled_event_is_scheduled_until_its_time(api: Api, clock: ManualClock) -> None:
    event = (await api.ok("POST", "/v1/chat/events", "createEvent", 201,
                          json={"type": "later", "payload": {}, "schedule": {"delay": 60_000}}))["event"]
    assert event["status"] == "scheduled"
    clock.advance(60_000)
    body = await api.ok("GET", f"/v1/chat/events/{event['id']}", "getEvent")
    assert body["event"]["status"] == "pending"


async def test_cancel_scheduled_event_marks_it_canceled(api: Api) -> None:
    event = (await api.ok("POST", "/v1/chat/events", "createEvent", 201,
                          json={"type": "later", "payload": {}, "schedule": {"delay": 1000}}))["event"]
    await api.ok("DELETE", f"/v1/chat/events/scheduled/{event['id']}", "cancelScheduledEvent")
    body = await api.ok("GET", f"/v1/chat/events/{event['id']}", "getEvent")
    assert body["event"]["status"] == "canceled"


async def test_cancel_of_an_event_that_is_not_scheduled_is_refused(api: Api) -> None:
    event = (await api.ok("POST", "/v1/chat/events", "createEvent", 201,
                          json={"type": "now", "payload": {}}))["event"]
    status, body = await api.call("DELETE", f"/v1/chat/events/scheduled/{event['id']}")
    assert_error(status, body, "InvalidPayload")


# -------------------------------------------------------------------------------------- messages


async def test_create_message_answers_201_outgoing(api: Api) -> None:
    message = await make_message(api, await make_conversation(api), await make_user(api))
    assert message["direction"] == "outgoing" and message["id"].startswith("msg_")


async def test_create_message_in_an_unknown_conversation_is_reference_not_found(api: Api) -> None:
    user = await make_user(api)
    status, body = await api.call("POST", "/v1/chat/messages", json={
        "conversationId": "conv_" + "0" * 26, "userId": user["id"], "type": "text", "payload": {},
        "tags": {}})
    assert_error(status, body, "ReferenceNotFound")
    assert "conversationId" in body["message"]


async def test_a_bot_replies_with_its_own_id_as_user_id(api: Api) -> None:
    conversation = await make_conversation(api)
    body = await api.ok("POST", "/v1/chat/messages", "createMessage", 201, json={
        "conversationId": conversation["id"], "userId": BOT_A, "type": "text", "payload": {"text": "hi"},
        "tags": {}})
    assert body["message"]["userId"] == BOT_A and body["message"]["direction"] == "outgoing"


async def test_a_message_authored_by_the_bot_through_get_or_create_is_outgoing(api: Api) -> None:
    conversation = await make_conversation(api)
    body = await api.ok("POST", "/v1/chat/messages/get-or-create", "getOrCreateMessage", json={
        "conversationId": conversation["id"], "userId": BOT_A, "type": "text", "payload": {},
        "tags": {"ext": "reply-1"}})
    assert body["message"]["userId"] == BOT_A and body["message"]["direction"] == "outgoing"


async def test_another_bots_id_as_user_id_is_reference_not_found(api: Api) -> None:
    conversation = await make_conversation(api)
    status, body = await api.call("POST", "/v1/chat/messages", json={
        "conversationId": conversation["id"], "userId": BOT_B, "type": "text", "payload": {}, "tags": {}})
    assert_error(status, body, "ReferenceNotFound")
    assert "userId" in body["message"]


async def test_get_update_delete_message(api: Api) -> None:
    message = await make_message(api, await make_conversation(api), await make_user(api), k="v")
    fetched = await api.ok("GET", f"/v1/chat/messages/{message['id']}", "getMessage")
    assert fetched["message"] == message
    updated = await api.ok("PUT", f"/v1/chat/messages/{message['id']}", "updateMessage",
                           json={"tags": {"k": "", "x": "y"}, "payload": {"text": "edited"}})
    assert updated["message"]["tags"] == {"x": "y"}
    assert updated["message"]["payload"] == {"text": "edited"}
    await api.ok("DELETE", f"/v1/chat/messages/{message['id']}", "deleteMessage")
    status, body = await api.call("GET", f"/v1/chat/messages/{message['id']}")
    assert_error(status, body, "ResourceNotFound")


async def test_list_messages_of_a_conversation_newest_first(api: Api, clock: ManualClock) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    first = await make_message(api, conversation, user)
    clock.advance(1)
    second = await make_message(api, conversation, user)
    await make_message(api, await make_conversation(api), user)
    query = {"conversationId": conversation["id"]}
    body = await api.ok("GET", "/v1/chat/messages", "listMessages", params=query)
    assert [m["id"] for m in body["messages"]] == [second["id"], first["id"]]


async def test_get_or_create_message_is_incoming(api: Api) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    body = await api.ok("POST", "/v1/chat/messages/get-or-create", "getOrCreateMessage", json={
        "conversationId": conversation["id"], "userId": user["id"], "type": "text", "payload": {},
        "tags": {"ext": "1"}})
    assert body["message"]["direction"] == "incoming"


async def test_initialize_incoming_message_creates_user_conversation_and_message(api: Api) -> None:
    body = await api.ok("POST", "/v1/chat/initialize-incoming-message", "initializeIncomingMessage", json={
        "user": {"tags": {"ext": "u1"}, "discriminateByTags": ["ext"]},
        "conversation": {"channel": "dm", "tags": {"ext": "c1"}, "discriminateByTags": ["ext"]},
        "message": {"type": "text", "payload": {"text": "hi"}, "tags": {"ext": "m1"},
                    "discriminateByTags": ["ext"]},
    })
    assert body["message"]["userId"] == body["user"]["id"]
    assert body["message"]["conversationId"] == body["conversation"]["id"]
    participant = f"/v1/chat/conversations/{body['conversation']['id']}/participants/{body['user']['id']}"
    await api.ok("GET", participant, "getParticipant")


async def test_import_messages_keeps_the_given_created_at(api: Api) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    item = {"conversationId": conversation["id"], "userId": user["id"], "type": "text", "payload": {},
            "tags": {"ext": "old-1"}, "createdAt": "2020-01-02T03:04:05.678Z", "discriminateByTags": ["ext"]}
    body = await api.ok("POST", "/v1/chat/messages/import-messages", "importMessages",
                        json={"messages": [item]})
    assert body["messages"][0]["createdAt"] == "2020-01-02T03:04:05.678Z"


# ------------------------------------------------------------------------------------------ states


async def test_set_get_patch_get_or_set_and_expiry_of_a_state(api: Api) -> None:
    user = await make_user(api)
    base = f"/v1/chat/states/user/{user['id']}/profile"
    set_ = await api.ok("POST", base, "setState", json={"payload": {"a": 1}})
    assert set_["state"]["userId"] == user["id"] and set_["state"]["botId"] == BOT_A
    got = await api.ok("GET", base, "getState")
    assert got["state"]["payload"] == {"a": 1}
    patched = await api.ok("PATCH", base, "patchState", json={"payload": {"b": 2}})
    assert patched["state"]["payload"] == {"a": 1, "b": 2}
    kept = await api.ok("POST", f"{base}/get-or-set", "getOrSetState", json={"payload": {"c": 3}})
    assert kept["state"]["payload"] == {"a": 1, "b": 2}
    expiry = await api.ok("POST", f"{base}/expiry", "setStateExpiry", json={"expiry": 1000})
    assert expiry["state"]["id"] == set_["state"]["id"]


async def test_bot_state_needs_no_stored_owner(api: Api) -> None:
    body = await api.ok("POST", f"/v1/chat/states/bot/{BOT_A}/settings", "setState",
                        json={"payload": {"x": 1}})
    assert body["state"]["type"] == "bot"


# ----------------------------------------------------------------------------------------- actions


async def test_call_action_runs_the_registered_sync_handler(emulator: Emulator, api: Api) -> None:
    seen: list[ActionContext] = []

    def echo(input: dict[str, Any], context: ActionContext) -> dict[str, Any]:
        seen.append(context)
        return {"echo": input}

    emulator.register_action("echo", echo)
    body = await api.ok("POST", "/v1/chat/actions", "callAction", json={"type": "echo", "input": {"a": 1}})
    assert body["output"] == {"echo": {"a": 1}}
    assert seen[0].bot_id == BOT_A and seen[0].type == "echo"


async def test_call_action_awaits_an_async_handler(emulator: Emulator, api: Api) -> None:
    async def double(input: dict[str, Any], context: ActionContext) -> dict[str, Any]:
        return {"n": input["n"] * 2}

    emulator.register_action("double", double)
    body = await api.ok("POST", "/v1/chat/actions", "callAction", json={"type": "double", "input": {"n": 21}})
    assert body["output"] == {"n": 42}


async def test_call_of_an_unknown_action_is_resource_not_found(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/actions", json={"type": "nope", "input": {}})
    assert_error(status, body, "ResourceNotFound")


async def test_an_action_handler_that_raises_answers_runtime_error(emulator: Emulator, api: Api) -> None:
    def broken(input: dict[str, Any], context: ActionContext) -> dict[str, Any]:
        raise KeyError("missing")

    emulator.register_action("broken", broken)
    status, body = await api.call("POST", "/v1/chat/actions", json={"type": "broken", "input": {}})
    assert_error(status, body, "Runtime")


# ------------------------------------------------------------------------------------------- tasks


async def test_task_create_get_update_list_delete(api: Api) -> None:
    conversation = await make_conversation(api)
    task = await make_task(api, conversation)
    assert task["status"] == "pending" and task["id"].startswith("task_")
    fetched = await api.ok("GET", f"/v1/chat/tasks/{task['id']}", "getTask")
    assert fetched["task"] == task
    updated = await api.ok("PUT", f"/v1/chat/tasks/{task['id']}", "updateTask", json={"status": "completed"})
    assert updated["task"]["status"] == "completed"
    listed = await api.ok("GET", "/v1/chat/tasks", "listTasks", params={"status": "completed"})
    assert [t["id"] for t in listed["tasks"]] == [task["id"]]
    await api.ok("DELETE", f"/v1/chat/tasks/{task['id']}", "deleteTask")
    status, body = await api.call("GET", f"/v1/chat/tasks/{task['id']}")
    assert_error(status, body, "ResourceNotFound")


async def test_a_task_title_longer_than_the_task_object_allows_is_invalid_payload(api: Api) -> None:
    conversation = await make_conversation(api)
    status, body = await api.call("POST", "/v1/chat/tasks",
                                  json={"type": "t", "conversationId": conversation["id"], "title": "x" * 65})
    assert_error(status, body, "InvalidPayload")
    assert "title" in body["message"]


# --------------------------------------------------------------------------------------- workflows


async def test_workflow_create_get_update_list_delete(api: Api) -> None:
    workflow = await make_workflow(api)
    fetched = await api.ok("GET", f"/v1/chat/workflows/{workflow['id']}", "getWorkflow")
    assert fetched["workflow"] == workflow
    updated = await api.ok("PUT", f"/v1/chat/workflows/{workflow['id']}", "updateWorkflow",
                           json={"status": "completed", "output": {"ok": True}})
    assert updated["workflow"]["status"] == "completed" and "completedAt" in updated["workflow"]
    listed = await api.ok("GET", "/v1/chat/workflows", "listWorkflows",
                          params=[("statuses", "completed"), ("statuses", "failed")])
    assert [w["id"] for w in listed["workflows"]] == [workflow["id"]]
    await api.ok("DELETE", f"/v1/chat/workflows/{workflow['id']}", "deleteWorkflow")
    status, body = await api.call("GET", f"/v1/chat/workflows/{workflow['id']}")
    assert_error(status, body, "ResourceNotFound")


async def test_get_or_create_workflow_answers_200(api: Api) -> None:
    body = await api.ok("POST", "/v1/chat/workflows/get-or-create", "getOrCreateWorkflow",
                        json={"name": "w", "status": "pending", "tags": {"k": "v"}})
    assert body["workflow"]["name"] == "w"


# ---------------------------------------------------------------------------- tags, analytics, misc


async def test_list_tag_values_lists_distinct_values(api: Api) -> None:
    await make_user(api, team="red")
    await make_user(api, team="red")
    await make_user(api, team="blue")
    body = await api.ok("GET", "/v1/chat/tags/team/values", "listTagValues", params={"type": "user"})
    assert [t["value"] for t in body["tags"]] == ["blue", "red"]


async def test_track_analytics_answers_empty_object(api: Api) -> None:
    body = await api.ok("POST", "/v1/chat/analytics", "trackAnalytics", json={"name": "signup", "count": 2})
    assert body == {}


async def test_configure_integration_answers_empty_object(api: Api) -> None:
    body = await api.ok("POST", "/v1/chat/integrations/configure", "configureIntegration",
                        json={"identifier": "abc"}, headers={"x-integration-id": "intver_1"})
    assert body == {}


@pytest.mark.parametrize("field", ["conversationId", "userId"])
async def test_list_events_filters_by_reference(api: Api, field: str) -> None:
    conversation, user = await make_conversation(api), await make_user(api)
    ref = {"conversationId": conversation["id"], "userId": user["id"]}[field]
    await api.ok("POST", "/v1/chat/events", "createEvent", 201, json={"type": "e", "payload": {}})
    tagged = (await api.ok("POST", "/v1/chat/events", "createEvent", 201,
                           json={"type": "e", "payload": {}, field: ref}))["event"]
    body = await api.ok("GET", "/v1/chat/events", "listEvents", params={field: ref})
    assert [e["id"] for e in body["events"]] == [tagged["id"]]


async def test_a_workflow_timeout_before_the_year_1_in_utc_is_400_invalid_payload(api: Api) -> None:
    body = {"name": "onboarding", "status": "pending", "timeoutAt": "0001-01-01T00:00:00+01:00"}
    status, answer = await api.call("POST", "/v1/chat/workflows", json=body)
    assert_error(status, answer, "InvalidPayload")
    assert "body.timeoutAt" in answer["message"]
