"""The speed work must not change a single byte of output: worker processes, the document
builder, the detector pre-checks, the exposer index and the JSON writer are each checked
against the plain way of doing the same thing. Also: the benchmark runs (as a smoke check,
nothing about time is asserted) and `--version` stays away from the engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.cli import main
from scanner.engine.detect_checks import GROUPS, absent_groups
from scanner.errors import ParseError
from scanner.exposure import ExposerIndex, exposures
from scanner.parse.yaml import load_documents
from scanner.report.jsontext import Lazy, dumps, iterdump
from scanner.scan import STDIN, FileScanner, ScanOptions, read_text, resources_of
from scanner.workers import MIN_FILES_PER_WORKER, plan_jobs
from tests.conftest import ROOT, SHARED

GEN = SHARED / "bench" / "gen_corpus.py"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 generated files of each kind the benchmark uses (k8s and mixed with compose)."""
    root = tmp_path_factory.mktemp("generated")
    for fmt in ("k8s", "mix"):
        subprocess.run([sys.executable, str(GEN), str(root / fmt), "--files", "120", "--seed",
                        "7", "--format", fmt], check=True, stdout=subprocess.DEVNULL)
    # each document of the k8s files on its own: Services, Ingresses and the workloads they
    # expose now sit in different files, which is what cross-file linking is for
    for path in sorted((root / "k8s").glob("*.yaml")):
        for i, doc in enumerate(path.read_text().split("\n---\n")):
            (root / "split").mkdir(exist_ok=True)
            (root / "split" / f"{path.stem}-{i}.yaml").write_text(doc + "\n")
    return root


def _input_resources(generated: Path, *folders: Path,
                     made: tuple[tuple[str, str], ...] = ()) -> Iterator[tuple[str, list[Any]]]:
    """(path, resources) of every readable input: the generated files, the shared corpus,
    the fixtures, any other ``folders``, then the ``made`` (name, text) documents."""
    paths = [*generated.rglob("*.yaml"), *(SHARED / "corpus").rglob("*"),
             *(ROOT / "tests" / "fixtures").rglob("*"), *(f for d in folders for f in d.rglob("*"))]
    for path, text in [*((str(p), None) for p in sorted(paths) if p.is_file()), *made]:
        try:
            yield path, resources_of(path, read_text(path) if text is None else text)
        except ParseError:
            continue


def _report(tmp: Path, paths: list[str], jobs: str, *extra: str) -> tuple[bytes, bytes]:
    out, sarif = tmp / f"out-{jobs}.json", tmp / f"out-{jobs}.sarif"
    code = main(["scan", *paths, "--format", "json", "-o", str(out), "--output-format",
                 f"sarif={sarif}", "--fail-on", "none", "--no-config", "--jobs", jobs, *extra])
    assert code == 0
    return out.read_bytes(), sarif.read_bytes()


def test_jobs_give_byte_identical_reports(generated: Path, tmp_path: Path) -> None:
    paths = [str(generated), str(SHARED / "corpus"), str(ROOT / "examples")]
    one = _report(tmp_path, paths, "1")
    data = json.loads(one[0])
    # the comparison means something: many files, findings, cross-file exposure, errors
    assert len(data["scan"]["files"]) > 290 and len(data["findings"]) > 500
    assert any(r["file"] != f["file"] for f in data["findings"] for r in f["related"])
    for jobs in ("2", "3", "0"):
        assert _report(tmp_path, paths, jobs) == one, f"--jobs {jobs} differs from --jobs 1"


def test_jobs_with_a_shard_give_the_same_shard(generated: Path, tmp_path: Path) -> None:
    paths = [str(generated / "mix")]
    assert _report(tmp_path, paths, "2", "--shard", "2/3") == \
        _report(tmp_path, paths, "1", "--shard", "2/3")


def test_plan_jobs_uses_one_process_for_small_scans_stdin_and_the_size_limit(
        tmp_path: Path) -> None:
    files = []
    for i in range(3 * MIN_FILES_PER_WORKER):
        p = tmp_path / f"f{i}.yaml"
        p.write_text("a: 1\n")
        files.append(str(p))
    assert plan_jobs(None, files[:MIN_FILES_PER_WORKER], 10**9) == 1  # small: not worth it
    assert plan_jobs(1, files, 10**9) == 1
    assert plan_jobs(2, files[:2], 10**9) == 2  # asked for explicitly
    assert plan_jobs(4, files[:3], 10**9) == 3  # never more workers than files
    assert plan_jobs(2, [STDIN, *files], 10**9) == 1
    assert plan_jobs(2, files, 5 * len(files) - 1) == 1  # the size limit is applied in order
    assert plan_jobs(2, files, 5 * len(files)) == 2
    # the size discovery found, when given, is what counts
    assert plan_jobs(2, files, 5 * len(files), total_bytes=5 * len(files) + 1) == 1
    assert plan_jobs(2, files, 10, total_bytes=10) == 2


