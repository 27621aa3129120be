"""Orchestration: discover -> read -> parse -> adapt -> evaluate -> ScanResult.

No printing and no exiting: the CLI owns both. Per-file problems become ``FileError``s and
the scan goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fnmatch
import gc
import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scanner import __version__
from scanner.adapters import looks_scannable_json, manifest, resources_from_text
from scanner.detectors.redact import redact
from scanner.discover import discover
from scanner.engine.detect_checks import absent_groups
from scanner.engine.evaluate import evaluate
from scanner.engine.packs import RuleSet
from scanner.engine.rules import rule_info
from scanner.errors import ParseError
from scanner.limits import DEFAULT, Limits
from scanner.linking import CrossFile
from scanner.models import (
    BaselineEntry,
    DeploymentSummary,
    FileError,
    Finding,
    InventoryItem,
    Resource,
    RuleInfo,
    ScanResult,
    Severity,
    Suppression,
)
from scanner.suppress import (
    annotation_directives,
    apply_inline,
    comment_directives,
    directive_problems,
)


@dataclass(frozen=True, slots=True)
class ConfigSuppression:
    """A suppression from the config file: rule glob, path globs, reason, optional expiry."""

    rule: str
    reason: str
    paths: tuple[str, ...] = ("*",)
    expires: str | None = None


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Everything that changes a scan's result, fixed before the scan starts."""

    paths: tuple[str, ...] = (".",)
    fail_on: Severity | None = Severity.LOW
    today: dt.date = field(default_factory=dt.date.today)
    format_hints: tuple[tuple[str, str], ...] = ()  # (glob, format); "*" matches everything
    inline_suppressions: bool = True
    suppressions: tuple[ConfigSuppression, ...] = ()
    min_severity: Severity = Severity.INFO  # findings below are not reported
    exclude: tuple[str, ...] = ()  # path globs
    shard: tuple[int, int] | None = None  # (k, n), 1-based k
    baseline: str | None = None
    allow_paths: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (rule glob, path globs)
    limits: Limits = DEFAULT


STDIN = "<stdin>"


def read_text(path: str) -> str:
    """Read a file (or stdin) as UTF-8, BOM dropped; raise ``ParseError`` with a clear reason."""
    return _decode(read_bytes(path), path)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def read_bytes(path: str) -> bytes:
    """A file's (or stdin's) bytes; ``ParseError`` with the reason when it cannot be read.
    Read with os.open and os.read: a third of the time of ``Path.read_bytes``, whose
    objects cost more than the read itself for the small files a scan reads by thousands."""
    try:
        if path == STDIN:
            return sys.stdin.buffer.read()
        fd = os.open(path, _READ_FLAGS)
        try:
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror or exc}", path) from None
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


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


def resources_of(path: str, text: str, hint: str | None = None,
                 limits: Limits = DEFAULT) -> list[Resource]:
    """Parse one file and adapt each recognised document; unknown documents are skipped."""
    if hint is None and path.endswith(".json") and not looks_scannable_json(text):
        return []
    return resources_from_text(path, text, hint, limits)


def scan(
    options: ScanOptions,
    ruleset: RuleSet,
    progress: Callable[[int, int, str], None] | None = None,
    jobs: int | None = 1,
) -> ScanResult:
    """Scan every file ``options`` names. ``jobs``: worker processes (None: choose from the
    CPU count and the size of the scan); the result is the same whatever the number."""
    found = discover(tuple(p for p in options.paths if p != "-"), exclude=options.exclude,
                     max_bytes=options.limits.max_file_bytes)
    files = ((STDIN,) if "-" in options.paths else ()) + found.files
    if options.shard is not None:
        files = tuple(f for f in files if in_shard(f, *options.shard))
    errors: list[FileError] = [e for e in found.errors
                               if options.shard is None or in_shard(e.path, *options.shard)]
    per_file = FileScanner(ruleset, options)
    workers = 1
    if jobs != 1 and len(files) > 1:  # multiprocessing is not imported for a one-file scan
        from scanner.workers import plan_jobs

        total = sum(size for path, size in zip(found.files, found.sizes, strict=True)
                    if options.shard is None or in_shard(path, *options.shard))
        workers = plan_jobs(jobs, files, options.limits.max_total_bytes, total)
    with fewer_collections():
        if workers > 1:
            from scanner.workers import scan_in_workers

            batch = scan_in_workers(files, per_file, workers, progress)
        else:
            batch = scan_files(files, per_file, options.limits.max_total_bytes, progress)
    errors.extend(batch.errors)
    cross = batch.cross
    findings = batch.findings + redacted(cross.resolve())
    result = finish(options, ruleset, files, findings, errors, batch.resources,
                    tuple(cross.inventory()), tuple(per_file.docs.values()))
    applied = batch.applied | {f.rule_id for f in result.findings}
    result = dataclasses.replace(result, applied=tuple(sorted(applied)),
                                 deployments=tuple(sorted(batch.deployments)),
                                 digests=tuple(sorted(batch.digests)))
    if options.shard is None:
        return result
    from scanner.merge import linking_state

    return dataclasses.replace(result, linking=linking_state(cross, result))


GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections (CPython's default: 700)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the per-file work with the cyclic garbage collector mostly out of the way.

    Why: a scan allocates dicts and lists by the hundred thousand (every parsed document),
    and they die with their file, through reference counting, not the collector; the
    collector's young-generation passes still walked them every 700 allocations, about 8%
    of a 1,000-file scan. Freezing first also keeps the compiled rules and imported modules
    out of every later pass, and in forked workers keeps those passes from touching (and so
    copying) the parent's pages. Cycles are still collected, just less often; the previous
    settings come back afterwards, for library callers.
    """
    old = gc.get_threshold()
    ours = gc.get_freeze_count() == 0  # a caller's own freeze is left as it is
    if ours:
        gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if ours:
            gc.unfreeze()


@dataclass
class Batch:
    """What scanning some files leaves behind: findings and records, never documents."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    resources: int = 0
    cross: CrossFile = field(default_factory=CrossFile)
    applied: set[str] = field(default_factory=set)
    deployments: list[DeploymentSummary] = field(default_factory=list)
    digests: list[tuple[str, str]] = field(default_factory=list)

    def extend(self, other: Batch) -> None:
        """Append a later batch (files in order), as if one scanner had read them all."""
        self.findings.extend(other.findings)
        self.errors.extend(other.errors)
        self.resources += other.resources
        self.cross.exposers.extend(other.cross.exposers)
        self.cross.candidates.extend(other.cross.candidates)
        self.cross.servers.extend(other.cross.servers)
        self.applied |= other.applied
        self.deployments.extend(other.deployments)
        self.digests.extend(other.digests)


def scan_files(files: tuple[str, ...] | list[str], per_file: FileScanner, budget: int,
               progress: Callable[[int, int, str], None] | None = None) -> Batch:
    """Read and scan ``files`` in order in this process; ``budget`` caps the total size."""
    per_file.batch = batch = Batch()
    limit = budget
    for done, path in enumerate(files, 1):
        if progress is not None:
            progress(done, len(files), path)
        try:
            data = read_bytes(path)
            batch.digests.append((path, hashlib.sha256(data).hexdigest()))
            text = _decode(data, path)
            budget -= len(text)
            if budget < 0:
                raise ParseError(f"total scan size limit ({limit} bytes) reached; not scanned",
                                 path)
            file_findings, count = per_file.scan_text(path, text)
        except ParseError as exc:
            batch.errors.append(FileError(path, exc.message, exc.line))
            continue
        batch.resources += count
        batch.findings.extend(file_findings)
    return batch


def in_shard(path: str, k: int, n: int) -> bool:
    """Whether ``path`` belongs to shard ``k`` of ``n``: a hash, so it never depends on
    which other files exist."""
    digest = hashlib.sha256(path.encode()).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


class FileScanner:
    """The per-file pipeline: parse, adapt, link, evaluate, apply inline suppressions."""

    def __init__(self, ruleset: RuleSet, options: ScanOptions) -> None:
        self.ruleset = ruleset
        self.options = options
        self.workload_rules = ruleset.for_kind("workload")
        self.docs = {r.id: rule_info(r) for r in ruleset.rules}
        self.batch = Batch()  # what the files scanned so far leave behind

    @property
    def cross(self) -> CrossFile:
        return self.batch.cross

    def scan_text(self, path: str, text: str) -> tuple[list[Finding], int]:
        try:
            return self._scan_text(path, text)
        except RecursionError:
            raise ParseError("nested too deeply to read safely; not scanned", path) from None

    def _scan_text(self, path: str, text: str) -> tuple[list[Finding], int]:
        opts = self.options
        res = resources_of(path, text, hint_for(path, opts.format_hints), opts.limits)
        batch = self.batch
        batch.cross.link_file(path, res)
        batch.cross.inventory_file(res)
        batch.deployments.extend(manifest.summary(r) for r in res if r.kind == manifest.KIND)
        findings = evaluate(res, self.ruleset, opts.today, batch.applied, absent_groups(text))
        mark = self._marker(path, text, res, findings)
        batch.cross.hypotheses(res, self.workload_rules, opts.today, findings, mark)
        return redacted(mark(findings)), len(res)

    def _marker(self, path: str, text: str, res: list[Resource],
                findings: list[Finding]) -> Callable[[list[Finding]], list[Finding]]:
        """A function applying this file's inline suppressions (and reporting bad ones)."""
        if not self.options.inline_suppressions:
            return lambda fs: fs
        by_line = comment_directives(text, path)
        by_doc = annotation_directives(res)
        if not by_line and not by_doc:
            return lambda fs: fs
        doc_of = {f"{r.kind}/{r.name}": r.doc_index for r in res}
        today = self.options.today
        problems = directive_problems(
            [d for ds in (*by_line.values(), *by_doc.values()) for d in ds], self.docs)
        findings.extend(problems)
        return lambda fs: apply_inline(fs, by_line, by_doc, doc_of, today)


def redacted(findings: list[Finding]) -> list[Finding]:
    """Findings with every message through the redaction net (a rule author may have
    interpolated a value that holds a secret or an identifier)."""
    out = []
    for f in findings:
        message = redact(f.message)
        out.append(f if message == f.message else dataclasses.replace(f, message=message))
    return out


def finish(options: ScanOptions, ruleset: RuleSet, files: tuple[str, ...],
           findings: list[Finding], errors: list[FileError], resources: int,
           inventory: tuple[InventoryItem, ...], docs: tuple[RuleInfo, ...]) -> ScanResult:
    """Config suppressions, the severity filter and the baseline, then the frozen result."""
    findings = [f for f in findings
                if f.severity >= options.min_severity and not allowed(f, options.allow_paths)]
    findings = apply_config(findings, options.suppressions, options.today)
    fixed: tuple[BaselineEntry, ...] = ()
    if options.baseline is not None:
        from scanner.baseline import apply_baseline, load_baseline

        entries = load_baseline(options.baseline)
        if options.shard is not None:
            entries = [e for e in entries if in_shard(e.path, *options.shard)]
        findings, fixed = apply_baseline(findings, entries)
    return ScanResult(
        tool_version=__version__,
        findings=tuple(sorted(findings)),
        errors=tuple(sorted(errors)),
        files_scanned=files,
        packs=ruleset.packs,
        rules_run=len(ruleset.rules),
        fail_on=options.fail_on,
        resources=resources,
        inventory=inventory,
        rules=docs,
        fixed=fixed,
        baseline=options.baseline,
    )


def allowed(f: Finding, allow: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    """Whether a config allow-list entry covers this finding's rule and file."""
    return any(fnmatch.fnmatchcase(f.rule_id, rule.upper()) and any(
        fnmatch.fnmatch(f.location.path, p) for p in paths) for rule, paths in allow)


def apply_config(findings: list[Finding], rules: tuple[ConfigSuppression, ...],
                 today: dt.date) -> list[Finding]:
    """Suppressions from the config file (they apply even with inline ones turned off)."""
    if not rules:
        return findings
    out = []
    for f in findings:
        for rule in rules:
            if f.suppression is None and fnmatch.fnmatchcase(f.rule_id, rule.rule) and any(
                    fnmatch.fnmatch(f.location.path, p) for p in rule.paths):
                if rule.expires and dt.date.fromisoformat(rule.expires) < today:
                    f = dataclasses.replace(f, message=f"{f.message} [config suppression "
                                                       f"expired on {rule.expires}]")
                    continue
                f = dataclasses.replace(f, suppression=Suppression(
                    "config", rule.reason, rule.expires))
        out.append(f)
    return out
