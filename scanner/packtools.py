"""Tools for people who write rule packs: ``wardscan rules validate`` and ``rules test``.

``validate`` loads the packs with the built-in ones (so duplicates and ``extends`` are
checked) and also makes sure every example parses into something wardscan reads.
``test`` runs every rule's own examples and any fixture files annotated in the Semgrep
style: ``# ruleid: RULE_ID`` above a line that must get a finding of that rule, and
``# ok: RULE_ID`` above a line that must not (``//`` comments work too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scanner.engine.packs import RuleSet, load_rules, user_pack_files
from scanner.engine.rules import EXAMPLE_DATE, Rule
from scanner.engine.selftest import example_problems

_ANNOTATION = re.compile(r"(?:#|//)\s*(ruleid|ok)\s*:\s*([A-Za-z0-9_,\- ]+?)\s*$")
FIXTURE_SUFFIXES = (".yaml", ".yml", ".tf", ".json")


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def _is_pack(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8")[:4096]
    except (OSError, UnicodeDecodeError):
        return False
    return bool(re.search(r"^pack\s*:", head, re.M)) and bool(re.search(r"^rules\s*:", head,
                                                                        re.M))


def split_paths(paths: tuple[str, ...]) -> tuple[list[str], list[Path]]:
    """(pack files, fixture files) under the given files and folders."""
    packs: list[str] = []
    fixtures: list[Path] = []
    for given in paths:
        p = Path(given)
        files = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
        for f in files:
            if f.suffix not in FIXTURE_SUFFIXES:
                continue
            if _is_pack(f):
                packs.append(str(f))
            else:
                fixtures.append(f)
    return packs, fixtures


def user_rules(packs: list[str]) -> tuple[RuleSet, list[Rule]]:
    """All rules (built-in + user), and the user's own, validated together."""
    ruleset = load_rules(tuple(packs))
    sources = {name for path in packs for name, _data in user_pack_files(path)}
    return ruleset, [r for r in ruleset.rules if r.source in sources]


def validate(paths: tuple[str, ...]) -> list[Outcome]:
    packs, _fixtures = split_paths(paths)
    _ruleset, mine = user_rules(packs)
    out = []
    for rule in mine:
        parse = [p for p in example_problems(rule)
                 if "does not parse" in p or "not a document" in p or "marks no line" in p]
        out.append(Outcome(rule.id, tuple(parse)))
    return out


def _expectations(text: str) -> dict[tuple[str, int], bool]:
    """(rule id, line) -> True (must fire) / False (must not), from annotations."""
    lines = text.splitlines()
    out: dict[tuple[str, int], bool] = {}
    for i, line in enumerate(lines, 1):
        m = _ANNOTATION.search(line)
        if m is None:
            continue
        target = next((j for j in range(i + 1, len(lines) + 1)
                       if lines[j - 1].strip() and not _ANNOTATION.search(lines[j - 1])), None)
        if target is None:
            continue
        for rule_id in re.split(r"[,\s]+", m.group(2).strip()):
            out[(rule_id.upper(), target)] = m.group(1) == "ruleid"
    return out


def check_fixture(path: Path, rules: list[Rule]) -> Outcome:
    import datetime as dt

    from scanner.errors import ParseError
    from scanner.scan import FileScanner, ScanOptions, read_text

    want = _expectations(path.read_text(encoding="utf-8", errors="replace"))
    if not want:
        return Outcome(str(path), (f"{path}: no '# ruleid:' or '# ok:' annotations",))
    ids = {r for r, _line in want}
    chosen = RuleSet(tuple(r for r in rules if r.id in ids), ())
    unknown = sorted(ids - {r.id for r in chosen.rules})
    if unknown:
        return Outcome(str(path), tuple(f"{path}: unknown rule {u}" for u in unknown))
    scanner = FileScanner(chosen, ScanOptions(today=dt.date.fromisoformat(EXAMPLE_DATE)))
    try:
        findings, _count = scanner.scan_text(str(path), read_text(str(path)))
    except ParseError as exc:
        return Outcome(str(path), (f"{path}: does not parse: {exc.message}",))
    findings += scanner.cross.resolve()
    got = {(f.rule_id, f.location.line) for f in findings}
    problems = []
    for (rule_id, line), must in sorted(want.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if must and (rule_id, line) not in got:
            problems.append(f"{path}:{line}: expected {rule_id}, got none")
        if not must and (rule_id, line) in got:
            problems.append(f"{path}:{line}: {rule_id} fired but the line is marked ok")
    for rule_id, line in sorted(got, key=lambda x: (x[1], x[0])):
        if (rule_id, line) not in want:
            problems.append(f"{path}:{line}: unexpected {rule_id} (not annotated)")
    return Outcome(str(path), tuple(problems))


def run_tests(paths: tuple[str, ...]) -> list[Outcome]:
    packs, fixtures = split_paths(paths)
    ruleset, mine = user_rules(packs)
    out = [Outcome(rule.id, tuple(example_problems(rule))) for rule in mine]
    out += [check_fixture(f, list(ruleset.rules)) for f in fixtures]
    return out


def report(outcomes: list[Outcome]) -> str:
    lines = []
    for o in outcomes:
        lines.append(f"{'PASS' if o.passed else 'FAIL'} {o.name}")
        lines += [f"  {p}" for p in o.problems]
    passed = sum(1 for o in outcomes if o.passed)
    lines.append(f"{passed} passed, {len(outcomes) - passed} failed")
    return "\n".join(lines) + "\n"