def test_discovery_names_and_sizes_files_as_paths_do(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Discovery writes names with strings, not a Path per file; they read as the Path
    spelling of each way a folder can be given, and the sizes are the files'."""
    import os

    from scanner.discover import discover

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for rel, text in [("a/b/c.yaml", "k: 1\n"), ("a/x.yml", "k: 22\n"), ("top.json", "{}"),
                      (".git/skip.yaml", "k: 1\n"), ("a/notes.txt", "x")]:
        (tmp_path / rel).write_text(text)
    (tmp_path / "a" / "link.yaml").symlink_to(tmp_path / "a" / "x.yml")
    monkeypatch.chdir(tmp_path)
    under_a = ("a/b/c.yaml", "a/link.yaml", "a/x.yml")
    for given, expected in [(".", (*under_a, "top.json")), ("./", (*under_a, "top.json")),
                            ("a", under_a), ("./a", under_a), ("a/", under_a),
                            ("a//b", ("a/b/c.yaml",)), ("a/x.yml", ("a/x.yml",)),
                            (str(tmp_path), tuple(f"{tmp_path}/{f}"
                                                  for f in (*under_a, "top.json")))]:
        found = discover((given,))
        assert found.files == expected, given
        assert found.sizes == tuple(os.stat(f).st_size for f in expected)


def test_chunks_shrink_towards_the_end_and_cover_every_file_once() -> None:
    from scanner.workers import MAX_CHUNK, MIN_CHUNK, chunked

    files = [f"f{i}" for i in range(1000)]
    chunks = chunked(files, 2)
    assert [f for c in chunks for f in c] == files
    assert [len(c) for c in chunks] == [64] * 8 + [61, 53, 46, 41, 35, 31, 27, 24, 21, 18, 16,
                                                   14, 12, 11, 9, 8, 7, 6, 6, 5] + [4] * 9 + [1]
    assert MAX_CHUNK == 64 and MIN_CHUNK == 4
    assert [len(c) for c in chunked(files[:10], 4)] == [4, 4, 2]
    assert chunked([], 2) == []


def test_the_scanning_process_takes_chunks_and_children_the_others(
        generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --jobs 2 this process scans some chunks itself and one forked child the rest:
    every file exactly once, and progress reported in file order."""
    import scanner.workers
    from scanner.scan import scan_files

    log = tmp_path / "who.txt"

    def logged(paths: list[str], *args: Any, **kwargs: Any) -> Any:
        with log.open("a") as fh:  # appended by each process (small lines: not interleaved)
            fh.write("".join(f"{os.getpid()} {p}\n" for p in paths))
        return scan_files(paths, *args, **kwargs)

    monkeypatch.setattr(scanner.workers, "scan_files", logged)
    seen: list[tuple[int, int, str]] = []
    monkeypatch.setattr("scanner.cli.progress_callback",
                        lambda: lambda done, total, path: seen.append((done, total, path)))
    out = tmp_path / "two.json"
    assert main(["scan", str(generated / "k8s"), "--format", "json", "-o", str(out),
                 "--fail-on", "none", "--no-config", "--jobs", "2"]) == 0
    rows = [line.split(" ", 1) for line in log.read_text().splitlines()]
    files = json.loads(out.read_text())["scan"]["files"]
    assert sorted(p for _pid, p in rows) == sorted(files) and len(files) == 120
    pids = {pid for pid, _p in rows}
    assert str(os.getpid()) in pids and len(pids) == 2
    assert seen == [(i, 120, f) for i, f in enumerate(files, 1)]


def _note_pipes(paths: list[str]) -> Any:
    """In a child: write down how many pipe ends it holds, then scan as usual."""
    import scanner.workers

    pipes = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            pipes += os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:")
        except OSError:
            continue  # the listing's own descriptor, closed by now
    with open(os.environ["WARDSCAN_TEST_PIPES"], "a") as fh:
        fh.write(f"{os.getpid()} {pipes}\n")
    return scanner.workers.scan_files(paths, scanner.workers._scanner, budget=1 << 62)


def test_each_child_holds_only_its_own_pipe_ends(
        generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child keeps the read end of its task pipe and the write end of its result pipe, no
    end of a sibling's, so each child sees the parent go (end of file) on its own: every
    child holds as many pipe ends (a later child would hold two more per earlier one)."""
    import scanner.workers

    log = tmp_path / "pipes.txt"
    monkeypatch.setenv("WARDSCAN_TEST_PIPES", str(log))
    monkeypatch.setattr(scanner.workers, "_scan_chunk", _note_pipes)
    out = tmp_path / "r.json"
    assert main(["scan", str(generated / "k8s"), "--format", "json", "-o", str(out),
                 "--fail-on", "none", "--no-config", "--jobs", "4"]) == 0
    seen = {line.split()[0]: int(line.split()[1]) for line in log.read_text().splitlines()}
    assert len(seen) == 3 and len(set(seen.values())) == 1, seen


def test_jobs_option_is_validated() -> None:
    assert main(["scan", str(ROOT / "examples"), "--jobs", "-1"]) == 2


def test_version_does_not_import_the_engine() -> None:
    code = ("import sys; from scanner.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "import json; print(json.dumps([m for m in sys.modules if m.startswith('scanner')]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    loaded = set(json.loads(out.splitlines()[-1]))
    assert loaded == {"scanner", "scanner.cli", "scanner.cli_output", "scanner.errors"}


def test_a_kubernetes_scan_loads_no_library_it_does_not_need(generated: Path) -> None:
    """rich (terminal report), jsonschema (manifests), python-hcl2 (Terraform), cryptography
    (attest), multiprocessing (several files) and importlib.resources (scanner/packaged.py)
    stay unloaded for one Kubernetes file. Run without this interpreter's start-up hooks
    (``-S``, its folders on the path), which may load some of them themselves."""
    import site

    target = sorted((generated / "k8s").glob("*.yaml"))[0]
    code = ("import sys, json; before = set(sys.modules); from scanner.cli import main\n"
            f"main(['scan', {str(target)!r}, '--format', 'json', '-o', {os.devnull!r}, "
            "'--fail-on', 'none', '--no-config'])\n"
            "heavy = ('rich', 'jsonschema', 'hcl2', 'lark', 'cryptography', 'multiprocessing',"
            " 'concurrent.futures', 'importlib.resources', 'zipfile')\n"
            "print(json.dumps([m for m in heavy if m in sys.modules and m not in before]))")
    path = os.pathsep.join([str(ROOT), *site.getsitepackages(), site.getusersitepackages()])
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": path}).stdout
    assert json.loads(out.splitlines()[-1]) == []


# --- the document builder ----------------------------------------------------------------

class _Generic(yaml.SafeLoader):
    """PyYAML's own constructor, timestamps as strings: what the builder must reproduce."""


_Generic.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _yaml_files() -> list[Path]:
    found = [p for p in (SHARED / "corpus").rglob("*") if p.suffix in (".yaml", ".yml")]
    found += [p for p in (ROOT / "tests" / "fixtures").rglob("*")
              if p.suffix in (".yaml", ".yml")]
    found += list((ROOT / "rules").glob("*.yaml"))
    return sorted(found)


def test_builder_gives_what_pyyaml_gives_on_every_yaml_file() -> None:
    compared = 0
    for path in _yaml_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            expected = list(yaml.load_all(text, Loader=_Generic))
        except yaml.YAMLError:
            continue
        try:
            got = load_documents(text, str(path))
        except ParseError:  # limits refuse some hostile fixtures on purpose
            continue
        assert got == expected, path
        compared += 1
    assert compared > 60


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 0755\nb: 0\nc: 1_000\nd: 0x1f\ne: -3\nf: +4\n",
     {"a": 493, "b": 0, "c": 1000, "d": 31, "e": -3, "f": 4}),
    ("a: yes\nb: Off\nc: ~\nd: 1.5\ne: .inf\nf: 2026-01-02\n",
     {"a": True, "b": False, "c": None, "d": 1.5, "e": float("inf"), "f": "2026-01-02"}),
    ("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n",
     {"base": {"x": 1, "y": 2}, "use": {"x": 1, "y": 3}}),
    ("a: !!binary aGk=\nb: !!str 12\nc: !!set {p, q}\n",
     {"a": b"hi", "b": "12", "c": {"p", "q"}}),
    # quoted and block scalars are strings whatever they look like; keys are built inline
    ("\"1\": '2'\nb: \"true\"\nc: |\n  3\nd: >-\n  null\n4: [\"5\", 6]\n",
     {"1": "2", "b": "true", "c": "3\n", "d": "null", 4: ["5", 6]}),
    ("k: &s shared\nv: *s\n*s : x\n", {"k": "shared", "v": "shared", "shared": "x"}),
])
def test_builder_scalars_merges_and_explicit_tags(text: str, expected: dict[str, Any]) -> None:
    assert load_documents(text, "t.yaml") == [expected]


@pytest.mark.parametrize("text", ["- " * 300 + "x\n", "a: 1\n" + "- " * 300 + "x\n",
                                  "a:\n" + " " * 600 + "b: 1\n"])
def test_too_deep_block_nesting_is_refused_on_any_line(text: str) -> None:
    with pytest.raises(ParseError, match="nested deeper than 256 levels"):
        load_documents(text, "t.yaml")


def test_alias_expansion_is_bounded_whenever_an_alias_is_used() -> None:
    from scanner.limits import Limits

    small = Limits(max_expanded=50)
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, *a, *a]\n"
    with pytest.raises(ParseError, match="aliases expand to more than 50 values"):
        load_documents(text, "t.yaml", small)
    # a "*" that is not an alias costs nothing and refuses nothing
    assert load_documents("glob: '*.yaml'\nx: [" + "1, " * 60 + "]\n", "t.yaml", small)


def test_builder_refuses_unhashable_keys_with_the_line() -> None:
    with pytest.raises(ParseError) as info:
        load_documents("ok: 1\n? [a, b]\n: c\n", "t.yaml")
    assert info.value.line == 2 and "unhashable key" in info.value.message


# --- detector pre-checks -----------------------------------------------------------------

def test_groups_are_ruled_out_only_when_nothing_can_match() -> None:
    plain = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
    assert absent_groups(plain) == frozenset(GROUPS) - {"phi-contact"}  # "v1" has a digit
    assert absent_groups('a: "\\x41"\n') == frozenset()  # an escape can spell anything
    assert "secret-assignments" not in absent_groups("env:\n  - name: API_KEY\n")
    assert "phi-direct" not in absent_groups("note: DOB 1980-01-02\n")
    assert "phi-direct" in absent_groups("livenessProbe: {path: /health}\n")


def test_a_key_spelled_with_escapes_is_still_found(tmp_path: Path, ruleset: Any) -> None:
    key = "hf_" + "aB3dE5gH7jK9mN1pQ3sT5vX7zA2cE4gI6k"[:34].replace("1", "q").replace(
        "3", "r").replace("5", "s").replace("7", "t").replace("9", "u").replace(
        "2", "v").replace("4", "w").replace("6", "x")
    escaped = "".join(f"\\x{ord(c):02x}" for c in key[:3]) + key[3:]
    text = f'apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  t: "{escaped}"\n'
    assert "hf_" not in text
    found = FileScanner(ruleset, ScanOptions()).scan_text("c.yaml", text)[0]
    assert [(f.rule_id, f.location.line) for f in found if f.rule_id == "WS-SEC-001"] == [
        ("WS-SEC-001", 5)]


def _texts_for_hints(generated: Path) -> list[str]:
    paths = [*generated.rglob("*.yaml"), *(SHARED / "corpus").rglob("*"),
             *(ROOT / "tests" / "fixtures").rglob("*")]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(paths)
             if p.is_file()]
    # hand-made edge cases: case, Unicode case folding, the hints at the very ends
    texts += ["PASSWORD=x", "Api_Key: v", "\u212aEY", "ss#", "x://", "pwd =1", "Pwd=1",
              "MiLvUs", "sk-", "AKIA", "123-45-6789", "1EG4-TE5-MK73", "DOB", "Health Plan",
              "mr #", "k\u017fey", "", "\u00e9AKIA", "AKIA\u2019", "token\u2019",
              "1EG4TE5MK73\u2019", "\u00e91EG4TE5MK73"]
    return texts


