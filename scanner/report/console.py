"""The terminal report: header, findings grouped by file, summaries, one-line verdict.

Rendered by Rich into a string (never straight to the terminal), so it is testable as
text. Without colour it stays plain and readable in CI logs.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from itertools import groupby

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner.models import ComplianceReport, Finding, ScanResult, Severity
from scanner.report import RenderSettings

STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
HINT_LENGTH = 100


def fix_hint(remediation: str, limit: int = HINT_LENGTH) -> str:
    """The first sentence of a remediation's first paragraph, cut at a word near ``limit``."""
    para = " ".join(remediation.strip().split("\n\n", 1)[0].split())
    first = para.split(". ", 1)[0].rstrip(":.") + "."
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _header(result: ScanResult) -> Text:
    packs = ", ".join(f"{p.id} {p.version} ({p.rules})" for p in result.packs)
    text = Text()
    text.append(f"wardscan {result.tool_version}", style="bold")
    text.append(f" · {_plural(len(result.files_scanned), 'file')} scanned"
                f" · {_plural(result.resources, 'resource')}"
                f" · {_plural(result.rules_run, 'rule')}\n")
    text.append(f"packs: {packs or 'none'}")
    return text


def _file_table(findings: list[Finding]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Line", justify="right", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Finding and fix", ratio=1)
    for f in findings:
        cell = Text(f.title, style="bold")
        cell.append(f"\n{f.message}")
        if f.related:
            cell.append("\nsee also: " + ", ".join(
                f"{r.path}:{r.line}" if r.path != f.location.path else f"line {r.line}"
                for r in f.related))
        cell.append(f"\nfix: {fix_hint(f.remediation)}", style="dim")
        if f.suppression is not None:
            sup = f.suppression
            until = f" until {sup.expires}" if sup.expires else ""
            cell.append(f"\nsuppressed ({sup.kind}{until}): {sup.reason}", style="magenta")
        table.add_row(Text(f.severity.value.upper(), style=STYLES[f.severity]),
                      str(f.location.line), f.rule_id, cell)
    return table


def _inventory_table(result: ScanResult) -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, min_width=12)
    table.add_column(ratio=1, overflow="fold")
    for i in result.inventory:
        cell = Text(f"{i.workload} at {i.location.path}:{i.location.line}")
        if i.exposure:
            cell.append("\nreachable from outside: ", style="red")
            cell.append(i.exposure)
        table.add_row(Text(f"  {i.server}", style="bold"), cell)
    return table


STATUS_STYLES = {"failed": "bold red", "met": "green", "not applicable": "dim",
                 "not checked": "yellow"}


def _compliance_table(report: ComplianceReport, failing: dict[str, int]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True,
                  title=f"{report.name}: per-control results", title_justify="left")
    table.add_column("Control", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Control title and rules", ratio=1)
    for c in report.controls:
        status = Text(c.status, style=STATUS_STYLES[c.status])
        if c.findings:
            status.append(f" ({c.findings})")
        detail = Text(c.title + (" [proposed]" if c.proposed else ""))
        bad = [r for r in c.rules if failing.get(r)]
        if bad:
            detail.append("\nfailing: " + ", ".join(bad), style="red")
        elif c.rules:
            detail.append(f"\nchecked by {_plural(len(c.rules), 'rule')}", style="dim")
        table.add_row(c.id, status, detail)
    return table


def _compliance(console: Console, report: ComplianceReport, result: ScanResult) -> None:
    console.print()
    failing = Counter(f.rule_id for f in result.active())
    console.print(_compliance_table(report, failing))
    totals = " · ".join(f"{k} {v}" for k, v in report.totals().items())
    console.print(f"Totals: {totals}", markup=False)
    console.print("A failed control may not be satisfied; met means no rule found a problem, "
                  "not that the control is satisfied. This is not legal advice.", markup=False)


def _hipaa_summary(findings: tuple[Finding, ...]) -> list[str]:
    by_control: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for f in findings:
        if f.suppression is not None:
            continue
        for ref in {r.control for r in f.references if r.framework == "hipaa"}:
            counts[ref] += 1
            by_control[ref].add(f.rule_id)
    return [f"  {control:<24} {_plural(counts[control], 'finding'):<12} "
            f"{', '.join(sorted(by_control[control]))}" for control in sorted(counts)]


def _verdict(result: ScanResult) -> Text:
    failing = result.failing()
    if failing:
        worst = max(f.severity for f in failing)
        line = Text("FAIL", style="bold red")
        line.append(f": {_plural(len(failing), 'finding')} at or above "
                    f"{result.fail_on.value if result.fail_on else ''} (worst: {worst.value})")
    else:
        line = Text("PASS", style="bold green")
        shown = result.fail_on.value if result.fail_on else "none"
        line.append(f": no findings at or above {shown}")
    if result.errors:
        line.append(f"; {_plural(len(result.errors), 'file')} could not be scanned")
    return line


def render(result: ScanResult, settings: RenderSettings) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=settings.width, force_terminal=settings.color,
                      no_color=not settings.color, highlight=False, emoji=False,
                      color_system="standard" if settings.color else None)
    console.print(_header(result))
    for path, group in groupby(result.findings, key=lambda f: f.location.path):
        items = list(group)
        quiet = sum(1 for f in items if f.suppression is not None)
        label = _plural(len(items) - quiet, "finding") + (f", {quiet} suppressed" if quiet else "")
        console.print()
        console.print(Text(f"{path} ({label})", style="bold underline"))
        console.print(_file_table(items))
    if result.inventory:
        console.print()
        console.print(Text("AI servers found", style="bold underline"))
        console.print(_inventory_table(result))
    if result.errors:
        console.print()
        console.print(Text("Files not scanned", style="bold underline"))
        for e in result.errors:
            where = f"{e.path}:{e.line}" if e.line else e.path
            console.print(f"  {where}: {e.message}", markup=False)
    console.print()
    counts = " · ".join(f"{k} {v}" for k, v in result.counts().items())
    console.print(f"Findings by severity: {counts}", markup=False)
    if result.suppressed():
        console.print(f"Suppressed: {len(result.suppressed())} (listed above, never failing)",
                      markup=False)
    if result.baseline is not None:
        base = sum(1 for f in result.suppressed() if f.suppression
                   and f.suppression.kind == "baseline")
        console.print(f"Baseline {result.baseline}: {base} baselined, "
                      f"{len(result.fixed)} fixed since it was made", markup=False)
        for entry in result.fixed:
            console.print(f"  fixed: {entry.path}: {entry.rule_id} ({entry.resource})",
                          markup=False)
    hipaa = _hipaa_summary(result.findings)
    if hipaa:
        console.print("Findings by HIPAA control (may not satisfy):", markup=False)
        for line in hipaa:
            console.print(line, markup=False)
    for report in result.compliance:
        _compliance(console, report, result)
    console.print()
    console.print(_verdict(result))
    return "\n".join(line.rstrip() for line in buf.getvalue().split("\n"))
