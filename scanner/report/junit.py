"""JUnit XML, the test-report format Jenkins, GitLab and most CI dashboards read.

One ``<testsuite>`` per rule that ran. A rule with findings gets one ``<testcase>`` per
(file, resource) it failed on, so a CI test view lists each broken resource once; a rule with
no findings gets one passing ``<testcase>``, so the dashboard also shows what was checked and
held. Suppressed findings are ``<skipped>``: visible, never failing. Files that could not be
scanned are ``<error>``s in a suite of their own. No timestamps or durations are invented.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from scanner.models import FileError, Finding, RuleInfo, ScanResult
from scanner.report import RenderSettings

FILE_ERRORS_SUITE = "wardscan: files not scanned"
# Characters XML 1.0 cannot carry at all; a YAML value could contain them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n", 1)[0].split())


def _where(f: Finding) -> str:
    return f"{f.location.path}:{f.location.line}"


def _case(rule_id: str, path: str, resource: str, findings: list[Finding]) -> ET.Element:
    """One (rule, file, resource) pair: failing if any finding is active, else skipped."""
    case = ET.Element("testcase", classname=_clean(path), name=_clean(f"{rule_id} {resource}"))
    active = sorted((f for f in findings if f.suppression is None),
                    key=lambda f: -f.severity.rank)  # stable: file order among equals
    if active:
        worst = active[0]
        more = f" (+{len(active) - 1} more)" if len(active) > 1 else ""
        failure = ET.SubElement(case, "failure", message=_clean(
            f"{_where(worst)}: {worst.message}{more}"), type=worst.severity.value)
        lines = [f"{_where(f)}: [{f.severity.value}] {f.message}" for f in active]
        fix = _first_paragraph(worst.remediation)
        failure.text = _clean("\n".join(([fix, ""] if fix else []) + lines))
    else:
        reasons = "; ".join(dict.fromkeys(f.suppression.reason for f in findings
                                          if f.suppression is not None))
        ET.SubElement(case, "skipped", message=_clean(f"suppressed: {reasons}"))
    return case


def _suite(name: str, cases: list[ET.Element]) -> ET.Element:
    suite = ET.Element("testsuite", name=_clean(name))
    counts = _count(cases)
    for key in ("tests", "failures", "errors", "skipped"):
        suite.set(key, str(counts[key]))
    suite.extend(cases)
    return suite


def _count(cases: list[ET.Element]) -> dict[str, int]:
    return {"tests": len(cases),
            "failures": sum(c.find("failure") is not None for c in cases),
            "errors": sum(c.find("error") is not None for c in cases),
            "skipped": sum(c.find("skipped") is not None for c in cases)}


def _rule_suites(result: ScanResult) -> list[ET.Element]:
    pairs: dict[str, dict[tuple[str, str], list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in result.findings:
        pairs[f.rule_id][(f.location.path, f.resource)].append(f)
    rules: dict[str, RuleInfo | None] = {r.id: r for r in result.rules}
    rules.update({rule_id: None for rule_id in pairs if rule_id not in rules})
    suites = []
    for rule_id in sorted(rules):
        if rule_id in pairs:
            cases = [_case(rule_id, path, resource, found)
                     for (path, resource), found in sorted(pairs[rule_id].items())]
        else:
            info = rules[rule_id]
            cases = [ET.Element("testcase", classname=_clean(info.pack if info and info.pack
                                                              else "wardscan"),
                                name=_clean(rule_id))]
        suites.append(_suite(rule_id, cases))
    return suites


def _error_case(e: FileError) -> ET.Element:
    where = f"{e.path}:{e.line}" if e.line else e.path
    case = ET.Element("testcase", classname=_clean(e.path), name=_clean(f"scan {e.path}"))
    error = ET.SubElement(case, "error", message=_clean(f"{where}: {e.message}"),
                          type="FileError")
    error.text = _clean(f"{where}: {e.message}")
    return case


def junit_tree(result: ScanResult) -> ET.Element:
    suites = _rule_suites(result)
    if result.errors:
        suites.append(_suite(FILE_ERRORS_SUITE, [_error_case(e) for e in result.errors]))
    root = ET.Element("testsuites", name="wardscan")
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.extend(suites)
    return root


def render(result: ScanResult, settings: RenderSettings) -> str:
    root = junit_tree(result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="unicode") + "\n"
