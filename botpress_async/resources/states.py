"""States: JSON payloads attached to a bot, user, conversation, task, workflow or integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from botpress_async._serde import body
from botpress_async._types import UNSET, Unset
from botpress_async.models import (
    GetOrSetStateResponse,
    GetStateResponse,
    PatchStateResponse,
    SetStateExpiryResponse,
    SetStateResponse,
    State,
)
from botpress_async.resources._base import Resource

__all__ = ["MAX_STATE_EXPIRY_MS", "StateType", "States"]

_STATE = "/v1/chat/states/{type}/{id}/{name}"

StateType = Literal["conversation", "user", "bot", "integration", "task", "workflow"]

MAX_STATE_EXPIRY_MS = 2_592_000_000
"""The longest state expiry the API accepts: 30 days, in milliseconds."""


def _check_expiry(expiry: int | Unset | None) -> None:
    # The API refuses these too, but only after a round trip; a local error names the limit.
    if expiry is UNSET or expiry is None:
        return
    if isinstance(expiry, bool) or not isinstance(expiry, int):
        raise ValueError(f"expiry must be an integer number of milliseconds or None, got {expiry!r}")
    if not 1 <= expiry <= MAX_STATE_EXPIRY_MS:
        raise ValueError(
            f"expiry must be between 1 and {MAX_STATE_EXPIRY_MS} ms (30 days), got {expiry} ms"
        )


def _path(type: str, id: str, name: str) -> dict[str, str]:
    return {"type": type, "id": id, "name": name}


class States(Resource):
    """States: JSON payloads attached to a bot, user, conversation, task, workflow or integration.

    A state is addressed by ``(type, id, name)``: ``type`` is what it is attached to, ``id`` the
    id of that thing (the bot's id for ``"bot"``), ``name`` a state declared by the bot.
    """

    async def get(self, type: StateType, id: str, name: str) -> State:
        """Fetch one state.

        Args:
            type: ``"conversation"``, ``"user"``, ``"bot"``, ``"integration"``, ``"task"`` or
                ``"workflow"``.
            id: the id of the conversation, user, bot … the state is attached to.
            name: the state's name, as declared by the bot.

        Returns:
            The state (its JSON object is ``.payload``).

        Raises:
            ResourceNotFoundError: no such state (never set, or expired).
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``GET /v1/chat/states/{type}/{id}/{name}``
        """
        response = await self._transport.request(
            "GET", _STATE, path_params=_path(type, id, name), cast=GetStateResponse
        )
        return response.state

    async def set(
        self,
        type: StateType,
        id: str,
        name: str,
        payload: Mapping[str, Any] | None,
        *,
        expiry: int | Unset | None = UNSET,
    ) -> State:
        """Replace a state's payload, creating the state if needed.

        Retried like any idempotent call: setting the same payload twice has the effect of once.

        Args:
            type: what the state is attached to (see :meth:`get`).
            id: the id of that thing.
            name: the state's name.
            payload: the new JSON object (at most 128 KB); None deletes the state.
            expiry: idle time after which the state expires, in milliseconds (1 to
                2 592 000 000, i.e. 30 days); None: never expires.

        Returns:
            The state.

        Raises:
            ValueError: ``expiry`` out of 1 to 2 592 000 000 ms (nothing sent).
            InvalidPayloadError: the payload does not fit the state's schema, or the name is not declared.
            PayloadTooLargeError: the payload is too large.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/states/{type}/{id}/{name}``
        """
        _check_expiry(expiry)
        response = await self._transport.request(
            "POST",
            _STATE,
            path_params=_path(type, id, name),
            json=body(payload=payload, expiry=expiry),
            cast=SetStateResponse,
            idempotent=True,
        )
        return response.state

    async def get_or_set(
        self,
        type: StateType,
        id: str,
        name: str,
        payload: Mapping[str, Any],
        *,
        expiry: int | Unset | None = UNSET,
    ) -> State:
        """Return the state if it exists, else create it with ``payload``.

        Args:
            type: what the state is attached to (see :meth:`get`).
            id: the id of that thing.
            name: the state's name.
            payload: the JSON object of a new state (at most 128 KB).
            expiry: idle time after which a new state expires, in milliseconds (1 to
                2 592 000 000); None: never.

        Returns:
            The existing or new state.

        Raises:
            ValueError: ``expiry`` out of 1 to 2 592 000 000 ms (nothing sent).
            InvalidPayloadError: the payload does not fit the state's schema.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/states/{type}/{id}/{name}/get-or-set``
        """
        _check_expiry(expiry)
        response = await self._transport.request(
            "POST",
            _STATE + "/get-or-set",
            path_params=_path(type, id, name),
            json=body(payload=payload, expiry=expiry),
            cast=GetOrSetStateResponse,
            idempotent=True,
        )
        return response.state

    async def patch(
        self,
        type: StateType,
        id: str,
        name: str,
        payload: Mapping[str, Any],
        *,
        expiry: int | Unset | None = UNSET,
    ) -> State:
        """Merge keys into a state's payload (top-level keys of ``payload`` replace the old ones).

        Args:
            type: what the state is attached to (see :meth:`get`).
            id: the id of that thing.
            name: the state's name.
            payload: the keys to set, a JSON object.
            expiry: new idle time after which the state expires, in milliseconds (1 to
                2 592 000 000, i.e. 30 days); None: never expires; omitted: unchanged. Beyond the
                1.70.2 spec (official client 1.45).

        Returns:
            The state after the merge.

        Raises:
            ValueError: ``expiry`` out of 1 to 2 592 000 000 ms (nothing sent).
            ResourceNotFoundError: no such state.
            InvalidPayloadError: the merged payload does not fit the state's schema.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``PATCH /v1/chat/states/{type}/{id}/{name}``
        """
        _check_expiry(expiry)
        response = await self._transport.request(
            "PATCH",
            _STATE,
            path_params=_path(type, id, name),
            json=body(payload=payload, expiry=expiry),
            cast=PatchStateResponse,
            idempotent=True,
        )
        return response.state

    async def set_expiry(self, type: StateType, id: str, name: str, expiry: int | None) -> State:
        """Change how long a state may stay idle before it expires.

        Args:
            type: what the state is attached to (see :meth:`get`).
            id: the id of that thing.
            name: the state's name.
            expiry: idle time in milliseconds, 1 to 2 592 000 000 (30 days); None removes the
                expiry (the state never expires).

        Returns:
            The state.

        Raises:
            ValueError: ``expiry`` out of 1 to 2 592 000 000 ms (nothing sent).
            ResourceNotFoundError: no such state.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/states/{type}/{id}/{name}/expiry``
        """
        _check_expiry(expiry)
        response = await self._transport.request(
            "POST",
            _STATE + "/expiry",
            path_params=_path(type, id, name),
            json=body(expiry=expiry),
            cast=SetStateExpiryResponse,
            idempotent=True,
        )
        return response.state
