"""The official TypeScript client (@botpress/client, unchanged) works against the emulator.

One node process drives the official client through every runtime operation it has and every Tables
operation, over a real loopback socket, then prints what each call returned or threw; the tests below
check each step and the typed errors (``err.type``) of the error paths.

The official client 1.45.0 is newer than the 1.70.2 spec the emulator implements: what it can send beyond
that spec (pageSize, minMessageCount, patchState expiry, user properties, captureObservation) is driven
too and checked by the tests at the end (the emulator serves these, see ``emulator/beyond_spec.py``).

Not covered, and why:
- tasks (createTask, getTask, listTasks, updateTask, deleteTask): the official client 1.45.0 has no task
  operations (they are in the 1.70.2 spec; test_response_schemas.py drives them with botpress_async).
- importTable is driven after the official ``uploadFile`` (upsertFile, then a PUT to the upload URL).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from contract_helpers import ORDERS_SCHEMA, PINNED_VERSION, run_driver

from botpress_async.emulator import ActionContext, Emulator

BOT_ID = "00000000-0000-4000-8000-00000000c0de"
MISSING_USER = "user_01HQMISSINGUSER0000000000001"
OK = "ok"


def ref(path: str) -> dict[str, str]:
    """A value taken from an earlier step's result by the driver (``"createUser.user.id"``)."""
    return {"$ref": path}


def step(name: str, op: str, input: dict[str, Any], expect: str = OK, **extra: Any) -> dict[str, Any]:
    """One driver step; ``expect`` is ``"ok"`` or the error type the official client must throw."""
    return {"name": name, "op": op, "input": input, "expect": expect, **extra}


USER = ref("createUser.user.id")
USER_2 = ref("createUser2.user.id")
CONV = ref("createConversation.conversation.id")
MSG = ref("createMessage.message.id")

