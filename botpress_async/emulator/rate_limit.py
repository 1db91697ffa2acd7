"""An optional sliding-window rate limiter for the emulator (off by default), like the service's quota.

``RateLimit.parse("50/s")`` allows 50 requests in any rolling second, per bot (``x-bot-id``) by default or
per token. Over the limit the answer is 429 RateLimited with ``Retry-After`` and ``RateLimit-Reset``
(whole seconds until a slot frees, at least 1), ``RateLimit-Limit`` and ``RateLimit-Remaining: 0``;
answers within the limit carry the same ``RateLimit-*`` headers. Time comes from the emulator's clock.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator.clock import Clock

__all__ = ["RateLimit", "rate_limit_middleware"]

_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000}


@dataclass(frozen=True)
class RateLimit:
    """``limit`` requests per ``window_ms`` milliseconds, counted per ``per`` (bot or token)."""

    limit: int
    window_ms: int = 1000
    per: Literal["bot", "token"] = "bot"

    @classmethod
    def parse(cls, spec: str, per: Literal["bot", "token"] = "bot") -> RateLimit:
        """``"50/s"``, ``"600/m"``, ``"10/500ms"``, ``"100/10s"`` -> limit.

        Raises:
            ValueError: not ``N/<window>`` with N ≥ 1 and a unit of ms, s, m, min or h.
        """
        count, sep, window = spec.strip().partition("/")
        digits = window.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = window[len(digits):] or "s"
        try:
            limit = int(count)
            span = float(digits) if digits else 1.0
        except ValueError:
            limit, span = 0, 0.0
        if not sep or limit < 1 or span <= 0 or unit not in _UNITS_MS:
            raise ValueError(f"rate limit {spec!r}: expected N/<window> such as 50/s, 600/m or 10/500ms")
        return cls(limit=limit, window_ms=max(1, int(span * _UNITS_MS[unit])), per=per)


def rate_limit_middleware(limit: RateLimit, clock: Clock) -> Middleware:
    """An aiohttp middleware enforcing ``limit`` (runs after authentication: keys are known callers)."""
    windows: dict[str, deque[int]] = {}

    def headers(remaining: int, reset_ms: int) -> dict[str, str]:
        reset = str(max(1, math.ceil(reset_ms / 1000)))
        return {"RateLimit-Limit": str(limit.limit), "RateLimit-Remaining": str(remaining),
                "RateLimit-Reset": reset}

    @web.middleware
    async def rate_limited(request: web.Request, handler: Handler) -> web.StreamResponse:
        key = request.headers.get("x-bot-id" if limit.per == "bot" else "Authorization", "")
        now = clock.now_ms()
        window = windows.setdefault(key, deque())
        while window and window[0] <= now - limit.window_ms:
            window.popleft()
        if len(window) >= limit.limit:
            wait = window[0] + limit.window_ms - now
            extra = headers(0, wait)
            extra["Retry-After"] = extra["RateLimit-Reset"]
            raise EmulatorError("RateLimited", f"more than {limit.limit} requests in {limit.window_ms} ms",
                                headers=extra)
        window.append(now)
        extra = headers(limit.limit - len(window), window[0] + limit.window_ms - now)
        try:
            response = await handler(request)
        except EmulatorError as exc:
            exc.headers = {**extra, **exc.headers}
            raise
        response.headers.update(extra)
        return response

    return rate_limited
