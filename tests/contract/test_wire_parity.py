"""Wire parity: botpress_async sends, byte for byte, what the official @botpress/client sends.

Both clients call a loopback capture server with the same logical operations (one node process drives
the official client through all of them). For every operation we compare method, raw path, raw query
string (``qs`` with ``allowDots`` and repeated arrays), the JSON body (parsed), and the ``x-bot-id`` /
``Authorization`` / ``Content-Type`` headers. The capture server answers 404 ResourceNotFound to
everything, so each client raises its typed not-found error and nothing is retried.

The official client 1.45.0 has no task operations (``createTask`` ...): tasks are not compared here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from contract_helpers import MARK_PREFIX, Captured, CaptureServer, run_driver

from botpress_async import Client

TOKEN = "bp_pat_contract-token"
BOT_ID = "00000000-0000-4000-8000-0000000000b0"
USER = "user_01HQPARITYUSER000000000001"
USER_2 = "user_01HQPARITYUSER000000000002"
CONV = "conv_01HQPARITYCONV000000000001"
MSG = "msg_01HQPARITYMSG00000000000001"
EVENT = "evt_01HQPARITYEVENT0000000000001"
WORKFLOW = "wfl_01HQPARITYWORKFLOW000000001"
TAGS = {"slack:id": "U 1", "team name": "a&b=c", "plain": "x.y"}
#: tag keys and values with every character class qs treats specially (RFC 3986 reserved, sub-delims,
#: non-ASCII, astral plane, a dot inside a key)
ODD_TAGS = {"k!*'()": "v+%/?#[]@", "dot.key": "é ✓ 😀", "semi;colon": "a,b$c"}
PAGE_TOKEN = "eyJpZCI6MX0+/w=="  # base64 with '+', '/' and '=': all three must be percent-encoded
SCHEMA = {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "number"}}}

PyCall = Callable[[Client], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    """One logical operation: the official client's ``op(input)`` and the same call in botpress_async."""

    name: str
    op: str
    input: dict[str, Any]
    call: PyCall
    #: canned answers served to botpress_async first (to reach a later page); the LAST request it sends
    #: is the one compared.
    py_replies: tuple[tuple[int, Any], ...] = ()
    #: extra client options for this case only: (official prop, botpress_async kwarg, value)
    client_options: tuple[tuple[str, str, str], ...] = ()


