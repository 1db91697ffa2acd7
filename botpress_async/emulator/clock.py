"""The emulator's clock: injectable so tests can move time (state expiry, scheduled events)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache


class Clock:
    """Wall-clock time. Subclass or use :class:`ManualClock` in tests."""

    def now_ms(self) -> int:
        """Milliseconds since the Unix epoch."""
        return time.time_ns() // 1_000_000

    def now(self) -> datetime:
        """The current time as an aware UTC datetime (millisecond precision)."""
        return datetime.fromtimestamp(self.now_ms() / 1000, tz=UTC)


class ManualClock(Clock):
    """A clock that only moves when told to: ``clock.advance(ms)``."""

    def __init__(self, start_ms: int | None = None) -> None:
        self._now = start_ms if start_ms is not None else time.time_ns() // 1_000_000

    def now_ms(self) -> int:
        return self._now

    def advance(self, ms: int) -> None:
        """Move the clock forward by ``ms`` milliseconds."""
        self._now += ms


@lru_cache(maxsize=4096)
def _iso_second(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.")


def iso(ms: int) -> str:
    """Milliseconds since the epoch -> the service's ``YYYY-MM-DDTHH:MM:SS.mmmZ`` form."""
    # Every answer formats two or more timestamps, mostly of the same few seconds: cache per second.
    return f"{_iso_second(ms // 1000)}{ms % 1000:03d}Z"
