"""The one converter between wire JSON and the typed models.

Wire keys are camelCase, Python fields snake_case. Structuring is strict about shape (a model needs a
JSON object with its required keys, fields need the right JSON type) and lenient about content: keys a
model does not know go to its ``extra`` dict, enum-like fields are plain strings. Datetimes are
timezone-aware UTC in Python and the 24-character ``YYYY-MM-DDTHH:MM:SS.mmmZ`` form on the wire.

Speed matters (a find response holds 1000 rows): each attrs class gets one structure function,
generated as Python source on first use, that reads the dict once and calls the class's ``__init__``.
These functions are also registered on :data:`converter` (a :class:`cattrs.Converter`) so other code
can keep using cattrs. This module does no I/O and knows nothing about HTTP.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import re
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import attrs
import cattrs

from botpress_async._types import UNSET

__all__ = [
    "StructureError",
    "body",
    "camel",
    "converter",
    "format_datetime",
    "parse_datetime",
    "query",
    "register_structure",
    "snake",
    "structure",
    "to_wire",
    "wire_name",
]

T = TypeVar("T")
StructureFn = Callable[[Any], Any]


class StructureError(Exception):
    """Wire JSON that does not have the shape of the model asked for (the transport wraps it)."""


converter: cattrs.Converter = cattrs.Converter()
"""The one cattrs converter; its hooks for attrs classes and datetimes are the functions below."""


# -- names --------------------------------------------------------------------------------------------

_SNAKE_1 = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SNAKE_2 = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z])")


@functools.lru_cache(maxsize=4096)
def camel(name: str) -> str:
    """``picture_url`` → ``pictureUrl``; a name without underscores is returned unchanged."""
    if "_" not in name:
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@functools.lru_cache(maxsize=4096)
def snake(name: str) -> str:
    """``pictureUrl`` → ``picture_url``, ``fileURLKey`` → ``file_url_key``."""
    return _SNAKE_2.sub("_", _SNAKE_1.sub("_", name)).lower()


# -- datetimes ----------------------------------------------------------------------------------------


def parse_datetime(s: str) -> datetime:
    """Parse an ISO-8601 date-time ('Z' or an offset, with or without fractions) to an aware UTC datetime.

    A string without an offset is taken as UTC.

    Raises:
        ValueError: ``s`` is not an ISO-8601 date-time.
    """
    dt = datetime.fromisoformat(s)
    tz = dt.tzinfo
    if tz is UTC:
        return dt
    if tz is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_datetime(dt: datetime) -> str:
    """Format an aware datetime as the 24-character UTC form ``YYYY-MM-DDTHH:MM:SS.mmmZ``.

    Microseconds are truncated to milliseconds.

    Raises:
        ValueError: ``dt`` is naive (no timezone): its instant would be a guess.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt.isoformat()} refused: give it a timezone (e.g. tzinfo=UTC)")
    if dt.tzinfo is not UTC:
        dt = dt.astimezone(UTC)
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
        f".{dt.microsecond // 1000:03d}Z"
    )


# -- structuring --------------------------------------------------------------------------------------

_MISSING: Any = object()
_STRUCTURERS: dict[Any, StructureFn] = {}
_JSON_NAMES = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _wrong(expected: str, value: Any) -> StructureError:
    return StructureError(f"expected {expected}, got {type(value).__name__} {_short(value)}")


def _check_str(v: Any) -> str:
    if isinstance(v, str):
        return v
    raise _wrong("a string", v)


def _check_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    raise _wrong("a boolean", v)


def _check_int(v: Any) -> int:
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    raise _wrong("an integer", v)


def _check_float(v: Any) -> float:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v
    raise _wrong("a number", v)


def _structure_datetime(v: Any) -> datetime:
    if v.__class__ is not str:
        raise _wrong("an ISO-8601 date-time string", v)
    try:
        return parse_datetime(v)
    except ValueError:
        raise StructureError(f"invalid ISO-8601 date-time {_short(v)}") from None


_PRIMITIVES: dict[Any, StructureFn] = {
    str: _check_str,
    bool: _check_bool,
    int: _check_int,
    float: _check_float,
}
# Inline fast-path tests for the generated code: the exact classes accepted without a call.
_PRIMITIVE_FAST = {str: ("str",), bool: ("bool",), int: ("int",), float: ("float", "int")}