CASES: list[Case] = [
    # headers
    Case(
        "getUser-integration-and-workspace-headers",
        "getUser",
        {"id": USER},
        lambda bp: bp.users.get(USER),
        client_options=(
            ("integrationId", "integration_id", "intver_01HQPARITY"),
            ("integrationAlias", "integration_alias", "my-slack"),
            ("workspaceId", "workspace_id", "wkspace_01HQPARITY"),
        ),
    ),
    # users
    Case(
        "createUser",
        "createUser",
        {"tags": TAGS, "name": "Ada", "pictureUrl": "https://x.test/a b.png"},
        lambda bp: bp.users.create(tags=TAGS, name="Ada", picture_url="https://x.test/a b.png"),
    ),
    Case("getUser", "getUser", {"id": USER}, lambda bp: bp.users.get(USER)),
    Case(
        "listUsers-tags-and-sort",
        "listUsers",
        {"tags": TAGS, "conversationId": CONV, "sortField": "updatedAt", "sortDirection": "asc"},
        lambda bp: bp.users.list(
            tags=TAGS, conversation_id=CONV, sort_field="updatedAt", sort_direction="asc"
        ),
    ),
    Case(
        "listUsers-next-page-token",
        "listUsers",
        {"nextToken": PAGE_TOKEN, "tags": {"plain": "1"}},
        lambda bp: bp.users.list(tags={"plain": "1"}).collect(),
        py_replies=((200, {"users": [], "meta": {"nextToken": PAGE_TOKEN}}),),
    ),
    Case(
        "listConversations-next-page-token",
        "listConversations",
        {"nextToken": PAGE_TOKEN, "participantIds": [USER, USER_2]},
        lambda bp: bp.conversations.list(participant_ids=[USER, USER_2]).collect(),
        py_replies=((200, {"conversations": [], "meta": {"nextToken": PAGE_TOKEN}}),),
    ),
    Case(
        "listUsers-tag-characters",
        "listUsers",
        {"tags": ODD_TAGS},
        lambda bp: bp.users.list(tags=ODD_TAGS),
    ),
    Case(
        "listConversations-empty-array-and-empty-tags",
        "listConversations",
        {"participantIds": [], "tags": {}, "channel": "c"},
        lambda bp: bp.conversations.list(participant_ids=[], tags={}, channel="c"),
    ),
    Case(
        "getState-name-characters",
        "getState",
        {"type": "user", "id": USER, "name": "a/b (c)!*'~ é?#&"},
        lambda bp: bp.states.get("user", USER, "a/b (c)!*'~ é?#&"),
    ),
    Case(
        "listUsers-dates",
        "listUsers",
        {
            "afterDate": "2024-01-02T03:04:05.006Z",
            "beforeDate": "2025-01-02T03:04:05.006Z",
            "rangeField": "createdAt",
        },
        lambda bp: bp.users.list(
            after_date="2024-01-02T03:04:05.006Z",
            before_date="2025-01-02T03:04:05.006Z",
            range_field="createdAt",
        ),
    ),
    Case(
        "getOrCreateUser-discriminateByTags",
        "getOrCreateUser",
        {"tags": TAGS, "discriminateByTags": ["slack:id"], "name": "Ada"},
        lambda bp: bp.users.get_or_create(tags=TAGS, discriminate_by_tags=["slack:id"], name="Ada"),
    ),
    Case(
        "updateUser-null-name-and-unset-tag",
        "updateUser",
        {"id": USER, "name": None, "tags": {"slack:id": ""}},
        lambda bp: bp.users.update(USER, name=None, tags={"slack:id": ""}),
    ),
    Case("deleteUser", "deleteUser", {"id": USER}, lambda bp: bp.users.delete(USER)),
    # conversations and participants
    Case(
        "createConversation",
        "createConversation",
        {"channel": "channel 1", "tags": TAGS, "integrationName": "slack"},
        lambda bp: bp.conversations.create(channel="channel 1", tags=TAGS, integration_name="slack"),
    ),
    Case("getConversation", "getConversation", {"id": CONV}, lambda bp: bp.conversations.get(CONV)),
    Case(
        "listConversations-tags-participants",
        "listConversations",
        {
            "tags": TAGS,
            "participantIds": [USER, USER_2],
            "channel": "c:1",
            "sortField": "createdAt",
            "sortDirection": "desc",
            "integrationName": "slack",
        },
        lambda bp: bp.conversations.list(
            tags=TAGS,
            participant_ids=[USER, USER_2],
            channel="c:1",
            sort_field="createdAt",
            sort_direction="desc",
            integration_name="slack",
        ),
    ),
    Case(
        "listConversations-one-participant",
        "listConversations",
        {"participantIds": [USER]},
        lambda bp: bp.conversations.list(participant_ids=[USER]),
    ),
    Case(
        "getOrCreateConversation-discriminateByTags",
        "getOrCreateConversation",
        {"channel": "channel", "tags": TAGS, "discriminateByTags": ["slack:id", "team name"]},
        lambda bp: bp.conversations.get_or_create(
            channel="channel", tags=TAGS, discriminate_by_tags=["slack:id", "team name"]
        ),
    ),
    Case(
        "updateConversation",
        "updateConversation",
        {"id": CONV, "tags": {"plain": ""}},
        lambda bp: bp.conversations.update(CONV, tags={"plain": ""}),
    ),
    Case("deleteConversation", "deleteConversation", {"id": CONV}, lambda bp: bp.conversations.delete(CONV)),
    Case(
        "listParticipants",
        "listParticipants",
        {"id": CONV},
        lambda bp: bp.conversations.list_participants(CONV),
    ),
    Case(
        "addParticipant",
        "addParticipant",
        {"id": CONV, "userId": USER},
        lambda bp: bp.conversations.add_participant(CONV, user_id=USER),
    ),
    Case(
        "getParticipant",
        "getParticipant",
        {"id": CONV, "userId": USER},
        lambda bp: bp.conversations.get_participant(CONV, USER),
    ),
    Case(
        "removeParticipant",
        "removeParticipant",
        {"id": CONV, "userId": USER},
        lambda bp: bp.conversations.remove_participant(CONV, USER),
    ),
    # events
    Case(
        "createEvent-schedule-delay",
        "createEvent",
        {"type": "reminder", "payload": {"n": 1}, "schedule": {"delay": 60000}, "conversationId": CONV},
        lambda bp: bp.events.create(type="reminder", payload={"n": 1}, delay_ms=60000, conversation_id=CONV),
    ),
    Case(
        "createEvent-schedule-dateTime",
        "createEvent",
        {
            "type": "reminder",
            "payload": {},
            "schedule": {"dateTime": "2030-01-02T03:04:05.678Z"},
            "userId": USER,
        },
        lambda bp: bp.events.create(type="reminder", payload={}, at="2030-01-02T03:04:05.678Z", user_id=USER),
    ),
    Case("getEvent", "getEvent", {"id": EVENT}, lambda bp: bp.events.get(EVENT)),
    Case(
        "listEvents",
        "listEvents",
        {"type": "a:b c", "conversationId": CONV, "userId": USER, "status": "pending"},
        lambda bp: bp.events.list(type="a:b c", conversation_id=CONV, user_id=USER, status="pending"),
    ),
    Case(
        "cancelScheduledEvent",
        "cancelScheduledEvent",
        {"id": EVENT},
        lambda bp: bp.events.cancel_scheduled(EVENT),
    ),
    # messages
    Case(
        "createMessage-schedule",
        "createMessage",
        {
            "conversationId": CONV,
            "userId": USER,
            "type": "text",
            "payload": {"text": "hé ✓"},
            "tags": TAGS,
            "schedule": {"delay": 1500},
        },
        lambda bp: bp.messages.create(
            conversation_id=CONV,
            user_id=USER,
            type="text",
            payload={"text": "hé ✓"},
            tags=TAGS,
            delay_ms=1500,
        ),
    ),
    Case(
        "getOrCreateMessage-discriminateByTags",
        "getOrCreateMessage",
        {
            "conversationId": CONV,
            "userId": USER,
            "type": "text",
            "payload": {"text": "hi"},
            "tags": TAGS,
            "discriminateByTags": ["slack:id"],
        },
        lambda bp: bp.messages.get_or_create(
            conversation_id=CONV,
            user_id=USER,
            type="text",
            payload={"text": "hi"},
            tags=TAGS,
            discriminate_by_tags=["slack:id"],
        ),
    ),
    Case("getMessage", "getMessage", {"id": MSG}, lambda bp: bp.messages.get(MSG)),
    Case(
        "updateMessage",
        "updateMessage",
        {"id": MSG, "tags": TAGS, "payload": {"text": "edited"}},
        lambda bp: bp.messages.update(MSG, tags=TAGS, payload={"text": "edited"}),
    ),
    Case(
        "listMessages-tags",
        "listMessages",
        {"conversationId": CONV, "tags": TAGS},
        lambda bp: bp.messages.list(conversation_id=CONV, tags=TAGS),
    ),
    Case("deleteMessage", "deleteMessage", {"id": MSG}, lambda bp: bp.messages.delete(MSG)),
    Case(
        "createMessage-synthetic-dateTime",
        "createMessage",
        {
            "conversationId": CONV,
            "userId": USER,
            "type": "text",
            "payload": {"text": "x"},
            "tags": {},
            "origin": "synthetic",
            "schedule": {"dateTime": "2030-01-02T03:04:05.000Z"},
        },
        lambda bp: bp.messages.create(
            conversation_id=CONV,
            user_id=USER,
            type="text",
            payload={"text": "x"},
            tags={},
            origin="synthetic",
            at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        ),
    ),
    Case(
        "importMessages",
        "importMessages",
        {
            "messages": [
                {
                    "payload": {"text": "old"},
                    "userId": USER,
                    "conversationId": CONV,
                    "type": "text",
                    "tags": {"ext id": "1"},
                    "createdAt": "2024-01-02T03:04:05.006Z",
                    "discriminateByTags": ["ext id"],
                }
            ]
        },
        lambda bp: bp.messages.import_many(
            [
                {
                    "payload": {"text": "old"},
                    "user_id": USER,
                    "conversation_id": CONV,
                    "type": "text",
                    "tags": {"ext id": "1"},
                    "created_at": datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC),
                    "discriminate_by_tags": ["ext id"],
                }
            ]
        ),
    ),
    Case(
        "uploadFile-upsertFile",
        "uploadFile",
        {
            "key": "data/a b.csv",
            "content": "sku,qty\né,1\n",
            "contentType": "text/csv",
            "tags": {"kind": "csv"},
        },
        lambda bp: bp.files.upload(
            "data/a b.csv", "sku,qty\né,1\n", content_type="text/csv", tags={"kind": "csv"}
        ),
    ),
    Case(
        "initializeIncomingMessage",
        "initializeIncomingMessage",
        {
            "userId": USER,
            "conversationId": CONV,
            "message": {
                "payload": {"text": "hi"},
                "type": "text",
                "tags": TAGS,
                "discriminateByTags": ["slack:id"],
            },
        },
        lambda bp: bp.messages.initialize_incoming(
            user_id=USER,
            conversation_id=CONV,
            message={
                "payload": {"text": "hi"},
                "type": "text",
                "tags": TAGS,
                "discriminate_by_tags": ["slack:id"],
            },
        ),
    ),
    # states
    Case(
        "getState",
        "getState",
        {"type": "conversation", "id": CONV, "name": "my state"},
        lambda bp: bp.states.get("conversation", CONV, "my state"),
    ),
    Case(
        "setState-expiry",
        "setState",
        {"type": "user", "id": USER, "name": "profile", "payload": {"a": 1}, "expiry": 60000},
        lambda bp: bp.states.set("user", USER, "profile", {"a": 1}, expiry=60000),
    ),
    Case(
        "setState-null-payload-null-expiry",
        "setState",
        {"type": "bot", "id": BOT_ID, "name": "profile", "payload": None, "expiry": None},
        lambda bp: bp.states.set("bot", BOT_ID, "profile", None, expiry=None),
    ),
    Case(
        "patchState",
        "patchState",
        {"type": "workflow", "id": WORKFLOW, "name": "s", "payload": {"b": [1, 2]}},
        lambda bp: bp.states.patch("workflow", WORKFLOW, "s", {"b": [1, 2]}),
    ),
    Case(
        "getOrSetState-expiry",
        "getOrSetState",
        {"type": "conversation", "id": CONV, "name": "s", "payload": {"first": True}, "expiry": 1000},
        lambda bp: bp.states.get_or_set("conversation", CONV, "s", {"first": True}, expiry=1000),
    ),
    Case(
        "setStateExpiry",
        "setStateExpiry",
        {"type": "user", "id": USER, "name": "s", "expiry": 5000},
        lambda bp: bp.states.set_expiry("user", USER, "s", 5000),
    ),
    Case(
        "setStateExpiry-null",
        "setStateExpiry",
        {"type": "user", "id": USER, "name": "s", "expiry": None},
        lambda bp: bp.states.set_expiry("user", USER, "s", None),
    ),
    # actions, integrations, workflows, tags, analytics
    Case(
        "callAction",
        "callAction",
        {"type": "echo:run", "input": {"x": [1, {"y": None}]}},
        lambda bp: bp.actions.call("echo:run", {"x": [1, {"y": None}]}),
    ),
    Case(
        "configureIntegration",
        "configureIntegration",
        {"identifier": None},
        lambda bp: bp.integrations.configure(identifier=None),
    ),
    Case(
        "createWorkflow",
        "createWorkflow",
        {"name": "onboarding", "status": "pending", "input": {"k": 1}, "conversationId": CONV, "tags": TAGS},
        lambda bp: bp.workflows.create(
            name="onboarding", status="pending", input={"k": 1}, conversation_id=CONV, tags=TAGS
        ),
    ),
    Case("getWorkflow", "getWorkflow", {"id": WORKFLOW}, lambda bp: bp.workflows.get(WORKFLOW)),
    Case(
        "listWorkflows-statuses",
        "listWorkflows",
        {"tags": TAGS, "statuses": ["pending", "in_progress"], "conversationId": CONV, "name": "onboarding"},
        lambda bp: bp.workflows.list(
            tags=TAGS, statuses=["pending", "in_progress"], conversation_id=CONV, name="onboarding"
        ),
    ),
    Case(
        "updateWorkflow",
        "updateWorkflow",
        {"id": WORKFLOW, "status": "completed", "output": {"ok": True}},
        lambda bp: bp.workflows.update(WORKFLOW, status="completed", output={"ok": True}),
    ),
    Case("deleteWorkflow", "deleteWorkflow", {"id": WORKFLOW}, lambda bp: bp.workflows.delete(WORKFLOW)),
    Case(
        "getOrCreateWorkflow",
        "getOrCreateWorkflow",
        {
            "name": "onboarding",
            "status": "pending",
            "tags": TAGS,
            "discriminateByTags": ["slack:id"],
            "discriminateByStatusGroup": "active",
        },
        lambda bp: bp.workflows.get_or_create(
            name="onboarding",
            status="pending",
            tags=TAGS,
            discriminate_by_tags=["slack:id"],
            discriminate_by_status_group="active",
        ),
    ),
    Case(
        "listTagValues",
        "listTagValues",
        {"key": "slack:id", "type": "user"},
        lambda bp: bp.tags.list_values("slack:id", type="user"),
    ),
    Case(
        "trackAnalytics",
        "trackAnalytics",
        {"name": "signup", "count": 3},
        lambda bp: bp.analytics.track("signup", 3),
    ),
    # beyond the 1.70.2 spec: what the official client 1.45 sends and botpress_async can send too
    Case(
        "listUsers-pageSize-next-page",
        "listUsers",
        {"nextToken": PAGE_TOKEN, "pageSize": 5, "tags": {"plain": "1"}},
        lambda bp: bp.users.list(tags={"plain": "1"}, page_size=5).collect(),
        py_replies=((200, {"users": [], "meta": {"nextToken": PAGE_TOKEN}}),),
    ),
    Case(
        "listConversations-pageSize-message-counts",
        "listConversations",
        {"pageSize": 100, "channel": "c", "minMessageCount": 0, "maxMessageCount": 9, "tags": {"a": "b"}},
        lambda bp: bp.conversations.list(
            channel="c", min_message_count=0, max_message_count=9, tags={"a": "b"}, page_size=100
        ),
    ),
    Case(
        "listParticipants-pageSize",
        "listParticipants",
        {"id": CONV, "pageSize": 1},
        lambda bp: bp.conversations.list_participants(CONV, page_size=1),
    ),
    Case(
        "listEvents-pageSize",
        "listEvents",
        {"pageSize": 20, "type": "reminder"},
        lambda bp: bp.events.list(type="reminder", page_size=20),
    ),
    Case(
        "listMessages-pageSize",
        "listMessages",
        {"pageSize": 7, "conversationId": CONV},
        lambda bp: bp.messages.list(conversation_id=CONV, page_size=7),
    ),
    Case(
        "listWorkflows-pageSize",
        "listWorkflows",
        {"pageSize": 3, "name": "onboarding"},
        lambda bp: bp.workflows.list(name="onboarding", page_size=3),
    ),
    Case(
        "listTagValues-pageSize",
        "listTagValues",
        {"key": "plan", "type": "conversation", "pageSize": 50},
        lambda bp: bp.tags.list_values("plan", type="conversation", page_size=50),
    ),
    Case(
        "createUser-properties",
        "createUser",
        {"tags": {}, "properties": {"plan": "pro", "first seen": "é"}},
        lambda bp: bp.users.create(tags={}, properties={"plan": "pro", "first seen": "é"}),
    ),
    Case(
        "getOrCreateUser-properties",
        "getOrCreateUser",
        {"tags": TAGS, "properties": {"plan": "pro"}},
        lambda bp: bp.users.get_or_create(tags=TAGS, properties={"plan": "pro"}),
    ),
    Case(
        "updateUser-properties-null",
        "updateUser",
        {"id": USER, "properties": {"plan": None, "tier": "gold"}},
        lambda bp: bp.users.update(USER, properties={"plan": None, "tier": "gold"}),
    ),
    Case(
        "createConversation-properties",
        "createConversation",
        {"channel": "dm", "tags": {}, "properties": {"topic": "billing"}},
        lambda bp: bp.conversations.create(channel="dm", tags={}, properties={"topic": "billing"}),
    ),
    Case(
        "getOrCreateConversation-properties",
        "getOrCreateConversation",
        {"channel": "dm", "tags": TAGS, "properties": {"topic": "billing"}},
        lambda bp: bp.conversations.get_or_create(channel="dm", tags=TAGS, properties={"topic": "billing"}),
    ),
    Case(
        "updateConversation-properties-null",
        "updateConversation",
        {"id": CONV, "properties": {"topic": None}},
        lambda bp: bp.conversations.update(CONV, properties={"topic": None}),
    ),
    Case(
        "initializeIncomingMessage-properties",
        "initializeIncomingMessage",
        {
            "user": {"tags": TAGS, "discriminateByTags": ["slack:id"], "properties": {"plan": "pro"}},
            "conversation": {"channel": "dm", "tags": {}, "discriminateByTags": [], "properties": {"t": "x"}},
        },
        lambda bp: bp.messages.initialize_incoming(
            user={"tags": TAGS, "discriminate_by_tags": ["slack:id"], "properties": {"plan": "pro"}},
            conversation={"channel": "dm", "tags": {}, "discriminate_by_tags": [], "properties": {"t": "x"}},
        ),
    ),
    Case(
        "patchState-expiry",
        "patchState",
        {"type": "user", "id": USER, "name": "s", "payload": {"a": 1}, "expiry": 60000},
        lambda bp: bp.states.patch("user", USER, "s", {"a": 1}, expiry=60000),
    ),
    Case(
        "patchState-null-expiry",
        "patchState",
        {"type": "user", "id": USER, "name": "s", "payload": {}, "expiry": None},
        lambda bp: bp.states.patch("user", USER, "s", {}, expiry=None),
    ),
    Case(
        "captureObservation",
        "captureObservation",
        {"name": "llm.call", "data": {"tokens": 12, "nested": {"x": [1]}}},
        lambda bp: bp.observations.capture("llm.call", {"tokens": 12, "nested": {"x": [1]}}),
    ),
    Case(
        "captureObservation-links",
        "captureObservation",
        {
            "id": "ctx-1",
            "name": "step",
            "data": {},
            "messageId": MSG,
            "eventId": EVENT,
            "conversationId": CONV,
            "userId": USER,
            "errorId": "err_1",
            "traceId": "trace_1",
        },
        lambda bp: bp.observations.capture(
            "step",
            {},
            id="ctx-1",
            message_id=MSG,
            event_id=EVENT,
            conversation_id=CONV,
            user_id=USER,
            error_id="err_1",
            trace_id="trace_1",
        ),
    ),
    # tables
    Case(
        "listTables-tags",
        "listTables",
        {"tags": {"env": "dev:1"}},
        lambda bp: bp.tables.list(tags={"env": "dev:1"}),
    ),
    Case(
        "createTable",
        "createTable",
        {"name": "OrdersTable", "schema": SCHEMA, "keyColumn": "sku", "factor": 2, "tags": {"a": "b"}},
        lambda bp: bp.tables.create(
            "OrdersTable", schema=SCHEMA, key_column="sku", factor=2, tags={"a": "b"}
        ),
    ),
    Case("getTable", "getTable", {"table": "OrdersTable"}, lambda bp: bp.tables.get("OrdersTable")),
    Case(
        "getOrCreateTable",
        "getOrCreateTable",
        {"table": "OrdersTable", "schema": SCHEMA, "frozen": False},
        lambda bp: bp.tables.get_or_create("OrdersTable", schema=SCHEMA, frozen=False),
    ),
    Case(
        "updateTable-drop-column",
        "updateTable",
        {"table": "OrdersTable", "schema": {"properties": {"qty": None}}, "keyColumn": None},
        lambda bp: bp.tables.update("OrdersTable", schema={"properties": {"qty": None}}, key_column=None),
    ),
    Case("deleteTable", "deleteTable", {"table": "OrdersTable"}, lambda bp: bp.tables.delete("OrdersTable")),
    Case(
        "duplicateTable",
        "duplicateTable",
        {"sourceTableId": "OrdersTable", "tableName": "CopyTable", "schemaOnly": True},
        lambda bp: bp.tables.duplicate("OrdersTable", table_name="CopyTable", schema_only=True),
    ),
    Case(
        "exportTable",
        "exportTable",
        {"table": "OrdersTable", "format": "csv", "compress": False},
        lambda bp: bp.tables.export("OrdersTable", format="csv", compress=False),
    ),
    Case("getTableJobs", "getTableJobs", {"table": "OrdersTable"}, lambda bp: bp.tables.jobs("OrdersTable")),
    Case(
        "importTable",
        "importTable",
        {"table": "OrdersTable", "fileId": "file_01HQ"},
        lambda bp: bp.tables.import_("OrdersTable", "file_01HQ"),
    ),
    Case(
        "renameTableColumn",
        "renameTableColumn",
        {"table": "OrdersTable", "name": "qty", "newName": "quantity"},
        lambda bp: bp.tables.rename_column("OrdersTable", "qty", "quantity"),
    ),
    Case(
        "getTableRow",
        "getTableRow",
        {"table": "OrdersTable", "id": 7},
        lambda bp: bp.tables.get_row("OrdersTable", 7),
    ),
    Case(
        "findTableRows-filter",
        "findTableRows",
        {
            "table": "OrdersTable",
            "filter": {"qty": {"$gte": 2}, "sku": {"$in": ["a", "b:c"]}},
            "orderBy": "qty",
            "orderDirection": "desc",
            "limit": 50,
            "offset": 10,
            "select": ["sku"],
        },
        lambda bp: bp.tables.find_rows(
            "OrdersTable",
            filter={"qty": {"$gte": 2}, "sku": {"$in": ["a", "b:c"]}},
            order_by="qty",
            order_direction="desc",
            limit=50,
            offset=10,
            select=["sku"],
        ),
    ),
    Case(
        "findTableRows-group-search",
        "findTableRows",
        {"table": "OrdersTable", "group": {"sku": ["key", "count"], "qty": ["sum"]}, "search": "blue shoes"},
        lambda bp: bp.tables.find_rows(
            "OrdersTable", group={"sku": ["key", "count"], "qty": ["sum"]}, search="blue shoes"
        ),
    ),
    Case(
        "createTableRows",
        "createTableRows",
        {"table": "OrdersTable", "rows": [{"sku": "a", "qty": 1}]},
        lambda bp: bp.tables.create_rows("OrdersTable", [{"sku": "a", "qty": 1}]),
    ),
    Case(
        "updateTableRows",
        "updateTableRows",
        {"table": "OrdersTable", "rows": [{"id": 1, "qty": 2}]},
        lambda bp: bp.tables.update_rows("OrdersTable", [{"id": 1, "qty": 2}]),
    ),
    Case(
        "upsertTableRows-keyColumn",
        "upsertTableRows",
        {"table": "OrdersTable", "rows": [{"sku": "a", "qty": 3}], "keyColumn": "sku"},
        lambda bp: bp.tables.upsert_rows("OrdersTable", [{"sku": "a", "qty": 3}], key_column="sku"),
    ),
    Case(
        "deleteTableRows-ids",
        "deleteTableRows",
        {"table": "OrdersTable", "ids": [1, 2]},
        lambda bp: bp.tables.delete_rows("OrdersTable", ids=[1, 2]),
    ),
    Case(
        "deleteTableRows-filter",
        "deleteTableRows",
        {"table": "OrdersTable", "filter": {"qty": {"$lt": 1}}},
        lambda bp: bp.tables.delete_rows("OrdersTable", filter={"qty": {"$lt": 1}}),
    ),
    Case(
        "deleteTableRows-all",
        "deleteTableRows",
        {"table": "OrdersTable", "deleteAllRows": True},
        lambda bp: bp.tables.delete_rows("OrdersTable", delete_all_rows=True),
    ),
]

