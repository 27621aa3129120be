"""The README tells the truth: its rule-writing example is a working pack."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT

from scanner.engine.packs import load_rules
from scanner.engine.selftest import example_problems


def test_readme_rule_example_loads_and_its_examples_pass(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Writing a rule", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    pack = tmp_path / "pack.yaml"
    pack.write_text(block.group(1))
    rules = load_rules([str(pack)], builtin=False).rules
    assert [r.id for r in rules] == ["MGH-VEND-001"]
    assert example_problems(rules[0]) == []


def test_readme_counts_the_built_in_rules() -> None:
    readme = (ROOT / "README.md").read_text()
    count = len(load_rules().rules)
    assert f"\n{count} built-in rules in" in readme


def test_readme_sample_report_is_real_output(capsys: object, monkeypatch: object) -> None:
    import pytest

    from scanner.cli import main

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("COLUMNS", "100")
    main(["scan", str(ROOT / "examples" / "vendor-llm-partial.yaml"), "--as-of", "2026-11-27"])
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## A sample report", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    head, tail = block.rstrip("\n").split("\n…\n")
    assert out.startswith(head.replace("examples/", f"{ROOT}/examples/") + "\n")
    assert out.rstrip("\n").endswith(tail)