RUNTIME_STEPS: list[dict[str, Any]] = [
    # users
    step("createUser", "createUser", {"tags": {"slack:id": "U 1", "team name": "core"}, "name": "Ada"}),
    step("createUser2", "createUser", {"tags": {"slack:id": "U 2"}, "name": "Bob"}),
    step("getUser", "getUser", {"id": USER}),
    step(
        "getOrCreateUser",
        "getOrCreateUser",
        {"tags": {"slack:id": "U 1", "team name": "other"}, "discriminateByTags": ["slack:id"]},
    ),
    step("updateUser", "updateUser", {"id": USER, "name": "Ada L.", "tags": {"team name": ""}}),
    step("listUsers-tags", "listUsers", {"tags": {"slack:id": "U 1"}}),
    *[step(f"createUser-batch-{n}", "createUser", {"tags": {"batch": "b 1"}}) for n in range(25)],
    step("list.users-every-page", "list.users", {"tags": {"batch": "b 1"}}),
    # conversations and participants
    step("createConversation", "createConversation", {"channel": "web", "tags": {"thread id": "t:1"}}),
    step(
        "getOrCreateConversation", "getOrCreateConversation", {"channel": "web", "tags": {"thread id": "t:1"}}
    ),
    step("getConversation", "getConversation", {"id": CONV}),
    step("updateConversation", "updateConversation", {"id": CONV, "tags": {"topic": "billing"}}),
    step("addParticipant", "addParticipant", {"id": CONV, "userId": USER}),
    step("addParticipant2", "addParticipant", {"id": CONV, "userId": USER_2}),
    step("listParticipants", "listParticipants", {"id": CONV}),
    step("getParticipant", "getParticipant", {"id": CONV, "userId": USER}),
    step("listConversations-participantIds", "listConversations", {"participantIds": [USER, USER_2]}),
    step("listConversations-tags", "listConversations", {"tags": {"thread id": "t:1"}}),
    step("listUsers-conversation", "listUsers", {"conversationId": CONV}),
    # messages
    step(
        "createMessage",
        "createMessage",
        {
            "conversationId": CONV,
            "userId": USER,
            "type": "text",
            "payload": {"text": "hi"},
            "tags": {"ext id": "m:1"},
        },
    ),
    step(
        "getOrCreateMessage",
        "getOrCreateMessage",
        {
            "conversationId": CONV,
            "userId": USER,
            "type": "text",
            "payload": {"text": "hi again"},
            "tags": {"ext id": "m:1", "other": "x"},
            "discriminateByTags": ["ext id"],
        },
    ),
    step("getMessage", "getMessage", {"id": MSG}),
    step(
        "updateMessage",
        "updateMessage",
        {"id": MSG, "tags": {"edited": "yes"}, "payload": {"text": "edited"}},
    ),
    step("listMessages-tags", "listMessages", {"conversationId": CONV, "tags": {"ext id": "m:1"}}),
    step(
        "initializeIncomingMessage",
        "initializeIncomingMessage",
        {
            "user": {"tags": {"slack:id": "U 3"}, "discriminateByTags": ["slack:id"]},
            "conversation": {
                "channel": "web",
                "tags": {"thread id": "t:2"},
                "discriminateByTags": ["thread id"],
            },
            "message": {
                "payload": {"text": "hello"},
                "type": "text",
                "tags": {"ext id": "m:2"},
                "discriminateByTags": ["ext id"],
            },
        },
    ),
    # events
    step("createEvent", "createEvent", {"type": "custom:ping", "payload": {"n": 1}, "conversationId": CONV}),
    step(
        "createEvent-scheduled",
        "createEvent",
        {"type": "custom:later", "payload": {}, "schedule": {"delay": 3_600_000}, "conversationId": CONV},
    ),
    step("getEvent", "getEvent", {"id": ref("createEvent.event.id")}),
    step("listEvents", "listEvents", {"conversationId": CONV, "type": "custom:ping"}),
    step("cancelScheduledEvent", "cancelScheduledEvent", {"id": ref("createEvent-scheduled.event.id")}),
    # states
    step(
        "setState",
        "setState",
        {"type": "user", "id": USER, "name": "profile", "payload": {"a": 1}, "expiry": 60_000},
    ),
    step("getState", "getState", {"type": "user", "id": USER, "name": "profile"}),
    step("patchState", "patchState", {"type": "user", "id": USER, "name": "profile", "payload": {"b": 2}}),
    step(
        "getOrSetState-first",
        "getOrSetState",
        {"type": "conversation", "id": CONV, "name": "c", "payload": {"n": 1}},
    ),
    step(
        "getOrSetState-again",
        "getOrSetState",
        {"type": "conversation", "id": CONV, "name": "c", "payload": {"n": 2}},
    ),
    step("setStateExpiry", "setStateExpiry", {"type": "user", "id": USER, "name": "profile", "expiry": 1000}),
    step(
        "setState-bot", "setState", {"type": "bot", "id": BOT_ID, "name": "settings", "payload": {"on": True}}
    ),
    step(
        "setState-null-deletes", "setState", {"type": "user", "id": USER, "name": "profile", "payload": None}
    ),
    step("getState-deleted", "getState", {"type": "user", "id": USER, "name": "profile"}, "ResourceNotFound"),
    # actions
    step("callAction", "callAction", {"type": "echo:run", "input": {"x": [1, 2]}}),
    step("callAction-unknown", "callAction", {"type": "nobody:home", "input": {}}, "ResourceNotFound"),
    # workflows
    step("createWorkflow", "createWorkflow", {"name": "onboarding", "status": "pending", "tags": {"k": "v"}}),
    step("getWorkflow", "getWorkflow", {"id": ref("createWorkflow.workflow.id")}),
    step(
        "getOrCreateWorkflow",
        "getOrCreateWorkflow",
        {"name": "onboarding", "status": "pending", "tags": {"k": "v"}, "discriminateByTags": ["k"]},
    ),
    step("listWorkflows", "listWorkflows", {"tags": {"k": "v"}, "statuses": ["pending", "in_progress"]}),
    step(
        "updateWorkflow",
        "updateWorkflow",
        {"id": ref("createWorkflow.workflow.id"), "status": "completed", "output": {"done": True}},
    ),
    step("deleteWorkflow", "deleteWorkflow", {"id": ref("createWorkflow.workflow.id")}),
    # tags, analytics, integrations
    step("listTagValues", "listTagValues", {"key": "slack:id", "type": "user"}),
    step("trackAnalytics", "trackAnalytics", {"name": "signup", "count": 2}),
    step("configureIntegration", "configureIntegration", {"identifier": "acme"}),
    # deletions
    step("deleteMessage", "deleteMessage", {"id": MSG}),
    step("getMessage-deleted", "getMessage", {"id": MSG}, "ResourceNotFound"),
    step("removeParticipant", "removeParticipant", {"id": CONV, "userId": USER_2}),
    step("getParticipant-removed", "getParticipant", {"id": CONV, "userId": USER_2}, "ResourceNotFound"),
    step("deleteConversation", "deleteConversation", {"id": CONV}),
    step("deleteUser", "deleteUser", {"id": USER_2}),
    # error paths
    step("getUser-missing", "getUser", {"id": MISSING_USER}, "ResourceNotFound"),
    step("createUser-name-too-long", "createUser", {"tags": {}, "name": "x" * 201}, "InvalidPayload"),
    step("listUsers-bad-token", "listUsers", {"nextToken": "not a token"}, "InvalidQuery"),
    step("getUser-wrong-token", "getUser", {"id": USER}, "Unauthorized", clientOptions={"token": "wrong"}),
]

