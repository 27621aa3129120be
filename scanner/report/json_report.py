"""Versioned, stable JSON report (schema: scanner/schemas/report.schema.json). No timestamps."""

from __future__ import annotations

import json
from typing import Any

from scanner.models import Finding, ScanResult
from scanner.report import RenderSettings

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
    }


def report_dict(result: ScanResult) -> dict[str, Any]:
    failing = result.failing()
    return {
        "$schema": SCHEMA_ID,
        "report_version": REPORT_VERSION,
        "tool": {"name": "wardscan", "version": result.tool_version},
        "scan": {
            "files": list(result.files_scanned),
            "resources": result.resources,
            "rules_run": result.rules_run,
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
        "findings": [finding_dict(f) for f in result.findings],
        "errors": [{"file": e.path, "line": e.line, "message": e.message} for e in result.errors],
        "summary": {
            "findings": len(result.findings),
            "by_severity": result.counts(),
            "failing": len(failing),
            "errors": len(result.errors),
            "passed": not failing,
        },
    }


def render(result: ScanResult, settings: RenderSettings) -> str:
    return json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"
