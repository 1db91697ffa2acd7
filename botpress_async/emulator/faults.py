"""Fault injection for the emulator (off by default): prove that clients survive a flaky service.

A plan is written ``429=0.05,503=0.03,reset=0.02,latency=0.05:200ms,commit502=0.01,commitreset=0.01``:
each ``name=probability`` (0..1) applies to every request independently of the others:

- ``429``: answer 429 RateLimited before the handler runs, with ``Retry-After`` and ``RateLimit-Reset``
  (seconds; ``429=0.05:2s`` sets them, default 1).
- ``503``: answer 503 (type Unknown) before the handler runs.
- ``reset``: drop the connection before the handler runs (no answer at all).
- ``latency``: wait before handling (``latency=0.05:200ms``; the default delay is 100 ms).
- ``commit502`` / ``commitreset``: for writes (any method but GET/HEAD/OPTIONS) run the handler (the
  write is committed) and then answer 502 or drop the connection, so that a client that retries
  blindly duplicates the write.

At most one of 429/503/reset hits a request; at most one of the commit faults hits a write.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from botpress_async.emulator._http import error_response

__all__ = ["FaultPlan", "fault_middleware"]

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _duration_ms(text: str, where: str) -> int:
    value = text.strip().lower()
    try:
        if value.endswith("ms"):
            return int(float(value[:-2]))
        if value.endswith("s"):
            return int(float(value[:-1]) * 1000)
        return int(float(value))
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a duration (e.g. 200ms or 1s)") from None


@dataclass(frozen=True)
class FaultPlan:
    """Probabilities (0..1) of each fault; see the module docstring for their meaning.

    Attributes:
        rate_limited: 429 before handling.
        retry_after_s: ``Retry-After`` / ``RateLimit-Reset`` of injected 429s, in seconds.
        unavailable: 503 before handling.
        reset: connection dropped before handling.
        latency: probability of an added delay of ``latency_ms`` milliseconds.
        commit_then_502: a write is applied, then answered 502.
        commit_then_reset: a write is applied, then its connection is dropped.
    """

    rate_limited: float = 0.0
    retry_after_s: int = 1
    unavailable: float = 0.0
    reset: float = 0.0
    latency: float = 0.0
    latency_ms: int = 100
    commit_then_502: float = 0.0
    commit_then_reset: float = 0.0

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """``"429=0.05,503=0.03,reset=0.02,latency=0.05:200ms"`` -> plan.

        Raises:
            ValueError: an unknown fault name, a probability outside 0..1, or a bad duration.
        """
        values: dict[str, float | int] = {}
        names = {"429": "rate_limited", "503": "unavailable", "reset": "reset", "latency": "latency",
                 "commit502": "commit_then_502", "commitreset": "commit_then_reset"}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, rest = part.partition("=")
            if not sep or name.strip() not in names:
                raise ValueError(f"faults: {part!r} is not one of {', '.join(n + '=P' for n in names)}")
            probability, _, extra = rest.partition(":")
            try:
                p = float(probability)
            except ValueError:
                raise ValueError(f"faults: {part!r}: {probability!r} is not a probability") from None
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"faults: {part!r}: the probability must be between 0 and 1")
            values[names[name.strip()]] = p
            if extra and name.strip() == "latency":
                values["latency_ms"] = _duration_ms(extra, f"faults: {part!r}")
            elif extra and name.strip() == "429":
                values["retry_after_s"] = max(0, round(_duration_ms(extra, f"faults: {part!r}") / 1000))
            elif extra:
                raise ValueError(f"faults: {part!r}: only 429 and latency take a ':' value")
        return cls(**values)  # type: ignore[arg-type]


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer (the client sees a reset / server disconnect)."""
    if request.transport is not None:
        request.transport.abort()
    raise asyncio.CancelledError  # aiohttp treats the handler as aborted; nothing is written


def fault_middleware(plan: FaultPlan, rng: random.Random | None = None) -> Middleware:
    """An aiohttp middleware injecting ``plan``'s faults (``rng`` seeds the draws, for reproducible runs)."""
    draw = rng if rng is not None else random.Random()

    @web.middleware
    async def faults(request: web.Request, handler: Handler) -> web.StreamResponse:
        if plan.latency and draw.random() < plan.latency:
            await asyncio.sleep(plan.latency_ms / 1000)
        roll = draw.random()
        if roll < plan.rate_limited:
            seconds = str(plan.retry_after_s)
            return error_response("RateLimited", "injected fault: rate limited",
                                  headers={"Retry-After": seconds, "RateLimit-Reset": seconds})
        roll -= plan.rate_limited
        if roll < plan.unavailable:
            return error_response("Unknown", "injected fault: service unavailable", status=503)
        roll -= plan.unavailable
        if roll < plan.reset:
            return _drop(request)
        response = await handler(request)
        if request.method in _READS or response.status >= 400:
            return response
        roll = draw.random()
        if roll < plan.commit_then_502:
            return error_response("Unknown", "injected fault: bad gateway after the write", status=502)
        if roll - plan.commit_then_502 < plan.commit_then_reset:
            return _drop(request)
        return response

    return faults
