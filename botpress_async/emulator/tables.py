"""The emulator's Tables store: tables and their rows in SQLite, with the service's rules.

Pure Python over a :class:`sqlite3.Connection` (from ``store.connect``): no HTTP here, so every rule is
unit-testable. API failures raise :class:`EmulatorError`; methods return wire-shaped dicts (camelCase).

Storage
-------
``bp_tables`` holds one row per Botpress table (scoped by bot, unique name per bot, id ``table_...``,
the normalized schema as JSON). Each Botpress table's rows live in their own SQLite table
``bp_rows_<pk>`` (``id INTEGER PRIMARY KEY AUTOINCREMENT``, ``created_at``, ``updated_at``, ``data`` JSON
of the user's columns), with an expression index ``json_extract(data, '$.<col>')`` on every top-level
column whose name is a plain identifier (the keyColumn included), so filters on them are index lookups.
Filters are SQL (``filters.py``), never a Python scan.

findTableRows selects ids first (a filter on column indexes never reads the rows it rejects), then the
page's rows. SQLite's plan runs under a small CPU budget; past it the other plan runs instead (walking
the requested order vs. looking the filter up and sorting), since stock SQLite cannot estimate how many
rows a range matches. A rows table is ANALYZEd (sampled) at its first find past 1000 rows and again
each time it has doubled, so equality plans know how many rows a value matches.

Pinned choices (the research notes mark these [inferred])
--------------------------------------------------------
- Table names: ``^[A-Za-z_][A-Za-z0-9_]*Table$`` (case-sensitive suffix), at most 35 characters; a name
  breaking the rule is InvalidPayload; a second table with the same name in the bot is AlreadyExists.
  ``{table}`` in paths is a table id or a name (ids are tried first); an unknown one is ResourceNotFound.
- Columns: at most 20 (LimitExceeded); names 1-30 characters, without ``.``, ``"``, ``'``, ``\\`` or
  control characters, and not ``id``, ``createdAt``, ``updatedAt``, ``computed``, ``stale`` or
  ``similarity`` (these names are the row's own keys on the wire) -> InvalidPayload.
- Schema input: a JSON schema (``{"type": "object", "properties": {...}}``) or an example object whose
  values give the types (str -> string, bool -> boolean, int/float -> number, dict -> object,
  list -> array with the first element's item type, null -> string), except that a value which is
  itself a column schema (an object with a known ``type`` and only column keys) is taken as one.
  In a JSON schema, column type ``integer`` becomes ``number``, ``["string", "null"]`` or an ``anyOf``
  with ``null`` becomes a nullable column; keys outside the stored column shape are dropped;
  an unusable column is InvalidJsonSchema.
  ``x-zui.index`` is reassigned 0..n-1 in column order; other ``x-zui`` keys are kept.
- Values: a column accepts null unless ``nullable: false``; ``required`` columns must be present and
  non-null on insert; ``format: date-time`` values must parse as ISO 8601 and are stored (and returned)
  as ``YYYY-MM-DDTHH:MM:SS.mmmZ``. Every column of the schema is returned on each row (null when unset).
- frozen: renaming the table, changing its schema, renaming a column, changing keyColumn or unfreezing
  it is Forbidden; rows can still be written; deletion is allowed.
- factor: an integer 1-30; lowering it is InvalidPayload. A row whose columns, as compact UTF-8 JSON,
  exceed ``4096 * factor`` bytes is a per-row error.
- keyColumn: must name a column (InvalidPayload); its non-null values are unique, checked on every write
  (a clash is a per-row error); setting it on a table whose rows already clash is InvalidPayload.
  Deleting its column clears keyColumn; renaming it follows.
- Table tags: updates merge per key and an empty value removes the key (as runtime tags do);
  listTables ``tags`` is an AND of exact matches.
- Schema patch (updateTable): listed columns are added or replaced, ``col: null`` deletes the column and
  its values, a changed ``type`` or ``format`` clears that column in every row; ``staleColumns`` lists
  the cleared columns (returned whenever a schema was sent).
- Row writes: ``id``/``createdAt``/``updatedAt`` in a created row are ignored; unknown columns are
  dropped with a warning; each invalid row becomes one ``errors`` entry (``"row <i>: ..."``, ``i`` the
  0-based index in the request) and the valid rows still apply. When *no* row could be applied and at
  least one error occurred, the request fails with InvalidDataFormat carrying the errors.
- Row ids start at 1 and auto-increment per table; past 2147483647 a row fails with a per-row error.
- updateTableRows: ``id`` must be an integer; an unknown id is a per-row error; only the given columns
  change (``null`` clears one).
- upsertTableRows: the key is the request's keyColumn, else the table's keyColumn, else ``id``; a key
  must be ``id`` or a column (InvalidPayload); a row without a key value is inserted; a key matching one
  row updates it; matching several rows is a per-row error; with key ``id`` an unknown id inserts a new
  row with a fresh id (the service owns ids).
- deleteTableRows: exactly one of ``ids``, ``filter``, ``deleteAllRows: true`` (else InvalidPayload).
- findTableRows: ``orderBy`` is a column path or a system column (unknown -> InvalidQuery), ties broken
  by ``id`` in the same direction; unknown ``select`` paths are skipped with a warning.
- group: ``{path: op | [ops]}`` with ops key, count, sum, avg, min, max, unique; output keys are
  ``<path><Op>`` (``stateKey``, ``priceAvg``). The filter applies first; without a ``key`` op there is one
  summary row. Groups are ordered by their keys ascending, then offset/limit apply. count counts
  non-null values; sum/avg use numbers only; min/max numbers and strings (dates compare
  chronologically); unique is the array of distinct non-null values. Each group row also carries
  ``id`` (its 1-based position in the whole result) and ``computed: {}`` so it satisfies the spec's Row
  schema. search and select are ignored with a warning when group is given.
- search: every row is scored ``|query tokens ∩ row tokens| / |query tokens|`` (lower-cased ``\\w+``
  tokens) over the columns marked ``x-zui.searchable`` -- or every string column when none is marked --
  and rows come ordered by that score descending (then by orderBy); each carries ``similarity``.
  Rows scoring 0 are returned too (semantic search returns the nearest rows, not only matches).
- Computed columns are never evaluated: their values stay as written, each row's ``stale`` lists the
  enabled computed columns and getTable's ``stale`` counts those rows; ``indexing`` is always 0.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import Draft7Validator

from botpress_async.emulator import store
from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator._json import dumps
from botpress_async.emulator.clock import Clock, iso
from botpress_async.emulator.filters import (
    SYSTEM_COLUMNS,
    Field,
    FilterCompiler,
    canonical_datetime,
    column_value_sql,
    register_functions,
)

__all__ = ["MAX_COLUMNS", "MAX_ROW_ID", "ROW_BYTES_PER_FACTOR", "TableStore", "normalize_schema"]

#: Most columns a table may have.
MAX_COLUMNS = 20
#: Largest row id (a signed 32-bit integer).
MAX_ROW_ID = 2_147_483_647
#: Row storage per unit of ``factor``, in bytes.
ROW_BYTES_PER_FACTOR = 4096
#: Most rows one find returns.
MAX_FIND_LIMIT = 1000

_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*Table")
_MAX_TABLE_NAME = 35
_MAX_COLUMN_NAME = 30
_RESERVED_COLUMNS = frozenset({"id", "createdAt", "updatedAt", "computed", "stale", "similarity"})
_BAD_COLUMN_CHARS = re.compile(r"[.\"'\\\x00-\x1f\x7f]")
_COLUMN_TYPES = ("string", "number", "boolean", "object", "array", "null")
_XZUI_KEYS = ("id", "searchable", "hidden", "order", "width", "schemaId", "computed", "typings")
_GROUP_OPS = ("key", "count", "sum", "avg", "min", "max", "unique")
_TOKEN = re.compile(r"\w+")
#: How long (CPU seconds) a find may follow SQLite's first plan before the other plan is tried.
_PLAN_BUDGET_S = 0.010
#: SQLite virtual-machine steps between two checks of that budget.
_PLAN_CHECK_STEPS = 1000
#: Tables smaller than this get no planner statistics (every plan is fast on them).
_ANALYZE_MIN_ROWS = 1000
#: Index entries ANALYZE samples per index (``PRAGMA analysis_limit``): a few ms on any table.
_ANALYZE_LIMIT = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bp_tables (
    pk                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                 TEXT    NOT NULL UNIQUE,
    bot_id             TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    factor             INTEGER NOT NULL,
    frozen             INTEGER NOT NULL,
    key_column         TEXT,
    schema             TEXT    NOT NULL,     -- JSON: the normalized stored schema
    tags               TEXT    NOT NULL,     -- JSON object of strings
    is_compute_enabled INTEGER NOT NULL,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    UNIQUE (bot_id, name)
);
"""


