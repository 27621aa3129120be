"""The condition language: small, declarative, compiled once into closures.

A condition is one of::

    {all: [COND, ...]}   {any: [COND, ...]}   {not: COND}
    {path: PATH, OP: OPERAND [, match: any|all]}
    {path: PATH, some: COND}     (the value is a list and some item satisfies COND as a whole)

``PATH`` is relative to the value under test (the resource, or the ``for_each`` element);
a leading ``$`` makes it relative to the resource root. Operators are pure functions listed
in ``OPERATORS``. Every compiled condition returns ``(holds, ref)`` where ``ref`` says which
value decided the outcome: the offending value, or its nearest existing parent when the
value is missing. That ref becomes the finding's line.

Semantics: a missing value satisfies ``exists: false`` and nothing else (so ``not`` of any
other operator holds for it). With a wildcard path, ``match: any`` (default) holds when some
selected value passes; ``match: all`` when every selected value passes and at least one exists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scanner.engine.paths import (
    PathSyntaxError,
    Ref,
    fastwalk,
    parse_path,
    ref_of,
    select,
    select_raw,
)

MAX_DEPTH = 32
MAX_REGEX_LENGTH = 1000


@dataclass(slots=True)
class Context:
    """Per-resource evaluation state: the resource root, and today's date for age checks."""

    today: dt.date
    root: Any = None
    root_ref: Ref = field(default_factory=lambda: Ref(None, None))


Check = Callable[[Any, Ref, Context], tuple[bool, Ref]]
Test = Callable[[Any, Context], bool]


