"""Actions: call an integration's or a bot's action."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Actions"]


class Actions(Resource):
    """Actions: call an integration's or a bot's action."""
