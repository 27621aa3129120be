"""Orchestration: discover -> read -> parse -> adapt -> evaluate -> ScanResult.

No printing and no exiting: the CLI owns both. Per-file problems become ``FileError``s and
the scan goes on.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scanner import __version__
from scanner.adapters import looks_scannable_json, resources_from_text
from scanner.discover import discover
from scanner.engine.evaluate import evaluate
from scanner.engine.packs import RuleSet
from scanner.engine.rules import rule_info
from scanner.errors import ParseError
from scanner.linking import CrossFile
from scanner.models import FileError, Resource, ScanResult, Severity


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Everything that changes a scan's result, fixed before the scan starts."""

    paths: tuple[str, ...] = (".",)
    fail_on: Severity | None = Severity.LOW
    today: dt.date = field(default_factory=dt.date.today)
    format_hints: tuple[tuple[str, str], ...] = ()  # (glob, format); "*" matches everything


STDIN = "<stdin>"


def read_text(path: str) -> str:
    """Read a file (or stdin) as UTF-8, BOM dropped; raise ``ParseError`` with a clear reason."""
    try:
        data = sys.stdin.buffer.read() if path == STDIN else Path(path).read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror or exc}", path) from None
    return _decode(data, path)


def _decode(data: bytes, path: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ParseError("invalid UTF-16 text", path) from None
    if b"\x00" in data[:8192]:
        raise ParseError("binary file; not scanned", path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})", path) from None


def hint_for(path: str, hints: tuple[tuple[str, str], ...]) -> str | None:
    """The format forced for ``path`` by ``--format-hint`` (last matching glob wins)."""
    found = None
    for pattern, fmt in hints:
        if pattern == "*" or fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(
            Path(path).name, pattern
        ):
            found = fmt
    return found


def resources_of(path: str, text: str, hint: str | None = None) -> list[Resource]:
    """Parse one file and adapt each recognised document; unknown documents are skipped."""
    if hint is None and path.endswith(".json") and not looks_scannable_json(text):
        return []
    return resources_from_text(path, text, hint)


def scan(
    options: ScanOptions,
    ruleset: RuleSet,
    progress: Callable[[int, int, str], None] | None = None,
) -> ScanResult:
    found = discover(tuple(p for p in options.paths if p != "-"))
    files = ((STDIN,) if "-" in options.paths else ()) + found.files
    errors: list[FileError] = list(found.errors)
    findings = []
    resources = 0
    total = len(files)
    cross = CrossFile()
    for done, path in enumerate(files, 1):
        if progress is not None:
            progress(done, total, path)
        try:
            res = resources_of(path, read_text(path), hint_for(path, options.format_hints))
        except ParseError as exc:
            errors.append(FileError(path, exc.message, exc.line))
            continue
        resources += len(res)
        cross.link_file(path, res)
        cross.inventory_file(res)
        file_findings = evaluate(res, ruleset, options.today)
        findings.extend(file_findings)
        cross.hypotheses(res, ruleset.for_kind("workload"), options.today, file_findings)
    findings.extend(cross.resolve())
    return ScanResult(
        tool_version=__version__,
        findings=tuple(sorted(findings)),
        errors=tuple(sorted(errors)),
        files_scanned=files,
        packs=ruleset.packs,
        rules_run=len(ruleset.rules),
        fail_on=options.fail_on,
        resources=resources,
        inventory=tuple(cross.inventory()),
        rules=tuple(rule_info(r) for r in ruleset.rules),
    )