@dataclass
class TableRecord:
    """One stored table (the ``bp_tables`` row), decoded."""

    pk: int
    id: str
    bot_id: str
    name: str
    factor: int
    frozen: bool
    key_column: str | None
    schema: dict[str, Any]
    tags: dict[str, str]
    is_compute_enabled: bool
    created_at: str
    updated_at: str

    @property
    def rows_table(self) -> str:
        """The SQLite table holding this table's rows (an identifier we generate, never user input)."""
        return f"bp_rows_{self.pk}"

    @property
    def columns(self) -> dict[str, dict[str, Any]]:
        """Column name -> column schema, in column order."""
        props: dict[str, dict[str, Any]] = self.schema["properties"]
        return props

    def wire(self) -> dict[str, Any]:
        """The Table object as the API returns it."""
        return {
            "id": self.id,
            "name": self.name,
            "factor": self.factor,
            "frozen": self.frozen,
            "keyColumn": self.key_column,
            "schema": self.schema,
            "tags": self.tags,
            "isComputeEnabled": self.is_compute_enabled,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }


# -- schema normalization ------------------------------------------------------------------------------


def _check_column_name(name: str) -> None:
    if not isinstance(name, str) or not name or len(name) > _MAX_COLUMN_NAME:
        raise EmulatorError(
            "InvalidPayload", f"column name {name!r} must be 1 to {_MAX_COLUMN_NAME} characters"
        )
    if name in _RESERVED_COLUMNS:
        raise EmulatorError("InvalidPayload", f"column name {name!r} is reserved")
    if _BAD_COLUMN_CHARS.search(name):
        raise EmulatorError("InvalidPayload", f"column name {name!r} contains a forbidden character")


