"""JSON on the wire: the one encoder and decoder of request and response bodies.

Encoding is compact UTF-8 (``separators=(",", ":")``, ``ensure_ascii=False``), refuses NaN and
Infinity (JSON cannot carry them) and escapes a lone surrogate as ``\\uXXXX`` (it has no UTF-8 form),
as JavaScript's ``JSON.stringify`` does. Decoding is :func:`json.loads`.

When ``orjson`` is installed (``pip install 'botpress-async[speed]'``) it decodes response bodies and
encodes the plain rows of bulk writes, with the standard library's results: whatever orjson would
decode or encode differently (integers beyond 64 bits, lone surrogates, NaN, ``NaN`` literals) goes
through :mod:`json` instead. ``BOTPRESS_ASYNC_NO_ORJSON=1`` in the environment turns it off.

This module does no I/O.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any, Final

__all__ = ["ORJSON", "RawJSON", "dumps", "loads", "loads_stdlib", "piece_encoder", "utf8_size"]


class RawJSON:
    """A request body already encoded as compact UTF-8 JSON, sent by the transport exactly as it is.

    Build it only from this module's encoders (:func:`dumps`, :func:`piece_encoder`), which refuse NaN
    and Infinity when encoding: the transport does not look inside.

    Attributes:
        data: the encoded body.
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"RawJSON({len(self.data)} bytes)"


_ENCODER: Final = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False)
_ASCII_ENCODER: Final = json.JSONEncoder(allow_nan=False, separators=(",", ":"))


def _not_serializable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON.

    Raises:
        ValueError: NaN or Infinity (JSON cannot carry them), or a circular reference.
        TypeError: a value that is not JSON-serializable.
    """
    text = _ENCODER.encode(value)
    try:
        return text.encode()
    except UnicodeEncodeError:
        # A lone surrogate (from a badly split emoji) has no UTF-8 form: escape it as \uXXXX.
        return _ASCII_ENCODER.encode(value).encode()


# -- encoding many values of one body (bulk rows) -------------------------------------------------------

_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def _c_piece_encoder() -> Callable[[Any], str] | None:
    """:func:`dumps` as text, with json's C encoder made once (``JSONEncoder.encode`` makes one per call).

    None when this interpreter has no C encoder of that signature (CPython 3.11-3.13 have).
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    markers: dict[int, Any] = {}
    try:
        encode = make(markers, _not_serializable, encode_basestring, None, ":", ",", False, False, False)
    except TypeError:  # another signature
        return None

    def piece(value: Any) -> str:
        try:
            text: str = encode(value, 0)[0]
        except BaseException:
            markers.clear()  # an error leaves the ids of the containers being encoded behind
            raise
        return text if text.isascii() else _encodable(text, value)

    return piece


def _encodable(text: str, value: Any) -> str:
    """``text`` (the JSON of ``value``) if it has a UTF-8 form, else ``value`` with non-ASCII escaped."""
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate: escaped as \uXXXX
        return _ASCII_ENCODER.encode(value)
    return text


def _dumps_text(value: Any) -> str:
    return _encodable(_ENCODER.encode(value), value)


def utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (O(1) for ASCII text)."""
    return len(text) if text.isascii() else len(text.encode())


def _same_as_dumps(piece: Callable[[Any], str]) -> bool:
    """True when ``piece`` gives :func:`dumps`'s answers on probes (NaN refused, surrogates escaped)."""
    probes: list[Any] = [{"a": [1, 2.5, None, True, "é\n\u2028"], "b": {}, "c": -(2**70)}, ["\ud800"], "x"]
    try:
        if any(piece(probe).encode() != dumps(probe) for probe in probes):
            return False
        piece({"x": float("nan")})
    except ValueError:
        return True
    except Exception:
        return False
    return False


def piece_encoder(*, accelerated: bool = True) -> Callable[[Any], str]:
    """A new encoder of values one at a time, for bodies assembled from pieces (one per bulk row).

    The encoder returned gives the text of what :func:`dumps` gives (a plain dict of JSON scalars may
    be encoded by orjson, with the same meaning), always encodable as UTF-8 (see :func:`utf8_size`),
    faster: it reuses one C encoder, so it is not thread-safe: make one per run.

    Args:
        accelerated: use orjson when it is installed (False: the standard library only).

    Raises (from the encoder returned):
        ValueError: NaN or Infinity, or a circular reference.
        TypeError: a value that is not JSON-serializable.
    """
    c_piece = _c_piece_encoder()
    stdlib = c_piece if c_piece is not None and _same_as_dumps(c_piece) else _dumps_text

    orjson = _orjson_module
    if orjson is None or not accelerated:
        return stdlib
    fast_dumps = orjson.dumps
    fast_error = orjson.JSONEncodeError

    def fast(value: Any) -> str:
        if value.__class__ is dict and _SCALARS.issuperset(map(type, value.values())):
            try:
                data: bytes = fast_dumps(value)
            except fast_error:  # an integer beyond 64 bits, a lone surrogate, a key that is not a str
                return stdlib(value)
            # orjson writes NaN and Infinity as null: json decides whenever a null is there. The text
            # is kept, not orjson's bytes, which hold on to a buffer of kilobytes each.
            return stdlib(value) if b"null" in data else data.decode()
        return stdlib(value)

    return fast


# -- decoding ---------------------------------------------------------------------------------------------


def loads_stdlib(body: bytes) -> Any:
    """Decode a JSON body with :func:`json.loads`.

    Raises:
        ValueError: not valid JSON.
    """
    return json.loads(body)


def _orjson() -> Any:
    if os.environ.get("BOTPRESS_ASYNC_NO_ORJSON"):
        return None
    try:
        import orjson
    except ImportError:
        return None
    return orjson


_orjson_module = _orjson()
#: True when response bodies are decoded (and plain bulk rows encoded) by orjson.
ORJSON: Final = _orjson_module is not None

# Bytes of a body mapped to "0" (digits), "-" (minus) or " ": a long run of digits shows where an
# integer may be too large for orjson, which decodes those as floats where json gives exact ints.
_DIGITS = bytes(48 if 48 <= b <= 57 else 45 if b == 45 else 32 for b in range(256))
_NEGATIVE_LONG = b"-" + b"0" * 19  # below -9223372036854775808 at 19 digits
_POSITIVE_LONG = b"0" * 20  # above 18446744073709551615 at 20 digits


def _may_hold_big_int(body: bytes) -> bool:
    """True when ``body`` holds a run of digits long enough for an integer beyond orjson's 64 bits."""
    digits = body.translate(_DIGITS)
    return _POSITIVE_LONG in digits or _NEGATIVE_LONG in digits


def _make_loads() -> Callable[[bytes], Any]:
    orjson = _orjson_module
    if orjson is None:
        return loads_stdlib
    decode = orjson.loads
    decode_error = orjson.JSONDecodeError

    def loads_fast(body: bytes) -> Any:
        # Short bodies cannot hold 19 digits in a row; longer ones are checked first.
        if len(body) >= 19 and _may_hold_big_int(body):
            return json.loads(body)
        try:
            return decode(body)
        except decode_error:
            # Lone surrogates, NaN/Infinity literals, another encoding than UTF-8, or invalid JSON:
            # json decides (it accepts the first three, as before, and raises for the last).
            return json.loads(body)

    return loads_fast


loads: Callable[[bytes], Any] = _make_loads()
"""Decode a JSON body (orjson when installed, with :func:`json.loads`'s results).

Raises:
    ValueError: not valid JSON.
"""
