"""bp.tables refuses locally, with a ValueError and nothing sent, what the API would refuse."""

from __future__ import annotations

import math

import pytest

from botpress_async import Client

T = "airportsTable"


async def test_more_than_1000_rows_is_refused_pointing_to_bulk_upsert(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="bulk_upsert"):
        await bp.tables.upsert_rows(T, ({"n": i} for i in range(1001)))
    assert wire.calls == []


async def test_create_rows_with_no_row_is_refused(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="at least one row"):
        await bp.tables.create_rows(T, [])
    assert wire.calls == []


@pytest.mark.parametrize("bad", [0, -1, 2_147_483_648, True, 1.0, "1", None])
async def test_get_row_refuses_an_id_outside_the_int32_range(bp: Client, wire, bad: object) -> None:
    with pytest.raises(ValueError, match=r"1\.\.2147483647"):
        await bp.tables.get_row(T, bad)  # type: ignore[arg-type]
    assert wire.calls == []


async def test_update_rows_refuses_a_row_without_id(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="no 'id'"):
        await bp.tables.update_rows(T, [{"id": 1, "a": 1}, {"a": 2}])
    assert wire.calls == []


async def test_update_rows_refuses_a_bool_id(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="row 0: id"):
        await bp.tables.update_rows(T, [{"id": True}])
    assert wire.calls == []


async def test_upsert_rows_refuses_an_id_too_large(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="2147483647"):
        await bp.tables.upsert_rows(T, [{"id": 2**31}])
    assert wire.calls == []


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
async def test_create_rows_refuses_nan_and_infinity(bp: Client, wire, bad: float) -> None:
    with pytest.raises(ValueError, match="NaN or Infinity"):
        await bp.tables.create_rows(T, [{"price": bad}])
    assert wire.calls == []


def test_find_rows_refuses_a_search_over_1024_utf16_code_units(bp: Client) -> None:
    # An emoji is two UTF-16 code units: 513 of them is 1026 units though only 513 characters.
    with pytest.raises(ValueError, match="1026 UTF-16 code units"):
        bp.tables.find_rows(T, search="😀" * 513)


async def test_find_rows_accepts_a_search_of_exactly_1024_utf16_code_units(bp: Client, wire) -> None:
    wire.reply("POST", f"/v1/tables/{T}/rows/find", {"rows": [], "hasMore": False, "offset": 0, "limit": 100})
    await bp.tables.find_rows(T, search="😀" * 512)
    assert len(wire.calls[0].json["search"]) == 512


@pytest.mark.parametrize("limit", [0, 1001, True])
def test_find_rows_refuses_a_limit_outside_1_to_1000(bp: Client, limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        bp.tables.find_rows(T, limit=limit)


def test_find_rows_refuses_a_negative_offset(bp: Client) -> None:
    with pytest.raises(ValueError, match="offset"):
        bp.tables.find_rows(T, offset=-1)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"ids": [1], "filter": {"a": 1}}, {"ids": [1], "delete_all_rows": True},
     {"filter": {"a": 1}, "delete_all_rows": True}],
)
async def test_delete_rows_needs_exactly_one_selector(bp: Client, wire, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        await bp.tables.delete_rows(T, **kwargs)  # type: ignore[arg-type]
    assert wire.calls == []


async def test_delete_rows_refuses_an_empty_filter(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="delete_all_rows=True"):
        await bp.tables.delete_rows(T, filter={})
    assert wire.calls == []


async def test_delete_rows_refuses_more_than_1000_ids(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="bulk_delete"):
        await bp.tables.delete_rows(T, ids=list(range(1, 1002)))
    assert wire.calls == []


async def test_delete_rows_refuses_a_bad_id(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match=r"1\.\.2147483647"):
        await bp.tables.delete_rows(T, ids=[1, 0])
    assert wire.calls == []


async def test_rename_column_refuses_a_new_name_over_30_characters(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="1 to 30"):
        await bp.tables.rename_column(T, "a", "x" * 31)
    assert wire.calls == []