def test_file_hints_agree_with_the_per_string_patterns(generated: Path) -> None:
    """The file-level looks read the bits of two word sets; each must equal the substring
    tests it stands for, and hold wherever the regex it replaced finds something."""
    import re

    from scanner.detectors.firstlook import FirstLooks
    from scanner.detectors.phi import ALWAYS_WORDS, may_hold_identifier
    from scanner.detectors.secrets import (
        CONNECTION_HINT,
        DEFAULT_HINT,
        DEFAULT_WORDS,
        PROVIDER_HINT,
        PROVIDER_WORDS,
    )
    from scanner.engine.detect_checks import _FILE_HINTS

    old_secret_name = re.compile(r"(?i)pass|secret|token|key|auth|cred|pwd")
    old_ssn_or_mbi = re.compile(
        r"\d{3}-\d{2}-\d{4}|[1-9][A-Z][A-Z0-9]\d-?[A-Z][A-Z0-9]\d-?[A-Z]{2}\d{2}")
    # the name test is_secret_name makes needs one of these words in the lower-cased name
    name_words = ("pass", "secret", "token", "key", "auth", "cred", "pwd")
    checked = 0
    for text in _texts_for_hints(generated):
        low = text.lower()
        looks = FirstLooks(text)
        hints = {g: fn(looks) for g, fn in _FILE_HINTS.items()}
        default = any(w in text for w in DEFAULT_WORDS)
        assert hints == {
            "provider-keys": any(w in text for w in PROVIDER_WORDS),
            "private-keys": "PRIVATE KEY" in text,
            "connection-passwords": "://" in text or default or (
                ("password" in low or "pwd" in low) and CONNECTION_HINT.search(text) is not None),
            "default-credentials": default,
            "phi-direct": may_hold_identifier(text),
            "secret-assignments": any(w in low for w in name_words),
            "phi-contact": any(c.isdecimal() or c == "@" for c in text),
        }, text[:200]
        assert looks.identifier() == may_hold_identifier(text, low, any(
            w in low for w in ALWAYS_WORDS))
        assert hints["provider-keys"] == (PROVIDER_HINT.search(text) is not None)
        assert hints["default-credentials"] == (DEFAULT_HINT.search(text) is not None)
        assert hints["connection-passwords"] >= (CONNECTION_HINT.search(text) is not None)
        if hints["secret-assignments"]:
            assert old_secret_name.search(text) is not None
        assert may_hold_identifier(text) == may_hold_identifier(text, low)
        if old_ssn_or_mbi.search(text) is not None:
            assert hints["phi-direct"]
        checked += 1
    assert checked > 300


def test_provider_patterns_run_only_where_their_literal_text_is(generated: Path) -> None:
    """Each provider pattern is skipped unless one of its words is in the text: every word
    list must name the literal text the pattern itself requires, so the skip loses nothing."""
    import re

    from scanner.detectors import secrets

    pairs = list(zip(secrets._PROVIDERS, secrets._PROVIDER_LITERALS, strict=True))
    for (kind, _label, pattern, _entropy), words in pairs:
        # each word is spelled in the pattern, outside any class or quantifier
        assert all(w in pattern.pattern or re.escape(w) in pattern.pattern for w in words), kind
    # and over real text, gating finds exactly what running every pattern finds
    ungated = [(k, lab, p, e) for k, lab, p, e in secrets._PROVIDERS]
    texts = [*_texts_for_hints(generated),
             "sk-ant-api03-" + "a1B2" * 23 + "xAA", "hf_" + "AbCdEfGhIj" * 3 + "AbCd",
             "AKIAIOSFODNN7EXAMPL2", "x=AIza" + "Sy3-1aB2cD4eF5gH6iJ7kL8mN9oP0qR1sT2u"]
    found = 0
    for text in texts:
        every = [(k, m.start(), m.end()) for k, _l, p, _e in ungated for m in p.finditer(text)]
        gated = [(k, m.start(), m.end()) for ((k, _l, p, _e), words) in pairs
                 if any(w in text for w in words) for m in p.finditer(text)]
        assert gated == every, text[:80]
        found += len(every)
    assert found >= 4


