"""Workflows of a bot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from botpress_async._serde import body, query
from botpress_async._types import UNSET, Tags, Unset
from botpress_async.models import (
    CreateWorkflowResponse,
    GetOrCreateWorkflowResponse,
    GetWorkflowResponse,
    ListWorkflowsResponse,
    UpdateWorkflowResponse,
    Workflow,
)
from botpress_async.pagination import Paginator
from botpress_async.resources._base import Resource

__all__ = ["Workflows"]

_WORKFLOWS = "/v1/chat/workflows"
_WORKFLOW = "/v1/chat/workflows/{id}"

StartStatus = Literal["pending", "in_progress", "listening"]
UpdateStatus = Literal["completed", "cancelled", "listening", "paused", "failed", "in_progress"]
WorkflowStatus = Literal[
    "pending", "in_progress", "failed", "completed", "listening", "paused", "timedout", "cancelled"
]


class Workflows(Resource):
    """Workflows of a bot."""

    async def create(
        self,
        *,
        name: str,
        status: StartStatus,
        input: Mapping[str, Any] | Unset = UNSET,
        parent_workflow_id: str | Unset = UNSET,
        conversation_id: str | Unset = UNSET,
        user_id: str | Unset = UNSET,
        timeout_at: datetime | str | Unset = UNSET,
        tags: Tags | Unset = UNSET,
        event_id: str | Unset = UNSET,
    ) -> Workflow:
        """Start a workflow.

        Not retried after a 5xx or a lost connection (a retry could start a second workflow)
        unless the client's RetryPolicy says otherwise; :meth:`get_or_create` is retried safely.

        Args:
            name: the workflow's name, as declared by the bot.
            status: ``"pending"``, ``"in_progress"`` (then ``event_id`` is needed) or
                ``"listening"``.
            input: the workflow's input, a JSON object.
            parent_workflow_id: the id of the parent workflow.
            conversation_id: the conversation it runs for.
            user_id: the user it runs for.
            timeout_at: when it times out (an aware datetime, sent as
                ``YYYY-MM-DDTHH:MM:SS.mmmZ``, or an ISO-8601 string).
            tags: the workflow's tags, ``{key: value}``.
            event_id: the event that started it.

        Returns:
            The new workflow.

        Raises:
            ValueError: a naive datetime (nothing sent).
            InvalidPayloadError: a field is out of its limits or the input does not fit the schema.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/workflows``
        """
        json = body(
            name=name,
            input=input,
            parent_workflow_id=parent_workflow_id,
            conversation_id=conversation_id,
            user_id=user_id,
            timeout_at=timeout_at,
            tags=tags,
            status=status,
            event_id=event_id,
        )
        response = await self._transport.request("POST", _WORKFLOWS, json=json, cast=CreateWorkflowResponse)
        return response.workflow

    async def get(self, id: str) -> Workflow:
        """Fetch one workflow.

        Args:
            id: the workflow's id.

        Returns:
            The workflow.

        Raises:
            ResourceNotFoundError: no workflow with this id in this bot.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``GET /v1/chat/workflows/{id}``
        """
        response = await self._transport.request(
            "GET", _WORKFLOW, path_params={"id": id}, cast=GetWorkflowResponse
        )
        return response.workflow

    def list(
        self,
        *,
        tags: Tags | Unset = UNSET,
        conversation_id: str | Unset = UNSET,
        user_id: str | Unset = UNSET,
        parent_workflow_id: str | Unset = UNSET,
        statuses: Sequence[WorkflowStatus] | Unset = UNSET,
        name: str | Unset = UNSET,
        page_size: int | Unset = UNSET,
    ) -> Paginator[Workflow]:
        """List workflows, page after page (nothing is fetched until the paginator is used).

        Args:
            tags: only workflows having all these tags (``{key: value}``).
            conversation_id: only workflows of this conversation.
            user_id: only workflows of this user.
            parent_workflow_id: only the children of this workflow.
            statuses: only workflows in one of these statuses (``"pending"``,
                ``"in_progress"``, ``"failed"``, ``"completed"``, ``"listening"``, ``"paused"``,
                ``"timedout"``, ``"cancelled"``).
            name: only workflows with this name.
            page_size: workflows per page, 1 to 100, for every page fetched (omitted: the service's
                default, 20). Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            A :class:`Paginator` of :class:`Workflow`.

        Raises:
            ValueError: ``page_size`` out of 1 to 100 (raised at once, nothing sent).
            InvalidQueryError: a filter value the API refuses (raised when iterated).
            APIError, APIConnectionError: as any call, when a page is fetched.

        API: ``GET /v1/chat/workflows``
        """
        params = query(
            tags=tags,
            conversation_id=conversation_id,
            user_id=user_id,
            parent_workflow_id=parent_workflow_id,
            statuses=statuses,
            name=name,
        )
        return self._list(
            _WORKFLOWS,
            cast=ListWorkflowsResponse,
            items=lambda r: r.workflows,
            params=params,
            page_size=page_size,
        )

    async def update(
        self,
        id: str,
        *,
        output: Mapping[str, Any] | Unset = UNSET,
        timeout_at: datetime | str | Unset = UNSET,
        status: UpdateStatus | Unset = UNSET,
        failure_reason: str | Unset = UNSET,
        tags: Tags | Unset = UNSET,
        user_id: str | Unset = UNSET,
        event_id: str | Unset = UNSET,
    ) -> Workflow:
        """Change a workflow; omitted arguments are left as they are.

        Args:
            id: the workflow's id.
            output: the workflow's output, a JSON object.
            timeout_at: when it times out (an aware datetime or ISO-8601 string).
            status: ``"completed"``, ``"cancelled"``, ``"listening"``, ``"paused"``,
                ``"failed"`` or ``"in_progress"``.
            failure_reason: why it failed (with ``status="failed"``).
            tags: tags to set, ``{key: value}``.
            user_id: the user it now runs for.
            event_id: the event behind this change.

        Returns:
            The updated workflow.

        Raises:
            ValueError: a naive datetime (nothing sent).
            ResourceNotFoundError: no workflow with this id.
            InvalidPayloadError: a field is out of its limits.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``PUT /v1/chat/workflows/{id}``
        """
        json = body(
            output=output,
            timeout_at=timeout_at,
            status=status,
            failure_reason=failure_reason,
            tags=tags,
            user_id=user_id,
            event_id=event_id,
        )
        response = await self._transport.request(
            "PUT", _WORKFLOW, path_params={"id": id}, json=json, cast=UpdateWorkflowResponse
        )
        return response.workflow

    async def delete(self, id: str) -> None:
        """Delete a workflow.

        Args:
            id: the workflow's id.

        Raises:
            ResourceNotFoundError: no workflow with this id.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``DELETE /v1/chat/workflows/{id}``
        """
        await self._transport.request("DELETE", _WORKFLOW, path_params={"id": id})

    async def get_or_create(
        self,
        *,
        name: str,
        status: StartStatus,
        discriminate_by_tags: Sequence[str] | Unset = UNSET,
        discriminate_by_status_group: Literal["active", "finished"] | Unset = UNSET,
        input: Mapping[str, Any] | Unset = UNSET,
        parent_workflow_id: str | Unset = UNSET,
        conversation_id: str | Unset = UNSET,
        user_id: str | Unset = UNSET,
        timeout_at: datetime | str | Unset = UNSET,
        tags: Tags | Unset = UNSET,
        event_id: str | Unset = UNSET,
    ) -> Workflow:
        """Return the workflow matching ``name`` and ``tags``, starting it if there is none.

        Safe to retry: a second call finds the workflow the first one started.

        Args:
            name: the workflow's name.
            status: the status of a new workflow (see :meth:`create`).
            discriminate_by_tags: match on these tag keys only (default: all tags).
            discriminate_by_status_group: match only ``"active"`` (pending, in progress,
                listening, paused) or ``"finished"`` workflows.
            input: input of a new workflow, a JSON object.
            parent_workflow_id: the id of the parent workflow.
            conversation_id: the conversation it runs for.
            user_id: the user it runs for.
            timeout_at: when it times out (an aware datetime or ISO-8601 string).
            tags: the workflow's tags, ``{key: value}``.
            event_id: the event that started it.

        Returns:
            The existing or new workflow.

        Raises:
            ValueError: a naive datetime (nothing sent).
            InvalidPayloadError: a field is out of its limits.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/workflows/get-or-create``
        """
        json = body(
            name=name,
            input=input,
            parent_workflow_id=parent_workflow_id,
            conversation_id=conversation_id,
            user_id=user_id,
            timeout_at=timeout_at,
            tags=tags,
            status=status,
            event_id=event_id,
            discriminate_by_tags=discriminate_by_tags,
            discriminate_by_status_group=discriminate_by_status_group,
        )
        response = await self._transport.request(
            "POST",
            _WORKFLOWS + "/get-or-create",
            json=json,
            cast=GetOrCreateWorkflowResponse,
            idempotent=True,
        )
        return response.workflow
