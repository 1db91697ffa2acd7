"""Custom analytics counters."""

from __future__ import annotations

from botpress_async._serde import body
from botpress_async.resources._base import Resource

__all__ = ["Analytics"]


class Analytics(Resource):
    """Custom analytics counters."""

    async def track(self, name: str, count: int = 1) -> None:
        """Add ``count`` to the analytics counter ``name``.

        Not retried after a 5xx or a lost connection (the count could be added twice) unless
        the client's RetryPolicy says otherwise.

        Args:
            name: the counter, 1 to 200 characters.
            count: how much to add, an integer of at least 1.

        Raises:
            ValueError: ``count`` is not an integer of at least 1 (nothing sent).
            InvalidPayloadError: the name is empty or too long.
            APIError: any other error answer.
            APIConnectionError: the request could not complete (APITimeoutError on timeout).

        API: ``POST /v1/chat/analytics``
        """
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be an integer of at least 1, got {count!r}")
        await self._transport.request("POST", "/v1/chat/analytics", json=body(name=name, count=count))
