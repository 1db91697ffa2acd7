"""``tables import`` infers column types without changing any value's text."""

from __future__ import annotations

import pytest

from botpress_async.cli import _Inference, coerce_csv_row, csv_number, infer_column_types


def infer(rows: list[dict[str, str | None]]) -> dict[str, str]:
    inference = _Inference("csv")
    for row in rows:
        inference.add(row)
    return inference.schema_types()


def test_a_csv_column_of_canonical_numbers_is_a_number_column() -> None:
    assert infer([{"n": "12.5"}, {"n": "-3"}, {"n": "0.0"}, {"n": None}]) == {"n": "number"}


def test_a_csv_column_is_a_string_column_when_any_cell_would_change_as_a_number() -> None:
    assert infer([{"zip": "02134"}, {"zip": "10001"}]) == {"zip": "string"}
    assert infer([{"iata": "0E0"}, {"iata": "123"}]) == {"iata": "string"}
    assert infer([{"x": "1.50"}]) == {"x": "string"}
    assert infer([{"x": "nan"}]) == {"x": "string"}


def test_true_and_false_make_a_boolean_column_and_an_empty_column_is_a_string_column() -> None:
    assert infer([{"b": "true", "e": None}, {"b": "false", "e": None}]) == {"b": "boolean", "e": "string"}


def test_a_jsonl_column_mixing_types_is_refused() -> None:
    inference = _Inference("jsonl")
    inference.add({"a": 1})
    inference.add({"a": "one"})
    with pytest.raises(ValueError, match=r"column 'a' mixes JSON types \(number, string\)"):
        inference.schema_types()


def test_csv_cells_are_typed_by_the_table_columns_and_empty_cells_are_null() -> None:
    types = {"n": "number", "b": "boolean", "o": "object", "s": "string"}
    row = {"n": "2", "b": "true", "o": '{"k": [1]}', "s": "007", "x": None}
    assert coerce_csv_row(row, types) == {"n": 2, "b": True, "o": {"k": [1]}, "s": "007", "x": None}


def test_a_csv_cell_that_does_not_fit_its_column_is_sent_as_text_for_the_server_to_refuse() -> None:
    assert coerce_csv_row({"n": "lots"}, {"n": "number"}) == {"n": "lots"}


def test_infer_column_types_reads_rows_as_a_csv_dictreader_gives_them() -> None:
    rows = [{"zip": "00123", "n": "1", "empty": ""}, {"zip": "10001", "n": "", "empty": ""}]
    assert infer_column_types(rows) == {"zip": "string", "n": "number", "empty": "string"}


def test_an_empty_csv_cell_is_null_whatever_its_column() -> None:
    assert coerce_csv_row({"n": "", "s": ""}, {"n": "number", "s": "string"}) == {"n": None, "s": None}


def test_csv_number_keeps_only_numbers_that_read_back_as_the_same_text() -> None:
    assert [csv_number(t) for t in ("12", "-3.5", "00123", "1e3", "", str(2**53 + 1))] == [
        12, -3.5, None, None, None, None,
    ]  # fmt: skip
