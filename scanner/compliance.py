"""Per-control results: for each control of a framework, met, failed, not applicable or
not checked, from the rules that cite it and what they found.

- failed: a rule citing the control has an active finding ("may not satisfy");
- met: some rule citing it applied to a scanned resource and none failed;
- not applicable: rules cite it but none applied (nothing they check was scanned);
- not checked: no rule cites it (or a config scanner cannot check it).
Words are careful: a scan result is evidence for a reviewer, never a legal conclusion.
"""

from __future__ import annotations

from collections import Counter

from scanner.catalogue import Catalogue
from scanner.models import ComplianceReport, ControlResult, ScanResult


def rules_by_control(result: ScanResult, framework: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rule in result.rules:
        for ref in rule.references:
            if ref.framework == framework:
                out.setdefault(ref.control, [])
                if rule.id not in out[ref.control]:
                    out[ref.control].append(rule.id)
    return out


def compliance(result: ScanResult, cat: Catalogue) -> ComplianceReport:
    by_control = cat.rolled_up(rules_by_control(result, cat.id))
    active = Counter(f.rule_id for f in result.active())
    quiet = Counter(f.rule_id for f in result.suppressed())
    applied = set(result.applied)
    controls = []
    for c in cat.controls:
        rules = tuple(sorted(by_control.get(c.id, ())))
        found = sum(active[r] for r in rules)
        if not rules or not c.checkable:
            status = "not checked"
        elif found:
            status = "failed"
        elif any(r in applied for r in rules):
            status = "met"
        else:
            status = "not applicable"
        controls.append(ControlResult(c.id, c.title, status, rules, found,
                                      sum(quiet[r] for r in rules), c.status == "proposed"))
    return ComplianceReport(cat.id, cat.name, tuple(controls))
