"""Runtime (chat) API routes: ``/v1/chat/...`` of the 1.70.2 runtime spec.

Each handler reads and validates its input, does its work inside one SQLite transaction (committed
before the answer leaves) and answers the spec's response shape. Storage lives in ``records.py``
(tagged resources) and ``runtime_states.py`` (states); this module holds the wire mapping and the
per-operation rules. Every row read or written is scoped by the caller's ``x-bot-id``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from botpress_async.emulator import beyond_spec, records, runtime_states
from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator._http import RUNTIME_MAX_BYTES, bot_id, json_response, read_json
from botpress_async.emulator.clock import epoch_ms, iso, parse_iso
from botpress_async.emulator.pagination import PAGE_SIZE, fetch_page
from botpress_async.emulator.records import Filter, Record
from botpress_async.emulator.state import STATE_KEY, ActionContext, EmulatorState
from botpress_async.emulator.store import transaction
from botpress_async.emulator.validation import validate_body, validate_query

__all__ = ["BEYOND_SPEC_ROUTES", "DEFAULT_TIMEOUT_MS", "ROUTES", "add_routes"]

#: timeoutAt of a task or workflow created without one: 48 hours after creation.
DEFAULT_TIMEOUT_MS = 48 * 3600 * 1000

_ACTIVE = ("pending", "in_progress", "listening", "paused")
_FINISHED = ("completed", "failed", "timedout", "cancelled")
#: The largest trackAnalytics count: JavaScript's largest exact integer (Number.MAX_SAFE_INTEGER).
_MAX_COUNT = 2**53 - 1

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# ------------------------------------------------------------------------------------------ helpers


def _state(request: web.Request) -> EmulatorState:
    return request.app[STATE_KEY]


def _now(request: web.Request) -> int:
    return _state(request).clock.now_ms()


async def _body(request: web.Request, operation_id: str) -> dict[str, Any]:
    """The body, checked against the 1.70.2 schema and, for the few fields newer clients send beyond it,
    against ``beyond_spec``'s schemas."""
    body = await read_json(request, max_bytes=RUNTIME_MAX_BYTES)
    validate_body("runtime", operation_id, beyond_spec.split_body(operation_id, body))
    return body


def _query(request: web.Request, operation_id: str) -> dict[str, Any]:
    """The 1.70.2 query parameters, plus ``pageSize`` (and listConversations' message counts)."""
    query = validate_query("runtime", operation_id, request.query)
    query.update(beyond_spec.query_extras(operation_id, request.query))
    return query


def _page_size(query: dict[str, Any]) -> int:
    size: int = query.get("pageSize", PAGE_SIZE)
    return size


def _parse_time(text: str, where: str, error: str) -> int:
    """An ISO 8601 date-time (``Z``, an offset, or naive = UTC) -> ms since the epoch; else ``error``."""
    moment = parse_iso(text)
    if moment is None:
        raise EmulatorError(error, f"{where}: {text!r} is not an ISO 8601 date-time")
    return epoch_ms(moment)


def _date_range(query: dict[str, Any]) -> tuple[int | None, int | None]:
    after = query.get("afterDate")
    before = query.get("beforeDate")
    return (
        _parse_time(after, "query.afterDate", "InvalidQuery") if after is not None else None,
        _parse_time(before, "query.beforeDate", "InvalidQuery") if before is not None else None,
    )


def _meta(token: str | None) -> dict[str, str]:
    return {"nextToken": token} if token is not None else {}


def _discriminating(tags: dict[str, str], discriminate_by: list[str] | None) -> dict[str, str]:
    """The tags a get-or-create compares: all sent (non-empty) ones, or only the listed keys."""
    sent = records.clean_tags(tags)
    if discriminate_by is None:
        return sent
    return {k: v for k, v in sent.items() if k in discriminate_by}


def _new_properties(body: dict[str, Any]) -> dict[str, Any]:
    """``{"properties": ...}`` for a new user or conversation when the body has them (beyond 1.70.2)."""
    return {"properties": records.clean_tags(body["properties"])} if "properties" in body else {}


def _patched_properties(record: Record, body: dict[str, Any]) -> dict[str, Any]:
    """``{"properties": merged}`` for an update that sends them: null or ``""`` removes a key."""
    if "properties" not in body:
        return {}
    patch = {key: "" if value is None else value for key, value in body["properties"].items()}
    return {"properties": records.merge_tags(record.data.get("properties", {}), patch)}


def _check_max(value: str | None, limit: int, where: str) -> None:
    # The create bodies allow longer texts than the object schemas: refuse what could not be returned.
    if value is not None and len(value) > limit:
        raise EmulatorError("InvalidPayload", f"{where}: at most {limit} characters, got {len(value)}")


# --------------------------------------------------------------------------------------- wire forms


def _wire(record: Record, now_ms: int = 0) -> dict[str, Any]:
    """The wire form of a user, conversation, message, task or workflow."""
    return {"id": record.id, "createdAt": iso(record.created_at), "updatedAt": iso(record.updated_at),
            "tags": record.tags, **record.wire()}


def _event_status(record: Record, now_ms: int) -> str:
    status: str = record.data["status"]
    if status == "scheduled" and record.due_at is not None and record.due_at <= now_ms:
        return "pending"
    return status