TABLE = "ContractOrdersTable"
ROW_B = ref("createTableRows.rows.1.id")

TABLE_STEPS: list[dict[str, Any]] = [
    step(
        "createTable",
        "createTable",
        {"name": TABLE, "schema": ORDERS_SCHEMA, "keyColumn": "sku", "tags": {"env": "ci"}},
    ),
    step("getOrCreateTable", "getOrCreateTable", {"table": TABLE, "schema": ORDERS_SCHEMA}),
    step("getTable", "getTable", {"table": TABLE}),
    step("listTables", "listTables", {"tags": {"env": "ci"}}),
    step(
        "createTableRows",
        "createTableRows",
        {
            "table": TABLE,
            "rows": [
                {"sku": "a", "qty": 1, "note": "blue suede shoes"},
                {"sku": "b", "qty": 5, "note": "red hat"},
                {"sku": "c", "qty": 9, "note": "green scarf"},
            ],
        },
    ),
    step(
        "findTableRows-filter",
        "findTableRows",
        {"table": TABLE, "filter": {"qty": {"$gte": 5}}, "orderBy": "qty"},
    ),
    step("findTableRows-group", "findTableRows", {"table": TABLE, "group": {"qty": ["sum", "max"]}}),
    step("findTableRows-search", "findTableRows", {"table": TABLE, "search": "suede"}),
    step("getTableRow", "getTableRow", {"table": TABLE, "id": ROW_B}),
    step("updateTableRows", "updateTableRows", {"table": TABLE, "rows": [{"id": ROW_B, "qty": 6}]}),
    step(
        "upsertTableRows",
        "upsertTableRows",
        {"table": TABLE, "rows": [{"sku": "a", "qty": 7}, {"sku": "d", "qty": 2}], "keyColumn": "sku"},
    ),
    step("renameTableColumn", "renameTableColumn", {"table": TABLE, "name": "note", "newName": "comment"}),
    step(
        "updateTable",
        "updateTable",
        {"table": TABLE, "schema": {"properties": {"done": {"type": "boolean"}}}},
    ),
    step("duplicateTable", "duplicateTable", {"sourceTableId": TABLE, "tableName": "ContractCopyTable"}),
    step("exportTable", "exportTable", {"table": TABLE, "format": "json"}),
    step(
        "uploadFile",
        "uploadFile",
        {"key": "orders.csv", "content": "sku,qty\ne,5\n", "contentType": "text/csv"},
    ),
    step("importTable", "importTable", {"table": TABLE, "fileId": ref("uploadFile.file.id")}),
    step("getTableJobs", "getTableJobs", {"table": TABLE}),
    step("deleteTableRows-ids", "deleteTableRows", {"table": TABLE, "ids": [ROW_B]}),
    step("deleteTableRows-filter", "deleteTableRows", {"table": TABLE, "filter": {"sku": {"$eq": "d"}}}),
    step("findTableRows-after-deletes", "findTableRows", {"table": TABLE, "orderBy": "sku"}),
    step("deleteTableRows-all", "deleteTableRows", {"table": "ContractCopyTable", "deleteAllRows": True}),
    step("deleteTable", "deleteTable", {"table": "ContractCopyTable"}),
    step("getTable-deleted", "getTable", {"table": "ContractCopyTable"}, "ResourceNotFound"),
    step(
        "findTableRows-bad-operator",
        "findTableRows",
        {"table": TABLE, "filter": {"qty": {"$near": 1}}},
        "InvalidQuery",
    ),
    step(
        "createTable-bad-name",
        "createTable",
        {"name": "not a table", "schema": ORDERS_SCHEMA},
        "InvalidPayload",
    ),
]

