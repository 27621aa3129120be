"""Formatters: exact text for one fixed result, JSON valid against its published schema."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from sample import sample_result

from scanner.report import FORMATS, RenderSettings, get_renderer

GOLDEN = Path(__file__).parent / "golden"


def report_schema() -> dict[str, object]:
    text = resources.files("scanner").joinpath("schemas/report.schema.json").read_text()
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_matches_its_golden_file(name: str, update_golden: bool) -> None:
    ext = {"rich": "rich.txt", "junit": "junit.xml", "github": "github.txt",
           "markdown": "md"}.get(name, name)
    text = get_renderer(name)(sample_result(), RenderSettings())
    golden = GOLDEN / f"sample.{ext}"
    if update_golden:
        golden.write_text(text)
    assert text == golden.read_text()


def test_rich_report_lines() -> None:
    lines = get_renderer("rich")(sample_result(), RenderSettings()).splitlines()
    assert lines[0] == "wardscan 0.1.0 · 3 files scanned · 2 resources · 4 rules"
    assert lines[3] == "deploy/bot.yaml (2 findings, 1 suppressed)"
    assert lines[6].startswith("CRITICAL     12   WS-PRIV-BA-001     Vendor receives PHI")
    assert "  deploy/broken.yaml:7: invalid YAML: did not find expected key" in lines
    assert "  164.502(e)               2 findings   WS-HIPAA-AUD-001, WS-PRIV-BA-001" in lines
    assert lines[-1] == ("FAIL: 2 findings at or above high (worst: critical); "
                         "1 file could not be scanned")


def test_rich_report_has_colour_only_when_asked() -> None:
    plain = get_renderer("rich")(sample_result(), RenderSettings(color=False))
    coloured = get_renderer("rich")(sample_result(), RenderSettings(color=True))
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured


def test_json_report_validates_and_is_sorted() -> None:
    data = json.loads(get_renderer("json")(sample_result(), RenderSettings()))
    jsonschema.Draft202012Validator(report_schema()).validate(data)
    keys = [(f["file"], f["line"], f["rule_id"]) for f in data["findings"]]
    assert keys == sorted(keys)
    assert data["summary"] == {
        "findings": 3, "suppressed": 1, "failing": 2, "errors": 1, "passed": False,
        "by_severity": {"critical": 1, "high": 1, "medium": 0, "low": 1, "info": 0},
    }
    assert data["errors"] == [
        {"file": "deploy/broken.yaml", "line": 7,
         "message": "invalid YAML: did not find expected key"}
    ]


def test_report_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(report_schema())