def test_placeholder_splitting_agrees_with_the_plain_dynamic_programme() -> None:
    import random
    import string

    from scanner.detectors import secrets

    def plain(s: str) -> bool:  # the textbook form: s[:i] splits if some s[j:i] is a word
        if not s or len(s) > 64:
            return False
        ok = [True] + [False] * len(s)
        for i in range(1, len(s) + 1):
            ok[i] = any(ok[j] and (s[j:i] in secrets._VOCAB or (s[j:i].isdigit() and i - j <= 4))
                        for j in range(max(0, i - 12), i))
        return ok[-1]

    rng = random.Random(11)
    words = [*sorted(secrets._VOCAB), "1", "22", "333", "4444", "55555", "z", "q"]
    cases = ["yourapikeyhere", "changeme123", "sk-no-key-required", "x" * 64, "x" * 65]
    for _ in range(20_000):
        if rng.random() < 0.5:
            cases.append("".join(rng.choice(words) for _ in range(rng.randint(0, 7))))
        else:
            cases.append("".join(rng.choice(string.ascii_lowercase + string.digits)
                                 for _ in range(rng.randint(0, 70))))
    assert [secrets._segments(c) for c in cases] == [plain(c) for c in cases]
    assert sum(map(secrets._segments, cases)) > 5_000  # both outcomes are well represented


def test_assignment_scan_is_skipped_only_where_it_finds_nothing(generated: Path) -> None:
    from scanner.detectors.secrets import (
        _ASSIGN,
        _ASSIGN_HINT,
        find_assignments,
        find_secret_assignment,
    )

    lines = [line for text in _texts_for_hints(generated) for line in text.splitlines()]
    lines += ["API_KEY=Zx9qLm2Rt7Wv4Kp8", "token: 'ab12CD34ef56GH78'",
              "x.db_password := Qw3rTy9Ui0"]
    hits = 0
    for line in lines:
        full = [m for m in _ASSIGN.finditer(line)
                if find_secret_assignment(m.group("name"), m.group("value")) is not None]
        if full:
            assert _ASSIGN_HINT.search(line) is not None, line
            hits += 1
        assert len(find_assignments(line)) == len(full)
    assert hits >= 3


def test_redaction_first_looks_skip_only_text_with_nothing_to_mask(generated: Path) -> None:
    """redact() calls find_secrets and find_assignments only where the first looks
    ``secret()`` and ``assignment()`` hold, and find_phi only where ``identifier()`` holds: over
    every line of the corpus, the fixtures and the generated files, a skipped line has
    nothing."""
    from scanner.detectors.firstlook import FirstLooks
    from scanner.detectors.phi import find_phi
    from scanner.detectors.secrets import find_assignments, find_secrets

    lines = [line for text in _texts_for_hints(generated) for line in text.splitlines()]
    lines += ["API_KEY=Zx9qLm2Rt7Wv4Kp8", "token: 'ab12CD34ef56GH78'", "Pwd=Qw3rTy9Ui0;",
              "x.db_password := Qw3rTy9Ui0", "postgres://u:Hx7-qP2vR9@db/x", "SSN 372-81-4069",
              "MRN: 00482913", "DOB: 03/12/1984", "Member ID: XYZ482913307"]
    found = {"secret": 0, "assignment": 0, "phi": 0}
    for line in lines:
        looks = FirstLooks(line)
        if find_secrets(line):
            assert looks.secret(), line
            found["secret"] += 1
        if find_assignments(line):
            assert looks.assignment(), line
            found["assignment"] += 1
        if find_phi(line):
            assert looks.identifier(), line
            found["phi"] += 1
    assert min(found.values()) >= 3, found


def test_per_string_looks_never_skip_a_string_the_detectors_report(generated: Path) -> None:
    """run_detect skips a string when its group's first look fails; over every string of the
    corpus, the fixtures and the generated files, a skipped string has nothing to report."""
    from scanner.engine.detect_checks import _in_patient_text, _matches, _may_match, _texts

    scanned = reported = 0
    for path, resources in _input_resources(generated):
        for resource in resources:
            for _container, key, text, name in _texts(resource):
                for group in GROUPS:
                    may = _may_match(group)
                    found = _matches(group, text, name, key)
                    if group == "phi-contact":  # run_detect's own test for contact PHI
                        found = [m for m in found if _in_patient_text(key, name, text)]
                    if found:
                        reported += 1
                        assert may is None or may(text, name, key), (path, group, key)
                    scanned += 1
    assert scanned > 50_000 and reported > 100