#: Known differences in query parameter ORDER only (case name -> which side, where): the pairs themselves are
#: byte-for-byte equal (checked by the main test); the order test is a strict xfail so it flips once fixed.
ORDER_DIFFERENCES: dict[str, str] = {}

#: Headers both clients must send identically (when either sends them).
COMPARED_HEADERS = ("authorization", "x-bot-id", "x-integration-id", "x-integration-alias", "x-workspace-id")


@dataclass
class Recorded:
    node: dict[str, list[Captured]]
    python: dict[str, list[Captured]]
    node_steps: dict[str, dict[str, Any]]
    python_errors: dict[str, BaseException | None]


async def _record(node_modules: Path) -> Recorded:
    steps = [
        {
            "name": case.name,
            "op": case.op,
            "input": case.input,
            "clientOptions": {wire: value for wire, _, value in case.client_options} or None,
        }
        for case in CASES
    ]
    async with CaptureServer() as node_capture:
        report = await run_driver(
            node_modules,
            steps,
            api_url=node_capture.url,
            token=TOKEN,
            bot_id=BOT_ID,
            mark_url=node_capture.url + MARK_PREFIX,
        )
    errors: dict[str, BaseException | None] = {}
    async with (
        CaptureServer() as py_capture,
        Client(token=TOKEN, bot_id=BOT_ID, base_url=py_capture.url, environ={}) as bp,
    ):
        for case in CASES:
            py_capture.step = case.name
            py_capture.replies = list(case.py_replies)
            try:
                if case.client_options:
                    options = {name: value for _, name, value in case.client_options}
                    async with Client(
                        token=TOKEN, bot_id=BOT_ID, base_url=py_capture.url, environ={}, **options
                    ) as special:
                        await case.call(special)
                else:
                    await case.call(bp)
            except Exception as exc:  # the capture server answers 404: every call is expected to raise
                errors[case.name] = exc
            else:
                errors[case.name] = None
    return Recorded(
        node=node_capture.by_step(),
        python=py_capture.by_step(),
        node_steps={step["name"]: step for step in report["steps"]},
        python_errors=errors,
    )


