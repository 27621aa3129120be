"""``wardscan verify``: every check an attestation has to pass, each with its verdict.

Why a list of named checks: a hospital's security engineer needs to know *which* property
failed (the signature, a file, the findings), not only that something did; the same list is
printed for people and, with ``--format json``, for machines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import ScannerError


@dataclass
class VerifyReport:
    """The outcome of verifying one attestation."""

    attestation: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    statement: dict[str, Any] | None = None

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(ok for _n, ok, _d in self.checks)

    def as_text(self) -> str:
        lines = [f"wardscan verify: {self.attestation}"]
        lines += [f"  {'ok  ' if ok else 'FAIL'}  {name:<13} {detail}"
                  for name, ok, detail in self.checks]
        if self.statement is not None:
            pred = self.statement["predicate"]
            summary = pred.get("summary", {})
            lines.append(f"  attested: wardscan {pred.get('scanner', {}).get('version')} at "
                         f"{pred.get('scanned_at')}, {summary.get('findings')} findings, "
                         f"{'passed' if summary.get('passed') else 'failed'}")
        failed = next((f"{n}: {d}" for n, ok, d in self.checks if not ok), "")
        lines.append("VALID" if self.valid else f"NOT VALID ({failed})")
        return "\n".join(lines) + "\n"

    def as_json(self) -> str:
        pred = (self.statement or {}).get("predicate", {})
        return json.dumps({
            "attestation": self.attestation,
            "valid": self.valid,
            "checks": [{"check": n, "ok": ok, "detail": d} for n, ok, d in self.checks],
            "subjects": len((self.statement or {}).get("subject", [])),
            "attested": None if self.statement is None else {
                "scanner": pred.get("scanner"), "scanned_at": pred.get("scanned_at"),
                "summary": pred.get("summary")},
        }, indent=2) + "\n"


def _read_envelope(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScannerError(f"cannot read attestation: {getattr(exc, 'strerror', None) or exc}",
                           path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScannerError(f"not JSON (line {exc.lineno}): not an attestation written by "
                           "'wardscan attest'", path) from None


def verify_attestation(path: str, key_path: str, paths: list[str], rescan: bool,
                       rule_paths: tuple[str, ...] = (), baseline: str | None = None
                       ) -> VerifyReport:
    """Run every check; ``ScannerError`` (exit 2) only when checking is impossible."""
    from scanner.attestation import check_files, check_findings, check_statement, rescan_inputs
    from scanner.signing import load_public, open_envelope

    key, keyid = load_public(key_path)
    opened = open_envelope(_read_envelope(path), key, keyid)
    report = VerifyReport(path, list(opened.checks))
    if not opened.ok or opened.payload is None:
        return report  # nothing in an unsigned payload can be trusted enough to check further
    stmt, check = check_statement(opened.payload)
    report.checks.append(check)
    if stmt is None:
        return report
    report.statement = stmt
    if paths:
        report.checks.append(check_files(stmt, paths))
    if rescan:
        from scanner.scan import scan

        options, ruleset = rescan_inputs(stmt, paths, rule_paths, baseline)
        report.checks.append(check_findings(stmt, scan(options, ruleset)))
    return report
