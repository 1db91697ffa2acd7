"""Helpers for emulator tests: a spec-conformance check for responses, the error-shape check, and a raw
JSON caller. Generic: any emulator test (runtime or Tables) can use them
(``from emulator_helpers import assert_conforms``)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import aiohttp

from botpress_async.emulator.validation import SpecName, response_validator

BOT_A = str(uuid.UUID(int=0xA))  # 36 chars, like the service's bot ids (a State's botId is 28-36 chars)
BOT_B = str(uuid.UUID(int=0xB))

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
_ERROR_KEYS = {"id", "code", "type", "message", "description", "status"}


def _timestamps(value: Any, path: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            if key.endswith("At") and isinstance(sub, str):
                found.append((f"{path}.{key}", sub))
            elif key not in ("payload", "input", "output", "data"):  # user content: anything goes
                found += _timestamps(sub, f"{path}.{key}")
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            found += _timestamps(sub, f"{path}[{index}]")
    return found


def assert_conforms(spec: SpecName, operation_id: str, status: int, body: Any) -> None:
    """Fail unless ``body`` validates against the spec's response schema for ``operation_id`` at ``status``
    and every ``...At`` timestamp has the service's ``YYYY-MM-DDTHH:MM:SS.mmmZ`` form."""
    errors = sorted(response_validator(spec, operation_id, status).iter_errors(body), key=str)
    assert not errors, f"{operation_id} {status}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )
    bad = [(path, text) for path, text in _timestamps(body) if not _TIMESTAMP.match(text)]
    assert not bad, f"{operation_id}: timestamps not in YYYY-MM-DDTHH:MM:SS.mmmZ form: {bad}"


def assert_error(status: int, body: Any, type: str | None = None) -> None:
    """Fail unless ``body`` is the emulator's error shape with ``status`` (and ``type`` when given)."""
    assert isinstance(body, dict), body
    assert set(body) == _ERROR_KEYS, body
    assert body["status"] == body["code"] == status, body
    assert re.fullmatch(r"err_\d+x[0-9a-f]{8}", body["id"]), body["id"]
    assert isinstance(body["message"], str) and body["message"], body
    if type is not None:
        assert body["type"] == type, body


class Api:
    """A raw JSON caller for one bot: ``status, body = await api.call("POST", path, json=...)``."""

    def __init__(self, session: aiohttp.ClientSession, bot_id: str) -> None:
        self.session = session
        self.bot_id = bot_id

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {"x-bot-id": self.bot_id, **kwargs.pop("headers", {})}
        async with self.session.request(method, path, headers=headers, **kwargs) as response:
            body = await response.json(content_type=None)
            return response.status, body

    async def ok(self, method: str, path: str, operation_id: str, expect: int = 200, **kwargs: Any) -> Any:
        """Call, assert the status and spec conformance, return the body."""
        status, body = await self.call(method, path, **kwargs)
        assert status == expect, (status, body)
        assert_conforms("runtime", operation_id, status, body)
        return body


