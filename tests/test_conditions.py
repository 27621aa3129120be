"""The condition language: operator semantics, wildcards, and which value a result points at."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from scanner.engine.conditions import ConditionError, Context, compile_condition
from scanner.engine.paths import PathSyntaxError, Ref, parse_path
from scanner.parse.yaml import key_position, load_documents

DOC = """\
data:
  phi: true
  count: 3
vendors:
  - name: a
    baa: {signed: true}
  - name: b
    receives_phi: true
governance:
  last: "2026-10-01"
labels:
  "x.y/z": enabled
"""


def run(spec: dict[str, Any], text: str = DOC) -> tuple[bool, tuple[int, int] | None]:
    doc = load_documents(text, "t.yaml")[0]
    ref = Ref(doc, None)
    ctx = Context(today=dt.date(2026, 11, 27), root=doc, root_ref=ref)
    ok, at = compile_condition(spec)(doc, ref, ctx)
    return ok, key_position(at.container, at.key)


@pytest.mark.parametrize(
    ("spec", "want"),
    [
        ({"path": "data.phi", "equals": True}, (True, (2, 3))),
        ({"path": "data.count", "equals": True}, (False, (3, 3))),
        ({"path": "data.count", "gte": 3}, (True, (3, 3))),
        ({"path": "data.count", "lt": 3}, (False, (3, 3))),
        ({"path": "data.missing", "exists": True}, (False, (1, 1))),
        ({"path": "data.missing", "exists": False}, (True, (1, 1))),
        ({"path": "data.missing", "equals": 1}, (False, (1, 1))),
        ({"not": {"path": "data.missing", "equals": 1}}, (True, (1, 1))),
        ({"path": "vendors[*].baa.signed", "equals": True}, (True, (6, 11))),
        ({"path": "vendors[*].name", "in": ["b"]}, (True, (7, 5))),
        ({"path": "vendors[*].name", "matches": "^[ab]$", "match": "all"}, (True, (5, 5))),
        ({"path": "vendors[*].name", "equals": "a", "match": "all"}, (False, (7, 5))),
        ({"path": "vendors", "min_length": 3}, (False, (4, 1))),
        ({"path": "governance.last", "within_days": 60}, (True, (10, 3))),
        ({"path": "governance.last", "within_days": 30}, (False, (10, 3))),
        ({"path": 'labels."x.y/z"', "equals": "enabled"}, (True, (12, 3))),
        ({"all": [{"path": "data.phi", "equals": True},
                  {"path": "vendors[1].baa.signed", "equals": True}]}, (False, (7, 5))),
        ({"any": [{"path": "data.nope", "exists": True},
                  {"path": "data.count", "equals": 3}]}, (True, (3, 3))),
    ],
)
def test_operator_outcome_and_location(spec: dict[str, Any], want: tuple[bool, Any]) -> None:
    assert run(spec) == want


def test_booleans_are_not_numbers() -> None:
    assert run({"path": "data.phi", "equals": 1})[0] is False
    assert run({"path": "data.phi", "gte": 0})[0] is False


def test_future_dates_are_not_within_days() -> None:
    text = "when: '2027-01-01'\n"
    assert run({"path": "when", "within_days": 365}, text)[0] is False


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"path": "a", "equal": 1}, "unknown operator or key: equal"),
        ({"path": "a", "equals": 1, "in": [1]}, "exactly one operator"),
        ({"path": "a", "matches": "(unclosed"}, "bad operand for 'matches'"),
        ({"all": []}, "non-empty list"),
        ({"not": {"path": "a", "exists": True}, "path": "b"}, "'not' takes no sibling keys"),
        ({"path": "a..b", "exists": True}, "empty segment"),
    ],
)
def test_bad_conditions_are_refused(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ConditionError) as info:
        compile_condition(spec)
    assert message in str(info.value)


def test_deep_conditions_are_refused() -> None:
    spec: dict[str, Any] = {"path": "a", "exists": True}
    for _ in range(40):
        spec = {"not": spec}
    with pytest.raises(ConditionError, match="deeper than"):
        compile_condition(spec)


def test_path_syntax() -> None:
    assert parse_path('a.b[*].c[2]."d.e"') == ("a", "b", parse_path("*")[0], "c", 2, "d.e")
    with pytest.raises(PathSyntaxError):
        parse_path("a.")
    with pytest.raises(PathSyntaxError):
        parse_path("a b")


def test_some_item_satisfies_a_whole_condition() -> None:
    text = """\
training:
  - {topic: ai_literacy, completed_at: "2026-10-01"}
  - {topic: phi_privacy, completed_at: "2020-01-01"}
"""
    recent_phi = {"path": "training", "some": {"all": [
        {"path": "topic", "equals": "phi_privacy"},
        {"path": "completed_at", "within_days": 365}]}}
    assert run(recent_phi, text) == (False, (1, 1))
    recent_ai = {"path": "training", "some": {"all": [
        {"path": "topic", "equals": "ai_literacy"},
        {"path": "completed_at", "within_days": 365}]}}
    assert run(recent_ai, text) == (True, (1, 1))
    assert run({"path": "training[0].topic", "some": {"exists": True}}, text)[0] is False
