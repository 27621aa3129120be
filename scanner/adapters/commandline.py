"""How a container was started: image reference, command-line tokens and flags.

Shared by the Kubernetes, compose and Helm-values adapters so that "the image tag", "the
flags a server was started with" and "an environment variable's literal value" mean the
same thing whatever file they came from.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/env", "ash", "/bin/ash",
                    "dash", "zsh"})
_DIGEST = re.compile(r"@(sha256:[0-9a-fA-F]{64})$")


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """``repo[:tag][@sha256:...]`` -> (repository, tag, digest).

    A registry image without tag or digest runs ``latest``; a template placeholder such as
    ``${IMAGE}`` or ``{{ .Values.image }}`` has no knowable tag (None).
    """
    image = image.strip()
    digest = None
    m = _DIGEST.search(image)
    if m:
        digest = m.group(1)
        image = image[: m.start()]
    if "$" in image or "{{" in image:
        return image, None, digest
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = image.rsplit(":", 1)
        return repo, tag, digest
    return image, (None if digest else "latest"), digest


def _split_shell(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False)
    except ValueError:
        return text.split()


def argv_of(command: Any, args: Any) -> list[str]:
    """Command and args as tokens; a ``sh -c "..."`` script is split into its words.

    Only strings are kept; numbers in args (``- 8000``) become strings.
    """
    tokens: list[str] = []
    for part in (command, args):
        if isinstance(part, str):
            tokens.extend(_split_shell(part))
        elif isinstance(part, list):
            tokens.extend(str(t) for t in part if isinstance(t, str | int | float))
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in SHELLS and i + 2 < len(tokens) + 1 and i + 1 < len(tokens) \
                and tokens[i + 1] in ("-c", "-lc", "-ec"):
            out.extend(_split_shell(" ".join(tokens[i + 2:])))
            break
        out.append(tok)
        i += 1
    return out


def parse_flags(argv: list[str]) -> dict[str, str | bool]:
    """``--flag value``, ``--flag=value`` and bare ``--flag`` -> {flag: value or True}.

    Keys lose their leading dashes; the last occurrence wins. A bare flag followed by a
    positional word takes it as its value (so ``--trust-remote-code model`` reads as set).
    """
    flags: dict[str, str | bool] = {}
    i = 0
    while i < len(argv):
        tok = argv[i]
        if tok.startswith("-") and len(tok) > 1 and not _is_number(tok):
            name = tok.lstrip("-")
            if "=" in name:
                key, value = name.split("=", 1)
                flags[key] = value
            elif i + 1 < len(argv) and not argv[i + 1].startswith("-"):
                flags[name] = argv[i + 1]
                i += 1
            else:
                flags[name] = True
        i += 1
    return flags


def _is_number(tok: str) -> bool:
    if tok.startswith("--"):  # never a number (float() takes one sign), and most flags are so
        return False
    try:
        float(tok)
    except ValueError:
        return False
    return True


def truthy(value: Any) -> bool:
    """How servers read boolean-ish environment values: 1/true/yes/on."""
    if isinstance(value, bool):
        return value
    return str(value).strip().strip("\"'").lower() in ("1", "true", "yes", "on")
