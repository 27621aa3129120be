"""A rule's documentation as plain text, for ``wardscan explain`` (and generated docs).

Headings mirror ruff's per-rule docs: what it checks, why it matters, how to fix, with
bad and good examples and the references it maps to.
"""

from __future__ import annotations

import textwrap

from scanner.engine.rules import Rule


def _block(text: str) -> str:
    return textwrap.indent(text.rstrip() + "\n", "    ")


def explain_text(rule: Rule) -> str:
    refs = "\n".join(
        f"  - {r.framework} {r.control}" + (f"  {r.url}" if r.url else "") for r in rule.references
    )
    parts = [
        f"{rule.id}: {rule.title}",
        f"severity: {rule.severity.value} · pack: {rule.pack} · applies to: "
        f"{', '.join(rule.applies_to)}",
        "",
        "What it checks",
        textwrap.fill(rule.summary, 92, initial_indent="  ", subsequent_indent="  "),
        "",
        "Why it matters",
        textwrap.fill(rule.rationale, 92, initial_indent="  ", subsequent_indent="  "),
        "",
        "How to fix",
        textwrap.indent(rule.remediation.rstrip(), "  "),
        "",
        "References",
        refs,
    ]
    for label, snippets in (("Example that fires", rule.bad_examples),
                            ("Example that passes", rule.good_examples)):
        for snippet in snippets:
            parts += ["", label, _block(snippet).rstrip("\n")]
    return "\n".join(parts) + "\n"
