"""Schema problems in a manifest are findings at their lines; the other rules still run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scanner.engine.packs import RuleSet
from scanner.scan import ScanOptions, scan

MANIFEST = """\
apiVersion: wardscan/v1
kind: AIDeployment
metadata:
  owner: someone
data:
  phi: "yes"
vendors:
  - name: openai
    receives_phi: true
    bla: 1
security:
  encryption:
    in_transit: {tls_min_version: "1.5"}
governance:
  risk_assessment: {last_performed: "last spring"}
"""


def test_each_schema_problem_is_a_finding_at_its_line(tmp_path: Path, ruleset: RuleSet) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST)
    result = scan(ScanOptions(paths=(str(path),), today=dt.date(2026, 11, 27)), ruleset)
    schema = [(f.location.line, f.message) for f in result.findings
              if f.rule_id == "WS-MAN-SCHEMA-001"]
    assert schema == [
        (3, "metadata: name is required"),
        (6, "data.phi: must be of type boolean"),
        (10, "vendors[0].bla: unknown key 'bla'"),
        (13, "security.encryption.in_transit.tls_min_version: must be one of: 1.0, 1.1, 1.2, 1.3"),
        (15, "governance.risk_assessment.last_performed: must be a valid date (YYYY-MM-DD)"),
    ]
    others = {f.rule_id for f in result.findings} - {"WS-MAN-SCHEMA-001"}
    assert {"WS-GOV-LIT-001", "WS-GOV-RM-001"} <= others


def test_documents_that_are_not_manifests_are_ignored(tmp_path: Path, ruleset: RuleSet) -> None:
    path = tmp_path / "k.yaml"
    path.write_text("apiVersion: v1\nkind: AIDeployment\n---\n"
                    "apiVersion: wardscan/v1\nkind: Other\n")
    result = scan(ScanOptions(paths=(str(path),)), ruleset)
    assert (result.findings, result.errors) == ((), ())
