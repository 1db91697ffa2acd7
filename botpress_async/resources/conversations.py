"""Conversations of a bot and their participants."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Conversations"]


class Conversations(Resource):
    """Conversations of a bot and their participants."""
