"""Observations: named JSON records a bot captures for tracing (beyond the 1.70.2 spec).

The official client 1.45 sends captureObservation. One transport call per method, as every resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botpress_async._serde import body
from botpress_async._types import UNSET, Unset
from botpress_async.resources._base import Resource

__all__ = ["Observations"]


class Observations(Resource):
    """Observations: named JSON records a bot captures for tracing.

    captureObservation is not in the 1.70.2 runtime spec; the official client 1.45 sends it, and
    the service and the emulator serve it. Nothing in the API reads observations back.
    """

    async def capture(
        self,
        name: str,
        data: Mapping[str, Any],
        *,
        id: str | Unset = UNSET,
        message_id: str | Unset = UNSET,
        event_id: str | Unset = UNSET,
        conversation_id: str | Unset = UNSET,
        user_id: str | Unset = UNSET,
        error_id: str | Unset = UNSET,
        trace_id: str | Unset = UNSET,
    ) -> None:
        """Record an observation, optionally linked to the message, event, conversation … it is about.

        Beyond the 1.70.2 spec (official client 1.45). Not retried after a 5xx or a lost
        connection (the observation could be recorded twice) unless the client's RetryPolicy says
        otherwise.

        Args:
            name: what was observed, 1 to 200 characters.
            data: the observation, a JSON object.
            id: your own identifier for it (at most 200 characters; the API does not make it unique).
            message_id: the message it is about.
            event_id: the event it is about.
            conversation_id: the conversation it is about.
            user_id: the user it is about.
            error_id: the error it is about.
            trace_id: the trace it belongs to.

        Raises:
            InvalidPayloadError: ``name`` is empty or too long, ``data`` is not an object, or an id is
                over 200 characters.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/observations``
        """
        json = body(
            id=id,
            name=name,
            data=data,
            message_id=message_id,
            event_id=event_id,
            conversation_id=conversation_id,
            user_id=user_id,
            error_id=error_id,
            trace_id=trace_id,
        )
        await self._transport.request("POST", "/v1/chat/observations", json=json)
