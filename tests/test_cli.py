"""The CLI contract: exit codes, one-line errors, outputs, and every command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT

from scanner import __version__
from scanner.cli import main

EXAMPLES = ROOT / "examples"
COMPLIANT = EXAMPLES / "compliant-discharge-assistant.yaml"
RISKY = EXAMPLES / "risky-patient-chatbot.yaml"
AS_OF = ["--as-of", "2026-11-27"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"wardscan {__version__}\n", "")


def test_missing_path_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "scan", "no/such/dir") == (2, "", "error: path not found: no/such/dir\n")


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "scan", "--frobnicate")
    assert code == 2
    assert "No such option '--frobnicate'" in err
    assert "Traceback" not in err


def test_compliant_example_alone_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "scan", str(COMPLIANT), *AS_OF)
    assert code == 0
    assert out.splitlines()[-1] == "PASS: no findings at or above low"


def test_examples_folder_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "scan", str(EXAMPLES), *AS_OF)
    assert code == 1
    assert out.splitlines()[-1].startswith("FAIL: ")


def test_fail_on_threshold(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    low_only = tmp_path / "m.yaml"
    low_only.write_text(COMPLIANT.read_text().replace("idle_timeout_minutes: 15",
                                                      "idle_timeout_minutes: 240"))
    assert run(capsys, "scan", str(low_only), *AS_OF)[0] == 1
    assert run(capsys, "scan", str(low_only), "--fail-on", "medium", *AS_OF)[0] == 0
    assert run(capsys, "scan", str(RISKY), "--fail-on", "none", *AS_OF)[0] == 0


def test_json_output_to_file_validates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _err = run(capsys, "scan", str(EXAMPLES), "--format", "json", "-o", str(target),
                          *AS_OF)
    assert (code, out) == (1, "")
    data = json.loads(target.read_text())
    schema = json.loads((ROOT / "scanner" / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["summary"]["failing"] == len(data["findings"]) > 0
    assert not list(tmp_path.glob(".*wardscan-tmp"))


def test_unwritable_output_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = run(capsys, "scan", str(COMPLIANT), "-o", str(tmp_path / "no" / "r.txt"))
    assert code == 2
    assert err.startswith(f"error: {tmp_path / 'no' / 'r.txt'}: cannot write report: ")


def test_broken_file_is_reported_and_the_rest_scanned(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "good.yaml").write_text(COMPLIANT.read_text())
    (tmp_path / "bad.yaml").write_text("apiVersion: wardscan/v1\nkind: [\n")
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01\x02")
    code, out, _err = run(capsys, "scan", str(tmp_path), "--format", "json", *AS_OF)
    data = json.loads(out)
    assert code == 0
    assert data["errors"] == [
        {"file": f"{tmp_path}/bad.yaml", "line": 3,
         "message": "invalid YAML: did not find expected node content"},
        {"file": f"{tmp_path}/bin.yaml", "line": None, "message": "binary file; not scanned"},
    ]
    assert data["scan"]["resources"] == 1
    assert run(capsys, "scan", str(tmp_path), "--strict", *AS_OF)[0] == 2


def test_non_manifest_yaml_is_not_an_error(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text("just: some\nconfig: true\n")
    code, out, _err = run(capsys, "scan", str(tmp_path), "--format", "json")
    assert code == 0
    assert json.loads(out)["errors"] == []


def test_bad_rule_pack_is_exit_2_with_location(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text("pack: {id: pp, name: P, version: 1.0.0}\nrules: []\n")
    code, out, err = run(capsys, "scan", str(COMPLIANT), "--rules", str(pack))
    assert (code, out) == (2, "")
    assert err == f"error: {pack}:2: pack: rules: must have at least 1 item(s)\n"


def test_bad_as_of_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "scan", str(COMPLIANT), "--as-of", "yesterday")
    assert code == 2
    assert err == "error: --as-of takes a date as YYYY-MM-DD, not 'yesterday'\n"


def test_rules_list_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "rules", "list")
    assert code == 0
    assert any(line.startswith("WS-MAN-SCHEMA-001      medium") for line in out.splitlines())
    code, out, _err = run(capsys, "explain", "ws-man-schema-001")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("### WS-MAN-SCHEMA-001: AIDeployment manifest does not follow "
                        "the wardscan/v1 schema")
    for heading in ("What it checks", "Why it matters", "How to fix", "References",
                    "Example that fires (`# expect` marks each finding)",
                    "Example that passes"):
        assert f"#### {heading}" in lines
    assert run(capsys, "explain", "WS-NOPE-001") == (
        2, "", "error: no rule with id 'WS-NOPE-001'; see 'wardscan rules list'\n")


def test_schema_prints_the_manifest_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["kind"] == {"const": "AIDeployment"}


def test_init_writes_a_valid_manifest_and_refuses_to_overwrite(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "ai.yaml"
    code, _out, err = run(capsys, "init", str(target))
    assert code == 0 and target.exists()
    assert err == f"wrote {target}; edit it, then run: wardscan scan {target}\n"
    code, out, _err = run(capsys, "scan", str(target), "--format", "json")
    findings = json.loads(out)["findings"]
    assert code == 1
    assert [f for f in findings if f["rule_id"] == "WS-MAN-SCHEMA-001"] == []
    assert run(capsys, "init", str(target)) == (
        2, "", f"error: {target} exists; use --force to overwrite\n")


def test_python_dash_m_and_console_script() -> None:
    out = subprocess.run([sys.executable, "-m", "scanner", "--version"], capture_output=True,
                         text=True, check=False)
    assert (out.returncode, out.stdout) == (0, f"wardscan {__version__}\n")
    out = subprocess.run(["wardscan", "scan", "missing-path"], capture_output=True, text=True,
                         check=False)
    assert (out.returncode, out.stderr) == (2, "error: path not found: missing-path\n")


def test_colour_only_at_a_terminal_without_no_color() -> None:
    from scanner.cli_output import use_color

    assert use_color(True, {}) is True
    assert use_color(True, {"NO_COLOR": "1"}) is False
    assert use_color(False, {}) is False


def test_internal_errors_have_no_traceback_unless_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import scanner.scan

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(scanner.scan, "scan", boom)
    assert run(capsys, "scan", str(COMPLIANT)) == (
        2, "", "error: internal error: RuntimeError: boom (run with --debug for details)\n")
    with pytest.raises(RuntimeError, match="boom"):
        main(["scan", str(COMPLIANT), "--debug"])
