"""SARIF 2.1.0, one run, for GitHub code scanning and other SARIF viewers.

GitHub matches result paths against the repository root, so paths are written relative to
``%SRCROOT%``: the folder wardscan ran from, which in CI is the checkout. A path outside it
stays an absolute ``file:`` URI (with no base id, as SARIF requires), which GitHub's upload
action relativises against its checkout path. GitHub rejects an upload that exceeds its hard
limits, so this writer keeps under them, dropping the least severe results first, and says so
in ``run.properties`` and in a tool notification. No timestamps: the output is reproducible.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from scanner.models import (
    FileError,
    Finding,
    Location,
    RuleInfo,
    ScanResult,
    Severity,
    Suppression,
)
from scanner.report import RenderSettings
from scanner.report.jsontext import Lazy, iterdump
from scanner.report.markdown import reference_markdown, remediation_markdown

SCHEMA_URI = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
              "sarif-schema-2.1.0.json")
INFORMATION_URI = "https://github.com/wardscan/wardscan"
SRCROOT = "%SRCROOT%"
STDIN = "<stdin>"
FINGERPRINT_KEY = "wardscanFingerprint/v1"
# GitHub reads ``security-severity`` as a CVSS-like score: >= 9.0 critical, 7.0-8.9 high,
# 4.0-6.9 medium, 0.1-3.9 low, 0.0 none.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "3.0", Severity.INFO: "0.0"}
# GitHub code scanning rejects a file over these ("SARIF support for code scanning").
MAX_RESULTS = 25_000  # per run
MAX_RULES = 25_000  # per run
MAX_LOCATIONS = 1_000  # per result; applied to relatedLocations as well
MAX_TAGS = 20  # per rule
MAX_NAME = 255  # reportingDescriptor.name
MAX_DESCRIPTION = 1_024  # shortDescription.text and fullDescription.text
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_LINK_LIKE = re.compile(r"\[[^\]]*\]\(")


def relative_path(path: str, root: str | None) -> str:
    """``path`` as a normalised POSIX path, relative to ``root`` when it lies inside it."""
    if path == STDIN:
        return "stdin"
    posix = posixpath.normpath(path.replace(os.sep, "/"))
    if root and _is_absolute(posix):
        base = posixpath.normpath(root.replace(os.sep, "/")).rstrip("/") + "/"
        if posix.startswith(base):
            return posix[len(base):]
    return posix


def _is_absolute(posix: str) -> bool:
    return posix.startswith("/") or re.match(r"^[A-Za-z]:/", posix) is not None


def artifact_location(path: str, root: str | None) -> dict[str, Any]:
    rel = relative_path(path, root)
    if _is_absolute(rel):
        return {"uri": "file://" + quote(rel if rel.startswith("/") else "/" + rel, safe="/:")}
    return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}


def _physical(path: str, line: int | None, column: int | None, root: str | None
              ) -> dict[str, Any]:
    """A location; lines and columns below 1 (unknown) are clamped, as SARIF requires."""
    loc: dict[str, Any] = {"artifactLocation": artifact_location(path, root)}
    if line is not None:
        loc["region"] = {"startLine": max(1, line)}
        if column is not None:
            loc["region"]["startColumn"] = max(1, column)
    return {"physicalLocation": loc}


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pascal(text: str) -> str:
    """A Pascal-case friendly name (the SARIF convention): no articles, no capital runs."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", text) if w]
    words = [w for w in words if w.lower() not in ("a", "an", "the")] or words
    return "".join(w[:1].upper() + w[1:].lower() for w in words)


