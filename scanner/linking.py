"""Findings that depend on more than one file: a workload exposed by a Service elsewhere.

Documents are dropped once their file is evaluated (memory stays bounded), so cross-file
exposure is decided with small records. When a file is evaluated, each Kubernetes
workload not already exposed is also evaluated as if it were exposed, by the rules that
read ``exposure``; what only that hypothetical run finds is kept as a candidate, with the
workload's selector keys. At the end, a candidate whose workload is selected by an
exposer from another file becomes a finding, naming that exposer and its location.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scanner.adapters.synth import SynthMap, SynthSeq, loc_of
from scanner.adapters.workload import set_exposure, via_item
from scanner.engine.evaluate import evaluate_rule
from scanner.engine.rules import Rule
from scanner.exposure import Exposer, ExposerIndex, apply, exposers_of, exposures
from scanner.models import Finding, InventoryItem, Resource, pickled_by_constructor

PLACEHOLDER = "\x00exposure\x00"


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Candidate:
    finding: Finding
    path: str
    stub: Resource  # the workload's name, namespace, labels and service names only


@dataclass
class CrossFile:
    exposers: list[tuple[str, Exposer]] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    servers: list[tuple[InventoryItem, Resource | None]] = field(default_factory=list)

    def inventory_file(self, resources: list[Resource]) -> None:
        """Note every AI server container (exposure across files is added at the end)."""
        for r in resources:
            if r.kind != "workload":
                continue
            exposure = r.body["exposure"]
            stub = None if exposure["public"] else _stub(r)
            for c in r.body["containers"]:
                if c.get("server"):
                    where = loc_of(c, "image") or c.origin or exposure.origin
                    self.servers.append((InventoryItem(where, c["server"], r.name,
                                                       exposure["summary"] or ""), stub))

    def inventory(self) -> list[InventoryItem]:
        out = []
        index = ExposerIndex([e for _path, e in self.exposers])
        for item, stub in self.servers:
            if stub is not None:
                found = index.exposures(stub)
                if found:
                    item = dataclasses.replace(item, exposure="; ".join(
                        f"{e.detail} at {e.location.path}:{e.location.line}" for e in found))
            out.append(item)
        return sorted(out)

    def link_file(self, path: str, resources: list[Resource]) -> None:
        """Record this file's exposers and apply them to its own workloads."""
        found = exposers_of(resources)
        self.exposers.extend((path, e) for e in found)
        for r in resources:
            if r.kind == "workload":
                apply(r, exposures(r, found))

    def hypotheses(self, resources: list[Resource], rules: Sequence[Rule], today: dt.date,
                   real: list[Finding],
                   mark: Callable[[list[Finding]], list[Finding]] = lambda fs: fs) -> None:
        """Keep what exposure-reading rules would find if an unexposed workload were exposed."""
        exposure_rules = [r for r in rules if r.uses_exposure]
        if not exposure_rules:
            return
        seen = {(f.rule_id, f.location) for f in real}
        for r in resources:
            body = r.body
            if r.kind != "workload" or body.get("platform") != "kubernetes" \
                    or body["exposure"]["public"]:
                continue
            if not body.get("labels") and not body.get("service_names"):
                continue
            maybe = _as_if_exposed(r)
            for rule in exposure_rules:
                new = [f for f in evaluate_rule(rule, maybe, today)
                       if (f.rule_id, f.location) not in seen]
                self.candidates.extend(Candidate(f, r.path, _stub(r)) for f in mark(new))

    def resolve(self) -> list[Finding]:
        """Candidates whose workload another file's exposer does expose."""
        out = []
        index = ExposerIndex([e for _path, e in self.exposers])
        for c in self.candidates:
            # The workload was not exposed by its own file, so whatever exposes it now
            # involves another file (an Ingress there may route to a Service here).
            found = index.exposures(c.stub)
            if not found:
                continue
            summary = "; ".join(f"{e.detail} at {e.location.path}:{e.location.line}"
                                for e in found)
            out.append(dataclasses.replace(
                c.finding, message=c.finding.message.replace(PLACEHOLDER, summary),
                related=tuple(e.location for e in found)))
        return out


def _as_if_exposed(r: Resource) -> Resource:
    body = SynthMap(r.body.origin)
    body.update(r.body)
    body.locs.update(r.body.locs)
    exposure = SynthMap(r.body["exposure"].origin)
    via = SynthSeq(exposure.origin)
    assert exposure.origin is not None
    via.add(via_item("Service", PLACEHOLDER, PLACEHOLDER, exposure.origin), exposure.origin)
    set_exposure(exposure, via, exposure.origin)
    exposure.put("summary", PLACEHOLDER, exposure.origin)
    body.put("exposure", exposure, exposure.origin)
    return dataclasses.replace(r, body=body)


def _stub(r: Resource) -> Resource:
    body = SynthMap()
    for key in ("platform", "name", "namespace", "labels", "service_names"):
        body[key] = r.body.get(key)
    body["labels"] = dict(body["labels"] or {})
    body["service_names"] = list(body["service_names"] or [])
    return dataclasses.replace(r, body=body)
