"""``botpress-async``: the command line.

Commands::

    botpress-async demo [--db FILE] [--no-progress]
    botpress-async emulator [--host H] [--port P] [--db FILE] [--token T] ...
    botpress-async tables import FILE --table NAME [--key-column COL] [--format csv|jsonl]
                                  [--concurrency N] [--failed FILE] [--no-progress]
    botpress-async tables export NAME [--format csv|jsonl] [--filter JSON] [--order-by COL] [-o FILE]

The client is configured by the environment, like :class:`botpress_async.Client`: ``BP_TOKEN``,
``BP_BOT_ID``, ``BP_API_URL`` (and ``BP_WORKSPACE_ID``, ``BP_INTEGRATION_ID``).

Every failure (a missing file, a malformed CSV line, an unknown table, a refused token, a server that
does not answer) ends with one line on stderr and a non-zero exit code, never a traceback
(``--traceback`` shows it).

The CSV type inference of ``tables import`` is public for scripts that ingest CSV files themselves
(``examples/ingest_csv.py``): :func:`infer_column_types`, :func:`coerce_csv_row`, :func:`csv_number`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import os
import secrets
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from botpress_async import demo
from botpress_async._client import Client
from botpress_async._types import UNSET
from botpress_async.bulk import FailedRow
from botpress_async.emulator import __main__ as emulator_cli
from botpress_async.errors import BotpressError, ResourceNotFoundError
from botpress_async.models import columns, table_schema

__all__ = [
    "EXIT_FAILED_ROWS",
    "EXIT_USAGE",
    "build_parser",
    "coerce_csv_row",
    "csv_number",
    "infer_column_types",
    "main",
]

#: Exit code of an import in which some rows failed (they are written to the failed-rows file).
EXIT_FAILED_ROWS = 3
#: Exit code of a command line argparse refuses.
EXIT_USAGE = 2

_PROG = "botpress-async"
# How many of the server's warnings an import prints on stderr (all go to the warnings file).
_WARNINGS_SHOWN = 3
# A JSON number keeps 53 bits of integer precision in JavaScript: larger integers stay strings.
_MAX_SAFE_INT = 2**53


# ----------------------------------------------------------------------------- reading input files


def _format_of(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".txt"):
        return "csv"
    raise ValueError(
        f"{path}: cannot tell the format from the extension; pass --format csv or --format jsonl"
    )


def _iter_csv(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line number, row of strings; None for an empty cell) for each data line of a CSV file."""
    with path.open("r", encoding="utf-8", newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader, None)
            if not header:
                raise ValueError(f"{path}: the file is empty (a CSV file starts with a header line)")
            names = [h.strip() for h in header]
            if any(not n for n in names):
                raise ValueError(f"{path}:1: the header has an empty column name")
            if len(set(names)) != len(names):
                raise ValueError(f"{path}:1: the header repeats a column name")
            for cells in reader:
                if not cells:
                    continue  # a blank line
                if len(cells) != len(names):
                    raise ValueError(
                        f"{path}:{reader.line_num}: malformed CSV line: {len(cells)} fields, "
                        f"the header has {len(names)}"
                    )
                yield (
                    reader.line_num,
                    {n: (c if c != "" else None) for n, c in zip(names, cells, strict=True)},
                )
        except csv.Error as exc:
            raise ValueError(f"{path}:{reader.line_num}: malformed CSV line: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSON Lines file."""
    with path.open("r", encoding="utf-8") as f:
        try:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(
                        f"{path}:{number}: malformed JSON line: {exc.msg} (column {exc.colno})"
                    ) from None
                if not isinstance(value, dict):
                    raise ValueError(
                        f"{path}:{number}: each line must be a JSON object, not {type(value).__name__}"
                    )
                yield number, value
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _iter_file(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    return _iter_csv(path) if fmt == "csv" else _iter_jsonl(path)


# ------------------------------------------------------------------------------- schema inference


def csv_number(text: str) -> int | float | None:
    """The number a CSV cell holds, only when writing it back gives the same text (lossless).

    ``"12"`` → 12, ``"-3.5"`` → -3.5; ``"00123"``, ``"1.50"``, ``"1e3"``, ``"nan"``, ``""`` and integers
    beyond 2**53 (JavaScript's exact range) → None: as numbers they would not read back the same.

    Args:
        text: the cell's text.

    Returns:
        The int or float, or None when the text is not such a number.
    """
    try:
        if text.lstrip("-").isdigit():
            value: int | float = int(text)
            return value if str(value) == text and abs(value) <= _MAX_SAFE_INT else None
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) and repr(number) == text else None


def _json_type(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"  # pragma: no cover - json.loads gives nothing else


class _Inference:
    """Column types seen over a file, in first-seen column order."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.kinds: dict[str, set[str]] = {}

    def add(self, row: dict[str, Any]) -> None:
        for name, value in row.items():
            seen = self.kinds.setdefault(name, set())
            if value is None or (self.fmt == "csv" and value == ""):
                continue
            if self.fmt == "csv":
                if value in ("true", "false"):
                    seen.add("boolean")
                elif csv_number(value) is not None:
                    seen.add("number")
                else:
                    seen.add("string")
            else:
                kind = _json_type(value)
                if kind:
                    seen.add(kind)

    def schema_types(self) -> dict[str, str]:
        """Column → Tables type. CSV: any cell that is not a number/boolean makes a string column."""
        out: dict[str, str] = {}
        for name, kinds in self.kinds.items():
            if not kinds:
                out[name] = "string"
            elif len(kinds) == 1:
                out[name] = next(iter(kinds))
            elif self.fmt == "csv":
                out[name] = "string"
            else:
                raise ValueError(
                    f"column {name!r} mixes JSON types ({', '.join(sorted(kinds))}); "
                    "create the table with the schema you want first"
                )
        return out


def infer_column_types(rows: Iterable[Mapping[str, Any]], *, fmt: str = "csv") -> dict[str, str]:
    """The Tables column types of some rows, as ``tables import`` infers them for a new table.

    CSV (cells are strings; an empty cell or None says nothing): a column is ``"number"`` only when
    every cell is a number that reads back as the same text (:func:`csv_number`, so ``00123`` keeps
    its column a string), ``"boolean"`` when every cell is ``true`` or ``false``, else ``"string"``.
    JSON Lines (parsed values): the JSON type of the column's values.

    Args:
        rows: the rows, mappings of column name to cell (read once; e.g. a ``csv.DictReader``).
        fmt: ``"csv"`` or ``"jsonl"``.

    Returns:
        Column name → type (``"string"``, ``"number"``, ``"boolean"``, ``"object"``, ``"array"``),
        in first-seen column order; a column with no value at all is a string column.

    Raises:
        ValueError: a JSON Lines column mixes types.
    """
    inference = _Inference(fmt)
    for row in rows:
        inference.add(dict(row))
    return inference.schema_types()


def coerce_csv_row(row: Mapping[str, str | None], types: Mapping[str, str]) -> dict[str, Any]:
    """A CSV row (strings) as typed table values, by the table's column types.

    An empty cell (``""`` or None) is null; a number column's cell becomes an int or float, a boolean
    column's ``true``/``false`` a bool, an object or array column's JSON text its value; a column not
    in ``types`` is a string. A value that does not fit its column is kept as its text: the server
    refuses that row and reports why (``tables import`` writes it to the failed-rows file).

    Args:
        row: column name → cell text.
        types: column name → Tables type (e.g. from :func:`infer_column_types`).

    Returns:
        Column name → value, ready for ``bulk_upsert``.
    """
    out: dict[str, Any] = {}
    for name, text in row.items():
        if text is None or text == "":
            out[name] = None
            continue
        kind = types.get(name, "string")
        value: Any = text
        if kind == "number":
            number = csv_number(text)
            if number is None:
                try:
                    number = float(text)
                except ValueError:
                    number = None
            value = text if number is None or not math.isfinite(number) else number
        elif kind == "boolean" and text.lower() in ("true", "false"):
            value = text.lower() == "true"
        elif kind in ("object", "array"):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                value = text
        out[name] = value
    return out


# --------------------------------------------------------------------------------------- commands


def _client() -> Client:
    """A client configured by the BP_* environment variables; refuses to start without a token or bot."""
    bp = Client()
    missing = [
        name for name, value in (("BP_TOKEN", bp.config.token), ("BP_BOT_ID", bp.config.bot_id)) if not value
    ]
    if missing:
        raise ValueError(
            f"{' and '.join(missing)} not set: export BP_TOKEN and BP_BOT_ID (and BP_API_URL for the "
            "emulator, e.g. http://127.0.0.1:8765 from `botpress-async emulator`)"
        )
    return bp


class _UsageError(ValueError):
    """A malformed argument argparse cannot check itself: exit code 2, like argparse's own errors."""


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _fail(message: str) -> int:
    print(f"{_PROG}: error: {message}", file=sys.stderr, flush=True)
    return 1


def _warn(message: str) -> None:
    print(f"{_PROG}: warning: {message}", file=sys.stderr, flush=True)


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a directory")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    fmt = _format_of(path, args.format)

    # Pass 1: validate every line and infer the column types; nothing is sent for a malformed file.
    inference = _Inference(fmt)
    total = 0
    for _, row in _iter_file(path, fmt):
        inference.add(row)
        total += 1
    if total == 0:
        only_header = " (only a header line)" if fmt == "csv" else ""
        raise ValueError(f"{path}: no rows to import{only_header}")
    if args.key_column and args.key_column not in inference.kinds:
        raise ValueError(f"--key-column {args.key_column!r} is not a column of {path}")
    return asyncio.run(_import_rows(args, path, fmt, inference, total))


class _FileRows:
    """The rows of the input file, read lazily each time it is iterated; its length is the row count.

    Being sized gives ``bulk_upsert`` (and its progress bar) the total.
    """

    def __init__(self, path: Path, fmt: str, total: int, types: dict[str, str]) -> None:
        self.path, self.fmt, self.total, self.types = path, fmt, total, types

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for _, row in _iter_file(self.path, self.fmt):
            yield coerce_csv_row(row, self.types) if self.fmt == "csv" else row


async def _import_rows(
    args: argparse.Namespace, path: Path, fmt: str, inference: _Inference, total: int
) -> int:
    async with _client() as bp:
        try:
            table = (await bp.tables.get(args.table)).table
            created = False
        except ResourceNotFoundError:
            types = inference.schema_types()
            schema = table_schema(types, key_column=args.key_column)
            options = {"key_column": args.key_column} if args.key_column else {}
            table = (await bp.tables.get_or_create(args.table, schema=schema, **options)).table
            created = True
            shown = ", ".join(f"{n}:{t}" for n, t in types.items())
            print(f"created table {args.table} ({shown})", file=sys.stderr)
        types = {name: col.type for name, col in columns(table).items()}
        key_column = args.key_column or table.key_column
        if key_column is None and "id" not in inference.kinds:
            # Rows are then matched on their id, which a file's rows do not carry: each is inserted anew.
            where = (
                f"created table {args.table} without a key column"
                if created
                else f"table {args.table} has no key column and no --key-column was given"
            )
            _warn(
                f"{where}: every row is inserted as a new row, so importing this file again duplicates "
                "its rows; pass --key-column COL (a column of unique values) to upsert instead"
            )

        started = time.perf_counter()
        result = await bp.tables.bulk_upsert(
            args.table,
            _FileRows(path, fmt, total, types),
            key_column=UNSET if key_column is None else key_column,
            concurrency=args.concurrency,
            progress=args.progress and demo.progress_bar_available(),
        )
        seconds = time.perf_counter() - started

    # Uncertain rows (a write whose outcome is unknown) are reported with the failed ones.
    failed = [*result.failed, *result.uncertain]
    inserted, updated = result.inserted, result.updated
    warnings = len(result.warnings) + result.warnings_omitted
    verb = "created and filled" if created else "imported into"
    print(
        f"{path}: {_plural(total, 'row')} read, {verb} {args.table}: {inserted} inserted, {updated} updated, "
        f"{len(failed)} failed, {_plural(warnings, 'warning')} in {seconds:.2f} s"
    )
    if result.total != total or inserted + updated + len(failed) != total:
        return _fail(
            f"{result.total} rows sent and {inserted + updated + len(failed)} accounted for, of {total}"
        )
    failed_path = Path(args.failed or f"{path}.failed.jsonl")
    if warnings:
        _report_warnings(path, fmt, result.warnings, result.warnings_omitted, _warnings_path(failed_path))
    if failed:
        _write_failed(path, fmt, failed, failed_path)
        return _fail_rows(len(failed), failed_path)
    return 0


def _fail_rows(count: int, failed_path: Path) -> int:
    were = "it is" if count == 1 else "they are"
    print(
        f"{_PROG}: error: {_plural(count, 'row')} failed; {were} in {failed_path} with "
        f"{'its reason' if count == 1 else 'their reasons'}",
        file=sys.stderr,
    )
    return EXIT_FAILED_ROWS


def _warnings_path(failed_path: Path) -> Path:
    """Where an import's warnings go: beside the failed-rows file (X.failed.jsonl → X.warnings.jsonl)."""
    name = failed_path.name
    stem = name.removesuffix(".jsonl").removesuffix(".failed")
    return failed_path.with_name(f"{stem}.warnings.jsonl")


def _report_warnings(path: Path, fmt: str, warnings: Sequence[str], omitted: int, out: Path) -> None:
    """Print the count and the first warnings on stderr, and write those kept to ``out``.

    One JSON object per line, like the failed-rows file: ``{"line": N, "index": i, "warning": "..."}``
    (``line`` and ``index`` are null for a warning about no particular row).
    """
    indexes = [getattr(w, "input_index", None) for w in warnings]
    wanted = {i for i in indexes if i is not None}
    lines = {index: line for index, (line, _) in enumerate(_iter_file(path, fmt)) if index in wanted}
    total = len(warnings) + omitted
    kept = f"; {omitted} beyond the first {len(warnings)} were not kept" if omitted else ""
    _warn(
        f"the server answered {_plural(total, 'warning')} (values it ignored are not in the table); "
        f"all are in {out}{kept}"
    )
    with out.open("w", encoding="utf-8") as f:
        for warning, index in zip(warnings, indexes, strict=True):
            line = None if index is None else lines.get(index)
            f.write(json.dumps({"line": line, "index": index, "warning": str(warning)}, ensure_ascii=False))
            f.write("\n")
    for warning, index in list(zip(warnings, indexes, strict=True))[:_WARNINGS_SHOWN]:
        where = f"line {lines[index]}: " if index in lines else ""
        _warn(f"{where}{warning}")


def _write_failed(path: Path, fmt: str, failed: Sequence[FailedRow], out: Path) -> None:
    """Write each failed input row as read from the file, with its line number and the reason.

    One JSON object per line: ``{"line": N, "index": i, "error": "...", "row": {...}}``.
    """
    reasons = {f.index: f"{type(f.error).__name__}: {_one_line(f.error)}" for f in failed}
    with out.open("w", encoding="utf-8") as f:
        for index, (line, row) in enumerate(_iter_file(path, fmt)):
            if index in reasons:
                record = {"line": line, "index": index, "error": reasons[index], "row": row}
                f.write(json.dumps(record, ensure_ascii=False) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _export(args: argparse.Namespace) -> int:
    flt: Any = None
    if args.filter:
        try:
            flt = json.loads(args.filter)
        except json.JSONDecodeError as exc:
            raise _UsageError(f"--filter is not valid JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(flt, dict):
            raise _UsageError('--filter must be a JSON object, e.g. \'{"state": {"$eq": "AK"}}\'')

    if args.output in (None, "-"):
        count = asyncio.run(_export_rows(args, flt, sys.stdout))
    else:
        count = _export_to_file(args, flt, Path(args.output))
    print(f"{args.table}: {_plural(count, 'row')} exported", file=sys.stderr)
    return 0


def _export_to_file(args: argparse.Namespace, flt: dict[str, Any] | None, target: Path) -> int:
    """Export into a temporary file beside ``target``, renamed over it only once every row is written.

    A failed export (a refused filter, a lost connection, Ctrl-C) leaves ``target`` as it was.
    """
    if target.is_dir():
        raise IsADirectoryError(f"{target}: is a directory")
    fd, temp = _create_beside(target)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            count = asyncio.run(_export_rows(args, flt, out))
        if target.exists():
            shutil.copymode(target, temp)  # replacing a file keeps its permissions
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return count


def _create_beside(target: Path) -> tuple[int, Path]:
    """Create a new hidden file in ``target``'s directory, with the permissions ``open()`` would give."""
    for _ in range(100):
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
    raise FileExistsError(f"{target}: could not create a temporary file beside it")  # pragma: no cover


async def _export_rows(args: argparse.Namespace, flt: dict[str, Any] | None, out: TextIO) -> int:
    """Stream the table's rows to ``out`` page by page; returns the number of rows written.

    Nothing is written before the first page is in: a refused query leaves ``out`` empty.
    """
    async with _client() as bp:
        table = (await bp.tables.get(args.table)).table
        names = list(columns(table))
        if args.system_columns:
            names = ["id", "createdAt", "updatedAt", *names]
        writer = csv.writer(out, lineterminator="\n") if args.format == "csv" else None
        count = 0
        rows = (
            bp.tables.find_rows(args.table, filter=flt, order_by=args.order_by or "id", limit=1000)
            if flt is not None
            else bp.tables.find_rows(args.table, order_by=args.order_by or "id", limit=1000)
        )
        async for row in rows:
            if writer is not None:
                if count == 0:
                    writer.writerow(names)
                writer.writerow([_cell(row.get(n)) for n in names])
            else:
                out.write(json.dumps({n: row[n] for n in names if n in row}, ensure_ascii=False) + "\n")
            count += 1
        if writer is not None and count == 0:
            writer.writerow(names)  # the query succeeded with no row: the header alone
        out.flush()
    return count


def _demo(args: argparse.Namespace) -> int:
    try:
        asyncio.run(demo.run(db=Path(args.db) if args.db else None, progress=args.progress))
    except demo.DemoFailed as exc:
        return _fail(f"demo failed: {_one_line(exc)}")
    return 0


# ----------------------------------------------------------------------------------------- parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``botpress-async`` argument parser (the ``emulator`` options come from the emulator's own CLI)."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="botpress_async command line: the demo, the local emulator, table import and export. "
        "Configured by BP_TOKEN, BP_BOT_ID and BP_API_URL like the client.",
    )
    parser.add_argument("--traceback", action="store_true", help="show the traceback of an unexpected error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="the main job end to end on the airports dataset",
        description="Load 3,376 airports into airportsTable, query them, run a chat flow and check every "
        "step. Runs against an embedded emulator on --db, or against the API at BP_API_URL (e.g. "
        "Botpress Cloud) when BP_API_URL, BP_TOKEN and BP_BOT_ID are all set.",
    )
    demo.add_argument(
        "--db", help="the embedded emulator's SQLite file (default ~/.cache/botpress-async/demo.db)"
    )
    demo.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")

    emulator = commands.add_parser(
        "emulator",
        help="serve the local emulator of the Botpress runtime (chat) and Tables APIs",
        description="Serve a local emulator of the Botpress runtime (chat) and Tables APIs until Ctrl-C. "
        "Point a client at it with BP_API_URL=<the printed URL> and BP_TOKEN=<the token>; any BP_BOT_ID.",
    )
    emulator_cli.add_arguments(emulator)

    tables = commands.add_parser("tables", help="import rows into a table, export a table")
    table_commands = tables.add_subparsers(dest="tables_command", required=True, metavar="ACTION")

    imp = table_commands.add_parser(
        "import",
        help="upsert the rows of a CSV or JSON Lines file into a table",
        description="Upsert every row of FILE (CSV with a header line, or JSON Lines) into table NAME. "
        "The file is checked completely before anything is sent. A missing table is created with "
        "column types inferred from the file, with --key-column as its key column (without one, every "
        "import inserts its rows anew). Rows the server refuses are written to --failed with "
        f"their reasons and the exit code is {EXIT_FAILED_ROWS}. The server's warnings (say, a column "
        "the table lacks, whose values are dropped) are counted, the first few shown, and all written "
        "with their line numbers beside the --failed file (FILE.warnings.jsonl by default).",
    )
    imp.add_argument("file", metavar="FILE", help="a .csv or .jsonl file")
    imp.add_argument("--table", required=True, metavar="NAME", help="the table (its name ends with 'Table')")
    imp.add_argument(
        "--key-column", metavar="COL", help="upsert on this column (default: the table's key column)"
    )
    imp.add_argument(
        "--concurrency", type=_positive_int, default=4, metavar="N", help="requests in flight (4)"
    )
    imp.add_argument(
        "--format", choices=("csv", "jsonl"), help="the file format (default: from the extension)"
    )
    imp.add_argument("--failed", metavar="FILE", help="where failed rows go (default FILE.failed.jsonl)")
    imp.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")

    exp = table_commands.add_parser(
        "export",
        help="stream the rows of a table as CSV or JSON Lines",
        description="Stream every row of table NAME (or those matching --filter) to stdout or -o FILE.",
    )
    exp.add_argument("table", metavar="NAME", help="the table")
    exp.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="output format (csv)")
    exp.add_argument("--filter", metavar="JSON", help='a find filter, e.g. \'{"state": {"$eq": "AK"}}\'')
    exp.add_argument("--order-by", metavar="COL", help="order rows by this column (default: id)")
    exp.add_argument("--system-columns", action="store_true", help="include id, createdAt and updatedAt")
    exp.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``botpress-async`` with ``argv`` (default ``sys.argv[1:]``).

    Returns:
        The exit code: 0 on success, 1 on an error (one line on stderr), 2 on a usage error,
        3 when an import left failed rows.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in args_list
    try:
        args = build_parser().parse_args(args_list)
        if args.command == "emulator":
            return emulator_cli.run(args)
        if args.command == "demo":
            return _demo(args)
        if args.command == "tables" and args.tables_command == "import":
            return _import(args)
        return _export(args)
    except KeyboardInterrupt:
        return _fail("interrupted")
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 1
    except _UsageError as exc:
        if show_traceback:
            raise
        print(f"{_PROG}: error: {_one_line(exc)}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    except (BotpressError, OSError, ValueError) as exc:
        if show_traceback:
            raise
        return _fail(_one_line(exc))
    except Exception as exc:
        if show_traceback:
            raise
        return _fail(f"unexpected {type(exc).__name__}: {_one_line(exc)} (run with --traceback for details)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
