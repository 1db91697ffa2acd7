"""Typed models of the Botpress APIs.

Generated attrs classes (from ``scripts/generate_models.py``, one per spec schema and one
``<OperationId>Response`` per operation) plus the hand-written :class:`Row` and table-schema helpers.
Models are mutable slotted attrs classes with keyword-only arguments; ``extra`` keeps unknown wire keys.
"""

from botpress_async.models._generated import *  # noqa: F403
from botpress_async.models._generated import __all__ as _generated_all
from botpress_async.models.rows import (
    SYSTEM_COLUMNS,
    ColumnSchema,
    ColumnType,
    Row,
    columns,
    table_schema,
)

__all__ = [
    *_generated_all,
    "SYSTEM_COLUMNS",
    "ColumnSchema",
    "ColumnType",
    "Row",
    "columns",
    "table_schema",
]