def _help(rule: RuleInfo) -> dict[str, str]:
    refs = [f"- {r.framework} {r.control}" + (f": {r.url}" if r.url else "")
            for r in rule.references]
    text = [rule.rationale, "Remediation:\n" + rule.remediation.strip()
            if rule.remediation.strip() else "", "References:\n" + "\n".join(refs) if refs else ""]
    md = [rule.rationale, "**Remediation**\n\n" + remediation_markdown(rule.remediation)
          if rule.remediation.strip() else "",
          "**References**\n\n" + "\n".join(f"- {r}" for r in reference_markdown(rule.references))
          if refs else ""]
    return {"text": "\n\n".join(t for t in text if t) or rule.title,
            "markdown": "\n\n".join(m for m in md if m) or rule.title}


def rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    """A reportingDescriptor with everything GitHub shows next to an alert."""
    tags = ["security", rule.pack, *rule.tags,
            *(f"{r.framework}:{r.control}" for r in rule.references)]
    out: dict[str, Any] = {
        "id": rule.id,
        "name": _cap(_pascal(rule.title) or _pascal(rule.id), MAX_NAME),
        "shortDescription": {"text": _cap(rule.title or rule.id, MAX_DESCRIPTION)},
        "fullDescription": {"text": _cap(rule.summary or rule.title or rule.id,
                                         MAX_DESCRIPTION)},
        "help": _help(rule),
        "defaultConfiguration": {"level": rule.severity.sarif_level},
        "properties": {"tags": list(dict.fromkeys(t for t in tags if t))[:MAX_TAGS],
                       "security-severity": SECURITY_SEVERITY[rule.severity],
                       "severity": rule.severity.value},
    }
    if rule.help_uri:
        out["helpUri"] = rule.help_uri
    return out


def _stand_in(f: Finding) -> RuleInfo:
    """Documentation for a rule missing from ``result.rules``, built from its finding."""
    return RuleInfo(f.rule_id, f.title, f.severity, f.title, "", f.remediation,
                    f.references, "")


def fingerprint(f: Finding) -> str:
    if f.fingerprint:
        return f.fingerprint
    key = "|".join((f.rule_id, f.location.path, f.resource, f.message))
    return hashlib.sha256(key.encode()).hexdigest()


def _message(f: Finding, root: str | None) -> str:
    """The finding's message, plus links to its related locations that GitHub renders."""
    text = _escape(f.message) if _LINK_LIKE.search(f.message) else f.message  # SARIF 3.11.6
    links = [f"[{_escape(relative_path(r.path, root))}:{r.line}]({i})"
             for i, r in enumerate(f.related[:MAX_LOCATIONS], 1)]
    return text.rstrip(". ") + f". See also: {', '.join(links)}" if links else text