def register_structure(tp: Any, fn: StructureFn) -> None:
    """Use ``fn(data)`` to structure ``tp`` (a class or a generic alias such as ``list[Row]``)."""
    _STRUCTURERS[tp] = fn
    converter.register_structure_hook_func(lambda t: t == tp, lambda v, _t: fn(v))


def _optional_arg(tp: Any) -> Any:
    """``X`` for ``X | None``, else :data:`_MISSING`."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if type(None) in args:
            rest = [a for a in args if a is not type(None)]
            if len(rest) == 1:
                return rest[0]
    return _MISSING


def _value_fn(tp: Any) -> StructureFn | None:
    """The structure function for a type; None means "the JSON value as it is"."""
    try:
        known = _STRUCTURERS.get(tp, _MISSING)
    except TypeError:  # an unhashable annotation
        known = _MISSING
    if known is not _MISSING:
        found: StructureFn = known
        return found
    fn = _make_value_fn(tp)
    if fn is not None:
        with contextlib.suppress(TypeError):  # an unhashable annotation is simply not cached
            _STRUCTURERS[tp] = fn
    return fn


def _plain_list(v: Any) -> Any:
    if v.__class__ is not list:
        raise _wrong("a JSON array", v)
    return v


def _plain_dict(v: Any) -> Any:
    if not isinstance(v, dict):
        raise _wrong("a JSON object", v)
    return v


# The generated code tests these classes inline and calls the function only for anything else.
_INLINE_CHECKS: dict[StructureFn, str] = {_plain_list: "list", _plain_dict: "dict"}


def _make_value_fn(tp: Any) -> StructureFn | None:
    if tp is Any or tp is object:
        return None
    if tp in _PRIMITIVES:
        return _PRIMITIVES[tp]
    if tp is datetime:
        return _structure_datetime
    inner_opt = _optional_arg(tp)
    if inner_opt is not _MISSING:
        inner = _value_fn(inner_opt)
        if inner is None:
            return None

        def optional(v: Any, _inner: StructureFn = inner) -> Any:
            return None if v is None else _inner(v)

        return optional
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list or tp is list:
        item = _value_fn(args[0]) if args else None
        if item is None or item in _PRIMITIVES.values():
            # Items of JSON scalar type are not checked one by one: a shallow check keeps lists cheap.
            return _plain_list

        def model_list(v: Any, _item: StructureFn = item) -> list[Any]:
            if v.__class__ is not list:
                raise _wrong("a JSON array", v)
            return [_item(x) for x in v]

        return model_list
    if origin is dict or tp is dict:
        value = _value_fn(args[1]) if len(args) == 2 else None
        if value is None or value in _PRIMITIVES.values():
            return _plain_dict

        def model_dict(v: Any, _value: StructureFn = value) -> dict[str, Any]:
            if not isinstance(v, dict):
                raise _wrong("a JSON object", v)
            return {k: _value(x) for k, x in v.items()}

        return model_dict
    if origin is typing.Literal:
        return None  # enum-like: a new value is kept as received
    if isinstance(tp, type) and attrs.has(tp):
        return _attrs_fn(tp)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        enum_cls: type[enum.Enum] = tp

        def enum_or_str(v: Any) -> Any:
            try:
                return enum_cls(v)
            except ValueError:
                return v  # a value this library does not know yet stays a plain value

        return enum_or_str

    def via_cattrs(v: Any, _tp: Any = tp) -> Any:
        try:
            return converter.structure(v, _tp)
        except Exception as exc:  # boundary: any cattrs failure becomes our error
            raise StructureError(f"cannot structure {_short(v)} as {_tp!r}: {exc}") from exc

    return via_cattrs


def _attrs_fn(cls: type) -> StructureFn:
    """Compile (once) the structure function of an attrs class; recursion-safe."""
    holder: list[StructureFn] = []

    def trampoline(v: Any) -> Any:
        return holder[0](v)

    _STRUCTURERS[cls] = trampoline
    try:
        fn = _compile_attrs_fn(cls)
    except BaseException:
        del _STRUCTURERS[cls]
        raise
    holder.append(fn)
    _STRUCTURERS[cls] = fn
    return fn


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The wire key of an attrs field: ``metadata["wire"]`` or the camelCase of its name."""
    wire: str | None = field.metadata.get("wire")
    return wire if wire is not None else camel(field.name)


def _has_extra(cls: type) -> bool:
    fields = attrs.fields(cls)
    return bool(fields) and fields[-1].name == "extra"


