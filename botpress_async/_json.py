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
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any, Final

__all__ = ["ORJSON", "RawJSON", "dumps", "loads", "loads_stdlib", "piece_encoder"]


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


def _not_serializable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _c_encoder(escape: Callable[[str], str]) -> Callable[[Any], str] | None:
    """The C encoder of :mod:`json` made once (``JSONEncoder.encode`` makes one per call), or None."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    markers: dict[int, Any] = {}
    try:
        encode = make(markers, _not_serializable, escape, None, ":", ",", False, False, False)
    except TypeError:  # another signature than CPython 3.11-3.13's
        return None

    def text(value: Any) -> str:
        try:
            return "".join(encode(value, 0))
        except BaseException:
            markers.clear()  # an error leaves the ids of the containers being encoded behind
            raise

    return text


def _checked(fast: Callable[[Any], str] | None, reference: Callable[[Any], str]) -> Callable[[Any], str]:
    """``fast`` if it gives the reference encoder's answers on probes (NaN refused), else the reference."""
    if fast is None:
        return reference
    probe = {"a": [1, 2.5, None, True, "é\n\u2028"], "b": {}, "c": -(2**70)}
    try:
        if fast(probe) != reference(probe):
            return reference
        fast({"x": float("nan")})
    except ValueError:
        return fast
    except Exception:
        return reference
    return reference


def piece_encoder() -> Callable[[Any], bytes]:
    """A new encoder of values one at a time, for bodies assembled from pieces (one per bulk row).

    The encoder returned gives what :func:`dumps` gives (a plain dict of JSON scalars may be encoded
    by orjson, with the same meaning), faster: it reuses one C encoder, so it is not thread-safe:
    make one per run.

    Raises (from the encoder returned):
        ValueError: NaN or Infinity, or a circular reference.
        TypeError: a value that is not JSON-serializable.
    """
    utf8 = _checked(_c_encoder(encode_basestring), _ENCODER.encode)
    ascii_only = _checked(_c_encoder(encode_basestring_ascii), _ASCII_ENCODER.encode)

    def stdlib(value: Any) -> bytes:
        text = utf8(value)
        try:
            return text.encode()
        except UnicodeEncodeError:  # a lone surrogate: escaped as \uXXXX
            return ascii_only(value).encode()

    orjson = _orjson_module
    if orjson is None:
        return stdlib
    fast_dumps = orjson.dumps
    fast_error = orjson.JSONEncodeError

    def accelerated(value: Any) -> bytes:
        if value.__class__ is dict and set(map(type, value.values())) <= _SCALARS:
            try:
                data: bytes = fast_dumps(value)
            except fast_error:  # an integer beyond 64 bits, a lone surrogate, a key that is not a str
                return stdlib(value)
            # orjson writes NaN and Infinity as null: json decides whenever a null is there.
            return stdlib(value) if b"null" in data else data
        return stdlib(value)

    return accelerated


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