STEPS = RUNTIME_STEPS + TABLE_STEPS

#: What the official client 1.45.0 can send that the 1.70.2 spec (the emulator's contract) lacks: the client
#: is newer than the spec. Driven after STEPS; checked by the tests at the end of this module.
DRIFT_STEPS: list[dict[str, Any]] = [
    step("drift-listUsers-pageSize", "listUsers", {"tags": {"batch": "b 1"}, "pageSize": 5}),
    step("drift-listConversations-minMessageCount", "listConversations", {"minMessageCount": 1000}),
    step(
        "drift-patchState-expiry",
        "patchState",
        {"type": "bot", "id": BOT_ID, "name": "settings", "payload": {"m": 1}, "expiry": 60_000},
    ),
    step("drift-createUser-properties", "createUser", {"tags": {}, "properties": {"plan": "pro"}}),
    step("drift-captureObservation", "captureObservation", {"name": "latency", "data": {"ms": 12}}),
]


def _echo(input: dict[str, Any], context: ActionContext) -> dict[str, Any]:
    return {"echo": input, "bot": context.bot_id}


async def _drive(node_modules: Path) -> dict[str, Any]:
    steps = [{key: value for key, value in s.items() if key != "expect"} for s in STEPS + DRIFT_STEPS]
    async with Emulator() as emu:
        emu.register_action("echo:run", _echo)
        report = await run_driver(node_modules, steps, api_url=emu.url, token=emu.token, bot_id=BOT_ID)
    report["byName"] = {entry["name"]: entry for entry in report["steps"]}
    return report


@pytest.fixture(scope="module")
def report(official_client: Path) -> dict[str, Any]:
    return asyncio.run(_drive(official_client))


def result(report: dict[str, Any], name: str) -> Any:
    entry = report["byName"][name]
    assert entry["ok"], f"{name} failed: {entry.get('error')}"
    return entry["result"]


def test_the_pinned_official_client_version_ran(report: dict[str, Any]) -> None:
    assert report["clientVersion"] == PINNED_VERSION


@pytest.mark.parametrize("spec", STEPS, ids=[s["name"] for s in STEPS])
def test_official_client_step_succeeds_or_throws_the_expected_typed_error(
    report: dict[str, Any], spec: dict[str, Any]
) -> None:
    entry = report["byName"][spec["name"]]
    if spec["expect"] == OK:
        assert entry["ok"], f"{spec['op']} threw {entry.get('error')}"
    else:
        assert not entry["ok"], f"{spec['op']} succeeded, expected {spec['expect']}: {entry.get('result')}"
        error = entry["error"]
        assert error["isApiError"], error
        assert error["type"] == spec["expect"], error
        assert error["className"] == f"{spec['expect']}Error", error


# ------------------------------------------------------- runtime semantics seen by the official client


def test_get_or_create_user_matched_on_the_discriminating_tag_only(report: dict[str, Any]) -> None:
    assert result(report, "getOrCreateUser")["user"]["id"] == result(report, "createUser")["user"]["id"]


