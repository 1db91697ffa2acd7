"""Every operation of the runtime and Tables specs has a client method that names the call it makes.

When a new spec version adds an operation, ``test_every_spec_operation_has_a_client_method`` fails and
names it: add the method, then its line in :data:`OPERATIONS`.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import botpress_async
from botpress_async import Client

SPEC_DIR = Path(botpress_async.__file__).parent / "spec"
SPECS = ("runtime", "tables")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# operationId -> "<Client property>.<method>"
OPERATIONS: dict[str, str] = {
    # runtime: conversations and participants
    "createConversation": "conversations.create",
    "listConversations": "conversations.list",
    "getConversation": "conversations.get",
    "updateConversation": "conversations.update",
    "deleteConversation": "conversations.delete",
    "getOrCreateConversation": "conversations.get_or_create",
    "listParticipants": "conversations.list_participants",
    "addParticipant": "conversations.add_participant",
    "getParticipant": "conversations.get_participant",
    "removeParticipant": "conversations.remove_participant",
    # runtime: events
    "createEvent": "events.create",
    "listEvents": "events.list",
    "getEvent": "events.get",
    "cancelScheduledEvent": "events.cancel_scheduled",
    # runtime: messages
    "createMessage": "messages.create",
    "listMessages": "messages.list",
    "getOrCreateMessage": "messages.get_or_create",
    "getMessage": "messages.get",
    "updateMessage": "messages.update",
    "deleteMessage": "messages.delete",
    "initializeIncomingMessage": "messages.initialize_incoming",
    "importMessages": "messages.import_many",
    # runtime: users
    "createUser": "users.create",
    "listUsers": "users.list",
    "getUser": "users.get",
    "updateUser": "users.update",
    "deleteUser": "users.delete",
    "getOrCreateUser": "users.get_or_create",
    # runtime: states
    "setStateExpiry": "states.set_expiry",
    "getState": "states.get",
    "setState": "states.set",
    "patchState": "states.patch",
    "getOrSetState": "states.get_or_set",
    # runtime: the rest
    "callAction": "actions.call",
    "configureIntegration": "integrations.configure",
    "getTask": "tasks.get",
    "updateTask": "tasks.update",
    "deleteTask": "tasks.delete",
    "createTask": "tasks.create",
    "listTasks": "tasks.list",
    "createWorkflow": "workflows.create",
    "listWorkflows": "workflows.list",
    "getWorkflow": "workflows.get",
    "updateWorkflow": "workflows.update",
    "deleteWorkflow": "workflows.delete",
    "getOrCreateWorkflow": "workflows.get_or_create",
    "listTagValues": "tags.list_values",
    "trackAnalytics": "analytics.track",
    # tables
    "listTables": "tables.list",
    "createTable": "tables.create",
    "getTable": "tables.get",
    "getOrCreateTable": "tables.get_or_create",
    "updateTable": "tables.update",
    "deleteTable": "tables.delete",
    "duplicateTable": "tables.duplicate",
    "exportTable": "tables.export",
    "getTableJobs": "tables.jobs",
    "importTable": "tables.import_",
    "renameTableColumn": "tables.rename_column",
    "getTableRow": "tables.get_row",
    "findTableRows": "tables.find_rows",
    "createTableRows": "tables.create_rows",
    "updateTableRows": "tables.update_rows",
    "deleteTableRows": "tables.delete_rows",
    "upsertTableRows": "tables.upsert_rows",
}


def _spec_operations() -> dict[str, tuple[str, str, str]]:
    """operationId -> (spec name, HTTP method, path) for every operation of the specs."""
    found: dict[str, tuple[str, str, str]] = {}
    for name in SPECS:
        spec = json.loads((SPEC_DIR / f"{name}.openapi.json").read_text(encoding="utf-8"))
        for path, item in spec["paths"].items():
            for method in HTTP_METHODS:
                if method in item:
                    found[item[method]["operationId"]] = (name, method.upper(), path)
    return found


SPEC_OPERATIONS = _spec_operations()


def _method(client: Client, dotted: str) -> Any:
    resource, name = dotted.split(".")
    return getattr(getattr(client, resource), name, None)


def test_the_specs_hold_the_65_operations_this_table_was_written_for() -> None:
    counts = {name: sum(1 for s, _, _ in SPEC_OPERATIONS.values() if s == name) for name in SPECS}
    assert counts == {"runtime": 48, "tables": 17}


def test_every_spec_operation_has_a_client_method() -> None:
    client = Client(token="t", bot_id="b", environ={})
    missing = sorted(
        f"{op} ({method} {path}) -> {OPERATIONS.get(op, 'no entry in OPERATIONS')}"
        for op, (_, method, path) in SPEC_OPERATIONS.items()
        if op not in OPERATIONS or not callable(_method(client, OPERATIONS[op]))
    )
    assert not missing, "operations without a client method:\n" + "\n".join(missing)


def test_the_table_names_no_operation_the_specs_lack() -> None:
    stale = sorted(set(OPERATIONS) - set(SPEC_OPERATIONS))
    assert not stale, f"OPERATIONS lists operations the specs do not have: {stale}"


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_the_method_docstring_names_the_operations_http_call(operation_id: str) -> None:
    _, method, path = SPEC_OPERATIONS[operation_id]
    func = _method(Client(token="t", bot_id="b", environ={}), OPERATIONS[operation_id])
    assert func is not None, f"{OPERATIONS[operation_id]} does not exist"
    doc = inspect.getdoc(func) or ""
    assert f"``{method} {path}``" in doc or f"``{method} {path}?" in doc, (
        f"{OPERATIONS[operation_id]} should document API: ``{method} {path}``"
    )
