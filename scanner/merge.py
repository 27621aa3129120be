"""Join the JSON reports of a sharded scan into the report an unsharded run gives.

A shard's JSON report carries, under ``linking``, the small records cross-file exposure
needs (exposers, candidate findings, AI servers not yet known to be exposed); merging
resolves them again over all shards, so a Service in one shard still exposes a workload in
another, with the same message an unsharded run writes.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from scanner.adapters.synth import SynthMap
from scanner.errors import ConfigError
from scanner.exposure import Exposer
from scanner.linking import Candidate, CrossFile
from scanner.models import (
    BaselineEntry,
    DeploymentSummary,
    FileError,
    Finding,
    InventoryItem,
    Location,
    PackInfo,
    Reference,
    Resource,
    ScanResult,
    Severity,
    Suppression,
    VendorSummary,
)


def _loc(d: dict[str, Any]) -> Location:
    return Location(d["file"], d["line"], d.get("column", 1))


def finding_from(d: dict[str, Any]) -> Finding:
    sup = d.get("suppression")
    return Finding(
        location=_loc(d), rule_id=d["rule_id"], severity=Severity(d["severity"]),
        title=d["title"], message=d["message"], resource=d["resource"],
        references=tuple(Reference(r["framework"], r["control"], r["url"])
                         for r in d["references"]),
        remediation=d["remediation"], related=tuple(_loc(r) for r in d["related"]),
        fingerprint=d["fingerprint"],
        suppression=None if sup is None else Suppression(
            sup["kind"], sup["reason"], sup["expires"],
            Location(sup["file"], sup["line"]) if sup.get("file") else None),
    )


def _stub_dict(stub: Resource) -> dict[str, Any]:
    b = stub.body
    return {"kind": stub.kind, "name": stub.name, "path": stub.path, "line": stub.line,
            "body": {k: b.get(k) for k in ("platform", "name", "namespace", "labels",
                                           "service_names")}}


def _stub_from(d: dict[str, Any]) -> Resource:
    body = SynthMap()
    body.update(d["body"])
    return Resource(d["kind"], d["name"], body, d["path"], d["line"])


def linking_state(cross: CrossFile, result: ScanResult | None = None) -> dict[str, Any]:
    """What ``merge`` needs to redo cross-file exposure over all shards, and to give the
    merged result the files' digests and the manifests' summaries (JSON-able)."""
    from scanner.report.json_report import finding_dict

    return {
        "digests": [list(d) for d in (result.digests if result else ())],
        "deployments": [dataclasses.asdict(d) for d in (result.deployments if result else ())],
        "exposers": [{"file": path, **dataclasses.asdict(e)} for path, e in cross.exposers],
        "candidates": [{"finding": finding_dict(c.finding), "path": c.path,
                        "stub": _stub_dict(c.stub)} for c in cross.candidates],
        "servers": [{"item": dataclasses.asdict(item),
                     "stub": None if stub is None else _stub_dict(stub)}
                    for item, stub in cross.servers],
    }


def _exposer_from(d: dict[str, Any]) -> tuple[str, Exposer]:
    loc = d["location"]
    return d["file"], Exposer(
        kind=d["kind"], name=d["name"], namespace=d["namespace"],
        location=Location(loc["path"], loc["line"], loc["column"]),
        service_type=d["service_type"], selector=tuple(tuple(x) for x in d["selector"]),
        backends=tuple(d["backends"]), internal=d["internal"],
        source_ranges=tuple(d["source_ranges"]), tls=d["tls"])


def _item_from(d: dict[str, Any]) -> InventoryItem:
    loc = d["location"]
    return InventoryItem(Location(loc["path"], loc["line"], loc["column"]), d["server"],
                         d["workload"], d["exposure"])


def _read(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read a JSON report: {exc}", path) from None
    if not isinstance(data, dict) or data.get("tool", {}).get("name") != "wardscan":
        raise ConfigError("not a wardscan JSON report (wardscan scan --format json)", path)
    if "linking" not in data:
        raise ConfigError("this report has no linking data; write shard reports with "
                          "'wardscan scan --shard K/N --format json'", path)
    return data


def merge_reports(paths: tuple[str, ...]) -> ScanResult:
    from scanner.engine.packs import load_rules
    from scanner.engine.rules import rule_info

    reports = [_read(p) for p in paths]
    first = reports[0]
    cross = CrossFile()
    own: set[tuple[str, Location, str]] = set()
    findings: list[Finding] = []
    for r in reports:
        link = r["linking"]
        cross.exposers.extend(_exposer_from(e) for e in link["exposers"])
        for c in link["candidates"]:
            f = finding_from(c["finding"])
            own.add((f.rule_id, f.location, f.fingerprint))
            cross.candidates.append(Candidate(f, c["path"], _stub_from(c["stub"])))
        cross.servers.extend((_item_from(s["item"]), None if s["stub"] is None
                              else _stub_from(s["stub"])) for s in link["servers"])
        findings.extend(f for f in map(finding_from, r["findings"])
                        if (f.rule_id, f.location, f.fingerprint) not in own)
    findings.extend(cross.resolve())
    packs = tuple(PackInfo(p["id"], p["name"], p["version"], p["source"], p["digest"],
                           p["rules"]) for p in first["scan"]["packs"])
    extra = [p.source for p in packs if not p.source.startswith("builtin:")]
    chosen = {f["rule_id"] for r in reports for f in r["findings"]}
    ruleset = load_rules(tuple(extra))
    fail_on = first["scan"]["fail_on"]
    base = first.get("baseline")
    return ScanResult(
        tool_version=first["tool"]["version"],
        findings=tuple(sorted(findings)),
        errors=tuple(sorted(FileError(e["file"], e["message"], e["line"])
                            for r in reports for e in r["errors"])),
        files_scanned=tuple(sorted({f for r in reports for f in r["scan"]["files"]})),
        packs=packs,
        rules_run=first["scan"]["rules_run"],
        fail_on=None if fail_on is None else Severity(fail_on),
        resources=sum(r["scan"]["resources"] for r in reports),
        inventory=tuple(cross.inventory()),
        rules=tuple(rule_info(x) for x in ruleset.rules
                    if x.pack in {p.id for p in packs} or x.id in chosen),
        fixed=tuple(sorted(BaselineEntry(e["file"], e["rule_id"], e["resource"],
                                         e["fingerprint"], e["line"])
                           for r in reports if r.get("baseline")
                           for e in r["baseline"]["fixed"])),
        baseline=base["file"] if base else None,
        linking=None,
        applied=tuple(sorted({x for r in reports for x in r["scan"]["rules_applied"]})),
        digests=tuple(sorted({(d[0], d[1]) for r in reports
                              for d in r["linking"].get("digests", ())})),
        deployments=tuple(sorted(_deployment_from(d) for r in reports
                                 for d in r["linking"].get("deployments", ()))),
    )


def _deployment_from(d: dict[str, Any]) -> DeploymentSummary:
    vendors = tuple(VendorSummary(**v) for v in d.get("vendors", ()))
    return DeploymentSummary(**{**d, "vendors": vendors, "phi_classes": tuple(
        d.get("phi_classes", ()))})
