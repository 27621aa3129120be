"""Custom packs: validate, test (examples and Semgrep-style fixtures), extends, docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from scanner.cli import main
from scanner.engine.packs import load_rules
from scanner.errors import RulePackError

README_PACK = (ROOT / "README.md").read_text().split("## Writing a rule", 1)[1].split(
    "```yaml\n", 1)[1].split("```", 1)[0]
FIXTURE = """\
apiVersion: wardscan/v1
kind: AIDeployment
metadata: {name: x}
data: {phi: true}
vendors:
  # ruleid: MGH-VEND-001
  - name: acme
    receives_phi: true
  # ok: MGH-VEND-001
  - {name: good, receives_phi: true, zero_data_retention: true}
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def make_pack(tmp_path: Path, text: str = README_PACK) -> Path:
    folder = tmp_path / "policy"
    (folder / "tests").mkdir(parents=True)
    (folder / "pack.yaml").write_text(text)
    (folder / "tests" / "vendors.yaml").write_text(FIXTURE)
    return folder


def test_validate_and_test_a_good_pack(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_pack(tmp_path)
    assert run(capsys, "rules", "validate", str(folder)) == (
        0, "PASS MGH-VEND-001\n1 passed, 0 failed\n", "")
    assert run(capsys, "rules", "test", str(folder)) == (
        0, f"PASS MGH-VEND-001\nPASS {folder}/tests/vendors.yaml\n2 passed, 0 failed\n", "")


def test_a_wrong_example_fails_naming_the_rule(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_pack(tmp_path, README_PACK.replace("- name: acme          # expect",
                                                     "- name: acme"
                                                     ).replace("receives_phi: true\n      good",
                                                               "receives_phi: true  # expect\n"
                                                               "      good"))
    code, out, _err = run(capsys, "rules", "test", str(folder))
    assert code == 1
    assert out.splitlines()[:2] == [
        "FAIL MGH-VEND-001",
        "  MGH-VEND-001: bad example 1: expected findings at lines [7], got [6]"]


def test_a_wrong_fixture_annotation_fails(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_pack(tmp_path)
    (folder / "tests" / "vendors.yaml").write_text(FIXTURE.replace("# ok:", "# ruleid:"))
    code, out, _err = run(capsys, "rules", "test", str(folder))
    assert code == 1
    assert f"  {folder}/tests/vendors.yaml:10: expected MGH-VEND-001, got none" in out


def test_a_broken_pack_reports_each_problem(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    broken = README_PACK.replace("severity: high", "severity: severe").replace(
        'control: "164.502(e)"', 'control: "164.999(z)"')
    folder = make_pack(tmp_path, broken + README_PACK.replace("MGH-VEND-001", "MGH-VEND-002")
                       .split("rules:\n", 1)[1].replace("equals: true}", "equal: true}", 1))
    code, out, err = run(capsys, "rules", "validate", str(folder))
    pack = folder / "pack.yaml"
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: {pack}:5: MGH-VEND-001: rules[0].severity: must be one of: critical, high, "
        "medium, low, info",
        f"error: {pack}:36: MGH-VEND-002: rules[1].where: unknown key(s): equal",
    ]


def test_extends_replaces_and_disables_built_in_rules(tmp_path: Path) -> None:
    pack = tmp_path / "ours.yaml"
    base = load_rules().get("WS-HIPAA-AC-005")
    assert base is not None
    pack.write_text("""\
pack:
  id: our-hipaa
  name: Our HIPAA profile
  version: 1.0.0
  extends: hipaa-security
  disable: [WS-HIPAA-AC-006]
rules:
  - id: WS-HIPAA-AC-005
    title: Idle sessions must end within 10 minutes
    severity: medium
    applies_to: [AIDeployment]
    where: {path: data.phi, equals: true}
    assert: {path: security.session.idle_timeout_minutes, lte: 10}
    message: "idle timeout above our 10-minute policy"
    summary: Our policy is stricter than the built-in 30 minutes.
    rationale: Shared clinical workstations in our wards.
    remediation: Set security.session.idle_timeout_minutes to 10 or less.
    references: [{framework: hipaa, control: "164.312(a)(2)(iii)"}]
    examples:
      bad: "x"
      good: "y"
""")
    rules = load_rules([str(pack)])
    replaced = rules.get("WS-HIPAA-AC-005")
    assert replaced is not None and replaced.pack == "our-hipaa"
    assert replaced.severity.value == "medium"
    assert rules.get("WS-HIPAA-AC-006") is None
    assert len(rules.rules) == len(load_rules().rules) - 1
    pack.write_text(pack.read_text().replace("extends: hipaa-security", "extends: nope"))
    with pytest.raises(RulePackError, match="extends unknown pack 'nope'"):
        load_rules([str(pack)])


def test_docs_rules_md_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "rules", "docs")
    assert code == 0
    assert out == (ROOT / "docs" / "rules.md").read_text(), (
        "docs/rules.md is stale: run 'wardscan rules docs > docs/rules.md'")


def test_explain_prints_the_rules_md_section(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _err = run(capsys, "explain", "WS-PRIV-BA-001")
    assert out.rstrip("\n") in (ROOT / "docs" / "rules.md").read_text()


def test_writing_rules_guide_pack_header_is_valid(tmp_path: Path) -> None:
    guide = (ROOT / "docs" / "writing-rules.md").read_text()
    assert "wardscan rules test" in guide and "# ruleid:" in guide
    header = guide.split("```yaml\n", 1)[1].split("rules:", 1)[0]
    pack = tmp_path / "p.yaml"
    pack.write_text(header + "rules:\n" + README_PACK.split("rules:\n", 1)[1])
    assert [r.id for r in load_rules([str(pack)], builtin=False).rules] == ["MGH-VEND-001"]


def test_unknown_control_is_a_pack_error(tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text(README_PACK.replace('control: "164.502(e)"', 'control: "164.999(z)"'))
    with pytest.raises(RulePackError) as info:
        load_rules([str(pack)], builtin=False)
    assert info.value.problems == [
        f"error: {pack}:15: MGH-VEND-001: rules[0].references[0].control: unknown hipaa "
        "control '164.999(z)' (see 'wardscan rules coverage --framework hipaa')"]


def test_nprm_pack_is_off_by_default_and_can_be_enabled(tmp_path: Path) -> None:
    everything = load_rules()
    nprm = next(p for p in everything.packs if p.id == "hipaa-nprm-2025")
    assert nprm.default_enabled is False
    assert "hipaa-nprm-2025" not in {p.id for p in everything.select().packs}
    enabled = everything.select(enable=("hipaa-nprm-2025",))
    assert {r.pack for r in enabled.rules} >= {"hipaa-nprm-2025", "hipaa-security"}
    assert all("proposed" in r.title.lower() for r in enabled.rules
               if r.pack == "hipaa-nprm-2025")
