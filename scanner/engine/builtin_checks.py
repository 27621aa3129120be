"""Checks a pack can name with ``check:`` that are not expressible as conditions.

``manifest-schema`` validates an AIDeployment against the shipped JSON Schema and turns each
schema error into a finding at the offending line; the declarative rules still run on
whatever could be read.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from yaml.nodes import MappingNode, ScalarNode

from scanner.engine.detect_checks import run_detect
from scanner.engine.findings import locate, make_finding
from scanner.engine.paths import Ref, select
from scanner.engine.rules import Rule
from scanner.models import Finding, Location, Resource
from scanner.packaged import packaged
from scanner.parse.yaml import marked


@lru_cache(maxsize=1)
def _manifest_validator() -> Any:
    import jsonschema

    text = packaged("schemas", "manifest.schema.json").read_text(encoding="utf-8")
    return jsonschema.Draft202012Validator(
        json.loads(text), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _path_text(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _describe(err: Any) -> tuple[str, tuple[Any, ...]]:
    """Message and path for one schema error; unknown keys point at the key itself."""
    path = tuple(err.absolute_path)
    v = err.validator
    if v == "additionalProperties" and isinstance(err.instance, dict):
        known = set(err.schema.get("properties", {}))
        extra = sorted((k for k in err.instance if k not in known), key=str)
        if extra:
            return (f"unknown key '{extra[0]}'", (*path, extra[0]))
    if v == "required":
        return (str(err.message).replace("'", "", 2).replace(" is a required property",
                                                              " is required"), path)
    if v == "enum":
        return ("must be one of: " + ", ".join(map(str, err.validator_value)), path)
    if v == "const":
        return (f"must be {err.validator_value}", path)
    if v == "type":
        return (f"must be of type {err.validator_value}", path)
    if v == "format":
        return (f"must be a valid {err.validator_value} (YYYY-MM-DD)", path)
    if v in ("minimum", "minLength", "minItems"):
        return (f"must be at least {err.validator_value}"
                + (" characters" if v == "minLength" else ""), path)
    return (f"does not satisfy '{v}'", path)


def _schema_findings(rule: Rule, resource: Resource) -> list[Finding]:
    root = resource.body
    out = []
    for err in _manifest_validator().iter_errors(root):
        text, path = _describe(err)
        hits, misses = select(root, Ref(root, None), path)
        ref = hits[0][1] if hits else (misses[-1] if misses else Ref(root, None))
        msg = f"{_path_text(path)}: {text}"
        out.append(make_finding(rule, resource, locate(ref, resource), msg, ref=ref,
                                detail=msg))
    return out


def run(rule: Rule, resource: Resource) -> list[Finding]:
    if rule.check == "detect":
        return run_detect(rule, resource)
    if rule.check == "duplicate-keys":
        return duplicate_keys(rule, resource)
    if rule.check == "manifest-schema":
        return _schema_findings(rule, resource) if resource.kind == "AIDeployment" else []
    return []


def duplicate_keys(rule: Rule, resource: Resource) -> list[Finding]:
    """A key written twice in one YAML mapping: the parser keeps the later value, so a
    ``privileged: true`` below a ``privileged: false`` silently wins."""
    if resource.kind == "workload" or not marked(resource.body):
        return []
    out: list[Finding] = []
    stack: list[Any] = [resource.body]
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if id(value) in seen or not isinstance(value, dict | list):
            continue
        seen.add(id(value))
        stack.extend(v for v in (value.values() if isinstance(value, dict) else value)
                     if isinstance(v, dict | list) and marked(v))
        node = getattr(value, "node", None)
        if not isinstance(node, MappingNode) or len(node.value) == len(value):
            continue  # as many keys written as kept: nothing was overwritten
        first: dict[str, Any] = {}
        start, end = node.start_mark.index, node.end_mark.index
        for knode, _vnode in node.value:
            if not isinstance(knode, ScalarNode) or knode.value == "<<":
                continue
            if not start <= knode.start_mark.index <= end:
                continue  # merged in by `<<: *anchor`; overriding those is what merge is for
            if knode.value in first:
                a, b = first[knode.value].start_mark, knode.start_mark
                msg = (f"key '{knode.value}' is written twice (lines {a.line + 1} and "
                       f"{b.line + 1}); YAML keeps only the later value")
                out.append(make_finding(
                    rule, resource, Location(resource.path, b.line + 1, b.column + 1), msg,
                    related=(Location(resource.path, a.line + 1, a.column + 1),),
                    detail=f"{a.line}:{b.line}:{knode.value}"))
            else:
                first[knode.value] = knode
    return out
