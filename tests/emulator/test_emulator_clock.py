"""The emulator's timestamp format (cached per second)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from botpress_async.emulator.clock import iso


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
        (1_700_000_000_999, "2023-11-14T22:13:20.999Z"),
        (1_700_000_001_000, "2023-11-14T22:13:21.000Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    ],
)
def test_iso_gives_milliseconds_in_utc_with_a_z(ms: int, text: str) -> None:
    assert iso(ms) == text


def test_iso_of_many_milliseconds_of_one_second_agrees_with_datetime() -> None:
    base = 1_700_000_000_000
    for ms in range(base, base + 2000, 7):
        second = datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
        expected = f"{second}.{ms % 1000:03d}Z"
        assert iso(ms) == expected
