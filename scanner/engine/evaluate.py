"""Pure evaluation: (resources, rules, today) -> findings. No I/O, no printing, no globals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from scanner.engine import builtin_checks
from scanner.engine.conditions import Check, Context, follow
from scanner.engine.findings import locate, make_finding, render_message
from scanner.engine.packs import RuleSet
from scanner.engine.paths import Ref, select
from scanner.engine.rules import Guard, Rule
from scanner.models import Finding, Location, Resource


def _anchor_refs(anchor: tuple[bool, tuple[Any, ...]], value: Any, ref: Ref,
                 ctx: Context) -> list[Ref]:
    from_root, segments = anchor
    base, bref = (ctx.root, ctx.root_ref) if from_root else (value, ref)
    hits, misses = select(base, bref, segments)
    return [r for _v, r in hits] or misses[:1]


def evaluate_rule(rule: Rule, resource: Resource, today: dt.date,
                  applied: set[str] | None = None,
                  shared: dict[Any, Any] | None = None) -> list[Finding]:
    """Findings of one declarative rule on one resource.

    ``applied`` collects the ids of rules whose ``where`` (and, with ``for_each``, some
    element's ``where_each``) held: the per-control report tells "met" from "not applicable"
    by it. ``shared`` is per-resource state the rules of one resource reuse (the context and
    the ``for_each`` selections, which many rules share).
    """
    root = resource.body
    if shared is None:
        shared = {}
    ctx = shared.get(None)
    if ctx is None:
        ctx = shared[None] = Context(today=today, root=root, root_ref=Ref(root, None))
    if rule.where is not None and not rule.where(root, ctx.root_ref, ctx)[0]:
        return []
    return _apply(rule, rule.where_each, rule.assert_, resource, ctx, applied, shared)


def _apply(rule: Rule, where_each: Check | None, assert_: Check | None, resource: Resource,
           ctx: Context, applied: set[str] | None, shared: dict[Any, Any]) -> list[Finding]:
    """A rule whose ``where`` held: its ``assert`` on each element (or on the resource)."""
    root, root_ref = ctx.root, ctx.root_ref
    elements = _elements(rule, ctx, shared) if rule.for_each else [(root, root_ref)]
    out: list[Finding] = []
    for value, ref in elements:
        if where_each is not None and not where_each(value, ref, ctx)[0]:
            continue
        if applied is not None:
            applied.add(rule.id)
        assert assert_ is not None
        ok, at = assert_(value, ref, ctx)
        if not ok:
            if rule.locate is not None:
                at = (_anchor_refs(rule.locate, value, ref, ctx) or [at])[0]
            related: tuple[Location, ...] = ()
            if rule.related is not None:
                refs = _anchor_refs(rule.related, value, ref, ctx)
                related = tuple(dict.fromkeys(locate(r, resource) for r in refs))
            msg = render_message(rule.message, value, root)
            out.append(make_finding(rule, resource, locate(at, resource), msg, related, at, ref))
    return out


def evaluate(resources: Iterable[Resource], ruleset: RuleSet, today: dt.date,
             applied: set[str] | None = None,
             absent: frozenset[str] = frozenset()) -> list[Finding]:
    """Every finding of every applicable rule on every resource, sorted.

    ``absent`` names detector groups the file's text rules out (``absent_groups``).
    """
    findings: list[Finding] = []
    for resource in resources:
        kind = resource.kind
        skip = absent if kind != "kubernetes/Secret" else frozenset()
        root = resource.body
        ctx = Context(today=today, root=root, root_ref=Ref(root, None))
        root_ref = ctx.root_ref
        shared: dict[Any, Any] = {None: ctx}
        # the loop of evaluate_rule, with each rule's conditions compiled once per run: most
        # rules stop at their ``where``, so that test is made here, without a call
        for rule, where, where_each, assert_ in ruleset.plan_for(kind):
            guard = rule.guard
            if guard is not None and guard[2].isdisjoint(_guarded_values(rule, guard, ctx,
                                                                        shared)):
                continue  # no element can meet its ``where_each`` (packs.guard_of)
            if rule.check is not None:
                found = ([] if rule.detect is not None and rule.detect in skip
                         else builtin_checks.run(rule, resource))
                if applied is not None and (found or rule.check == "manifest-schema" or (
                        rule.check == "detect" and kind != "workload")):
                    applied.add(rule.id)
                findings.extend(found)
            elif where is None or where(root, root_ref, ctx)[0]:
                findings.extend(_apply(rule, where_each, assert_, resource, ctx, applied,
                                       shared))
    return supersede(sorted(set(findings)), ruleset)


def _elements(rule: Rule, ctx: Context, shared: dict[Any, Any]) -> list[tuple[Any, Ref]]:
    """The rule's ``for_each`` selection, made once per resource for every rule using it."""
    assert rule.for_each is not None
    elements: list[tuple[Any, Ref]] | None = shared.get(rule.for_each)
    if elements is None:
        elements = shared[rule.for_each] = select(ctx.root, ctx.root_ref, rule.for_each)[0]
    return elements


def _guarded_values(rule: Rule, guard: Guard, ctx: Context,
                    shared: dict[Any, Any]) -> set[str]:
    """The string values at the guard's path of the rule's ``for_each`` elements, read once
    per resource for all the rules with the same guard key."""
    values: set[str] | None = shared.get(guard[0])
    if values is None:
        values = set()
        for value, ref in _elements(rule, ctx, shared):
            found, v, _at = follow(value, ref, guard[1])
            if found and isinstance(v, str):
                values.add(v)
        shared[guard[0]] = values
    return values


def supersede(findings: list[Finding], ruleset: RuleSet) -> list[Finding]:
    """Drop a finding when a rule that ``supersedes`` it reported the same place."""
    winners = {r.id: r.supersedes for r in ruleset.rules if r.supersedes}
    beaten: set[tuple[str, str, int]] = set()
    for f in findings:
        for loser in winners.get(f.rule_id, ()):
            beaten.add((loser, f.location.path, f.location.line))
    if not beaten:
        return findings
    return [f for f in findings if (f.rule_id, f.location.path, f.location.line) not in beaten]
