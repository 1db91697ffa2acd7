"""Integration configuration calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from botpress_async._serde import body
from botpress_async._types import UNSET, Unset
from botpress_async.resources._base import Resource

__all__ = ["Integrations", "RegisterSchedule"]

RegisterSchedule = Literal[
    "hourly", "daily", "weekly", "bi-weekly", "monthly", "bi-monthly", "quarterly", "yearly"
]


class Integrations(Resource):
    """Integration configuration calls (made with an integration's token)."""

    async def configure(
        self,
        *,
        identifier: str | Unset | None = UNSET,
        schedule_register_call: RegisterSchedule | Unset = UNSET,
        sandbox_identifiers: Mapping[str, Any] | Unset | None = UNSET,
    ) -> None:
        """Configure the calling integration's instance in this bot.

        Args:
            identifier: the instance's identifier in the external service, at most 200
                characters; None clears it.
            schedule_register_call: how often the integration's register handler is called:
                ``"hourly"``, ``"daily"``, ``"weekly"``, ``"bi-weekly"``, ``"monthly"``,
                ``"bi-monthly"``, ``"quarterly"`` or ``"yearly"``.
            sandbox_identifiers: identifiers for the sandbox, a JSON object; None clears them.

        Raises:
            ForbiddenError: the token is not an integration's.
            InvalidPayloadError: a field is out of its limits.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/integrations/configure``
        """
        json = body(
            identifier=identifier,
            schedule_register_call=schedule_register_call,
            sandbox_identifiers=sandbox_identifiers,
        )
        # Setting the same configuration twice has the effect of once.
        await self._transport.request("POST", "/v1/chat/integrations/configure", json=json, idempotent=True)
