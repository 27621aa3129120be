"""Pure evaluation: (resources, rules, today) -> findings. No I/O, no printing, no globals."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import Any

from scanner.adapters.synth import synth_location
from scanner.engine.conditions import Check, Context
from scanner.engine.packs import RuleSet
from scanner.engine.paths import Ref, parse_path, select
from scanner.engine.rules import Rule
from scanner.models import Finding, Location, Resource
from scanner.parse.yaml import key_position

_PLACEHOLDER = re.compile(r"\{(\$?[A-Za-z0-9_.\[\]*\-]*)\}")
MAX_MESSAGE_VALUE = 240


def locate(ref: Ref, resource: Resource) -> Location:
    """The file location of a ref; the resource's own line when the data has no node."""
    explicit = synth_location(ref.container, ref.key)
    if explicit is not None:
        return explicit
    pos = key_position(ref.container, ref.key) if ref.container is not None else None
    if pos is None:
        return Location(resource.path, resource.line, 1)
    return Location(resource.path, pos[0], pos[1])


def render_message(template: str, element: Any, root: Any) -> str:
    """Fill ``{path}`` placeholders from the element (or ``{$.path}`` from the root)."""

    def fill(m: re.Match[str]) -> str:
        text = m.group(1)
        from_root = text.startswith("$")
        base = root if from_root else element
        try:
            segs = parse_path(text[1:].lstrip(".") if from_root else text)
        except ValueError:
            return m.group(0)
        hits, _ = select(base, Ref(base, None), segs)
        if not hits or isinstance(hits[0][0], dict | list):
            return "<unset>"
        value = str(hits[0][0])
        if len(value) > MAX_MESSAGE_VALUE:
            value = value[: MAX_MESSAGE_VALUE - 3] + "..."
        return value

    return _PLACEHOLDER.sub(fill, template)


def logical_path(root: Any, ref: Ref | None, limit: int = 10_000) -> str:
    """``a.b[2].c`` of the value a ref points at, found by identity (bounded, cycle-safe).

    Used for fingerprints: unlike a line number it does not change when lines are added
    elsewhere in the file. The walk that finds where each container of a document sits goes
    only as far as the container asked for, and the next finding on the same document
    resumes it.
    """
    if ref is None or ref.container is None:
        return ""
    walk = _walk_of(root, limit)
    vid = id(ref.container)
    if not walk.reach(vid):
        return ""
    path = _path_of(walk.parents, vid)
    return path if ref.key is None else _step(path, ref.key)


def _step(path: str, key: Any) -> str:
    """``path`` one level down: ``a[2]`` for an index, ``a.b`` for a key."""
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))


def _path_of(parents: dict[int, tuple[int, Any]], vid: int) -> str:
    steps: list[Any] = []
    while True:
        parent, key = parents[vid]
        if parent == -1:
            break
        steps.append(key)
        vid = parent
    path = ""
    for key in steps[::-1]:  # not reversed(): mypyc (setup.py) fails on it
        path = _step(path, key)
    return path


class _Walk:
    """A depth-first walk of a document's dicts and lists, recording id -> (parent's id,
    key) (-1 for the root) as it first meets each, for at most ``limit`` values; paused as
    soon as it has met the container asked for. Where it has got to depends only on the
    order of the walk, never on when it paused, so every path is that of one whole walk: an
    aliased value has one stable path."""

    __slots__ = ("limit", "parents", "root", "stack")

    def __init__(self, root: Any, limit: int) -> None:
        self.root = root
        self.parents: dict[int, tuple[int, Any]] = {}
        self.stack: list[tuple[Any, int, Any]] = [(root, -1, None)]
        self.limit = limit

    def reach(self, target: int) -> bool:
        """Whether the walk meets the container with id ``target``, walking on if need be."""
        parents, stack, limit = self.parents, self.stack, self.limit
        if target in parents:
            return True
        found = False
        while stack and limit > 0:
            value, parent, key = stack.pop()
            limit -= 1
            vid = id(value)
            if vid in parents or not isinstance(value, dict | list):
                continue
            parents[vid] = (parent, key)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend([(v, vid, k) for k, v in items if isinstance(v, dict | list)])
            if vid == target:
                found = True
                break
        self.limit = limit
        return found


_walks: dict[int, _Walk] = {}


def _walk_of(root: Any, limit: int) -> _Walk:
    """The walk of ``root``, kept for the next findings on the same document."""
    walk = _walks.get(id(root))
    if walk is not None and walk.root is root:
        return walk
    if len(_walks) > 8:
        _walks.clear()
    walk = _walks[id(root)] = _Walk(root, limit)
    return walk


def fingerprint(rule_id: str, path: str, resource: str, where: str) -> str:
    data = "\0".join((rule_id, path, resource, where)).encode()
    return hashlib.sha256(data).hexdigest()[:32]


def make_finding(rule: Rule, resource: Resource, at: Location, message: str,
                 related: tuple[Location, ...] = (), ref: Ref | None = None,
                 element: Ref | None = None, detail: str = "") -> Finding:
    name = f"{resource.kind}/{resource.name}"
    where = (f"{logical_path(resource.body, element)}|{logical_path(resource.body, ref)}|{detail}"
             if ref is not None else f"line {at.line}|{detail}")
    return Finding(
        location=at, rule_id=rule.id, severity=rule.severity, title=rule.title,
        message=message, resource=name, references=rule.references,
        remediation=rule.remediation, related=tuple(r for r in related if r != at),
        fingerprint=fingerprint(rule.id, resource.path, name, where),
    )


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
    if rule.for_each:
        elements = shared.get(rule.for_each)
        if elements is None:
            elements = shared[rule.for_each] = select(root, root_ref, rule.for_each)[0]
    else:
        elements = [(root, root_ref)]
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
    from scanner.engine import builtin_checks

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
