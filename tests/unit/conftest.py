"""Shared fixtures of the unit tests: a recorder of the exact requests sent, and a client aimed at it.

``wire`` is a :class:`wire_recorder.WireMock` (aioresponses that also keeps every request exactly as
sent, in ``wire.calls``). ``bp`` is a Client with a known token and bot id, pointed at
``wire_recorder.BASE_URL``, with no environment lookups and instant retry waits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from fakes import make_client
from wire_recorder import WireMock

from botpress_async import Client, RetryPolicy


@pytest.fixture
def wire() -> Iterator[WireMock]:
    """An active aioresponses mock recording every request in ``wire.calls``."""
    with WireMock() as mock:
        yield mock


@pytest.fixture
async def bp() -> AsyncIterator[Client]:
    """A client with a known token and bot id aimed at BASE_URL (retry waits are 0 s)."""
    async with make_client(retry=RetryPolicy(backoff_base=0.0, backoff_max=0.0)) as client:
        yield client
