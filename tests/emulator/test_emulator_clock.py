"""The emulator's timestamp format (cached per second) and its ISO 8601 reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from botpress_async.emulator.clock import epoch_ms, iso, parse_iso


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T00:00:00Z", datetime(2024, 1, 1, tzinfo=UTC)),
        ("2024-01-01T00:00:00.123z", datetime(2024, 1, 1, 0, 0, 0, 123_000, tzinfo=UTC)),
        ("2024-01-01T02:00:00+02:00", datetime(2024, 1, 1, tzinfo=UTC)),
        ("2024-01-01T00:00:00", datetime(2024, 1, 1, tzinfo=UTC)),
        (" 2024-01-01 ", datetime(2024, 1, 1, tzinfo=UTC)),
    ],
)
def test_parse_iso_reads_z_offsets_and_naive_times_as_utc(text: str, expected: datetime) -> None:
    parsed = parse_iso(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "yesterday", "", "20240101", "2024-13-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00",
    ],
)
def test_parse_iso_refuses_what_is_no_date_time_or_leaves_the_years_1_to_9999(text: str) -> None:
    assert parse_iso(text) is None


def test_epoch_ms_is_exact_to_the_millisecond_on_both_sides_of_the_epoch() -> None:
    assert epoch_ms(datetime(2024, 1, 1, 0, 0, 0, 1_000, tzinfo=UTC)) == 1_704_067_200_001
    assert epoch_ms(datetime(1969, 12, 31, 23, 59, 59, 999_500, tzinfo=UTC)) == -1
    moment = datetime(2023, 11, 14, 22, 13, 20, 123_999, tzinfo=UTC)
    assert iso(epoch_ms(moment)) == "2023-11-14T22:13:20.123Z"