def test_word_bit_looks_let_through_what_the_per_string_looks_do(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the build has the C looks, a resource's strings are let through to each word
    group's detectors by their word bits (``_Looked``); over every resource of the corpus,
    the fixtures and the generated files, exactly the strings ``_may_match`` lets through.
    The bits come from the Python reference here (tests/fastlook_check.py holds the C to
    it); with the C looks absent, the per-string looks run."""
    import scanner.engine.detect_checks as detect
    from scanner.detectors.phi import ALWAYS_WORDS, may_hold_identifier

    groups = ("provider-keys", "private-keys", "default-credentials", "connection-passwords",
              "phi-direct", "secret-assignments", "phi-contact")
    kept = dict.fromkeys(groups, 0)
    made = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: k}\ndata:\n"
            "  tls.key: \"-----BEGIN RSA PRIVATE KEY-----\\nMIIB\\n\"\n"
            "  Note: \"MRN 12345678, É PASSWORD=Hosp1tal!2024\"\n"
            "  plan: \"Health Plan 44556677\"\n  chart: \"seen MR# 4455\"\n"
            "  me\u017f\u017fage: \"call 555 0100\"\n  t\u00f6ken_key: \"a8f9c2e1d7b6a5f4\"\n"
            "  FEW_SHOT_EXAMPLES: \"bob@mail.org\"\n  items: [\"API_TOKEN=x8f9c2e1d7b6a5f4q\", "
            "\"note 555-0101\"]\n  \"7\": \"DB_PASSWORD=Hosp1tal!2024x\"\n")
    for path, resources in _input_resources(generated, made=(("made.yaml", made),)):
        for resource in resources:
            monkeypatch.setattr(detect, "fastlook", object())  # the word-bit looks
            by_bits = {g: detect._Looked(resource).candidates(g) for g in groups}
            monkeypatch.setattr(detect, "fastlook", None)
            by_string = detect._Looked(resource)
            for group in groups:
                may = detect._may_match(group)
                want = [row for row in by_string.texts
                        if may is None or may(row[2], row[3], row[1])]
                assert by_bits[group] == by_string.candidates(group) == want, (path, group)
                kept[group] += len(want)
            for row in by_string.texts[:50]:  # the word and label parts given or not
                low = row[2].lower()
                word = any(w in low for w in ALWAYS_WORDS)
                label = "mr" in low or "health" in low
                assert may_hold_identifier(row[2], None, word, label) == \
                    may_hold_identifier(row[2])
    assert all(kept[g] > 0 for g in groups), kept


def test_duplicate_key_walk_skips_only_clean_containers() -> None:
    from scanner.parse.yaml import YMap, marked

    doc = load_documents("a: {x: 1}\nb:\n  c: [1, {k: 1, k: 2}]\nd: [2]\n", "t.yaml")[0]
    assert marked(doc) and marked(doc["b"]) and marked(doc["b"]["c"]) and marked(doc["b"]["c"][1])
    assert not marked(doc["a"]) and not marked(doc["d"])
    # an alias to a mapping that lost a key marks its new parent too
    doc = load_documents("x: &k {k: 1, k: 2}\ny: {z: [*k]}\n", "t.yaml")[0]
    assert marked(doc["y"]) and marked(doc["y"]["z"])
    # merges and data built elsewhere are always walked
    doc = load_documents("b: &b {p: 1}\nm: {<<: *b, p: 2}\n", "t.yaml")[0]
    assert marked(doc["m"]) and not marked(doc["b"])
    assert marked(YMap()) and marked({}) and marked([])


def test_a_duplicate_key_shared_through_an_alias_is_still_reported(ruleset: Any) -> None:
    text = ("apiVersion: v1\nkind: List\nitems:\n"
            "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a},\n"
            "     data: &d {k: '1', k: '2'}}\n"
            "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: {x: *d}}\n")
    found = FileScanner(ruleset, ScanOptions()).scan_text("l.yaml", text)[0]
    assert sorted((f.rule_id, f.resource, f.location.line) for f in found
                  if f.rule_id == "WS-FILE-001") == [("WS-FILE-001", "kubernetes/ConfigMap/a", 5)]


# --- exposer index -------------------------------------------------------------------------

def test_exposer_index_agrees_with_the_plain_search(generated: Path, ruleset: Any) -> None:
    scanner = FileScanner(ruleset, ScanOptions())
    for path in sorted([*generated.rglob("*.yaml"), *(SHARED / "corpus").rglob("*.yaml")]):
        try:
            scanner.scan_text(str(path), read_text(str(path)))
        except ParseError:  # unreadable corpus files are not the point here
            continue
    every = [e for _p, e in scanner.cross.exposers]
    stubs = [s for _i, s in scanner.cross.servers if s is not None]
    stubs += [c.stub for c in scanner.cross.candidates]
    index = ExposerIndex(every)
    assert len(every) > 100 and len(stubs) > 100
    linked = 0
    for stub in stubs:
        expected = exposures(stub, every)
        assert index.exposures(stub) == expected
        linked += bool(expected)
    assert linked > 10


# --- JSON writer ---------------------------------------------------------------------------

TRICKY: dict[Any, Any] = {
    "s": ["é \u2028 \x00 \" \\ \t", "", "日本"], "n": [0, -1, 10**30, 1.5, -0.0, 1e100,
                                                     float("inf"), float("-inf")],
    "c": [None, True, False, [], {}, [[]], {"x": {}}, (1, 2)], 3: "int key", "z": {"b": 1, "a": 2},
}


@pytest.mark.parametrize("sort_keys", [False, True])
def test_jsontext_writes_what_json_dumps_writes(sort_keys: bool) -> None:
    value = TRICKY if not sort_keys else {k: v for k, v in TRICKY.items() if k != 3}
    assert dumps(value, sort_keys) == json.dumps(value, indent=2, ensure_ascii=False,
                                                 sort_keys=sort_keys)
    streamed = {**value, "lazy": Lazy(iter([{"a": 1}, [2]])), "none": Lazy(iter([]))}
    plain = {**value, "lazy": [{"a": 1}, [2]], "none": []}
    assert "".join(iterdump(streamed, sort_keys)) == json.dumps(
        plain, indent=2, ensure_ascii=False, sort_keys=sort_keys)


def test_finding_text_writes_what_the_generic_writer_writes(generated: Path,
                                                            ruleset: Any) -> None:
    import dataclasses

    from scanner.models import Location, Suppression
    from scanner.report.json_report import FindingText, finding_dict

    scanner = FileScanner(ruleset, ScanOptions())
    found = []
    paths = [*generated.rglob("*.yaml"), *(SHARED / "corpus").rglob("*"),
             *(ROOT / "examples").rglob("*")]
    for path in sorted(p for p in paths if p.is_file()):
        try:
            found += scanner.scan_text(str(path), read_text(str(path)))[0]
        except ParseError:
            continue
    odd = found[0]
    found += [  # what the corpus may not have: every suppression shape, odd text, no refs
        dataclasses.replace(odd, suppression=Suppression("inline", "accepted \u2028 risk",
                                                         None, Location("a.yaml", 3, 1))),
        dataclasses.replace(odd, suppression=Suppression("config", "r", "2027-01-01", None)),
        dataclasses.replace(odd, references=(), related=(Location("b\"x.yaml", 9, 2),),
                            message="tab\t, quote \", control \x01, emoji \U0001F600"),
    ]
    assert sum(1 for f in found if f.related) > 10
    text = FindingText()
    for f in found:
        for nl in ("\n    ", "\n"):
            assert text(f, nl) == dumps(finding_dict(f), nl=nl)
            assert json.loads(text(f, nl)) == finding_dict(f)


def test_lazy_lists_stream_in_bounded_chunks() -> None:
    """A report's findings are handed to the writer in chunks of about 64 KB, whether each is
    written from a dict or directly as text (a regression once buffered 4,096 whole findings,
    some 6 MB, before writing)."""
    items = [{"id": i, "text": "x" * 1000} for i in range(3000)]
    for lazy in (Lazy(iter(items)),
                 Lazy(iter(items), text=lambda item, nl: dumps(item, nl=nl))):
        chunks = list(iterdump({"findings": lazy}))
        assert "".join(chunks) == json.dumps({"findings": items}, indent=2)
        assert len(chunks) > 20 and max(map(len, chunks)) < 80_000


def test_jsontext_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        dumps({"a": object()})


# --- benchmark smoke check ------------------------------------------------------------------

def test_benchmark_runs_at_the_smallest_size(tmp_path: Path) -> None:
    """CI runs the benchmark once, small, to keep it working; timings are not asserted."""
    env = {**os.environ, "WARDSCAN_SHARED": str(SHARED)}
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "100",
                          "--formats", "k8s", "--repeat", "1", "--work", str(tmp_path),
                          "--json", str(tmp_path / "rows.json")],
                         capture_output=True, text=True, env=env, check=True).stdout
    rows = json.loads((tmp_path / "rows.json").read_text())
    assert [(r["size"], r["tool"]) for r in rows] == [
        (100, "wardscan"), (100, "wardscan --jobs 1"), (100, "parse floor")]
    assert all(r["wall_s"] > 0 and r["peak_rss_mb"] > 0 for r in rows)
    assert "k8s, 100 files: wardscan --jobs 1 / floor = " in out
    assert "# bare interpreter start-up (python -c pass, median of 9): wardscan and floor " in out
    libyaml = Path("/usr/include/yaml.h").is_file()
    modules = "_fastwalk, _fastlook" + (", _fastyaml" if libyaml else "")
    assert f"wardscan installed in {tmp_path / 'wardscan-venv'} (C modules: {modules})" in out
    report = json.loads((tmp_path / "out.json").read_text())
    assert len(report["scan"]["files"]) == 100 and report["findings"]
    # the timed wardscan is the installed copy, with its bytecode compiled by pip
    site = next((tmp_path / "wardscan-venv" / "lib").glob("python3*/site-packages"))
    assert (site / "scanner" / "cli.py").exists() and list((site / "scanner" / "__pycache__")
                                                          .glob("cli.*.pyc"))
    # it and the floor start as a clean venv does: this interpreter's folders are on the
    # path, its start-up hooks (.pth files) are not run
    venv = tmp_path / "wardscan-venv"
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    import yaml

    probe = "import sys, yaml, click; print(sorted(set(sys.modules) & {'certifi'}), yaml.__file__)"
    assert subprocess.run([str(venv / "bin" / "python"), "-c", probe], capture_output=True,
                          text=True, check=True).stdout == f"[] {yaml.__file__}\n"


def _die(paths: list[str]) -> None:
    os._exit(3)  # a worker killed mid-scan (the out-of-memory killer, say)


class _Unpicklable(Exception):
    def __reduce__(self) -> Any:
        raise TypeError("not this one")


def _fail(paths: list[str]) -> None:
    raise ValueError("boom in a child")


def _fail_oddly(paths: list[str]) -> None:
    raise _Unpicklable("odd")


@pytest.mark.parametrize(("raiser", "message"), [
    (_fail, "ValueError: boom in a child"),
    (_fail_oddly, "RuntimeError: _Unpicklable: odd")])
def test_what_a_child_raises_is_reported_as_this_process_would(
        generated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        raiser: Any, message: str) -> None:
    """A bug in a child is raised again here (an internal error, exit 2), and no child is
    left behind, on this path or the others."""
    import scanner.workers

    monkeypatch.setattr(scanner.workers, "_scan_chunk", raiser)
    assert main(["scan", str(generated / "k8s"), "--jobs", "3", "--no-config"]) == 2
    assert capsys.readouterr().err == (f"error: internal error: {message} (run with --debug "
                                       "for details)\n")
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was waited for


def test_a_dead_worker_stops_the_scan_with_an_error(
        generated: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import scanner.workers

    monkeypatch.setattr(scanner.workers, "_scan_chunk", _die)
    assert main(["scan", str(generated / "k8s"), "--jobs", "2", "--no-config"]) == 2
    assert capsys.readouterr().err == ("error: a worker process stopped unexpectedly (out of "
                                       "memory?); run again with --jobs 1\n")
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the dead child was waited for


# --- engine values ---------------------------------------------------------------------------

def test_records_sent_by_workers_survive_pickling(generated: Path, ruleset: Any) -> None:
    """Findings and linking records are pickled by constructor (faster than the generated
    __setstate__); every field must come back, including nested and optional ones."""
    import pickle

    from scanner.scan import scan_files

    files = sorted(str(p) for p in generated.rglob("*.yaml"))[:80]
    batch = scan_files(files, FileScanner(ruleset, ScanOptions()), budget=1 << 40)
    back = pickle.loads(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    assert batch.findings and batch.cross.exposers and batch.cross.candidates
    for before, after in zip(batch.findings, back.findings, strict=True):
        assert [getattr(after, n) for n in before.__slots__] == [
            getattr(before, n) for n in before.__slots__]
    assert back.cross.exposers == batch.cross.exposers
    assert [c.finding.fingerprint for c in back.cross.candidates] == [
        c.finding.fingerprint for c in batch.cross.candidates]
    for cls in {type(f.location) for f in batch.findings} | {type(batch.findings[0])}:
        assert "pickled_by_constructor" in cls.__reduce__.__qualname__


def test_select_raw_agrees_with_select_and_refs_compare_by_identity() -> None:
    from scanner.engine.paths import Ref, parse_path, select, select_raw

    doc = {"a": [{"b": 1}, {"c": 2}, 3], "d": {"e": {"f": None}}}
    root = Ref(doc, None)
    for path in ("a[*].b", "a[*].*", "a[1].c", "a[9]", "d.e.f", "d.*.g", "x.y", ""):
        segs = parse_path(path)
        hits, misses = select(doc, root, segs)
        raw_hits, raw_misses = select_raw(doc, segs)
        assert [v for v, _r in hits] == [v for v, _c, _k in raw_hits]
        assert [(r.container, r.key) for _v, r in hits] == [
            (doc, None) if c is None else (c, k) for _v, c, k in raw_hits]
        assert [(r.container, r.key) for r in misses] == [
            (doc, None) if c is None else (c, k) for c, k in raw_misses]
    same, equal_copy = Ref(doc["d"], "e"), Ref({"e": {"f": None}}, "e")
    assert same == Ref(doc["d"], "e") and hash(same) == hash(Ref(doc["d"], "e"))
    assert same != equal_copy  # another container with equal contents is another place


def _full_walk_paths(root: Any, limit: int = 10_000) -> dict[int, str]:
    """The fingerprint path of every container, from one whole depth-first walk (the form
    the resumable walk replaced)."""
    from scanner.engine.findings import _path_of

    parents: dict[int, tuple[int, Any]] = {}
    stack: list[tuple[Any, int, Any]] = [(root, -1, None)]
    while stack and limit > 0:
        value, parent, key = stack.pop()
        limit -= 1
        if id(value) in parents or not isinstance(value, dict | list):
            continue
        parents[id(value)] = (parent, key)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        stack.extend([(v, id(value), k) for k, v in items if isinstance(v, dict | list)])
    return {vid: _path_of(parents, vid) for vid in parents}


def _containers(value: Any) -> list[Any]:
    out, stack, seen = [], [value], set()
    while stack:
        v = stack.pop()
        if isinstance(v, dict | list) and id(v) not in seen:
            seen.add(id(v))
            out.append(v)
            stack.extend(v.values() if isinstance(v, dict) else v)
    return out


def test_resumable_fingerprint_walk_gives_the_paths_of_one_whole_walk(generated: Path) -> None:
    """logical_path pauses its walk at the container asked for; asked in any order, it gives
    every container the path a whole walk gives, aliases and the walk's size limit included."""
    import random

    from scanner.engine import findings
    from scanner.engine.paths import Ref

    rng = random.Random(5)
    texts = [p.read_text() for p in sorted(generated.rglob("*.yaml"))[:60]]
    texts += [p.read_text() for p in sorted((SHARED / "corpus").rglob("*.yaml"))]
    texts.append("a: &x {k: [1, {z: 2}]}\nb: [*x, {y: *x}]\nc: {<<: *x, m: 1}\n")
    checked = 0
    for text in texts:
        try:
            docs = load_documents(text, "t.yaml")
        except ParseError:
            continue
        for doc in docs:
            for limit in (10_000, 7):
                want = _full_walk_paths(doc, limit)
                containers = _containers(doc)
                rng.shuffle(containers)
                findings._walks.clear()
                for c in containers:
                    got = findings.logical_path(doc, Ref(c, None), limit)
                    assert got == want.get(id(c), ""), (got, want.get(id(c)))
                    checked += 1
    findings._walks.clear()
    assert checked > 5_000


def test_scan_runs_with_fewer_collections_and_restores_the_collector(
        tmp_path: Path, ruleset: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from scanner import scan as scan_module

    seen: list[tuple[tuple[int, int, int], int]] = []
    real = scan_module.scan_files

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append((gc.get_threshold(), gc.get_freeze_count()))
        return real(*args, **kwargs)

    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    before = gc.get_threshold()
    monkeypatch.setattr(scan_module, "scan_files", spy)
    scan_module.scan(ScanOptions(paths=(str(tmp_path),)), ruleset)
    assert len(seen) == 1
    (threshold, frozen) = seen[0]
    assert threshold == (scan_module.GC_YOUNG_THRESHOLD, before[1], before[2])
    assert frozen > 1000  # the modules and compiled rules, kept out of every pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_rule_plans_compile_only_the_rules_of_the_kinds_met() -> None:
    from scanner.engine.conditions import LazyCheck
    from scanner.engine.packs import EAGER_AFTER, load_rules

    rules = load_rules()  # a fresh set: nothing compiled yet
    lazy = [r for r in rules.rules if isinstance(r.assert_, LazyCheck)]
    assert lazy and all(r.assert_._fn is None for r in lazy)
    kind = "kubernetes/Service"
    # the first resources of a kind get the rules' own (lazy) conditions: nothing compiled
    for _ in range(EAGER_AFTER):
        plans = rules.plan_for(kind)
        assert [p[1:] for p in plans] == [(r.where, r.where_each, r.assert_)
                                          for r in rules.for_kind(kind)]
    assert all(r.assert_._fn is None for r in lazy)
    # then every condition of that kind, compiled, and kept
    plans = rules.plan_for(kind)
    assert [p[0] for p in plans] == list(rules.for_kind(kind))
    for rule, where, _each, assert_ in plans:
        if isinstance(rule.assert_, LazyCheck):
            assert assert_ is rule.assert_._fn is not None
        if isinstance(rule.where, LazyCheck):
            assert where is rule.where._fn is not None
    others = [r for r in lazy if r not in {p[0] for p in plans}]
    assert others and all(r.assert_._fn is None for r in others)
    assert rules.plan_for(kind) is plans


@pytest.mark.parametrize(("where_each", "guard"), [
    ({"path": "server", "equals": "ollama"}, ("server", frozenset({"ollama"}))),
    ({"all": [{"path": "role", "exists": True}, {"path": "a.b", "in": ["x", "y"]}]},
     ("a.b", frozenset({"x", "y"}))),
    ({"path": "server", "in": ["x", True]}, None),  # a boolean compares by identity
    ({"path": "server", "equals": 3}, None),
    ({"path": "$.server", "equals": "x"}, None),  # the resource's, not the element's
    ({"path": "ports[*]", "equals": "x"}, None),  # not a plain path
    ({"path": "server", "equals": "x", "match": "all"}, None),
    ({"any": [{"path": "server", "equals": "x"}, {"path": "a", "exists": True}]}, None),
    ({"not": {"path": "server", "equals": "x"}}, None),
])
def test_a_rule_is_guarded_only_by_a_value_its_where_each_requires(
        where_each: dict[str, Any], guard: tuple[str, frozenset[str]] | None) -> None:
    from scanner.engine.packs import guard_of

    raw = {"for_each": "containers[*]", "where_each": where_each}
    found = guard_of(raw)
    if guard is None:
        assert found is None
    else:
        assert found is not None and (found[0], ".".join(found[1]), found[2]) == (
            f"containers[*]\0{guard[0]}", *guard)
    assert guard_of({"where_each": where_each}) is None  # no for_each
    assert guard_of({**raw, "check": "detect"}) is None


def test_guards_skip_only_rules_that_find_and_apply_nothing(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule of every pack, with and without its guard, on the corpus, the fixtures,
    the examples and the generated files: the same findings and the same applied rules."""
    import dataclasses

    import scanner.engine.evaluate as evaluation
    from scanner.engine.packs import RuleSet, load_rules
    from tests.conftest import TODAY

    loaded = load_rules()
    every = loaded.select(enable=tuple(p.id for p in loaded.packs))
    guarded = {r.id for r in every.rules if r.guard is not None}
    assert {"WS-SRV-OLLAMA-001", "WS-SRV-VLLM-001", "WS-WL-SEC-001"} <= guarded
    plain = RuleSet(tuple(dataclasses.replace(r, guard=None) for r in every.rules), every.packs)
    skips = [0, 0]  # (rule, resource) pairs skipped, and let through
    values_of = evaluation._guarded_values

    def counted(rule: Any, guard: Any, ctx: Any, shared: Any) -> set[str]:
        values = values_of(rule, guard, ctx, shared)
        skips[0 if guard[2].isdisjoint(values) else 1] += 1
        return values

    monkeypatch.setattr(evaluation, "_guarded_values", counted)
    for path, resources in _input_resources(generated, ROOT / "examples"):
        applied: tuple[set[str], set[str]] = (set(), set())
        assert evaluation.evaluate(resources, every, TODAY, applied[0]) == \
            evaluation.evaluate(resources, plain, TODAY, applied[1]), path
        assert applied[0] == applied[1], path
    assert skips[0] > 5_000 and skips[1] > 500


def test_built_in_patterns_skip_the_redos_check_and_other_packs_do_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Lazy conditions (the built-in packs, whose patterns test_packs checks with
    ``check_builtin``) compile without the ReDoS check; every other condition still has it."""
    from scanner.engine import regex_safety
    from scanner.engine.conditions import ConditionError, LazyCheck, compile_condition
    from scanner.engine.paths import Ref

    checked: list[str] = []

    def refuse(pattern: str) -> None:
        checked.append(pattern)
        raise regex_safety.UnsafeRegex("refused")

    monkeypatch.setattr(regex_safety, "check_regex", refuse)
    spec = {"any": [{"not": {"path": "a", "matches": "^x+$"}},
                    {"path": "b", "some": {"path": "c", "matches": "y"}}]}
    lazy = LazyCheck(spec, ("rules", 0, "assert"))
    doc = {"a": "xx", "b": [{"c": "zy"}]}
    assert lazy(doc, Ref(doc, None), None)[0]  # type: ignore[arg-type]
    assert checked == []
    with pytest.raises((ConditionError, regex_safety.UnsafeRegex)):
        compile_condition(spec)
    assert checked == ["^x+$"]


def test_secret_value_tests_answer_as_their_plain_forms(generated: Path) -> None:
    """is_reference and looks_random split their patterns in two (``^`` branches apart),
    _segments tries only the words that start with the next letter, and entropy reads its
    terms from a table: on corpus lines and words, generated files and made values, each
    answers as its plain form (kept here) does, entropy to the last bit."""
    import math
    import random
    import re
    from collections import Counter

    from scanner.detectors import secrets

    reference = re.compile(  # the single pattern is_reference used
        r"\$\{|\$\(|\{\{|\}\}|#\{|%\(\w+\)s|%[sdv](?!\w)|\{[^{}\s]*\}|^\{|<[^<>]*>|^%\w+%$|^@\w+@$"
        r"|^\$[A-Za-z_]\w*$|^ENC\[|\$ANSIBLE_VAULT|^!vault|os\.environ|secretKeyRef|valueFrom"
        r"|^(?:vault|op|sm|awssm|gcpsm|azkv|akv|secrets?|env|file|ref|keyvault):|^arn:"
        r"|^projects/[^/]+/secrets/|@Microsoft\.KeyVault\(|^(?:var|local|data|module)\.\w"
        r"|^[A-Za-z_][\w.]*\(|^(?:argon2|sha1|sha256|sha512|pbkdf2[\w-]*|bcrypt|scrypt):"
        r"|^\$\$?(?:2[aby]|argon2\w*|[156])\$", re.ASCII)
    path = re.compile(r"^(?:/|\./|\.\./|~/|[A-Za-z]:\\)|\.(?:pem|key|crt|cer|json|ya?ml|txt|p12"
                      r"|pfx|jks)$|://")

    def segments(s: str) -> bool:  # every piece of up to 12 characters, as it was
        n = len(s)
        if not s or n > 64:
            return False
        ok = [True] + [False] * n
        for j in range(n):
            if ok[j]:
                for i in range(j + 1, min(n, j + 12) + 1):
                    piece = s[j:i]
                    if piece in secrets._VOCAB or (i - j <= 4 and piece.isdigit()):
                        ok[i] = True
        return ok[n]

    rng = random.Random(3)
    vocab = sorted(secrets._VOCAB)
    pieces = ["${", "$(", "{{", "}}", "%(x)s", "%s", "{a}", "{", "<x>", "%X%", "@x@", "$VAR",
              "ENC[", "!vault", "secretKeyRef", "vault:", "arn:", "projects/p/secrets/", "var.x",
              "f(", "sha256:", "$2a$", "/etc", "./x", "~/", "C:\\", ".pem", "://", " ", "x",
              "\u00e9", "1", "Zx9", "-", "_"]
    values = [line for text in _texts_for_hints(generated) for line in text.splitlines()]
    values += [w for line in values[:20_000] for w in line.split()]
    values += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
               for _ in range(10_000)]
    cores = ["".join(rng.choice([*vocab, "1", "12", "12345", "q"]) for _ in range(
        rng.randint(1, 8))) for _ in range(10_000)]
    counts = {"reference": 0, "random": 0, "segments": 0}
    for v in values:
        stripped = v.strip().strip("\"'")
        assert secrets.is_reference(v) == (reference.search(stripped) is not None), v
        n = len(v)
        plain = -sum(c / n * math.log2(c / n) for c in Counter(v).values()) if n else 0.0
        assert secrets.entropy(v) == plain, v
        assert (path.search(v) is not None) == (secrets._PATH_START.match(v) is not None
                                                 or secrets._PATH.search(v) is not None), v
        counts["reference"] += secrets.is_reference(v)
        counts["random"] += secrets.looks_random(v)
    for core in cores + [secrets._NOT_ALNUM.sub("", v.lower()) for v in values]:
        assert secrets._segments(core) == segments(core), core
        counts["segments"] += secrets._segments(core)
    assert min(counts.values()) > 500, counts


def test_word_trie_finds_a_word_exactly_when_one_occurs() -> None:
    import random
    import re

    from scanner.detectors.phi import ALWAYS_WORDS, word_trie

    rng = random.Random(5)
    alphabet = "abs.#-"
    for _ in range(3_000):
        words = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
                        for _ in range(rng.randint(1, 6))})
        text = "".join(rng.choice(alphabet + "xy") for _ in range(rng.randint(0, 30)))
        found = re.search(word_trie(words), text) is not None
        assert found == any(w in text for w in words), (words, text)
    assert re.fullmatch(word_trie(ALWAYS_WORDS), "d.o.b") and not re.search(
        word_trie(ALWAYS_WORDS), "dxoxb")


