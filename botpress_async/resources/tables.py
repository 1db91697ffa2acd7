"""Botpress Tables: tables, rows, find, group, search and bulk upserts."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Tables"]


class Tables(Resource):
    """Botpress Tables: tables, rows, find, group, search and bulk upserts."""
