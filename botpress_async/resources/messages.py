"""Messages of conversations."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Messages"]


class Messages(Resource):
    """Messages of conversations."""
