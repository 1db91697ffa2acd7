"""Table rows and table schemas: the hand-written part of the models.

:class:`Row` is the one model that is not generated: find responses carry up to 1000 rows whose
columns are user data, so a row is the decoded wire dict itself (a ``dict`` subclass, copied once at
C speed) with the system columns as properties. :func:`columns` gives a typed view of a table's JSON
schema and :func:`table_schema` builds one. Nothing here sends HTTP.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal, NewType, TypeAlias

import attrs

from botpress_async import _serde

__all__ = [
    "SYSTEM_COLUMNS",
    "ColumnSchema",
    "ColumnType",
    "Row",
    "WireRows",
    "columns",
    "table_schema",
]

#: Keys the Tables API adds to every row; they are not user columns.
SYSTEM_COLUMNS = frozenset({"id", "createdAt", "updatedAt", "computed", "stale", "similarity"})

ColumnType: TypeAlias = Literal["string", "number", "boolean", "date-time", "object", "array"]
_COLUMN_TYPES: frozenset[str] = frozenset(typing.get_args(ColumnType))


class Row(dict[str, Any]):
    """One table row: a mapping of wire column names to values, plus the system columns as attributes.

    ``row["price"]``, ``row.get("x")``, ``"price" in row``, iteration and ``dict(row)`` work on the
    wire keys (``id``, ``createdAt`` … included). Group results are rows too, keyed ``<column><Op>``
    (``priceAvg``, ``idCount``).
    """

    __slots__ = ()

    @property
    def id(self) -> int:
        """The row id, an int in 1..2147483647 (``KeyError`` on a group result, which has none)."""
        value: int = self["id"]
        return value

    @property
    def created_at(self) -> datetime | None:
        """When the row was created (aware UTC), parsed on access; None when absent."""
        value = self.get("createdAt")
        return None if value is None else _serde.parse_datetime(value)

    @property
    def updated_at(self) -> datetime | None:
        """When the row was last changed (aware UTC), parsed on access; None when absent."""
        value = self.get("updatedAt")
        return None if value is None else _serde.parse_datetime(value)

    @property
    def computed(self) -> dict[str, Any]:
        """State of computed columns by column name (``{"status": ..., "error": ...}``); empty if none."""
        value: dict[str, Any] | None = self.get("computed")
        return {} if value is None else value

    @property
    def stale(self) -> list[str] | None:
        """Names of computed columns awaiting recomputation, or None."""
        value: list[str] | None = self.get("stale")
        return value

    @property
    def similarity(self) -> float | None:
        """Search similarity score (search queries only), or None."""
        value: float | None = self.get("similarity")
        return value

    @property
    def user_columns(self) -> dict[str, Any]:
        """A new dict of the user columns only (system columns left out)."""
        return {k: v for k, v in self.items() if k not in SYSTEM_COLUMNS}

    def to_wire(self) -> dict[str, Any]:
        """The row as a plain wire dict (a shallow copy)."""
        return dict(self)

    def __repr__(self) -> str:
        return f"Row({dict.__repr__(self)})"


def _structure_row(data: Any) -> Row:
    if data.__class__ is not dict and not isinstance(data, dict):
        raise _serde.StructureError(f"Row: expected a JSON object, got {type(data).__name__}")
    return Row(data)


def _structure_rows(data: Any) -> list[Row]:
    """A list of rows in one comprehension: the find-rows hot path."""
    if data.__class__ is not list:
        raise _serde.StructureError(f"list[Row]: expected a JSON array, got {type(data).__name__}")
    # One C-level pass to check the item types, one to copy: cheaper than a per-item test.
    if set(map(type, data)) <= _DICT_ONLY:
        return list(map(Row, data))
    return [_structure_row(item) for item in data]


_DICT_ONLY = frozenset({dict})

WireRows = NewType("WireRows", list[dict[str, Any]])
"""Rows of an answer checked to be JSON objects but not copied into :class:`Row` objects.

