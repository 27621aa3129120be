"""Path expressions over plain data: ``a.b[*].c``, ``a.*.c``, ``a[0]``, ``a."x.y/z"``.

A path selects zero or more values. Each selected value comes with a ``Ref`` (the container
and key it sits under), so a finding can later ask for its line. When nothing is selected,
``select`` reports the deepest containers it did reach, so a missing value can be reported
at the line of its nearest existing parent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

WILD = object()  # matches every key of a mapping or every item of a sequence

_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_\-/]+)|\[(\*|\d+)\]|(\*)|(\.))')

Segment = Any  # str key, int index, or WILD


@dataclass(frozen=True, slots=True)
class Ref:
    """Where a value sits: ``container[key]``; ``key=None`` means the container itself."""

    container: Any
    key: str | int | None


class PathSyntaxError(ValueError):
    """A path expression that cannot be parsed."""


def parse_path(text: str) -> tuple[Segment, ...]:
    """Parse a path expression into segments; ``""`` and ``"."`` select the value itself."""
    text = text.strip()
    if text in ("", "."):
        return ()
    segments: list[Segment] = []
    pos = 0
    expect_name = True
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise PathSyntaxError(f"bad path {text!r} at character {pos + 1}")
        quoted, name, index, star, dot = m.groups()
        if dot is not None:
            if expect_name:
                raise PathSyntaxError(f"bad path {text!r}: empty segment at character {pos + 1}")
            expect_name = True
        elif index is not None:
            segments.append(WILD if index == "*" else int(index))
            expect_name = False
        else:
            if not expect_name:
                raise PathSyntaxError(f"bad path {text!r}: missing '.' at character {pos + 1}")
            if star is not None:
                segments.append(WILD)
            else:
                segments.append(quoted.replace('\\"', '"') if quoted is not None else name)
            expect_name = False
        pos = m.end()
    if expect_name:
        raise PathSyntaxError(f"bad path {text!r}: ends with '.'")
    return tuple(segments)


_SIMPLE: dict[tuple[Segment, ...], bool] = {}  # paths of plain keys only (few: rules' paths)


def select(
    root: Any, root_ref: Ref, segments: tuple[Segment, ...]
) -> tuple[list[tuple[Any, Ref]], list[Ref]]:
    """Follow ``segments`` from ``root``.

    Returns ``(hits, misses)``: the selected values with their refs, and, for each branch
    that stopped early, the ref of the last value that did exist (nearest parent).
    """
    simple = _SIMPLE.get(segments)
    if simple is None:
        simple = bool(segments) and all(s.__class__ is str for s in segments)
        if len(_SIMPLE) < 4096:
            _SIMPLE[segments] = simple
    if simple:  # the common case, a.b.c: one value or one miss
        value, ref = root, root_ref
        for seg in segments:
            if not isinstance(value, dict) or seg not in value:
                return [], [ref]
            value, ref = value[seg], Ref(value, seg)
        return [(value, ref)], []
    frontier: list[tuple[Any, Ref]] = [(root, root_ref)]
    misses: list[Ref] = []
    for seg in segments:
        nxt: list[tuple[Any, Ref]] = []
        for value, ref in frontier:
            if seg is WILD:
                if isinstance(value, dict):
                    nxt.extend((v, Ref(value, k)) for k, v in value.items())
                elif isinstance(value, list):
                    nxt.extend((v, Ref(value, i)) for i, v in enumerate(value))
                else:
                    misses.append(ref)
            elif isinstance(seg, int) and isinstance(value, list):
                if -len(value) <= seg < len(value):
                    nxt.append((value[seg], Ref(value, seg)))
                else:
                    misses.append(ref)
            elif isinstance(value, dict) and seg in value:
                nxt.append((value[seg], Ref(value, seg)))
            else:
                misses.append(ref)
        frontier = nxt
    return frontier, misses
