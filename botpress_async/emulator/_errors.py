"""The one exception the emulator's stores and handlers raise for an API-level failure.

The HTTP layer turns it into the service's error body ``{id, code, type, message}`` plus the docs'
``description`` and ``status`` keys. ``type`` must be a type of the 1.70.2 catalogue
(``botpress_async/spec/runtime.metadata.json``); the status comes from the catalogue.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def catalogue() -> dict[str, int]:
    """Catalogue type -> HTTP status, read from the packaged metadata."""
    text = resources.files("botpress_async.spec").joinpath("runtime.metadata.json").read_text("utf-8")
    return {e["type"]: int(e["status"]) for e in json.loads(text)["errors"]}


class EmulatorError(Exception):
    """An API error answer: ``type`` from the catalogue and a message naming what was wrong."""

    def __init__(self, type: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        if type not in catalogue():
            raise ValueError(f"{type!r} is not a catalogue error type")
        super().__init__(message)
        self.type = type
        self.message = message
        self.status = catalogue()[type]
        self.headers = headers or {}
