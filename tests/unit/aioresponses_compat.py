"""Make aioresponses 0.7.9 build responses on aiohttp 3.14, where ClientResponse needs ``stream_writer``.

aioresponses builds a ``ClientResponse`` itself, with the arguments of older aiohttp versions; since
3.14 the constructor also needs the request's stream writer (it only reads ``output_size`` from it
when the request was already sent). Importing this module swaps in a subclass that supplies a
stand-in. Nothing changes on aiohttp versions that do not take the argument.
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import aioresponses.core
from aiohttp import ClientResponse

if "stream_writer" in inspect.signature(ClientResponse.__init__).parameters:

    class _MockedResponse(ClientResponse):
        def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
            kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
            super().__init__(method, url, **kwargs)

    aioresponses.core.ClientResponse = _MockedResponse  # type: ignore[misc]
