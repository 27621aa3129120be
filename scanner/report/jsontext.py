"""JSON text exactly as ``json.dumps(value, indent=2, ensure_ascii=False[, sort_keys])`` writes
it, several times faster.

Why: with ``indent`` the standard library falls back to its pure-Python encoder, which made
writing a report of a few thousand findings a large share of a whole scan. Strings still go
through the C string encoder; only the layout is done here, without generators.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any

_float = json.JSONEncoder(allow_nan=True).iterencode  # NaN/Infinity spelled as json does


def dumps(value: Any, sort_keys: bool = False, nl: str = "\n") -> str:
    """``value`` (dicts with str keys, lists, tuples, str, int, float, bool, None) as
    indented JSON; ``nl`` is the newline and indent it starts at (nested in a document)."""
    out: list[str] = []
    _write(value, nl, out, sort_keys)
    return "".join(out)


def _write(value: Any, nl: str, out: list[str], sort_keys: bool) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append("".join(_float(value)))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = nl + "  "
        items = sorted(value.items()) if sort_keys else value.items()
        first = True
        for key, item in items:
            out.append(("{" if first else ",") + inner)
            first = False
            out.append(encode_basestring(_key(key)))
            out.append(": ")
            _write(item, inner, out, sort_keys)
        out.append(nl + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = nl + "  "
        first = True
        for item in value:
            out.append(("[" if first else ",") + inner)
            first = False
            _write(item, inner, out, sort_keys)
        out.append(nl + "]")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int | float):
        return "".join(_float(key)) if isinstance(key, float) else int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


class Lazy:
    """A list written item by item, each item made only when it is written: a report's
    findings, so a report of many thousand findings never exists whole in memory.

    ``text``, when given, writes an item directly: ``text(item, indent)`` returns exactly what
    :func:`dumps` would write for the item at that indent (a newline and spaces), faster than
    building the item's dict first (the report's findings)."""

    def __init__(self, items: Iterable[Any],
                 text: Callable[[Any, str], str] | None = None) -> None:
        self.items = items
        self.text = text


STREAM_DEPTH = 3  # containers down to this depth may hold a ``Lazy`` list
_CHUNK_CHARS = 1 << 16  # a chunk handed to the writer once it holds this many characters


def iterdump(value: Any, sort_keys: bool = False) -> Iterator[str]:
    """The text of :func:`dumps` in chunks, with ``Lazy`` lists written as lists."""
    buf: list[str] = []
    yield from _chunks(value, "\n", buf, sort_keys, 0)
    if buf:
        yield "".join(buf)


def _chunks(value: Any, nl: str, buf: list[str], sort_keys: bool,
            depth: int) -> Iterator[str]:
    inner = nl + "  "
    first = True
    if isinstance(value, Lazy):
        text = value.text
        size = sum(map(len, buf))  # characters waiting in ``buf``
        for item in value.items:
            buf.append(("[" if first else ",") + inner)
            first = False
            if text is not None:
                piece = text(item, inner)
                buf.append(piece)
                size += len(piece) + len(inner) + 1
            else:
                mark = len(buf)
                _write(item, inner, buf, sort_keys)
                size += sum(map(len, buf[mark:]))
            if size > _CHUNK_CHARS:
                yield "".join(buf)
                buf.clear()
                size = 0
        buf.append("[]" if first else nl + "]")
    elif depth < STREAM_DEPTH and isinstance(value, dict) and value:
        items = sorted(value.items()) if sort_keys else value.items()
        for key, item in items:
            buf.append(("{" if first else ",") + inner)
            first = False
            buf.append(encode_basestring(_key(key)))
            buf.append(": ")
            yield from _chunks(item, inner, buf, sort_keys, depth + 1)
        buf.append(nl + "}")
    elif depth < STREAM_DEPTH and isinstance(value, list | tuple) and value:
        for item in value:
            buf.append(("[" if first else ",") + inner)
            first = False
            yield from _chunks(item, inner, buf, sort_keys, depth + 1)
        buf.append(nl + "]")
    else:
        _write(value, nl, buf, sort_keys)
