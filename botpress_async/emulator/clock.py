"""The emulator's clock: injectable so tests can move time (state expiry, scheduled events); and the
emulator's one reader and writer of ISO 8601 date-times."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
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


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


def parse_iso(text: str) -> datetime | None:
    """An ISO 8601 date-time as an aware UTC datetime, else ``None``.

    ``Z`` (or ``z``) and offsets are read; a value without a time zone is taken as UTC; surrounding spaces
    are ignored. A value shorter than a calendar date (``YYYY-MM-DD``) is refused, and so is one that
    falls outside the years 1 to 9999 once moved to UTC.
    """
    text = text.strip()
    if len(text) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "zZ" else text)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def epoch_ms(moment: datetime) -> int:
    """An aware datetime -> whole milliseconds since the Unix epoch (rounded down, exact)."""
    return (moment - _EPOCH) // _ONE_MS


def iso(ms: int) -> str:
    """Milliseconds since the epoch -> the service's ``YYYY-MM-DDTHH:MM:SS.mmmZ`` form."""
    # Every answer formats two or more timestamps, mostly of the same few seconds: cache per second.
    return f"{_iso_second(ms // 1000)}{ms % 1000:03d}Z"
