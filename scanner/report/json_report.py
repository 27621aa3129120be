"""Versioned, stable JSON report (schema: scanner/schemas/report.schema.json). No timestamps."""

from __future__ import annotations

from collections.abc import Iterator
from json.encoder import encode_basestring
from typing import Any

from scanner.models import ComplianceReport, Finding, Reference, ScanResult
from scanner.report import RenderSettings
from scanner.report.jsontext import Lazy, dumps, iterdump

REPORT_VERSION = "1.0"
SCHEMA_ID = "https://wardscan.dev/schemas/report-v1.json"


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "title": f.title,
        "severity": f.severity.value,
        "file": f.location.path,
        "line": f.location.line,
        "column": f.location.column,
        "message": f.message,
        "resource": f.resource,
        "remediation": f.remediation,
        "references": [
            {"framework": r.framework, "control": r.control, "url": r.url} for r in f.references
        ],
        "related": [
            {"file": r.path, "line": r.line, "column": r.column} for r in f.related
        ],
        "fingerprint": f.fingerprint,
        "suppression": None if f.suppression is None else {
            "kind": f.suppression.kind,
            "reason": f.suppression.reason,
            "expires": f.suppression.expires,
            "file": f.suppression.location.path if f.suppression.location else None,
            "line": f.suppression.location.line if f.suppression.location else None,
        },
    }


class FindingText:
    """Writes a finding exactly as ``jsontext`` writes ``finding_dict(f)``, without the dict.

    Why: the report's findings are most of a large report, and each repeats its rule's
    title, remediation and references; those are encoded once per rule here. Tested against
    the generic writer on every finding of the corpus."""

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._refs: dict[tuple[int, str], tuple[Any, str]] = {}

    def _s(self, value: str) -> str:
        out = self._strings.get(value)
        if out is None:
            out = encode_basestring(value)
            if len(self._strings) < 4096:
                self._strings[value] = out
        return out

    def _references(self, refs: tuple[Reference, ...], i: str) -> str:
        key = (id(refs), i)
        hit = self._refs.get(key)
        if hit is not None and hit[0] is refs:
            return hit[1]
        text = dumps([{"framework": r.framework, "control": r.control, "url": r.url}
                      for r in refs], nl=i)
        if len(self._refs) < 4096:
            self._refs[key] = (refs, text)  # the tuple is kept, so its id stays its own
        return text

    def __call__(self, f: Finding, nl: str) -> str:
        i = nl + "  "
        e = encode_basestring
        loc = f.location
        related = dumps([{"file": r.path, "line": r.line, "column": r.column}
                         for r in f.related], nl=i) if f.related else "[]"
        suppression = "null" if f.suppression is None else dumps(
            finding_dict(f)["suppression"], nl=i)
        return "".join((
            "{", i, '"rule_id": ', self._s(f.rule_id),
            ",", i, '"title": ', self._s(f.title),
            ",", i, '"severity": ', self._s(f.severity.value),
            ",", i, '"file": ', self._s(loc.path),
            ",", i, '"line": ', int.__repr__(loc.line),
            ",", i, '"column": ', int.__repr__(loc.column),
            ",", i, '"message": ', e(f.message),
            ",", i, '"resource": ', e(f.resource),
            ",", i, '"remediation": ', self._s(f.remediation),
            ",", i, '"references": ', self._references(f.references, i),
            ",", i, '"related": ', related,
            ",", i, '"fingerprint": ', e(f.fingerprint),
            ",", i, '"suppression": ', suppression,
            nl, "}"))


def report_dict(result: ScanResult, lazy: bool = False) -> dict[str, Any]:
    failing = result.failing()
    return {
        "$schema": SCHEMA_ID,
        "report_version": REPORT_VERSION,
        "tool": {"name": "wardscan", "version": result.tool_version},
        "scan": {
            "files": list(result.files_scanned),
            "resources": result.resources,
            "rules_run": result.rules_run,
            "rules_applied": list(result.applied),
            "fail_on": result.fail_on.value if result.fail_on else None,
            "packs": [
                {"id": p.id, "name": p.name, "version": p.version, "source": p.source,
                 "digest": p.digest, "rules": p.rules}
                for p in result.packs
            ],
        },
        "inventory": [
            {"server": i.server, "workload": i.workload, "file": i.location.path,
             "line": i.location.line, "exposure": i.exposure or None}
            for i in result.inventory
        ],
        "findings": (Lazy(result.findings, FindingText()) if lazy
                     else [finding_dict(f) for f in result.findings]),
        "errors": [{"file": e.path, "line": e.line, "message": e.message} for e in result.errors],
        "baseline": None if result.baseline is None else {
            "file": result.baseline,
            "baselined": sum(1 for f in result.findings
                             if f.suppression and f.suppression.kind == "baseline"),
            "fixed": [{"file": e.path, "rule_id": e.rule_id, "resource": e.resource,
                       "fingerprint": e.fingerprint, "line": e.line} for e in result.fixed],
        },
        "summary": {
            "findings": len(result.active()),
            "suppressed": len(result.suppressed()),
            "by_severity": result.counts(),
            "failing": len(failing),
            "errors": len(result.errors),
            "passed": not failing,
        },
    }


def compliance_dict(report: ComplianceReport) -> dict[str, Any]:
    return {
        "framework": report.framework,
        "name": report.name,
        "controls": [{"id": c.id, "title": c.title, "status": c.status, "rules": list(c.rules),
                      "findings": c.findings, "suppressed": c.suppressed,
                      "proposed": c.proposed} for c in report.controls],
        "totals": report.totals(),
    }


def render(result: ScanResult, settings: RenderSettings) -> str:
    return "".join(render_chunks(result, settings))


def render_chunks(result: ScanResult, settings: RenderSettings) -> Iterator[str]:
    """The report in pieces, findings turned into JSON one at a time (bounded memory)."""
    data = report_dict(result, lazy=True)
    if result.compliance:
        data["compliance"] = [compliance_dict(r) for r in result.compliance]
    if result.linking is not None:
        data["linking"] = result.linking
    yield from iterdump(data)
    yield "\n"