def test_pending_locations_read_as_the_locations_looked_up_at_once() -> None:
    """Workload views record most locations as pending (looked up when read); they read as
    what ``loc`` gives at once, through every way of reading them (the golden reports check
    the lines of real findings)."""
    from scanner.adapters.synth import Locs, SynthMap, SynthSeq, locate_key, pending
    from scanner.adapters.workload import loc

    doc = load_documents("a:\n  b: 1\n  c:\n    - x\n    - y\n", "f.yaml")[0]
    eager = [loc("f.yaml", doc, "a"), loc("f.yaml", doc["a"], "c"), loc("f.yaml", doc["a"]["c"], 1)]
    assert [(w.line, w.column) for w in eager] == [(1, 1), (3, 3), (5, 7)]
    locs = Locs()
    locs["a"] = pending("f.yaml", doc, "a")
    locs["c"] = pending("f.yaml", doc["a"], "c")
    locs[1] = pending("f.yaml", doc["a"]["c"], 1)
    assert list(locs.values()) == eager and [k for k, _ in locs.items()] == ["a", "c", 1]
    assert locs.get("a") == eager[0] and locs.get("zz", 7) == 7 and locs[1] == eager[2]
    view, seq = SynthMap(pending("f.yaml", doc, "a")), SynthSeq(pending("f.yaml", doc["a"], "c"))
    assert (view.origin, seq.origin) == (eager[0], eager[1])
    # a key the container lacks falls back to the default, as loc does
    missing = pending("f.yaml", doc["a"], "nope", eager[1])
    assert locate_key(*missing) == loc("f.yaml", doc["a"], "nope", eager[1])
