"""Events: what happened in a conversation, now or at a scheduled time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from botpress_async._serde import body, format_datetime, query
from botpress_async._types import UNSET, Unset
from botpress_async.models import (
    CreateEventResponse,
    Event,
    GetEventResponse,
    ListEventsResponse,
)
from botpress_async.pagination import Paginator
from botpress_async.resources._base import Resource

__all__ = ["Events", "wire_schedule"]

_EVENTS = "/v1/chat/events"
_EVENT = "/v1/chat/events/{id}"

EventStatus = Literal["pending", "ignored", "processed", "failed", "scheduled"]


def wire_schedule(
    schedule: Mapping[str, Any] | Unset, delay_ms: float | Unset, at: datetime | str | Unset
) -> dict[str, Any] | Unset:
    """The wire ``schedule`` object, ``{"delay": ms}`` or ``{"dateTime": "<24 chars>"}``, or UNSET.

    ``schedule`` is ``{"delay": ms}`` or ``{"date_time": datetime}`` (``"dateTime"`` is accepted
    too); ``delay_ms`` and ``at`` are the keyword shortcuts for the same two forms. Exactly one
    form may be given: the API needs one of them and does not say what both would mean.

    Raises:
        ValueError: more than one form, an unknown key, a negative or non-numeric delay, a naive
            datetime, or a date-time string that is not 24 to 28 characters.
    """
    given = [name for name, value in (("schedule", schedule), ("delay_ms", delay_ms), ("at", at))
             if value is not UNSET]
    if len(given) > 1:
        raise ValueError(f"give one of schedule=, delay_ms= or at=, not {' and '.join(given)}")
    if schedule is not UNSET:
        unknown = set(schedule) - {"delay", "date_time", "dateTime"}
        if unknown:
            raise ValueError(
                f"schedule keys must be 'delay' (ms) or 'date_time' (datetime), got {sorted(unknown)}"
            )
        forms = {k: v for k, v in schedule.items() if v is not UNSET and v is not None}
        if len(forms) != 1:
            raise ValueError("schedule needs exactly one of 'delay' (ms) or 'date_time' (datetime)")
        ((key, value),) = forms.items()
        if key == "delay":
            delay_ms = value
        else:
            at = value
    if delay_ms is not UNSET:
        if isinstance(delay_ms, bool) or not isinstance(delay_ms, int | float) or not delay_ms >= 0:
            raise ValueError(f"schedule delay must be a number of milliseconds >= 0, got {delay_ms!r}")
        return {"delay": delay_ms}
    if at is not UNSET:
        if isinstance(at, datetime):
            return {"dateTime": format_datetime(at)}
        if not isinstance(at, str) or not 24 <= len(at) <= 28:
            raise ValueError(
                f"schedule date-time must be an aware datetime or a 24 to 28 character ISO-8601 string, "
                f"got {at!r}"
            )
        return {"dateTime": at}
    return UNSET


class Events(Resource):
    """Events: what happened in a conversation, now or at a scheduled time."""

    async def create(
        self,
        *,
        type: str,
        payload: Mapping[str, Any],
        schedule: Mapping[str, Any] | Unset = UNSET,
        delay_ms: float | Unset = UNSET,
        at: datetime | str | Unset = UNSET,
        conversation_id: str | Unset = UNSET,
        user_id: str | Unset = UNSET,
        workflow_id: str | Unset = UNSET,
        message_id: str | Unset = UNSET,
    ) -> Event:
        """Create an event, delivered now or at a scheduled time.

        Not retried after a 5xx or a lost connection (a retry could create a second event)
        unless the client's RetryPolicy says otherwise.

        Args:
            type: the event type, at most 200 characters.
            payload: the event's JSON object.
            schedule: deliver later: ``{"delay": ms}`` (milliseconds from now) or
                ``{"date_time": datetime}`` (an aware datetime, sent as
                ``YYYY-MM-DDTHH:MM:SS.mmmZ``).
            delay_ms: shortcut for ``schedule={"delay": delay_ms}``: milliseconds from now.
            at: shortcut for ``schedule={"date_time": at}``: an aware datetime (or a 24 to 28
                character ISO-8601 string).
            conversation_id: the conversation the event belongs to.
            user_id: the user the event is about.
            workflow_id: the workflow the event belongs to.
            message_id: the message the event is about.

        Returns:
            The new event (``status`` is ``"scheduled"`` when a schedule was given).

        Raises:
            ValueError: more than one of schedule/delay_ms/at, or a bad schedule (nothing sent).
            InvalidPayloadError: a field is out of its limits.
            ReferenceNotFoundError: a referenced conversation, user, workflow or message is missing.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/events``
        """
        json = body(
            type=type,
            payload=payload,
            schedule=wire_schedule(schedule, delay_ms, at),
            conversation_id=conversation_id,
            user_id=user_id,
            workflow_id=workflow_id,
            message_id=message_id,
        )
        response = await self._transport.request("POST", _EVENTS, json=json, cast=CreateEventResponse)
        return response.event

    async def get(self, id: str) -> Event:
        """Fetch one event.

        Args:
            id: the event's id (28 to 36 characters).

        Returns:
            The event.

        Raises:
            ResourceNotFoundError: no event with this id in this bot.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``GET /v1/chat/events/{id}``
        """
        response = await self._transport.request("GET", _EVENT, path_params={"id": id}, cast=GetEventResponse)
        return response.event

    def list(
        self,
        *,
        type: str | Unset = UNSET,
        conversation_id: str | Unset = UNSET,
        user_id: str | Unset = UNSET,
        message_id: str | Unset = UNSET,
        workflow_id: str | Unset = UNSET,
        status: EventStatus | Unset = UNSET,
        page_size: int | Unset = UNSET,
    ) -> Paginator[Event]:
        """List events, page after page (nothing is fetched until the paginator is used).

        Args:
            type: only events of this type.
            conversation_id: only events of this conversation.
            user_id: only events of this user.
            message_id: only events about this message.
            workflow_id: only events of this workflow.
            status: only events in this status: ``"pending"``, ``"ignored"``, ``"processed"``,
                ``"failed"`` or ``"scheduled"``.
            page_size: events per page, 1 to 100, for every page fetched (omitted: the service's
                default, 20). Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            A :class:`Paginator` of :class:`Event`.

        Raises:
            ValueError: ``page_size`` out of 1 to 100 (raised at once, nothing sent).
            InvalidQueryError: a filter value the API refuses (raised when iterated).
            APIError, APIConnectionError: as any call, when a page is fetched.

        API: ``GET /v1/chat/events``
        """
        params = query(
            type=type,
            conversation_id=conversation_id,
            user_id=user_id,
            message_id=message_id,
            workflow_id=workflow_id,
            status=status,
        )
        return self._list(
            _EVENTS, cast=ListEventsResponse, items=lambda r: r.events, params=params, page_size=page_size
        )

    async def cancel_scheduled(self, id: str) -> None:
        """Cancel a scheduled event (or scheduled message) before it is delivered.

        Args:
            id: the id of the scheduled event.

        Raises:
            ResourceNotFoundError: no event with this id.
            InvalidPayloadError: the event is not (or no longer) scheduled.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``DELETE /v1/chat/events/scheduled/{id}``
        """
        await self._transport.request("DELETE", _EVENTS + "/scheduled/{id}", path_params={"id": id})
