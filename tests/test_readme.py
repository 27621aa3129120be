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


def test_readme_vendor_and_hospital_commands_work_as_shown(
        tmp_path: Path, monkeypatch: object, capsys: object) -> None:
    """The vendor's three commands and the hospital's one, run as the README writes them
    (``deploy/`` is a copy of the examples); the verify output is the README's, apart from
    the key id and the time."""
    import shlex
    import shutil

    import pytest

    from scanner.cli import main

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    shutil.copytree(ROOT / "examples", tmp_path / "deploy")
    readme = (ROOT / "README.md").read_text()
    vendor = readme.split("## For vendors", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    hospital = readme.split("## For hospitals", 1)[1]
    verify_cmd = hospital.split("```sh\n", 1)[1].split("```", 1)[0]
    shown = hospital.split("```text\n", 1)[1].split("```", 1)[0]
    codes = []
    for line in [*vendor.splitlines(), *verify_cmd.splitlines()]:
        args = shlex.split(line.split("#", 1)[0])
        assert args[0] == "wardscan"
        capsys.readouterr()  # type: ignore[attr-defined]
        codes.append(main(args[1:]))
    assert codes == [0, 0, 1, 0]  # attest exits 1: the examples have findings at "low"
    assert (tmp_path / "wardscan-report.html").read_text().startswith("<!DOCTYPE html>")
    out = capsys.readouterr().out  # type: ignore[attr-defined]

    def normal(text: str) -> str:
        text = re.sub(r"by key [0-9a-f]{16}", "by key K", text)
        return re.sub(r"at \d{4}-\d\d-\d\dT[\d:]+Z", "at T", text)

    assert normal(out) == normal(shown)
