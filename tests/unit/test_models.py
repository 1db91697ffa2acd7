"""Generated models, the hand-written Row and the table-schema helpers."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

import botpress_async.models as models
from botpress_async._serde import StructureError, structure, to_wire
from botpress_async.models import (
    FindTableRowsResponse,
    GetOrCreateTableResponse,
    Participant,
    Row,
    Table,
    UpsertTableRowsResponse,
    User,
    columns,
    table_schema,
)

ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = ROOT / "botpress_async" / "spec"

ROW_WIRE: dict[str, Any] = {
    "id": 7,
    "createdAt": "2023-09-14T19:39:26.764Z",
    "updatedAt": "2023-11-07T05:31:56Z",
    "computed": {"summary": {"status": "pending"}},
    "stale": ["summary"],
    "similarity": 0.5,
    "price": 9.5,
    "name": "lamp",
    "some_column": None,
}


def _operation_ids(spec_name: str) -> list[str]:
    spec = json.loads((SPEC_DIR / f"{spec_name}.openapi.json").read_text())
    return [
        op["operationId"] for item in spec["paths"].values() for op in item.values() if "operationId" in op
    ]


@pytest.mark.parametrize("spec_name", ["runtime", "tables", "files"])
def test_every_operation_has_a_response_model(spec_name: str) -> None:
    missing = [
        op for op in _operation_ids(spec_name) if not hasattr(models, op[0].upper() + op[1:] + "Response")
    ]
    assert missing == []


def test_every_generated_class_ends_with_an_extra_field() -> None:
    classes = [getattr(models, n) for n in models.__all__ if attrs.has(getattr(models, n))]
    assert classes
    bad = [
        c.__name__ for c in classes if c is not models.ColumnSchema and attrs.fields(c)[-1].name != "extra"
    ]
    assert bad == []


def test_the_checked_in_models_match_the_generator_output() -> None:
    script = ROOT / "scripts" / "generate_models.py"
    spec = importlib.util.spec_from_file_location("_generate_models", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_generate_models"] = module
    try:
        spec.loader.exec_module(module)
        generator = module.Generator()
        generator.load()
        rendered = generator.render()
    finally:
        del sys.modules["_generate_models"]
    assert rendered == (ROOT / "botpress_async" / "models" / "_generated.py").read_text()


def test_participant_is_a_user() -> None:
    assert Participant is User


def test_find_rows_response_holds_rows() -> None:
    response = structure(
        {"rows": [ROW_WIRE, {"id": 8, "computed": {}}], "hasMore": True, "offset": 0, "limit": 2},
        FindTableRowsResponse,
    )
    assert [type(r) for r in response.rows] == [Row, Row]
    assert response.has_more is True
    assert response.warnings is None


def test_upsert_response_holds_inserted_and_updated_rows() -> None:
    response = structure(
        {"inserted": [ROW_WIRE], "updated": [], "errors": ["row 2: bad"]}, UpsertTableRowsResponse
    )
    assert response.inserted[0]["name"] == "lamp"
    assert response.updated == []
    assert response.errors == ["row 2: bad"]


def test_a_row_that_is_not_an_object_raises_structure_error() -> None:
    with pytest.raises(StructureError, match="rows"):
        structure({"rows": [[1, 2]], "hasMore": False, "offset": 0, "limit": 1}, FindTableRowsResponse)


def test_rows_that_are_not_an_array_raise_structure_error() -> None:
    with pytest.raises(StructureError, match=r"FindTableRowsResponse\.rows"):
        structure({"rows": {}, "hasMore": False, "offset": 0, "limit": 1}, FindTableRowsResponse)


def test_a_row_reads_its_columns_by_wire_key() -> None:
    row = Row(ROW_WIRE)
    assert row["price"] == 9.5
    assert row.get("missing", "default") == "default"
    assert "name" in row
    assert "nothing" not in row


def test_a_row_iterates_over_its_wire_keys() -> None:
    assert list(Row(ROW_WIRE)) == list(ROW_WIRE)


def test_a_row_converts_back_to_its_wire_dict() -> None:
    row = Row(ROW_WIRE)
    assert dict(row) == ROW_WIRE
    assert row.to_wire() == ROW_WIRE
    assert type(row.to_wire()) is dict


def test_a_row_exposes_its_system_columns_as_attributes() -> None:
    row = Row(ROW_WIRE)
    assert row.id == 7
    assert row.created_at == datetime(2023, 9, 14, 19, 39, 26, 764000, tzinfo=UTC)
    assert row.updated_at == datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC)
    assert row.computed == {"summary": {"status": "pending"}}
    assert row.stale == ["summary"]
    assert row.similarity == 0.5


def test_a_group_row_has_no_timestamps_and_empty_computed() -> None:
    row = Row({"stateKey": "open", "idCount": 3})
    assert row.created_at is None
    assert row.computed == {}
    assert row.similarity is None
    assert row["idCount"] == 3


def test_user_columns_leave_the_system_columns_out() -> None:
    assert Row(ROW_WIRE).user_columns == {"price": 9.5, "name": "lamp", "some_column": None}


def test_to_wire_of_a_row_keeps_its_keys_unrenamed() -> None:
    assert to_wire(Row({"id": 1, "some_column": 2})) == {"id": 1, "some_column": 2}


TABLE_WIRE: dict[str, Any] = {
    "id": "table_1",
    "name": "productsTable",
    "schema": {
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "name": {"type": "string", "x-zui": {"index": 0, "searchable": True}},
            "price": {"type": "number", "nullable": False, "x-zui": {"index": 1}},
            "addedAt": {"type": "string", "format": "date-time", "x-zui": {"index": 2}},
        },
    },
    "createdAt": "2023-09-14T19:39:26.764Z",
}


def test_get_or_create_table_response_carries_the_created_flag() -> None:
    response = structure(
        {"table": TABLE_WIRE, "created": True, "rows": 0, "stale": 0, "indexing": 0}, GetOrCreateTableResponse
    )
    assert response.created is True
    assert response.table.name == "productsTable"


def test_columns_give_a_typed_view_of_the_table_schema() -> None:
    cols = columns(structure(TABLE_WIRE, Table))
    assert list(cols) == ["name", "price", "addedAt"]
    assert cols["name"].type == "string" and cols["name"].searchable and cols["name"].index == 0
    assert cols["price"].nullable is False
    assert cols["addedAt"].type == "date-time"


def test_table_schema_from_a_mapping_of_type_names_and_python_types() -> None:
    schema = table_schema(
        {
            "name": "string",
            "price": float,
            "in_stock": bool,
            "added_at": datetime,
            "meta": dict,
            "tags": list,
        },
        searchable=["name"],
        key_column="name",
    )
    props = schema["properties"]
    assert schema["type"] == "object"
    assert {k: v["type"] for k, v in props.items()} == {
        "name": "string",
        "price": "number",
        "in_stock": "boolean",
        "added_at": "string",
        "meta": "object",
        "tags": "array",
    }
    assert props["added_at"]["format"] == "date-time"
    assert props["name"]["x-zui"] == {"index": 0, "searchable": True}


@attrs.define
class Product:
    sku: str
    price: float
    added_at: datetime | None = None
    labels: list[str] = attrs.Factory(list)


def test_table_schema_from_an_attrs_class_uses_its_fields_and_annotations() -> None:
    props = table_schema(Product, searchable=["sku"])["properties"]
    assert list(props) == ["sku", "price", "added_at", "labels"]
    assert props["price"]["type"] == "number"
    assert props["added_at"] == {
        "type": "string",
        "format": "date-time",
        "x-zui": {"index": 2, "searchable": False},
    }
    assert props["labels"]["type"] == "array"


def test_table_schema_refuses_a_reserved_column_name() -> None:
    with pytest.raises(ValueError, match="reserved"):
        table_schema({"createdAt": "string"})


def test_table_schema_refuses_an_unknown_type_name() -> None:
    with pytest.raises(ValueError, match="unknown type"):
        table_schema({"a": "integer"})


def test_table_schema_refuses_a_key_column_that_is_not_a_column() -> None:
    with pytest.raises(ValueError, match="key column"):
        table_schema({"a": "string"}, key_column="b")


def test_table_schema_refuses_a_searchable_number_column() -> None:
    with pytest.raises(ValueError, match="cannot be searchable"):
        table_schema({"a": "number"}, searchable=["a"])
