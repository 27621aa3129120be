"""Run by tests/test_compiled.py with the compiled build's python: calls each function of
its ``scanner.engine._fastwalk`` and the Python function it stands in for, from this
checkout's source (pure Python: mypyc's compiled Python is not the reference), on the same
values (every resource of the files given, every path the rule packs use, and edge cases
built here) and prints, as JSON, how many calls were compared and every difference. Results
are compared by the identity of the containers they hold and the type and value of the rest.
Not a test module itself: the pure build has no ``_fastwalk``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from c_modules import ROOT, load_c_module

fast = load_c_module("scanner.engine._fastwalk")

from scanner.engine.conditions import follow_python  # noqa: E402
from scanner.engine.detect_checks import MAX_STRINGS, strings_python  # noqa: E402
from scanner.engine.findings import path_of_python, reach_python  # noqa: E402
from scanner.engine.paths import (  # noqa: E402
    WILD,
    PathSyntaxError,
    Ref,
    fastwalk,
    parse_path,
    select_python,
    select_raw_python,
)
from scanner.errors import ScannerError  # noqa: E402
from scanner.scan import read_text, resources_of  # noqa: E402

assert fastwalk is None, "the reference must be this checkout's pure Python"
fast.configure(Ref, WILD)


def _norm(value: Any) -> Any:
    """A comparable form: containers by identity, Refs by their parts, the rest by value."""
    if isinstance(value, dict | list) and not isinstance(value, tuple):
        return ("container", id(value))
    if isinstance(value, tuple):
        return ("tuple", [_norm(v) for v in value])
    if isinstance(value, Ref):
        return ("Ref", _norm(value.container), _norm(value.key))
    if value is WILD:
        return ("WILD",)
    return (type(value).__name__, repr(value))


def _outcome(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        result = fn(*args)
    except Exception as exc:  # both versions must raise the same kind of error
        return ("raised", type(exc).__name__)
    if isinstance(result, list):
        return [_norm(v) for v in result]
    if isinstance(result, tuple):
        return tuple(_norm(v) if not isinstance(v, list) else [_norm(x) for x in v]
                     for v in result)
    return _norm(result)


class Check:
    def __init__(self) -> None:
        self.calls = 0
        self.differences: list[str] = []

    def same(self, name: str, where: str, python: Callable[..., Any], c: Callable[..., Any],
             *args: Any) -> None:
        self.calls += 1
        a, b = _outcome(python, *args), _outcome(c, *args)
        if a != b and len(self.differences) < 50:
            self.differences.append(f"{where}: {name}: python {a!r} != C {b!r}"[:600])

    def walk(self, where: str, root: Any, limit: int) -> None:
        """reach and path_of, asked for every container of ``root`` in turn."""
        targets = [*[id(c) for c in _containers(root)][::-1], 0]
        state = {}
        for name, reach in (("python", reach_python), ("C", fast.reach)):
            parents: dict[int, tuple[int, Any]] = {}
            stack: list[tuple[Any, int, Any]] = [(root, -1, None)]
            left, log = limit, []
            for target in targets:
                try:
                    found, left = reach(parents, stack, left, target)
                except Exception as exc:  # the same error, at the same step
                    log.append(("raised", type(exc).__name__))
                    break
                log.append((found, left))
            state[name] = (log, {k: _norm(v) for k, v in parents.items()}, parents)
        self.calls += 1
        if state["python"][:2] != state["C"][:2]:
            self.differences.append(f"{where}: reach differs (limit {limit})")
            return
        parents = state["python"][2]
        for vid in parents:
            self.same("path_of", where, path_of_python, fast.path_of, parents, vid)


def _containers(root: Any) -> list[Any]:
    out, stack, seen = [], [root], set()
    while stack:
        value = stack.pop()
        if not isinstance(value, dict | list) or id(value) in seen:
            continue
        seen.add(id(value))
        out.append(value)
        stack.extend(value.values() if isinstance(value, dict) else value)
    return out


def _rule_paths() -> list[tuple[Any, ...]]:
    """Every ``path`` and ``for_each`` of the built-in packs, parsed, and a few more."""
    found: set[str] = set()
    for pack in sorted((ROOT / "rules").glob("*.yaml")):
        stack = [yaml.safe_load(pack.read_text())]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("path", "for_each") and isinstance(value, str):
                        found.add(value.lstrip("$").lstrip("."))
                    stack.append(value)
            elif isinstance(node, list):
                stack.extend(node)
    paths = []
    for text in sorted(found):
        try:
            paths.append(parse_path(text))
        except PathSyntaxError:
            continue
    return [*paths, (), (WILD,), (WILD, WILD), (0,), (-1,), (5,), (10**30,), (-(10**30),),
            (True,), ("spec", WILD, 0), ("containers", -1, "env", WILD, "value")]


class _Odd(dict[Any, Any]):
    """A mapping that reads differently from dict: the generic path must be taken."""

    def __getitem__(self, key: Any) -> Any:
        return f"odd:{dict.__getitem__(self, key)}"

    def get(self, key: Any, default: Any = None) -> Any:
        return "odd-name" if key == "name" else dict.get(self, key, default)

    def items(self) -> Any:
        return [(k, self[k]) for k in reversed(list(self))]


class _OddSeq(list[Any]):
    def __iter__(self) -> Any:
        return iter(list.__getitem__(self, slice(None, None, -1)))

    def __getitem__(self, index: Any) -> Any:
        return ("odd", list.__getitem__(self, index))


class _Broken(dict[Any, Any]):
    def items(self) -> Any:
        raise RuntimeError("items")


def _edge_cases() -> list[Any]:
    shared = {"k": "v", "value": "secret"}
    loop: list[Any] = ["a"]
    loop.append(loop)
    deep: Any = "leaf"
    for i in range(60):
        deep = {f"k{i}": deep, "n": i} if i % 2 else [deep, str(i)]
    return [
        {"env": [{"name": "API_KEY", "value": "x1"}, {"name": 5, "value": "x2"},
                 {"value": "x3"}, {"name": None, "value": "x4", "other": "x5"}]},
        {True: "t", 2: "two", None: "none", 1.5: "f", (1, 2): "tuple", dt.date(2020, 1, 2): "d",
         "value": "v", "name": "n"},
        {"a": shared, "b": shared, "c": [shared, shared]},
        loop,
        {"x": loop},
        _Odd({"name": "n", "value": "v", "sub": _Odd({"a": "b"}), "list": _OddSeq(["p", "q"])}),
        _OddSeq(["a", {"b": "c"}, ["d"]]),
        {"ok": "x", "bad": _Broken({"a": "b"})},
        {"spec": {"containers": [{"env": [{"name": "A", "value": "b"}]}, {"env": []}]}},
        deep,
        "not a container",
        None,
        [],
        {},
    ]


def main(paths: list[str]) -> int:
    check = Check()
    rule_paths = _rule_paths()
    plain = [p for p in rule_paths if p and all(s.__class__ is str for s in p)]
    bodies: list[tuple[str, Any]] = [(f"edge {i}", v) for i, v in enumerate(_edge_cases())]
    files = sorted(f for p in map(Path, paths) for f in ([p] if p.is_file() else p.rglob("*"))
                   if f.is_file())
    for path in files:
        try:
            resources = resources_of(str(path), read_text(str(path)))
        except (ScannerError, RecursionError, UnicodeDecodeError):
            continue
        bodies += [(f"{path}:{r.kind}/{r.name}", r.body) for r in resources]
    for where, body in bodies:
        for limit in (MAX_STRINGS, 3):
            check.same("strings", where, strings_python, fast.strings, body, limit)
        base = Ref(body, None)
        for segments in rule_paths:
            check.same("select_raw", where, select_raw_python, fast.select_raw, body, segments)
            check.same("select", where, select_python, fast.select, body, base, segments)
        for segments in plain:
            check.same("follow", where, follow_python, fast.follow, body, base, segments)
        for limit in (10_000, 7):
            check.walk(where, body, limit)
    json.dump({"bodies": len(bodies), "calls": check.calls, "differences": check.differences},
              sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