def _escape(text: str) -> str:
    """Make brackets literal, so SARIF viewers do not read them as an embedded link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _related(r: Location, i: int, root: str | None) -> dict[str, Any]:
    loc = _physical(r.path, r.line, r.column, root)
    return {"id": i, **loc, "message": {"text": f"{relative_path(r.path, root)}:{r.line}"}}


def _result(f: Finding, rule_index: int, root: str | None) -> dict[str, Any]:
    loc = f.location
    out: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": f.severity.sarif_level,
        "message": {"text": _message(f, root)},
        "locations": [_physical(loc.path, loc.line, loc.column, root)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
        "properties": {"severity": f.severity.value, "resource": f.resource},
    }
    if f.related:
        out["relatedLocations"] = [_related(r, i, root)
                                   for i, r in enumerate(f.related[:MAX_LOCATIONS], 1)]
    if f.suppression is not None:
        out["suppressions"] = [_suppression(f.suppression, root)]
    return out


def _suppression(sup: Suppression, root: str | None) -> dict[str, Any]:
    """Inline comments and annotations live in the source; config and baselines do not."""
    out: dict[str, Any] = {
        "kind": "inSource" if sup.kind in ("inline", "annotation") else "external",
        "status": "accepted",
        "properties": {"wardscanKind": sup.kind, **({"expires": sup.expires}
                                                    if sup.expires else {})},
    }
    if sup.reason:
        out["justification"] = sup.reason
    if sup.location is not None:
        out["location"] = _physical(sup.location.path, sup.location.line,
                                    sup.location.column, root)
    return out


def _keep(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """At most ``MAX_RESULTS`` findings: active before suppressed, then most severe first."""
    if len(findings) <= MAX_RESULTS:
        return findings
    order = sorted(range(len(findings)), key=lambda i: (
        findings[i].suppression is not None, -findings[i].severity.rank, i))
    return tuple(findings[i] for i in sorted(order[:MAX_RESULTS]))


def _rules(result: ScanResult, kept: tuple[Finding, ...]) -> list[RuleInfo]:
    """Every rule that ran (plus stand-ins), those with results first if over the limit."""
    rules = {r.id: r for r in result.rules}
    for f in kept:
        rules.setdefault(f.rule_id, _stand_in(f))
    if len(rules) <= MAX_RULES:
        return list(rules.values())
    used = {f.rule_id for f in kept}
    ranked = sorted(rules, key=lambda rule_id: rule_id not in used)  # stable
    chosen = set(ranked[:MAX_RULES])
    return [r for r in rules.values() if r.id in chosen]


def _notification(e: FileError, root: str | None) -> dict[str, Any]:
    return {"level": "error", "message": {"text": f"{e.path}: {e.message}"},
            "locations": [_physical(e.path, e.line, None, root)]}


def sarif_log(result: ScanResult, root: str | None = None,
              lazy: bool = False) -> dict[str, Any]:
    """The SARIF log; with ``lazy`` the results are made one at a time as they are written."""
    kept = _keep(result.findings)
    rules = _rules(result, kept)
    index = {r.id: i for i, r in enumerate(rules)}
    notes = [_notification(e, root) for e in result.errors]
    truncated: dict[str, Any] = {}
    if len(kept) < len(result.findings):
        truncated["results"] = {"kept": len(kept), "total": len(result.findings),
                                "limit": MAX_RESULTS}
    if len(rules) < len({*(r.id for r in result.rules), *(f.rule_id for f in kept)}):
        truncated["rules"] = {"kept": len(rules), "limit": MAX_RULES}
    if any(len(f.related) > MAX_LOCATIONS for f in kept):
        truncated["relatedLocations"] = {"limit": MAX_LOCATIONS}
    if truncated:
        notes.append({"level": "warning", "message": {"text": (
            "Output shortened to stay within GitHub code scanning upload limits: "
            + json.dumps(truncated, sort_keys=True))}})
    driver: dict[str, Any] = {"name": "wardscan", "version": result.tool_version,
                              "informationUri": INFORMATION_URI,
                              "rules": [rule_descriptor(r) for r in rules]}
    if _SEMVER.match(result.tool_version):
        driver["semanticVersion"] = result.tool_version
    failing = result.failing()
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {SRCROOT: {"description": {
            "text": "The folder wardscan was run from (normally the repository root)."}}},
        "invocations": [{"executionSuccessful": True,
                         **({"toolExecutionNotifications": notes} if notes else {})}],
        "results": (Lazy(_result(f, index[f.rule_id], root) for f in kept) if lazy
                    else [_result(f, index[f.rule_id], root) for f in kept]),
        "properties": {"filesScanned": len(result.files_scanned), "resources": result.resources,
                       "rulesRun": result.rules_run, "failOn": result.fail_on.value
                       if result.fail_on else None, "failing": len(failing),
                       "passed": not failing, "truncated": truncated,
                       "packs": [{"id": p.id, "version": p.version, "digest": p.digest}
                                 for p in result.packs]},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, settings: RenderSettings) -> str:
    return "".join(render_chunks(result, settings))


def render_chunks(result: ScanResult, settings: RenderSettings) -> Iterator[str]:
    """The log in pieces, results turned into JSON one at a time (bounded memory)."""
    yield from iterdump(sarif_log(result, settings.root, lazy=True), sort_keys=True)
    yield "\n"
