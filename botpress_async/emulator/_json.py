"""The emulator's JSON encoder: the one compact form of answers, stored records and size checks.

Compact (``separators=(",", ":")``) and UTF-8 (``ensure_ascii=False``), as the service writes. A lone
UTF-16 surrogate (half of a badly split emoji, which a query string can carry) has no UTF-8 form: the
text is then written with every non-ASCII character escaped as ``\\uXXXX`` instead, so answering or
storing it never fails. The client's encoder is ``botpress_async._json``; this one serves the emulator.
"""

from __future__ import annotations

import json
from typing import Any, Final

__all__ = ["dumps"]

_COMPACT: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_COMPACT_ASCII: Final = json.JSONEncoder(separators=(",", ":"))


def dumps(value: Any) -> str:
    """``value`` as compact JSON text that always encodes as UTF-8.

    Raises:
        TypeError: a value that is not JSON-serializable.
        ValueError: a circular reference.
    """
    text = _COMPACT.encode(value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _COMPACT_ASCII.encode(value)
    return text
