"""Mongo-like row filters of the Tables API, translated to SQL over a JSON ``data`` column.

The emulator keeps each Botpress table's rows in a SQLite table with the system columns ``id``
(INTEGER), ``created_at`` and ``updated_at`` (TEXT, ``YYYY-MM-DDTHH:MM:SS.mmmZ``) and the user's columns
in ``data`` (one JSON object per row). :class:`FilterCompiler` turns a filter into a ``WHERE`` clause and
its named parameters; the rows are then selected by SQLite, never scanned in Python.

Speed: a top-level ``string``, ``number`` or ``boolean`` column can only hold values of its type (or null):
every write is checked against the schema and a type change clears the column. On such a column the
type-strict comparison needs no per-row ``json_type`` check -- a value of another type can never match
(``"0"``), one of the column's type is a bare ``json_extract(...) <op> :p`` that the column's
expression index serves, and ``$in`` becomes one ``IN (...)``. Nested paths and object/array columns
keep the explicit ``json_type`` checks.

Safety: every value from a filter is a bound parameter. A JSON path is written into the SQL text only
when each of its segments is a plain identifier (``[A-Za-z_][A-Za-z0-9_]*``) -- the form an expression
index can match -- and is bound as a parameter otherwise. A path segment containing ``"`` cannot be
addressed and is an InvalidQuery.

Pinned semantics (marked [inferred] in the research notes):

- ``{col: v}`` is ``{col: {"$eq": v}}``; several keys of one object are ANDed; a value that is an object
  whose keys all start with ``$`` is an operator document (mixing ``$`` and plain keys is InvalidQuery),
  any other object value is an exact (key-order sensitive) object match.
- Comparisons are type-strict: a number never equals a string or a boolean, ``"1"`` never matches ``1``,
  ``$gt: 5`` only matches numbers, ``$gt: "m"`` only strings. Booleans compare false < true. There is no
  implicit array membership (``{tags: "x"}`` does not match ``["x"]``: use an exact array).
- ``null``: ``{col: null}`` matches rows where the column is null or missing; ``$ne: null`` the others.
  ``$exists: true`` means "present and not null" (the Studio's "is not null"), ``false`` the opposite.
- ``$ne`` and ``$nin`` also match rows where the column is missing or null.
- Dates: ``createdAt``/``updatedAt`` and ``format: date-time`` columns are stored in the canonical
  ``...mmmZ`` form, and a string filter value on them that parses as an ISO 8601 date-time is converted
  to that form, so comparisons are chronological.
- ``$regex`` uses Python's ``re`` (unanchored search); ``$options``: ``i`` case-insensitive, ``c``
  case-sensitive (the default), ``m``/``s``/``x`` as in ``re``; only strings match. The common shapes
  run in SQL instead of a Python call per row, with the same answers (see :func:`_literal_regex`):
  ``^literal`` is an index-served range (and a range prefilter before the Python check for ``^literal``
  followed by more, case-sensitive), a plain ``literal`` is ``instr``, and with ``i`` both are ``LIKE``.
- ``$mod: [divisor, remainder]`` matches numbers whose truncated value modulo divisor is remainder.
- ``$size: n`` matches arrays of length ``n``.
- ``$not`` takes a filter at the top level (``{"$not": {"a": 1}}``) and an operator document at field level
  (``{"a": {"$not": {"$gt": 1}}}``); ``$and``/``$or`` take a non-empty array of filters.
- The first segment of a path must be a column of the table or ``id``/``createdAt``/``updatedAt``
  (system columns have no nested paths); anything else, an unknown ``$`` operator, or an operand of the
  wrong shape is InvalidQuery naming the problem. Numeric path segments are object keys, not array indexes.

This module must not touch the database except through :func:`register_functions`.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator._json import dumps
from botpress_async.emulator.clock import parse_iso

__all__ = [
    "SYSTEM_COLUMNS",
    "Field",
    "FilterCompiler",
    "canonical_datetime",
    "column_value_sql",
    "json_path",
    "register_functions",
]

#: Wire name -> SQL column of the system columns every row has.
SYSTEM_COLUMNS: dict[str, str] = {"id": "id", "createdAt": "created_at", "updatedAt": "updated_at"}

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPTION_FLAGS = {"i": re.IGNORECASE, "c": 0, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_COMPARISONS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


def json_path(segments: list[str]) -> str:
    """The SQLite JSON path of a column path: ``$.a.b`` for identifiers, ``$."a b"`` otherwise."""
    if all(_IDENTIFIER.fullmatch(s) for s in segments):
        return "$." + ".".join(segments)
    return "$" + "".join(f'."{s}"' for s in segments)


def _inline_path(segments: list[str]) -> str | None:
    """The path as a SQL string literal, only when it is made of plain identifiers (no quoting needed)."""
    if all(_IDENTIFIER.fullmatch(s) for s in segments):
        return "'" + json_path(segments) + "'"
    return None


def column_value_sql(name: str) -> str | None:
    """``json_extract(data, '$.name')``: the expression an index on a top-level column is built on.

    Returns ``None`` when ``name`` is not a plain identifier (such a column is filtered through a bound
    path, which no expression index can serve).
    """
    literal = _inline_path([name])
    return None if literal is None else f"json_extract(data, {literal})"


def canonical_datetime(value: str) -> str | None:
    """An ISO 8601 date-time string in the service's ``YYYY-MM-DDTHH:MM:SS.mmmZ`` form, else ``None``.

    A value without a time zone is taken as UTC.
    """
    parsed = parse_iso(value)
    if parsed is None:
        return None
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}Z"


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regexp(pattern: str | None, value: Any) -> int:
    """SQLite ``REGEXP`` (``value REGEXP pattern``): 1 when ``pattern`` is found in the string ``value``."""
    if pattern is None or not isinstance(value, str):
        return 0
    return 1 if _compiled(pattern).search(value) else 0


def register_functions(conn: sqlite3.Connection) -> None:
    """Register the SQL functions compiled filters use (``regexp``) on ``conn``."""
    conn.create_function("regexp", 2, _regexp, deterministic=True)


#: Column type -> JSON value kind (see :func:`_value_kind`) its values are guaranteed to have.
_TYPED_COLUMNS = {"string": "string", "number": "number", "boolean": "boolean"}
#: JSON value kind -> SQL condition on ``json_type(...)`` (``{}`` is the json_type expression).
_KIND_SQL = {
    "boolean": "{} IN ('true', 'false')",
    "number": "{} IN ('integer', 'real')",
    "string": "{} = 'text'",
    "array": "{} = 'array'",
    "object": "{} = 'object'",
}


def _value_kind(value: Any) -> str:
    """The JSON kind of a filter operand: boolean, number, string, array or object."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _all(*conditions: str) -> str:
    """AND of SQL conditions, folding the constants ``"1"`` (true) and ``"0"`` (false)."""
    kept = [c for c in conditions if c != "1"]
    if "0" in kept:
        return "0"
    if not kept:
        return "1"
    return " AND ".join(kept)


