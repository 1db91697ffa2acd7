"""Conversations of a bot and their participants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal

from botpress_async._serde import body, query
from botpress_async._types import UNSET, Tags, Unset
from botpress_async.models import (
    AddParticipantResponse,
    Conversation,
    CreateConversationResponse,
    GetConversationResponse,
    GetOrCreateConversationResponse,
    GetParticipantResponse,
    ListConversationsResponse,
    ListParticipantsResponse,
    Participant,
    UpdateConversationResponse,
)
from botpress_async.pagination import Paginator
from botpress_async.resources._base import Resource

__all__ = ["Conversations"]

_CONVERSATIONS = "/v1/chat/conversations"
_CONVERSATION = "/v1/chat/conversations/{id}"
_PARTICIPANTS = "/v1/chat/conversations/{id}/participants"
_PARTICIPANT = "/v1/chat/conversations/{id}/participants/{userId}"


class Conversations(Resource):
    """Conversations of a bot and their participants."""

    async def create(
        self,
        *,
        channel: str,
        tags: Tags,
        integration_name: str | Unset = UNSET,
        properties: Mapping[str, str] | Unset = UNSET,
    ) -> Conversation:
        """Create a conversation.

        Not retried after a 5xx or a lost connection (a retry could create a second
        conversation) unless the client's RetryPolicy says otherwise.

        Args:
            channel: the integration channel, at most 200 characters.
            tags: the conversation's tags, ``{key: value}`` (``{}`` for none); values at most
                500 characters.
            integration_name: the integration it belongs to, at most 200 characters.
            properties: shared properties the bot and its integrations can read and change,
                ``{key: value}`` with string values. Beyond the 1.70.2 spec (official client 1.45):
                the returned :class:`Conversation` keeps them in ``.extra["properties"]``.

        Returns:
            The new conversation.

        Raises:
            InvalidPayloadError: a field is out of its limits or a tag key is not declared.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/conversations``
        """
        json = body(channel=channel, tags=tags, integration_name=integration_name, properties=properties)
        response = await self._transport.request(
            "POST", _CONVERSATIONS, json=json, cast=CreateConversationResponse
        )
        return response.conversation

    async def get(self, id: str) -> Conversation:
        """Fetch one conversation.

        Args:
            id: the conversation's id (28 to 36 characters).

        Returns:
            The conversation.

        Raises:
            ResourceNotFoundError: no conversation with this id in this bot.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``GET /v1/chat/conversations/{id}``
        """
        response = await self._transport.request(
            "GET", _CONVERSATION, path_params={"id": id}, cast=GetConversationResponse
        )
        return response.conversation

    def list(
        self,
        *,
        tags: Tags | Unset = UNSET,
        participant_ids: Sequence[str] | Unset = UNSET,
        integration_name: str | Unset = UNSET,
        channel: str | Unset = UNSET,
        sort_field: Literal["createdAt", "updatedAt"] | Unset = UNSET,
        sort_direction: Literal["asc", "desc"] | Unset = UNSET,
        after_date: datetime | str | Unset = UNSET,
        before_date: datetime | str | Unset = UNSET,
        min_message_count: int | Unset = UNSET,
        max_message_count: int | Unset = UNSET,
        page_size: int | Unset = UNSET,
    ) -> Paginator[Conversation]:
        """List conversations, page after page (nothing is fetched until the paginator is used).

        Args:
            tags: only conversations having all these tags (``{key: value}``).
            participant_ids: only conversations where all these users take part (user ids).
            integration_name: only conversations of this integration.
            channel: only conversations of this channel.
            sort_field: ``"createdAt"`` or ``"updatedAt"``.
            sort_direction: ``"asc"`` or ``"desc"``.
            after_date: only conversations created after this instant (an aware datetime, or
                an ISO-8601 string).
            before_date: only conversations created before this instant.
            min_message_count: only conversations with at least this many messages (>= 0).
                Beyond the 1.70.2 spec (official client 1.45).
            max_message_count: only conversations with at most this many messages (>= 0).
                Beyond the 1.70.2 spec (official client 1.45).
            page_size: conversations per page, 1 to 100, for every page fetched (omitted: the
                service's default, 20). Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            A :class:`Paginator` of :class:`Conversation`.

        Raises:
            ValueError: a naive datetime, or ``page_size`` out of 1 to 100 (raised at once,
                nothing sent).
            InvalidQueryError: a filter value the API refuses (raised when iterated).
            APIError, APIConnectionError: as any call, when a page is fetched.

        API: ``GET /v1/chat/conversations``
        """
        params = query(
            sort_field=sort_field,
            sort_direction=sort_direction,
            tags=tags,
            participant_ids=participant_ids,
            integration_name=integration_name,
            channel=channel,
            after_date=after_date,
            before_date=before_date,
            min_message_count=min_message_count,
            max_message_count=max_message_count,
        )
        return self._list(
            _CONVERSATIONS,
            cast=ListConversationsResponse,
            items=lambda r: r.conversations,
            params=params,
            page_size=page_size,
        )

    async def get_or_create(
        self,
        *,
        channel: str,
        tags: Tags,
        discriminate_by_tags: Sequence[str] | Unset = UNSET,
        integration_name: str | Unset = UNSET,
        properties: Mapping[str, str] | Unset = UNSET,
    ) -> Conversation:
        """Return the conversation matching ``channel`` and ``tags``, creating it if there is none.

        Safe to retry: a second call finds the conversation the first one created.

        Args:
            channel: the integration channel, at most 200 characters.
            tags: the conversation's tags; by default all of them must match.
            discriminate_by_tags: match on these tag keys only.
            integration_name: the integration it belongs to, at most 200 characters.
            properties: shared properties of a new conversation, ``{key: value}`` with string
                values (an existing conversation is returned unchanged). Beyond the 1.70.2 spec
                (official client 1.45).

        Returns:
            The existing or new conversation.

        Raises:
            InvalidPayloadError: a field is out of its limits or a tag key is not declared.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/conversations/get-or-create``
        """
        json = body(
            channel=channel,
            tags=tags,
            integration_name=integration_name,
            discriminate_by_tags=discriminate_by_tags,
            properties=properties,
        )
        response = await self._transport.request(
            "POST",
            _CONVERSATIONS + "/get-or-create",
            json=json,
            cast=GetOrCreateConversationResponse,
            idempotent=True,
        )
        return response.conversation

    async def update(
        self,
        id: str,
        *,
        current_task_id: str | Unset = UNSET,
        tags: Tags | Unset = UNSET,
        properties: Mapping[str, str | None] | Unset = UNSET,
    ) -> Conversation:
        """Change a conversation; omitted arguments are left as they are.

        Args:
            id: the conversation's id.
            current_task_id: the id of the task the conversation is now on.
            tags: tags to set, ``{key: value}``; an empty value removes the key.
            properties: properties to change, ``{key: value}``; None as a value removes the key,
                keys not given are unchanged. Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            The updated conversation.

        Raises:
            ResourceNotFoundError: no conversation with this id.
            InvalidPayloadError: a field is out of its limits.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``PUT /v1/chat/conversations/{id}``
        """
        json = body(current_task_id=current_task_id, tags=tags, properties=properties)
        response = await self._transport.request(
            "PUT", _CONVERSATION, path_params={"id": id}, json=json, cast=UpdateConversationResponse
        )
        return response.conversation

    async def delete(self, id: str) -> None:
        """Delete a conversation and its messages.

        Args:
            id: the conversation's id.

        Raises:
            ResourceNotFoundError: no conversation with this id.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``DELETE /v1/chat/conversations/{id}``
        """
        await self._transport.request("DELETE", _CONVERSATION, path_params={"id": id})

    def list_participants(self, id: str, *, page_size: int | Unset = UNSET) -> Paginator[Participant]:
        """List the users taking part in a conversation, page after page.

        Args:
            id: the conversation's id.
            page_size: participants per page, 1 to 100, for every page fetched (omitted: the
                service's default, 20). Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            A :class:`Paginator` of :class:`Participant` (users).

        Raises:
            ValueError: ``page_size`` out of 1 to 100 (raised at once, nothing sent).
            ResourceNotFoundError: no conversation with this id (raised when iterated).
            APIError, APIConnectionError: as any call, when a page is fetched.

        API: ``GET /v1/chat/conversations/{id}/participants``
        """
        return self._list(
            _PARTICIPANTS,
            cast=ListParticipantsResponse,
            items=lambda r: r.participants,
            path_params={"id": id},
            page_size=page_size,
        )

    async def add_participant(self, id: str, *, user_id: str) -> Participant:
        """Add a user to a conversation.

        Args:
            id: the conversation's id.
            user_id: the user's id (28 to 36 characters).

        Returns:
            The participant (the user).

        Raises:
            ResourceNotFoundError: no such conversation or user.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/conversations/{id}/participants``
        """
        response = await self._transport.request(
            "POST",
            _PARTICIPANTS,
            path_params={"id": id},
            json=body(user_id=user_id),
            cast=AddParticipantResponse,
        )
        return response.participant

    async def get_participant(self, id: str, user_id: str) -> Participant:
        """Fetch one participant of a conversation.

        Args:
            id: the conversation's id.
            user_id: the user's id.

        Returns:
            The participant (the user).

        Raises:
            ResourceNotFoundError: no such conversation, or the user does not take part in it.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``GET /v1/chat/conversations/{id}/participants/{userId}``
        """
        response = await self._transport.request(
            "GET", _PARTICIPANT, path_params={"id": id, "userId": user_id}, cast=GetParticipantResponse
        )
        return response.participant

    async def remove_participant(self, id: str, user_id: str) -> None:
        """Remove a user from a conversation (the user itself is kept).

        Args:
            id: the conversation's id.
            user_id: the user's id.

        Raises:
            ResourceNotFoundError: no such conversation, or the user does not take part in it.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``DELETE /v1/chat/conversations/{id}/participants/{userId}``
        """
        await self._transport.request("DELETE", _PARTICIPANT, path_params={"id": id, "userId": user_id})
