"""bp.workflows: every endpoint's request on the wire and the structured answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from runtime_wire import CONV_ID, CREATED_AT, USER_ID, WORKFLOW_ID, assert_sent, only_call, workflow

from botpress_async import APIError, Client
from botpress_async.models import Workflow

_WORKFLOWS = "/v1/chat/workflows"
_WORKFLOW = f"/v1/chat/workflows/{WORKFLOW_ID}"


async def test_create_posts_every_field_in_camel_case(bp: Client, wire) -> None:
    wire.reply("POST", _WORKFLOWS, {"workflow": workflow()}, status=201)
    result = await bp.workflows.create(
        name="onboarding", status="in_progress", input={"step": 0}, parent_workflow_id="wfl_parent",
        conversation_id=CONV_ID, user_id=USER_ID, timeout_at=datetime(2030, 1, 1, tzinfo=UTC),
        tags={"k": "v"}, event_id="evt_1",
    )
    assert_sent(
        only_call(wire), "POST", _WORKFLOWS,
        {"name": "onboarding", "input": {"step": 0}, "parentWorkflowId": "wfl_parent",
         "conversationId": CONV_ID, "userId": USER_ID, "timeoutAt": "2030-01-01T00:00:00.000Z",
         "tags": {"k": "v"}, "status": "in_progress", "eventId": "evt_1"},
    )
    assert isinstance(result, Workflow)
    assert result.created_at == CREATED_AT


async def test_create_answered_502_is_sent_once(bp: Client, wire) -> None:
    wire.reply("POST", _WORKFLOWS, status=502, body="bad gateway", repeat=True)
    with pytest.raises(APIError) as info:
        await bp.workflows.create(name="onboarding", status="pending")
    assert info.value.status == 502
    assert len(wire.calls) == 1


async def test_get_fetches_one_workflow(bp: Client, wire) -> None:
    wire.reply("GET", _WORKFLOW, {"workflow": workflow(completedAt=None)})
    result = await bp.workflows.get(WORKFLOW_ID)
    assert_sent(only_call(wire), "GET", _WORKFLOW)
    assert result.name == "onboarding"


async def test_list_repeats_statuses_and_sends_filters(bp: Client, wire) -> None:
    wire.reply("GET", _WORKFLOWS, {"workflows": [workflow()], "meta": {}})
    await bp.workflows.list(
        tags={"k": "v"}, conversation_id=CONV_ID, user_id=USER_ID, parent_workflow_id="wfl_parent",
        statuses=["listening", "paused"], name="onboarding",
    )
    assert_sent(
        only_call(wire), "GET",
        f"{_WORKFLOWS}?tags.k=v&conversationId={CONV_ID}&userId={USER_ID}&parentWorkflowId=wfl_parent"
        "&statuses=listening&statuses=paused&name=onboarding",
    )


async def test_list_iterates_three_pages(bp: Client, wire) -> None:
    wire.reply("GET", _WORKFLOWS, {"workflows": [workflow("w1")], "meta": {"nextToken": "b"}})
    wire.reply("GET", _WORKFLOWS, {"workflows": [workflow("w2")], "meta": {"nextToken": "c"}})
    wire.reply("GET", _WORKFLOWS, {"workflows": [workflow("w3")], "meta": {}})
    assert [w.id for w in await bp.workflows.list(name="x").collect()] == ["w1", "w2", "w3"]
    assert wire.calls[1].query == "nextToken=b&name=x"


async def test_update_sends_only_what_is_given(bp: Client, wire) -> None:
    wire.reply("PUT", _WORKFLOW, {"workflow": workflow(status="failed", failureReason="boom")})
    result = await bp.workflows.update(WORKFLOW_ID, status="failed", failure_reason="boom", output={})
    assert_sent(
        only_call(wire), "PUT", _WORKFLOW, {"output": {}, "status": "failed", "failureReason": "boom"}
    )
    assert result.failure_reason == "boom"


async def test_delete_sends_an_empty_object(bp: Client, wire) -> None:
    wire.reply("DELETE", _WORKFLOW, {})
    assert await bp.workflows.delete(WORKFLOW_ID) is None
    assert_sent(only_call(wire), "DELETE", _WORKFLOW, {})


async def test_get_or_create_posts_discriminators(bp: Client, wire) -> None:
    wire.reply("POST", f"{_WORKFLOWS}/get-or-create", {"workflow": workflow()})
    await bp.workflows.get_or_create(
        name="onboarding", status="pending", tags={"user": "u1"}, discriminate_by_tags=["user"],
        discriminate_by_status_group="active",
    )
    assert_sent(
        only_call(wire), "POST", f"{_WORKFLOWS}/get-or-create",
        {"name": "onboarding", "tags": {"user": "u1"}, "status": "pending", "discriminateByTags": ["user"],
         "discriminateByStatusGroup": "active"},
    )


async def test_get_or_create_answered_503_is_retried(bp: Client, wire) -> None:
    wire.reply("POST", f"{_WORKFLOWS}/get-or-create", status=503, body="busy")
    wire.reply("POST", f"{_WORKFLOWS}/get-or-create", {"workflow": workflow()})
    result = await bp.workflows.get_or_create(name="onboarding", status="pending")
    assert result.id == WORKFLOW_ID
    assert len(wire.calls) == 2


async def test_list_sends_page_size_before_the_filters(bp: Client, wire) -> None:
    wire.reply("GET", _WORKFLOWS, {"workflows": [], "meta": {}})
    await bp.workflows.list(name="onboarding", page_size=3)
    assert only_call(wire).query == "pageSize=3&name=onboarding"


async def test_list_refuses_a_page_size_over_100_before_sending(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="page_size"):
        bp.workflows.list(page_size=101)
    assert wire.calls == []
