"""The compiled build (``WARDSCAN_COMPILE=1``, setup.py) gives the reports of the pure-Python
one, byte for byte.

mypyc turns type annotations into checks made at run time and calls within a compiled
module into direct C calls, so the compiled build could differ where the pure one would not
notice: a value of a type its annotation does not admit raises there. The wheel is built
once, with mypyc, from a copy of the checkout, into a virtual environment of its own; then
both builds scan the shared corpus, the examples, the test fixtures and generated corpora.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SHARED

GEN = SHARED / "bench" / "gen_corpus.py"
_VOLATILE = re.compile(rb'\n *"(scanned_at|duration[a-z_]*|startTimeUtc|endTimeUtc)": [^\n]*')


def _compiled_modules() -> list[str]:
    """The modules setup.py compiles, as dotted names."""
    text = (ROOT / "setup.py").read_text()
    block = text.split("COMPILED = [", 1)[1].split("]", 1)[0]
    return [p[:-3].replace("/", ".") for p in re.findall(r'"([^"]+\.py)"', block)]


def test_compiled_modules_read_locations_only_through_loc_of() -> None:
    """Compiled code calls a dict subclass's methods as dict's own, so a ``Locs`` read there
    (``x.locs.get(k)``, ``x.locs[k]``) would hand out a location still pending."""
    import ast

    bad = []
    for name in _compiled_modules():
        path = ROOT / (name.replace(".", "/") + ".py")
        for node in ast.walk(ast.parse(path.read_text())):
            target = None
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                target = node.value
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("get", "values", "items", "pop", "copy"):
                target = node.func.value
            if isinstance(target, ast.Attribute) and target.attr == "locs":
                bad.append(f"{path.name}:{node.lineno}")
    assert bad == []


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a venv with the mypyc-built wheel installed."""
    tmp = tmp_path_factory.mktemp("compiled")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", "build", "*.egg-info", "__pycache__", ".mypy_cache", ".ruff_cache", "*.so"))
    env = {**os.environ, "WARDSCAN_COMPILE": "1"}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check",
                    "--no-deps", "--no-build-isolation", "-w", str(tmp / "wheels"), str(src)],
                   check=True, cwd=tmp, env=env, capture_output=True)
    (wheel,) = (tmp / "wheels").glob("wardscan-*.whl")
    assert "py3-none-any" not in wheel.name  # a platform wheel: it holds extension modules
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(tmp / "venv")
    python = tmp / "venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "--no-deps", str(wheel)], check=True, cwd=tmp, capture_output=True)
    return python


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("inputs")
    for fmt in ("k8s", "mix"):
        subprocess.run([sys.executable, str(GEN), str(root / fmt), "--files", "150", "--seed",
                        "11", "--format", fmt], check=True, stdout=subprocess.DEVNULL)
    bad = root / "bad"  # files each build must refuse with the same error
    bad.mkdir()
    (bad / "broken.yaml").write_text("kind: Deployment\nmetadata: {name: x\n")
    (bad / "binary.yaml").write_bytes(b"\x00\x01kind: Pod\n")
    (bad / "latin1.yaml").write_bytes("kind: Pod # caf\xe9\n".encode("latin-1"))
    (bad / "deep.yaml").write_text("a: " + "[" * 500 + "]" * 500 + "\n")
    (bad / "bomb.yaml").write_text("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{k}: &{k} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, k in zip("abcdefgh", "bcdefghi", strict=True)))
    (bad / "main.tf").write_text('resource "aws_instance" "x" {\n  ami = \n')
    return [SHARED / "corpus", ROOT / "examples", ROOT / "tests" / "fixtures", root]


def _scan(python: Path, paths: list[Path], out: Path, *extra: str) -> bytes:
    run = subprocess.run(
        [str(python), "-m", "scanner", "scan", *map(str, paths), "--format", "json", "-o",
         str(out / "r.json"), "--output-format", f"sarif={out / 'r.sarif'}", "--output-format",
         f"markdown={out / 'r.md'}", "--fail-on", "none", "--no-config", *extra],
        cwd=out, capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
    return b"\n".join(_VOLATILE.sub(b"", (out / name).read_bytes()) + b"\n" + run.stderr
                      for name in ("r.json", "r.sarif", "r.md"))


def test_the_compiled_build_runs_compiled_modules(compiled: Path, tmp_path: Path) -> None:
    names = _compiled_modules()
    assert "scanner.engine.evaluate" in names and len(names) >= 10
    probe = ("import importlib, json, sys; "
             "print(json.dumps([importlib.import_module(n).__file__ for n in sys.argv[1:]]))")
    out = subprocess.run([str(compiled), "-c", probe, *names], check=True, cwd=tmp_path,
                         capture_output=True, text=True).stdout
    files = json.loads(out)
    assert all(f.startswith(str(compiled.parents[1])) and f.endswith(".so") for f in files)
    probe = ("import scanner.parse.yaml as y, scanner.engine.paths as p, "
             "scanner.detectors.textlook as t; "
             "print(y._fastyaml.__file__); print(p.fastwalk.__file__); "
             "print(t.fastlook.__file__)")
    fast = subprocess.run([str(compiled), "-c", probe], check=True, cwd=tmp_path,
                          capture_output=True, text=True).stdout.split()
    assert len(fast) == 3
    assert all(f.startswith(str(compiled.parents[1])) and f.endswith(".so") for f in fast)


# (name, text, whether _fastyaml builds it itself): what it hands back to PyYAML must be
# exactly what it does not handle (tags, anchors and aliases, merge and value keys, keys
# that are not strings, keys written twice, directives, invalid YAML)
EDGE_CASES = [
    ("bools", "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: False\ng: y\n", True),
    ("ints", "a: 0x1F\nb: 0o17\nc: 017\nd: 1_000\ne: +12\nf: -7\ng: 0\ni: 190:20:30\n", True),
    ("floats", "a: .inf\nb: -.Inf\nc: .nan\nd: 1e3\ne: 1.5\nf: 1_000.5\ng: .5\n", True),
    ("nulls", "a: ~\nb: null\nc: Null\nd:\ne: ''\n", True),
    ("dates", "a: 2024-01-01\nb: 2001-12-14t21:59:43.10-05:00\n", True),
    ("strings", "v: 1.2.3\np: \"8080\"\ni: nginx:1.25\nn: node-1\no: octopus\n.k: 1\n", True),
    ("quoted keys", "'a': 1\n\"b\\tc\": 2\n? |\n  block key\n: 3\n? e\n", True),
    ("styles", "a: |-\n  x\n  y\nb: >+\n  z\n\nc: |2\n   in\nd: 'q'\ne: \"d\"\n", True),
    ("flow", "a: {b: [1, 2, {c: d}], e: []}\nf: [ ]\n", True),
    ("non-specific tag on collections", "a: ! {b: 1}\nc: ! [x, 2]\n", True),
    ("documents", "a: 1\n---\n- x\n...\n---\n---\nplain text\n", True),
    ("unicode", "\ufeffna\u00efve: caf\u00e9\n\u540d\u524d: \u5024\ne: \"\\U0001F600\"\n", True),
    ("crlf", "a: 1\r\nb:\r\n  - x\r\n", True),
    ("deep", "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60)) + "  " * 60
     + "v: 1\n", True),
    ("empty", "", True),
    ("comments", "# only a comment\n", True),
    ("alias", "a: &x [1]\nb: *x\n", False),
    ("anchor", "a: &x 1\nb: 2\n", False),
    ("merge", "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n", False),
    ("value key", "=: x\n", False),
    ("tag", "a: !!str 1\n", False),
    ("local tag", "a: !custom x\n", False),
    ("int key", "80: http\n", False),
    ("bool key", "no: 2\n", False),
    ("null key", "~: a\n", False),
    ("complex key", "? [a, b]\n: c\n", False),
    ("duplicate", "a: 1\nb: 2\na: 3\n", False),
    ("nested duplicate", "x:\n  y: 1\n  y: 2\n", False),
    ("directive", "%YAML 1.1\n---\na: 1\n", False),
    ("invalid", "a: 1\nb: [1, 2\nc: 3\n", False),
    ("tab", "a:\n\tb: 1\n", False),
    ("control character", "a: \x00\n", False),
]


def test_fastyaml_builds_what_pyyaml_builds(compiled: Path, inputs: list[Path],
                                            tmp_path: Path) -> None:
    """The C loader of the compiled build against PyYAML alone: the same values of the same
    classes, the same line and column for every key, item and scalar, the same errors."""
    edge = tmp_path / "edge"
    edge.mkdir()
    for i, (_name, text, _fast) in enumerate(EDGE_CASES):
        (edge / f"{i:02}.yaml").write_bytes(text.encode("utf-8"))
    check = ROOT / "tests" / "fastyaml_check.py"
    run = subprocess.run([str(compiled), str(check), *map(str, inputs), str(ROOT / "rules"),
                          str(edge)],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["differences"] == []
    assert result["files"] > 380
    fell_back = {Path(f) for f in result["fell_back"]}
    expected = {edge / f"{i:02}.yaml" for i, (_n, _t, fast) in enumerate(EDGE_CASES) if not fast}
    assert {f for f in fell_back if f.parent == edge} == expected
    generated = [f for f in fell_back if f.parent.name in ("k8s", "mix")]
    assert generated == []  # the common case takes the fast path


def _run_check(compiled: Path, script: str, inputs: list[Path], tmp_path: Path) -> Any:
    """What a check script (tests/*_check.py) prints, run with the compiled build."""
    run = subprocess.run([str(compiled), str(ROOT / "tests" / script), *map(str, inputs)],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_fastwalk_returns_what_the_python_walks_return(compiled: Path, inputs: list[Path],
                                                      tmp_path: Path) -> None:
    """The C walks of the compiled build (scanner/engine/_fastwalk.c) against the Python
    functions they stand in for: every resource of the inputs, every path of the packs,
    and edge cases (mappings and lists that read differently from dict and list, cycles,
    shared values, odd keys and indexes, errors)."""
    result = _run_check(compiled, "fastwalk_check.py", inputs, tmp_path)
    assert result["differences"] == []
    assert result["bodies"] > 1200 and result["calls"] > 1_000_000


def test_fastlook_finds_what_the_python_looks_find(compiled: Path, inputs: list[Path],
                                                   tmp_path: Path) -> None:
    """The C first looks of the compiled build (scanner/detectors/_fastlook.c) against the
    Python they stand in for, on every input text (whole, lower-cased, line by line) and on
    texts made to sit on the edges; and the arguments both refuse."""
    result = _run_check(compiled, "fastlook_check.py", inputs, tmp_path)
    assert result["differences"] == []
    assert result["texts"] > 350 and result["calls"] > 150_000
    assert result["wide"] > 2_000  # texts of two and four bytes per character
    assert result["refused"] == {
        "too many": ["raised", "ValueError"], "one character": ["raised", "ValueError"],
        "not ASCII": ["raised", "ValueError"], "not a str": ["raised", "ValueError"],
        "not a tuple": ["raised", "TypeError"], "present of bytes": ["raised", "TypeError"],
        "mbi of bytes": ["raised", "TypeError"],
        **{f"each {case}": ["raised", "TypeError"] for case in (
            "of a tuple", "of a list row", "past the row", "below the row", "of bytes",
            "of two arguments")}}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_compiled_build_gives_the_same_reports(compiled: Path, inputs: list[Path],
                                                   tmp_path: Path, jobs: str) -> None:
    (tmp_path / "pure").mkdir()
    (tmp_path / "compiled").mkdir()
    pure = _scan(Path(sys.executable), inputs, tmp_path / "pure", "--jobs", jobs)
    report = json.loads((tmp_path / "pure" / "r.json").read_text())
    # the comparison means something: hundreds of files, thousands of findings, errors
    assert len(report["scan"]["files"]) > 350 and len(report["findings"]) > 1000
    assert report["errors"]
    assert _scan(compiled, inputs, tmp_path / "compiled", "--jobs", jobs) == pure
