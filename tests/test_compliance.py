"""Per-control results and coverage: every OWASP LLM 2025 item and every HIPAA 164.312
control is checked by a rule; the per-control table of the examples is exact."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from scanner.cli import main

GOLDEN = ROOT / "tests" / "golden" / "examples-compliance-hipaa.txt"
HIPAA_312 = ["164.312", "164.312(a)(1)", "164.312(a)(2)(i)", "164.312(a)(2)(ii)",
             "164.312(a)(2)(iii)", "164.312(a)(2)(iv)", "164.312(b)", "164.312(c)(1)",
             "164.312(c)(2)", "164.312(d)", "164.312(e)(1)", "164.312(e)(2)(i)",
             "164.312(e)(2)(ii)"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def coverage(capsys: pytest.CaptureFixture[str], framework: str) -> dict:  # type: ignore[type-arg]
    code, out, _err = run(capsys, "rules", "coverage", "--framework", framework, "--format",
                          "json")
    assert code == 0
    return json.loads(out)  # type: ignore[no-any-return]


def test_owasp_llm_2025_fully_covered(capsys: pytest.CaptureFixture[str]) -> None:
    data = coverage(capsys, "owasp-llm-2025")
    assert data["framework"] == "owasp-llm-2025"
    assert [c["id"] for c in data["controls"]] == [f"LLM{n:02}:2025" for n in range(1, 11)]
    assert all(c["rules"] for c in data["controls"])
    assert set(data["controls"][0]) == {"id", "title", "rules"}


def test_every_hipaa_312_control_covered(capsys: pytest.CaptureFixture[str]) -> None:
    controls = {c["id"]: c["rules"] for c in coverage(capsys, "hipaa")["controls"]}
    for control in HIPAA_312:
        assert controls[control], control
    assert controls["164.312(a)(2)(iii)"] == ["WS-HIPAA-AC-005"]
    assert controls["164.310(b)"] == []


def test_coverage_text_lists_unchecked_controls(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "rules", "coverage", "--framework", "owasp-llm-2025")
    assert code == 0
    assert out.splitlines()[-1] == "10 of 10 controls checked by at least one rule."
    code, out, _err = run(capsys, "rules", "coverage", "--framework", "hipaa")
    assert ("\n164.308(a)(4)(ii)(B)  Access authorization\n                        NOT CHECKED\n"
            in out)
    assert "\n164.308(a)(8)         Evaluation\n                        out of scope" in out
    assert run(capsys, "rules", "coverage", "--framework", "sox") == (
        2, "", "error: no catalogue for framework 'sox'; one of: eu-ai-act, hipaa, hipaa-nprm, "
               "mitre-atlas, nist-800-53, nist-ai-rmf, owasp-llm-2025, section-1557\n")


def test_examples_hipaa_per_control_table(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch,
                                          update_golden: bool) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, _err = run(capsys, "scan", str(ROOT / "examples"), "--as-of", "2026-11-27",
                          "--compliance", "hipaa")
    assert code == 1
    table = out[out.index("HIPAA Security, Privacy and Breach Notification Rules"):]
    if update_golden:
        GOLDEN.write_text(table)
    assert table == GOLDEN.read_text()


def test_compliant_example_controls_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "scan", str(ROOT / "examples" /
                                              "compliant-discharge-assistant.yaml"),
                          "--as-of", "2026-11-27", "--compliance", "hipaa", "--compliance",
                          "owasp-llm-2025", "--format", "json")
    assert code == 0
    hipaa, owasp = json.loads(out)["compliance"]
    status = {c["id"]: c["status"] for c in hipaa["controls"]}
    assert status["164.312(a)(2)(iii)"] == "met"
    assert status["164.312(b)"] == "met"
    assert status["164.310(b)"] == "not checked"
    assert hipaa["totals"]["failed"] == 0
    assert {c["status"] for c in owasp["controls"]} <= {"met", "not applicable"}
    assert run(capsys, "scan", str(ROOT / "examples"), "--compliance", "sox")[0] == 2
