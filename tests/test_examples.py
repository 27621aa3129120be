"""The shipped examples produce exactly the findings a reviewer read and agreed with."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ROOT

from scanner.engine.packs import RuleSet
from scanner.scan import ScanOptions, scan

AS_OF = dt.date(2026, 11, 27)

EXPECTED: dict[str, list[tuple[int, str]]] = {
    "compliant-discharge-assistant.yaml": [],
    "risky-patient-chatbot.yaml": [
        (3, "WS-AI-GR-001"),
        (3, "WS-AI-GR-002"),
        (3, "WS-GOV-LIT-001"),
        (3, "WS-HIPAA-IR-001"),
        (3, "WS-HIPAA-TRN-001"),
        (3, "WS-LLM-005"),
        (3, "WS-PRIV-BN-001"),
        (5, "WS-GOV-RM-001"),
        (18, "WS-PRIV-MN-001"),
        (18, "WS-PRIV-MN-002"),
        (25, "WS-HIPAA-ENC-005"),
        (27, "WS-PRIV-DEID-001"),
        (29, "WS-AI-VEND-002"),
        (32, "WS-AI-VEND-003"),
        (32, "WS-PRIV-BA-001"),
        (36, "WS-AI-VEND-003"),
        (39, "WS-PRIV-BA-002"),
        (42, "WS-HIPAA-AC-004"),
        (42, "WS-HIPAA-AC-005"),
        (42, "WS-HIPAA-AC-006"),
        (42, "WS-HIPAA-INT-001"),
        (44, "WS-HIPAA-ENC-001"),
        (45, "WS-HIPAA-ENC-003"),
        (47, "WS-HIPAA-IA-002"),
        (48, "WS-HIPAA-IA-001"),
        (49, "WS-HIPAA-AC-002"),
        (53, "WS-AI-EXP-002"),
        (53, "WS-LLM-012"),
        (56, "WS-HIPAA-AC-001"),
        (57, "WS-HIPAA-ENC-004"),
        (60, "WS-HIPAA-AUD-001"),
        (61, "WS-AI-LOG-001"),
        (62, "WS-AI-LOG-002"),
        (63, "WS-AI-LOG-003"),
        (70, "WS-AI-AG-001"),
        (75, "WS-GOV-HO-001"),
        (77, "WS-EU-007"),
        (77, "WS-GOV-BIAS-001"),
        (77, "WS-HIPAA-CP-001"),
        (77, "WS-LLM-011"),
        (78, "WS-HIPAA-RA-001"),
        (79, "WS-HIPAA-DOC-001"),
    ],
    "vendor-llm-partial.yaml": [
        (39, "WS-HIPAA-AC-004"),
        (60, "WS-HIPAA-AUD-002"),
        (60, "WS-HIPAA-AUD-003"),
        (61, "WS-AI-LOG-001"),
        (72, "WS-PRIV-BN-001"),
        (77, "WS-GOV-LIT-001"),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_findings(name: str, ruleset: RuleSet) -> None:
    path = ROOT / "examples" / name
    result = scan(ScanOptions(paths=(str(path),), today=AS_OF), ruleset)
    assert result.errors == ()
    assert [(f.location.line, f.rule_id) for f in result.findings] == EXPECTED[name]
    assert {f.location.path for f in result.findings} <= {str(path)}


def test_every_example_is_listed() -> None:
    assert sorted(p.name for p in (ROOT / "examples").glob("*.yaml")) == sorted(EXPECTED)
