"""What is retried, and how long to wait: the retry policy.

The rules, in order:

- 429 on any method: the server refused the request, so it is always safe to send it again. Wait
  ``Retry-After`` (seconds or an HTTP date) or ``RateLimit-Reset`` (seconds), capped at
  ``max_retry_after``; without either header, exponential backoff with full jitter.
- 502/503/504, connection errors and timeouts: only for idempotent operations (GET, PUT, DELETE,
  get-or-create, state set/patch, find rows, keyed upserts), or when ``retry_non_idempotent`` is set.
  A connection that could not even be opened proves the server never saw the request, so that one
  is retried for every method.
- Attempts are bounded by ``max_attempts`` and, across all attempts, by the client's deadline.

The waits come from the ``backoff`` library's generators (``backoff.expo`` with
``backoff.full_jitter``); the loop that applies them lives in the transport, the only place that
sends HTTP. ``asyncio.CancelledError`` is never caught anywhere in that loop.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Iterator, Mapping
from datetime import UTC

import attrs
import backoff

__all__ = ["DEFAULT_RETRY", "NO_RETRY", "RetryPolicy", "parse_retry_after"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How a call is retried. Pass one to ``Client(retry=...)`` or ``client.with_options(retry=...)``.

    Attributes:
        max_attempts: attempts in all, the first included (1 disables retries).
        retry_statuses: statuses retried for idempotent operations (429 is always retried).
        retry_non_idempotent: also retry non-idempotent operations (creates) on 5xx, connection
            errors and timeouts. Off by default: a create may have reached the server.
        backoff_base: first exponential wait, seconds (doubles each attempt, full jitter).
        backoff_max: the largest exponential wait, seconds.
        max_retry_after: the largest wait taken from Retry-After / RateLimit-Reset, seconds.
    """

    max_attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    retry_statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    retry_non_idempotent: bool = False
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 60.0

    def waits(self) -> Iterator[float]:
        """Exponential waits with full jitter, in seconds, from the backoff library."""
        gen = backoff.expo(base=2, factor=self.backoff_base, max_value=self.backoff_max)
        next(gen)  # backoff's generators are primed with one send(None)
        for value in gen:
            yield backoff.full_jitter(value)

    def should_retry_status(self, status: int, *, idempotent: bool) -> bool:
        """True when an answer with ``status`` may be sent again."""
        if status == 429:
            return True
        return status in self.retry_statuses and (idempotent or self.retry_non_idempotent)

    def should_retry_transport(self, *, idempotent: bool, connect_failed: bool) -> bool:
        """True when a transport failure (reset, timeout) may be retried."""
        return connect_failed or idempotent or self.retry_non_idempotent

    def server_wait(self, headers: Mapping[str, str], *, now: float | None = None) -> float | None:
        """The wait the server asked for (Retry-After, then RateLimit-Reset), capped; or None."""
        value = parse_retry_after(headers, now=now)
        if value is None:
            return None
        return min(value, self.max_retry_after)


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(max_attempts=1)


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or ``RateLimit-Reset`` (seconds).

    An HTTP date is measured against the response's own ``Date`` header when it has one, so a
    client clock that is off by minutes does not turn "retry in 2 s" into no wait or a long one;
    without ``Date``, against ``now`` (Unix seconds; default the current time).

    Returns None when neither header is present or parseable (a number of seconds must be finite and
    non-negative: ``-3`` or ``inf`` is malformed); never a negative number.
    """
    raw = header(headers, "Retry-After")
    if raw:
        raw = raw.strip()
        wait = seconds(raw)
        if wait is not None:
            return wait
        when = _http_date(raw)
        if when is not None:
            if now is None:
                sent = _http_date(header(headers, "Date") or "")
                now = sent if sent is not None else time.time()
            return max(0.0, when - now)
    return seconds(header(headers, "RateLimit-Reset"))


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name``, or None when absent.

    aiohttp's headers ignore case; a plain dict (a caller's, a test's) may use either spelling.
    """
    value = headers.get(name)
    return value if value is not None else headers.get(name.lower())


def seconds(text: str | None) -> float | None:
    """A header's number of seconds: finite and non-negative, else None (absent or malformed).

    NaN, infinity and negative numbers are not waits: they are malformed, like any other text.
    """
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if 0 <= value < math.inf else None


def _http_date(text: str) -> float | None:
    if not text:
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()