class Field:
    """One addressable value of a row: SQL for its value and for its JSON type.

    Attributes:
        value: SQL expression of the value (``json_extract`` result, or a system column).
        kind: SQL expression giving the JSON type name (``'integer'``, ``'text'``, ``'true'``...), or
            ``None`` when the value is missing.
        system: the wire name when this is a system column, else ``None``.
        is_date: string values are date-times in canonical form (comparisons are chronological).
        path_sql: the JSON path as SQL (a literal or a bound parameter), for JSON functions.
        value_kind: ``"string"``, ``"number"`` or ``"boolean"`` when the schema guarantees every
            non-null value has that JSON kind (a top-level column of that type), else ``None``.
    """

    def __init__(
        self,
        value: str,
        kind: str,
        *,
        system: str | None,
        is_date: bool,
        path_sql: str,
        value_kind: str | None = None,
    ) -> None:
        self.value = value
        self.kind = kind
        self.system = system
        self.is_date = is_date
        self.path_sql = path_sql
        self.value_kind = value_kind


#: The deepest nesting of ``$and``/``$or``/``$not`` a filter may use (InvalidQuery beyond): SQLite's parser
#: has a fixed stack, and each level costs a few parentheses of SQL.
MAX_FILTER_DEPTH = 8
#: The most values (operands, paths) one query may bind.
MAX_FILTER_VALUES = 5_000


