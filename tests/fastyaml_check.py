"""Run by tests/test_compiled.py with the compiled build's python: loads every file given
with ``_fastyaml`` and again with PyYAML alone, and prints, as JSON, the files the fast path
handed back to PyYAML and every difference in values, classes, key marks and positions,
and scalar positions and styles. Not a test module itself: the pure build has no ``_fastyaml``."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import scanner.parse.yaml as parsed
from scanner.errors import ParseError

FAST = parsed._fastyaml


def _load(text: str, fast: bool) -> Any:
    parsed._fastyaml = FAST if fast else None
    try:
        return parsed.load_documents(text, "t.yaml")
    except ParseError as exc:
        return f"error: {exc}"
    finally:
        parsed._fastyaml = FAST


def _mark(mark: Any) -> Any:
    return None if mark is None else [mark.line, mark.column, mark.index]


def _scalar(found: Any) -> Any:
    return None if found is None else [found[0].line, found[0].column, found[1]]


def _compare(a: Any, b: Any, where: str, out: list[str]) -> None:
    if a.__class__ is not b.__class__:
        out.append(f"{where}: {a.__class__.__name__} != {b.__class__.__name__}")
        return
    if isinstance(a, dict | list):
        keys = list(a) if isinstance(a, dict) else list(range(len(a)))
        if (list(b) if isinstance(b, dict) else list(range(len(b)))) != keys:
            out.append(f"{where}: keys differ")
            return
        for key in [*keys, None, "absent", 0, len(keys), -1, True]:
            for name, fn in (("mark", lambda c, k: _mark(parsed.key_mark(c, k))),
                             ("position", parsed.key_position),
                             ("scalar", lambda c, k: _scalar(parsed.scalar_mark(c, k)))):
                if name == "scalar" and key is None:
                    continue
                if fn(a, key) != fn(b, key):
                    out.append(f"{where}/{key!r}: {name} {fn(a, key)} != {fn(b, key)}")
            if key in keys and key is not True:
                _compare(a[key], b[key], f"{where}/{key!r}", out)
        return
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return
    if a != b:
        out.append(f"{where}: {a!r} != {b!r}")


def main(paths: list[str]) -> int:
    assert FAST is not None, "the compiled build has no _fastyaml"
    files = sorted(f for p in map(Path, paths) for f in ([p] if p.is_file() else p.rglob("*"))
                   if f.suffix in (".yaml", ".yml", ".json") and f.is_file())
    fell_back, differences = [], []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if FAST.load(text, 10_000) is None:
            fell_back.append(str(path))
        diffs: list[str] = []
        _compare([_load(text, True)], [_load(text, False)], "", diffs)
        differences += [f"{path}: {d}" for d in diffs[:5]]
    json.dump({"files": len(files), "fell_back": fell_back, "differences": differences},
              sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
