"""A scan as a signed, verifiable claim: an in-toto Statement v1 whose subjects are the scanned
files (sha256) and whose predicate is wardscan's scan result, wrapped in a DSSE envelope.

Why this shape: a hospital receiving a vendor's deployment files and report needs to check
three things without trusting the vendor's word: that the report came from the vendor's key
(the signature), that it is about exactly these files (the subject digests), and that its
findings were not edited (a re-scan with the recorded configuration gives the same findings).
The predicate is documented in docs/attestation.md and has a JSON Schema
(scanner/schemas/attestation-predicate.schema.json); its type URI carries its version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from scanner.engine.packs import RuleSet
from scanner.errors import ScannerError
from scanner.limits import Limits
from scanner.models import ScanResult, Severity
from scanner.scan import ConfigSuppression, ScanOptions

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://wardscan.dev/attestation/scan/v1"


def timestamp(environ: dict[str, str] | None = None) -> str:
    """Now, in UTC to the second; ``SOURCE_DATE_EPOCH`` (reproducible builds) fixes it."""
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    when = (dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit()
            else dt.datetime.now(dt.timezone.utc))
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _sha256_file(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def configuration(options: ScanOptions, ruleset: RuleSet) -> dict[str, Any]:
    """Everything that changes which findings a scan reports, so a re-scan can repeat it."""
    return {
        "as_of": options.today.isoformat(),
        "fail_on": options.fail_on.value if options.fail_on else None,
        "min_severity": options.min_severity.value,
        "inline_suppressions": options.inline_suppressions,
        "format_hints": [list(h) for h in options.format_hints],
        "exclude": list(options.exclude),
        "suppressions": [{"rule": s.rule, "reason": s.reason, "paths": list(s.paths),
                          "expires": s.expires} for s in options.suppressions],
        "allow_paths": [[rule, list(paths)] for rule, paths in options.allow_paths],
        "limits": dataclasses.asdict(options.limits),
        "shard": list(options.shard) if options.shard else None,
        "baseline": None if options.baseline is None else {
            "file": options.baseline, "sha256": _sha256_file(options.baseline)},
        "rules": [{"id": r.id, "pack": r.pack, "severity": r.severity.value,
                   **({"allow_values": list(r.allow_values)} if r.allow_values else {})}
                  for r in ruleset.rules],
    }


def statement(result: ScanResult, options: ScanOptions, ruleset: RuleSet,
              scanned_at: str) -> dict[str, Any]:
    """The in-toto Statement for a finished scan (compliance computed for every framework
    the result does not already carry)."""
    from scanner.catalogue import catalogue, catalogues
    from scanner.compliance import compliance
    from scanner.report.json_report import compliance_dict, report_dict

    reports = result.compliance or tuple(compliance(result, catalogue(f))
                                         for f in sorted(catalogues()))
    report = report_dict(result)
    predicate = {
        "scanner": report["tool"],
        "scanned_at": scanned_at,
        "configuration": configuration(options, ruleset),
        "packs": report["scan"]["packs"],
        "files": report["scan"]["files"],
        "rules_run": result.rules_run,
        "rules_applied": list(result.applied),
        "summary": report["summary"],
        "compliance": [compliance_dict(r) for r in reports],
        "deployments": [dataclasses.asdict(d) for d in result.deployments],
        "inventory": report["inventory"],
        "findings": report["findings"],
        "errors": report["errors"],
    }
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": path, "digest": {"sha256": digest}}
                    for path, digest in result.digests],
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }


def payload_bytes(stmt: dict[str, Any]) -> bytes:
    """The signed bytes: compact JSON with sorted keys (the same scan gives the same bytes,
    apart from ``scanned_at``)."""
    return json.dumps(stmt, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


# --- verification -----------------------------------------------------------------------

Check = tuple[str, bool, str]


def check_statement(payload: bytes) -> tuple[dict[str, Any] | None, Check]:
    """The statement in a verified payload, if it is a wardscan scan statement."""
    try:
        stmt = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, ("statement", False, "the payload is not JSON")
    if not isinstance(stmt, dict) or stmt.get("_type") != STATEMENT_TYPE:
        return None, ("statement", False, f"not an in-toto Statement v1 ({STATEMENT_TYPE})")
    if stmt.get("predicateType") != PREDICATE_TYPE:
        return None, ("statement", False, f"predicate type is {stmt.get('predicateType')!r}, "
                                          f"not {PREDICATE_TYPE!r}")
    subjects = stmt.get("subject")
    if not isinstance(subjects, list) or not isinstance(stmt.get("predicate"), dict) or not all(
            isinstance(s, dict) and isinstance(s.get("name"), str)
            and isinstance(s.get("digest"), dict) for s in subjects):
        return None, ("statement", False, "malformed statement: subject or predicate")
    return stmt, ("statement", True, f"in-toto Statement v1, {PREDICATE_TYPE}, "
                                     f"{len(subjects)} files")


def _under(name: str, roots: list[str]) -> bool:
    for root in roots:
        r = root.rstrip("/") or "/"
        if r in (".", "") or name == r or name.startswith(r + "/"):
            return True
    return False


def check_files(stmt: dict[str, Any], paths: list[str]) -> Check:
    """Do the files under ``paths`` match the subjects: none added, missing or changed?"""
    from scanner.discover import discover

    config = stmt["predicate"].get("configuration", {})
    limits = Limits(**config.get("limits", {}))
    found = discover(tuple(paths), exclude=tuple(config.get("exclude", ())),
                     max_bytes=limits.max_file_bytes)
    attested = {s["name"]: str(s["digest"].get("sha256", "")) for s in stmt["subject"]}
    present = {p: _sha256_file(p) for p in found.files}
    changed = sorted(p for p, d in present.items() if p in attested and d != attested[p])
    added = sorted(p for p in present if p not in attested)
    in_scope = [p for p in attested if _under(p, paths) or p in present]
    missing = sorted(p for p in in_scope if p not in present)
    problems = [f"{len(xs)} {word}: {', '.join(xs[:5])}{' ...' if len(xs) > 5 else ''}"
                for word, xs in (("changed (sha256 differs)", changed),
                                 ("added (not in the attestation)", added),
                                 ("missing (attested, not found)", missing)) if xs]
    if problems:
        return ("files", False, "; ".join(problems) + _moved_hint(added, missing))
    skipped = len(attested) - len(in_scope)
    note = f"; {skipped} attested files lie outside the given paths" if skipped else ""
    files = "1 file matches its" if len(present) == 1 else f"{len(present)} files match their"
    return ("files", True, f"{files} attested sha256{note}")


def _moved_hint(added: list[str], missing: list[str]) -> str:
    """When every added file is a missing one seen from another folder, say so: subjects are
    named as the attesting scan saw them, relative to where it ran."""
    if not added or len(added) != len(missing):
        return ""
    prefixes = {m[: len(m) - len(a)] for a, m in zip(sorted(added), sorted(missing),
                                                    strict=True) if m.endswith("/" + a)}
    if len(prefixes) != 1:
        return ""
    return (f" (the attested names start with {prefixes.pop()!r}: run verify from the folder "
            "the attestation was made in)")


def rescan_inputs(stmt: dict[str, Any], paths: list[str], rule_paths: tuple[str, ...],
                  baseline: str | None) -> tuple[ScanOptions, RuleSet]:
    """The scan options and rules the attestation records; ``ScannerError`` when they cannot
    be repeated here (a pack missing or different, a baseline not given or different)."""
    from scanner.engine.packs import load_rules

    pred = stmt["predicate"]
    config = pred.get("configuration", {})
    loaded = load_rules(rule_paths)
    here = {p.id: p for p in loaded.packs}
    for pack in pred.get("packs", []):
        mine = here.get(pack.get("id"))
        if mine is None:
            raise ScannerError(f"pack {pack.get('id')!r} {pack.get('version')} is not "
                               "available here; give it with --rules")
        if mine.digest != pack.get("digest"):
            raise ScannerError(f"pack {mine.id!r} differs: attested version "
                               f"{pack.get('version')} ({str(pack.get('digest'))[:19]}), here "
                               f"{mine.version} ({mine.digest[:19]})")
    rules = config.get("rules", [])
    if not rules:
        raise ScannerError("the attested scan ran no rules; there is nothing to re-scan")
    ruleset = loaded.select(
        only_packs=tuple(sorted({p["id"] for p in pred.get("packs", [])})),
        select=tuple(r["id"] for r in rules),
        severity={r["id"]: r["severity"] for r in rules},
        allow_values={r["id"]: tuple(r["allow_values"]) for r in rules if r.get("allow_values")},
    )
    recorded = config.get("baseline")
    if recorded is not None:
        if baseline is None:
            raise ScannerError(f"the attested scan used the baseline {recorded.get('file')}; "
                               "give it with --baseline to re-scan")
        if _sha256_file(baseline) != recorded.get("sha256"):
            raise ScannerError("the baseline given differs from the attested one", baseline)
    fail_on = config.get("fail_on")
    options = ScanOptions(
        paths=tuple(paths), today=dt.date.fromisoformat(config["as_of"]),
        fail_on=Severity(fail_on) if fail_on else None,
        min_severity=Severity(config.get("min_severity", "info")),
        inline_suppressions=bool(config.get("inline_suppressions", True)),
        format_hints=tuple((g, f) for g, f in config.get("format_hints", [])),
        exclude=tuple(config.get("exclude", [])),
        suppressions=tuple(ConfigSuppression(s["rule"], s["reason"], tuple(s["paths"]),
                                             s.get("expires"))
                           for s in config.get("suppressions", [])),
        allow_paths=tuple((r, tuple(ps)) for r, ps in config.get("allow_paths", [])),
        limits=Limits(**config.get("limits", {})),
        shard=(int(config["shard"][0]), int(config["shard"][1])) if config.get("shard") else None,
        baseline=baseline,
    )
    return options, ruleset


def check_findings(stmt: dict[str, Any], result: ScanResult) -> Check:
    """Does a re-scan report exactly the attested findings (and suppressions)?"""
    from scanner.report.json_report import finding_dict

    def key(d: dict[str, Any]) -> str:
        return json.dumps(d, sort_keys=True)

    attested = Counter(key(d) for d in stmt["predicate"].get("findings", []))
    again = Counter(key(finding_dict(f)) for f in result.findings)
    if attested == again:
        return ("findings", True, f"a re-scan reports the same {sum(again.values())} findings")
    only_attested = list((attested - again).elements())
    only_again = list((again - attested).elements())

    def first(items: list[str]) -> str:
        d = json.loads(items[0])
        return f" (first: {d['rule_id']} at {d['file']}:{d['line']})"

    parts = []
    if only_attested:
        parts.append(f"{len(only_attested)} attested findings are not what a re-scan reports"
                     + first(only_attested))
    if only_again:
        parts.append(f"{len(only_again)} findings of the re-scan are not in the attestation"
                     + first(only_again))
    return ("findings", False, "; ".join(parts) + ": the findings were edited, or the files "
                                                  "or rules differ")
