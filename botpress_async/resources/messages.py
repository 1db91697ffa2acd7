"""Messages of conversations."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from botpress_async._serde import body, query
from botpress_async._types import UNSET, Tags, Unset
from botpress_async.models import (
    CreateMessageResponse,
    GetMessageResponse,
    GetOrCreateMessageResponse,
    ImportMessagesResponse,
    InitializeIncomingMessageResponse,
    ListMessagesResponse,
    Message,
    UpdateMessageResponse,
)
from botpress_async.pagination import Paginator
from botpress_async.resources._base import Resource
from botpress_async.resources.events import wire_schedule

__all__ = ["IMPORT_BATCH_LIMIT", "Messages"]

_MESSAGES = "/v1/chat/messages"
_MESSAGE = "/v1/chat/messages/{id}"

IMPORT_BATCH_LIMIT = 100
"""The most messages one ``importMessages`` call accepts."""


def _wire_object(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    """A nested request object given as a mapping: keys camelCased (snake_case or camelCase given)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a mapping, got {type(value).__name__}")
    return body(**{str(k): v for k, v in value.items()})


class Messages(Resource):
    """Messages of conversations."""

    async def create(
        self,
        *,
        conversation_id: str,
        user_id: str,
        type: str,
        payload: Mapping[str, Any],
        tags: Tags,
        schedule: Mapping[str, Any] | Unset = UNSET,
        delay_ms: float | Unset = UNSET,
        at: datetime | str | Unset = UNSET,
        origin: Literal["synthetic"] | Unset = UNSET,
    ) -> Message:
        """Create a message in a conversation, sent now or at a scheduled time.

        Not retried after a 5xx or a lost connection (a retry could send the message twice)
        unless the client's RetryPolicy says otherwise; use :meth:`get_or_create` for a safely
        retried send.

        Args:
            conversation_id: the conversation's id.
            user_id: the author's id.
            type: the message type (``"text"``, ``"image"``, ``"choice"`` …), at most 200
                characters.
            payload: the message content, a JSON object (``{"text": "hi"}`` for text).
            tags: the message's tags, ``{key: value}`` (``{}`` for none).
            schedule: send later: ``{"delay": ms}`` (milliseconds from now) or
                ``{"date_time": datetime}`` (an aware datetime).
            delay_ms: shortcut for ``schedule={"delay": delay_ms}``, in milliseconds.
            at: shortcut for ``schedule={"date_time": at}``: an aware datetime (or a 24 to 28
                character ISO-8601 string).
            origin: ``"synthetic"`` for a message the bot made up rather than received.

        Returns:
            The new message.

        Raises:
            ValueError: more than one of schedule/delay_ms/at, or a bad schedule (nothing sent).
            InvalidPayloadError: a field is out of its limits or a tag key is not declared.
            ReferenceNotFoundError: no such conversation or user.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/messages``
        """
        json = body(
            payload=payload,
            user_id=user_id,
            conversation_id=conversation_id,
            type=type,
            tags=tags,
            schedule=wire_schedule(schedule, delay_ms, at),
            origin=origin,
        )
        response = await self._transport.request("POST", _MESSAGES, json=json, cast=CreateMessageResponse)
        return response.message

    async def get_or_create(
        self,
        *,
        conversation_id: str,
        user_id: str,
        type: str,
        payload: Mapping[str, Any],
        tags: Tags,
        discriminate_by_tags: Sequence[str] | Unset = UNSET,
        schedule: Mapping[str, Any] | Unset = UNSET,
        delay_ms: float | Unset = UNSET,
        at: datetime | str | Unset = UNSET,
        origin: Literal["synthetic"] | Unset = UNSET,
    ) -> Message:
        """Return the message matching ``tags``, creating it if there is none.

        Safe to retry: a second call finds the message the first one created.

        Args:
            conversation_id: the conversation's id.
            user_id: the author's id.
            type: the message type, at most 200 characters.
            payload: the message content, a JSON object.
            tags: the message's tags; by default all of them must match.
            discriminate_by_tags: match on these tag keys only.
            schedule: send later: ``{"delay": ms}`` or ``{"date_time": datetime}``.
            delay_ms: shortcut for ``schedule={"delay": delay_ms}``, in milliseconds.
            at: shortcut for ``schedule={"date_time": at}``.
            origin: ``"synthetic"`` for a message the bot made up.

        Returns:
            The existing or new message.

        Raises:
            ValueError: a bad schedule (nothing sent).
            InvalidPayloadError: a field is out of its limits.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/messages/get-or-create``
        """
        json = body(
            payload=payload,
            user_id=user_id,
            conversation_id=conversation_id,
            type=type,
            tags=tags,
            schedule=wire_schedule(schedule, delay_ms, at),
            origin=origin,
            discriminate_by_tags=discriminate_by_tags,
        )
        response = await self._transport.request(
            "POST", _MESSAGES + "/get-or-create", json=json, cast=GetOrCreateMessageResponse, idempotent=True
        )
        return response.message

    async def get(self, id: str) -> Message:
        """Fetch one message.

        Args:
            id: the message's id (28 to 36 characters).

        Returns:
            The message.

        Raises:
            ResourceNotFoundError: no message with this id in this bot.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``GET /v1/chat/messages/{id}``
        """
        response = await self._transport.request(
            "GET", _MESSAGE, path_params={"id": id}, cast=GetMessageResponse
        )
        return response.message

    async def update(
        self,
        id: str,
        *,
        tags: Tags,
        payload: Mapping[str, Any] | Unset = UNSET,
    ) -> Message:
        """Change a message's tags and, optionally, its payload.

        Args:
            id: the message's id.
            tags: tags to set, ``{key: value}`` (required by the API; ``{}`` changes none).
            payload: the new content, a JSON object replacing the old one.

        Returns:
            The updated message.

        Raises:
            ResourceNotFoundError: no message with this id.
            InvalidPayloadError: a field is out of its limits.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``PUT /v1/chat/messages/{id}``
        """
        response = await self._transport.request(
            "PUT",
            _MESSAGE,
            path_params={"id": id},
            json=body(tags=tags, payload=payload),
            cast=UpdateMessageResponse,
        )
        return response.message

    def list(
        self,
        *,
        conversation_id: str | Unset = UNSET,
        tags: Tags | Unset = UNSET,
        after_date: datetime | str | Unset = UNSET,
        before_date: datetime | str | Unset = UNSET,
        page_size: int | Unset = UNSET,
    ) -> Paginator[Message]:
        """List messages, page after page (nothing is fetched until the paginator is used).

        Args:
            conversation_id: only the messages of this conversation.
            tags: only messages having all these tags (``{key: value}``).
            after_date: only messages created after this instant (an aware datetime, or an
                ISO-8601 string).
            before_date: only messages created before this instant.
            page_size: messages per page, 1 to 100, for every page fetched (omitted: the service's
                default, 20). Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            A :class:`Paginator` of :class:`Message`.

        Raises:
            ValueError: a naive datetime, or ``page_size`` out of 1 to 100 (raised at once,
                nothing sent).
            InvalidQueryError: a filter value the API refuses (raised when iterated).
            APIError, APIConnectionError: as any call, when a page is fetched.

        API: ``GET /v1/chat/messages``
        """
        params = query(
            conversation_id=conversation_id, tags=tags, after_date=after_date, before_date=before_date
        )
        return self._list(
            _MESSAGES,
            cast=ListMessagesResponse,
            items=lambda r: r.messages,
            params=params,
            page_size=page_size,
        )

    async def delete(self, id: str) -> None:
        """Delete a message.

        Args:
            id: the message's id.

        Raises:
            ResourceNotFoundError: no message with this id.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``DELETE /v1/chat/messages/{id}``
        """
        await self._transport.request("DELETE", _MESSAGE, path_params={"id": id})

    async def initialize_incoming(
        self,
        *,
        user: Mapping[str, Any] | Unset = UNSET,
        user_id: str | Unset = UNSET,
        conversation: Mapping[str, Any] | Unset = UNSET,
        conversation_id: str | Unset = UNSET,
        message: Mapping[str, Any] | Unset = UNSET,
    ) -> InitializeIncomingMessageResponse:
        """Get or create the user, the conversation and the message of an incoming message, in one call.

        Nested objects take snake_case keys (camelCase is accepted too). Every part is a
        get-or-create, so the call is retried like one.

        Args:
            user: the author, ``{"tags": {...}, "discriminate_by_tags": [...], "name": str,
                "picture_url": str, "integration_name": str, "properties": {str: str}}`` (``tags``
                and ``discriminate_by_tags`` required); or give ``user_id``.
            user_id: the id of an existing author, instead of ``user``.
            conversation: ``{"channel": str, "tags": {...}, "discriminate_by_tags": [...],
                "integration_name": str, "properties": {str: str}}`` (all but
                ``integration_name`` and ``properties`` required); or give ``conversation_id``.
                ``properties`` (shared properties of a new user or conversation) is beyond the
                1.70.2 spec (official client 1.45).
            conversation_id: the id of an existing conversation, instead of ``conversation``.
            message: ``{"type": str, "payload": {...}, "tags": {...}, "discriminate_by_tags":
                [...], "origin": "synthetic"}`` (all but ``origin`` required); omitted: only the
                user and the conversation are set up.

        Returns:
            The response: ``.user``, ``.conversation`` and ``.message`` (None when no message
            was given).

        Raises:
            ValueError: both or neither of ``user``/``user_id``, or of
                ``conversation``/``conversation_id`` (nothing sent).
            TypeError: a nested object is not a mapping.
            InvalidPayloadError: a field is missing or out of its limits.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/initialize-incoming-message``
        """
        if (user is UNSET) == (user_id is UNSET):
            raise ValueError("give exactly one of user= (a mapping) or user_id=")
        if (conversation is UNSET) == (conversation_id is UNSET):
            raise ValueError("give exactly one of conversation= (a mapping) or conversation_id=")
        json = body(
            user_id=user_id,
            user=UNSET if user is UNSET else _wire_object(user, "user"),
            conversation_id=conversation_id,
            conversation=UNSET if conversation is UNSET else _wire_object(conversation, "conversation"),
            message=UNSET if message is UNSET else _wire_object(message, "message"),
        )
        return await self._transport.request(
            "POST",
            "/v1/chat/initialize-incoming-message",
            json=json,
            cast=InitializeIncomingMessageResponse,
            idempotent=True,
        )

    async def import_many(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        batch_size: int = IMPORT_BATCH_LIMIT,
    ) -> builtins.list[Message]:
        """Import past messages, in calls of at most 100 messages each, one call after the other.

        Each message is a mapping with snake_case (or camelCase) keys: ``conversation_id``,
        ``user_id``, ``type``, ``payload`` (object), ``tags`` (``{key: value}``), ``created_at``
        (an aware datetime or ISO-8601 string) and ``discriminate_by_tags`` (a list of tag
        keys; empty tags or an empty list always create a new message).

        Calls are sent in order and not retried after a 5xx (an import could be applied twice).
        If a call fails, the messages of earlier calls stay imported: the raised error carries a
        note saying how many.

        Args:
            messages: the messages to import, any number.
            batch_size: messages per call, 1 to 100.

        Returns:
            Every imported message, in the order of the answers.

        Raises:
            ValueError: ``batch_size`` is not between 1 and 100 (nothing sent).
            TypeError: a message is not a mapping (nothing sent).
            InvalidPayloadError: a message is missing a field or has one out of its limits.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/messages/import-messages`` (once per batch)
        """
        if isinstance(batch_size, bool) or not 1 <= batch_size <= IMPORT_BATCH_LIMIT:
            raise ValueError(f"batch_size must be between 1 and {IMPORT_BATCH_LIMIT}, got {batch_size!r}")
        wire = [_wire_object(m, f"messages[{i}]") for i, m in enumerate(messages)]
        imported: builtins.list[Message] = []
        for start in range(0, len(wire), batch_size):
            try:
                response = await self._transport.request(
                    "POST",
                    _MESSAGES + "/import-messages",
                    json=body(messages=wire[start : start + batch_size]),
                    cast=ImportMessagesResponse,
                )
            except Exception as exc:
                if start:
                    exc.add_note(
                        f"import_many: the {start} messages before index {start} were imported "
                        f"({len(imported)} returned); from index {start} on, nothing is confirmed"
                    )
                raise
            imported.extend(response.messages)
        return imported
