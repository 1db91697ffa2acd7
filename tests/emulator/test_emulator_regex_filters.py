"""``$regex`` shapes served by SQL (range, instr, LIKE) give exactly Python's ``re.search`` answers."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botpress_async.emulator.filters import FilterCompiler, register_functions

COLUMNS = {"name": {"type": "string"}, "meta": {"type": "object"}}


@pytest.fixture
def db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    register_functions(conn)
    conn.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, data TEXT NOT NULL, created_at TEXT)")
    try:
        yield conn
    finally:
        conn.close()


def compile_regex(
    pattern: str, options: str | None = None, *, trust: bool = True
) -> tuple[str, dict[str, Any]]:
    operator: dict[str, Any] = {"$regex": pattern}
    if options is not None:
        operator["$options"] = options
    compiler = FilterCompiler(COLUMNS, trust_column_types=trust)
    return compiler.where({"name": operator}), compiler.params


def matching(
    db: sqlite3.Connection, values: list[Any], pattern: str, options: str | None = None
) -> list[Any]:
    db.execute("DELETE FROM rows")
    db.executemany("INSERT INTO rows (id, data) VALUES (?, ?)",
                   [(i, json.dumps({"name": v})) for i, v in enumerate(values)])
    # The store keeps a string column's values strings (or null); other values need the per-row type check.
    where, params = compile_regex(pattern, options, trust=all(isinstance(v, str | None) for v in values))
    ids = [row[0] for row in db.execute(f"SELECT id FROM rows WHERE {where} ORDER BY id", params)]
    return [values[i] for i in ids]


def python_answer(values: list[Any], pattern: str, options: str | None = None) -> list[Any]:
    flags = 0
    for letter in options or "":
        flags |= {"i": re.IGNORECASE, "c": 0, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}[letter]
    if options and "c" in options:
        flags &= ~re.IGNORECASE
    compiled = re.compile(pattern, flags)
    return [v for v in values if isinstance(v, str) and compiled.search(v)]


# ---------------------------------------------------------------------------------------- which SQL


@pytest.mark.parametrize(
    ("pattern", "options", "sql"),
    [
        ("^abc", None, ">="),
        ("abc", None, "instr("),
        ("abc", "i", "LIKE"),
        ("^abc", "i", "LIKE"),
        ("^a\\.b", None, ">="),
    ],
)
def test_literal_shapes_run_without_the_python_regexp(pattern: str, options: str | None, sql: str) -> None:
    where, _ = compile_regex(pattern, options)
    assert sql in where and "REGEXP" not in where


@pytest.mark.parametrize(
    ("pattern", "options"),
    [("a.c", None), ("^abc", "m"), ("abc", "x"), ("(?i)abc", None), ("^ab|cd", None), ("\\d+", None),
     ("^abc\\d", "i"), ("", None)],
)
def test_other_shapes_keep_the_python_regexp(pattern: str, options: str | None) -> None:
    where, _ = compile_regex(pattern, options)
    assert "REGEXP" in where


def test_a_prefix_followed_by_more_is_a_range_then_the_python_regexp() -> None:
    where, _ = compile_regex("^ord-\\d+$")
    assert ">=" in where and "REGEXP" in where


def test_a_case_insensitive_literal_with_i_k_or_s_checks_unusual_folds_in_python() -> None:
    where, _ = compile_regex("kiss", "i")
    assert "LIKE" in where and "GLOB" in where and "REGEXP" in where


def test_every_bound_parameter_is_used_by_the_sql() -> None:
    for pattern, options in [("^abc", None), ("abc", "i"), ("kiss", "i"), ("a.c", None), ("^ab\\d", None)]:
        where, params = compile_regex(pattern, options)
        assert all(f":{name}" in where for name in params), (pattern, where, params)


def test_python_folds_to_ascii_letters_only_the_four_characters_the_filter_knows() -> None:
    ascii_fold = re.compile("(?i)[\\x00-\\x7f]")
    found = {chr(c) for c in range(0x80, 0x110000)
             if not 0xD800 <= c <= 0xDFFF and ascii_fold.fullmatch(chr(c))}
    assert found == {"\u0130", "\u0131", "\u017f", "\u212a"}


# ------------------------------------------------------------------------------------- same answers


VALUES = ["abc", "ABC", "xabcx", "ab", "abd", "abc\nabc", "a.b", "aXb", "Kiss", "\u212aISS", "ki\u017f\u017f",
          "\u0130nk", "a%b", "a_b", "A%B", "a\\b", "", "\u00e9t\u00e9", "\u00c9T\u00c9", 5, None, True,
          "\U0010ffff", "ab\U0010ffffc", "\ud7ff", "\ue000"]


@pytest.mark.parametrize(
    ("pattern", "options"),
    [("^abc", None), ("abc", None), ("abc", "i"), ("^abc", "i"), ("^a\\.b", None), ("a%b", "i"),
     ("a_b", "i"), ("a\\\\b", "i"), ("kiss", "i"), ("^ink", "i"), ("\u00e9t\u00e9", "i"), ("^ab", None),
     ("^ab\\w", None), ("^abc", "s"), ("abc", "m"), ("^\U0010ffff", None), ("^ab\U0010ffff", None),
     ("^\ud7ff", None), ("abc", "c"), ("abc", "ic")],
)
def test_a_served_regex_matches_what_python_matches(
    db: sqlite3.Connection, pattern: str, options: str | None
) -> None:
    assert matching(db, VALUES, pattern, options) == python_answer(VALUES, pattern, options)


_ALPHABET = st.sampled_from(list("abkisKIS.^$*+?|()[]{}\\%_-\n \u0130\u0131\u017f\u212a\u00e9\U0010ffff"))
_PATTERNS = st.builds(
    lambda anchor, literal, tail: anchor + literal + tail,
    st.sampled_from(["", "^"]),
    st.lists(st.one_of(st.sampled_from(list("abkisKIS-% _\u00e9\u0130")),
                       st.sampled_from(["\\.", "\\%", "\\\\", "\\-", "\\ "])), max_size=4).map("".join),
    st.sampled_from(["", "b*", "\\d", ".*", "$", "c?", "|a", "[ab]"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pattern=_PATTERNS,
    options=st.sampled_from([None, "i", "m", "s", "c", "im", "is"]),
    values=st.lists(st.one_of(st.text(_ALPHABET, max_size=6), st.integers(), st.none()), max_size=8),
)
def test_every_regex_matches_what_python_matches(
    db: sqlite3.Connection, pattern: str, options: str | None, values: list[Any]
) -> None:
    assert matching(db, values, pattern, options) == python_answer(values, pattern, options)
