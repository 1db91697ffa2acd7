"""Generate botpress_async/models/_generated.py from the facts-only specs in botpress_async/spec/.

Run with ``make models`` (or ``python scripts/generate_models.py``). The output is checked in.

What is generated:
- one attrs class per named schema of the runtime, Tables and Files specs (``User``, ``Table`` …);
- one ``<OperationId>Response`` class per operation response (``GetUserResponse`` …);
- one class per inline object schema, named after where it first appears (``ListMeta``,
  ``TableJob`` and a few others have fixed names); structurally identical inline objects share a class.

Rules: wire camelCase keys become snake_case fields; strings in date-time format (or named ``…At``)
become ``datetime``; enums are typed ``str`` so an unknown value never fails; required keys have no
default, optional ones default to the spec default or ``None``; every class ends with an ``extra``
dict holding the keys the model does not know. The Tables ``Row`` schema maps to the hand-written
:class:`botpress_async.models.rows.Row`, and ``Table.schema`` stays the raw JSON schema (a dict).
Field comments are built from the field's type and constraints only; no spec prose is copied.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "botpress_async" / "spec"
OUTPUT = ROOT / "botpress_async" / "models" / "_generated.py"
SPECS = ("runtime", "tables", "files")

# Named schemas that are not generated: they map to a hand-written type.
HAND_WRITTEN = {"Row": "Row"}
# Fields kept as the raw JSON value instead of a generated class.
RAW_FIELDS = {("Table", "schema"): "dict[str, Any]"}
# Fixed names for inline objects, by "<Owner>.<wireField>" of any of their occurrences
# ("[]" marks an array item).
INLINE_NAMES = {
    "ListUsersResponse.meta": "ListMeta",
    "ExportTableResponse.job": "TableJob",
    "GetTableJobsResponse.jobs[]": "TableJob",
    "CallActionResponse.meta": "CacheMeta",
    "GetStateResponse.meta": "CacheMeta",
    "UpsertFileResponse.file": "UpsertedFile",
    "CreateKnowledgeBaseResponse.knowledgeBase": "KnowledgeBase",
    "ListKnowledgeBasesResponse.knowledgeBases[]": "KnowledgeBase",
    "ListFilePassagesResponse.passages[]": "FilePassage",
    "SearchFilesResponse.passages[]": "SearchFilesPassage",
}
DATETIME_NAME = re.compile(r"^[a-z]+At$")
# JSON "number" fields that are counts, sizes or small integer settings: typed int (an integral
# float on the wire is accepted and converted when structuring).
INTEGER_NUMBERS = frozenset({"rows", "stale", "indexing", "deletedRows", "size", "factor"})


def pascal(name: str) -> str:
    parts = re.split(r"[^0-9a-zA-Z]+", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def snake(name: str) -> str:
    s = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_")
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", s)
    s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", s).lower()
    if not s or s[0].isdigit():
        s = "f_" + s
    if keyword.iskeyword(s) or s == "extra":
        s += "_"
    return s


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def literal(value: Any) -> str:
    """Python source for a default value, strings double-quoted as the formatter wants them."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


def canonical(schema: Any) -> str:
    """A key for structural identity: prose and closedness do not make two objects different."""

    def strip(x: Any) -> Any:
        if isinstance(x, dict):
            return {
                k: strip(v)
                for k, v in x.items()
                if k not in ("title", "description") and not (k == "additionalProperties" and v is False)
            }
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    return json.dumps(strip(schema), sort_keys=True)


@dataclass
class FieldDef:
    name: str
    wire: str
    type: str
    required: bool
    nullable: bool
    default: Any
    has_default: bool
    comment: str


@dataclass
class ClassDef:
    name: str
    doc: str
    fields: list[FieldDef] = field(default_factory=list)
    deps: set[str] = field(default_factory=set)


def describe(schema: dict[str, Any], py_type: str, required: bool) -> str:
    """A short comment from the type and constraints only."""
    bits: list[str] = [py_type]
    if "enum" in schema:
        bits.append("one of " + ", ".join(repr(v) for v in schema["enum"]) + " (other values kept as str)")
    lo, hi = schema.get("minLength"), schema.get("maxLength")
    if lo is not None and hi is not None:
        bits.append(f"{lo}-{hi} chars")
    elif hi is not None:
        bits.append(f"at most {hi} chars")
    elif lo is not None:
        bits.append(f"at least {lo} chars")
    mn, mx = schema.get("minimum"), schema.get("maximum")
    if mn is not None or mx is not None:
        bits.append(f"range {mn if mn is not None else '-inf'}..{mx if mx is not None else 'inf'}")
    if schema.get("format") and schema.get("format") != "date-time":
        bits.append(f"format {schema['format']}")
    if "default" in schema:
        bits.append(f"default {schema['default']!r}")
    bits.append("required" if required else "optional")
    if schema.get("nullable"):
        bits.append("nullable")
    return "; ".join(bits)


