"""Path expressions over plain data: ``a.b[*].c``, ``a.*.c``, ``a[0]``, ``a."x.y/z"``.

A path selects zero or more values. Each selected value comes with a ``Ref`` (the container
and key it sits under), so a finding can later ask for its line. When nothing is selected,
``select`` reports the deepest containers it did reach, so a missing value can be reported
at the line of its nearest existing parent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

WILD = object()  # matches every key of a mapping or every item of a sequence

_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_\-/]+)|\[(\*|\d+)\]|(\*)|(\.))')

Segment = Any  # str key, int index, or WILD


class Ref:
    """Where a value sits: ``container[key]``; ``key=None`` means the container itself.

    A plain slotted class rather than a frozen dataclass: rules make one per value they look
    at, and this constructs three times faster. Treat it as immutable."""

    __slots__ = ("container", "key")

    def __init__(self, container: Any, key: str | int | None) -> None:
        self.container = container
        self.key = key

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Ref:
            return NotImplemented
        assert isinstance(other, Ref)
        return self.container is other.container and self.key == other.key

    def __hash__(self) -> int:
        return hash((id(self.container), self.key))

    def __repr__(self) -> str:
        return f"Ref(container=<{type(self.container).__name__}>, key={self.key!r})"


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


def select_python(
    root: Any, root_ref: Ref, segments: tuple[Segment, ...]
) -> tuple[list[tuple[Any, Ref]], list[Ref]]:
    """Follow ``segments`` from ``root``.

    Returns ``(hits, misses)``: the selected values with their refs, and, for each branch
    that stopped early, the ref of the last value that did exist (nearest parent).
    ``select`` is this function, or its C version where the build has it.
    """
    simple = _SIMPLE.get(segments)
    if simple is None:
        simple = bool(segments) and all(s.__class__ is str for s in segments)
        if len(_SIMPLE) < 4096:
            _SIMPLE[segments] = simple
    if simple:  # the common case, a.b.c: one value or one miss
        value, container, key = root, None, None
        for seg in segments:
            if not isinstance(value, dict) or seg not in value:
                return [], [ref_of(root_ref, container, key)]
            value, container, key = value[seg], value, seg
        return [(value, ref_of(root_ref, container, key))], []
    frontier, missed = select_raw_python(root, segments)
    return ([(v, ref_of(root_ref, c, k)) for v, c, k in frontier],
            [ref_of(root_ref, c, k) for c, k in missed])


def ref_of(base_ref: Ref, container: Any, key: Any) -> Ref:
    """The Ref of a ``select_raw`` result: container None stands for the base itself."""
    return base_ref if container is None else Ref(container, key)


Hits = list[tuple[Any, Any, Any]]
Misses = list[tuple[Any, Any]]


def select_raw_python(root: Any, segments: tuple[Segment, ...]) -> tuple[Hits, Misses]:
    """``select`` without the Refs: hits as (value, container, key) and misses as
    (container, key), with container None standing for the root's own ref. Callers that
    need one Ref out of many make only that one. ``select_raw`` is this function, or its
    C version where the build has it."""
    frontier: list[tuple[Any, Any, Any]] = [(root, None, None)]
    missed: list[tuple[Any, Any]] = []
    for seg in segments:
        nxt: list[tuple[Any, Any, Any]] = []
        add = nxt.append
        for value, container, key in frontier:
            if seg is WILD:
                if isinstance(value, dict):
                    nxt.extend([(v, value, k) for k, v in value.items()])
                elif isinstance(value, list):
                    nxt.extend([(v, value, i) for i, v in enumerate(value)])
                else:
                    missed.append((container, key))
            elif isinstance(seg, int) and isinstance(value, list):
                if -len(value) <= seg < len(value):
                    add((value[seg], value, seg))
                else:
                    missed.append((container, key))
            elif isinstance(value, dict) and seg in value:
                add((value[seg], value, seg))
            else:
                missed.append((container, key))
        frontier = nxt
    return frontier, missed


try:  # the C versions of the engine's walks (scanner/engine/_fastwalk.c), where built
    from scanner.engine import _fastwalk as fastwalk
except ImportError:  # the pure-Python build
    fastwalk = None  # type: ignore[assignment]
else:
    fastwalk.configure(Ref, WILD)

select: Callable[[Any, Ref, tuple[Segment, ...]], tuple[list[tuple[Any, Ref]], list[Ref]]] = (
    select_python if fastwalk is None else fastwalk.select)
select_raw: Callable[[Any, tuple[Segment, ...]], tuple[Hits, Misses]] = (
    select_raw_python if fastwalk is None else fastwalk.select_raw)
