"""Frozen value types shared by the engine and every formatter.

A ``Finding`` is complete at creation and never changed afterwards; formatters see only a
``ScanResult``. Ordering is by (file, line, column, rule id) so output is deterministic.
"""

from __future__ import annotations

import dataclasses
import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

_T = TypeVar("_T")


def pickled_by_constructor(cls: type[_T]) -> type[_T]:
    """Pickle a frozen slotted dataclass as a constructor call. Why: ``--jobs`` workers send
    their findings and linking records to the parent, and the ``__setstate__`` that
    dataclasses generate for these classes calls ``fields()`` per object; this is several
    times faster to load. Apply above ``@dataclass``."""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    assert all(f.init for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
        return (cls, tuple([getattr(self, n) for n in names]))

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


class Severity(str, enum.Enum):
    """Finding severity, ordered from ``info`` (lowest) to ``critical``."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def sarif_level(self) -> str:
        return {"critical": "error", "high": "error", "medium": "warning"}.get(self.value, "note")

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_RANKS = {s: i for i, s in enumerate(Severity)}
SEVERITY_NAMES = [s.value for s in Severity]


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Reference:
    """A control that a rule maps to, for example HIPAA ``164.312(b)``."""

    framework: str
    control: str
    url: str = ""


@pickled_by_constructor
@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based line and column in a scanned file."""

    path: str
    line: int
    column: int = 1


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Resource:
    """One thing a rule can look at: a manifest, a workload, a Terraform resource.

    ``body`` is the parsed document (plain dicts and lists carrying their YAML nodes, see
    ``scanner.parse.yaml``); ``line`` is where the resource starts.
    """

    kind: str
    name: str
    body: Any
    path: str
    line: int
    doc_index: int = 0


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding does not count: an inline comment, an annotation, config or a baseline."""

    kind: str  # inline | annotation | config | baseline
    reason: str
    expires: str | None = None  # YYYY-MM-DD
    location: Location | None = None  # where the suppression is written


@pickled_by_constructor
@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One rule that did not hold for one resource, at one place."""

    location: Location
    rule_id: str
    severity: Severity = field(compare=False)
    title: str = field(compare=False)
    message: str = field(compare=False)
    resource: str = field(compare=False)
    references: tuple[Reference, ...] = field(compare=False, default=())
    remediation: str = field(compare=False, default="")
    related: tuple[Location, ...] = field(compare=False, default=())
    # Stable across unrelated edits: rule, file, resource and the logical path of the value.
    fingerprint: str = field(compare=False, default="")
    suppression: Suppression | None = field(compare=False, default=None)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule's documentation, for formatters that list the rules that ran (SARIF)."""

    id: str
    title: str
    severity: Severity
    summary: str
    rationale: str
    remediation: str
    references: tuple[Reference, ...]
    pack: str
    tags: tuple[str, ...] = ()

    @property
    def help_uri(self) -> str:
        return next((r.url for r in self.references if r.url.startswith("https://")), "")


@dataclass(frozen=True, slots=True, order=True)
class BaselineEntry:
    """A finding recorded in a baseline file."""

    path: str
    rule_id: str
    resource: str
    fingerprint: str
    line: int = 0


@pickled_by_constructor
@dataclass(frozen=True, slots=True, order=True)
class FileError:
    """A file in the scan that could not be read or parsed, and why."""

    path: str
    message: str
    line: int | None = None


@pickled_by_constructor
@dataclass(frozen=True, slots=True, order=True)
class InventoryItem:
    """An AI server found in the scan, whether or not anything is wrong with it."""

    location: Location
    server: str
    workload: str
    exposure: str = ""  # how it is reachable from outside; empty when it is not


@dataclass(frozen=True, slots=True)
class PackInfo:
    """A rule pack that took part in a scan."""

    id: str
    name: str
    version: str
    source: str
    digest: str
    rules: int
    default_enabled: bool = True


STATUSES = ("failed", "met", "not applicable", "not checked")


@dataclass(frozen=True, slots=True)
class ControlResult:
    """One control's status in a per-control (compliance) report."""

    id: str
    title: str
    status: str
    rules: tuple[str, ...]
    findings: int = 0
    suppressed: int = 0
    proposed: bool = False


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    """Every control of one framework with its status (see scanner/compliance.py)."""

    framework: str
    name: str
    controls: tuple[ControlResult, ...]

    def totals(self) -> dict[str, int]:
        counts = Counter(c.status for c in self.controls)
        return {s: counts.get(s, 0) for s in STATUSES}


@pickled_by_constructor
@dataclass(frozen=True, slots=True, order=True)
class VendorSummary:
    """One vendor an AIDeployment names: what it does and whether PHI reaches it under a BAA."""

    name: str
    service: str = ""
    receives_phi: bool | None = None  # None: not declared
    baa_signed: bool | None = None


@pickled_by_constructor
@dataclass(frozen=True, slots=True, order=True)
class DeploymentSummary:
    """What an AIDeployment manifest declares about itself, for audit reports. Values are
    the manifest's own (shown escaped); "" or None where it declares nothing."""

    path: str
    line: int
    name: str
    owner: str = ""
    environment: str = ""
    intended_use: str = ""
    risk_tier: str = ""
    model: str = ""
    phi: bool | None = None
    phi_classes: tuple[str, ...] = ()
    vendors: tuple[VendorSummary, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a formatter may show. The only input of every formatter."""

    tool_version: str
    findings: tuple[Finding, ...]
    errors: tuple[FileError, ...]
    files_scanned: tuple[str, ...]
    packs: tuple[PackInfo, ...]
    rules_run: int
    fail_on: Severity | None
    resources: int = 0
    inventory: tuple[InventoryItem, ...] = ()
    rules: tuple[RuleInfo, ...] = ()
    fixed: tuple[BaselineEntry, ...] = ()  # in the baseline, no longer found
    baseline: str | None = None  # the baseline file compared against
    applied: tuple[str, ...] = ()  # ids of rules that applied to at least one resource
    compliance: tuple[ComplianceReport, ...] = ()  # asked for with --compliance
    # Sharded runs only: what `wardscan merge` needs to redo cross-file exposure.
    linking: dict[str, Any] | None = None
    deployments: tuple[DeploymentSummary, ...] = ()  # the AIDeployment manifests scanned
    digests: tuple[tuple[str, str], ...] = ()  # (file, sha256 hex) of every file read

    def active(self) -> tuple[Finding, ...]:
        """Findings that count: not suppressed (inline, annotation, config or baseline)."""
        return tuple(f for f in self.findings if f.suppression is None)

    def suppressed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppression is not None)

    def counts(self) -> dict[str, int]:
        """Active findings per severity, every severity present, highest first."""
        out = {s.value: 0 for s in reversed(Severity)}
        for f in self.active():
            out[f.severity.value] += 1
        return out

    def failing(self) -> tuple[Finding, ...]:
        """Active findings at or above the fail threshold (none when there is no threshold)."""
        if self.fail_on is None:
            return ()
        threshold = self.fail_on
        return tuple(f for f in self.active() if f.severity >= threshold)
