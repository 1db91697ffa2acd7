"""bp.tasks: every endpoint's request on the wire and the structured answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from runtime_wire import CONV_ID, CREATED_AT, TASK_ID, USER_ID, assert_sent, only_call, task

from botpress_async import Client
from botpress_async.models import Task

_TASKS = "/v1/chat/tasks"
_TASK = f"/v1/chat/tasks/{TASK_ID}"


async def test_create_posts_every_field_in_camel_case(bp: Client, wire) -> None:
    wire.reply("POST", _TASKS, {"task": task()}, status=201)
    result = await bp.tasks.create(
        type="callback", conversation_id=CONV_ID, title="Call back", description="d", data={"k": 1},
        parent_task_id="task_parent", user_id=USER_ID, timeout_at=datetime(2030, 1, 1, 12, tzinfo=UTC),
        tags={"team": "a"},
    )
    assert_sent(
        only_call(wire), "POST", _TASKS,
        {"title": "Call back", "description": "d", "type": "callback", "data": {"k": 1},
         "parentTaskId": "task_parent", "conversationId": CONV_ID, "userId": USER_ID,
         "timeoutAt": "2030-01-01T12:00:00.000Z", "tags": {"team": "a"}},
    )
    assert isinstance(result, Task)
    assert result.created_at == CREATED_AT


async def test_create_sends_only_the_required_fields_when_nothing_else_is_given(bp: Client, wire) -> None:
    wire.reply("POST", _TASKS, {"task": task()}, status=201)
    await bp.tasks.create(type="callback", conversation_id=CONV_ID)
    assert only_call(wire).json == {"type": "callback", "conversationId": CONV_ID}


async def test_get_fetches_one_task(bp: Client, wire) -> None:
    wire.reply("GET", _TASK, {"task": task()})
    result = await bp.tasks.get(TASK_ID)
    assert_sent(only_call(wire), "GET", _TASK)
    assert result.title == "Call back"


async def test_list_repeats_statuses_and_sends_filters(bp: Client, wire) -> None:
    wire.reply("GET", _TASKS, {"tasks": [task()], "meta": {}})
    page = await bp.tasks.list(
        tags={"team": "a"}, conversation_id=CONV_ID, user_id=USER_ID, parent_task_id="task_parent",
        status=["pending", "in_progress"], type="callback",
    )
    assert_sent(
        only_call(wire), "GET",
        f"{_TASKS}?tags.team=a&conversationId={CONV_ID}&userId={USER_ID}&parentTaskId=task_parent"
        "&status=pending&status=in_progress&type=callback",
    )
    assert [t.id for t in page] == [TASK_ID]


async def test_list_iterates_three_pages(bp: Client, wire) -> None:
    wire.reply("GET", _TASKS, {"tasks": [task("t1")], "meta": {"nextToken": "2"}})
    wire.reply("GET", _TASKS, {"tasks": [task("t2")], "meta": {"nextToken": "3"}})
    wire.reply("GET", _TASKS, {"tasks": [task("t3")], "meta": {}})
    assert [t.id async for t in bp.tasks.list()] == ["t1", "t2", "t3"]
    assert wire.calls[2].query == "nextToken=3"


async def test_update_sends_only_what_is_given(bp: Client, wire) -> None:
    wire.reply("PUT", _TASK, {"task": task(status="completed")})
    result = await bp.tasks.update(TASK_ID, status="completed", data={"done": True})
    assert_sent(only_call(wire), "PUT", _TASK, {"data": {"done": True}, "status": "completed"})
    assert result.status == "completed"


async def test_delete_sends_an_empty_object(bp: Client, wire) -> None:
    wire.reply("DELETE", _TASK, {})
    assert await bp.tasks.delete(TASK_ID) is None
    assert_sent(only_call(wire), "DELETE", _TASK, {})


async def test_list_sends_page_size_before_the_filters(bp: Client, wire) -> None:
    wire.reply("GET", _TASKS, {"tasks": [], "meta": {}})
    await bp.tasks.list(type="callback", page_size=7)
    assert only_call(wire).query == "pageSize=7&type=callback"


async def test_list_refuses_a_page_size_over_100_before_sending(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="page_size"):
        bp.tasks.list(page_size=101)
    assert wire.calls == []
