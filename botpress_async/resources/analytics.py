"""Custom analytics counters."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Analytics"]


class Analytics(Resource):
    """Custom analytics counters."""
