"""The users of a bot: people or systems taking part in its conversations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal

from botpress_async._serde import body, query
from botpress_async._types import UNSET, Tags, Unset
from botpress_async.models import (
    CreateUserResponse,
    GetOrCreateUserResponse,
    GetUserResponse,
    ListUsersResponse,
    UpdateUserResponse,
    User,
)
from botpress_async.pagination import Paginator
from botpress_async.resources._base import Resource

__all__ = ["Users"]

_USERS = "/v1/chat/users"
_USER = "/v1/chat/users/{id}"


class Users(Resource):
    """The users of a bot: people or systems taking part in its conversations."""

    async def create(
        self,
        *,
        tags: Tags,
        name: str | Unset = UNSET,
        picture_url: str | Unset = UNSET,
        integration_name: str | Unset = UNSET,
        properties: Mapping[str, str] | Unset = UNSET,
    ) -> User:
        """Create a user.

        Not retried after a 5xx or a lost connection (a retry could create a second user) unless
        the client's RetryPolicy says otherwise.

        Args:
            tags: the user's tags, ``{key: value}``; keys must be declared by the bot, values at
                most 500 characters (``{}`` for none).
            name: display name, at most 200 characters.
            picture_url: URL of the user's picture, at most 40 000 characters.
            integration_name: the integration the user belongs to, at most 200 characters.
            properties: shared properties the bot and its integrations can read and change,
                ``{key: value}`` with string values. Beyond the 1.70.2 spec (official client 1.45):
                the returned :class:`User` keeps them in ``.extra["properties"]``.

        Returns:
            The new user.

        Raises:
            InvalidPayloadError: a field is out of its limits or a tag key is not declared.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/users``
        """
        json = body(
            tags=tags,
            name=name,
            picture_url=picture_url,
            integration_name=integration_name,
            properties=properties,
        )
        response = await self._transport.request("POST", _USERS, json=json, cast=CreateUserResponse)
        return response.user

    async def get(self, id: str) -> User:
        """Fetch one user.

        Args:
            id: the user's id (28 to 36 characters).

        Returns:
            The user.

        Raises:
            ResourceNotFoundError: no user with this id in this bot.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``GET /v1/chat/users/{id}``
        """
        response = await self._transport.request("GET", _USER, path_params={"id": id}, cast=GetUserResponse)
        return response.user

    def list(
        self,
        *,
        tags: Tags | Unset = UNSET,
        conversation_id: str | Unset = UNSET,
        after_date: datetime | str | Unset = UNSET,
        before_date: datetime | str | Unset = UNSET,
        range_field: Literal["createdAt", "updatedAt"] | Unset = UNSET,
        sort_field: Literal["createdAt", "updatedAt"] | Unset = UNSET,
        sort_direction: Literal["asc", "desc"] | Unset = UNSET,
        page_size: int | Unset = UNSET,
    ) -> Paginator[User]:
        """List users, page after page (nothing is fetched until the paginator is used).

        Args:
            tags: only users having all these tags (``{key: value}``).
            conversation_id: only the participants of this conversation.
            after_date: only users whose ``range_field`` is after this instant (an aware
                datetime, or an ISO-8601 string).
            before_date: only users whose ``range_field`` is before this instant.
            range_field: the date ``after_date``/``before_date`` apply to: ``"createdAt"`` or
                ``"updatedAt"``.
            sort_field: ``"createdAt"`` or ``"updatedAt"``.
            sort_direction: ``"asc"`` or ``"desc"``.
            page_size: users per page, 1 to 100, for every page fetched (omitted: the service's
                default, 20). Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            A :class:`Paginator` of :class:`User`: ``await`` it for one page, ``async for`` over
            it for every user.

        Raises:
            ValueError: a naive datetime, or ``page_size`` out of 1 to 100 (raised at once,
                nothing sent).
            InvalidQueryError: a filter value the API refuses (raised when iterated).
            APIError, APIConnectionError: as any call, when a page is fetched.

        API: ``GET /v1/chat/users``
        """
        params = query(
            conversation_id=conversation_id,
            tags=tags,
            after_date=after_date,
            before_date=before_date,
            range_field=range_field,
            sort_field=sort_field,
            sort_direction=sort_direction,
        )
        return self._list(
            _USERS, cast=ListUsersResponse, items=lambda r: r.users, params=params, page_size=page_size
        )

    async def get_or_create(
        self,
        *,
        tags: Tags,
        discriminate_by_tags: Sequence[str] | Unset = UNSET,
        name: str | Unset = UNSET,
        picture_url: str | Unset = UNSET,
        integration_name: str | Unset = UNSET,
        properties: Mapping[str, str] | Unset = UNSET,
    ) -> User:
        """Return the user matching ``tags``, creating it if there is none.

        Safe to retry: a second call finds the user the first one created.

        Args:
            tags: the user's tags, ``{key: value}``. By default a user matches when all of
                them are equal.
            discriminate_by_tags: match on these tag keys only (each at most 500 characters).
            name: display name for a new user, at most 200 characters.
            picture_url: picture URL for a new user, at most 40 000 characters.
            integration_name: the integration of a new user, at most 200 characters.
            properties: shared properties of a new user, ``{key: value}`` with string values (an
                existing user is returned unchanged). Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            The existing or new user.

        Raises:
            InvalidPayloadError: a field is out of its limits or a tag key is not declared.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/users/get-or-create``
        """
        json = body(
            tags=tags,
            discriminate_by_tags=discriminate_by_tags,
            name=name,
            picture_url=picture_url,
            integration_name=integration_name,
            properties=properties,
        )
        response = await self._transport.request(
            "POST", _USERS + "/get-or-create", json=json, cast=GetOrCreateUserResponse, idempotent=True
        )
        return response.user

    async def update(
        self,
        id: str,
        *,
        tags: Tags | Unset = UNSET,
        name: str | Unset | None = UNSET,
        picture_url: str | Unset | None = UNSET,
        properties: Mapping[str, str | None] | Unset = UNSET,
    ) -> User:
        """Change a user; omitted arguments are left as they are.

        Args:
            id: the user's id.
            tags: tags to set, ``{key: value}``; an empty value removes the key.
            name: new display name (at most 200 characters); None clears it.
            picture_url: new picture URL (at most 40 000 characters); None clears it.
            properties: properties to change, ``{key: value}``; None as a value removes the key,
                keys not given are unchanged. Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            The updated user.

        Raises:
            ResourceNotFoundError: no user with this id.
            InvalidPayloadError: a field is out of its limits.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``PUT /v1/chat/users/{id}``
        """
        json = body(tags=tags, name=name, picture_url=picture_url, properties=properties)
        response = await self._transport.request(
            "PUT", _USER, path_params={"id": id}, json=json, cast=UpdateUserResponse
        )
        return response.user

    async def delete(self, id: str) -> None:
        """Delete a user.

        Args:
            id: the user's id.

        Raises:
            ResourceNotFoundError: no user with this id.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``DELETE /v1/chat/users/{id}``
        """
        await self._transport.request("DELETE", _USER, path_params={"id": id})
