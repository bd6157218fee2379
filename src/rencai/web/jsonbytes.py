"""JSON answers as bytes, serialised by orjson (decision 0244).

The same bytes as ``json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()`` for
what the routes answer (strings, booleans, integers, lists and objects with string keys); a
value orjson does not take (an integer beyond 64 bits, a key that is not a string) is serialised
the standard way.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
