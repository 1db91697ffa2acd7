"""Tag values in use across users, conversations and messages."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Tags"]


class Tags(Resource):
    """Tag values in use across users, conversations and messages."""
