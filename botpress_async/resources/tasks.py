"""Tasks of conversations."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Tasks"]


class Tasks(Resource):
    """Tasks of conversations."""