def _event(record: Record, now_ms: int) -> dict[str, Any]:
    """The wire form of an event (no tags, no updatedAt; a due scheduled event reads as pending)."""
    return {"id": record.id, "createdAt": iso(record.created_at), **record.wire(),
            "status": _event_status(record, now_ms)}


def _getter(kind: records.Kind, key: str, wire: Callable[[Record, int], dict[str, Any]] = _wire) -> Handler:
    """``GET /v1/chat/<kind>s/{id}`` -> ``{key: object}``; ResourceNotFound when absent."""

    async def handler(request: web.Request) -> web.StreamResponse:
        record = records.require(_state(request).db, bot_id(request), kind, request.match_info["id"])
        return json_response({key: wire(record, _now(request))})

    return handler


def _deleter(kind: records.Kind, *cascade: str) -> Handler:
    """``DELETE /v1/chat/<kind>s/{id}`` -> ``{}``; ResourceNotFound when absent. ``cascade``: SQL deleting
    what belongs to it, with parameters ``(bot_id, id)``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        db, bot, id = _state(request).db, bot_id(request), request.match_info["id"]
        with transaction(db):
            if not records.delete(db, bot, kind, id):
                raise EmulatorError("ResourceNotFound", f"no {kind} with id {id!r} in this bot")
            for sql in cascade:
                db.execute(sql, (bot, id))
        return json_response({})

    return handler


def _lister(
    kind: records.Kind, operation_id: str, key: str, equal_fields: tuple[str, ...], status_param: str
) -> Handler:
    """``GET /v1/chat/<kind>s`` -> ``{key: [...], meta}``: tags, equality on ``equal_fields``, status in
    the ``status_param`` list."""

    async def handler(request: web.Request) -> web.StreamResponse:
        query = _query(request, operation_id)
        where = Filter().tags(query.get("tags"))
        for name in equal_fields:
            if name in query:
                where.field_equals(name, query[name])
        if query.get(status_param):
            where.field_in("status", query[status_param])
        items, token = records.list_page(_state(request).db, bot_id(request), kind, where,
                                         next_token=query.get("nextToken"), page_size=_page_size(query))
        return json_response({key: [_wire(item) for item in items], "meta": _meta(token)})

    return handler


def _states_of(type: str) -> str:
    return f"DELETE FROM states WHERE bot_id = ? AND type = '{type}' AND owner_id = ?"


# -------------------------------------------------------------------------------------------- users


def _user_data(body: dict[str, Any]) -> dict[str, Any]:
    return {**{k: body[k] for k in ("name", "pictureUrl") if k in body}, **_new_properties(body)}


async def create_user(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/users"""
    body = await _body(request, "createUser")
    db, bot = _state(request).db, bot_id(request)
    with transaction(db):
        user = records.insert(db, bot, "user", now_ms=_now(request), tags=body["tags"], data=_user_data(body))
    return json_response({"user": _wire(user)}, status=201)


def _get_or_create_user(db: Any, bot: str, now_ms: int, body: dict[str, Any]) -> Record:
    match = _discriminating(body["tags"], body.get("discriminateByTags"))
    found = records.find_by_tags(db, bot, "user", match)
    if found is not None:
        return found
    return records.insert(db, bot, "user", now_ms=now_ms, tags=body["tags"], data=_user_data(body))


