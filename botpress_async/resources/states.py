"""States: JSON payloads attached to a bot, user, conversation, task, workflow or integration."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["States"]


class States(Resource):
    """States: JSON payloads attached to a bot, user, conversation, task, workflow or integration."""
