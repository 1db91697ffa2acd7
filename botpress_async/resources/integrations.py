"""Integration configuration calls."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Integrations"]


class Integrations(Resource):
    """Integration configuration calls."""
