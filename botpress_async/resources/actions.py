"""Actions: call an integration's or a bot's action."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botpress_async._serde import body
from botpress_async.models import CallActionResponse
from botpress_async.resources._base import Resource

__all__ = ["Actions"]


class Actions(Resource):
    """Actions: call an integration's or a bot's action."""

    async def call(self, type: str, input: Mapping[str, Any]) -> dict[str, Any]:
        """Call an action and return its output.

        Not retried after a 5xx or a lost connection (an action may have side effects) unless
        the client's RetryPolicy says otherwise. The answer's ``meta.cached`` flag is dropped;
        use :meth:`call_with_meta` to read it.

        Args:
            type: the action, ``"<integration>:<action>"`` (for example ``"slack:addReaction"``),
                at most 200 characters.
            input: the action's input, a JSON object.

        Returns:
            The action's output, a JSON object.

        Raises:
            ResourceNotFoundError: no such action.
            InvalidPayloadError: the input does not fit the action's schema.
            RuntimeAPIError: the action itself failed.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/actions``
        """
        response = await self.call_with_meta(type, input)
        return response.output

    async def call_with_meta(self, type: str, input: Mapping[str, Any]) -> CallActionResponse:
        """Call an action and return the whole answer: ``.output`` and ``.meta.cached``.

        Args:
            type: the action, ``"<integration>:<action>"``, at most 200 characters.
            input: the action's input, a JSON object.

        Returns:
            The response: ``.output`` (a JSON object) and ``.meta.cached`` (True when the
            output came from the service's cache).

        Raises:
            Same as :meth:`call`.

        API: ``POST /v1/chat/actions``
        """
        return await self._transport.request(
            "POST", "/v1/chat/actions", json=body(type=type, input=input), cast=CallActionResponse
        )
