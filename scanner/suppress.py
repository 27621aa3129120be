"""Inline suppressions (YAML/HCL comments, Kubernetes annotations) and config suppressions.

Syntax, in a comment on the finding's line or on its own line just above it::

    # wardscan:ignore WS-SRV-OLLAMA-001[,WS-...] [until 2027-03-31]: reason text

and as a Kubernetes annotation on the object (covers every finding of that object)::

    metadata:
      annotations:
        wardscan.dev/ignore: "WS-SRV-OLLAMA-001 until 2027-03-31: behind the VPN gateway"

A reason is required: a suppression without one suppresses nothing and is itself reported
(WS-SUPPRESS-001). An expired one suppresses nothing and the finding says it expired.
Security teams that do not let authors silence their own findings turn all of this off
with ``--no-inline-suppressions``; config suppressions (``.wardscan.yaml``) still apply.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scanner.models import Finding, Location, Resource, Suppression

ANNOTATION = "wardscan.dev/ignore"
_COMMENT = re.compile(r"(?:#|//)\s*wardscan:ignore\b(?P<body>.*)$")
_BODY = re.compile(r"^\s*(?P<ids>[A-Za-z0-9*?_\-]+(?:\s*,\s*[A-Za-z0-9*?_\-]+)*)"
                   r"(?:\s+until\s+(?P<until>[^\s:]+))?(?:\s*:\s*(?P<reason>.*\S))?"
                   r"\s*(?:#.*)?$")
NO_REASON = "WS-SUPPRESS-001"
BAD_SUPPRESSION = "WS-SUPPRESS-002"


@dataclass(frozen=True, slots=True)
class Directive:
    """One parsed suppression: which rules, until when, why, where it is written."""

    rules: tuple[str, ...]
    reason: str
    until: str | None
    location: Location
    kind: str = "inline"
    problem: str = ""  # set when the directive is malformed

    def covers(self, rule_id: str) -> bool:
        return any(fnmatch.fnmatchcase(rule_id, pattern) for pattern in self.rules)


def parse_directive(body: str, where: Location, kind: str) -> Directive:
    m = _BODY.match(body)
    if m is None:
        return Directive((), "", None, where, kind,
                         "expected 'wardscan:ignore RULE_ID [until YYYY-MM-DD]: reason'")
    ids = tuple(x.strip().upper() for x in m.group("ids").split(","))
    until = m.group("until")
    problem = ""
    if until is not None:
        try:
            dt.date.fromisoformat(until)
        except ValueError:
            problem = f"'until {until}' is not a date (YYYY-MM-DD)"
    return Directive(ids, (m.group("reason") or "").strip(), until, where, kind, problem)


def comment_directives(text: str, path: str) -> dict[int, list[Directive]]:
    """Directives by the line they apply to: their own line, and the next line when the
    comment stands alone on its line."""
    out: dict[int, list[Directive]] = {}
    if "wardscan:ignore" not in text:
        return out
    lines = text.splitlines()
    for i, line in enumerate(lines, 1):
        m = _COMMENT.search(line)
        if m is None:
            continue
        d = parse_directive(m.group("body"), Location(path, i, m.start() + 1), "inline")
        out.setdefault(i, []).append(d)
        if not line[: m.start()].strip():
            nxt = next((j for j in range(i + 1, len(lines) + 1)
                        if lines[j - 1].strip() and not lines[j - 1].lstrip().startswith(
                            ("#", "//"))), None)
            if nxt is not None:
                out.setdefault(nxt, []).append(d)
    return out


def annotation_directives(resources: Iterable[Resource]) -> dict[int, list[Directive]]:
    """Directives from ``wardscan.dev/ignore`` annotations, by document index."""
    from scanner.adapters.workload import loc

    out: dict[int, list[Directive]] = {}
    for r in resources:
        if not r.kind.startswith("kubernetes/") or not isinstance(r.body, dict):
            continue
        meta = r.body.get("metadata")
        notes = meta.get("annotations") if isinstance(meta, dict) else None
        value = notes.get(ANNOTATION) if isinstance(notes, dict) else None
        if not isinstance(value, str):
            continue
        where = loc(r.path, notes, ANNOTATION)
        for part in value.split(";"):
            if part.strip():
                out.setdefault(r.doc_index, []).append(
                    parse_directive(part, where, "annotation"))
    return out


def apply_inline(findings: list[Finding], by_line: dict[int, list[Directive]],
                 by_doc: dict[int, list[Directive]], doc_of: dict[str, int],
                 today: dt.date) -> list[Finding]:
    """Mark findings covered by a valid directive; note expired ones in the message."""
    out = []
    for f in findings:
        candidates = by_line.get(f.location.line, []) + by_doc.get(doc_of.get(f.resource, -1), [])
        out.append(_decide(f, [d for d in candidates if d.covers(f.rule_id)], today))
    return out


def _decide(f: Finding, directives: list[Directive], today: dt.date) -> Finding:
    expired = None
    for d in directives:
        if d.problem or not d.reason:
            continue
        if d.until and dt.date.fromisoformat(d.until) < today:
            expired = d
            continue
        return dataclasses.replace(f, suppression=Suppression(d.kind, d.reason, d.until,
                                                              d.location))
    if expired is not None:
        where = f"{expired.location.path}:{expired.location.line}"
        return dataclasses.replace(f, message=f"{f.message} [suppression at {where} expired "
                                              f"on {expired.until}]")
    return f


def directive_problems(directives: Iterable[Directive], rules: dict[str, Any]) -> list[Finding]:
    """Findings for suppressions that suppress nothing: no reason, or malformed."""
    out = []
    seen: set[tuple[Location, tuple[str, ...]]] = set()
    for d in directives:
        key = (d.location, d.rules)
        if key in seen:
            continue
        seen.add(key)
        if d.problem:
            rule_id, msg = BAD_SUPPRESSION, f"suppression not understood: {d.problem}"
        elif not d.reason:
            rule_id, msg = NO_REASON, (f"suppression of {', '.join(d.rules)} gives no reason, "
                                       "so it suppresses nothing")
        else:
            continue
        info = rules.get(rule_id)
        if info is None:
            continue
        from scanner.engine.findings import fingerprint

        out.append(Finding(
            location=d.location, rule_id=rule_id, severity=info.severity, title=info.title,
            message=msg, resource=f"file/{d.location.path}", references=info.references,
            remediation=info.remediation,
            fingerprint=fingerprint(rule_id, d.location.path, "file", ",".join(d.rules)),
        ))
    return out
