"""Stream a CSV file into a Botpress table with ``bulk_upsert``.

Rows are read lazily from a generator: memory stays bounded by the bulk engine's chunks, whatever the
file's size. Number-looking columns become number columns. Configuration comes from the environment
(BP_TOKEN, BP_BOT_ID, BP_API_URL).

    python examples/ingest_csv.py tests/data/seattle-weather.csv weatherTable date

(The ``botpress-async tables import`` command does the same with more checks and a failed-rows file.)
"""

from __future__ import annotations

import asyncio
import csv
import sys
from collections.abc import Iterator
from typing import Any

from botpress_async import Client
from botpress_async.models import table_schema


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def read_rows(path: str, numeric: set[str]) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            yield {k: (_number(v) if k in numeric else v) for k, v in row.items()}


def numeric_columns(path: str) -> tuple[list[str], set[str]]:
    """The header, and the columns whose every cell is a number (one streaming pass)."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        names = list(reader.fieldnames or [])
        numeric = set(names)
        for row in reader:
            numeric -= {k for k in numeric if _number(row[k]) is None}
    return names, numeric


async def ingest(path: str, table: str, key_column: str) -> int:
    names, numeric = numeric_columns(path)
    schema = table_schema({n: ("number" if n in numeric else "string") for n in names}, key_column=key_column)
    async with Client() as bp:
        await bp.tables.get_or_create(table, schema=schema, key_column=key_column)
        result = await bp.tables.bulk_upsert(
            table, read_rows(path, numeric), key_column=key_column, progress=True
        )
    print(
        f"{result.total} rows: {result.inserted} inserted, {result.updated} updated, "
        f"{len(result.failed)} failed, {result.chunks} chunks in {result.elapsed:.2f} s"
    )
    for failure in result.failed[:10]:
        print(f"  row {failure.index}: {failure.error}", file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python examples/ingest_csv.py FILE TABLE KEY_COLUMN")
    sys.exit(asyncio.run(ingest(sys.argv[1], sys.argv[2], sys.argv[3])))
