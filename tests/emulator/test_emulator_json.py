"""The emulator's one JSON encoder: compact UTF-8, and a lone surrogate escaped rather than a failure."""

from __future__ import annotations

import json

from botpress_async.emulator._json import dumps


def test_dumps_is_compact_and_keeps_non_ascii_characters() -> None:
    assert dumps({"a": [1, 2.5, None, True], "é": "日本"}) == '{"a":[1,2.5,null,true],"é":"日本"}'


def test_dumps_escapes_a_lone_surrogate_so_the_text_encodes_as_utf8() -> None:
    text = dumps({"half": "\ud83d", "name": "é"})
    assert text == '{"half":"\\ud83d","name":"\\u00e9"}'
    assert json.loads(text.encode("utf-8")) == {"half": "\ud83d", "name": "é"}