@pytest.fixture(scope="module")
def recorded(official_client: Path) -> Recorded:
    return asyncio.run(_record(official_client))


def _one(
    requests: dict[str, list[Captured]], name: str, side: str, detail: Any, expected: int = 1
) -> Captured:
    sent = requests.get(name, [])
    assert len(sent) == expected, f"{side} sent {len(sent)} requests for {name}: {sent} ({detail})"
    return sent[-1]


def _pair(recorded: Recorded, case: Case) -> tuple[Captured, Captured]:
    node_step = recorded.node_steps[case.name]
    official = _one(recorded.node, case.name, "the official client", node_step.get("error"))
    ours = _one(
        recorded.python,
        case.name,
        "botpress_async",
        repr(recorded.python_errors[case.name]),
        expected=1 + len(case.py_replies),
    )
    return official, ours


def _content_type(captured: Captured) -> str | None:
    value = captured.headers.get("content-type")
    return value.split(";")[0].strip().lower() if value else None


def test_case_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


def _pairs(query: str) -> list[str]:
    return sorted(query.split("&")) if query else []


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_python_client_sends_the_same_request_as_the_official_client(recorded: Recorded, case: Case) -> None:
    official, ours = _pair(recorded, case)
    assert (ours.method, ours.path) == (official.method, official.path)
    assert _pairs(ours.query) == _pairs(official.query), (
        f"query differs:\n ours:     {ours.query}\n official: {official.query}"
    )
    assert ours.json() == official.json(), (
        f"body differs:\n ours:     {ours.body!r}\n official: {official.body!r}"
    )
    for header in COMPARED_HEADERS:
        assert ours.headers.get(header) == official.headers.get(header), header
    assert _content_type(ours) == _content_type(official)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case, id=case.name, marks=pytest.mark.xfail(reason=ORDER_DIFFERENCES[case.name], strict=True)
        )
        if case.name in ORDER_DIFFERENCES
        else pytest.param(case, id=case.name)
        for case in CASES
        if case.op.startswith("list") or case.op in ("getTableRow", "exportTable")
    ],
)
def test_python_client_sends_the_query_string_byte_for_byte(recorded: Recorded, case: Case) -> None:
    official, ours = _pair(recorded, case)
    assert ours.query == official.query, f"\n ours:     {ours.query}\n official: {official.query}"


def test_official_client_raised_its_typed_not_found_error_for_every_case(recorded: Recorded) -> None:
    wrong = {
        name: step.get("error")
        for name, step in recorded.node_steps.items()
        if step["ok"] or step["error"]["type"] != "ResourceNotFound"
    }
    assert not wrong


def test_python_client_raised_its_not_found_error_for_every_case(recorded: Recorded) -> None:
    from botpress_async.errors import ResourceNotFoundError

    wrong = {
        name: repr(error)
        for name, error in recorded.python_errors.items()
        if not isinstance(error, ResourceNotFoundError)
    }
    assert not wrong