def _balanced(parts: list[str], joiner: str) -> str:
    """``(a) AND (b) AND ...`` grouped as a balanced tree, so that a list of thousands of conditions nests
    only log2(n) deep (SQLite refuses expression trees over 1000 levels: a flat chain of 1000 would be)."""
    if len(parts) == 1:
        return f"({parts[0]})"
    middle = len(parts) // 2
    return f"({_balanced(parts[:middle], joiner)}{joiner}{_balanced(parts[middle:], joiner)})"


class FilterCompiler:
    """Compile filters (and column references) for one table into SQL with named parameters.

    Args:
        columns: the table's column name -> column JSON schema (the stored ``schema.properties``).
        param_prefix: prefix of the generated parameter names (``:f0``, ``:f1``...), so several
            compilers can feed one statement.
        trust_column_types: rely on the schema for the JSON kind of top-level string/number/boolean
            columns (index-friendly SQL without per-row ``json_type`` checks). ``False`` checks the
            stored type on every row; the results are the same for rows written through the store.

    After compiling, :attr:`params` holds every parameter the produced SQL refers to.
    """

    def __init__(
        self,
        columns: Mapping[str, Mapping[str, Any]],
        *,
        param_prefix: str = "f",
        trust_column_types: bool = True,
    ) -> None:
        self.columns = columns
        self.params: dict[str, Any] = {}
        self._prefix = param_prefix
        self._trust_types = trust_column_types

    def bind(self, value: Any) -> str:
        """A new named parameter holding ``value``; returns its SQL placeholder (``:f3``).

        Raises:
            EmulatorError: InvalidQuery past :data:`MAX_FILTER_VALUES` parameters (SQLite's planning
                time grows faster than the number of conditions: a huge filter would stall the emulator).
        """
        if len(self.params) >= MAX_FILTER_VALUES:
            raise EmulatorError("InvalidQuery", f"a query may hold at most {MAX_FILTER_VALUES} values")
        name = f"{self._prefix}{len(self.params)}"
        if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
            # SQLite integers are 64-bit; JSON numbers beyond that compare as reals, and past the largest
            # real as an infinity (as 1e400 already decodes to), so they match nothing instead of failing.
            try:
                value = float(value)
            except OverflowError:
                value = math.inf if value > 0 else -math.inf
        self.params[name] = value
        return ":" + name

    # -- column references -------------------------------------------------------------------------

    def field(self, path: str, *, error_type: str = "InvalidQuery") -> Field:
        """Resolve a dotted column path (``"customer.age"``, ``"createdAt"``) to a :class:`Field`.

        Raises:
            EmulatorError: ``error_type`` (default InvalidQuery) for an unknown column, a nested path
                under a system column, an empty segment or a segment containing ``"``.
        """
        if not isinstance(path, str) or not path:
            raise EmulatorError(error_type, f"invalid column path {path!r}")
        segments = path.split(".")
        head = segments[0]
        if head in SYSTEM_COLUMNS:
            if len(segments) > 1:
                raise EmulatorError(error_type, f"the system column {head!r} has no nested fields ({path!r})")
            kind = "'integer'" if head == "id" else "'text'"
            return Field(SYSTEM_COLUMNS[head], kind, system=head, is_date=head != "id", path_sql="")
        if head not in self.columns:
            raise EmulatorError(error_type, f"unknown column {head!r} in {path!r}")
        if any(not s or '"' in s for s in segments):
            raise EmulatorError(error_type, f"invalid column path {path!r}")
        literal = _inline_path(segments)
        path_sql = literal if literal is not None else self.bind(json_path(segments))
        column = self.columns[head]
        is_date = len(segments) == 1 and column.get("format") == "date-time"
        typed = len(segments) == 1 and self._trust_types
        return Field(
            f"json_extract(data, {path_sql})",
            f"json_type(data, {path_sql})",
            system=None,
            is_date=is_date,
            path_sql=path_sql,
            value_kind=_TYPED_COLUMNS.get(column.get("type", "")) if typed else None,
        )

    # -- filters -----------------------------------------------------------------------------------

    def where(self, filter: Any, *, _depth: int = 0) -> str:
        """The SQL condition for ``filter`` (``"1"`` for an empty filter).

        Raises:
            EmulatorError: InvalidQuery for a malformed filter, unknown operator or unknown column, or
                ``$and``/``$or``/``$not`` nested more than :data:`MAX_FILTER_DEPTH` levels deep.
        """
        if not isinstance(filter, dict):
            raise EmulatorError("InvalidQuery", f"a filter must be an object, not {_json_kind(filter)}")
        if _depth > MAX_FILTER_DEPTH:
            raise EmulatorError(
                "InvalidQuery", f"$and, $or and $not may be nested at most {MAX_FILTER_DEPTH} levels deep"
            )
        parts: list[str] = []
        for key, value in filter.items():
            if key == "$and" or key == "$or":
                if not isinstance(value, list) or not value:
                    raise EmulatorError("InvalidQuery", f"{key} takes a non-empty array of filters")
                subs = [self.where(sub, _depth=_depth + 1) for sub in value]
                parts.append(_balanced(subs, " AND " if key == "$and" else " OR "))
            elif key == "$not":
                parts.append(f"NOT COALESCE(({self.where(value, _depth=_depth + 1)}), 0)")
            elif key.startswith("$"):
                raise EmulatorError("InvalidQuery", f"unknown operator {key!r}")
            else:
                parts.append(self._field_condition(self.field(key), value))
        if not parts:
            return "1"
        return _balanced(parts, " AND ")

    def _field_condition(self, field: Field, value: Any) -> str:
        if isinstance(value, dict) and value and any(k.startswith("$") for k in value):
            if not all(k.startswith("$") for k in value):
                raise EmulatorError("InvalidQuery", "an operator object cannot mix $operators and plain keys")
            return self._operators(field, value)
        return self._eq(field, value)

    def _operators(self, field: Field, ops: dict[str, Any]) -> str:
        parts: list[str] = []
        if "$options" in ops and "$regex" not in ops:
            raise EmulatorError("InvalidQuery", "$options is only valid next to $regex")
        for op, operand in ops.items():
            if op == "$eq":
                parts.append(self._eq(field, operand))
            elif op == "$ne":
                parts.append(f"NOT COALESCE(({self._eq(field, operand)}), 0)")
            elif op in _COMPARISONS:
                parts.append(self._compare(field, _COMPARISONS[op], op, operand))
            elif op in ("$in", "$nin"):
                if not isinstance(operand, list):
                    raise EmulatorError("InvalidQuery", f"{op} takes an array")
                cond = self._in(field, operand)
                parts.append(cond if op == "$in" else f"NOT COALESCE(({cond}), 0)")
            elif op == "$exists":
                if not isinstance(operand, bool):
                    raise EmulatorError("InvalidQuery", "$exists takes true or false")
                parts.append(f"{field.value} IS {'NOT ' if operand else ''}NULL")
            elif op == "$regex":
                parts.append(self._regex(field, operand, ops.get("$options")))
            elif op == "$options":
                continue
            elif op == "$mod":
                parts.append(self._mod(field, operand))
            elif op == "$size":
                parts.append(self._size(field, operand))
            elif op == "$not":
                if (
                    not isinstance(operand, dict)
                    or not operand
                    or not all(k.startswith("$") for k in operand)
                ):
                    raise EmulatorError("InvalidQuery", "$not on a column takes an operator object")
                parts.append(f"NOT COALESCE(({self._operators(field, operand)}), 0)")
            else:
                raise EmulatorError("InvalidQuery", f"unknown operator {op!r}")
        return " AND ".join(f"({p})" for p in parts)

    def _operand(self, field: Field, value: Any) -> Any:
        if field.is_date and isinstance(value, str):
            return canonical_datetime(value) or value
        return value

    def _is_kind(self, field: Field, kind: str) -> str:
        """SQL true when the stored JSON value is of ``kind`` (see :func:`_value_kind`); the constant
        ``"1"`` or ``"0"`` when the column's schema already settles it."""
        if field.value_kind is not None:
            return "1" if field.value_kind == kind else "0"
        return _KIND_SQL[kind].format(field.kind)

    def _type_check(self, field: Field, value: Any) -> str:
        """SQL true when the stored JSON type is comparable to ``value`` (type-strict equality)."""
        return self._is_kind(field, _value_kind(value))

    def _eq(self, field: Field, value: Any) -> str:
        if value is None:
            return f"{field.value} IS NULL"
        if field.system == "id" and not (isinstance(value, int | float) and not isinstance(value, bool)):
            return "0"
        if field.system is not None and field.system != "id" and not isinstance(value, str):
            return "0"
        if isinstance(value, bool):
            if field.value_kind == "boolean":
                return f"{field.value} = {int(value)}"  # json_extract gives 1/0 for true/false
            if field.value_kind is not None:
                return "0"
            return f"{field.kind} = '{'true' if value else 'false'}'"
        if isinstance(value, dict | list):
            check = self._type_check(field, value)
            if check == "0":
                return "0"
            text = dumps(value)
            return _all(f"{field.value} = {self.bind(text)}", check)
        if not isinstance(value, int | float | str):
            raise EmulatorError("InvalidQuery", f"cannot compare with {_json_kind(value)}")
        if field.system is not None:
            return f"{field.value} = {self.bind(self._operand(field, value))}"
        check = self._type_check(field, value)
        if check == "0":
            return "0"
        return _all(f"{field.value} = {self.bind(self._operand(field, value))}", check)

    def _compare(self, field: Field, sql_op: str, op: str, value: Any) -> str:
        if not isinstance(value, int | float | str) or value is None:
            raise EmulatorError(
                "InvalidQuery", f"{op} takes a number, string or boolean, not {_json_kind(value)}"
            )
        if field.system == "id" and (isinstance(value, bool) or not isinstance(value, int | float)):
            return "0"
        if field.system is not None and field.system != "id" and not isinstance(value, str):
            return "0"
        if field.system is not None:
            return f"{field.value} {sql_op} {self.bind(self._operand(field, value))}"
        check = self._type_check(field, value)
        if check == "0":
            return "0"
        return _all(f"{field.value} {sql_op} {self.bind(self._operand(field, value))}", check)

    def _in(self, field: Field, values: list[Any]) -> str:
        if not values:
            return "0"
        if field.value_kind is not None and all(isinstance(v, int | float | str) for v in values):
            # A typed column: one IN list (an index lookup per value) of the operands of its kind.
            kept = [self._operand(field, v) for v in values if _value_kind(v) == field.value_kind]
            if not kept:
                return "0"
            return f"{field.value} IN ({', '.join(self.bind(v) for v in kept)})"
        parts = [self._eq(field, v) for v in values]
        return _balanced(parts, " OR ")

    def _literal_regex(
        self, field: Field, pattern: str, flags: int, regexp: Callable[[], str]
    ) -> str | None:
        r"""SQL with exactly the answers of the REGEXP condition (``regexp()`` binds and returns it) for the
        shapes SQLite can run without calling Python per row, else None. ``flags``: the compiled pattern's.

        - ``^lit`` case-sensitive: ``lit <= value < successor(lit)`` (BINARY order is UTF-8 byte order,
          which is code point order), which the column's expression index serves; ``^lit...``: that
          range, then ``regexp`` on the rows in it (no top-level ``|`` can bypass the prefix: any ``|``
          disqualifies).
        - ``lit`` case-sensitive: ``instr(value, lit) > 0``.
        - ``i``: ``LIKE`` (``lit%`` or ``%lit%``) for an ASCII literal. LIKE folds only ASCII letters;
          Python also folds ``İ ı`` to ``i``, ``ſ`` to ``s`` and the Kelvin sign to ``k``, so with one of
          those letters in the literal a value holding such a character is left to ``regexp``.

        Not served: verbose patterns, ``^`` with ``m`` (it matches after any newline), empty literals,
        anything else (classes, groups, escapes like ``\d``, quantifiers right after the prefix).
        """
        if flags & re.VERBOSE:
            return None
        anchored, literal, rest = _literal_prefix(pattern)
        if not literal or "\x00" in literal or (anchored and flags & re.MULTILINE):
            return None
        value = field.value
        if flags & re.IGNORECASE:
            if rest or not literal.isascii():
                return None
            like = ("" if anchored else "%") + re.sub(r"([\\%_])", r"\\\1", literal) + "%"
            sql = f"{value} LIKE {self.bind(like)} ESCAPE '\\'"
            if _FOLDED_BEYOND_ASCII.intersection(literal.lower()):
                sql = f"({sql} OR ({value} GLOB {self.bind(_NON_ASCII_FOLDS_GLOB)} AND {regexp()}))"
            return sql
        if not anchored:
            return None if rest else f"instr({value}, {self.bind(literal)}) > 0"
        if rest and "|" in pattern:
            return None
        upper = _successor(literal)
        sql = f"{value} >= {self.bind(literal)}"
        if upper is not None:
            sql += f" AND {value} < {self.bind(upper)}"
        return f"{sql} AND {regexp()}" if rest else sql

    def _regex(self, field: Field, pattern: Any, options: Any) -> str:
        if not isinstance(pattern, str):
            raise EmulatorError("InvalidQuery", "$regex takes a string")
        flags = 0
        if options is not None:
            if not isinstance(options, str) or any(c not in _OPTION_FLAGS for c in options):
                raise EmulatorError("InvalidQuery", "$options takes letters among i, c, m, s, x")
            for letter in options:
                flags |= _OPTION_FLAGS[letter]
            if "c" in options:
                flags &= ~re.IGNORECASE
        try:
            compiled = re.compile(pattern, flags)
        except re.error as exc:
            raise EmulatorError("InvalidQuery", f"invalid $regex: {exc}") from None
        if field.system == "id":
            return "0"
        check = "1" if field.system is not None else self._is_kind(field, "string")
        if check == "0":
            return "0"
        # Flags travel inside the pattern, so one two-argument REGEXP function serves every call.
        inline = _inline_flags(compiled.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE))

        def regexp() -> str:  # bound only when used: every parameter is referenced by the SQL
            return f"{field.value} REGEXP {self.bind(inline + pattern)}"

        served = self._literal_regex(field, pattern, compiled.flags, regexp)
        return _all(check, served if served is not None else regexp())

    def _mod(self, field: Field, operand: Any) -> str:
        if (
            not isinstance(operand, list)
            or len(operand) != 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in operand)
            or int(operand[0]) == 0
        ):
            raise EmulatorError("InvalidQuery", "$mod takes [divisor, remainder] with a non-zero divisor")
        if field.system is not None and field.system != "id":
            return "0"
        check = "1" if field.system else self._is_kind(field, "number")
        if check == "0":
            return "0"
        divisor, remainder = self.bind(int(operand[0])), self.bind(int(operand[1]))
        return _all(check, f"(CAST({field.value} AS INTEGER) % {divisor}) = {remainder}")

    def _size(self, field: Field, operand: Any) -> str:
        if not isinstance(operand, int) or isinstance(operand, bool) or operand < 0:
            raise EmulatorError("InvalidQuery", "$size takes a non-negative integer")
        if field.system is not None or self._is_kind(field, "array") == "0":
            return "0"
        return f"{field.kind} = 'array' AND json_array_length(data, {field.path_sql}) = {self.bind(operand)}"


