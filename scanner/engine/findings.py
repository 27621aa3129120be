"""Making a finding: where it points, its message, and its fingerprint.

Shared by the declarative rules (evaluate.py) and the checks backed by code
(builtin_checks.py, detect_checks.py), which import it at the top: a module of its own, so
that none of them has to import another inside a function, on every call, to avoid a cycle.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from scanner.adapters.synth import synth_location
from scanner.engine.paths import Ref, fastwalk, parse_path, select
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
        segs = _placeholder_path(text)
        if segs is None:
            return m.group(0)
        hits, _ = select(base, Ref(base, None), segs)
        if not hits or isinstance(hits[0][0], dict | list):
            return "<unset>"
        value = str(hits[0][0])
        if len(value) > MAX_MESSAGE_VALUE:
            value = value[: MAX_MESSAGE_VALUE - 3] + "..."
        return value

    return _PLACEHOLDER.sub(fill, template)


_PLACEHOLDER_PATHS: dict[str, tuple[Any, ...] | None] = {}  # few: the packs' placeholders


def _placeholder_path(text: str) -> tuple[Any, ...] | None:
    """The parsed path of a ``{placeholder}`` (None when it is not a path), parsed once."""
    if text in _PLACEHOLDER_PATHS:
        return _PLACEHOLDER_PATHS[text]
    try:
        segs: tuple[Any, ...] | None = parse_path(text[1:].lstrip(".") if text.startswith("$")
                                                 else text)
    except ValueError:
        segs = None
    if len(_PLACEHOLDER_PATHS) < 4096:
        _PLACEHOLDER_PATHS[text] = segs
    return segs


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


Parents = dict[int, tuple[int, Any]]


def path_of_python(parents: Parents, vid: int) -> str:
    """The logical path of the container ``vid`` from a walk's ``parents``. ``_path_of`` is
    this function, or its C version where the build has it."""
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


def reach_python(parents: Parents, stack: list[tuple[Any, int, Any]], limit: int,
                 target: int) -> tuple[bool, int]:
    """``_Walk.reach`` on the walk's state: whether the container with id ``target`` is met,
    and how much of ``limit`` is left. ``_reach`` is this function, or its C version."""
    if target in parents:
        return True, limit
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
            return True, limit
    return False, limit


_path_of: Callable[[Parents, int], str] = (
    path_of_python if fastwalk is None else fastwalk.path_of)
_reach: Callable[[Parents, list[tuple[Any, int, Any]], int, int], tuple[bool, int]] = (
    reach_python if fastwalk is None else fastwalk.reach)


class _Walk:
    """A depth-first walk of a document's dicts and lists, recording id -> (parent's id,
    key) (-1 for the root) as it first meets each, for at most ``limit`` values; paused as
    soon as it has met the container asked for. Where it has got to depends only on the
    order of the walk, never on when it paused, so every path is that of one whole walk: an
    aliased value has one stable path."""

    __slots__ = ("limit", "parents", "root", "stack")

    def __init__(self, root: Any, limit: int) -> None:
        self.root = root
        self.parents: Parents = {}
        self.stack: list[tuple[Any, int, Any]] = [(root, -1, None)]
        self.limit = limit

    def reach(self, target: int) -> bool:
        """Whether the walk meets the container with id ``target``, walking on if need be."""
        found, self.limit = _reach(self.parents, self.stack, self.limit, target)
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
