"""Checks a pack can name with ``check:`` that are not expressible as conditions.

``manifest-schema`` validates an AIDeployment against the shipped JSON Schema and turns each
schema error into a finding at the offending line; the declarative rules still run on
whatever could be read.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from scanner.engine.paths import Ref, select
from scanner.engine.rules import Rule
from scanner.models import Finding, Resource


@lru_cache(maxsize=1)
def _manifest_validator() -> Any:
    import jsonschema

    text = resources.files("scanner").joinpath("schemas/manifest.schema.json").read_text()
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
    from scanner.engine.evaluate import locate, make_finding

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
        from scanner.engine.detect_checks import run_detect

        return run_detect(rule, resource)
    if rule.check == "manifest-schema":
        return _schema_findings(rule, resource) if resource.kind == "AIDeployment" else []
    return []