class Generator:
    def __init__(self) -> None:
        self.classes: dict[str, ClassDef] = {}
        self.inline_by_key: dict[str, str] = {}  # inline objects identical to a named schema use it
        self.pending_inline: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.response_ops: dict[str, tuple[str, str, str]] = {}
        self.aliases: dict[str, str] = {"Participant": "User"}
        self.sources: dict[str, str] = {}

    # -- naming of inline objects -------------------------------------------------------------
    def collect_inline(self, schema: Any, path: str) -> None:
        """First pass: every inline object with properties, keyed by structure, with its paths."""
        if not isinstance(schema, dict):
            return
        if schema.get("type") == "object" and schema.get("properties") and path.count(".") >= 1:
            self.pending_inline.setdefault(canonical(schema), []).append((path, schema))
        for key, value in (schema.get("properties") or {}).items():
            owner = path
            if path.count(".") >= 1:
                owner = self.provisional_name(path)
            self.collect_inline(value, f"{owner}.{key}")
        if "items" in schema:
            self.collect_inline(schema["items"], path + "[]")
        ap = schema.get("additionalProperties")
        if isinstance(ap, dict):
            self.collect_inline(ap, path + "{}")

    def provisional_name(self, path: str) -> str:
        return INLINE_NAMES.get(path) or self.derived_name(path)

    def assign_inline_names(self) -> None:
        used = set(self.classes) | set(self.sources)
        for key, occurrences in self.pending_inline.items():
            paths = [p for p, _ in occurrences]
            fixed = [INLINE_NAMES[p] for p in paths if p in INLINE_NAMES]
            name = fixed[0] if fixed else self.derived_name(paths[0])
            base, n = name, 2
            while name in used and not fixed:
                name, n = f"{base}{n}", n + 1
            used.add(name)
            self.inline_by_key[key] = name

    @staticmethod
    def derived_name(path: str) -> str:
        owner, _, rest = path.partition(".")
        owner = owner.removesuffix("Response")
        return owner + pascal(rest.replace("[]", "Item").replace("{}", "Value"))

    # -- types ------------------------------------------------------------------------------------
    def py_type(self, schema: dict[str, Any], owner: str, wire: str, path: str) -> tuple[str, set[str]]:
        ref = schema.get("$ref")
        if ref:
            target = ref.rsplit("/", 1)[-1]
            name = HAND_WRITTEN.get(target, target)
            return name, {name}
        kind = schema.get("type")
        if kind == "object":
            props = schema.get("properties")
            if props:
                name = self.inline_by_key[canonical(schema)]
                if name not in self.classes:
                    self.build_class(name, schema, f"Inline object first found at `{path}`.")
                return name, {name}
            ap = schema.get("additionalProperties")
            if isinstance(ap, dict) and ap:
                inner, deps = self.py_type(ap, owner, "", path + "{}")
                return f"dict[str, {inner}]", deps
            return "dict[str, Any]", set()
        if kind == "array":
            items = schema.get("items")
            if not items:
                return "list[Any]", set()
            inner, deps = self.py_type(items, owner, "", path + "[]")
            return f"list[{inner}]", deps
        if kind == "string":
            if schema.get("format") == "date-time" or DATETIME_NAME.match(wire):
                return "datetime", set()
            return "str", set()
        if kind == "number":
            return ("int" if wire in INTEGER_NUMBERS else "float"), set()
        if kind == "integer":
            return "int", set()
        if kind == "boolean":
            return "bool", set()
        return "Any", set()

    def build_class(self, name: str, schema: dict[str, Any], doc: str) -> None:
        cls = ClassDef(name=name, doc=doc)
        self.classes[name] = cls  # registered first: recursion ends here
        required = set(schema.get("required") or [])
        for wire, sub in (schema.get("properties") or {}).items():
            raw = RAW_FIELDS.get((name, wire))
            if raw:
                type_, deps = raw, set()
            else:
                type_, deps = self.py_type(sub, name, wire, f"{name}.{wire}")
            cls.deps |= deps
            is_req = wire in required
            default = sub.get("default")
            has_default = "default" in sub and not is_req
            cls.fields.append(
                FieldDef(
                    name=snake(wire),
                    wire=wire,
                    type=type_,
                    required=is_req,
                    nullable=bool(sub.get("nullable")),
                    default=default,
                    has_default=has_default,
                    comment=describe(sub, type_, is_req),
                )
            )

    # -- spec walk ----------------------------------------------------------------------------------
    def load(self) -> None:
        specs = {n: json.loads((SPEC_DIR / f"{n}.openapi.json").read_text()) for n in SPECS}
        responses: list[tuple[str, dict[str, Any], str]] = []
        for spec_name, spec in specs.items():
            comps = spec["components"]
            for op_path, item in spec["paths"].items():
                for method, op in item.items():
                    if not isinstance(op, dict) or "operationId" not in op:
                        continue
                    for resp in op.get("responses", {}).values():
                        ref = resp.get("$ref", "") if isinstance(resp, dict) else ""
                        if ref:
                            self.response_ops[ref.rsplit("/", 1)[-1]] = (
                                op["operationId"],
                                method.upper(),
                                op_path,
                            )
            for sname in comps.get("schemas", {}):
                if sname not in HAND_WRITTEN:
                    self.sources[sname] = spec_name
            for rname, resp in comps.get("responses", {}).items():
                schema = resp.get("content", {}).get("application/json", {}).get("schema")
                if schema is not None:
                    responses.append((rname, schema, spec_name))
        # first pass: inline objects
        for spec in specs.values():
            for sname, schema in spec["components"].get("schemas", {}).items():
                if sname in HAND_WRITTEN:
                    continue
                for key, value in (schema.get("properties") or {}).items():
                    if (sname, key) not in RAW_FIELDS:
                        self.collect_inline(value, f"{sname}.{key}")
        for rname, schema, _ in responses:
            cname = pascal(rname)
            for key, value in (schema.get("properties") or {}).items():
                self.collect_inline(value, f"{cname}.{key}")
        self.assign_inline_names()
        for spec in specs.values():
            for sname, schema in spec["components"].get("schemas", {}).items():
                self.inline_by_key[canonical(schema)] = HAND_WRITTEN.get(sname, sname)
        # second pass: classes
        for spec_name, spec in specs.items():
            for sname, schema in spec["components"].get("schemas", {}).items():
                if sname not in HAND_WRITTEN:
                    self.build_class(sname, schema, f"The `{sname}` object of the {spec_name} API.")
        for rname, schema, _spec in responses:
            cname = pascal(rname)
            op = self.response_ops.get(rname)
            doc = f"Response body of `{op[0]}` ({op[1]} {op[2]})." if op else f"Response `{rname}`."
            self.build_class(cname, schema, doc)

    # -- output -----------------------------------------------------------------------------------------
    def order(self) -> list[ClassDef]:
        done: set[str] = set()
        out: list[ClassDef] = []

        def visit(name: str, stack: set[str]) -> None:
            if name in done or name not in self.classes or name in stack:
                return
            stack.add(name)
            for dep in sorted(self.classes[name].deps):
                visit(dep, stack)
            stack.discard(name)
            done.add(name)
            out.append(self.classes[name])

        for name in self.classes:
            visit(name, set())
        return out

    def render_field(self, f: FieldDef) -> list[str]:
        lines = [f"    #: {f.comment}"]
        meta = "" if camel(f.name) == f.wire else f'metadata={{"wire": {literal(f.wire)}}}'
        if f.required:
            ann = f"{f.type} | None" if f.nullable else f.type
            rhs = f" = attrs.field({meta})" if meta else ""
        elif f.has_default and f.default is not None:
            ann = f"{f.type} | None" if f.nullable else f.type
            if isinstance(f.default, list | dict):
                factory = "list" if isinstance(f.default, list) else "dict"
                if f.default:
                    raise SystemExit(f"non-empty container default on {f.name}: not supported")
                args = ", ".join(a for a in (f"factory={factory}", meta) if a)
                rhs = f" = attrs.field({args})"
            else:
                value = literal(float(f.default) if f.type == "float" else f.default)
                rhs = f" = attrs.field(default={value}, {meta})" if meta else f" = {value}"
        else:
            ann = f"{f.type} | None"
            rhs = f" = attrs.field(default=None, {meta})" if meta else " = None"
        lines.append(f"    {f.name}: {ann}{rhs}")
        return lines

    def render(self) -> str:
        out = [
            "# GENERATED FILE - DO NOT EDIT.",
            "# Generated by `make models` (python scripts/generate_models.py) from",
            "# botpress_async/spec/{runtime,tables,files}.openapi.json (API 1.70.2).",
            '"""Typed models of the Botpress runtime, Tables and Files APIs (generated).',
            "",
            "Every class is a mutable slotted attrs class with keyword-only arguments. Wire keys are",
            "camelCase, fields snake_case; keys a model does not know are kept in ``extra``. Structure wire",
            "JSON with",
            ":func:`botpress_async._serde.structure`.",
            '"""',
            "",
            "from datetime import datetime",
            "from typing import Any, TypeAlias",
            "",
            "import attrs",
            "",
            "from botpress_async.models.rows import Row",
            "",
            "",
        ]
        names: list[str] = []
        for cls in self.order():
            names.append(cls.name)
            out.append("@attrs.define(slots=True, kw_only=True)")
            out.append(f"class {cls.name}:")
            out.append(f'    """{cls.doc}"""')
            out.append("")
            for f in cls.fields:
                out.extend(self.render_field(f))
            out.append("    #: keys of the wire object this model does not know, kept as received")
            out.append("    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)")
            out.append("")
            out.append("")
        for alias, target in self.aliases.items():
            out.append(f"{alias}: TypeAlias = {target}")
            names.append(alias)
        out.append("")
        out.append("__all__ = [")
        out.extend(f'    "{n}",' for n in sorted(names))
        out.append("]")
        out.append("")
        return "\n".join(out)


def main() -> int:
    gen = Generator()
    gen.load()
    OUTPUT.write_text(gen.render())
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(gen.classes)} classes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
