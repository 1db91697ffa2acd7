"""Tasks of conversations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from botpress_async._serde import body, query
from botpress_async._types import UNSET, Tags, Unset
from botpress_async.models import (
    CreateTaskResponse,
    GetTaskResponse,
    ListTasksResponse,
    Task,
    UpdateTaskResponse,
)
from botpress_async.pagination import Paginator
from botpress_async.resources._base import Resource

__all__ = ["TaskStatus", "Tasks"]

_TASKS = "/v1/chat/tasks"
_TASK = "/v1/chat/tasks/{id}"

TaskStatus = Literal[
    "pending", "in_progress", "failed", "completed", "blocked", "paused", "timeout", "cancelled"
]


class Tasks(Resource):
    """Tasks of conversations."""

    async def create(
        self,
        *,
        type: str,
        conversation_id: str,
        title: str | Unset = UNSET,
        description: str | Unset = UNSET,
        data: Mapping[str, Any] | Unset = UNSET,
        parent_task_id: str | Unset = UNSET,
        user_id: str | Unset = UNSET,
        timeout_at: datetime | str | Unset = UNSET,
        tags: Tags | Unset = UNSET,
    ) -> Task:
        """Create a task in a conversation.

        Not retried after a 5xx or a lost connection (a retry could create a second task)
        unless the client's RetryPolicy says otherwise.

        Args:
            type: the task type, at most 200 characters.
            conversation_id: the conversation the task belongs to.
            title: at most 2 000 characters.
            description: at most 20 000 characters.
            data: the task's JSON object.
            parent_task_id: the id of the parent task.
            user_id: the user the task is for.
            timeout_at: when the task times out (an aware datetime, sent as
                ``YYYY-MM-DDTHH:MM:SS.mmmZ``, or an ISO-8601 string).
            tags: the task's tags, ``{key: value}``.

        Returns:
            The new task.

        Raises:
            ValueError: a naive datetime (nothing sent).
            InvalidPayloadError: a field is out of its limits.
            ReferenceNotFoundError: no such conversation, user or parent task.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/tasks``
        """
        json = body(
            title=title,
            description=description,
            type=type,
            data=data,
            parent_task_id=parent_task_id,
            conversation_id=conversation_id,
            user_id=user_id,
            timeout_at=timeout_at,
            tags=tags,
        )
        response = await self._transport.request("POST", _TASKS, json=json, cast=CreateTaskResponse)
        return response.task

    async def get(self, id: str) -> Task:
        """Fetch one task.

        Args:
            id: the task's id.

        Returns:
            The task.

        Raises:
            ResourceNotFoundError: no task with this id in this bot.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``GET /v1/chat/tasks/{id}``
        """
        response = await self._transport.request("GET", _TASK, path_params={"id": id}, cast=GetTaskResponse)
        return response.task

    def list(
        self,
        *,
        tags: Tags | Unset = UNSET,
        conversation_id: str | Unset = UNSET,
        user_id: str | Unset = UNSET,
        parent_task_id: str | Unset = UNSET,
        status: Sequence[TaskStatus] | Unset = UNSET,
        type: str | Unset = UNSET,
        page_size: int | Unset = UNSET,
    ) -> Paginator[Task]:
        """List tasks, page after page (nothing is fetched until the paginator is used).

        Args:
            tags: only tasks having all these tags (``{key: value}``).
            conversation_id: only tasks of this conversation.
            user_id: only tasks of this user.
            parent_task_id: only the subtasks of this task.
            status: only tasks in one of these statuses (``"pending"``, ``"in_progress"``,
                ``"failed"``, ``"completed"``, ``"blocked"``, ``"paused"``, ``"timeout"``,
                ``"cancelled"``).
            type: only tasks of this type.
            page_size: tasks per page, 1 to 100, for every page fetched (omitted: the service's
                default, 20). Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            A :class:`Paginator` of :class:`Task`.

        Raises:
            ValueError: ``page_size`` out of 1 to 100 (raised at once, nothing sent).
            InvalidQueryError: a filter value the API refuses (raised when iterated).
            APIError, APIConnectionError: as any call, when a page is fetched.

        API: ``GET /v1/chat/tasks``
        """
        params = query(
            tags=tags,
            conversation_id=conversation_id,
            user_id=user_id,
            parent_task_id=parent_task_id,
            status=status,
            type=type,
        )
        return self._list(
            _TASKS, cast=ListTasksResponse, items=lambda r: r.tasks, params=params, page_size=page_size
        )

    async def update(
        self,
        id: str,
        *,
        title: str | Unset = UNSET,
        description: str | Unset = UNSET,
        data: Mapping[str, Any] | Unset = UNSET,
        timeout_at: datetime | str | Unset = UNSET,
        status: TaskStatus | Unset = UNSET,
        tags: Tags | Unset = UNSET,
    ) -> Task:
        """Change a task; omitted arguments are left as they are.

        Args:
            id: the task's id.
            title: at most 2 000 characters.
            description: at most 20 000 characters.
            data: the task's new JSON object.
            timeout_at: when the task times out (an aware datetime or ISO-8601 string).
            status: the new status (see :meth:`list`).
            tags: tags to set, ``{key: value}``.

        Returns:
            The updated task.

        Raises:
            ValueError: a naive datetime (nothing sent).
            ResourceNotFoundError: no task with this id.
            InvalidPayloadError: a field is out of its limits.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``PUT /v1/chat/tasks/{id}``
        """
        json = body(
            title=title, description=description, data=data, timeout_at=timeout_at, status=status, tags=tags
        )
        response = await self._transport.request(
            "PUT", _TASK, path_params={"id": id}, json=json, cast=UpdateTaskResponse
        )
        return response.task

    async def delete(self, id: str) -> None:
        """Delete a task.

        Args:
            id: the task's id.

        Raises:
            ResourceNotFoundError: no task with this id.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``DELETE /v1/chat/tasks/{id}``
        """
        await self._transport.request("DELETE", _TASK, path_params={"id": id})