def test_updating_a_tag_with_an_empty_value_removed_it(report: dict[str, Any]) -> None:
    user = result(report, "updateUser")["user"]
    assert user["name"] == "Ada L."
    assert user["tags"] == {"slack:id": "U 1"}


def test_list_users_by_tag_with_colon_and_space_found_the_user(report: dict[str, Any]) -> None:
    ids = [user["id"] for user in result(report, "listUsers-tags")["users"]]
    assert ids == [result(report, "createUser")["user"]["id"]]


def test_the_official_lister_followed_next_tokens_over_every_page(report: dict[str, Any]) -> None:
    created = {result(report, f"createUser-batch-{n}")["user"]["id"] for n in range(25)}
    listed = [user["id"] for user in result(report, "list.users-every-page")["items"]]
    assert len(listed) == 25  # two pages of 20 and 5
    assert set(listed) == created


def test_get_or_create_conversation_returned_the_existing_conversation(report: dict[str, Any]) -> None:
    created = result(report, "createConversation")["conversation"]["id"]
    assert result(report, "getOrCreateConversation")["conversation"]["id"] == created


def test_list_conversations_by_participant_ids_and_by_tags_found_the_conversation(
    report: dict[str, Any],
) -> None:
    created = result(report, "createConversation")["conversation"]["id"]
    assert [c["id"] for c in result(report, "listConversations-participantIds")["conversations"]] == [created]
    assert created in [c["id"] for c in result(report, "listConversations-tags")["conversations"]]


def test_participants_are_listed_and_users_listed_by_conversation(report: dict[str, Any]) -> None:
    expected = {result(report, "createUser")["user"]["id"], result(report, "createUser2")["user"]["id"]}
    assert {p["id"] for p in result(report, "listParticipants")["participants"]} == expected
    assert {u["id"] for u in result(report, "listUsers-conversation")["users"]} == expected


def test_get_or_create_message_matched_on_the_discriminating_tag(report: dict[str, Any]) -> None:
    assert (
        result(report, "getOrCreateMessage")["message"]["id"]
        == result(report, "createMessage")["message"]["id"]
    )


def test_list_messages_by_tag_found_the_message(report: dict[str, Any]) -> None:
    ids = [m["id"] for m in result(report, "listMessages-tags")["messages"]]
    assert ids == [result(report, "createMessage")["message"]["id"]]


def test_initialize_incoming_message_created_user_conversation_and_message(report: dict[str, Any]) -> None:
    answer = result(report, "initializeIncomingMessage")
    assert answer["user"]["tags"]["slack:id"] == "U 3"
    assert answer["conversation"]["tags"]["thread id"] == "t:2"
    assert answer["message"]["payload"] == {"text": "hello"}


def test_a_scheduled_event_was_scheduled_and_the_plain_one_listed(report: dict[str, Any]) -> None:
    assert result(report, "createEvent-scheduled")["event"]["status"] == "scheduled"
    listed = [e["id"] for e in result(report, "listEvents")["events"]]
    assert listed == [result(report, "createEvent")["event"]["id"]]


def test_states_set_get_patch_and_expiry_round_trip(report: dict[str, Any]) -> None:
    # the 1.70.2 State has no expiry field: setStateExpiry answers the state itself
    assert result(report, "getState")["state"]["payload"] == {"a": 1}
    assert result(report, "patchState")["state"]["payload"] == {"a": 1, "b": 2}
    assert result(report, "setStateExpiry")["state"]["payload"] == {"a": 1, "b": 2}


def test_get_or_set_state_kept_the_first_value(report: dict[str, Any]) -> None:
    assert result(report, "getOrSetState-first")["state"]["payload"] == {"n": 1}
    assert result(report, "getOrSetState-again")["state"]["payload"] == {"n": 1}


def test_call_action_returned_the_registered_handler_output(report: dict[str, Any]) -> None:
    assert result(report, "callAction")["output"] == {"echo": {"x": [1, 2]}, "bot": BOT_ID}