def _infer_column(value: Any) -> dict[str, Any]:
    """The column schema an example value implies."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int | float):
        return {"type": "number"}
    if isinstance(value, dict):
        return {"type": "object"}
    if isinstance(value, list):
        column: dict[str, Any] = {"type": "array"}
        if value:
            column["items"] = {"type": _infer_column(value[0])["type"]}
        return column
    return {"type": "string"}


def _sub_type(value: Any, where: str) -> dict[str, Any]:
    """A nested ``items``/``properties`` entry: an object with a known ``type``."""
    if not isinstance(value, dict):
        raise EmulatorError("InvalidJsonSchema", f"{where} must be an object with a type")
    kind = value.get("type")
    if kind == "integer":
        kind = "number"
    if kind not in _COLUMN_TYPES:
        raise EmulatorError("InvalidJsonSchema", f"{where} has an unsupported type {kind!r}")
    return {**value, "type": kind}


def _normalize_column(name: str, raw: Any) -> dict[str, Any]:
    """A column given as JSON schema -> the stored column shape (without ``x-zui.index``)."""
    if not isinstance(raw, dict):
        raise EmulatorError("InvalidJsonSchema", f"column {name!r} must be a JSON schema object")
    kind: Any = raw.get("type")
    nullable = raw.get("nullable")
    if kind is None and isinstance(raw.get("anyOf"), list):
        branches = [b for b in raw["anyOf"] if isinstance(b, dict)]
        non_null = [b for b in branches if b.get("type") != "null"]
        if len(non_null) == 1 and len(branches) == len(raw["anyOf"]):
            merged = {**{k: v for k, v in raw.items() if k != "anyOf"}, **non_null[0]}
            if len(branches) > 1:
                merged["nullable"] = True
            return _normalize_column(name, merged)
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        if len(kinds) != 1:
            raise EmulatorError("InvalidJsonSchema", f"column {name!r} must have exactly one non-null type")
        if len(kinds) < len(kind):
            nullable = True
        kind = kinds[0]
    if kind == "integer":
        kind = "number"
    if kind not in _COLUMN_TYPES:
        raise EmulatorError("InvalidJsonSchema", f"column {name!r} has an unsupported type {kind!r}")
    column: dict[str, Any] = {"type": kind}
    if raw.get("format") == "date-time" and kind == "string":
        column["format"] = "date-time"
    if isinstance(raw.get("description"), str):
        column["description"] = raw["description"]
    if isinstance(raw.get("pattern"), str):
        try:
            re.compile(raw["pattern"])
        except re.error as exc:
            raise EmulatorError("InvalidJsonSchema", f"column {name!r}: invalid pattern: {exc}") from None
        column["pattern"] = raw["pattern"]
    if isinstance(raw.get("enum"), list):
        if not all(isinstance(v, str) for v in raw["enum"]):
            raise EmulatorError("InvalidJsonSchema", f"column {name!r}: enum values must be strings")
        column["enum"] = list(raw["enum"])
    if "items" in raw and kind == "array":
        column["items"] = _sub_type(raw["items"], f"column {name!r} items")
    if "properties" in raw and kind == "object":
        props = raw["properties"]
        if not isinstance(props, dict):
            raise EmulatorError("InvalidJsonSchema", f"column {name!r}: properties must be an object")
        column["properties"] = {k: _sub_type(v, f"column {name!r} property {k!r}") for k, v in props.items()}
    if isinstance(nullable, bool):
        column["nullable"] = nullable
    zui = raw.get("x-zui")
    kept = {k: zui[k] for k in _XZUI_KEYS if isinstance(zui, dict) and k in zui}
    if "computed" in kept:
        computed = kept["computed"]
        if not isinstance(computed, dict) or computed.get("action") not in ("ai", "code", "workflow"):
            raise EmulatorError(
                "InvalidJsonSchema", f"column {name!r}: computed needs an action ai|code|workflow"
            )
    column["x-zui"] = kept
    return column


_COLUMN_KEYS = frozenset(
    {"type", "format", "description", "pattern", "enum", "items", "properties", "nullable", "x-zui", "anyOf"}
)


def _looks_like_column(value: Any) -> bool:
    """An example value that is really a column schema (``{"type": "string", ...}``)."""
    return (
        isinstance(value, dict)
        and value.get("type") in (*_COLUMN_TYPES, "integer")
        and all(k in _COLUMN_KEYS for k in value)
    )


def _is_json_schema(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "object" and isinstance(schema.get("properties"), dict)


def _parse_columns(
    schema: Any, *, allow_delete: bool
) -> tuple[dict[str, dict[str, Any] | None], list[str] | None]:
    """Request schema (JSON schema or example object) -> name -> column (None: delete) and ``required``."""
    if not isinstance(schema, dict):
        raise EmulatorError("InvalidPayload", "schema must be an object")
    required: list[str] | None = None
    columns: dict[str, dict[str, Any] | None] = {}
    if _is_json_schema(schema):
        if isinstance(schema.get("required"), list):
            required = [str(r) for r in schema["required"]]
        for name, raw in schema["properties"].items():
            _check_column_name(name)
            columns[name] = None if raw is None and allow_delete else _normalize_column(name, raw)
    else:
        for name, value in schema.items():
            _check_column_name(name)
            if value is None and allow_delete:
                columns[name] = None
            elif _looks_like_column(value):
                columns[name] = _normalize_column(name, value)
            else:
                columns[name] = _normalize_column(name, _infer_column(value))
    return columns, required


def _finish_schema(columns: dict[str, dict[str, Any]], required: list[str] | None) -> dict[str, Any]:
    if len(columns) > MAX_COLUMNS:
        raise EmulatorError("LimitExceeded", f"a table has at most {MAX_COLUMNS} columns, got {len(columns)}")
    properties: dict[str, Any] = {}
    for index, (name, column) in enumerate(columns.items()):
        column = dict(column)
        column["x-zui"] = {**column.get("x-zui", {}), "index": index}
        properties[name] = column
    stored: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": True}
    kept_required = [r for r in (required or []) if r in properties]
    if kept_required:
        stored["required"] = kept_required
    return stored


def normalize_schema(schema: Any) -> dict[str, Any]:
    """A createTable ``schema`` (JSON schema or example object) -> the stored normalized schema.

    Raises:
        EmulatorError: InvalidPayload (bad column name or not an object), InvalidJsonSchema (unusable
            column schema), LimitExceeded (more than 20 columns).
    """
    parsed, required = _parse_columns(schema, allow_delete=False)
    return _finish_schema({k: v for k, v in parsed.items() if v is not None}, required)


def _column_signature(column: Mapping[str, Any]) -> tuple[Any, Any]:
    return column.get("type"), column.get("format")


# -- row validation ------------------------------------------------------------------------------------


def _value_schema(column: Mapping[str, Any]) -> dict[str, Any]:
    kind = column["type"]
    nullable = column.get("nullable", True)
    schema: dict[str, Any] = {"type": [kind, "null"] if nullable and kind != "null" else kind}
    if "enum" in column:
        schema["enum"] = [*column["enum"], *([None] if nullable else [])]
    if "pattern" in column:
        schema["pattern"] = column["pattern"]
    if "items" in column:
        schema["items"] = {"type": [column["items"]["type"], "null"]}
    if "properties" in column:
        schema["properties"] = {k: {"type": [v["type"], "null"]} for k, v in column["properties"].items()}
    return schema


@lru_cache(maxsize=512)
def _validator(column_json: str) -> Draft7Validator:
    return Draft7Validator(_value_schema(json.loads(column_json)))


_PLAIN_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "boolean": (bool,), "object": (dict,)}
_SHAPING_KEYS = ("enum", "pattern", "items", "properties")


def _column_error(name: str, column: Mapping[str, Any], value: Any) -> str | None:
    """Why ``value`` does not fit ``column``, or ``None``."""
    plain = _PLAIN_TYPES.get(column["type"])
    if plain is not None and isinstance(value, plain) and not any(k in column for k in _SHAPING_KEYS):
        # The common case needs no JSON-schema run (a measurable cost when importing 100k rows).
        if column.get("format") != "date-time":
            return None
    elif (
        column["type"] == "number"
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and "enum" not in column
    ):
        return None
    validator = _validator(json.dumps(column, sort_keys=True))
    error = next(iter(validator.iter_errors(value)), None)
    if error is not None:
        where = "".join(f"[{p!r}]" for p in error.absolute_path)
        return f"column {name!r}{where}: {error.message}"
    if column.get("format") == "date-time" and isinstance(value, str) and canonical_datetime(value) is None:
        return f"column {name!r}: {value!r} is not an ISO 8601 date-time"
    return None


_KEY_KINDS: dict[str, tuple[type, ...]] = {"string": (str,), "number": (int, float), "boolean": (bool,)}
_NO_LOOKUP = object()


def _key_sql(record: TableRecord, key: str) -> str | None:
    """SQL of a key whose values one ``IN`` lookup can find (``id``, or a top-level string, number or
    boolean column named by a plain identifier, as the filters' typed columns); ``None`` otherwise."""
    if key == "id":
        return "id"
    column = record.columns.get(key)
    if column is None or column.get("type") not in _KEY_KINDS:
        return None
    return column_value_sql(key)


def _key_value(record: TableRecord, key: str, value: Any) -> Any:
    """``value`` as the batched key lookup compares it (what ``{key: {"$eq": value}}`` matches): ``None``
    for no key, :data:`_NO_LOOKUP` for a value that matches no row, the SQL value otherwise (booleans as
    1/0, dates canonical). Raises ``LookupError`` for a value only the general filter path handles."""
    if value is None:
        return None
    if key == "id":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _NO_LOOKUP
    elif not isinstance(value, _KEY_KINDS[record.columns[key]["type"]]):
        return _NO_LOOKUP  # the row fails its column check before any lookup
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise LookupError(value)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise LookupError(value)
    if isinstance(value, str) and record.columns[key].get("format") == "date-time":
        return canonical_datetime(value) or value
    return value


@dataclass
class _Written:
    """A row's state within one write request (the answer is built from it, not read back)."""

    created_at: str
    data: dict[str, Any]
    text: str


def _wire(
    record: TableRecord,
    row_id: int,
    created_at: str,
    updated_at: str,
    data: Mapping[str, Any],
    stale: list[str],
) -> dict[str, Any]:
    """A Row as the API returns it: system keys, then every column of the schema (null when unset)."""
    wire: dict[str, Any] = {
        "id": row_id,
        "createdAt": created_at,
        "updatedAt": updated_at,
        "computed": {},
        "stale": list(stale),
    }
    for name in record.columns:
        wire[name] = data.get(name)
    return wire


def _tokens(text: str) -> set[str]:
    return {t.lower() for t in _TOKEN.findall(text)}


def _similarity(query: str, data: str, columns_json: str) -> float:
    """SQL function ``bp_similarity(query, data, columns)``: token overlap of ``query`` with the row."""
    wanted = _tokens(query)
    if not wanted:
        return 0.0
    values = json.loads(data)
    found: set[str] = set()
    for column in json.loads(columns_json):
        value = values.get(column)
        if isinstance(value, str):
            found |= _tokens(value)
        elif isinstance(value, dict | list):
            found |= _tokens(json.dumps(value, ensure_ascii=False))
    return len(wanted & found) / len(wanted)


def _new_table_id() -> str:
    return "table_" + secrets.token_hex(13)


class _RowErrors:
    """Collects per-row errors and warnings of one write request."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def fail(self, index: int, message: str) -> None:
        self.errors.append(f"row {index}: {message}")

    def finish(self, result: dict[str, Any], applied: int) -> dict[str, Any]:
        if applied == 0 and self.errors:
            shown = "; ".join(self.errors[:10])
            more = f" (and {len(self.errors) - 10} more)" if len(self.errors) > 10 else ""
            raise EmulatorError("InvalidDataFormat", f"no row was written: {shown}{more}")
        if self.warnings:
            result["warnings"] = self.warnings
        if self.errors:
            result["errors"] = self.errors
        return result


class TableStore:
    """Tables and rows of every bot, on one SQLite connection.

    Args:
        db: the emulator's connection (``store.connect``: autocommit, ``sqlite3.Row`` rows). The store
            creates its tables if needed and registers its SQL functions on it.
        clock: the time source of ``createdAt``/``updatedAt``.
    """

    def __init__(self, db: sqlite3.Connection, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        # rows table -> its largest row id when ANALYZE last ran (see _refresh_statistics)
        self._analyzed_at: dict[str, int] = {}
        register_functions(db)
        db.create_function("bp_similarity", 3, _similarity, deterministic=True)
        db.executescript(_SCHEMA)

    # -- tables ------------------------------------------------------------------------------------

    def _now(self) -> str:
        return iso(self.clock.now_ms())

    def _decode(self, row: Any) -> TableRecord:
        return TableRecord(
            pk=row["pk"],
            id=row["id"],
            bot_id=row["bot_id"],
            name=row["name"],
            factor=row["factor"],
            frozen=bool(row["frozen"]),
            key_column=row["key_column"],
            schema=json.loads(row["schema"]),
            tags=json.loads(row["tags"]),
            is_compute_enabled=bool(row["is_compute_enabled"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    def _find(self, bot_id: str, ref: str) -> TableRecord | None:
        row = self.db.execute(
            "SELECT * FROM bp_tables WHERE bot_id = :bot AND (id = :ref OR name = :ref) "
            "ORDER BY id = :ref DESC LIMIT 1",
            {"bot": bot_id, "ref": ref},
        ).fetchone()
        return None if row is None else self._decode(row)

    def table(self, bot_id: str, ref: str) -> TableRecord:
        """The table ``ref`` (an id or a name) of ``bot_id``.

        Raises:
            EmulatorError: ResourceNotFound.
        """
        found = self._find(bot_id, ref)
        if found is None:
            raise EmulatorError("ResourceNotFound", f"table {ref!r} does not exist")
        return found

    def _check_name(self, bot_id: str, name: Any, *, exclude_pk: int | None = None) -> str:
        if not isinstance(name, str) or len(name) > _MAX_TABLE_NAME or not _TABLE_NAME.fullmatch(name):
            raise EmulatorError(
                "InvalidPayload",
                f"table name {name!r} must be at most {_MAX_TABLE_NAME} letters, digits or _, start with a "
                "letter or _ and end with 'Table'",
            )
        clash = self.db.execute(
            "SELECT pk FROM bp_tables WHERE bot_id = ? AND name = ?", (bot_id, name)
        ).fetchone()
        if clash is not None and clash["pk"] != exclude_pk:
            raise EmulatorError("AlreadyExists", f"a table named {name!r} already exists")
        return name

    @staticmethod
    def _check_factor(factor: Any) -> int:
        if isinstance(factor, bool) or not isinstance(factor, int | float) or factor != int(factor):
            raise EmulatorError("InvalidPayload", "factor must be an integer from 1 to 30")
        if not 1 <= factor <= 30:
            raise EmulatorError("InvalidPayload", "factor must be an integer from 1 to 30")
        return int(factor)

    @staticmethod
    def _check_tags(tags: Any) -> dict[str, str]:
        if tags is None:
            return {}
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            raise EmulatorError("InvalidPayload", "tags must be an object of strings")
        return {k: v for k, v in tags.items() if v != ""}

    def _create_rows_table(self, record: TableRecord) -> None:
        self.db.execute(
            f"CREATE TABLE {record.rows_table} ("
            "id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
            "data TEXT NOT NULL)"
        )
        self.db.execute(f"CREATE INDEX {record.rows_table}_created ON {record.rows_table} (created_at)")
        self.db.execute(f"CREATE INDEX {record.rows_table}_updated ON {record.rows_table} (updated_at)")
        self._sync_indexes(record)

    def _sync_indexes(self, record: TableRecord) -> None:
        """One expression index per identifier-named column; drop those of removed columns."""
        prefix = f"{record.rows_table}_c_"
        existing = {
            row["name"]
            for row in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (record.rows_table,)
            )
            if row["name"].startswith(prefix)
        }
        wanted: dict[str, str] = {}
        for name in record.columns:
            expression = column_value_sql(name)
            if expression is not None:
                wanted[prefix + name] = expression
        for index in existing - wanted.keys():
            self.db.execute(f"DROP INDEX {index}")
        for index, expression in wanted.items():
            if index not in existing:
                self.db.execute(f"CREATE INDEX {index} ON {record.rows_table} ({expression})")

    def _check_key_column(self, record: TableRecord, key_column: Any) -> str | None:
        if key_column is None:
            return None
        if not isinstance(key_column, str) or key_column not in record.columns:
            raise EmulatorError("InvalidPayload", f"keyColumn {key_column!r} is not a column of the table")
        return key_column

    def _counts(self, record: TableRecord) -> dict[str, int]:
        rows = int(self.db.execute(f"SELECT COUNT(*) FROM {record.rows_table}").fetchone()[0])
        return {"rows": rows, "stale": rows if self._computed_columns(record) else 0, "indexing": 0}

    @staticmethod
    def _computed_columns(record: TableRecord) -> list[str]:
        return [
            name
            for name, column in record.columns.items()
            if isinstance(column.get("x-zui", {}).get("computed"), dict)
            and column["x-zui"]["computed"].get("enabled", True) is not False
        ]

    def _save(self, record: TableRecord) -> None:
        self.db.execute(
            "UPDATE bp_tables SET name = ?, factor = ?, frozen = ?, key_column = ?, schema = ?, tags = ?, "
            "is_compute_enabled = ?, updated_at = ? WHERE pk = ?",
            (
                record.name,
                record.factor,
                int(record.frozen),
                record.key_column,
                json.dumps(record.schema),
                json.dumps(record.tags),
                int(record.is_compute_enabled),
                record.updated_at,
                record.pk,
            ),
        )

    def _insert_table(
        self,
        bot_id: str,
        name: str,
        schema: dict[str, Any],
        *,
        factor: int,
        frozen: bool,
        key_column: str | None,
        tags: dict[str, str],
        is_compute_enabled: bool,
    ) -> TableRecord:
        now = self._now()
        cursor = self.db.execute(
            "INSERT INTO bp_tables (id, bot_id, name, factor, frozen, key_column, schema, tags, "
            "is_compute_enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _new_table_id(),
                bot_id,
                name,
                factor,
                int(frozen),
                key_column,
                json.dumps(schema),
                json.dumps(tags),
                int(is_compute_enabled),
                now,
                now,
            ),
        )
        pk = cursor.lastrowid
        record = self._decode(self.db.execute("SELECT * FROM bp_tables WHERE pk = ?", (pk,)).fetchone())
        self._create_rows_table(record)
        return record

    def _create(self, bot_id: str, name: Any, body: Mapping[str, Any]) -> TableRecord:
        name = self._check_name(bot_id, name)
        if "schema" not in body:
            raise EmulatorError("InvalidPayload", "schema is required")
        schema = normalize_schema(body["schema"])
        factor = self._check_factor(body.get("factor", 1))
        probe = TableRecord(0, "", bot_id, name, factor, False, None, schema, {}, False, "", "")
        key_column = self._check_key_column(probe, body.get("keyColumn"))
        return self._insert_table(
            bot_id,
            name,
            schema,
            factor=factor,
            frozen=bool(body.get("frozen", False)),
            key_column=key_column,
            tags=self._check_tags(body.get("tags")),
            is_compute_enabled=bool(body.get("isComputeEnabled", False)),
        )

    def list_tables(self, bot_id: str, tags: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The bot's tables, oldest first, those carrying every given tag pair.

        API: ``GET /v1/tables`` -> ``{tables}``.
        """
        rows = self.db.execute("SELECT * FROM bp_tables WHERE bot_id = ? ORDER BY pk", (bot_id,)).fetchall()
        tables = [self._decode(r) for r in rows]
        wanted = dict(tags or {})
        return {"tables": [t.wire() for t in tables if all(t.tags.get(k) == v for k, v in wanted.items())]}

    def create_table(self, bot_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create a table from ``{name, schema, factor?, frozen?, keyColumn?, tags?, isComputeEnabled?}``.

        Returns:
            ``{table}``.

        Raises:
            EmulatorError: InvalidPayload (name rule, column name, factor, keyColumn), AlreadyExists,
                InvalidJsonSchema, LimitExceeded (more than 20 columns).

        API: ``POST /v1/tables``
        """
        with store.transaction(self.db):
            record = self._create(bot_id, body.get("name"), body)
        return {"table": record.wire()}

    def get_table(self, bot_id: str, ref: str) -> dict[str, Any]:
        """``{table, rows, stale, indexing}`` for table ``ref`` (id or name).

        API: ``GET /v1/tables/{table}``
        """
        record = self.table(bot_id, ref)
        return {"table": record.wire(), **self._counts(record)}

    def get_or_create_table(self, bot_id: str, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """The table ``name`` (returned unaltered) or a new one built from ``body``.

        Returns:
            ``{table, created, rows, stale, indexing}``.

        API: ``POST /v1/tables/{table}``
        """
        with store.transaction(self.db):
            existing = self._find(bot_id, name)
            created = existing is None
            record = self._create(bot_id, name, body) if existing is None else existing
        return {"table": record.wire(), "created": created, **self._counts(record)}

    def update_table(self, bot_id: str, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Apply ``{name?, frozen?, keyColumn?, schema? (a patch), tags?, isComputeEnabled?, factor?}``.

        Returns:
            ``{table, staleColumns?}``: staleColumns (when a schema was sent) lists the columns whose
            values were cleared by a type change.

        Raises:
            EmulatorError: ResourceNotFound, Forbidden (frozen table), InvalidPayload, AlreadyExists,
                InvalidJsonSchema, LimitExceeded.

        API: ``PUT /v1/tables/{table}``
        """
        with store.transaction(self.db):
            record = self.table(bot_id, ref)
            structural = [k for k in ("name", "schema", "keyColumn") if k in body]
            if body.get("frozen") is False and record.frozen:
                structural.append("frozen")
            if (
                record.frozen
                and structural
                and not ("name" in structural and len(structural) == 1 and body["name"] == record.name)
            ):
                raise EmulatorError(
                    "Forbidden", f"table {record.name!r} is frozen: {', '.join(structural)} cannot change"
                )
            stale: list[str] | None = None
            if "name" in body and body["name"] != record.name:
                record.name = self._check_name(bot_id, body["name"], exclude_pk=record.pk)
            if "schema" in body:
                stale = self._patch_schema(record, body["schema"])
            if "keyColumn" in body:
                record.key_column = self._check_key_column(record, body["keyColumn"])
                if record.key_column is not None:
                    self._check_unique_values(record, record.key_column)
            if "factor" in body:
                factor = self._check_factor(body["factor"])
                if factor < record.factor:
                    raise EmulatorError("InvalidPayload", f"factor can only increase (from {record.factor})")
                record.factor = factor
            if "frozen" in body:
                record.frozen = bool(body["frozen"])
            if "tags" in body:
                self._check_tags(body["tags"])
                merged = {**record.tags, **body["tags"]}
                record.tags = {k: v for k, v in merged.items() if v != ""}
            if "isComputeEnabled" in body:
                record.is_compute_enabled = bool(body["isComputeEnabled"])
            record.updated_at = self._now()
            self._save(record)
        result: dict[str, Any] = {"table": record.wire()}
        if stale is not None:
            result["staleColumns"] = stale
        return result

    def _patch_schema(self, record: TableRecord, patch: Any) -> list[str]:
        parsed, required = _parse_columns(patch, allow_delete=True)
        columns = {name: dict(column) for name, column in record.columns.items()}
        cleared: list[str] = []
        for name, column in parsed.items():
            old = columns.get(name)
            if column is None:
                if old is not None:
                    del columns[name]
                    cleared.append(name)
                    if record.key_column == name:
                        record.key_column = None
                continue
            if old is not None and _column_signature(old) != _column_signature(column):
                cleared.append(name)
            columns[name] = column
        old_required = record.schema.get("required")
        record.schema = _finish_schema(columns, required if required is not None else old_required)
        for name in cleared:
            self.db.execute(
                f"UPDATE {record.rows_table} SET data = json_remove(data, :path) "
                "WHERE json_type(data, :path) IS NOT NULL",
                {"path": _top_path(name)},
            )
        self._sync_indexes(record)
        return [c for c in cleared if c in columns]

    def _check_unique_values(self, record: TableRecord, column: str) -> None:
        path = _top_path(column)
        clash = self.db.execute(
            f"SELECT data -> :path AS v FROM {record.rows_table} WHERE json_extract(data, :path) IS NOT NULL "
            "GROUP BY v HAVING COUNT(*) > 1 LIMIT 1",
            {"path": path},
        ).fetchone()
        if clash is not None:
            raise EmulatorError(
                "InvalidPayload",
                f"keyColumn {column!r} must be unique; value {clash['v']} appears more than once",
            )

    def rename_column(self, bot_id: str, ref: str, name: Any, new_name: Any) -> dict[str, Any]:
        """Rename column ``name`` to ``new_name``, keeping its values, type and attributes.

        Raises:
            EmulatorError: ResourceNotFound (table or column), Forbidden (frozen), InvalidPayload
                (new name invalid or taken).

        API: ``PUT /v1/tables/{table}/column`` -> ``{table}``
        """
        with store.transaction(self.db):
            record = self.table(bot_id, ref)
            if record.frozen:
                raise EmulatorError(
                    "Forbidden", f"table {record.name!r} is frozen: columns cannot be renamed"
                )
            if not isinstance(name, str) or name not in record.columns:
                raise EmulatorError("ResourceNotFound", f"column {name!r} does not exist")
            _check_column_name(new_name)
            if new_name == name:
                return {"table": record.wire()}
            if new_name in record.columns:
                raise EmulatorError("InvalidPayload", f"column {new_name!r} already exists")
            columns = {(new_name if k == name else k): v for k, v in record.columns.items()}
            record.schema["required"] = [
                new_name if r == name else r for r in record.schema.get("required", [])
            ]
            record.schema = _finish_schema(columns, record.schema["required"])
            if record.key_column == name:
                record.key_column = new_name
            self.db.execute(
                f"UPDATE {record.rows_table} "
                "SET data = json_remove(json_set(data, :new, json(data -> :old)), :old) "
                "WHERE json_type(data, :old) IS NOT NULL",
                {"new": _top_path(new_name), "old": _top_path(name)},
            )
            self._sync_indexes(record)
            record.updated_at = self._now()
            self._save(record)
        return {"table": record.wire()}

    def delete_table(self, bot_id: str, ref: str) -> dict[str, Any]:
        """Delete the table and its rows. API: ``DELETE /v1/tables/{table}`` -> ``{}``."""
        with store.transaction(self.db):
            record = self.table(bot_id, ref)
            self.db.execute(f"DROP TABLE {record.rows_table}")
            self.db.execute("DELETE FROM bp_tables WHERE pk = ?", (record.pk,))
        return {}

    def duplicate_table(self, bot_id: str, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Copy a table (schema, keyColumn, tags; rows unless ``schemaOnly``) under a new name.

        Args:
            body: ``{tableName?, schemaOnly?, factor?}``; the name defaults to ``<base>CopyTable`` (then
                ``<base>Copy2Table``...) where ``<base>`` is the source name without ``Table``; the factor
                defaults to the source's. The copy is never frozen; rows keep their ids and dates.

        Returns:
            ``{table, rows}`` (rows: how many rows were copied).

        API: ``POST /v1/tables/{sourceTableId}/duplicate``
        """
        with store.transaction(self.db):
            source = self.table(bot_id, ref)
            name = body.get("tableName")
            if name is None:
                base = source.name[: -len("Table")]
                name = f"{base}CopyTable"
                counter = 2
                while self._find(bot_id, name) is not None:
                    name = f"{base}Copy{counter}Table"
                    counter += 1
            name = self._check_name(bot_id, name)
            factor = self._check_factor(body["factor"]) if body.get("factor") is not None else source.factor
            copy = self._insert_table(
                bot_id,
                name,
                source.schema,
                factor=factor,
                frozen=False,
                key_column=source.key_column,
                tags=dict(source.tags),
                is_compute_enabled=source.is_compute_enabled,
            )
            copied = 0
            if not body.get("schemaOnly"):
                cursor = self.db.execute(
                    f"INSERT INTO {copy.rows_table} (id, created_at, updated_at, data) "
                    f"SELECT id, created_at, updated_at, data FROM {source.rows_table}"
                )
                copied = cursor.rowcount
        return {"table": copy.wire(), "rows": copied}

    # -- rows --------------------------------------------------------------------------------------

    def _wire_row(self, record: TableRecord, row: Any, stale: list[str]) -> dict[str, Any]:
        return _wire(record, row["id"], row["created_at"], row["updated_at"], json.loads(row["data"]), stale)

    def _rows_by_id(self, record: TableRecord, ids: list[int]) -> list[Any]:
        """The stored rows with these ids, in the order of ``ids`` (unknown ids skipped)."""
        found = {
            row["id"]: row
            for row in self.db.execute(
                f"SELECT * FROM {record.rows_table} WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )
        }
        return [found[i] for i in ids if i in found]

    def _load_rows(self, record: TableRecord, ids: list[int]) -> list[dict[str, Any]]:
        stale = self._computed_columns(record)
        return [self._wire_row(record, row, stale) for row in self._rows_by_id(record, ids)]

    def get_row(self, bot_id: str, ref: str, row_id: Any) -> dict[str, Any]:
        """``{row}`` for row ``row_id`` of table ``ref``.

        Raises:
            EmulatorError: ResourceNotFound (table or row), InvalidQuery (id not an integer).

        API: ``GET /v1/tables/{table}/row?id=N``
        """
        record = self.table(bot_id, ref)
        if isinstance(row_id, str):
            try:
                row_id = int(row_id)
            except ValueError:
                raise EmulatorError("InvalidQuery", f"id {row_id!r} is not an integer") from None
        if isinstance(row_id, bool) or not isinstance(row_id, int):
            raise EmulatorError("InvalidQuery", "id must be an integer")
        rows = self._load_rows(record, [row_id]) if 0 < row_id <= MAX_ROW_ID else []
        if not rows:
            raise EmulatorError("ResourceNotFound", f"row {row_id} does not exist in table {record.name!r}")
        return {"row": rows[0]}

    def _clean(self, record: TableRecord, raw: Any, index: int, report: _RowErrors) -> dict[str, Any] | None:
        """Request row -> column values (dates canonical), or ``None`` after recording an error."""
        if not isinstance(raw, dict):
            report.fail(index, "a row must be an object")
            return None
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key in SYSTEM_COLUMNS:
                continue
            column = record.columns.get(key)
            if column is None:
                report.warnings.append(
                    f"row {index}: column {key!r} does not exist in table {record.name!r}; ignored"
                )
                continue
            problem = _column_error(key, column, value)
            if problem is not None:
                report.fail(index, problem)
                return None
            if column.get("format") == "date-time" and isinstance(value, str):
                value = canonical_datetime(value)
            values[key] = value
        return values

    def _checked_text(
        self, record: TableRecord, data: Mapping[str, Any], index: int, report: _RowErrors, *, insert: bool
    ) -> str | None:
        """The row's stored JSON text (encoded once: size check and storage), or ``None`` after an error."""
        if insert:
            missing = [c for c in record.schema.get("required", []) if data.get(c) is None]
            if missing:
                report.fail(index, f"required column {missing[0]!r} is missing")
                return None
        text = dumps(data)
        size = len(text) if text.isascii() else len(text.encode("utf-8"))
        limit = ROW_BYTES_PER_FACTOR * record.factor
        if size > limit:
            report.fail(
                index, f"the row is {size} bytes; the limit for factor {record.factor} is {limit} bytes"
            )
            return None
        return text

    def _key_clash(self, record: TableRecord, data: Mapping[str, Any], own_id: int | None) -> str | None:
        key = record.key_column
        if key is None or data.get(key) is None:
            return None
        compiler = FilterCompiler(record.columns)
        where = compiler.where({key: {"$eq": data[key]}})
        params = dict(compiler.params)
        if own_id is not None:
            where += " AND id != :own_id"
            params["own_id"] = own_id
        hit = self.db.execute(f"SELECT id FROM {record.rows_table} WHERE {where} LIMIT 1", params).fetchone()
        if hit is None:
            return None
        return f"keyColumn {key!r} value {data[key]!r} already exists (row {hit['id']})"

    def _insert_row(
        self, record: TableRecord, data: dict[str, Any], index: int, report: _RowErrors
    ) -> int | None:
        text = self._checked_text(record, data, index, report, insert=True)
        if text is None:
            return None
        clash = self._key_clash(record, data, None)
        if clash is not None:
            report.fail(index, clash)
            return None
        now = self._now()
        cursor = self.db.execute(
            f"INSERT INTO {record.rows_table} (created_at, updated_at, data) VALUES (?, ?, ?)",
            (now, now, text),
        )
        row_id = cursor.lastrowid
        assert row_id is not None
        if row_id > MAX_ROW_ID:
            self.db.execute(f"DELETE FROM {record.rows_table} WHERE id = ?", (row_id,))
            report.fail(index, f"the table has reached the largest row id ({MAX_ROW_ID})")
            return None
        return row_id

    def _update_row(
        self, record: TableRecord, row_id: int, values: Mapping[str, Any], index: int, report: _RowErrors
    ) -> bool:
        row = self.db.execute(f"SELECT data FROM {record.rows_table} WHERE id = ?", (row_id,)).fetchone()
        if row is None:
            report.fail(index, f"row {row_id} does not exist")
            return False
        data = {**json.loads(row["data"]), **values}
        text = self._checked_text(record, data, index, report, insert=False)
        if text is None:
            return False
        clash = self._key_clash(record, data, row_id)
        if clash is not None:
            report.fail(index, clash)
            return False
        self.db.execute(
            f"UPDATE {record.rows_table} SET data = ?, updated_at = ? WHERE id = ?",
            (text, self._now(), row_id),
        )
        return True

    def _next_row_id(self, record: TableRecord) -> int:
        """The id AUTOINCREMENT would give the next row (above every id the table ever held)."""
        seq = self.db.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = ?", (record.rows_table,)
        ).fetchone()
        top = self.db.execute(f"SELECT max(id) FROM {record.rows_table}").fetchone()[0]
        return max(int(seq[0]) if seq is not None else 0, int(top or 0)) + 1

    def _write_batch(
        self, record: TableRecord, rows: list[Any], key: str | None, report: _RowErrors, *, upsert: bool
    ) -> tuple[list[int], list[int], Callable[[list[int]], list[dict[str, Any]]]] | None:
        """Insert (``upsert``: or update by ``key``) ``rows`` with one key lookup and one statement per
        kind of write, with the answers of the row-by-row path; ``None`` (nothing done) when only that
        path applies.

        ``key`` is the upsert key, or for inserts the table's keyColumn (whose values must stay unique).
        Rows are decided in request order against an in-memory index of the key (the stored rows the
        lookup found, plus the rows this request wrote), so a later row sees an earlier one's write.

        Returns:
            ``(inserted ids, updated ids, answer)``: ``answer(ids)`` builds the wire rows in that order
            (each id's final state) from the written data, without reading it back.
        """
        wanted: list[Any] = []
        where = None
        if key is not None:
            where = _key_sql(record, key)
            if where is None:
                return None
            try:
                wanted = [
                    _key_value(record, key, raw.get(key)) if isinstance(raw, dict) else None for raw in rows
                ]
            except LookupError:
                return None
        index: dict[Any, list[int]] = {}
        state: dict[int, _Written] = {}
        lookups = [v for v in wanted if v is not None and v is not _NO_LOOKUP]
        if lookups:
            found = self.db.execute(
                f"SELECT id, created_at, data, {where} AS k FROM {record.rows_table} "
                f"WHERE {where} IN (SELECT value FROM json_each(?)) ORDER BY id",
                (dumps(lookups),),
            )
            for row in found:
                index.setdefault(row["k"], []).append(row["id"])
                state[row["id"]] = _Written(row["created_at"], json.loads(row["data"]), row["data"])
        now = self._now()
        next_id = self._next_row_id(record)
        fresh: list[int] = []
        changed: dict[int, None] = {}  # rows this request updates (an ordered set)
        inserted: list[int] = []
        updated: list[int] = []
        for position, raw in enumerate(rows):
            values = self._clean(record, raw, position, report)
            if values is None:
                continue
            value = wanted[position] if wanted else None
            matches = index.get(value, []) if value is not None and value is not _NO_LOOKUP else []
            if upsert and len(matches) > 1:
                report.fail(position, f"key {key!r} value {raw.get(key)!r} matches more than one row")
                continue
            if upsert and matches:
                row_id, old = matches[0], state[matches[0]]
                data = {**old.data, **values}
                text = self._checked_text(record, data, position, report, insert=False)
                if text is not None:
                    state[row_id] = _Written(old.created_at, data, text)
                    changed[row_id] = None
                    updated.append(row_id)
                continue
            text = self._checked_text(record, values, position, report, insert=True)
            if text is None:
                continue
            if matches:  # an insert whose keyColumn value is taken
                taken = values.get(key or "")
                report.fail(position, f"keyColumn {key!r} value {taken!r} already exists (row {matches[0]})")
                continue
            row_id, next_id = next_id, next_id + 1
            if row_id > MAX_ROW_ID:
                report.fail(position, f"the table has reached the largest row id ({MAX_ROW_ID})")
                continue
            state[row_id] = _Written(now, values, text)
            fresh.append(row_id)
            inserted.append(row_id)
            if key is not None:
                own = row_id if key == "id" else _key_value(record, key, values.get(key))
                if own is not None:
                    index.setdefault(own, []).append(row_id)
        new_ids = set(fresh)
        if fresh:
            self.db.executemany(
                f"INSERT INTO {record.rows_table} (id, created_at, updated_at, data) VALUES (?, ?, ?, ?)",
                [(row_id, now, now, state[row_id].text) for row_id in fresh],
            )
        stored = [row_id for row_id in changed if row_id not in new_ids]
        if stored:
            self.db.executemany(
                f"UPDATE {record.rows_table} SET data = ?, updated_at = ? WHERE id = ?",
                [(state[row_id].text, now, row_id) for row_id in stored],
            )
        stale = self._computed_columns(record)

        def answer(ids: list[int]) -> list[dict[str, Any]]:
            return [_wire(record, i, state[i].created_at, now, state[i].data, stale) for i in ids]

        return inserted, updated, answer

    def create_rows(self, bot_id: str, ref: str, rows: list[Any]) -> dict[str, Any]:
        """Insert ``rows`` (column -> value objects); invalid rows are reported, the others inserted.

        Returns:
            ``{rows, warnings?, errors?}``: the inserted rows in request order.

        Raises:
            EmulatorError: ResourceNotFound; InvalidDataFormat when no row could be inserted.

        API: ``POST /v1/tables/{table}/rows``
        """
        report = _RowErrors()
        with store.transaction(self.db):
            record = self.table(bot_id, ref)
            batch = self._write_batch(record, rows, record.key_column, report, upsert=False)
            if batch is not None:
                inserted, _, answer = batch
                return report.finish({"rows": answer(inserted)}, len(inserted))
            ids: list[int] = []
            for index, raw in enumerate(rows):
                data = self._clean(record, raw, index, report)
                if data is None:
                    continue
                row_id = self._insert_row(record, data, index, report)
                if row_id is not None:
                    ids.append(row_id)
            result = report.finish({"rows": self._load_rows(record, ids)}, len(ids))
        return result

    def update_rows(self, bot_id: str, ref: str, rows: list[Any]) -> dict[str, Any]:
        """Change the given columns of rows identified by their integer ``id``.

        Returns:
            ``{rows, warnings?, errors?}``: the updated rows.

        Raises:
            EmulatorError: ResourceNotFound (table); InvalidDataFormat when no row could be updated.

        API: ``PUT /v1/tables/{table}/rows``
        """
        report = _RowErrors()
        with store.transaction(self.db):
            record = self.table(bot_id, ref)
            ids: list[int] = []
            for index, raw in enumerate(rows):
                row_id = raw.get("id") if isinstance(raw, dict) else None
                if isinstance(row_id, float) and row_id.is_integer():
                    row_id = int(row_id)
                if isinstance(row_id, bool) or not isinstance(row_id, int) or not 0 < row_id <= MAX_ROW_ID:
                    report.fail(index, f"id must be an integer from 1 to {MAX_ROW_ID}")
                    continue
                values = self._clean(record, raw, index, report)
                if values is not None and self._update_row(record, row_id, values, index, report):
                    ids.append(row_id)
            result = report.finish({"rows": self._load_rows(record, ids)}, len(ids))
        return result

    def upsert_rows(
        self, bot_id: str, ref: str, rows: list[Any], key_column: str | None = None
    ) -> dict[str, Any]:
        """Update the row matching each row's key, or insert it.

        Args:
            key_column: the matching column; defaults to the table's keyColumn, then ``id``.

        Returns:
            ``{inserted, updated, warnings?, errors?}``.

        Raises:
            EmulatorError: ResourceNotFound; InvalidPayload (unknown key column); InvalidDataFormat when
                no row could be written.

        API: ``POST /v1/tables/{table}/rows/upsert``
        """
        report = _RowErrors()
        with store.transaction(self.db):
            record = self.table(bot_id, ref)
            key = key_column or record.key_column or "id"
            if key != "id" and key not in record.columns:
                raise EmulatorError("InvalidPayload", f"keyColumn {key!r} is not a column of the table")
            batch = None
            if record.key_column in (None, key):  # no other key whose clashes each write must query
                batch = self._write_batch(record, rows, key, report, upsert=True)
            if batch is not None:
                new, changed, answer = batch
                return report.finish(
                    {"inserted": answer(new), "updated": answer(changed)}, len(new) + len(changed)
                )
            inserted: list[int] = []
            updated: list[int] = []
            for index, raw in enumerate(rows):
                values = self._clean(record, raw, index, report)
                if values is None:
                    continue
                key_value = raw.get(key)
                matches: list[int] = []
                if key_value is not None:
                    compiler = FilterCompiler(record.columns)
                    where = compiler.where({key: {"$eq": key_value}})
                    matches = [
                        r["id"]
                        for r in self.db.execute(
                            f"SELECT id FROM {record.rows_table} WHERE {where} LIMIT 2", compiler.params
                        )
                    ]
                if len(matches) > 1:
                    report.fail(index, f"key {key!r} value {key_value!r} matches more than one row")
                elif matches:
                    if self._update_row(record, matches[0], values, index, report):
                        updated.append(matches[0])
                else:
                    row_id = self._insert_row(record, values, index, report)
                    if row_id is not None:
                        inserted.append(row_id)
            result = report.finish(
                {"inserted": self._load_rows(record, inserted), "updated": self._load_rows(record, updated)},
                len(inserted) + len(updated),
            )
        return result

    def delete_rows(self, bot_id: str, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Delete by exactly one of ``ids``, ``filter`` or ``deleteAllRows: true``.

        Returns:
            ``{deletedRows}``.

        Raises:
            EmulatorError: ResourceNotFound; InvalidPayload (not exactly one selector); InvalidQuery.

        API: ``POST /v1/tables/{table}/rows/delete``
        """
        selectors = [k for k in ("ids", "filter") if body.get(k) is not None]
        if body.get("deleteAllRows") is True:
            selectors.append("deleteAllRows")
        if len(selectors) != 1:
            raise EmulatorError("InvalidPayload", "give exactly one of ids, filter or deleteAllRows: true")
        with store.transaction(self.db):
            record = self.table(bot_id, ref)
            if selectors[0] == "deleteAllRows":
                cursor = self.db.execute(f"DELETE FROM {record.rows_table}")
            elif selectors[0] == "ids":
                ids = body["ids"]
                if not isinstance(ids, list) or not all(
                    isinstance(i, int | float) and not isinstance(i, bool) for i in ids
                ):
                    raise EmulatorError("InvalidPayload", "ids must be an array of numbers")
                cursor = self.db.execute(
                    f"DELETE FROM {record.rows_table} WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(ids),),
                )
            else:
                compiler = FilterCompiler(record.columns)
                where = compiler.where(body["filter"])
                cursor = self.db.execute(f"DELETE FROM {record.rows_table} WHERE {where}", compiler.params)
        return {"deletedRows": cursor.rowcount}

    def find_rows(self, bot_id: str, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Query rows: ``{limit?, offset?, filter?, group?, search?, select?, orderBy?, orderDirection?}``.

        Args:
            body: limit 1-1000 (default 100), offset >= 0 (default 0), a Mongo-like filter, a group
                spec, a search text (at most 1024 characters), select paths, orderBy (default ``id``) and
                orderDirection ``asc`` (default) or ``desc``.

        Returns:
            ``{rows, hasMore, offset, limit, warnings?}``.

        Raises:
            EmulatorError: ResourceNotFound; InvalidQuery (filter, group, orderBy); InvalidPayload
                (limit, offset, orderDirection, search length).

        API: ``POST /v1/tables/{table}/rows/find``
        """
        limit, offset = body.get("limit", 100), body.get("offset", 0)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_FIND_LIMIT:
            raise EmulatorError("InvalidPayload", f"limit must be an integer from 1 to {MAX_FIND_LIMIT}")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise EmulatorError("InvalidPayload", "offset must be a non-negative integer")
        direction = body.get("orderDirection", "asc")
        if direction not in ("asc", "desc"):
            raise EmulatorError("InvalidPayload", "orderDirection must be asc or desc")
        search = body.get("search")
        if search is not None and (not isinstance(search, str) or len(search) > 1024):
            raise EmulatorError("InvalidPayload", "search must be a string of at most 1024 characters")
        record = self.table(bot_id, ref)
        compiler = FilterCompiler(record.columns)
        where = compiler.where(body["filter"]) if body.get("filter") is not None else "1"
        self._refresh_statistics(record)
        warnings: list[str] = []
        if body.get("group") is not None:
            if search is not None or body.get("select") is not None:
                warnings.append("search and select are ignored when group is given")
            rows, has_more = self._group(record, compiler, where, body["group"], limit, offset)
        else:
            rows, has_more = self._select(record, compiler, where, body, limit, offset, warnings)
        result: dict[str, Any] = {"rows": rows, "hasMore": has_more, "offset": offset, "limit": limit}
        if warnings:
            result["warnings"] = warnings
        return result

    def _select(
        self,
        record: TableRecord,
        compiler: FilterCompiler,
        where: str,
        body: Mapping[str, Any],
        limit: int,
        offset: int,
        warnings: list[str],
    ) -> tuple[list[dict[str, Any]], bool]:
        order_by = body.get("orderBy", "id")
        direction = "DESC" if body.get("orderDirection", "asc") == "desc" else "ASC"
        order_field = compiler.field(order_by) if isinstance(order_by, str) else compiler.field("")
        order = f"{order_field.value} {direction}, id {direction}"
        search = body.get("search")
        if search is not None:
            searchable = [n for n, c in record.columns.items() if c.get("x-zui", {}).get("searchable")]
            if not searchable:
                searchable = [n for n, c in record.columns.items() if c["type"] == "string"]
            columns = (
                "id, created_at, updated_at, data, "
                f"bp_similarity({compiler.bind(search)}, data, {compiler.bind(json.dumps(searchable))})"
                " AS similarity"
            )
            fetched = self.db.execute(
                f"SELECT {columns} FROM {record.rows_table} WHERE {where} "
                f"ORDER BY similarity DESC, {order} LIMIT :limit OFFSET :offset",
                {**compiler.params, "limit": limit + 1, "offset": offset},
            ).fetchall()
        else:
            params = {**compiler.params, "limit": limit + 1, "offset": offset}
            ids = self._find_ids(record, where, params, order_field, direction)
            fetched = self._rows_by_id(record, ids)
        has_more = len(fetched) > limit
        stale = self._computed_columns(record)
        select = body.get("select")
        paths: list[list[str]] | None = None
        if select is not None:
            paths = []
            for path in select:
                if not isinstance(path, str) or path.split(".")[0] not in {*record.columns, *SYSTEM_COLUMNS}:
                    warnings.append(f"select: unknown column {path!r} ignored")
                    continue
                if path not in SYSTEM_COLUMNS:
                    paths.append(path.split("."))
        rows = []
        for row in fetched[:limit]:
            wire = self._wire_row(record, row, stale)
            if paths is not None:
                wire = _project(wire, json.loads(row["data"]), paths)
            if search is not None:
                wire["similarity"] = row["similarity"]
            rows.append(wire)
        return rows, has_more

    def _refresh_statistics(self, record: TableRecord) -> None:
        """ANALYZE the rows table once it has 1000 rows, and again each time it has doubled.

        The statistics tell SQLite how many rows an equality on each column index matches, so it can
        choose between walking an index in the requested order and looking the filter up first.
        """
        table = record.rows_table
        top = self.db.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0
        if top < _ANALYZE_MIN_ROWS or top < 2 * self._analyzed_at.get(table, 0):
            return
        self.db.execute(f"PRAGMA analysis_limit = {_ANALYZE_LIMIT}")
        self.db.execute(f"ANALYZE {table}")
        self._analyzed_at[table] = top

    def _plan(self, sql: str, params: Mapping[str, Any]) -> list[str] | None:
        """The EXPLAIN QUERY PLAN lines of ``sql``, or None when SQLite cannot plan it (INDEXED BY)."""
        try:
            return [row[3] for row in self.db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
        except sqlite3.OperationalError:
            return None

    def _find_ids(
        self, record: TableRecord, where: str, params: Mapping[str, Any], order_field: Field, direction: str
    ) -> list[int]:
        """Ids of the filtered rows in order, ``params["limit"]`` of them from ``params["offset"]``.

        SQLite has two plans for a filter with an order: walk the rows in the requested order (the
        rowid, or the order column's index) testing the filter on each, or look the filter up in a
        column index and sort what matches. Which one is fast depends on how many rows match, which it
        cannot know for a range (no histograms in stock SQLite builds): a selective ``$gt`` walked in id
        order reads the whole table. So the plan SQLite picks runs for at most ``_PLAN_BUDGET_S``; past
        that, the other plan runs instead (both give the same rows: the order is total, ties broken by
        id). Only ids are selected, so a filter on one column index never reads the rows themselves.
        """
        terms = [order_field.value] if order_field.system != "id" else []
        terms.append("id")
        order = ", ".join(f"{term} {direction}" for term in terms)
        sql = (
            f"SELECT id FROM {record.rows_table}{{hint}} WHERE {where} ORDER BY {{order}} "
            "LIMIT :limit OFFSET :offset"
        )
        first = sql.format(hint="", order=order)
        alternative = None
        plan = self._plan(first, params) if where != "1" else None
        if plan is not None and any("TEMP B-TREE FOR" in line for line in plan):
            # SQLite looks the filter up, then sorts; the alternative walks the order (fast when most rows
            # match). An empty index name is the rowid: NOT INDEXED walks the table itself in id order.
            index = self._order_index(record, order_field)
            if index is not None:
                hint = f" INDEXED BY {index}" if index else " NOT INDEXED"
                alternative = sql.format(hint=hint, order=order)
                if self._plan(alternative, params) is None:  # the index cannot serve this query
                    alternative = None
        elif plan is not None and not _searches(plan):
            # SQLite walks the order testing each row; the alternative looks the filter up in an index,
            # then sorts (a unary + keeps an index from serving the ORDER BY).
            alternative = sql.format(hint="", order=", ".join(f"+{term} {direction}" for term in terms))
            if not _searches(self._plan(alternative, params)):
                alternative = None
        if alternative is None:
            return [row[0] for row in self.db.execute(first, params)]
        # CPU time of this thread, not wall time: a busy machine must not make a good plan look slow.
        deadline = time.thread_time() + _PLAN_BUDGET_S
        self.db.set_progress_handler(lambda: int(time.thread_time() > deadline), _PLAN_CHECK_STEPS)
        try:
            return [row[0] for row in self.db.execute(first, params)]
        except sqlite3.OperationalError as exc:
            if "interrupt" not in str(exc):
                raise
        finally:
            self.db.set_progress_handler(None, 0)
        return [row[0] for row in self.db.execute(alternative, params)]

    def _order_index(self, record: TableRecord, order_field: Field) -> str | None:
        """The index that yields rows in ``order_field`` order: ``""`` for the rowid (id), the name of a
        system or column index, or None when there is none (a nested path, an unusual column name)."""
        if order_field.system == "id":
            return ""
        if order_field.system is not None:
            return f"{record.rows_table}_{'created' if order_field.system == 'createdAt' else 'updated'}"
        for name in record.columns:
            if column_value_sql(name) == order_field.value:
                return f"{record.rows_table}_c_{name}"
        return None

    def _group(
        self, record: TableRecord, compiler: FilterCompiler, where: str, group: Any, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], bool]:
        if not isinstance(group, dict) or not group:
            raise EmulatorError("InvalidQuery", "group must be an object of column -> operation(s)")
        outputs: list[tuple[str, str, str, bool]] = []  # (output name, op, sql alias, JSON-encoded)
        select: list[str] = []
        keys: list[str] = []
        for path, ops in group.items():
            field = compiler.field(path)
            op_list = ops if isinstance(ops, list) else [ops]
            if not op_list:
                raise EmulatorError("InvalidQuery", f"group {path!r}: give at least one operation")
            json_value = field.value if field.system else f"('' || (data -> {field.path_sql}))"
            numeric = (
                field.value
                if field.system == "id"
                else (f"CASE WHEN {field.kind} IN ('integer', 'real') THEN {field.value} END")
            )
            ordered = (
                field.value
                if field.system
                else (f"CASE WHEN {field.kind} IN ('integer', 'real', 'text') THEN {field.value} END")
            )
            for op in op_list:
                if op not in _GROUP_OPS:
                    raise EmulatorError("InvalidQuery", f"group {path!r}: unknown operation {op!r}")
                alias = f"g{len(outputs)}"
                sql = {
                    "key": json_value,
                    "count": f"COUNT({field.value})",
                    "sum": f"SUM({numeric})",
                    "avg": f"AVG({numeric})",
                    "min": f"MIN({ordered})",
                    "max": f"MAX({ordered})",
                    "unique": f"json_group_array(DISTINCT {json_value}) "
                    f"FILTER (WHERE {field.value} IS NOT NULL)",
                }[op]
                if op == "key":
                    keys.append(alias)
                select.append(f"{sql} AS {alias}")
                outputs.append((f"{path}{op.capitalize()}", op, alias, field.system is None))
        group_by = f" GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}" if keys else ""
        params = {**compiler.params, "limit": limit + 1, "offset": offset}
        fetched = self.db.execute(
            f"SELECT {', '.join(select)} FROM {record.rows_table} WHERE {where}{group_by} "
            "LIMIT :limit OFFSET :offset",
            params,
        ).fetchall()
        rows = []
        for position, row in enumerate(fetched[:limit]):
            out: dict[str, Any] = {"id": offset + position + 1, "computed": {}}
            for name, op, alias, encoded in outputs:
                value = row[alias]
                if op == "key" and encoded and isinstance(value, str):
                    value = json.loads(value)
                elif op == "unique":
                    items = json.loads(value) if value is not None else []
                    value = [json.loads(v) if encoded and isinstance(v, str) else v for v in items]
                out[name] = value
            rows.append(out)
        return rows, len(fetched) > limit

    def iter_rows(self, bot_id: str, ref: str, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every row of the table as wire dicts, by id (used by export)."""
        record = self.table(bot_id, ref)
        stale = self._computed_columns(record)
        last = 0
        while True:
            fetched = self.db.execute(
                f"SELECT * FROM {record.rows_table} WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not fetched:
                return
            for row in fetched:
                yield self._wire_row(record, row, stale)
            last = fetched[-1]["id"]


def _searches(plan: list[str] | None) -> bool:
    """True when a query plan looks rows up through an index (rather than walking a whole table)."""
    return plan is not None and any(line.startswith(("SEARCH", "MULTI-INDEX")) for line in plan)


def _top_path(column: str) -> str:
    return '$."' + column + '"'


def _project(wire: dict[str, Any], data: Mapping[str, Any], paths: list[list[str]]) -> dict[str, Any]:
    """Keep the system keys of ``wire`` and only the selected (possibly nested) paths of ``data``."""
    out = {k: wire[k] for k in ("id", "createdAt", "updatedAt", "computed", "stale")}
    for segments in paths:
        source: Any = data
        for segment in segments:
            source = source.get(segment) if isinstance(source, dict) else None
        target = out
        for segment in segments[:-1]:
            nested = target.get(segment)
            if not isinstance(nested, dict):
                nested = {}
                target[segment] = nested
            target = nested
        target[segments[-1]] = source
    return out