class ConditionError(ValueError):
    """A condition that cannot be compiled; ``where`` is its path inside the rule."""

    def __init__(self, message: str, where: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.where = where


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _same(a: Any, b: Any) -> bool:
    """Equality that keeps booleans apart from 0 and 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _op_equals(arg: Any) -> Test:
    if isinstance(arg, bool):
        return lambda v, _c: v is arg
    return lambda v, _c: not isinstance(v, bool) and bool(v == arg)


MAX_IN_ITEMS = 1000


def _op_in(arg: Any) -> Test:
    items = list(arg)
    if len(items) > MAX_IN_ITEMS:
        raise ValueError(f"more than {MAX_IN_ITEMS} values")
    # ``_same`` against each item, split once: booleans by identity, the rest by ``==``
    # (``in`` on a list compares with ``==`` after identity, which is the same for these).
    bools = tuple(x for x in items if isinstance(x, bool))
    others = [x for x in items if not isinstance(x, bool)]
    return lambda v, _c: (v in bools) if isinstance(v, bool) else (v in others)


MAX_MATCH_INPUT = 100_000  # characters of a value a rule's regex looks at


def _op_matches(arg: Any, trusted: bool = False) -> Test:
    """``trusted``: a built-in pack's pattern, checked by the test suite (regex_safety parses
    each pattern again in Python, the largest part of compiling a built-in rule)."""
    if not trusted:
        from scanner.engine.regex_safety import check_regex

        check_regex(arg)
    rx = re.compile(arg)
    return lambda v, _c: isinstance(v, str) and rx.search(v[:MAX_MATCH_INPUT]) is not None


def _op_compare(fn: Callable[[Any, Any], bool]) -> Callable[[Any], Test]:
    def make(arg: Any) -> Test:
        return lambda v, _c: _is_num(v) and fn(v, arg)

    return make


def _op_within_days(arg: Any) -> Test:
    def test(v: Any, ctx: Context) -> bool:
        when = _parse_date(v)
        return when is not None and when <= ctx.today and (ctx.today - when).days <= arg

    return test


def _op_contains(arg: Any) -> Test:
    def test(v: Any, _c: Context) -> bool:
        if isinstance(v, list):
            return any(_same(x, arg) for x in v)
        return isinstance(v, str) and isinstance(arg, str) and arg in v

    return test


def _op_min_length(arg: Any) -> Test:
    return lambda v, _c: isinstance(v, list | str | dict) and len(v) >= arg


OPERATORS: dict[str, Callable[[Any], Test]] = {
    "equals": _op_equals,
    "in": _op_in,
    "matches": _op_matches,
    "gt": _op_compare(lambda a, b: a > b),
    "gte": _op_compare(lambda a, b: a >= b),
    "lt": _op_compare(lambda a, b: a < b),
    "lte": _op_compare(lambda a, b: a <= b),
    "within_days": _op_within_days,
    "contains": _op_contains,
    "min_length": _op_min_length,
}
# the built-in packs' operators: the same, less the ReDoS check their test suite makes
TRUSTED_OPERATORS: dict[str, Callable[[Any], Test]] = {
    **OPERATORS, "matches": lambda arg: _op_matches(arg, trusted=True)}
LEAF_KEYS = {"path", "match", "exists", "some", *OPERATORS}


MAX_NODES = 2000


def _size(spec: Any, budget: int = MAX_NODES + 1) -> int:
    """Number of mappings and lists in a condition, counted up to ``budget``."""
    count, stack = 0, [spec]
    while stack and count < budget:
        item = stack.pop()
        if isinstance(item, dict):
            count += 1
            stack.extend(item.values())
        elif isinstance(item, list):
            count += 1
            stack.extend(item)
    return count


class LazyCheck:
    """A condition compiled the first time it is evaluated. Used for the built-in packs, whose
    conditions the test suite compiles and checks: a scan then compiles only the rules that
    meet a resource (a one-file scan, a fraction of them)."""

    __slots__ = ("_fn", "_spec", "_where")

    def __init__(self, spec: Any, where: tuple[str | int, ...]) -> None:
        self._spec = spec
        self._where = where
        self._fn: Check | None = None

    def __call__(self, value: Any, ref: Ref, ctx: Context) -> tuple[bool, Ref]:
        return self.compiled()(value, ref, ctx)

    def compiled(self) -> Check:
        """The compiled condition itself, for callers that run it many times."""
        fn = self._fn
        if fn is None:  # lazy conditions are the built-in packs' (packs.py)
            fn = self._fn = compile_condition(self._spec, self._where, trusted=True)
        return fn


def compiled(check: Check) -> Check:
    """``check`` without the lazy wrapper (compiling it now if it is lazy)."""
    return check.compiled() if isinstance(check, LazyCheck) else check


def compile_condition(spec: Any, where: tuple[str | int, ...] = (), depth: int = 0,
                      trusted: bool = False) -> Check:
    """Compile a condition mapping into a ``Check`` closure; raise ``ConditionError``.
    ``trusted``: from a built-in pack, whose regular expressions the test suite checks."""
    if depth == 0 and _size(spec) > MAX_NODES:
        raise ConditionError(f"condition has more than {MAX_NODES} parts", where)
    if depth > MAX_DEPTH:
        raise ConditionError(f"condition nested deeper than {MAX_DEPTH}", where)
    if not isinstance(spec, dict) or not spec:
        raise ConditionError("a condition must be a non-empty mapping", where)
    if "all" in spec or "any" in spec:
        return _compile_group(spec, where, depth, trusted)
    if "not" in spec:
        if len(spec) != 1:
            raise ConditionError("'not' takes no sibling keys", where)
        inner = compile_condition(spec["not"], (*where, "not"), depth + 1, trusted)

        def negate(value: Any, ref: Ref, ctx: Context) -> tuple[bool, Ref]:
            ok, at = inner(value, ref, ctx)
            return (not ok, at)

        return negate
    return _compile_leaf(spec, where, depth, trusted)


def _compile_group(spec: dict[str, Any], where: tuple[str | int, ...], depth: int,
                   trusted: bool) -> Check:
    word = "all" if "all" in spec else "any"
    if len(spec) != 1:
        raise ConditionError(f"'{word}' takes no sibling keys", where)
    items = spec[word]
    if not isinstance(items, list) or not items:
        raise ConditionError(f"'{word}' takes a non-empty list of conditions", where)
    parts = [compile_condition(c, (*where, word, i), depth + 1, trusted)
             for i, c in enumerate(items)]

    if word == "all":

        def all_of(value: Any, ref: Ref, ctx: Context) -> tuple[bool, Ref]:
            at = ref
            for part in parts:
                ok, at = part(value, ref, ctx)
                if not ok:
                    return (False, at)
            return (True, at)

        return all_of

    def any_of(value: Any, ref: Ref, ctx: Context) -> tuple[bool, Ref]:
        first: Ref | None = None
        for part in parts:
            ok, at = part(value, ref, ctx)
            if ok:
                return (True, at)
            first = first or at
        return (False, first or ref)

    return any_of


def _some_item(inner: Check) -> Test:
    """A test that holds for a list when some item satisfies ``inner`` as a whole."""

    def test(v: Any, ctx: Context) -> bool:
        if not isinstance(v, list):
            return False
        return any(inner(item, Ref(v, i), ctx)[0] for i, item in enumerate(v))

    return test


def _compile_leaf(spec: dict[str, Any], where: tuple[str | int, ...], depth: int,
                  trusted: bool) -> Check:
    unknown = sorted(set(spec) - LEAF_KEYS)
    if unknown:
        raise ConditionError(f"unknown operator or key: {', '.join(unknown)}", where)
    ops = [k for k in spec if k in OPERATORS or k in ("exists", "some")]
    if len(ops) != 1:
        raise ConditionError("a condition needs exactly one operator", where)
    op = ops[0]
    raw_path = spec.get("path", "")
    if not isinstance(raw_path, str):
        raise ConditionError("'path' must be a string", (*where, "path"))
    from_root = raw_path.startswith("$")
    try:
        segments = parse_path(raw_path[1:].lstrip(".") if from_root else raw_path)
    except PathSyntaxError as exc:
        raise ConditionError(str(exc), (*where, "path")) from None
    every = spec.get("match", "any") == "all"
    if op == "exists":
        return _exists_check(bool(spec["exists"]), segments, from_root)
    if op == "some":
        inner = compile_condition(spec["some"], (*where, "some"), depth + 1, trusted)
        return _value_check(_some_item(inner), segments, from_root, every)
    try:
        test = (TRUSTED_OPERATORS if trusted else OPERATORS)[op](spec[op])
    except (re.error, TypeError, ValueError) as exc:
        raise ConditionError(f"bad operand for '{op}': {exc}", (*where, op)) from None
    return _value_check(test, segments, from_root, every)


def _base(value: Any, ref: Ref, ctx: Context, from_root: bool) -> tuple[Any, Ref]:
    return (ctx.root, ctx.root_ref) if from_root else (value, ref)


def _plain_keys(segments: tuple[Any, ...]) -> bool:
    return all(s.__class__ is str for s in segments)


def follow_python(value: Any, ref: Ref, segments: tuple[str, ...]) -> tuple[bool, Any, Ref]:
    """``select`` for a path of plain keys: (found, value, its ref, or the nearest parent's
    when not found), with one ``Ref`` made instead of one per step. ``follow`` is this
    function, or its C version where the build has it."""
    container: Any = None
    key: Any = None
    for seg in segments:
        if not isinstance(value, dict) or seg not in value:
            return (False, None, ref_of(ref, container, key))
        container, key = value, seg
        value = value[seg]
    return (True, value, ref_of(ref, container, key))


follow: Callable[[Any, Ref, tuple[str, ...]], tuple[bool, Any, Ref]] = (
    follow_python if fastwalk is None else fastwalk.follow)


def _exists_check(want: bool, segments: tuple[Any, ...], from_root: bool) -> Check:
    if _plain_keys(segments):

        def plain(value: Any, ref: Ref, ctx: Context) -> tuple[bool, Ref]:
            if from_root:
                value, ref = ctx.root, ctx.root_ref
            found, _v, at = follow(value, ref, segments)
            return (want if found else not want, at)

        return plain

    def check(value: Any, ref: Ref, ctx: Context) -> tuple[bool, Ref]:
        base, bref = _base(value, ref, ctx, from_root)
        hits, misses = select(base, bref, segments)
        if hits:
            return (want, hits[0][1])
        return (not want, misses[0] if misses else bref)

    return check


def _value_check(test: Test, segments: tuple[Any, ...], from_root: bool, every: bool) -> Check:
    if _plain_keys(segments):  # one value or none: ``match`` makes no difference

        def plain(value: Any, ref: Ref, ctx: Context) -> tuple[bool, Ref]:
            if from_root:
                value, ref = ctx.root, ctx.root_ref
            found, v, at = follow(value, ref, segments)
            return (found and test(v, ctx), at)

        return plain

    def check(value: Any, ref: Ref, ctx: Context) -> tuple[bool, Ref]:
        base, bref = _base(value, ref, ctx, from_root)
        hits, misses = select_raw(base, segments)
        if not hits:
            return (False, ref_of(bref, *misses[0]) if misses else bref)
        if every:
            for v, c, k in hits:
                if not test(v, ctx):
                    return (False, ref_of(bref, c, k))
            return (True, ref_of(bref, hits[0][1], hits[0][2]))
        for v, c, k in hits:
            if test(v, ctx):
                return (True, ref_of(bref, c, k))
        return (False, ref_of(bref, hits[0][1], hits[0][2]))

    return check

