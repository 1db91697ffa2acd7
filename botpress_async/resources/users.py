"""The users of a bot: people or systems taking part in its conversations."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Users"]


class Users(Resource):
    """The users of a bot: people or systems taking part in its conversations."""
