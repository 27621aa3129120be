"""Rules backed by the detector libraries (``check: detect`` with ``detect: GROUP``).

Every string of a resource is walked once; a match becomes a finding at the line where it
stands (inside a multi-line string, such as a block scalar holding a system prompt, at the
match's own line), named by its class, and with the value masked: reports say *that* a
secret or identifier is there, never what it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from scanner.adapters.synth import synth_location
from scanner.detectors.firstlook import (
    ALWAYS_BITS,
    DEFAULT_BITS,
    LABEL_BITS,
    LOW_WORDS,
    PASSWORD_BITS,
    PEM_BITS,
    PROVIDER_BITS,
    TEXT_WORDS,
    URL_OR_DEFAULT_BITS,
    FirstLooks,
)
from scanner.detectors.phi import find_phi, may_hold_identifier
from scanner.detectors.redact import mask, mask_phi
from scanner.detectors.secrets import (
    CONNECTION_HINT,
    DEFAULT_HINT,
    PROVIDER_HINT,
    SECRET_NAME_WORDS,
    Match,
    find_default_credential,
    find_secret_assignment,
    find_secrets,
    is_secret_name,
)
from scanner.detectors.textlook import WordSet, fastlook
from scanner.engine.findings import locate, make_finding
from scanner.engine.paths import Ref, fastwalk
from scanner.engine.rules import Rule
from scanner.models import Finding, Location, Resource
from scanner.parse.yaml import key_position, scalar_mark

GROUPS = ("provider-keys", "private-keys", "connection-passwords", "secret-assignments",
          "default-credentials", "phi-direct", "phi-contact")
# Keys whose text is patient-facing or model-facing: prompts, examples, seed and test data.
PATIENT_TEXT = re.compile(r"(?i)prompt|message|content|example|few.?shot|template|instruction|"
                          r"seed|sample|test.?data|fixture|conversation|transcript|note|input")
# One of these is in the lower-case copy of every ASCII name PATIENT_TEXT finds ("few.?shot"
# holds "shot", "test.?data" "data"); a name that is not ASCII is asked PATIENT_TEXT itself,
# since ``re`` reads a few other letters as these in a case-insensitive pattern (U+017F, the
# long s, as s).
PATIENT_WORDS = ("prompt", "message", "content", "example", "shot", "template", "instruction",
                 "seed", "sample", "data", "fixture", "conversation", "transcript", "note",
                 "input")
NAME_WORDS = WordSet((*SECRET_NAME_WORDS, *PATIENT_WORDS))  # looked for in names, lower-cased
SECRET_NAME_IN_NAME = NAME_WORDS.mask(SECRET_NAME_WORDS)
PATIENT_IN_NAME = NAME_WORDS.mask(PATIENT_WORDS)
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
# or an @): a group none of whose hints appears anywhere in a file has nothing to find there.
_DIGIT_OR_AT = re.compile(r"[\d@]")
_FILE_HINTS: dict[str, Callable[[FirstLooks], bool]] = {
    "provider-keys": FirstLooks.provider_key,
    "private-keys": FirstLooks.private_key,
    "connection-passwords": FirstLooks.connection_password,
    "default-credentials": FirstLooks.default_credential,
    "phi-direct": FirstLooks.identifier,
    "secret-assignments": FirstLooks.secret_name,
    "phi-contact": lambda looks: _DIGIT_OR_AT.search(looks.text) is not None,
}
_cache: dict[int, _Looked] = {}


def absent_groups(text: str) -> frozenset[str]:
    """Detector groups that cannot match anything in a file, judged from its raw text.

    Only sound when every string a resource holds appears in the file as written, so a file
    with any backslash (an escape can spell any character) rules nothing out, and callers
    never apply this to a Kubernetes Secret, whose ``data`` is searched base64-decoded.
    """
    if "\\" in text:
        return frozenset()
    looks = FirstLooks(text)
    return frozenset(g for g, may_match in _FILE_HINTS.items() if not may_match(looks))


Strings = list[tuple[Any, Any, str, str | None]]


def strings(body: Any) -> Strings:
    """(container, key, text, variable name) for every string, aliases visited once. The
    variable of ``{name: X, value: ...}`` (Kubernetes env) is X; otherwise the key."""
    if fastwalk is not None:
        return fastwalk.strings(body, MAX_STRINGS)
    return strings_python(body)


def strings_python(body: Any, limit: int = MAX_STRINGS) -> Strings:
    """``strings`` in Python: the reference the C version (scanner/engine/_fastwalk.c) is
    checked against, and what runs where the build has no C."""
    out: Strings = []
    add = out.append
    stack: list[Any] = [body]
    seen: set[int] = set()
    while stack and len(out) < limit:
        node = stack.pop()
        nid = id(node)
        if nid in seen:
            continue
        seen.add(nid)
        if isinstance(node, dict):
            env_name = node.get("name") if "value" in node else None
            for k, v in node.items():
                if isinstance(v, str):
                    add((node, k, v, env_name if k == "value" and isinstance(env_name, str)
                         else str(k)))
                elif isinstance(v, dict | list):
                    stack.append(v)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, str):
                    add((node, i, v, None))
                elif isinstance(v, dict | list):
                    stack.append(v)
    return out


def match_location(resource: Resource, container: Any, key: Any, text: str,
                   start: int) -> Location:
    """The line of ``text[start]``: block scalars start on the line after their indicator."""
    lines_before = text.count("\n", 0, start)
    in_line = start - (text.rfind("\n", 0, start) + 1)
    scalar = scalar_mark(container, key)
    if scalar is not None:
        mark, style = scalar
        block = style in ("|", ">")
        line = mark.line + 1 + (1 if block else 0) + lines_before
        if block:  # content is indented one step (two columns) past its key, by convention
            key_at = key_position(container, key)
            column = (key_at[1] + 2 if key_at else 1) + in_line
        else:
            column = mark.column + 1 + (in_line if lines_before == 0 else 0)
        return Location(resource.path, line, column)
    explicit = synth_location(container, key)
    if explicit is not None:
        extra = 1 + lines_before if "\n" in text else 0  # a heredoc's text starts below it
        return Location(explicit.path, explicit.line + extra, explicit.column)
    return locate(Ref(container, key), resource)


def _matches(group: str, text: str, name: str | None, key: Any) -> list[Match]:
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
    return ("\n" in text and "\n" in text.strip()) or _patient_name(str(name or key))


@lru_cache(maxsize=4096)
def _patient_name(name: str) -> bool:
    return PATIENT_TEXT.search(name) is not None


def _secret_named(text: str, name: str | None, key: Any) -> bool:
    """Whether ``_matches`` can find a secret-named assignment: under a secret-named variable,
    or in a ``NAME=value`` list item."""
    return bool(name and is_secret_name(name)) or (
        (not isinstance(key, str) or key.isdigit()) and "=" in text)


def _may_match(group: str) -> Callable[[str, str | None, Any], bool] | None:
    """The per-string first look of a group, run before ``_matches`` (None: always look)."""
    hint = _HINTS.get(group)
    if hint is not None:
        return lambda text, _name, _key: hint(text)
    if group == "phi-contact":  # every contact pattern needs a digit or an @
        # the rarer test first: few strings are multi-line or under a patient-facing name
        return lambda text, name, key: (_in_patient_text(key, name, text)
                                        and _DIGIT_OR_AT.search(text) is not None)
    if group == "secret-assignments":
        return _secret_named
    return None


def run_detect(rule: Rule, resource: Resource) -> list[Finding]:
    group = rule.detect
    if resource.kind.startswith(SKIPPED_KINDS) or group is None:
        return []
    out: list[Finding] = []
    for container, key, text, name in _looked(resource).candidates(group):
        for m in _matches(group, text, name, key):
            if any(re.search(p, m.value) for p in rule.allow_values):
                continue
            where = match_location(resource, container, key, text, m.start)
            shown = mask_phi(m.value, m.kind) if group.startswith("phi") else (
                m.value if m.kind == "default-credential" else mask(m.value))
            # a secret-named setting's label names the setting already ("Literal secret in
            # HF_TOKEN"); for a list item the key is only its index
            msg = (f"{m.label}: {shown}" if m.kind == "secret-assignment"
                   else f"{m.label} in {name or str(key)}: {shown}")
            out.append(make_finding(rule, resource, where, msg, ref=Ref(container, key),
                                    detail=f"{m.kind}:{m.start}"))
    return out


class _Looked:
    """A resource's strings, and for each detector group those its first look lets through
    (``_may_match``), made once for all the detect rules that look at the resource.

    Why: the looks read the bits of three word sets (the text as written, its lower-case
    copy, and the lower-case name); where the build has the C looks, the bits of every string
    of the resource come from one call per set (``WordSet.present_each``) instead of a
    pattern or two, or a name test, per string and group."""

    __slots__ = ("_low", "_names", "_text", "groups", "resource", "texts")

    def __init__(self, resource: Resource) -> None:
        self.resource = resource
        self.texts = _texts(resource)
        self.groups: dict[str, Strings] = {}
        self._text: list[int] | None = None
        self._low: list[int] | None = None
        self._names: list[int] | None = None

    def candidates(self, group: str) -> Strings:
        found = self.groups.get(group)
        if found is None:
            found = self.groups[group] = self._select(group)
        return found

    def _select(self, group: str) -> Strings:
        texts = self.texts
        if fastlook is None or group not in _BY_WORDS:
            may = _may_match(group)
            return texts if may is None else [row for row in texts if may(row[2], row[3], row[1])]
        if group in ("secret-assignments", "phi-contact"):
            if self._names is None:
                self._names = NAME_WORDS.present_each(texts, 3, lower=True)
            return self._by_name(group, self._names)
        if self._text is None:
            self._text = TEXT_WORDS.present_each(texts, 2)
            self._low = LOW_WORDS.present_each(texts, 2, lower=True)
        text_bits, low_bits = self._text, self._low
        assert low_bits is not None
        if group == "phi-direct":  # may_hold_identifier, its word and label parts read here
            return [row for row, low in zip(texts, low_bits, strict=True) if may_hold_identifier(
                row[2], None, bool(low & ALWAYS_BITS), bool(low & LABEL_BITS))]
        if group == "connection-passwords":  # FirstLooks.connection_password
            return [row for row, bits, low in zip(texts, text_bits, low_bits, strict=True)
                    if bits & URL_OR_DEFAULT_BITS or (
                        low & PASSWORD_BITS and CONNECTION_HINT.search(row[2]) is not None)]
        wanted = _BY_WORDS[group]
        return [row for row, bits in zip(texts, text_bits, strict=True) if bits & wanted]

    def _by_name(self, group: str, names: list[int]) -> Strings:
        """The looks of the two groups that read a string's name: ``_secret_named`` and
        ``_in_patient_text`` (with a digit or an @), each name test made only when the name
        holds one of its words."""
        texts = self.texts
        if group == "secret-assignments":
            return [row for row, bits in zip(texts, names, strict=True)
                    if (bits & SECRET_NAME_IN_NAME and is_secret_name(row[3])) or (
                        (not isinstance(row[1], str) or row[1].isdigit()) and "=" in row[2])]
        out = []
        for row, bits in zip(texts, names, strict=True):
            text, name = row[2], row[3]
            if not (("\n" in text and "\n" in text.strip()) or (
                    _patient_name(str(name or row[1])) if not name or not name.isascii()
                    else bits & PATIENT_IN_NAME and _patient_name(name))):
                continue
            if _DIGIT_OR_AT.search(text) is not None:
                out.append(row)
        return out


# The groups whose per-string look is read off word bits, with the bits of the first three
_BY_WORDS = {"provider-keys": PROVIDER_BITS, "private-keys": PEM_BITS,
             "default-credentials": DEFAULT_BITS, "connection-passwords": 0, "phi-direct": 0,
             "secret-assignments": 0, "phi-contact": 0}


def _looked(resource: Resource) -> _Looked:
    """The strings and looks of a resource, kept for the next detect rule on it."""
    hit = _cache.get(id(resource))
    if hit is not None and hit.resource is resource:
        return hit
    looked = _Looked(resource)
    if len(_cache) > 8:
        _cache.clear()
    _cache[id(resource)] = looked
    return looked


def _texts(resource: Resource) -> list[tuple[Any, Any, str, str | None]]:
    """Strings to search; a Kubernetes Secret's ``data`` values are base64-decoded first."""
    body = resource.body
    found = strings(body)
    if resource.kind != "kubernetes/Secret" or not isinstance(body, dict):
        return found
    data = body.get("data")
    out: list[tuple[Any, Any, str, str | None]] = []
    for container, key, text, name in found:
        decoded = _b64(text) if container is data else None
        out.append((container, key, decoded, str(key)) if decoded is not None
                   else (container, key, text, name))
    return out


def _b64(text: str) -> str | None:
    import base64
    import binascii

    try:
        out = base64.b64decode(text.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return out if out.isprintable() or "\n" in out else None
