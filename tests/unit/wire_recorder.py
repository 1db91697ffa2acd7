"""A recorder of the exact requests a client sends, over aioresponses (used by tests/unit/conftest.py).

aioresponses itself only keeps URLs with a re-sorted, re-encoded query string; :class:`WireMock`
also keeps every request as the transport sent it, so tests can compare URLs character for character.
"""

from __future__ import annotations

import json
import re
from typing import Any

import attrs
from aiohttp import ClientResponse
from aioresponses import aioresponses
from yarl import URL

BASE_URL = "https://api.botpress.test"
TOKEN = "bp_pat_unit_test_token_do_not_leak_0123456789"
BOT_ID = "bot_unit_test"


@attrs.frozen
class WireCall:
    """One request as it left the client: method, full URL (query string as sent), headers, body."""

    method: str
    url: str
    headers: dict[str, str]
    data: bytes | None

    @property
    def path(self) -> str:
        """The path, still percent-encoded, without the base URL or the query string."""
        return self.url.removeprefix(BASE_URL).split("?", 1)[0]

    @property
    def query(self) -> str:
        """The raw query string, in the order sent ('' when none)."""
        return self.url.split("?", 1)[1] if "?" in self.url else ""

    @property
    def json(self) -> Any:
        """The decoded JSON body (None when no body was sent)."""
        return None if self.data is None else json.loads(self.data)


class _StreamWriterDone:
    """What a finished request's stream writer reports: aiohttp 3.13+ reads it in ClientResponse()."""

    output_size = 0


class CompatResponse(ClientResponse):
    """ClientResponse as aioresponses 0.7.9 builds it, plus the ``stream_writer`` aiohttp 3.13+ requires."""

    def __init__(self, method: str, url: URL, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", _StreamWriterDone())
        super().__init__(method, url, **kwargs)


class WireMock(aioresponses):  # type: ignore[misc]
    """aioresponses plus :attr:`calls`, the requests exactly as sent, and :meth:`reply`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls: list[WireCall] = []

    async def _request_mock(self, orig_self: Any, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        data = kwargs.get("data")
        self.calls.append(
            WireCall(
                method=method.upper(),
                url=str(url) if isinstance(url, URL) else url,
                headers=dict(kwargs.get("headers") or {}),
                data=bytes(data) if data is not None else None,
            )
        )
        return await super()._request_mock(orig_self, method, url, *args, **kwargs)

    def add(self, url: Any, method: str = "GET", *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("response_class", CompatResponse)
        super().add(url, method, *args, **kwargs)

    def reply(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        body: str | bytes | None = None,
        repeat: bool = False,
    ) -> None:
        """Answer the next ``method`` request to ``path`` (any query string) with ``payload`` as JSON.

        ``path`` is matched literally up to the query string; ``body`` sends raw bytes instead.
        """
        pattern = re.compile(re.escape(BASE_URL + path) + r"(\?.*)?$")
        kwargs: dict[str, Any] = {"status": status, "headers": headers, "repeat": repeat}
        if body is not None:
            kwargs["body"] = body
        else:
            kwargs["payload"] = payload if payload is not None else {}
        self.add(pattern, method.upper(), **kwargs)
