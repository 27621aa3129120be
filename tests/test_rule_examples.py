"""Every built-in rule fires on each bad example at the marked lines, and never on good ones."""

from __future__ import annotations

import dataclasses
import re

import pytest

from scanner.engine.packs import load_rules
from scanner.engine.rules import Rule, expected_lines
from scanner.engine.selftest import example_lines, example_problems

RULES = load_rules().rules


@pytest.mark.parametrize(
    ("rule", "snippet"),
    [(r, s) for r in RULES for s in r.bad_examples],
    ids=lambda v: v.id if isinstance(v, Rule) else "",
)
def test_bad_example_fires_at_marked_lines(rule: Rule, snippet: str) -> None:
    want = expected_lines(snippet)
    assert want, f"{rule.id}: bad example marks no line with '# expect'"
    assert example_lines(rule, snippet) == want


@pytest.mark.parametrize(
    ("rule", "snippet"),
    [(r, s) for r in RULES for s in r.good_examples],
    ids=lambda v: v.id if isinstance(v, Rule) else "",
)
def test_good_example_is_silent(rule: Rule, snippet: str) -> None:
    assert expected_lines(snippet) == [], f"{rule.id}: good example marks a line"
    assert example_lines(rule, snippet) == []


def test_selftest_reports_a_wrong_example() -> None:
    rule = RULES[0]
    real = example_lines(rule, rule.bad_examples[0])
    lines = [re.sub(r"\s*#\s*expect\b.*", "", line)
             for line in rule.bad_examples[0].splitlines()]
    lines[0] += "  # expect"
    moved = "\n".join(lines) + "\n"
    broken = dataclasses.replace(rule, bad_examples=(moved,))
    assert example_problems(broken) == [
        f"{rule.id}: bad example 1: expected findings at lines [1], got {real}"
    ]
