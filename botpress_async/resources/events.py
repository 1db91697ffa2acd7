"""Events: what happened in a conversation, now or at a scheduled time."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Events"]


class Events(Resource):
    """Events: what happened in a conversation, now or at a scheduled time."""
