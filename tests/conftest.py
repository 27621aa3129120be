"""Shared fixtures: the built-in rule set (loaded once), paths to the shared corpus."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scanner.engine.packs import RuleSet, load_rules

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    """The rules a default `wardscan scan` runs (packs that are off by default left out)."""
    return load_rules().select()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite golden report files from the current output.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
