"""Baselines: accept today's findings, fail only on new ones.

An entry is keyed by file, resource, rule and the finding's fingerprint (a hash of the
logical path of the offending value, never the value itself), so a new finding with the
same resource name in another file is never absorbed, and unrelated edits that move lines
do not turn old findings into new ones.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

from scanner.errors import ConfigError
from scanner.models import BaselineEntry, Finding, Suppression

FORMAT = "wardscan-baseline/v1"


def entry_of(f: Finding) -> BaselineEntry:
    return BaselineEntry(f.location.path, f.rule_id, f.resource, f.fingerprint, f.location.line)


def _key(e: BaselineEntry) -> tuple[str, str, str, str]:
    return (e.path, e.rule_id, e.resource, e.fingerprint)


def render_baseline(findings: tuple[Finding, ...], tool_version: str) -> str:
    """The baseline file for these findings (active ones; suppressed ones need no entry)."""
    entries = sorted(entry_of(f) for f in findings if f.suppression is None)
    data = {"format": FORMAT, "tool_version": tool_version, "entries": [
        {"file": e.path, "rule_id": e.rule_id, "resource": e.resource,
         "fingerprint": e.fingerprint, "line": e.line} for e in entries]}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def load_baseline(path: str) -> list[BaselineEntry]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read baseline: {exc.strerror}", path) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"baseline is not valid JSON: {exc}", path) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(
            data.get("entries"), list):
        raise ConfigError(f'not a wardscan baseline (expected "format": "{FORMAT}"); '
                          "create one with 'wardscan baseline create'", path)
    try:
        return [BaselineEntry(str(e["file"]), str(e["rule_id"]), str(e["resource"]),
                              str(e["fingerprint"]), int(e.get("line", 0)))
                for e in data["entries"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"baseline entry is malformed: {exc}", path) from None


def apply_baseline(findings: list[Finding], entries: list[BaselineEntry]
                   ) -> tuple[list[Finding], tuple[BaselineEntry, ...]]:
    """Mark findings present in the baseline; return them and the entries now fixed."""
    left = Counter(_key(e) for e in entries)
    out = []
    for f in findings:
        key = _key(entry_of(f))
        if f.suppression is None and left[key] > 0:
            left[key] -= 1
            f = dataclasses.replace(f, suppression=Suppression("baseline", "in the baseline"))
        out.append(f)
    fixed = []
    for e in sorted(entries):
        if left[_key(e)] > 0:
            left[_key(e)] -= 1
            fixed.append(e)
    return out, tuple(fixed)
