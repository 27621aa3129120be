"""Versioned, stable JSON report (schema: scanner/schemas/report.schema.json). No timestamps."""

from __future__ import annotations

from collections.abc import Iterator
from json.encoder import encode_basestring
from typing import Any

from scanner.models import ComplianceReport, Finding, ScanResult
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

    Why: the report's findings are most of a large report, and each repeats its rule's id,
    title, severity, remediation and references; the text of those is made once per rule
    (and indent) here, so a finding costs a dozen pieces joined. Tested against the generic
    writer on every finding of the corpus."""

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._heads: dict[tuple[str, str, str, str], str] = {}
        self._middles: dict[tuple[int, str, str], tuple[Any, str]] = {}
        self._seps: dict[str, tuple[str, ...]] = {}

    def _s(self, value: str) -> str:
        out = self._strings.get(value)
        if out is None:
            out = encode_basestring(value)
            if len(self._strings) < 4096:
                self._strings[value] = out
        return out

    def _head(self, f: Finding, i: str) -> str:
        """``{`` to the file's key: the rule's id, title and severity."""
        key = (f.rule_id, f.title, f.severity.value, i)
        out = self._heads.get(key)
        if out is None:
            out = "".join(("{", i, '"rule_id": ', encode_basestring(f.rule_id),
                           ",", i, '"title": ', encode_basestring(f.title),
                           ",", i, '"severity": ', encode_basestring(f.severity.value),
                           ",", i, '"file": '))
            if len(self._heads) < 4096:
                self._heads[key] = out
        return out

    def _middle(self, f: Finding, i: str) -> str:
        """The remediation and references, and the key of what follows them."""
        refs = f.references
        key = (id(refs), f.remediation, i)
        hit = self._middles.get(key)
        if hit is not None and hit[0] is refs:
            return hit[1]
        out = "".join((",", i, '"remediation": ', encode_basestring(f.remediation),
                       ",", i, '"references": ', dumps(
                           [{"framework": r.framework, "control": r.control, "url": r.url}
                            for r in refs], nl=i),
                       ",", i, '"related": '))
        if len(self._middles) < 4096:
            self._middles[key] = (refs, out)  # the tuple is kept, so its id stays its own
        return out

    def _separators(self, i: str) -> tuple[str, ...]:
        out = self._seps.get(i)
        if out is None:
            out = self._seps[i] = tuple(f',{i}"{k}": ' for k in (
                "line", "column", "message", "resource", "fingerprint", "suppression"))
        return out

    def __call__(self, f: Finding, nl: str) -> str:
        i = nl + "  "
        e = encode_basestring
        loc = f.location
        line, column, message, resource, fingerprint, suppression = self._separators(i)
        related = dumps([{"file": r.path, "line": r.line, "column": r.column}
                         for r in f.related], nl=i) if f.related else "[]"
        return "".join((
            self._head(f, i), self._s(loc.path),
            line, int.__repr__(loc.line), column, int.__repr__(loc.column),
            message, e(f.message), resource, e(f.resource),
            self._middle(f, i), related, fingerprint, e(f.fingerprint),
            suppression, "null" if f.suppression is None else dumps(
                finding_dict(f)["suppression"], nl=i),
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
