"""Row-array bodies (create/update/upsert rows) are checked by a fast per-row test plus jsonschema on the
rest: every body must get the verdict and error message of a full jsonschema run."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema.exceptions import best_match

from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator.validation import _body_validator, _fast_body, validate_body

OPERATIONS = ["createTableRows", "updateTableRows", "upsertTableRows"]
BODIES: list[Any] = [
    {"rows": [{"a": 1}, {"id": 3, "b": "x"}]},
    {"rows": [{"id": 1}, {"id": 2.5}], "keyColumn": "sku"},
    {"rows": [{"id": 2147483647}]},
    {"rows": [{"id": 2147483648}]},
    {"rows": [{"id": "1"}]},
    {"rows": [{"id": True}]},
    {"rows": [{"id": float("nan")}]},
    {"rows": [{"id": 1}, "not a row"]},
    {"rows": [{"x": 1}]},
    {"rows": []},
    {"rows": [{"id": 1}] * 1001},
    {"rows": "nope"},
    {"rows": [{"id": 1}], "extra": 1},
    {"rows": [{"id": 1}], "keyColumn": ""},
    {},
]


def full_verdict(operation_id: str, body: Any) -> str | None:
    validator = _body_validator("tables", operation_id)
    assert validator is not None
    error = best_match(validator.iter_errors(body))
    return None if error is None else error.message


def fast_verdict(operation_id: str, body: Any) -> str | None:
    try:
        validate_body("tables", operation_id, body)
    except EmulatorError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_row_arrays_get_a_fast_item_test(operation_id: str) -> None:
    assert _fast_body("tables", operation_id) is not None


@pytest.mark.parametrize("operation_id", OPERATIONS)
@pytest.mark.parametrize("index", range(len(BODIES)))
def test_the_fast_row_check_gives_the_full_schema_verdict(operation_id: str, index: int) -> None:
    body = BODIES[index]
    expected, got = full_verdict(operation_id, body), fast_verdict(operation_id, body)
    if expected is None:
        assert got is None
    else:
        assert got is not None and expected[:200] in got
