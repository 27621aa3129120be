"""Refuse regular expressions whose matching time can explode (ReDoS) before they run.

Python's ``re`` backtracks and has no time limit, and a rule pack may come from anyone.
A pattern is refused when it has a backreference, a repeated group that itself holds an
unbounded repeat (``(a+)+``, ``(\\w*)*``), or an unbounded repeat of alternatives that can
start with the same character (``(a|ab)*``). These are the classic exponential shapes; what
remains backtracks at most polynomially, and scanned values are bounded in size.
"""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 11):
    # typeshed has no stubs for these private modules (mypy checks the 3.10 branch; the
    # compiled build, setup.py, checks this one)
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _p  # type: ignore[import-not-found]
else:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _p

_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None))
ANY = "any"


class UnsafeRegex(ValueError):
    """A pattern refused by :func:`check_regex`."""


def check_regex(pattern: str) -> None:
    """Raise ``UnsafeRegex`` when ``pattern`` has an exponential backtracking shape."""
    _walk(_p.parse(pattern), inside_unbounded=False)


def _unbounded(av: Any) -> bool:
    return av[1] == _c.MAXREPEAT or av[1] > 100


def _walk(items: Any, inside_unbounded: bool) -> None:
    for op, av in items:
        if op is _c.GROUPREF or op is _c.GROUPREF_EXISTS:
            raise UnsafeRegex("backreferences are not allowed")
        if op in _REPEATS:
            sub, unbounded = av[2], _unbounded(av)
            if unbounded and _branch_overlap(sub):
                raise UnsafeRegex("a repeated group of alternatives that can start with the "
                                  "same character, such as (a|ab)*, is not allowed")
            if (unbounded or av[1] > 1) and _has_unbounded(sub):
                raise UnsafeRegex("nested unbounded repetition, such as (a+)+ or (.*a){20}, "
                                  "is not allowed")
            _walk(sub, inside_unbounded or unbounded)
        elif op is _c.SUBPATTERN:
            _walk(av[-1], inside_unbounded)
        elif op is _c.BRANCH:
            for branch in av[1]:
                _walk(branch, inside_unbounded)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            _walk(av[1], inside_unbounded)
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            _walk(av, inside_unbounded)


def _children(op: Any, av: Any) -> list[Any]:
    if op in _REPEATS:
        return [av[2]]
    if op is _c.SUBPATTERN:
        return [av[-1]]
    if op is _c.BRANCH:
        return list(av[1])
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [av[1]]
    return []


def _has_unbounded(items: Any) -> bool:
    for op, av in items:
        if op in _REPEATS and _unbounded(av):
            return True
        if any(_has_unbounded(c) for c in _children(op, av)):
            return True
    return False


def _first(items: Any) -> set[Any] | str:
    """Characters a sequence can start with (``ANY`` when unsure)."""
    for op, av in items:
        if op is _c.LITERAL:
            return {av}
        if op is _c.SUBPATTERN:
            return _first(av[-1])
        if op is _c.IN and all(o is _c.LITERAL for o, _a in av):
            return {a for _o, a in av}
        if op in (_c.AT,):
            continue
        return ANY
    return ANY


def _branch_overlap(items: Any) -> bool:
    for op, av in items:
        if op is _c.SUBPATTERN:
            return _branch_overlap(av[-1])
        if op is _c.BRANCH:
            seen: set[Any] = set()
            for branch in av[1]:
                first = _first(branch)
                if first == ANY or seen & first:  # type: ignore[operator]
                    return True
                seen |= first  # type: ignore[arg-type]
    return False
