"""Workflows of a bot."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Workflows"]


class Workflows(Resource):
    """Workflows of a bot."""
