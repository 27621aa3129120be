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
    return load_rules()
