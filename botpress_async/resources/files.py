"""Files: upload, download and list the files of a bot."""

from __future__ import annotations

from botpress_async.resources._base import Resource

__all__ = ["Files"]


class Files(Resource):
    """Files: upload, download and list the files of a bot."""
