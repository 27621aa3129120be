"""Compiled rules: what a pack entry becomes after validation, ready to evaluate."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scanner.engine.conditions import Check
from scanner.models import Reference, RuleInfo, Severity

_EXPECT = re.compile(r"#\s*expect\b")


# (key, path, values): only an element whose plain-key ``path`` holds one of ``values`` can
# meet a rule's ``where_each`` (packs.guard_of); ``key`` names the (for_each, path) pair
Guard = tuple[str, tuple[str, ...], frozenset[str]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule. Conditions are closures built once per run."""

    id: str
    title: str
    severity: Severity
    summary: str
    rationale: str
    remediation: str
    references: tuple[Reference, ...]
    applies_to: tuple[str, ...]
    message: str
    pack: str
    source: str
    line: int
    where: Check | None = None
    for_each: tuple[Any, ...] | None = None
    where_each: Check | None = None
    assert_: Check | None = None
    check: str | None = None
    locate: tuple[bool, tuple[Any, ...]] | None = None  # (from_root, segments)
    related: tuple[bool, tuple[Any, ...]] | None = None
    uses_exposure: bool = False  # its conditions read ``exposure`` (cross-file linking)
    guard: Guard | None = None  # what rules a resource out before ``where_each`` runs
    detect: str | None = None  # with ``check: detect``: the detector group
    allow_values: tuple[str, ...] = ()  # regexes of values not to report (config allow-list)
    supersedes: tuple[str, ...] = ()  # rules whose finding at the same place this one replaces
    bad_examples: tuple[str, ...] = ()
    good_examples: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())


def expected_lines(snippet: str) -> list[int]:
    """Lines of an example marked with a trailing ``# expect`` comment (1-based)."""
    return [i for i, text in enumerate(snippet.splitlines(), 1) if _EXPECT.search(text)]

# Rule examples are evaluated as of this date, so an example with "a risk assessment done
# three months ago" means the same thing forever.
EXAMPLE_DATE = "2026-11-27"


def rule_info(rule: Rule) -> RuleInfo:
    """The documentation part of a rule, as formatters see it."""
    return RuleInfo(id=rule.id, title=rule.title, severity=rule.severity, summary=rule.summary,
                    rationale=rule.rationale, remediation=rule.remediation,
                    references=rule.references, pack=rule.pack, tags=rule.tags)
