"""Masking for finding messages: the scanner reports *that* a secret or identifier is there,
never the value itself, so reports can be shared, attached to tickets and stored in CI logs.

Why a last safety net: a rule author can forget to mask a value they interpolate into a
message; running every message through :func:`redact` makes that mistake harmless.
"""

from __future__ import annotations

from functools import lru_cache

from scanner.detectors.firstlook import FirstLooks
from scanner.detectors.phi import find_phi
from scanner.detectors.secrets import find_assignments, find_secrets

ELLIPSIS = "\u2026"


def mask(value: str) -> str:
    """Enough of a secret to recognise it, never enough to use it.

    Shows the first 4 and last 2 characters and the length for values of 18+ characters
    (``sk-p…Xy (164 chars)``: the head is usually the public provider prefix), only the
    first 2 for 9-17 characters, and nothing for 8 or fewer (``(6 chars)``). So at most a
    third of a value is ever shown: the brief's plain 4+2 rule would reveal 6 of a 9-character
    password.
    """
    n = len(value)
    if n <= 8:
        return f"({n} chars)"
    head, tail = (value[:4], value[-2:]) if n >= 18 else (value[:2], "")
    if not (head + tail).isprintable() or any(c.isspace() for c in head + tail):
        return f"({n} chars)"
    return f"{head}{ELLIPSIS}{tail} ({n} chars)"


def mask_phi(value: str, kind: str) -> str:
    """Only the identifier class and length: even a partial SSN or MRN is PHI."""
    return f"[redacted {kind}, {len(value)} chars]"


@lru_cache(maxsize=8192)  # messages repeat across files: same rule, same masked value
def redact(text: str) -> str:
    """``text`` with every secret, secret-named literal and always-reported PHI (SSN, MRN,
    health-plan ID, NPI, DOB) replaced by its mask.

    Published vendor defaults (``sk-1234``, ``root:Milvus``...) stay readable: they are not
    secret and the finding has to name them. Contact-like PHI is not touched, because finding
    messages quote hostnames and service emails that are not patient data.
    """
    looks = FirstLooks(text)  # they rule out nearly every message cheaply
    found = [*(find_secrets(text) if looks.secret() else ()),
             *(find_assignments(text) if looks.assignment() else ())]
    spans = [(m.start, m.end, mask(m.value)) for m in found if m.kind != "default-credential"]
    if looks.identifier():
        spans += [(m.start, m.end, mask_phi(m.value, m.kind)) for m in find_phi(text)]
    if not spans:
        return text
    out, pos = [], 0
    for start, end, replacement in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < pos:
            continue
        out += [text[pos:start], replacement]
        pos = end
    out.append(text[pos:])
    return "".join(out)
