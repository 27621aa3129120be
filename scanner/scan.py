"""Orchestration: discover -> read -> parse -> adapt -> evaluate -> ScanResult.

No printing and no exiting: the CLI owns both. Per-file problems become ``FileError``s and
the scan goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scanner import __version__
from scanner.adapters import manifest
from scanner.discover import discover
from scanner.engine.evaluate import evaluate
from scanner.engine.packs import RuleSet
from scanner.errors import ParseError
from scanner.models import FileError, Resource, ScanResult, Severity
from scanner.parse.yaml import load_documents


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Everything that changes a scan's result, fixed before the scan starts."""

    paths: tuple[str, ...] = (".",)
    fail_on: Severity | None = Severity.LOW
    today: dt.date = field(default_factory=dt.date.today)


def read_text(path: str) -> str:
    """Read a file as UTF-8 (a BOM is dropped); raise ``ParseError`` with a clear reason."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror or exc}", path) from None
    if b"\x00" in data[:8192]:
        raise ParseError("binary file; not scanned", path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})", path) from None


def resources_of(path: str, text: str) -> list[Resource]:
    """Parse one file and adapt each recognised document; unknown documents are skipped."""
    out = []
    for i, doc in enumerate(load_documents(text, path)):
        if manifest.is_manifest(doc):
            out.append(manifest.adapt(doc, path, i))
    return out


def scan(
    options: ScanOptions,
    ruleset: RuleSet,
    progress: Callable[[int, int, str], None] | None = None,
) -> ScanResult:
    found = discover(options.paths)
    errors: list[FileError] = list(found.errors)
    findings = []
    resources = 0
    total = len(found.files)
    for done, path in enumerate(found.files, 1):
        if progress is not None:
            progress(done, total, path)
        try:
            res = resources_of(path, read_text(path))
        except ParseError as exc:
            errors.append(FileError(path, exc.message, exc.line))
            continue
        resources += len(res)
        findings.extend(evaluate(res, ruleset, options.today))
    return ScanResult(
        tool_version=__version__,
        findings=tuple(sorted(findings)),
        errors=tuple(sorted(errors)),
        files_scanned=found.files,
        packs=ruleset.packs,
        rules_run=len(ruleset.rules),
        fail_on=options.fail_on,
        resources=resources,
    )
