"""Which controls of a framework the rules check (``wardscan rules coverage``)."""

from __future__ import annotations

import json
from typing import Any

from scanner.catalogue import catalogue


def coverage(framework: str, rule_paths: tuple[str, ...] = ()) -> dict[str, Any]:
    from scanner.engine.packs import load_rules

    cat = catalogue(framework)
    by_control: dict[str, list[str]] = {}
    for rule in load_rules(rule_paths).rules:
        for ref in rule.references:
            if ref.framework == framework and rule.id not in by_control.get(ref.control, []):
                by_control.setdefault(ref.control, []).append(rule.id)
    rolled = cat.rolled_up(by_control)
    return {"framework": framework, "controls": [
        {"id": c.id, "title": c.title, "rules": rolled[c.id]} for c in cat.controls]}


def coverage_json(framework: str, rule_paths: tuple[str, ...] = ()) -> str:
    return json.dumps(coverage(framework, rule_paths), indent=2) + "\n"


def coverage_text(framework: str, rule_paths: tuple[str, ...] = ()) -> str:
    data = coverage(framework, rule_paths)
    cat = catalogue(framework)
    lines = [f"{cat.name} ({framework})", ""]
    width = max((len(c["id"]) for c in data["controls"]), default=10) + 2
    for c, meta in zip(data["controls"], cat.controls, strict=True):
        rules = ", ".join(c["rules"]) if c["rules"] else (
            "out of scope for a config scanner" if not meta.checkable else "NOT CHECKED")
        lines.append(f"{c['id']:<{width}}{c['title']}")
        lines.append(f"{'':<{width}}  {rules}")
    checked = sum(1 for c in data["controls"] if c["rules"])
    missing = [c["id"] for c, m in zip(data["controls"], cat.controls, strict=True)
               if not c["rules"] and m.checkable]
    lines += ["", f"{checked} of {len(data['controls'])} controls checked by at least one rule."]
    if missing:
        lines.append("Not checked: " + ", ".join(missing))
    return "\n".join(lines) + "\n"
