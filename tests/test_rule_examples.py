"""Every built-in rule fires on each bad example at the marked lines, and never on good ones."""

from __future__ import annotations

import datetime as dt

import pytest

from scanner.engine.evaluate import evaluate
from scanner.engine.packs import RuleSet, load_rules
from scanner.engine.rules import EXAMPLE_DATE, Rule, expected_lines
from scanner.scan import resources_of

RULES = load_rules().rules
TODAY = dt.date.fromisoformat(EXAMPLE_DATE)


def _lines(rule: Rule, snippet: str) -> list[int]:
    resources = resources_of("example.yaml", snippet)
    assert resources, f"{rule.id}: example is not a recognised document"
    one = RuleSet((rule,), ())
    return sorted(f.location.line for f in evaluate(resources, one, TODAY) if f.rule_id == rule.id)


@pytest.mark.parametrize(
    ("rule", "snippet"),
    [(r, s) for r in RULES for s in r.bad_examples],
    ids=lambda v: v.id if isinstance(v, Rule) else "",
)
def test_bad_example_fires_at_marked_lines(rule: Rule, snippet: str) -> None:
    want = expected_lines(snippet)
    assert want, f"{rule.id}: bad example marks no line with '# expect'"
    assert _lines(rule, snippet) == want


@pytest.mark.parametrize(
    ("rule", "snippet"),
    [(r, s) for r in RULES for s in r.good_examples],
    ids=lambda v: v.id if isinstance(v, Rule) else "",
)
def test_good_example_is_silent(rule: Rule, snippet: str) -> None:
    assert expected_lines(snippet) == [], f"{rule.id}: good example marks a line"
    assert _lines(rule, snippet) == []