async def get_or_create_user(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/users/get-or-create"""
    body = await _body(request, "getOrCreateUser")
    db = _state(request).db
    with transaction(db):
        user = _get_or_create_user(db, bot_id(request), _now(request), body)
    return json_response({"user": _wire(user)})


async def update_user(request: web.Request) -> web.StreamResponse:
    """PUT /v1/chat/users/{id}"""
    body = await _body(request, "updateUser")
    db, bot = _state(request).db, bot_id(request)
    with transaction(db):
        user = records.require(db, bot, "user", request.match_info["id"])
        data: dict[str, Any] = {k: body[k] for k in ("name", "pictureUrl") if k in body}  # null removes
        data.update(_patched_properties(user, body))
        user = records.update(db, bot, user, now_ms=_now(request), tags=body.get("tags"), data=data)
    return json_response({"user": _wire(user)})


async def list_users(request: web.Request) -> web.StreamResponse:
    """GET /v1/chat/users"""
    query = _query(request, "listUsers")
    bot = bot_id(request)
    after, before = _date_range(query)
    where = Filter().tags(query.get("tags"))
    where.range("updated_at" if query.get("rangeField") == "updatedAt" else "created_at", after, before)
    if "conversationId" in query:
        where.add("EXISTS (SELECT 1 FROM participants p WHERE p.bot_id = r.bot_id AND p.user_id = r.id"
                  " AND p.conversation_id = ?)", query["conversationId"])
    users, token = records.list_page(
        _state(request).db, bot, "user", where, sort_field=query.get("sortField", "createdAt"),
        direction=query.get("sortDirection", "desc"), next_token=query.get("nextToken"),
        page_size=_page_size(query),
    )
    return json_response({"users": [_wire(u) for u in users], "meta": _meta(token)})


# ------------------------------------------------------------------------------------ conversations


def _integration_name(request: web.Request, body: dict[str, Any]) -> str:
    name = body.get("integrationName")
    if name is None:
        name = request.headers.get("x-integration-name") or request.headers.get("x-integration-alias") or ""
    return str(name)


def _get_or_create_conversation(
    request: web.Request, db: Any, bot: str, now_ms: int, body: dict[str, Any]
) -> Record:
    integration = _integration_name(request, body)
    match = _discriminating(body["tags"], body.get("discriminateByTags"))
    scope = Filter().field_equals("channel", body["channel"]).field_equals("integration", integration)
    found = records.find_by_tags(db, bot, "conversation", match, scope)
    if found is not None:
        return found
    return records.insert(db, bot, "conversation", now_ms=now_ms, tags=body["tags"],
                          data={"channel": body["channel"], "integration": integration,
                                **_new_properties(body)})


async def create_conversation(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/conversations"""
    body = await _body(request, "createConversation")
    db, bot = _state(request).db, bot_id(request)
    data = {"channel": body["channel"], "integration": _integration_name(request, body),
            **_new_properties(body)}
    with transaction(db):
        conversation = records.insert(db, bot, "conversation", now_ms=_now(request), tags=body["tags"],
                                      data=data)
    return json_response({"conversation": _wire(conversation)}, status=201)


async def get_or_create_conversation(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/conversations/get-or-create"""
    body = await _body(request, "getOrCreateConversation")
    db = _state(request).db
    with transaction(db):
        conversation = _get_or_create_conversation(request, db, bot_id(request), _now(request), body)
    return json_response({"conversation": _wire(conversation)})


async def update_conversation(request: web.Request) -> web.StreamResponse:
    """PUT /v1/chat/conversations/{id}"""
    body = await _body(request, "updateConversation")
    db, bot = _state(request).db, bot_id(request)
    with transaction(db):
        conversation = records.require(db, bot, "conversation", request.match_info["id"])
        data: dict[str, Any] = _patched_properties(conversation, body)
        if "currentTaskId" in body:
            records.require(db, bot, "task", body["currentTaskId"], error="ReferenceNotFound",
                            field="currentTaskId")
            data["currentTaskId"] = body["currentTaskId"]
        conversation = records.update(db, bot, conversation, now_ms=_now(request), tags=body.get("tags"),
                                      data=data)
    return json_response({"conversation": _wire(conversation)})


#: The number of delivered messages of conversation ``r`` (one parameter: now, in ms). ``+r.id`` drops the
#: column's TEXT affinity so the expression index serves the lookup; left to itself the planner walks all
#: the bot's messages per conversation (seconds for 20k messages), hence INDEXED BY.
_MESSAGE_COUNT = (
    "(SELECT COUNT(*) FROM records m INDEXED BY records_conversation WHERE m.bot_id = r.bot_id"
    " AND m.kind = 'message' AND json_extract(m.data, '$.conversationId') = +r.id"
    " AND (m.due_at IS NULL OR m.due_at <= ?))"
)


async def list_conversations(request: web.Request) -> web.StreamResponse:
    """GET /v1/chat/conversations"""
    query = _query(request, "listConversations")
    after, before = _date_range(query)
    where = Filter().tags(query.get("tags")).range("created_at", after, before)
    for user in query.get("participantIds", []):
        where.add("EXISTS (SELECT 1 FROM participants p WHERE p.bot_id = r.bot_id"
                  " AND p.conversation_id = r.id AND p.user_id = ?)", user)
    if "channel" in query:
        where.field_equals("channel", query["channel"])
    if "integrationName" in query:
        where.field_equals("integration", query["integrationName"])
    now = _now(request)
    if "minMessageCount" in query:
        where.add(f"{_MESSAGE_COUNT} >= ?", now, query["minMessageCount"])
    if "maxMessageCount" in query:
        where.add(f"{_MESSAGE_COUNT} <= ?", now, query["maxMessageCount"])
    conversations, token = records.list_page(
        _state(request).db, bot_id(request), "conversation", where,
        sort_field=query.get("sortField", "createdAt"), direction=query.get("sortDirection", "desc"),
        next_token=query.get("nextToken"), page_size=_page_size(query),
    )
    return json_response({"conversations": [_wire(c) for c in conversations], "meta": _meta(token)})


def _add_participant(db: Any, bot: str, conversation_id: str, user_id: str, now_ms: int) -> None:
    db.execute("INSERT OR IGNORE INTO participants (bot_id, conversation_id, user_id, created_at)"
               " VALUES (?, ?, ?, ?)", (bot, conversation_id, user_id, now_ms))


async def add_participant(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/conversations/{id}/participants"""
    body = await _body(request, "addParticipant")
    db, bot = _state(request).db, bot_id(request)
    with transaction(db):
        conversation = records.require(db, bot, "conversation", request.match_info["id"])
        user = records.require(db, bot, "user", body["userId"], error="ReferenceNotFound", field="userId")
        _add_participant(db, bot, conversation.id, user.id, _now(request))
    return json_response({"participant": _wire(user)})


def _participant(request: web.Request) -> Record:
    db, bot = _state(request).db, bot_id(request)
    conversation = records.require(db, bot, "conversation", request.match_info["id"])
    user_id = request.match_info["userId"]
    row = db.execute("SELECT 1 FROM participants WHERE bot_id = ? AND conversation_id = ? AND user_id = ?",
                     (bot, conversation.id, user_id)).fetchone()
    user = records.get(db, bot, "user", user_id) if row is not None else None
    if user is None:
        raise EmulatorError("ResourceNotFound", f"user {user_id!r} is not in {conversation.id!r}")
    return user


async def get_participant(request: web.Request) -> web.StreamResponse:
    """GET /v1/chat/conversations/{id}/participants/{userId}"""
    return json_response({"participant": _wire(_participant(request))})


async def remove_participant(request: web.Request) -> web.StreamResponse:
    """DELETE /v1/chat/conversations/{id}/participants/{userId}"""
    db, bot = _state(request).db, bot_id(request)
    with transaction(db):
        user = _participant(request)
        db.execute("DELETE FROM participants WHERE bot_id = ? AND conversation_id = ? AND user_id = ?",
                   (bot, request.match_info["id"], user.id))
    return json_response({})


async def list_participants(request: web.Request) -> web.StreamResponse:
    """GET /v1/chat/conversations/{id}/participants"""
    query = _query(request, "listParticipants")
    db, bot = _state(request).db, bot_id(request)
    conversation = records.require(db, bot, "conversation", request.match_info["id"])
    rows, token = fetch_page(
        db, select="r.id AS id", source="participants p JOIN records r ON r.bot_id = p.bot_id"
        " AND r.kind = 'user' AND r.id = p.user_id", where=["p.bot_id = ?", "p.conversation_id = ?"],
        params=[bot, conversation.id], sort_column="p.created_at", id_column="p.user_id",
        sort_field="createdAt", direction="desc", next_token=query.get("nextToken"),
        page_size=_page_size(query),
    )
    users = [records.get(db, bot, "user", row["id"]) for row in rows]
    return json_response({"participants": [_wire(u) for u in users if u is not None], "meta": _meta(token)})


# ------------------------------------------------------------------------------------------- events


def _schedule_due(schedule: dict[str, Any] | None, now_ms: int) -> int | None:
    if not schedule:
        return None
    if "dateTime" in schedule and "delay" in schedule:
        raise EmulatorError("InvalidPayload", "body.schedule: give dateTime or delay, not both")
    if "dateTime" in schedule:
        return _parse_time(schedule["dateTime"], "body.schedule.dateTime", "InvalidPayload")
    delay = schedule.get("delay")
    if delay is None:
        return None
    if delay < 0 or delay > 10**13:
        raise EmulatorError("InvalidPayload", "body.schedule.delay: must be between 0 and 10^13 milliseconds")
    return now_ms + int(delay)


_EVENT_REFERENCES: tuple[tuple[str, records.Kind], ...] = (
    ("conversationId", "conversation"), ("userId", "user"), ("messageId", "message"),
    ("workflowId", "workflow"),
)


async def create_event(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/events"""
    body = await _body(request, "createEvent")
    db, bot, now = _state(request).db, bot_id(request), _now(request)
    due = _schedule_due(body.get("schedule"), now)
    data: dict[str, Any] = {"type": body["type"], "payload": body["payload"], "failureReason": None,
                            "status": "scheduled" if due is not None and due > now else "pending"}
    with transaction(db):
        for field, kind in _EVENT_REFERENCES:
            if field not in body:
                continue
            if not (field == "userId" and body[field] == bot):  # the bot itself may be the author
                records.require(db, bot, kind, body[field], error="ReferenceNotFound", field=field)
            # The Event object has no workflowId: keep it internal, for listEvents' filter.
            data["_workflowId" if field == "workflowId" else field] = body[field]
        event = records.insert(db, bot, "event", now_ms=now, data=data, due_at=due)
    return json_response({"event": _event(event, now)}, status=201)


_EFFECTIVE_STATUS = (
    "(CASE WHEN json_extract(r.data, '$.status') = 'scheduled' AND r.due_at <= ? THEN 'pending'"
    " ELSE json_extract(r.data, '$.status') END)"
)


async def list_events(request: web.Request) -> web.StreamResponse:
    """GET /v1/chat/events"""
    query = _query(request, "listEvents")
    now = _now(request)
    where = Filter()
    for name in ("type", "conversationId", "userId", "messageId"):
        if name in query:
            where.field_equals(name, query[name])
    if "workflowId" in query:
        where.field_equals("_workflowId", query["workflowId"])
    if "status" in query:
        where.add(f"{_EFFECTIVE_STATUS} = ?", now, query["status"])
    events, token = records.list_page(_state(request).db, bot_id(request), "event", where,
                                      next_token=query.get("nextToken"), page_size=_page_size(query))
    return json_response({"events": [_event(e, now) for e in events], "meta": _meta(token)})


async def cancel_scheduled_event(request: web.Request) -> web.StreamResponse:
    """DELETE /v1/chat/events/scheduled/{id}"""
    db, bot, now = _state(request).db, bot_id(request), _now(request)
    with transaction(db):
        event = records.require(db, bot, "event", request.match_info["id"])
        status = _event_status(event, now)
        if status != "canceled":
            if status != "scheduled":
                raise EmulatorError("InvalidPayload", f"event {event.id!r} is {status!r}, not scheduled")
            records.update(db, bot, event, now_ms=now, data={"status": "canceled"})
    return json_response({})


# ----------------------------------------------------------------------------------------- messages


def _message_data(body: dict[str, Any], bot: str, direction: str) -> dict[str, Any]:
    """The stored message; one authored by the bot itself (``userId`` = the x-bot-id) is outgoing."""
    data = {"type": body["type"], "payload": body["payload"],
            "direction": "outgoing" if body["userId"] == bot else direction,
            "userId": body["userId"], "conversationId": body["conversationId"]}
    if "origin" in body:
        data["origin"] = body["origin"]
    return data


def _check_message_references(db: Any, bot: str, body: dict[str, Any]) -> None:
    """The conversation must exist in the bot; the author is a stored user or the bot itself (on the
    service a bot replies with ``userId`` = its own id, as the official SDK does)."""
    records.require(db, bot, "conversation", body["conversationId"], error="ReferenceNotFound",
                    field="conversationId")
    if body["userId"] != bot:
        records.require(db, bot, "user", body["userId"], error="ReferenceNotFound", field="userId")


def _message_delivery(body: dict[str, Any], now_ms: int) -> int | None:
    """When a message with this body's ``schedule`` is delivered (ms); None: at once (no schedule, or a
    time already reached)."""
    due = _schedule_due(body.get("schedule"), now_ms)
    return due if due is not None and due > now_ms else None


def _get_or_create_message(
    db: Any, bot: str, now_ms: int, body: dict[str, Any], created_at: int | None = None
) -> Record:
    """The oldest message of the conversation matching the body's tags (delivered or not), else a new
    incoming one, scheduled when the body has a future ``schedule``."""
    _check_message_references(db, bot, body)
    match = _discriminating(body["tags"], body.get("discriminateByTags"))
    scope = Filter().field_equals("conversationId", body["conversationId"])
    found = records.find_by_tags(db, bot, "message", match, scope)
    if found is not None:
        return found
    due = _message_delivery(body, now_ms)
    return records.insert(db, bot, "message", now_ms=now_ms, tags=body["tags"],
                          data=_message_data(body, bot, "incoming"), due_at=due,
                          created_at=due if due is not None else created_at)


def _delivered_message(request: web.Request) -> Record:
    """The path's message; ResourceNotFound when absent or scheduled and not yet delivered."""
    db, bot, id = _state(request).db, bot_id(request), request.match_info["id"]
    message = records.get(db, bot, "message", id)
    if message is None or (message.due_at is not None and message.due_at > _now(request)):
        raise EmulatorError("ResourceNotFound", f"no message with id {id!r} in this bot")
    return message


async def create_message(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/messages"""
    body = await _body(request, "createMessage")
    db, bot, now = _state(request).db, bot_id(request), _now(request)
    due = _message_delivery(body, now)
    with transaction(db):
        _check_message_references(db, bot, body)
        message = records.insert(db, bot, "message", now_ms=now, tags=body["tags"],
                                 data=_message_data(body, bot, "outgoing"), due_at=due, created_at=due)
    return json_response({"message": _wire(message)}, status=201)


async def get_or_create_message(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/messages/get-or-create"""
    body = await _body(request, "getOrCreateMessage")
    db, now = _state(request).db, _now(request)
    _schedule_due(body.get("schedule"), now)  # a bad schedule is refused even when a message matches
    with transaction(db):
        message = _get_or_create_message(db, bot_id(request), now, body)
    return json_response({"message": _wire(message)})


async def get_message(request: web.Request) -> web.StreamResponse:
    """GET /v1/chat/messages/{id}"""
    return json_response({"message": _wire(_delivered_message(request))})


async def update_message(request: web.Request) -> web.StreamResponse:
    """PUT /v1/chat/messages/{id}"""
    body = await _body(request, "updateMessage")
    db, bot = _state(request).db, bot_id(request)
    with transaction(db):
        message = _delivered_message(request)
        data = {"payload": body["payload"]} if "payload" in body else {}
        message = records.update(db, bot, message, now_ms=_now(request), tags=body["tags"], data=data)
    return json_response({"message": _wire(message)})


async def list_messages(request: web.Request) -> web.StreamResponse:
    """GET /v1/chat/messages"""
    query = _query(request, "listMessages")
    after, before = _date_range(query)
    where = Filter().tags(query.get("tags")).range("created_at", after, before).delivered(_now(request))
    if "conversationId" in query:
        where.field_equals("conversationId", query["conversationId"])
    messages, token = records.list_page(_state(request).db, bot_id(request), "message", where,
                                        next_token=query.get("nextToken"), page_size=_page_size(query))
    return json_response({"messages": [_wire(m) for m in messages], "meta": _meta(token)})


async def initialize_incoming_message(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/initialize-incoming-message"""
    body = await _body(request, "initializeIncomingMessage")
    db, bot, now = _state(request).db, bot_id(request), _now(request)
    with transaction(db):
        if "userId" in body:
            user = records.require(db, bot, "user", body["userId"], error="ReferenceNotFound", field="userId")
        elif "user" in body:
            user = _get_or_create_user(db, bot, now, body["user"])
        else:
            raise EmulatorError("InvalidPayload", "body: give userId or user")
        if "conversationId" in body:
            conversation = records.require(db, bot, "conversation", body["conversationId"],
                                           error="ReferenceNotFound", field="conversationId")
        elif "conversation" in body:
            conversation = _get_or_create_conversation(request, db, bot, now, body["conversation"])
        else:
            raise EmulatorError("InvalidPayload", "body: give conversationId or conversation")
        _add_participant(db, bot, conversation.id, user.id, now)
        answer: dict[str, Any] = {"user": _wire(user), "conversation": _wire(conversation)}
        if "message" in body:
            spec = {**body["message"], "userId": user.id, "conversationId": conversation.id}
            answer["message"] = _wire(_get_or_create_message(db, bot, now, spec))
    return json_response(answer)


async def import_messages(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/messages/import-messages"""
    body = await _body(request, "importMessages")
    db, bot, now = _state(request).db, bot_id(request), _now(request)
    imported = []
    with transaction(db):
        for index, item in enumerate(body["messages"]):
            created = _parse_time(item["createdAt"], f"body.messages[{index}].createdAt", "InvalidPayload")
            imported.append(_wire(_get_or_create_message(db, bot, now, item, created_at=created)))
    return json_response({"messages": imported})


# ------------------------------------------------------------------------------------------- states


def _state_key(request: web.Request) -> runtime_states.StateKey:
    info = request.match_info
    if info["type"] not in ("conversation", "user", "bot", "integration", "task", "workflow"):
        raise EmulatorError("InvalidPayload", f"path.type: {info['type']!r} is not a state type")
    if len(info["name"]) > 200:
        raise EmulatorError("InvalidPayload", "path.name: a state name has at most 200 characters")
    return runtime_states.StateKey(bot_id(request), info["type"], info["id"], info["name"])


async def get_state(request: web.Request) -> web.StreamResponse:
    """GET /v1/chat/states/{type}/{id}/{name}"""
    key, db = _state_key(request), _state(request).db
    with transaction(db):  # a read restarts the idle timer
        state = runtime_states.get(db, key, _now(request))
    return json_response({"state": state, "meta": {"cached": False}})


async def set_state(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/states/{type}/{id}/{name}"""
    key = _state_key(request)
    body = await _body(request, "setState")
    db = _state(request).db
    extra = {"expiry": body["expiry"]} if "expiry" in body else {}
    with transaction(db):
        state = runtime_states.set(db, key, _now(request), body["payload"], **extra)
    return json_response({"state": state})


async def patch_state(request: web.Request) -> web.StreamResponse:
    """PATCH /v1/chat/states/{type}/{id}/{name}"""
    key = _state_key(request)
    body = await _body(request, "patchState")
    db = _state(request).db
    extra = {"expiry": body["expiry"]} if "expiry" in body else {}  # beyond 1.70.2
    with transaction(db):
        state = runtime_states.patch(db, key, _now(request), body["payload"], **extra)
    return json_response({"state": state})


async def get_or_set_state(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/states/{type}/{id}/{name}/get-or-set"""
    key = _state_key(request)
    body = await _body(request, "getOrSetState")
    db = _state(request).db
    with transaction(db):
        state = runtime_states.get_or_set(db, key, _now(request), body["payload"], body.get("expiry"))
    return json_response({"state": state, "meta": {"cached": False}})


async def set_state_expiry(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/states/{type}/{id}/{name}/expiry"""
    key = _state_key(request)
    body = await _body(request, "setStateExpiry")
    db = _state(request).db
    with transaction(db):
        state = runtime_states.set_expiry(db, key, _now(request), body["expiry"])
    return json_response({"state": state})


# ------------------------------------------------------------------------------------------ actions


async def call_action(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/actions"""
    body = await _body(request, "callAction")
    name = body["type"]
    handler = _state(request).actions.get(name)
    if handler is None:
        raise EmulatorError("ResourceNotFound", f"body.type: no action {body['type']!r} is registered")
    context = ActionContext(bot_id=bot_id(request), type=body["type"],
                            integration_id=request.headers.get("x-integration-id"))
    try:
        output = handler(body["input"], context)
        if inspect.isawaitable(output):
            output = await output
    except EmulatorError:
        raise
    except Exception as exc:
        raise EmulatorError("Runtime", f"action {name!r} failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(output, dict):
        raise EmulatorError("Runtime", f"action {name!r} returned {type(output).__name__}, not an object")
    try:
        json.dumps(output)
    except (TypeError, ValueError):
        raise EmulatorError("Runtime", f"action {name!r} returned an output that is not JSON") from None
    return json_response({"output": output, "meta": {"cached": False}})


# -------------------------------------------------------------------------------------------- tasks


_TASK_REFERENCES: tuple[tuple[str, records.Kind], ...] = (
    ("conversationId", "conversation"), ("userId", "user"), ("parentTaskId", "task"),
)


async def create_task(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/tasks"""
    body = await _body(request, "createTask")
    db, bot, now = _state(request).db, bot_id(request), _now(request)
    _check_max(body.get("title"), 64, "body.title")
    _check_max(body.get("description"), 256, "body.description")
    timeout = (_parse_time(body["timeoutAt"], "body.timeoutAt", "InvalidPayload") if "timeoutAt" in body
               else now + DEFAULT_TIMEOUT_MS)
    data: dict[str, Any] = {"title": body.get("title", ""), "description": body.get("description", ""),
                            "type": body["type"], "data": body.get("data", {}), "status": "pending",
                            "timeoutAt": iso(timeout)}
    with transaction(db):
        for field, kind in _TASK_REFERENCES:
            if field in body:
                records.require(db, bot, kind, body[field], error="ReferenceNotFound", field=field)
                data[field] = body[field]
        task = records.insert(db, bot, "task", now_ms=now, tags=body.get("tags"), data=data)
    return json_response({"task": _wire(task)}, status=201)


async def update_task(request: web.Request) -> web.StreamResponse:
    """PUT /v1/chat/tasks/{id}"""
    body = await _body(request, "updateTask")
    _check_max(body.get("title"), 64, "body.title")
    _check_max(body.get("description"), 256, "body.description")
    db, bot = _state(request).db, bot_id(request)
    data: dict[str, Any] = {k: body[k] for k in ("title", "description", "data", "status") if k in body}
    if "timeoutAt" in body:
        data["timeoutAt"] = iso(_parse_time(body["timeoutAt"], "body.timeoutAt", "InvalidPayload"))
    with transaction(db):
        task = records.require(db, bot, "task", request.match_info["id"])
        task = records.update(db, bot, task, now_ms=_now(request), tags=body.get("tags"), data=data)
    return json_response({"task": _wire(task)})


list_tasks = _lister(
    "task", "listTasks", "tasks", ("conversationId", "userId", "parentTaskId", "type"), "status"
)

# ---------------------------------------------------------------------------------------- workflows


_WORKFLOW_REFERENCES: tuple[tuple[str, records.Kind], ...] = (
    ("conversationId", "conversation"), ("userId", "user"), ("parentWorkflowId", "workflow"),
)


def _new_workflow(db: Any, bot: str, now: int, body: dict[str, Any]) -> Record:
    timeout = (_parse_time(body["timeoutAt"], "body.timeoutAt", "InvalidPayload") if "timeoutAt" in body
               else now + DEFAULT_TIMEOUT_MS)
    data: dict[str, Any] = {"name": body["name"], "status": body["status"], "input": body.get("input", {}),
                            "output": {}, "timeoutAt": iso(timeout)}
    for field, kind in _WORKFLOW_REFERENCES:
        if field in body:
            records.require(db, bot, kind, body[field], error="ReferenceNotFound", field=field)
            data[field] = body[field]
    if "eventId" in body:
        data["_eventId"] = body["eventId"]
    return records.insert(db, bot, "workflow", now_ms=now, tags=body.get("tags"), data=data)


async def create_workflow(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/workflows"""
    body = await _body(request, "createWorkflow")
    db = _state(request).db
    with transaction(db):
        workflow = _new_workflow(db, bot_id(request), _now(request), body)
    return json_response({"workflow": _wire(workflow)}, status=201)


async def get_or_create_workflow(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/workflows/get-or-create"""
    body = await _body(request, "getOrCreateWorkflow")
    db, bot = _state(request).db, bot_id(request)
    match = _discriminating(body.get("tags", {}), body.get("discriminateByTags"))
    scope = Filter().field_equals("name", body["name"])
    if "conversationId" in body:
        scope.field_equals("conversationId", body["conversationId"])
    group = body.get("discriminateByStatusGroup")
    if group is not None:
        scope.field_in("status", _ACTIVE if group == "active" else _FINISHED)
    with transaction(db):
        workflow = records.find_by_tags(db, bot, "workflow", match, scope)
        if workflow is None:
            workflow = _new_workflow(db, bot, _now(request), body)
    return json_response({"workflow": _wire(workflow)})


async def update_workflow(request: web.Request) -> web.StreamResponse:
    """PUT /v1/chat/workflows/{id}"""
    body = await _body(request, "updateWorkflow")
    db, bot, now = _state(request).db, bot_id(request), _now(request)
    data: dict[str, Any] = {k: body[k] for k in ("output", "status", "failureReason") if k in body}
    if "timeoutAt" in body:
        data["timeoutAt"] = iso(_parse_time(body["timeoutAt"], "body.timeoutAt", "InvalidPayload"))
    if body.get("status") in _FINISHED:
        data["completedAt"] = iso(now)
    if "eventId" in body:
        data["_eventId"] = body["eventId"]
    with transaction(db):
        workflow = records.require(db, bot, "workflow", request.match_info["id"])
        if "userId" in body:
            records.require(db, bot, "user", body["userId"], error="ReferenceNotFound", field="userId")
            data["userId"] = body["userId"]
        workflow = records.update(db, bot, workflow, now_ms=now, tags=body.get("tags"), data=data)
    return json_response({"workflow": _wire(workflow)})


list_workflows = _lister(
    "workflow", "listWorkflows", "workflows", ("conversationId", "userId", "parentWorkflowId", "name"),
    "statuses",
)

# ------------------------------------------------------------------------------ tags, analytics, misc


async def list_tag_values(request: web.Request) -> web.StreamResponse:
    """GET /v1/chat/tags/{key}/values"""
    query = _query(request, "listTagValues")
    rows, token = fetch_page(
        _state(request).db, select="DISTINCT t.value AS value", source="records r, json_each(r.tags) t",
        # a scheduled message's tags show once it is delivered
        where=["r.bot_id = ?", "r.kind = ?", "t.key = ?", "(r.due_at IS NULL OR r.due_at <= ?)"],
        params=[bot_id(request), query["type"], request.match_info["key"], _now(request)],
        sort_column="t.value", id_column="t.value", sort_field="value", direction="asc",
        next_token=query.get("nextToken"), page_size=_page_size(query),
    )
    return json_response({"tags": [{"value": row["value"]} for row in rows], "meta": _meta(token)})


async def track_analytics(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/analytics"""
    body = await _body(request, "trackAnalytics")
    if body["count"] > _MAX_COUNT:  # the spec sets no maximum; SQLite integers are 64-bit
        raise EmulatorError("InvalidPayload", f"body.count must be at most {_MAX_COUNT}")
    db = _state(request).db
    with transaction(db):
        db.execute("INSERT INTO analytics (bot_id, name, count) VALUES (?, ?, ?)"
                   " ON CONFLICT (bot_id, name) DO UPDATE SET count = count + excluded.count",
                   (bot_id(request), body["name"], body["count"]))
    return json_response({})


async def configure_integration(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/integrations/configure"""
    body = await _body(request, "configureIntegration")
    db = _state(request).db
    with transaction(db):
        db.execute("INSERT INTO integration_config (bot_id, integration_id, config) VALUES (?, ?, ?)"
                   " ON CONFLICT (bot_id, integration_id) DO UPDATE SET config = excluded.config",
                   (bot_id(request), request.headers.get("x-integration-id", ""), json.dumps(body)))
    return json_response({})


async def capture_observation(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/observations (beyond 1.70.2: sent by the official client 1.45.0).

    The body is checked against ``beyond_spec.OBSERVATION_SCHEMA`` (``name`` and ``data`` required) and
    the answer is ``{}``; nothing reads observations back, so the emulator keeps none.
    """
    body = await read_json(request, max_bytes=RUNTIME_MAX_BYTES)
    beyond_spec.check_observation(body)
    return json_response({})


get_user = _getter("user", "user")
delete_user = _deleter(
    "user", "DELETE FROM participants WHERE bot_id = ? AND user_id = ?", _states_of("user")
)
get_conversation = _getter("conversation", "conversation")
delete_conversation = _deleter(
    "conversation",
    "DELETE FROM participants WHERE bot_id = ? AND conversation_id = ?",
    _states_of("conversation"),
    "DELETE FROM records WHERE bot_id = ? AND kind = 'message'"
    " AND json_extract(data, '$.conversationId') = ?",
)
get_event = _getter("event", "event", _event)
delete_message = _deleter("message")
get_task = _getter("task", "task")
delete_task = _deleter("task", _states_of("task"))
get_workflow = _getter("workflow", "workflow")
delete_workflow = _deleter("workflow", _states_of("workflow"))

#: operationId -> handler, for every /v1/chat operation of the runtime spec.
ROUTES: dict[str, Handler] = {
    "createUser": create_user, "getOrCreateUser": get_or_create_user, "getUser": get_user,
    "updateUser": update_user, "deleteUser": delete_user, "listUsers": list_users,
    "createConversation": create_conversation, "getOrCreateConversation": get_or_create_conversation,
    "getConversation": get_conversation, "updateConversation": update_conversation,
    "deleteConversation": delete_conversation, "listConversations": list_conversations,
    "addParticipant": add_participant, "getParticipant": get_participant,
    "removeParticipant": remove_participant, "listParticipants": list_participants,
    "createEvent": create_event, "getEvent": get_event, "listEvents": list_events,
    "cancelScheduledEvent": cancel_scheduled_event,
    "createMessage": create_message, "getOrCreateMessage": get_or_create_message, "getMessage": get_message,
    "updateMessage": update_message, "deleteMessage": delete_message, "listMessages": list_messages,
    "initializeIncomingMessage": initialize_incoming_message, "importMessages": import_messages,
    "getState": get_state, "setState": set_state, "patchState": patch_state,
    "getOrSetState": get_or_set_state, "setStateExpiry": set_state_expiry,
    "callAction": call_action,
    "createTask": create_task, "getTask": get_task, "updateTask": update_task, "deleteTask": delete_task,
    "listTasks": list_tasks,
    "createWorkflow": create_workflow, "getOrCreateWorkflow": get_or_create_workflow,
    "getWorkflow": get_workflow, "updateWorkflow": update_workflow, "deleteWorkflow": delete_workflow,
    "listWorkflows": list_workflows,
    "listTagValues": list_tag_values, "trackAnalytics": track_analytics,
    "configureIntegration": configure_integration,
}


#: operationId -> (method, path, handler) of the operations newer clients call that 1.70.2 lacks.
BEYOND_SPEC_ROUTES: dict[str, tuple[str, str, Handler]] = {
    "captureObservation": ("POST", "/v1/chat/observations", capture_observation),
}


def add_routes(app: web.Application, state: EmulatorState) -> None:
    """Register every /v1/chat route on ``app`` (method and path from the spec, by operationId), then
    :data:`BEYOND_SPEC_ROUTES`."""
    from botpress_async.emulator.validation import operation

    for operation_id, handler in ROUTES.items():
        method, path, _ = operation("runtime", operation_id)
        app.router.add_route(method, path, handler)
    for method, path, handler in BEYOND_SPEC_ROUTES.values():
        app.router.add_route(method, path, handler)