#: The non-ASCII characters Python's case-insensitive matching folds to ASCII letters (``İ ı`` -> i,
#: ``ſ`` -> s, Kelvin sign -> k), as a GLOB matching a value holding one; the letters they fold to.
_NON_ASCII_FOLDS_GLOB = "*[\u0130\u0131\u017f\u212a]*"
_FOLDED_BEYOND_ASCII = frozenset("iks")
_REGEX_SPECIAL = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIERS = frozenset("*+?{")


def _literal_prefix(pattern: str) -> tuple[bool, str, str]:
    """``(anchored, literal, rest)``: whether ``pattern`` starts with ``^``, the literal text that follows
    (escaped ASCII punctuation included; a character a quantifier applies to excluded), and the rest."""
    anchored = pattern.startswith("^")
    index = 1 if anchored else 0
    literal: list[str] = []
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            escaped = pattern[index + 1 : index + 2]
            if not escaped or not escaped.isascii() or escaped.isalnum():
                break  # \d, \b, \1, \n... are not literal characters
            char, after = escaped, index + 2
        elif char in _REGEX_SPECIAL:
            break
        else:
            after = index + 1
        if pattern[after : after + 1] in _QUANTIFIERS:  # the quantifier applies to this character
            break
        literal.append(char)
        index = after
    return anchored, "".join(literal), pattern[index:]


def _successor(text: str) -> str | None:
    """The smallest string greater than every string starting with ``text`` (None: there is none)."""
    stripped = text.rstrip(chr(0x10FFFF))
    if not stripped:
        return None
    following = ord(stripped[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are not characters: skip to the next one
        following = 0xE000
    return stripped[:-1] + chr(following)


def _inline_flags(flags: int) -> str:
    letters = "".join(
        letter
        for letter, flag in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL), ("x", re.VERBOSE))
        if flags & flag
    )
    return f"(?{letters})" if letters else ""


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__