def test_get_or_create_workflow_returned_the_existing_workflow(report: dict[str, Any]) -> None:
    created = result(report, "createWorkflow")["workflow"]["id"]
    assert result(report, "getOrCreateWorkflow")["workflow"]["id"] == created
    assert [w["id"] for w in result(report, "listWorkflows")["workflows"]] == [created]
    assert result(report, "updateWorkflow")["workflow"]["status"] == "completed"


def test_list_tag_values_returned_the_user_tag_values(report: dict[str, Any]) -> None:
    values = {tag["value"] for tag in result(report, "listTagValues")["tags"]}
    assert values == {"U 1", "U 2", "U 3"}


# -------------------------------------------------------- Tables semantics seen by the official client


def test_get_or_create_table_found_the_existing_table(report: dict[str, Any]) -> None:
    answer = result(report, "getOrCreateTable")
    assert answer["created"] is False
    assert answer["table"]["id"] == result(report, "createTable")["table"]["id"]


def test_find_rows_with_a_filter_returned_the_matching_rows_in_order(report: dict[str, Any]) -> None:
    answer = result(report, "findTableRows-filter")
    assert [row["sku"] for row in answer["rows"]] == ["b", "c"]
    assert answer["hasMore"] is False


def test_find_rows_with_a_group_aggregated_every_row(report: dict[str, Any]) -> None:
    rows = result(report, "findTableRows-group")["rows"]
    assert rows[0]["qtySum"] == 15
    assert rows[0]["qtyMax"] == 9


def test_find_rows_with_search_ranked_the_matching_row_first_with_a_similarity(
    report: dict[str, Any],
) -> None:
    rows = result(report, "findTableRows-search")["rows"]
    assert rows[0]["sku"] == "a"
    similarities = [row["similarity"] for row in rows]
    assert similarities == sorted(similarities, reverse=True)
    assert similarities[0] > similarities[-1]


def test_upsert_on_the_key_column_updated_one_row_and_inserted_one(report: dict[str, Any]) -> None:
    answer = result(report, "upsertTableRows")
    assert [row["sku"] for row in answer["updated"]] == ["a"]
    assert [row["sku"] for row in answer["inserted"]] == ["d"]


def test_row_updates_renames_and_deletes_show_in_a_later_find(report: dict[str, Any]) -> None:
    assert result(report, "updateTableRows")["rows"][0]["qty"] == 6
    assert result(report, "deleteTableRows-ids")["deletedRows"] == 1
    assert result(report, "deleteTableRows-filter")["deletedRows"] == 1
    rows = result(report, "findTableRows-after-deletes")["rows"]
    assert [(row["sku"], row["qty"]) for row in rows] == [("a", 7), ("c", 9), ("e", 5)]  # e: imported
    assert rows[0]["comment"] == "blue suede shoes"


def test_import_of_an_uploaded_csv_is_a_listed_job(report: dict[str, Any]) -> None:
    job = result(report, "importTable")["job"]
    assert job["type"] == "import"
    assert job["id"] in [listed["id"] for listed in result(report, "getTableJobs")["jobs"]]


def test_duplicate_table_copied_the_rows(report: dict[str, Any]) -> None:
    assert result(report, "duplicateTable")["table"]["name"] == "ContractCopyTable"
    assert result(report, "deleteTableRows-all")["deletedRows"] == 4


# ---------------------------- official client 1.45.0 features beyond the 1.70.2 spec, served by the emulator


def test_list_users_honours_the_official_page_size(report: dict[str, Any]) -> None:
    assert len(result(report, "drift-listUsers-pageSize")["users"]) == 5


def test_list_conversations_honours_the_official_min_message_count(report: dict[str, Any]) -> None:
    assert result(report, "drift-listConversations-minMessageCount")["conversations"] == []


def test_patch_state_accepts_the_official_expiry(report: dict[str, Any]) -> None:
    assert result(report, "drift-patchState-expiry")["state"]["payload"] == {"on": True, "m": 1}


def test_create_user_accepts_the_official_properties(report: dict[str, Any]) -> None:
    assert result(report, "drift-createUser-properties")["user"]["properties"] == {"plan": "pro"}


def test_capture_observation_is_served(report: dict[str, Any]) -> None:
    assert result(report, "drift-captureObservation") == {}
