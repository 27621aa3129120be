"""Markdown for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

Finding messages, paths and reasons come from the scanned files, which a pull request can
change, so they are escaped for both Markdown and HTML: a crafted YAML value must not be able
to inject links, images or markup into a bot comment. Rule documentation is Markdown written
by rule authors and is passed through. GitHub rejects comments over 65,536 characters, so the
least important parts are dropped first, deterministically, and a note says what was left out.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass

from scanner.models import ComplianceReport, Finding, Reference, ScanResult
from scanner.report import RenderSettings

COMMENT_LIMIT = 65_536  # GitHub's maximum issue/PR comment body, in characters
# Characters that can start Markdown markup mid-line (``<``, ``>`` and ``&`` are left to
# html.escape). ``$`` starts GitHub math; ``@`` gets a zero-width space so nobody is mentioned.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verdict(result: ScanResult) -> tuple[bool, str]:
    """(passed, one-line explanation): the same verdict the terminal report prints."""
    failing = result.failing()
    if failing:
        worst = max(f.severity for f in failing)
        fail_on = result.fail_on.value if result.fail_on else ""
        text = (f"{_plural(len(failing), 'finding')} at or above {fail_on} "
                f"(worst: {worst.value})")
    elif result.fail_on is None:
        text = "no failure threshold (--fail-on none)"
    else:
        text = f"no findings at or above {result.fail_on.value}"
    if result.errors:
        text += f"; {_plural(len(result.errors), 'file')} could not be scanned"
    return not failing, text


def cell(text: str) -> str:
    """Untrusted text made inert inside a table cell (or any Markdown paragraph)."""
    text = _MD_SPECIAL.sub(r"\\\1", text.replace("\r\n", "\n").replace("\r", "\n"))
    return html.escape(text, quote=False).replace("\n", "<br>").replace("@", "@&#8203;")


def where(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


def remediation_markdown(text: str) -> str:
    """Rule remediation as Markdown: prose paragraphs as written, indented ones as code."""
    out = []
    for para in text.strip().split("\n\n"):
        lines = [ln for ln in para.split("\n") if ln.strip()]
        if lines and all(ln[:1].isspace() for ln in lines):
            code = textwrap.dedent(para).strip("\n")
            fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", code)), default=0))
            out.append(f"{fence}\n{code}\n{fence}")
        else:
            out.append(para)
    return "\n\n".join(out)


def reference_markdown(refs: tuple[Reference, ...]) -> list[str]:
    return [f"[{r.framework} {r.control}]({r.url})" if r.url.startswith("https://")
            else f"{r.framework} {r.control}" for r in refs]


def _by_severity(findings: tuple[Finding, ...]) -> list[Finding]:
    return sorted(findings, key=lambda f: -f.severity.rank)  # stable: file order within


def _header(result: ScanResult) -> str:
    passed, why = verdict(result)
    packs = ", ".join(f"{p.id} {p.version}" for p in result.packs) or "none"
    rows = "\n".join(f"| {sev} | {n} |" for sev, n in result.counts().items())
    return (f"## wardscan: {'PASS' if passed else 'FAIL'}\n\n{cell(why)}\n\n"
            f"wardscan {cell(result.tool_version)} · "
            f"{_plural(len(result.files_scanned), 'file')} scanned · "
            f"{_plural(result.resources, 'resource')} · {_plural(result.rules_run, 'rule')} · "
            f"packs: {cell(packs)}\n\n"
            f"| Severity | Findings |\n|---|--:|\n{rows}\n"
            f"| suppressed | {len(result.suppressed())} |")


def _finding_row(f: Finding) -> str:
    return (f"| {f.severity.value} | {cell(f.rule_id)} | "
            f"{cell(where(f.location.path, f.location.line))} | {cell(f.message)} |")


def _details(f: Finding) -> str:
    summary = html.escape(f"{f.rule_id}: {f.title} ({where(f.location.path, f.location.line)})"
                          ).replace("@", "@&#8203;")
    parts = [f"<details>\n<summary><b>{f.severity.value.upper()}</b> {summary}</summary>",
             cell(f.message)]
    if f.related:
        parts.append("See also: " + ", ".join(cell(where(r.path, r.line)) for r in f.related))
    if f.remediation.strip():
        parts.append("**Remediation**\n\n" + remediation_markdown(f.remediation))
    if f.references:
        parts.append("**References:** " + ", ".join(reference_markdown(f.references)))
    return "\n\n".join(parts) + "\n\n</details>"


def _suppressed_row(f: Finding) -> str:
    sup = f.suppression
    assert sup is not None
    return (f"| {f.severity.value} | {cell(f.rule_id)} | "
            f"{cell(where(f.location.path, f.location.line))} | {cell(sup.kind)} | "
            f"{cell(sup.reason)} | {cell(sup.expires or '')} |")


@dataclass
class Section:
    """A heading (with any table head) and items that may be dropped from the end."""

    name: str
    head: str
    items: list[str]
    sep: str = "\n"

    def text(self) -> str:
        return f"{self.head}{self.sep}{self.sep.join(self.items)}" if self.items else ""


def _sections(result: ScanResult) -> list[Section]:
    active = _by_severity(result.active())
    servers = [f"| {cell(i.server)} | {cell(i.workload)} | "
               f"{cell(where(i.location.path, i.location.line))} | {cell(i.exposure or 'no')} |"
               for i in result.inventory]
    return [
        Section("findings table rows", "### Findings\n\n| Severity | Rule | Location | Message |"
                "\n|---|---|---|---|", [_finding_row(f) for f in active]),
        Section("finding details", "### Details", [_details(f) for f in active], "\n\n"),
        Section("AI servers", "### AI servers found\n\n| Server | Workload | Location | "
                "Reachable from outside |\n|---|---|---|---|", servers),
        Section("suppressed findings", "### Suppressed findings\n\n| Severity | Rule | "
                "Location | Kind | Reason | Expires |\n|---|---|---|---|---|---|",
                [_suppressed_row(f) for f in _by_severity(result.suppressed())]),
        Section("files not scanned", "### Files not scanned\n\n| File | Reason |\n|---|---|",
                [f"| {cell(where(e.path, e.line))} | {cell(e.message)} |"
                 for e in result.errors]),
        *(_compliance_section(r) for r in result.compliance),
    ]


def _compliance_section(report: ComplianceReport) -> Section:
    totals = " · ".join(f"{k} {v}" for k, v in report.totals().items())
    head = (f"### {cell(report.name)}: per-control results\n\nTotals: {totals}. A failed "
            "control may not be satisfied; not legal advice.\n\n| Control | Title | Status | "
            "Rules |\n|---|---|---|---|")
    rows = [f"| {cell(c.id)} | {cell(c.title + (' (proposed)' if c.proposed else ''))} | "
            f"{c.status}{f' ({c.findings})' if c.findings else ''} | "
            f"{cell(', '.join(c.rules) or '-')} |" for c in report.controls]
    return Section(f"{report.framework} control rows", head, rows)


# When too long, drop items from these sections in turn (indexes into _sections), last item
# first: details repeat the table; suppressed findings do not count; the short lists of
# servers and unscanned files go last, as they are small and say what the scan covered.
_DROP_ORDER = (1, 3, 0, 2, 4)


def _join(header: str, sections: list[Section]) -> str:
    return "\n\n".join([header, *(t for t in (s.text() for s in sections) if t)]) + "\n"


def _size(text: str) -> int:
    """Length as GitHub counts it (UTF-16 code units), never less than len()."""
    return len(text.encode("utf-16-le")) // 2


def _shorten(header: str, sections: list[Section], budget: int) -> None:
    """Drop items in ``_DROP_ORDER`` until the text fits; sizes are tracked, not re-rendered."""
    total = _size(_join(header, sections))
    for index in (*_DROP_ORDER, *range(len(_DROP_ORDER), len(sections))):
        section = sections[index]
        while section.items and total > budget:
            total -= _size(section.items.pop()) + len(section.sep)
            if not section.items:
                total -= _size(section.head) + 2  # the "\n\n" before it
        while section.items and _size(_join(header, sections)) > budget:
            section.items.pop()  # exact check; rarely runs more than once


def markdown_report(result: ScanResult, limit: int = COMMENT_LIMIT) -> str:
    """The report, shortened to at most ``limit`` characters (as GitHub counts them)."""
    header = _header(result)
    sections = _sections(result)
    text = _join(header, sections)
    if _size(text) <= limit:
        return text
    totals = [len(s.items) for s in sections]
    _shorten(header, sections, limit - 400)  # room for the note
    left_out = ", ".join(f"{total - len(s.items)} of {total} {s.name}"
                         for s, total in zip(sections, totals, strict=True)
                         if total != len(s.items))
    return (_join(header, sections) + f"\n> [!NOTE]\n> Shortened to fit GitHub's {limit:,}-"
            f"character comment limit; left out: {left_out}. Run `wardscan scan --format json` "
            "for the full report.\n")


def render(result: ScanResult, settings: RenderSettings) -> str:
    return markdown_report(result)
