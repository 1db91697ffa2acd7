"""Stream a CSV file into a Botpress table with ``bulk_upsert``.

Rows are read lazily from a generator: memory stays bounded by the bulk engine's chunks, whatever the
file's size. Column types are inferred as ``botpress-async tables import`` infers them
(:func:`botpress_async.cli.infer_column_types`): a column is a number column only when every cell
reads back as the same text, so ``00123`` stays the string ``"00123"``. Configuration comes from the
environment (BP_TOKEN, BP_BOT_ID, BP_API_URL).

    python examples/ingest_csv.py tests/data/seattle-weather.csv weatherTable date

(The ``botpress-async tables import`` command does the same with more checks and a failed-rows file.)
"""

from __future__ import annotations

import asyncio
import csv
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from botpress_async import Client
from botpress_async.cli import coerce_csv_row, infer_column_types
from botpress_async.models import table_schema


def column_types(path: str) -> dict[str, str]:
    """Column → Tables type, in header order (one streaming pass over the file)."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        types = infer_column_types(reader)
        return {name: types.get(name, "string") for name in reader.fieldnames or []}


def read_rows(path: str, types: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    """The file's rows with typed values (an empty cell is null)."""
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            yield coerce_csv_row(row, types)


async def ingest(path: str, table: str, key_column: str) -> int:
    types = column_types(path)
    async with Client() as bp:
        await bp.tables.get_or_create(table, schema=table_schema(types), key_column=key_column)
        result = await bp.tables.bulk_upsert(
            table, read_rows(path, types), key_column=key_column, progress=True
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
