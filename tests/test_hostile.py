"""Hostile and broken input: each case gets a clear per-file error or a silent skip, never a
traceback, never a hang; the rest of the scan is unaffected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from scanner.cli import main
from scanner.engine.packs import load_rules
from scanner.errors import RulePackError

GOOD = ROOT / "examples" / "risky-patient-chatbot.yaml"
BOMB = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10))
DEEP = "[" * 100_000 + "]" * 100_000
MANIFEST = GOOD.read_text()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["scan", *args, "--format", "json", "--as-of", "2026-11-27"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def errors(data: dict) -> dict[str, tuple[int | None, str]]:  # type: ignore[type-arg]
    return {Path(e["file"]).name: (e["line"], e["message"]) for e in data["errors"]}


CASES: dict[str, tuple[bytes, tuple[int | None, str] | None]] = {
    # name: (content, expected error (line, message) or None for a silent skip/no error)
    # aliases are shared, never expanded, and their expanded size is counted cheaply
    "bomb.yaml": (BOMB.encode(), (None, "aliases expand to more than 1000000 values (limit); "
                                        "not scanned")),
    "aliases.yaml": (b"a: &a 1\nb: [" + b"*a, " * 10_001 + b"]\n",
                     (1, "invalid YAML: more than 10000 alias references (limit)")),
    "deep.json": (b'{"apiVersion": "v1", "kind": "List", "x": ' + DEEP.encode() + b"}",
                  (None, "nested deeper than 256 levels (limit); not scanned")),
    "docs.yaml": (b"---\na: 1\n" * 10_001,
                  (None, "more than 10000 YAML documents (limit); not scanned")),
    "python.yaml": (b"a: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
                    (1, "unsupported YAML tag '!!python/object/apply:os.system' (only standard "
                        "YAML types are read; nothing is executed)")),
    "cfn.yaml": (b"Resources:\n  Bucket:\n    Properties: {Name: !Ref Name}\n",
                 (3, "unsupported YAML tag '!Ref' (only standard YAML types are read; nothing "
                     "is executed)")),
    "deep-block.yaml": (("apiVersion: wardscan/v1\nkind: AIDeployment\nvendors:\n" + "- " * 1000
                         + "x\n").encode(),
                        (None, "nested deeper than 256 levels (limit); not scanned")),
    "laughs-env.yaml": ((BOMB.replace("a0: &a0 [lol", "x0: &a0 [lol") + "apiVersion: v1\n"
                         "kind: Pod\nspec:\n  containers:\n  - image: x\n    env:\n"
                         "    - name: A\n      value: *a9\n").encode(),
                        (None, "aliases expand to more than 1000000 values (limit); "
                               "not scanned")),
    "ingress-bool.yaml": (b"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n"
                          b"spec:\n  rules: true\n", None),
    "empty.yaml": (b"", None),
    "comments.yaml": (b"# nothing here\n", None),
    "binary.yaml": (b"\x00\x01\x02\xffELF", (None, "binary file; not scanned")),
    "latin1.yaml": ("name: caf\u00e9\n".encode("latin-1"), (None, "not UTF-8 text (byte 9)")),
    "tabs.yaml": (b"apiVersion: v1\nkind: Pod\nspec:\n\tcontainers: []\n",
                  (4, "invalid YAML: found character that cannot start any token")),
    "truncated.yaml": (b"apiVersion: v1\nkind: Pod\nspec: {containers: [\n",
                       (4, "invalid YAML: did not find expected node content")),
    "longline.yaml": (b"note: " + b"x" * 1_000_000 + b"\n", None),
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name, (content, _want) in CASES.items():
        (folder / name).write_bytes(content)
    (folder / "utf16.yaml").write_bytes(MANIFEST.encode("utf-16"))
    (folder / "crlf.yaml").write_bytes(MANIFEST.replace("\n", "\r\n").encode())
    (folder / "dir.yaml").mkdir()
    (folder / "dir.yaml" / "inside.yaml").write_text(MANIFEST)
    (folder / "broken-link.yaml").symlink_to(folder / "missing.yaml")
    (folder / "loop-a.yaml").symlink_to(folder / "loop-b.yaml")
    (folder / "loop-b.yaml").symlink_to(folder / "loop-a.yaml")
    outside = tmp_path / "outside.yaml"
    outside.write_text(MANIFEST)
    (folder / "outside-link.yaml").symlink_to(outside)
    os.mkfifo(folder / "fifo.yaml")
    return folder


def test_every_case_has_its_expected_outcome(corpus: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    code, data = run(capsys, str(corpus))
    assert time.monotonic() - started < 20
    got = errors(data)
    for name, (_content, want) in CASES.items():
        assert got.get(name) == want, name
    assert got["broken-link.yaml"] == (None, "broken symbolic link; not scanned")
    assert got["loop-a.yaml"] == (None, "symbolic link loop; not scanned")
    assert got["outside-link.yaml"] == (
        None, "symlink points outside the scanned folder; not followed")
    assert "fifo.yaml" not in got  # skipped silently: reading a FIFO would block
    assert code == 1  # the readable manifests still have findings
    by_file: dict[str, list[tuple[int, str]]] = {}
    for f in data["findings"]:
        by_file.setdefault(Path(f["file"]).name, []).append((f["line"], f["rule_id"]))
    # UTF-16 with a BOM, CRLF line ends and a folder named like a file scan like the original
    assert by_file["utf16.yaml"] == by_file["crlf.yaml"] == by_file["inside.yaml"]
    assert len(by_file["inside.yaml"]) > 30


def test_strict_makes_per_file_errors_exit_2(corpus: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(corpus), "--strict", "--format", "json"]) == 2
    capsys.readouterr()


def test_hostile_files_do_not_change_good_findings(corpus: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good"
    good.mkdir()
    for p in (ROOT / "examples").glob("*.yaml"):
        (good / p.name).write_text(p.read_text())
        (corpus / p.name).write_text(p.read_text())
    _code, alone = run(capsys, str(good))
    _code, mixed = run(capsys, str(corpus))
    key = [(Path(f["file"]).name, f["line"], f["rule_id"], f["message"])
           for f in alone["findings"]]
    names = {p.name for p in (ROOT / "examples").glob("*.yaml")}
    assert [(Path(f["file"]).name, f["line"], f["rule_id"], f["message"])
            for f in mixed["findings"] if Path(f["file"]).name in names] == key


def test_unreadable_and_vanishing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """As root (CI) permissions do not stop reads, so a read failure is simulated; a file
    deleted between discovery and reading is real."""
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text(MANIFEST)
    import scanner.scan as scan_module

    real = scan_module.read_bytes

    def deny(path: str) -> bytes:
        if path.endswith("a.yaml"):
            from scanner.errors import ParseError
            raise ParseError("cannot read: Permission denied", path)
        return real(path)

    monkeypatch.setattr(scan_module, "read_bytes", deny)
    (tmp_path / "c.yaml").unlink()
    from scanner.scan import ScanOptions, scan

    result = scan(ScanOptions(paths=(str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))),
                  load_rules().select())
    assert [(e.path, e.message) for e in result.errors] == [
        (str(tmp_path / "a.yaml"), "cannot read: Permission denied")]
    assert {f.location.path for f in result.findings} == {str(tmp_path / "b.yaml")}


def test_deleted_during_scan(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(MANIFEST)
    from scanner.scan import ScanOptions, scan

    def progress(done: int, total: int, path: str) -> None:
        if done == 1:
            (tmp_path / "b.yaml").unlink()

    result = scan(ScanOptions(paths=(str(tmp_path),)), load_rules().select(), progress)
    assert [(Path(e.path).name, e.message) for e in result.errors] == [
        ("b.yaml", "cannot read: No such file or directory")]


def test_size_limits_are_configurable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text(MANIFEST)
    (tmp_path / "b.yaml").write_text(MANIFEST)
    (tmp_path / ".wardscan.yaml").write_text(f"limits: {{max_file_bytes: {len(MANIFEST) - 1}}}\n")
    _code, data = run(capsys, str(tmp_path))
    assert errors(data)["a.yaml"] == (
        None, f"file is {len(MANIFEST)} bytes, over the {len(MANIFEST) - 1}-byte limit; "
              "not scanned")
    budget = len(MANIFEST) + 100  # the config file itself is read too
    (tmp_path / ".wardscan.yaml").write_text(f"limits: {{max_total_bytes: {budget}}}\n")
    _code, data = run(capsys, str(tmp_path))
    assert errors(data) == {"b.yaml": (None, f"total scan size limit ({budget} bytes) "
                                             "reached; not scanned")}


def test_duplicate_keys_are_findings_with_both_lines(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                   "    - name: c\n      image: vllm/vllm-openai:v0.8.4\n      securityContext:\n"
                   "        privileged: false\n        runAsNonRoot: true\n"
                   "        privileged: true\n"
                   "x-defaults: &d {a: 1}\nother:\n  <<: *d\n  a: 2\n")
    _code, data = run(capsys, str(pod))
    (dup,) = [f for f in data["findings"] if f["rule_id"] == "WS-FILE-001"]
    assert (dup["line"], dup["related"][0]["line"]) == (11, 9)
    assert dup["message"] == ("key 'privileged' is written twice (lines 9 and 11); YAML keeps "
                              "only the later value")


@pytest.mark.parametrize("content", [BOMB, DEEP], ids=["alias-bomb", "deep-nesting"])
def test_bomb_and_depth_cases_are_fast_and_small(tmp_path: Path, content: str) -> None:
    target = tmp_path / "case.yaml"
    target.write_text(content)
    # VmHWM is this process's own peak (ru_maxrss would include the forking parent's).
    code = ("import time, sys; t = time.monotonic();"
            "from scanner.cli import main; c = main(['scan', sys.argv[1], '--format', 'json']);"
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0];"
            "print(time.monotonic() - t, hwm.split()[1])")
    out = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True,
                         text=True, check=True, timeout=60)
    seconds, kib = out.stdout.split()[-2:]
    assert float(seconds) < 2.0
    assert int(kib) < 200 * 1024


@pytest.mark.parametrize(("condition", "message"), ids=[
    "nested-quantifier", "overlapping-alternation", "backreference", "bounded-nesting",
    "huge-in-list", "huge-condition"], argvalues=[
    ("{path: a, matches: '(a+)+$'}", "nested unbounded repetition"),
    ("{path: a, matches: '(a|ab)*c'}", "can start with the same character"),
    ("{path: a, matches: '(x)\\1'}", "backreferences are not allowed"),
    ("{path: a, matches: '(.*a){20}'}", "nested unbounded repetition"),
    ("{path: a, in: [" + ", ".join(str(i) for i in range(1001)) + "]}", "more than 1000 values"),
    ("{all: [" + ", ".join(["{path: a, exists: true}"] * 2001) + "]}",
     "condition has more than 2000 parts"),
])
def test_hostile_rule_packs_are_refused(tmp_path: Path, condition: str, message: str) -> None:
    readme = (ROOT / "README.md").read_text().split("## Writing a rule", 1)[1]
    pack_text = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    pack = tmp_path / "p.yaml"
    pack.write_text(pack_text.replace("assert: {path: zero_data_retention, equals: true}",
                                      f"assert: {condition}"))
    with pytest.raises(RulePackError) as info:
        load_rules([str(pack)], builtin=False)
    assert message in str(info.value)


def test_rule_pack_with_python_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    pack = tmp_path / "p.yaml"
    pack.write_text(f"pack: !!python/object/apply:os.system ['touch {marker}']\nrules: []\n")
    with pytest.raises(RulePackError, match="unsupported YAML tag"):
        load_rules([str(pack)], builtin=False)
    assert not marker.exists()
