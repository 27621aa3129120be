"""A self-contained HTML audit report, for a hospital's security team to read and file.

AI vendors hand this one file to the customer, who may open it offline, on a phone, or print
it, so it carries everything inline: no scripts at all, no fonts, images or stylesheets from
anywhere, and a Content-Security-Policy that forbids them should an escaping bug ever let
markup through. Every value that comes from scanned files, rules, packs or config goes through
``_esc`` (HTML-escaped, attributes included; characters HTML cannot carry replaced). Severity
and status are always written as words, colour only repeats them. The output depends only on
the result (no clock, no random ids), so it is golden-tested. Per-control tables are shown for
every catalogued framework when the scan did not ask for some: an audit report always has them.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from scanner.models import (
    STATUSES,
    ComplianceReport,
    ControlResult,
    DeploymentSummary,
    Finding,
    Location,
    PackInfo,
    Reference,
    RuleInfo,
    ScanResult,
    Suppression,
    VendorSummary,
)
from scanner.report import RenderSettings
from scanner.report.markdown import verdict, where
from scanner.report.sarif import STDIN, relative_path

TITLE = "AI deployment security audit report"
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
       "form-action 'none'")
DISCLAIMER = ("This report is evidence for a reviewer, not a legal conclusion: a failed control "
              "may not be satisfied; met means no rule found a problem in the scanned files, "
              "not that the control is satisfied. It is not legal advice.")
STATUS_MEANINGS = {  # scanner/compliance.py, in the same careful words
    "failed": "a rule citing the control has an active finding: the control may not be "
              "satisfied",
    "met": "a rule citing the control applied to a scanned resource and found nothing",
    "not applicable": "rules cite the control but nothing they check was scanned",
    "not checked": "no rule cites the control, or configuration cannot show it",
}
# Characters an HTML document cannot carry (controls, lone surrogates, noncharacters).
_NOT_HTML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd"
                       "\U00010000-\U0010ffff]")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
SECTIONS = (("deployments", "Deployments"), ("verdict", "Verdict"),
            ("compliance", "Per-control results"), ("servers", "AI servers found"),
            ("findings", "Findings"), ("suppressed", "Suppressed findings"),
            ("scanned", "What was scanned"))

STYLE = """
:root{color-scheme:light;--fg:#1a1a1a;--muted:#555;--line:#c8c8c8;--bg2:#f3f4f6}
*{box-sizing:border-box}
body{margin:0 auto;max-width:72rem;padding:1rem;color:var(--fg);background:#fff;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;margin-top:2rem;
border-bottom:2px solid var(--fg)}h3{font-size:1.1rem;margin:1.2rem 0 .4rem}
p,dd,li,code{overflow-wrap:anywhere}td,th{overflow-wrap:break-word}
code,pre{font:.9em/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
pre{background:var(--bg2);padding:.5rem;overflow-x:auto;white-space:pre-wrap}
.muted{color:var(--muted)}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg2)}
dl{display:grid;grid-template-columns:minmax(7rem,max-content) 1fr;gap:.2rem 1rem;margin:.4rem 0}
dt{font-weight:600}dd{margin:0}dd>:first-child{margin-top:0}dd>:last-child{margin-bottom:0}
.hash{word-break:break-all}.id{white-space:nowrap}
.badge{display:inline-block;padding:0 .4rem;border-radius:.25rem;font-weight:700;
border:1px solid #000;white-space:nowrap}
.sev-critical{background:#9b1c1c;color:#ffffff}.sev-high{background:#b3440e;color:#ffffff}
.sev-medium{background:#fcd34d;color:#000000}.sev-low{background:#1e40af;color:#ffffff}
.sev-info{background:#4b5563;color:#ffffff}
.st-failed{background:#9b1c1c;color:#ffffff}.st-met{background:#166534;color:#ffffff}
.st-not-applicable{background:#e5e7eb;color:#000000}
.st-not-checked{background:#ffffff;color:#000000}
.verdict{font-size:1.3rem;padding:.6rem;border:2px solid #000;margin:.5rem 0}
.pass{background:#dcfce7}.fail{background:#fee2e2}.none{background:var(--bg2)}
.finding,.deployment{border:1px solid var(--line);border-left:6px solid var(--line);
padding:.2rem .8rem;margin:1rem 0}
.finding.critical{border-left-color:#9b1c1c}.finding.high{border-left-color:#b3440e}
.finding.medium{border-left-color:#d97706}.finding.low{border-left-color:#1e40af}
.warn{font-weight:700}
footer{margin-top:2rem;border-top:1px solid var(--line);padding-top:.5rem}
@media (max-width:40rem){body{padding:.5rem;font-size:15px}.finding,.deployment{padding:.2rem .5rem}
dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}
@media print{body{max-width:none;padding:0;font-size:10pt}nav{display:none}
.scroll{overflow:visible}pre{white-space:pre-wrap;overflow:visible}
section.major{break-before:page}section.major:first-of-type{break-before:auto}
.finding,.deployment,tr{break-inside:avoid}thead{display:table-header-group}
h2,h3{break-after:avoid}
a[href^="https://"]::after{content:" <" attr(href) ">";font-size:.85em;overflow-wrap:anywhere}
*{print-color-adjust:exact;-webkit-print-color-adjust:exact}}
"""


def _esc(value: object) -> str:
    """Text made inert in element content and in quoted attribute values."""
    return html.escape(_NOT_HTML.sub("\ufffd", str(value)), quote=True)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _yes_no(value: bool | None) -> str:
    return "not declared" if value is None else ("yes" if value else "no")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Paths:
    """Paths as the reader should see them: relative to the scan root when inside it."""

    def __init__(self, root: str) -> None:
        self.root = root

    def show(self, path: str) -> str:
        return path if path == STDIN or not self.root else relative_path(path, self.root)

    def at(self, loc: Location, column: bool = False) -> str:
        text = where(self.show(loc.path), loc.line)
        return f"{text}:{loc.column}" if column and loc.line and loc.column else text


# Building blocks: every argument named *_html is already markup; everything else is escaped.

def _badge(kind: str, word: str) -> str:
    """Severity (upper case) or status, as a word that colour only repeats."""
    text = word.upper() if kind == "sev" else word
    return f'<span class="badge {kind}-{_slug(word)}">{_esc(text)}</span>'


def _table(head: Sequence[str], rows_html: Iterable[Sequence[str]], label: str) -> str:
    """A table in a wrapper that scrolls sideways on narrow screens (and not on paper)."""
    ths = "".join(f'<th scope="col">{_esc(h)}</th>' for h in head)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
                     for row in rows_html)
    return (f'<div class="scroll" role="region" tabindex="0" aria-label="{_esc(label)}">'
            f"<table><thead><tr>{ths}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>")


def _dl(items_html: Iterable[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items_html) + "</dl>"


def _value(text: str, empty: str = "not declared") -> str:
    return _esc(text) if text else f'<span class="muted">{_esc(empty)}</span>'


def _open(anchor: str) -> str:
    return (f'<section class="major" id="{anchor}" aria-labelledby="{anchor}-h">'
            f'<h2 id="{anchor}-h">{_esc(dict(SECTIONS)[anchor])}</h2>\n')


def _section(anchor: str, body_html: str) -> str:
    return f"{_open(anchor)}{body_html}\n</section>\n"


def _prose(text: str) -> str:
    """Rule documentation: paragraphs as written, indented paragraphs as code blocks."""
    out = []
    for para in text.strip().split("\n\n"):
        lines = [ln for ln in para.split("\n") if ln.strip()]
        if not lines:
            continue
        if all(ln[:1].isspace() for ln in lines):
            out.append(f"<pre><code>{_esc(textwrap.dedent(para).strip(chr(10)))}</code></pre>")
        else:
            out.append("<p>" + _CODE_SPAN.sub(r"<code>\1</code>", _esc(" ".join(para.split())))
                       + "</p>")
    return "\n".join(out)


def _id(identifier: str) -> str:
    """A rule, control or pack id: never broken across lines."""
    return f'<code class="id">{_esc(identifier)}</code>'


def _hash(digest: str) -> str:
    return f'<code class="hash">{_esc(digest)}</code>'


def _reference(ref: Reference) -> str:
    text = _esc(f"{ref.framework} {ref.control}")
    if ref.url.startswith("https://"):
        return f'<a href="{_esc(ref.url)}" rel="noreferrer">{text}</a>'
    return text


# 1. Header and deployments

def _head(result: ScanResult) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_esc(CSP)}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="referrer" content="no-referrer">\n'
            f"<title>{_esc(TITLE)} (wardscan {_esc(result.tool_version)})</title>\n"
            f"<style>{STYLE}</style>\n</head>\n<body>\n")


def _title(result: ScanResult) -> str:
    names = ", ".join(d.name for d in result.deployments)
    links = "".join(f'<li><a href="#{a}">{_esc(t)}</a></li>' for a, t in SECTIONS)
    return (f"<header><h1>{_esc(TITLE)}</h1>\n"
            + (f"<p><strong>{_esc(names)}</strong></p>\n" if names else "")
            + f'<p class="muted">Produced by wardscan {_esc(result.tool_version)} from '
            f"{_plural(len(result.files_scanned), 'file')} and "
            f"{_plural(result.rules_run, 'rule')}.</p></header>\n"
            f'<nav aria-label="Contents"><ol>{links}</ol></nav>\n')


def _vendor_row(v: VendorSummary) -> list[str]:
    baa = _yes_no(v.baa_signed)
    if v.receives_phi and v.baa_signed is not True:
        baa_html = f'<span class="warn">{_esc(baa)}: receives PHI without a signed BAA</span>'
    else:
        baa_html = _esc(baa)
    return [_esc(v.name), _value(v.service), _esc(_yes_no(v.receives_phi)), baa_html]


def _deployment(d: DeploymentSummary, paths: _Paths) -> str:
    facts = _dl([
        ("Declared in", f"<code>{_esc(paths.at(Location(d.path, d.line)))}</code>"),
        ("Owner", _value(d.owner)), ("Environment", _value(d.environment)),
        ("Intended use", _value(d.intended_use)), ("Risk tier", _value(d.risk_tier)),
        ("Model", _value(d.model)), ("Uses PHI", _esc(_yes_no(d.phi))),
        ("PHI classes", _value(", ".join(d.phi_classes))),
    ])
    vendors = (_table(("Vendor", "Service", "Receives PHI", "BAA signed"),
                      (_vendor_row(v) for v in d.vendors), f"Vendors of {d.name}")
               if d.vendors else '<p class="muted">No vendors declared.</p>')
    return (f'<div class="deployment"><h3>{_esc(d.name)}</h3>\n{facts}\n'
            f"<h4>Vendors</h4>\n{vendors}</div>")


def _deployments(result: ScanResult, paths: _Paths) -> str:
    if not result.deployments:
        return "<p>No AIDeployment manifest was scanned, so there is no declared summary.</p>"
    return "\n".join(_deployment(d, paths) for d in result.deployments)


# 2. Verdict

def _verdict(result: ScanResult) -> str:
    passed, why = verdict(result)
    word, cls = (("NO THRESHOLD", "none") if result.fail_on is None and passed
                 else ("PASS", "pass") if passed else ("FAIL", "fail"))
    threshold = result.fail_on.value if result.fail_on else "none"
    counts = _table(("Severity", "Active findings"),
                    ([_badge("sev", s), f"{n}"] for s, n in result.counts().items()),
                    "Active findings by severity")
    facts = _dl([("Fail threshold", _esc(threshold)),
                 ("Active findings", str(len(result.active()))),
                 ("Suppressed", f'<a href="#suppressed">{len(result.suppressed())}</a>'),
                 ("Files with errors", f'<a href="#scanned">{len(result.errors)}</a>'),
                 ("Files scanned", str(len(result.files_scanned))),
                 ("Rules run", f"{result.rules_run} ({len(result.applied)} applied to a "
                               "scanned resource)")])
    return (f'<p class="verdict {cls}"><strong>{word}</strong>: {_esc(why)}</p>\n'
            f"{facts}\n{counts}")


# 3. Compliance

def _reports(result: ScanResult) -> tuple[ComplianceReport, ...]:
    if result.compliance:
        return result.compliance
    from scanner.catalogue import catalogues
    from scanner.compliance import compliance

    return tuple(compliance(result, cat) for cat in catalogues().values())


def _control_rules(rules: Sequence[str], active: Counter[str]) -> str:
    """The rules citing a control, those with active findings first, in bold."""
    if not rules:
        return '<span class="muted">none</span>'
    failing = [f'<strong class="id">{_esc(r)} ({active[r]} active)</strong>'
               for r in rules if active[r]]
    return ", ".join([*failing, *(f'<span class="id">{_esc(r)}</span>'
                                  for r in rules if not active[r])])


def _control_row(c: ControlResult, active: Counter[str]) -> list[str]:
    counts = [f"{n} {word}" for n, word in ((c.findings, "active"),
                                            (c.suppressed, "suppressed")) if n]
    return [_id(c.id),
            _esc(c.title) + (" <em>(proposed, not in force)</em>" if c.proposed else ""),
            _badge("st", c.status) + "".join(f"<br>{x}" for x in counts),
            _control_rules(c.rules, active)]


def _compliance_report(report: ComplianceReport, active: Counter[str]) -> str:
    totals = " · ".join(f"{_esc(k)} {v}" for k, v in report.totals().items())
    rows = (_control_row(c, active) for c in report.controls)
    return (f'<h3 id="fw-{_slug(report.framework)}">{_esc(report.name)}</h3>\n'
            f"<p>Framework {_id(report.framework)}. Totals: {totals}.</p>\n"
            + _table(("Control", "Title", "Status", "Rules citing it"), rows,
                     f"{report.name}: per-control results"))


def _compliance(result: ScanResult) -> str:
    active = Counter(f.rule_id for f in result.active())
    meanings = _dl((_badge("st", s), _esc(STATUS_MEANINGS[s])) for s in STATUSES)
    return (f"<p>{_esc(DISCLAIMER)}</p>\n{meanings}\n"
            + "\n".join(_compliance_report(r, active) for r in _reports(result)))


# 4. Inventory

def _servers(result: ScanResult, paths: _Paths) -> str:
    if not result.inventory:
        return "<p>No AI servers were found in the scanned files.</p>"
    rows = ([_esc(i.server), _esc(i.workload), f"<code>{_esc(paths.at(i.location))}</code>",
             f'<span class="warn">{_esc(i.exposure)}</span>' if i.exposure
             else _esc("not exposed")] for i in result.inventory)
    return _table(("Server", "Workload", "Location", "Reachable from outside"), rows,
                  "AI servers found")


# 5. Findings and 6. suppressions

def _explanation(rule: RuleInfo | None) -> list[tuple[str, str]]:
    if rule is None:
        return []
    return [("Why it matters", _prose(rule.summary) + "\n" + _prose(rule.rationale))]


def _suppression_text(sup: Suppression, paths: _Paths) -> str:
    declared = (f", declared at <code>{_esc(paths.at(sup.location))}</code>" if sup.location
                else "")
    until = f", expires {_esc(sup.expires)}" if sup.expires else ", no expiry"
    return f"{_esc(sup.kind)}{until}{declared}: {_esc(sup.reason)}"


def _finding(n: int, f: Finding, rules: dict[str, RuleInfo], paths: _Paths) -> str:
    items = [("Location", f"<code>{_esc(paths.at(f.location, column=True))}</code>"),
             ("Resource", _esc(f.resource)), ("Finding", _esc(f.message)),
             *_explanation(rules.get(f.rule_id))]
    if f.remediation.strip():
        items.append(("Fix", _prose(f.remediation)))
    if f.references:
        items.append(("References", ", ".join(_reference(r) for r in f.references)))
    if f.related:
        items.append(("See also", ", ".join(f"<code>{_esc(paths.at(r, column=True))}</code>"
                                            for r in f.related)))
    if f.suppression is not None:
        items.append(("Suppressed", _suppression_text(f.suppression, paths)))
    if f.fingerprint:
        items.append(("Fingerprint", _hash(f.fingerprint)))
    quiet = " " + _badge("st", "suppressed") if f.suppression is not None else ""
    return (f'<article class="finding {_slug(f.severity.value)}" id="finding-{n}">'
            f"<h3>{_badge('sev', f.severity.value)}{quiet} {_id(f.rule_id)} "
            f"{_esc(f.title)}</h3>\n{_dl(items)}</article>")


def _findings(result: ScanResult, paths: _Paths) -> Iterator[str]:
    """The findings section in pieces: a report may hold many thousands."""
    yield _open("findings")
    if not result.findings:
        yield "<p>No findings.</p>\n"
    else:
        yield (f"<p>{_plural(len(result.findings), 'finding')} in file order "
               f"({len(result.active())} active, {len(result.suppressed())} suppressed).</p>\n")
    rules = {r.id: r for r in result.rules}
    for n, f in enumerate(result.findings, 1):
        yield _finding(n, f, rules, paths) + "\n"
    yield "</section>\n"


def _suppressed_row(n: int, f: Finding, sup: Suppression, paths: _Paths) -> list[str]:
    declared = (f"<code>{_esc(paths.at(sup.location))}</code>" if sup.location
                else _value("", "not recorded"))
    return [f'<a href="#finding-{n}">{_badge("sev", f.severity.value)}</a>',
            _id(f.rule_id), f"<code>{_esc(paths.at(f.location))}</code>",
            _esc(sup.kind), _esc(sup.reason), _value(sup.expires or "", "never"), declared]


def _suppressed(result: ScanResult, paths: _Paths) -> str:
    rows = [_suppressed_row(n, f, f.suppression, paths)
            for n, f in enumerate(result.findings, 1) if f.suppression is not None]
    if not rows:
        return "<p>No findings were suppressed.</p>"
    return ("<p>Suppressed findings never fail the scan; each needs a reason a reviewer can "
            "accept.</p>\n"
            + _table(("Severity", "Rule", "Location", "Kind", "Reason", "Expires",
                      "Declared at"), rows, "Suppressed findings"))


# 7. What was scanned

def _files(result: ScanResult, paths: _Paths) -> str:
    digests = dict(result.digests)
    files = dict.fromkeys([*result.files_scanned, *digests])
    rows = ([f"<code>{_esc(paths.show(p))}</code>",
             _hash(digests[p]) if p in digests
             else _value("", "not recorded")] for p in files)
    return (_table(("File", "SHA-256"), rows, "Files scanned") if files
            else "<p>No files were scanned.</p>")


def _errors(result: ScanResult, paths: _Paths) -> str:
    if not result.errors:
        return "<p>Every file could be read and parsed.</p>"
    rows = ([f"<code>{_esc(where(paths.show(e.path), e.line))}</code>", _esc(e.message)]
            for e in result.errors)
    return _table(("File", "Why it could not be scanned"), rows, "Files not scanned")


def _pack_row(p: PackInfo) -> list[str]:
    return [_id(p.id), _esc(p.name), _esc(p.version), _esc(p.source),
            _hash(p.digest), str(p.rules)]


def _scanned(result: ScanResult, paths: _Paths) -> str:
    packs = (_table(("Pack", "Name", "Version", "Source", "Digest", "Rules"),
                    (_pack_row(p) for p in result.packs), "Rule packs")
             if result.packs else "<p>No rule packs.</p>")
    baseline = (f"<p>Compared against baseline <code>{_esc(paths.show(result.baseline))}"
                f"</code>: {_plural(len(result.fixed), 'baselined finding')} fixed since.</p>\n"
                if result.baseline is not None else "")
    return (f"<p>wardscan {_esc(result.tool_version)}, "
            f"{_plural(result.rules_run, 'rule')} run, "
            f"{_plural(result.resources, 'resource')} checked.</p>\n{baseline}"
            f"<h3>Files and their SHA-256 digests</h3>\n{_files(result, paths)}\n"
            f"<h3>Files that could not be scanned</h3>\n{_errors(result, paths)}\n"
            f"<h3>Rule packs</h3>\n{packs}")


def render_chunks(result: ScanResult, settings: RenderSettings) -> Iterator[str]:
    """The document in pieces, one finding at a time, so a large report is never one string."""
    paths = _Paths(settings.root)
    yield _head(result) + _title(result) + "<main>\n"
    yield _section("deployments", _deployments(result, paths))
    yield _section("verdict", _verdict(result))
    yield _section("compliance", _compliance(result))
    yield _section("servers", _servers(result, paths))
    yield from _findings(result, paths)
    yield _section("suppressed", _suppressed(result, paths))
    yield _section("scanned", _scanned(result, paths))
    yield f"</main>\n<footer><p>{_esc(DISCLAIMER)}</p></footer>\n</body>\n</html>\n"


def render(result: ScanResult, settings: RenderSettings) -> str:
    return "".join(render_chunks(result, settings))