For answers whose rows are only counted (the bulk engine's chunk replies): a model field of this type
is the decoded list itself.
"""


def _check_rows(data: Any) -> WireRows:
    if data.__class__ is not list:
        raise _serde.StructureError(f"list[Row]: expected a JSON array, got {type(data).__name__}")
    if not set(map(type, data)) <= _DICT_ONLY:
        for item in data:
            _structure_row(item)  # raises for an item that is not an object
    return WireRows(data)


_serde.register_structure(Row, _structure_row)
_serde.register_structure(list[Row], _structure_rows)
_serde.register_structure(WireRows, _check_rows)


# -- table schemas ------------------------------------------------------------------------------------


@attrs.define(slots=True, kw_only=True, frozen=True)
class ColumnSchema:
    """A typed view of one column of a table's JSON schema.

    Attributes:
        name: the column name.
        type: "string", "number", "boolean", "date-time", "object" or "array" (another wire
            type is kept as received).
        nullable: whether null is accepted (the API's default is True).
        searchable: whether the column takes part in semantic search.
        index: the column's position, assigned by the server (None if absent).
        raw: the column's JSON schema as received.
    """

    name: str
    type: str
    nullable: bool = True
    searchable: bool = False
    index: int | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


def _column_from_json(name: str, raw: Mapping[str, Any]) -> ColumnSchema:
    kind = raw.get("type", "string")
    if kind == "string" and raw.get("format") == "date-time":
        kind = "date-time"
    zui = raw.get("x-zui") or {}
    return ColumnSchema(
        name=name,
        type=str(kind),
        nullable=bool(raw.get("nullable", True)),
        searchable=bool(zui.get("searchable", False)),
        index=zui.get("index"),
        raw=dict(raw),
    )


def columns(table: Any) -> dict[str, ColumnSchema]:
    """The columns of a table, by name, in schema order.

    Args:
        table: a :class:`~botpress_async.models.Table`, or a table JSON schema as a dict
            (``{"type": "object", "properties": {...}}``).

    Returns:
        Column name → :class:`ColumnSchema`.
    """
    schema = table if isinstance(table, Mapping) else table.schema
    props: Mapping[str, Any] = schema.get("properties") or {}
    return {name: _column_from_json(name, raw) for name, raw in props.items()}


_PY_TYPES: dict[type, str] = {
    str: "string",
    bool: "boolean",
    int: "number",
    float: "number",
    datetime: "date-time",
    date: "date-time",
    dict: "object",
    list: "array",
    tuple: "array",
}


def _type_name(column: str, spec: Any) -> tuple[str, bool]:
    """Column type name and nullability from a type name, a Python type or an annotation."""
    if isinstance(spec, str):
        if spec not in _COLUMN_TYPES:
            raise ValueError(
                f"column {column!r}: unknown type {spec!r}; use one of {', '.join(sorted(_COLUMN_TYPES))}"
            )
        return spec, True
    origin = typing.get_origin(spec)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(spec) if a is not type(None)]
        if len(args) != 1:
            raise ValueError(f"column {column!r}: a union of several types cannot be one column")
        return _type_name(column, args[0])[0], True
    if origin is not None:
        spec = origin
    if spec is Any:
        return "object", True
    for py, name in _PY_TYPES.items():
        if isinstance(spec, type) and issubclass(spec, py):
            return name, True
    if isinstance(spec, type) and issubclass(spec, Mapping):
        return "object", True
    if isinstance(spec, type) and attrs.has(spec):
        return "object", True
    raise ValueError(f"column {column!r}: no Tables column type for {spec!r}")


def table_schema(
    spec: Mapping[str, str | type] | type,
    *,
    searchable: Iterable[str] = (),
    key_column: str | None = None,
) -> dict[str, Any]:
    """Build a Tables JSON schema (the ``schema`` of createTable / getOrCreateTable).

    Args:
        spec: either a mapping of column name → type, the type being "string", "number", "boolean",
            "date-time", "object", "array" or a Python type (str, int, float, bool, datetime, dict,
            list; ``X | None`` too); or an attrs class, whose fields and annotations give the columns.
        searchable: names of the columns to index for semantic search (string, object or array columns).
        key_column: the table's unique key column, checked to be one of the columns and of string or
            number type (pass it to createTable's ``key_column`` too: it is a table setting).

    Returns:
        ``{"type": "object", "properties": {...}, "additionalProperties": True}``; each column is
        ``{"type": ..., ("format": "date-time",) "x-zui": {"index": i, "searchable": bool}}``.

    Raises:
        ValueError: an unknown type, a reserved column name (id, createdAt, updatedAt …), a searchable
            or key column that is not a column, a searchable column of a type search cannot index.
    """
    items: list[tuple[str, Any]]
    if isinstance(spec, type) and attrs.has(spec):
        hints = typing.get_type_hints(spec)
        # Column names are user data: the field names are used as they are, never camelCased.
        items = [(f.name, hints.get(f.name, f.type)) for f in attrs.fields(spec)]
    elif isinstance(spec, Mapping):
        items = list(spec.items())
    else:
        raise TypeError(f"table_schema takes a mapping of column types or an attrs class, not {spec!r}")
    wanted_search = set(searchable)
    properties: dict[str, Any] = {}
    for index, (name, type_spec) in enumerate(items):
        if name in SYSTEM_COLUMNS:
            raise ValueError(f"column {name!r} is reserved by the Tables API")
        kind, _ = _type_name(name, type_spec)
        column: dict[str, Any] = (
            {"type": "string", "format": "date-time"} if kind == "date-time" else {"type": kind}
        )
        is_searchable = name in wanted_search
        if is_searchable and kind not in ("string", "object", "array"):
            raise ValueError(f"column {name!r} of type {kind} cannot be searchable")
        column["x-zui"] = {"index": index, "searchable": is_searchable}
        properties[name] = column
    unknown = wanted_search - properties.keys()
    if unknown:
        raise ValueError(f"searchable columns not in the schema: {', '.join(sorted(unknown))}")
    if key_column is not None:
        if key_column not in properties:
            raise ValueError(f"key column {key_column!r} is not a column of the schema")
        if properties[key_column]["type"] not in ("string", "number"):
            raise ValueError(f"key column {key_column!r} must be a string or number column")
    return {"type": "object", "properties": properties, "additionalProperties": True}
