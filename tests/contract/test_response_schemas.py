"""Every emulator answer conforms to the 1.70.2 response schemas, and botpress_async reads them all.

botpress_async drives every runtime (chat) and Tables operation of the packaged 1.70.2 specs against the
emulator through a recording proxy (tests/contract/contract_helpers.py ``CaptureServer(upstream=...)``), so
the raw bytes the emulator answered are validated, not what the client made of them. Each recorded
request is matched to its spec operation by method and path template; its 2xx body must validate
against the operation's response schema with tests/emulator's ``assert_conforms`` (``$ref``s resolved,
``date-time`` formats checked, every ``...At`` timestamp in the service's ``YYYY-MM-DDTHH:MM:SS.mmmZ``
form) at the operation's declared status (201 for the six creates, 200 otherwise), and every error body
must be the error shape.
Files operations met on the way (a table import needs an uploaded file) are validated against the
Files spec too.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from contract_helpers import ORDERS_SCHEMA, Captured, CaptureServer
from emulator_helpers import assert_conforms

from botpress_async import Client
from botpress_async.emulator import ActionContext, Emulator
from botpress_async.emulator.validation import SpecName
from botpress_async.errors import ResourceNotFoundError

BOT_ID = "00000000-0000-4000-8000-0000000005c4"
CHECKED_SPECS: tuple[SpecName, ...] = ("runtime", "tables")
_ERROR_KEYS = {"id", "code", "type", "message", "description", "status"}
_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    spec: SpecName
    operation_id: str
    method: str
    pattern: re.Pattern[str]
    literal_segments: int
    success: int


@cache
def _spec_document(spec: SpecName) -> dict[str, Any]:
    from importlib import resources

    text = resources.files("botpress_async.spec").joinpath(f"{spec}.openapi.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def routes() -> tuple[Route, ...]:
    """Every operation of the runtime, Tables and Files specs, most literal path first."""
    out = []
    for spec in ("runtime", "tables", "files"):
        for template, item in _spec_document(spec)["paths"].items():
            segments = template.strip("/").split("/")
            regex = "/".join("[^/]+" if s.startswith("{") else re.escape(s) for s in segments)
            for method in _METHODS:
                op = item.get(method)
                if op is None:
                    continue
                success = next(int(code) for code in op["responses"] if code.startswith("2"))
                literal = sum(not s.startswith("{") for s in segments)
                out.append(
                    Route(
                        spec, op["operationId"], method.upper(), re.compile(f"^/{regex}$"), literal, success
                    )
                )
    return tuple(sorted(out, key=lambda r: -r.literal_segments))


def operation_ids(spec: SpecName) -> list[str]:
    return [r.operation_id for r in routes() if r.spec == spec]


def route_of(captured: Captured) -> Route | None:
    for route in routes():
        if route.method == captured.method and route.pattern.match(captured.path):
            return route
    return None


def _echo(input: dict[str, Any], context: ActionContext) -> dict[str, Any]:
    return {"echo": input}


async def _drive_runtime(bp: Client) -> None:
    user = await bp.users.create(
        tags={"slack:id": "U 1"}, name="Ada", picture_url="https://example.test/a.png"
    )
    user_2 = await bp.users.create(tags={})
    await bp.users.get(user.id)
    await bp.users.get_or_create(tags={"slack:id": "U 1"}, discriminate_by_tags=["slack:id"])
    await bp.users.update(user.id, name=None, tags={"team": "core"})
    await bp.users.list(tags={"slack:id": "U 1"})

    conv = await bp.conversations.create(channel="web", tags={"thread id": "t:1"}, integration_name="web")
    await bp.conversations.get(conv.id)
    await bp.conversations.get_or_create(channel="web", tags={"thread id": "t:1"})
    await bp.conversations.update(conv.id, tags={"topic": "billing"})
    await bp.conversations.add_participant(conv.id, user_id=user.id)
    await bp.conversations.add_participant(conv.id, user_id=user_2.id)
    await bp.conversations.list_participants(conv.id)
    await bp.conversations.get_participant(conv.id, user.id)
    await bp.conversations.list(participant_ids=[user.id], sort_field="updatedAt")
    await bp.users.list(conversation_id=conv.id)

    message = await bp.messages.create(
        conversation_id=conv.id, user_id=user.id, type="text", payload={"text": "hi"}, tags={"ext": "1"}
    )
    await bp.messages.create(
        conversation_id=conv.id,
        user_id=user.id,
        type="text",
        payload={"text": "later"},
        tags={},
        delay_ms=60_000,
    )
    await bp.messages.get_or_create(
        conversation_id=conv.id, user_id=user.id, type="text", payload={"text": "hi"}, tags={"ext": "1"}
    )
    await bp.messages.get(message.id)
    await bp.messages.update(message.id, tags={"edited": "yes"}, payload={"text": "edited"})
    await bp.messages.list(conversation_id=conv.id, tags={"ext": "1"})
    await bp.messages.initialize_incoming(
        user={"tags": {"slack:id": "U 2"}, "discriminate_by_tags": ["slack:id"]},
        conversation={"channel": "web", "tags": {"thread id": "t:2"}, "discriminate_by_tags": ["thread id"]},
        message={
            "payload": {"text": "hello"},
            "type": "text",
            "tags": {"ext": "2"},
            "discriminate_by_tags": ["ext"],
        },
    )
    await bp.messages.import_many(
        [
            {
                "conversation_id": conv.id,
                "user_id": user.id,
                "type": "text",
                "payload": {"text": "old"},
                "tags": {"ext": "3"},
                "created_at": datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC),
                "discriminate_by_tags": ["ext"],
            }
        ]
    )

    event = await bp.events.create(type="ping", payload={"n": 1}, conversation_id=conv.id, user_id=user.id)
    scheduled = await bp.events.create(type="later", payload={}, at="2030-01-02T03:04:05.678Z")
    await bp.events.get(event.id)
    await bp.events.list(conversation_id=conv.id)
    await bp.events.cancel_scheduled(scheduled.id)

    await bp.states.set("user", user.id, "profile", {"a": 1}, expiry=60_000)
    await bp.states.get("user", user.id, "profile")
    await bp.states.patch("user", user.id, "profile", {"b": 2})
    await bp.states.get_or_set("conversation", conv.id, "counter", {"n": 1}, expiry=1000)
    await bp.states.set_expiry("user", user.id, "profile", 5000)
    await bp.states.set("bot", BOT_ID, "settings", {"on": True})

    await bp.actions.call("echo:run", {"x": 1})
    await bp.integrations.configure(identifier="acme")

    task = await bp.tasks.create(type="review", conversation_id=conv.id, title="Check", tags={"k": "v"})
    await bp.tasks.get(task.id)
    await bp.tasks.list(conversation_id=conv.id)
    await bp.tasks.update(task.id, status="in_progress", data={"step": 1})
    await bp.states.set("task", task.id, "notes", {"n": 1})
    await bp.tasks.delete(task.id)

    workflow = await bp.workflows.create(
        name="onboarding", status="pending", tags={"k": "v"}, user_id=user.id
    )
    await bp.workflows.get(workflow.id)
    await bp.workflows.get_or_create(
        name="onboarding", status="pending", tags={"k": "v"}, discriminate_by_tags=["k"]
    )
    await bp.workflows.list(statuses=["pending"], tags={"k": "v"})
    await bp.workflows.update(workflow.id, status="completed", output={"ok": True})
    await bp.states.set("workflow", workflow.id, "w", {"n": 1})
    await bp.workflows.delete(workflow.id)

    await bp.tags.list_values("slack:id", type="user")
    await bp.analytics.track("signup", 2)

    await bp.messages.delete(message.id)
    await bp.conversations.remove_participant(conv.id, user_2.id)
    await bp.conversations.delete(conv.id)
    await bp.users.delete(user_2.id)
    with pytest.raises(ResourceNotFoundError):
        await bp.users.get(user_2.id)


TABLE = "SchemaOrdersTable"


async def _drive_tables(bp: Client) -> None:
    await bp.tables.create(TABLE, schema=ORDERS_SCHEMA, key_column="sku", tags={"env": "ci"})
    await bp.tables.get_or_create(TABLE, schema=ORDERS_SCHEMA)
    await bp.tables.get(TABLE)
    await bp.tables.list(tags={"env": "ci"})
    created = await bp.tables.create_rows(
        TABLE,
        [
            {"sku": "a", "qty": 1, "note": "blue shoes"},
            {"sku": "b", "qty": 5},
            {"sku": "c", "qty": 9, "x": 1},
        ],
    )
    first = created.rows[0].id
    await bp.tables.find_rows(TABLE, filter={"qty": {"$gte": 5}}, order_by="qty", limit=1)
    await bp.tables.find_rows(TABLE, group={"qty": ["sum", "avg", "min", "max"], "sku": ["key", "count"]})
    await bp.tables.find_rows(TABLE, search="blue", select=["sku"])
    await bp.tables.get_row(TABLE, first)
    await bp.tables.update_rows(TABLE, [{"id": first, "qty": 2}])
    await bp.tables.upsert_rows(TABLE, [{"sku": "a", "qty": 3}, {"sku": "d", "qty": 4}], key_column="sku")
    await bp.tables.rename_column(TABLE, "note", "comment")
    await bp.tables.update(TABLE, schema={"properties": {"done": {"type": "boolean"}}})
    await bp.tables.duplicate(TABLE, table_name="SchemaCopyTable")
    await bp.tables.export(TABLE, format="json", compress=False)
    await bp.tables.jobs(TABLE)
    upload = await bp.files.upload("orders.csv", "sku,qty\ne,5\n", content_type="text/csv")
    await bp.tables.import_(TABLE, upload.id)
    await bp.tables.delete_rows(TABLE, ids=[first])
    await bp.tables.delete_rows(TABLE, filter={"sku": {"$eq": "d"}})
    await bp.tables.delete_rows("SchemaCopyTable", delete_all_rows=True)
    await bp.tables.delete("SchemaCopyTable")


async def _record() -> list[Captured]:
    async with Emulator() as emu:
        emu.register_action("echo:run", _echo)
        async with (
            CaptureServer(upstream=emu.url) as proxy,
            Client(token=emu.token, bot_id=BOT_ID, base_url=proxy.url, environ={}) as bp,
        ):
            proxy.step = "runtime"
            await _drive_runtime(bp)
            proxy.step = "tables"
            await _drive_tables(bp)
            # a few raw error answers: unknown id, bad query, bad body, unknown route
            proxy.step = "errors"
            for method, path, body in [
                ("GET", "/v1/chat/conversations/conv_01HQMISSING0000000000000001", None),
                ("GET", "/v1/chat/users?sortField=nope", None),
                ("POST", "/v1/chat/users", {"tags": "not an object"}),
                ("POST", "/v1/tables/SchemaOrdersTable/rows/find", {"filter": {"qty": {"$near": 1}}}),
                ("GET", "/v1/tables/NoSuchTable", None),
            ]:
                with pytest.raises(Exception):  # noqa: B017 - only the recorded answer matters here
                    await bp.request(method, path, json=body if body is not None else None)
            return proxy.requests


@pytest.fixture(scope="module")
def recorded() -> list[Captured]:
    return asyncio.run(_record())


def _problems(route: Route, captured: Captured) -> list[str]:
    if captured.status != route.success:
        return [f"status {captured.status}, the spec declares {route.success}"]
    try:
        assert_conforms(route.spec, route.operation_id, captured.status, captured.response)
    except AssertionError as exc:
        return [str(exc)]
    return []


def _answered(recorded: list[Captured], spec: SpecName, operation_id: str) -> list[Captured]:
    return [
        c
        for c in recorded
        if (r := route_of(c)) is not None and (r.spec, r.operation_id) == (spec, operation_id)
    ]


def test_every_recorded_request_is_a_spec_operation(recorded: list[Captured]) -> None:
    unknown = [c for c in recorded if c.step != "errors" and route_of(c) is None]
    assert not unknown


@pytest.mark.parametrize(
    ("spec", "operation_id"), [(spec, op) for spec in CHECKED_SPECS for op in operation_ids(spec)]
)
def test_emulator_answer_conforms_to_the_response_schema(
    recorded: list[Captured], spec: SpecName, operation_id: str
) -> None:
    answers = [c for c in _answered(recorded, spec, operation_id) if 200 <= c.status < 300]
    assert answers, f"{operation_id} was never answered 2xx: {_answered(recorded, spec, operation_id)}"
    route = route_of(answers[0])
    assert route is not None
    problems = {f"{c.method} {c.path}": p for c in answers if (p := _problems(route, c))}
    assert not problems


def test_files_operations_met_on_the_way_conform_to_the_files_spec(recorded: list[Captured]) -> None:
    files = [
        (r, c) for c in recorded if (r := route_of(c)) is not None and r.spec == "files" and c.status < 300
    ]
    assert files, "a table import uploads a file first"
    problems = {r.operation_id: p for r, c in files if (p := _problems(r, c))}
    assert not problems


def test_every_error_answer_has_the_error_shape(recorded: list[Captured]) -> None:
    failures = [c for c in recorded if c.status >= 400]
    assert len(failures) >= 6  # the deleted user and the five raw error requests
    bad = [
        (c.method, c.path, c.status, c.response)
        for c in failures
        if not isinstance(c.response, dict)
        or set(c.response) != _ERROR_KEYS
        or c.response["status"] != c.status
        or c.response["code"] != c.status
    ]
    assert not bad


def test_no_answer_was_a_server_error(recorded: list[Captured]) -> None:
    assert [c for c in recorded if c.status >= 500] == []
