"""Rules backed by the detector libraries (``check: detect`` with ``detect: GROUP``).

Every string of a resource is walked once; a match becomes a finding at the line where it
stands (inside a multi-line string, such as a block scalar holding a system prompt, at the
match's own line), named by its class, and with the value masked: reports say *that* a
secret or identifier is there, never what it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from yaml.nodes import ScalarNode

from scanner.adapters.synth import synth_location
from scanner.detectors.phi import find_phi, may_hold_identifier
from scanner.detectors.redact import mask, mask_phi
from scanner.detectors.secrets import (
    CONNECTION_HINT,
    DEFAULT_HINT,
    DEFAULT_WORDS,
    PROVIDER_HINT,
    PROVIDER_WORDS,
    SECRET_NAME_WORDS,
    Match,
    find_default_credential,
    find_secret_assignment,
    find_secrets,
)
from scanner.engine.paths import Ref
from scanner.engine.rules import Rule
from scanner.models import Finding, Location, Resource
from scanner.parse.yaml import key_position, value_node

GROUPS = ("provider-keys", "private-keys", "connection-passwords", "secret-assignments",
          "default-credentials", "phi-direct", "phi-contact")
# Keys whose text is patient-facing or model-facing: prompts, examples, seed and test data.
PATIENT_TEXT = re.compile(r"(?i)prompt|message|content|example|few.?shot|template|instruction|"
                          r"seed|sample|test.?data|fixture|conversation|transcript|note|input")
_ENV_ITEM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$", re.S)
SKIPPED_KINDS = ("workload",)  # derived views repeat their source's strings
MAX_STRINGS = 200_000
# Cheap first looks: a string without any of these cannot match the group's detectors, so
# most strings (names, images, paths) never reach the full patterns.
_HINTS: dict[str, Callable[[str], bool]] = {
    "provider-keys": lambda t: PROVIDER_HINT.search(t) is not None,
    "private-keys": lambda t: "PRIVATE KEY" in t,
    "connection-passwords": lambda t: CONNECTION_HINT.search(t) is not None,
    "default-credentials": lambda t: DEFAULT_HINT.search(t) is not None,
    "phi-direct": may_hold_identifier,
}
# The same looks over a whole file (secret-named settings by their name, contact PHI by a digit
# or an @), written as substring tests on the text and its lower-case copy: a group none of
# whose hints appears anywhere in a file has nothing to find there.
_DIGIT_OR_AT = re.compile(r"[\d@]")
_FILE_HINTS: dict[str, Callable[[str, str], bool]] = {
    "provider-keys": lambda t, _low: any(w in t for w in PROVIDER_WORDS),
    "private-keys": lambda t, _low: "PRIVATE KEY" in t,
    "connection-passwords": lambda t, low: (
        "://" in t or any(w in t for w in DEFAULT_WORDS[:4])
        or (("password" in low or "pwd" in low) and CONNECTION_HINT.search(t) is not None)),
    "default-credentials": lambda t, _low: any(w in t for w in DEFAULT_WORDS),
    "phi-direct": may_hold_identifier,
    "secret-assignments": lambda _t, low: any(w in low for w in SECRET_NAME_WORDS),
    "phi-contact": lambda t, _low: _DIGIT_OR_AT.search(t) is not None,
}
_cache: dict[int, tuple[Any, list[tuple[Any, Any, str, str | None]]]] = {}


def absent_groups(text: str) -> frozenset[str]:
    """Detector groups that cannot match anything in a file, judged from its raw text.

    Only sound when every string a resource holds appears in the file as written, so a file
    with any backslash (an escape can spell any character) rules nothing out, and callers
    never apply this to a Kubernetes Secret, whose ``data`` is searched base64-decoded.
    """
    if "\\" in text:
        return frozenset()
    low = text.lower()
    return frozenset(g for g, may_match in _FILE_HINTS.items() if not may_match(text, low))


def strings(body: Any) -> Iterator[tuple[Any, Any, str, str | None]]:
    """(container, key, text, variable name) for every string, aliases visited once."""
    stack: list[Any] = [body]
    seen: set[int] = set()
    count = 0
    while stack and count < MAX_STRINGS:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, str):
                    count += 1
                    yield node, k, v, _name_of(node, k)
                elif isinstance(v, dict | list):
                    stack.append(v)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, str):
                    count += 1
                    yield node, i, v, None
                elif isinstance(v, dict | list):
                    stack.append(v)


def _name_of(mapping: dict[Any, Any], key: Any) -> str:
    """The variable a value belongs to: ``{name: X, value: ...}`` (Kubernetes env) names X."""
    if key == "value" and isinstance(mapping.get("name"), str):
        return str(mapping["name"])
    return str(key)


def match_location(resource: Resource, container: Any, key: Any, text: str,
                   start: int) -> Location:
    """The line of ``text[start]``: block scalars start on the line after their indicator."""
    lines_before = text.count("\n", 0, start)
    in_line = start - (text.rfind("\n", 0, start) + 1)
    node = value_node(container, key)
    if isinstance(node, ScalarNode):
        block = node.style in ("|", ">")
        line = node.start_mark.line + 1 + (1 if block else 0) + lines_before
        if block:  # content is indented one step (two columns) past its key, by convention
            key_at = key_position(container, key)
            column = (key_at[1] + 2 if key_at else 1) + in_line
        else:
            column = node.start_mark.column + 1 + (in_line if lines_before == 0 else 0)
        return Location(resource.path, line, column)
    explicit = synth_location(container, key)
    if explicit is not None:
        extra = 1 + lines_before if "\n" in text else 0  # a heredoc's text starts below it
        return Location(explicit.path, explicit.line + extra, explicit.column)
    from scanner.engine.evaluate import locate

    return locate(Ref(container, key), resource)


def _matches(group: str, text: str, name: str | None, key: Any) -> list[Match]:
    may_match = _HINTS.get(group)
    if may_match is not None and not may_match(text):
        return []
    if group in ("provider-keys", "private-keys", "connection-passwords"):
        wanted = {"private-keys": ("private-key",),
                  "connection-passwords": ("connection-string-password",)}.get(group)
        found = find_secrets(text)
        if wanted is None:
            return [m for m in found if m.kind not in ("private-key", "connection-string-password",
                                                       "default-credential")]
        return [m for m in found if m.kind in wanted]
    if group in ("secret-assignments", "default-credentials"):
        pairs = [(name, text, 0)] if name else []
        env = _ENV_ITEM.match(text) if not isinstance(key, str) or key.isdigit() else None
        if env is not None:
            pairs.append((env.group(1), env.group(2), env.start(2)))
        out = []
        for var, value, offset in pairs:
            hit = (find_default_credential(var, value) if group == "default-credentials"
                   else find_secret_assignment(var, value))
            if hit is not None and (hit.kind == "secret-assignment") == (
                    group == "secret-assignments"):
                out.append(Match(hit.kind, hit.label, hit.start + offset, hit.end + offset,
                                 hit.value))
        return out
    patient = group == "phi-contact"
    hits = find_phi(text, patient_text=patient)
    direct = {"ssn", "mrn", "health-plan-id", "npi", "dob"}
    return [m for m in hits if (m.kind in direct) != patient]


def _in_patient_text(key: Any, name: str | None, text: str) -> bool:
    return "\n" in text.strip() or _patient_name(str(name or key))


@lru_cache(maxsize=4096)
def _patient_name(name: str) -> bool:
    return PATIENT_TEXT.search(name) is not None


def run_detect(rule: Rule, resource: Resource) -> list[Finding]:
    from scanner.engine.evaluate import make_finding

    if resource.kind.startswith(SKIPPED_KINDS) or rule.detect is None:
        return []
    out: list[Finding] = []
    for container, key, text, name in _texts_cached(resource):
        if rule.detect == "phi-contact" and not _in_patient_text(key, name, text):
            continue
        for m in _matches(rule.detect, text, name, key):
            if any(re.search(p, m.value) for p in rule.allow_values):
                continue
            where = match_location(resource, container, key, text, m.start)
            shown = mask_phi(m.value, m.kind) if rule.detect.startswith("phi") else (
                m.value if m.kind == "default-credential" else mask(m.value))
            field = name or str(key)
            msg = f"{m.label} in {field}: {shown}"
            out.append(make_finding(rule, resource, where, msg, ref=Ref(container, key),
                                    detail=f"{m.kind}:{m.start}"))
    return out


def _texts_cached(resource: Resource) -> list[tuple[Any, Any, str, str | None]]:
    """The strings of a resource, walked once for all the detect rules that look at it."""
    hit = _cache.get(id(resource))
    if hit is not None and hit[0] is resource:
        return hit[1]
    texts = list(_texts(resource))
    if len(_cache) > 8:
        _cache.clear()
    _cache[id(resource)] = (resource, texts)
    return texts


def _texts(resource: Resource) -> Iterator[tuple[Any, Any, str, str | None]]:
    """Strings to search; a Kubernetes Secret's ``data`` values are base64-decoded first."""
    body = resource.body
    for container, key, text, name in strings(body):
        if (resource.kind == "kubernetes/Secret" and isinstance(body, dict)
                and container is body.get("data")):
            decoded = _b64(text)
            if decoded is not None:
                yield container, key, decoded, str(key)
                continue
        yield container, key, text, name


def _b64(text: str) -> str | None:
    import base64
    import binascii

    try:
        out = base64.b64decode(text.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return out if out.isprintable() or "\n" in out else None
