"""Rule packs: shipped packs are complete; broken packs are refused with file, line and rule id."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.engine.packs import RuleSet, load_rules
from scanner.errors import RulePackError

GOOD_RULE = """\
  - id: {rid}
    title: A test rule for the pack loader
    severity: high
    applies_to: [AIDeployment]
    summary: Checks a thing for the test.
    rationale: Because the test needs it.
    remediation: Set the thing to true.
    references: [{{framework: hipaa, control: "164.312(b)"}}]
    message: "thing is not set"
    assert: {{path: thing, equals: true}}
    examples: {{bad: "x", good: "y"}}
"""
HEAD = "pack: {id: test-pack, name: Test pack, version: 1.0.0}\nrules:\n"


def write(tmp_path: Path, body: str, name: str = "pack.yaml") -> str:
    path = tmp_path / name
    path.write_text(HEAD + body)
    return str(path)


def problems(path: str) -> list[str]:
    with pytest.raises(RulePackError) as info:
        load_rules([path], builtin=False)
    return info.value.problems


def test_shipped_packs_pass_every_check() -> None:
    """Run time skips the schema and catalogue checks for built-in packs; this is where they
    are made, so a broken built-in pack fails the build."""
    assert len(load_rules(check_builtin=True).rules) == len(load_rules().rules)


def test_the_committed_pack_snapshot_is_current() -> None:
    """Regenerate with ``python3 -m scanner.engine.snapshot`` after editing a pack."""
    from scanner.engine import snapshot
    from scanner.engine.packs import builtin_pack_files

    shipped = Path(__file__).resolve().parents[1] / "rules" / snapshot.FILE
    assert shipped.read_text(encoding="utf-8") == snapshot.text(builtin_pack_files())


def _comparable(ruleset: RuleSet) -> list[dict[str, object]]:
    import dataclasses

    out = []
    for rule in ruleset.rules:
        fields = {f.name: getattr(rule, f.name) for f in dataclasses.fields(rule)}
        for key in ("where", "where_each", "assert_"):  # lazily compiled: compare the specs
            fields[key] = getattr(fields[key], "_spec", fields[key])
        out.append(fields)
    return out


def test_snapshot_gives_the_rules_the_yaml_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.engine.packs import PackLoader

    fast = load_rules()
    calls: list[str] = []
    original = PackLoader._snapshotted

    def spy(self: PackLoader, name: str, digest: str) -> object:
        calls.append(name)
        return original(self, name, digest)

    monkeypatch.setattr(PackLoader, "_snapshotted", spy)
    assert _comparable(load_rules()) == _comparable(fast) and len(calls) >= 10
    monkeypatch.setattr(PackLoader, "_snapshotted", lambda *_a: None)
    slow = load_rules()
    assert _comparable(slow) == _comparable(fast) and slow.packs == fast.packs
    assert [r.line for r in fast.rules if r.id == "WS-SRV-VLLM-002"] == [
        next(i for i, line in enumerate(
            (Path(__file__).resolve().parents[1] / "rules" / "ai-servers.yaml").read_text()
            .splitlines(), 1) if "id: WS-SRV-VLLM-002" in line)]


def test_an_edited_builtin_pack_is_read_from_its_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    import scanner.engine.packs as packs

    original = packs.builtin_pack_files()
    edited = [(name, data.replace(b"title: vLLM development mode is on",
                                  b"title: vLLM dev mode is on"))
              for name, data in original]
    assert edited != original
    monkeypatch.setattr(packs, "builtin_pack_files", lambda: edited)
    rule = load_rules().get("WS-SRV-VLLM-002")
    assert rule is not None and rule.title.startswith("vLLM dev mode is on")


def test_shipped_packs_load_with_unique_ids_and_docs(ruleset: RuleSet) -> None:
    ids = [r.id for r in ruleset.rules]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 35
    assert {p.id for p in ruleset.packs} >= {"manifest", "hipaa-security", "phi-ai-governance"}
    for r in ruleset.rules:
        assert r.summary and r.rationale and r.remediation and r.references, r.id
        assert r.bad_examples and r.good_examples, r.id


def test_a_valid_user_pack_loads(tmp_path: Path) -> None:
    rules = load_rules([write(tmp_path, GOOD_RULE.format(rid="X-TEST-001"))], builtin=False)
    assert [r.id for r in rules.rules] == ["X-TEST-001"]
    assert rules.rules[0].line == 3


def test_schema_problem_names_file_line_and_rule(tmp_path: Path) -> None:
    body = GOOD_RULE.format(rid="X-TEST-001").replace("severity: high", "severity: severe")
    path = write(tmp_path, body)
    assert problems(path) == [
        f"error: {path}:5: X-TEST-001: rules[0].severity: "
        "must be one of: critical, high, medium, low, info"
    ]


def test_unknown_operator_and_bad_regex_are_each_reported(tmp_path: Path) -> None:
    body = GOOD_RULE.format(rid="X-TEST-001").replace(
        "assert: {path: thing, equals: true}", "assert: {path: thing, equal: true}"
    ) + GOOD_RULE.format(rid="X-TEST-002").replace(
        "assert: {path: thing, equals: true}", "assert: {path: thing, matches: '(a'}"
    )
    path = write(tmp_path, body)
    got = problems(path)
    assert len(got) == 2
    assert got[0].startswith(f"error: {path}:12: X-TEST-001: rules[0].assert: ")
    assert "equal" in got[0]
    assert got[1].startswith(f"error: {path}:23: X-TEST-002: rules[1].assert.matches: ")
    assert "bad operand for 'matches'" in got[1]


def test_duplicate_rule_ids_across_packs(tmp_path: Path) -> None:
    a = write(tmp_path, GOOD_RULE.format(rid="X-TEST-001"), "a.yaml")
    write(tmp_path, GOOD_RULE.format(rid="X-TEST-001"), "b.yaml")
    got = problems(str(tmp_path))
    assert got == [f"error: {tmp_path / 'b.yaml'}:3: X-TEST-001: duplicate rule id (also in {a}; "
                   "to replace a built-in rule, extend its pack)"]


def test_missing_required_field_points_at_the_rule(tmp_path: Path) -> None:
    body = GOOD_RULE.format(rid="X-TEST-001").replace("    rationale: Because the test needs it.\n",
                                                      "")
    path = write(tmp_path, body)
    assert problems(path) == [
        f"error: {path}:3: X-TEST-001: rules[0]: 'rationale' is a required property"
    ]


def test_invalid_yaml_pack(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("pack: [\n")
    got = problems(str(path))
    assert len(got) == 1 and got[0].startswith(f"error: {path}:2: invalid YAML")


def test_folder_without_packs(tmp_path: Path) -> None:
    assert problems(str(tmp_path)) == [f"error: {tmp_path}: no rule packs (*.yaml) in this folder"]
