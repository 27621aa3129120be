"""Run a rule's own examples: bad ones must fire at the ``# expect`` lines, good ones not at all.

Used by the test suite for the built-in packs and available to pack authors.
"""

from __future__ import annotations

import datetime as dt
import re

from scanner.engine.packs import RuleSet
from scanner.engine.rules import EXAMPLE_DATE, Rule, expected_lines
from scanner.errors import ParseError


def example_filename(rule: Rule) -> str:
    """Terraform rules' examples are HCL; every other example is YAML."""
    if all(k.startswith("terraform/") for k in rule.applies_to):
        return "example.tf"
    return "example.yaml"


def example_lines(rule: Rule, snippet: str) -> list[int] | None:
    """Lines where ``rule`` fires on ``snippet``; None when the snippet is no known document.

    The snippet goes through the same per-file pipeline as a scanned file (linking,
    inline suppressions), with only this rule enabled.
    """
    from scanner.scan import FileScanner, ScanOptions

    options = ScanOptions(today=dt.date.fromisoformat(EXAMPLE_DATE))
    scanner = FileScanner(RuleSet((rule,), ()), options)
    # The markers are metadata, not input: a marker inside a block scalar would otherwise
    # become part of the string (and break, say, a PEM block).
    text = re.sub(r"[ \t]*#\s*expect\b[^\n]*", "", snippet)
    findings, count = scanner.scan_text(example_filename(rule), text)
    if count == 0:
        return None
    findings += scanner.cross.resolve()
    return sorted({f.location.line for f in findings if f.rule_id == rule.id})


def example_problems(rule: Rule) -> list[str]:
    """Every way the rule's examples disagree with what the rule does (empty when all pass)."""
    problems: list[str] = []
    cases = [("bad", s) for s in rule.bad_examples] + [("good", s) for s in rule.good_examples]
    for n, (kind, snippet) in enumerate(cases, 1):
        want = expected_lines(snippet)
        label = f"{rule.id}: {kind} example {n}"
        try:
            got = example_lines(rule, snippet)
        except ParseError as exc:
            problems.append(f"{label}: does not parse: {exc.message}")
            continue
        if got is None:
            problems.append(f"{label}: is not a document wardscan recognises")
        elif kind == "bad" and not want:
            problems.append(f"{label}: marks no line with '# expect'")
        elif kind == "good" and want:
            problems.append(f"{label}: a good example must not mark '# expect' lines")
        elif got != want:
            problems.append(f"{label}: expected findings at lines {want}, got {got}")
    return problems