def _utc(dt: datetime) -> datetime:
    """A parsed datetime whose timezone is not the UTC singleton, made aware UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _plain_init(cls: type) -> bool:
    """True when ``__init__`` only stores its arguments, so setting the slots directly is equivalent."""
    fields = attrs.fields(cls)
    return (
        typing.cast(Any, cls).__setattr__ is object.__setattr__  # not frozen, no on_setattr hooks
        and "__slots__" in cls.__dict__
        and not hasattr(cls, "__attrs_post_init__")
        and not hasattr(cls, "__attrs_pre_init__")
        and all(f.init and f.validator is None and f.converter is None and f.alias == f.name for f in fields)
    )


def _compile_attrs_fn(cls: type) -> StructureFn:
    """Python source for one class: wire keys as literals, helpers as default arguments (fast locals)."""
    attrs.resolve_types(cls)
    name = cls.__name__
    helpers: dict[str, Any] = {
        "_MISSING": _MISSING,
        "_cls": cls,
        "_Err": StructureError,
        "_fromiso": datetime.fromisoformat,
        "_UTC": UTC,
        "_utc": _utc,
        "_dt": _structure_datetime,
        "_new": object.__new__,
    }
    body_lines: list[str] = []
    args: list[str] = []
    known: list[str] = []
    fields = [f for f in attrs.fields(cls) if f.init]
    with_extra = _has_extra(cls)
    if with_extra:
        fields = fields[:-1]
    add = body_lines.append
    for i, f in enumerate(fields):
        wire = wire_name(f)
        known.append(wire)
        add(f"        loc = {wire!r}")
        add(f"        v = d.get({wire!r}, _MISSING)")
        add("        if v is _MISSING:")
        if f.default is attrs.NOTHING:
            add("            raise _Err('missing required key')")
        elif isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            helpers[f"_f{i}"] = f.default.factory
            add(f"            a{i} = _f{i}(_cls) if {f.default.takes_self!r} else _f{i}()")
        else:
            helpers[f"_d{i}"] = f.default
            add(f"            a{i} = _d{i}")
        add("        else:")
        add("            n += 1")
        tp = f.type
        optional = _optional_arg(tp)
        indent = "            "
        if optional is not _MISSING:
            add(f"{indent}if v is None:")
            add(f"{indent}    a{i} = None")
            add(f"{indent}else:")
            indent += "    "
            tp = optional
        fast = _PRIMITIVE_FAST.get(tp)
        fn = _value_fn(tp)
        if fn is None:
            add(f"{indent}a{i} = v")
        elif tp is datetime:
            # Inlined parse_datetime: the common 'Z' form costs one C call.
            add(f"{indent}if v.__class__ is str:")
            add(f"{indent}    a{i} = _fromiso(v)")
            add(f"{indent}    if a{i}.tzinfo is not _UTC:")
            add(f"{indent}        a{i} = _utc(a{i})")
            add(f"{indent}else:")
            add(f"{indent}    a{i} = _dt(v)")
        elif fast is not None:
            helpers[f"_c{i}"] = fn
            test = " and ".join(f"v.__class__ is not {t}" for t in fast)
            add(f"{indent}a{i} = _c{i}(v) if {test} else v")
        elif fn in _INLINE_CHECKS:
            helpers[f"_c{i}"] = fn
            add(f"{indent}a{i} = v if v.__class__ is {_INLINE_CHECKS[fn]} else _c{i}(v)")
        else:
            helpers[f"_c{i}"] = fn
            add(f"{indent}a{i} = _c{i}(v)")
        args.append(f"{f.alias or f.name}=a{i}")
    helpers["_known"] = frozenset(known)
    params = ", ".join(f"{k}={k}" for k in helpers)
    lines = [
        f"def structure(d, {params}):",
        "    if d.__class__ is not dict and not isinstance(d, dict):",
        f"        raise _Err({name + ': expected a JSON object, got '!r} + type(d).__name__)",
        "    n = 0",
        "    loc = ''",
        "    try:",
        *body_lines,
        "        pass",
        "    except _Err as exc:",
        f"        raise _Err(f'{name}.{{loc}}: {{exc}}') from None",
        "    except (TypeError, ValueError, AttributeError) as exc:",
        f"        raise _Err(f'{name}.{{loc}}: {{exc}}') from exc",
    ]
    if with_extra:
        lines.append("    extra = {} if n == len(d) else {k: x for k, x in d.items() if k not in _known}")
        args.append("extra=extra")
    if _plain_init(cls):
        # Same result as calling __init__, a third of the cost: keyword-argument parsing dominates it.
        lines.append("    o = _new(_cls)")
        lines.extend(f"    o.{arg.replace('=', ' = ', 1)}" for arg in args)
        lines.append("    return o")
    else:
        lines.append(f"    return _cls({', '.join(args)})")
    source = "\n".join(lines)
    namespace: dict[str, Any] = dict(helpers)
    exec(compile(source, f"<botpress_async structure {name}>", "exec"), namespace)
    compiled: StructureFn = namespace["structure"]
    return compiled


def structure(data: Any, cls: type[T]) -> T:
    """Turn decoded wire JSON into ``cls`` (a model, ``list[Model]``, ``dict[str, Model]`` …).

    Raises:
        StructureError: ``data`` does not have the shape of ``cls`` (not an object, a missing required
            key, a value of the wrong JSON type); the message names the class and the wire key.
    """
    fn = _STRUCTURERS.get(cls) or _value_fn(cls)
    if fn is None:
        return typing.cast(T, data)
    return typing.cast(T, fn(data))


# -- unstructuring (request bodies) ------------------------------------------------------------------

_WIRE_FIELDS: dict[type, tuple[tuple[tuple[str, str], ...], bool]] = {}
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _wire_fields(cls: type) -> tuple[tuple[tuple[str, str], ...], bool]:
    """((field name, wire key) of each field but ``extra``, whether the class has ``extra``), cached."""
    cached = _WIRE_FIELDS.get(cls)
    if cached is None:
        fields = attrs.fields(cls)
        with_extra = _has_extra(cls)
        if with_extra:
            fields = fields[:-1]
        cached = (tuple((f.name, wire_name(f)) for f in fields), with_extra)
        _WIRE_FIELDS[cls] = cached
    return cached


def _attrs_to_wire(value: Any) -> dict[str, Any]:
    names, with_extra = _wire_fields(value.__class__)
    out: dict[str, Any] = {}
    for name, wire in names:
        v = getattr(value, name)
        if v is not UNSET:
            out[wire] = to_wire(v)
    if with_extra:
        for key, v in value.extra.items():
            if key not in out and v is not UNSET:
                out[key] = to_wire(v)
    return out


def to_wire(value: Any) -> Any:
    """Turn a Python value into JSON-ready data for a request body.

    attrs instances become camelCase dicts (UNSET fields omitted, ``extra`` merged back); datetimes the
    24-character UTC form; enums their value; dicts and lists are recursed with UNSET entries dropped.
    The keys of plain dicts (tags, payloads, row columns) are user data and never renamed.

    Raises:
        ValueError: a naive datetime, or UNSET given as the value itself.
    """
    cls = value.__class__
    if cls in _SCALARS:
        return value
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items() if v is not UNSET}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value if v is not UNSET]
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if attrs.has(cls):
        return _attrs_to_wire(value)
    if value is UNSET:
        raise ValueError("UNSET is not a value that can be sent")
    if isinstance(value, enum.Enum):
        return value.value
    return value


def body(**fields: Any) -> dict[str, Any]:
    """A request body from keyword arguments: names camelCased, UNSET dropped, None sent as null.

    ``body(picture_url=None, name=UNSET, discriminate_by_tags=["a"])`` gives
    ``{"pictureUrl": None, "discriminateByTags": ["a"]}``. Values go through :func:`to_wire`.
    """
    return {camel(k): to_wire(v) for k, v in fields.items() if v is not UNSET}


def query(**fields: Any) -> dict[str, Any]:
    """Query parameters from keyword arguments: names camelCased, UNSET and None dropped.

    Datetimes become the 24-character UTC form; everything else (bools, lists, tag dicts) is passed
    as it is: the transport encodes it.
    """
    return {
        camel(k): format_datetime(v) if isinstance(v, datetime) else v
        for k, v in fields.items()
        if v is not UNSET and v is not None
    }


# -- the converter's hooks ----------------------------------------------------------------------------


def _cattrs_attrs_hook(cls: type) -> Callable[[Any, Any], Any]:
    fn = _attrs_fn(cls) if cls not in _STRUCTURERS else _STRUCTURERS[cls]
    return lambda v, _t: fn(v)


converter.register_structure_hook_factory(attrs.has, _cattrs_attrs_hook)
converter.register_structure_hook(datetime, lambda v, _t: _structure_datetime(v))
converter.register_unstructure_hook_factory(attrs.has, lambda _cls: _attrs_to_wire)
converter.register_unstructure_hook(datetime, format_datetime)
