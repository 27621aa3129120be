"""SARIF, JUnit, GitHub and Markdown reports: schema-valid, parseable, escaped, bounded."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import ROOT, SHARED, TODAY
from sample import sample_result

from scanner.engine.packs import RuleSet
from scanner.models import FileError, Finding, Location, ScanResult, Severity, Suppression
from scanner.report import RenderSettings, get_renderer, github, markdown, sarif
from scanner.scan import ScanOptions, scan

SETTINGS = RenderSettings()


@pytest.fixture(scope="session")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((SHARED / "reference" / "sarif-schema-2.1.0.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


@pytest.fixture(scope="session")
def real_result(ruleset: RuleSet) -> ScanResult:
    paths = (str(ROOT / "examples"), str(ROOT / "tests" / "fixtures" / "servers"))
    return scan(ScanOptions(paths=paths, today=TODAY), ruleset)


def _finding(**changes: Any) -> Finding:
    return dataclasses.replace(sample_result().findings[0], **changes)


def _with(findings: tuple[Finding, ...], **changes: Any) -> ScanResult:
    return dataclasses.replace(sample_result(), findings=findings, **changes)


def _errors(validator: jsonschema.Draft4Validator, log: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


# SARIF ----------------------------------------------------------------------------------

def test_sample_sarif_is_valid_and_complete(sarif_validator: jsonschema.Draft4Validator) -> None:
    log = json.loads(get_renderer("sarif")(sample_result(), SETTINGS))
    assert _errors(sarif_validator, log) == []
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in sample_result().rules]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    assert rules[3]["name"] == "VendorReceivesPhiWithoutSignedBaa"
    assert rules[3]["properties"]["security-severity"] == "9.5"
    assert rules[3]["helpUri"] == "https://www.law.cornell.edu/cfr/text/45/164.502"
    assert "helpUri" not in rules[2]  # no https reference
    assert rules[1]["properties"]["tags"] == ["security", "hipaa-security", "audit",
                                              "hipaa:164.312(b)", "nist-800-53:AU-2"]
    suppressed = run["results"][2]
    assert suppressed["suppressions"][0]["kind"] == "inSource"
    assert suppressed["suppressions"][0]["justification"].startswith("kiosk mode")
    related = run["results"][3]
    assert related["message"]["text"].endswith("See also: [deploy/svc.yaml:9](1)")
    assert related["relatedLocations"][0]["id"] == 1
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}
    assert run["properties"]["truncated"] == {}


def test_real_scan_sarif_is_valid(real_result: ScanResult,
                                  sarif_validator: jsonschema.Draft4Validator) -> None:
    log = sarif.sarif_log(real_result, str(ROOT))
    assert _errors(sarif_validator, log) == []
    (run,) = log["runs"]
    assert len(run["results"]) == len(real_result.findings) > 40
    assert len(run["tool"]["driver"]["rules"]) == real_result.rules_run
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in run["results"] for loc in res["locations"] + res.get("relatedLocations", [])}
    assert all(u.startswith(("examples/", "tests/fixtures/servers/")) for u in uris), uris


@pytest.mark.parametrize(("path", "root", "location"), [
    ("./deploy/a.yaml", None, {"uri": "deploy/a.yaml", "uriBaseId": "%SRCROOT%"}),
    ("deploy/../x/a b.yaml", None, {"uri": "x/a%20b.yaml", "uriBaseId": "%SRCROOT%"}),
    ("/repo/deploy/a.yaml", "/repo", {"uri": "deploy/a.yaml", "uriBaseId": "%SRCROOT%"}),
    ("/repo/deploy/a.yaml", "/repo/", {"uri": "deploy/a.yaml", "uriBaseId": "%SRCROOT%"}),
    ("/elsewhere/a.yaml", "/repo", {"uri": "file:///elsewhere/a.yaml"}),
    ("/repository/a.yaml", "/repo", {"uri": "file:///repository/a.yaml"}),
    ("<stdin>", "/repo", {"uri": "stdin", "uriBaseId": "%SRCROOT%"}),
    ("a:b.yaml", None, {"uri": "a%3Ab.yaml", "uriBaseId": "%SRCROOT%"}),
])
def test_sarif_artifact_locations(path: str, root: str | None, location: dict[str, str]) -> None:
    assert sarif.artifact_location(path, root) == location


def test_sarif_edge_cases(sarif_validator: jsonschema.Draft4Validator) -> None:
    odd = _finding(rule_id="WS-UNKNOWN-001", location=Location("deploy/x.yaml", 0, -3),
                   fingerprint="", message="values [a](b) here",
                   suppression=Suppression("baseline", "accepted in review"))
    result = _with((odd,), errors=(FileError("deploy/gone.yaml", "cannot read"),))
    log = sarif.sarif_log(result)
    assert _errors(sarif_validator, log) == []
    (res,) = log["runs"][0]["results"]
    rule = log["runs"][0]["tool"]["driver"]["rules"][res["ruleIndex"]]
    assert rule["id"] == "WS-UNKNOWN-001" and rule["help"]["text"]
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}
    assert res["message"]["text"] == "values \\[a\\](b) here"
    assert len(res["partialFingerprints"]["wardscanFingerprint/v1"]) == 64
    assert res["suppressions"] == [{"kind": "external", "status": "accepted",
                                    "justification": "accepted in review",
                                    "properties": {"wardscanKind": "baseline"}}]
    (note,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert "region" not in note["locations"][0]["physicalLocation"]


def test_sarif_keeps_under_github_limits(monkeypatch: pytest.MonkeyPatch,
                                         sarif_validator: jsonschema.Draft4Validator) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    log = sarif.sarif_log(sample_result())
    assert _errors(sarif_validator, log) == []
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["WS-PRIV-BA-001", "WS-HIPAA-AUD-001"]
    assert run["properties"]["truncated"] == {"results": {"kept": 2, "total": 4, "limit": 2}}
    warning = run["invocations"][0]["toolExecutionNotifications"][-1]
    assert warning["level"] == "warning" and "upload limits" in warning["message"]["text"]
    assert sarif.sarif_log(sample_result()) == log  # deterministic


# JUnit ----------------------------------------------------------------------------------

def test_junit_parses_back_with_exact_failures() -> None:
    root = ET.fromstring(get_renderer("junit")(sample_result(), SETTINGS))
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "6", "failures": "3", "errors": "1", "skipped": "1"}
    failures = [(s.get("name"), c.get("classname"), c.get("name"), f.get("type"), f.get("message"))
                for s in root for c in s for f in c.findall("failure")]
    assert failures == [
        ("WS-HIPAA-AC-005", "deploy/other.yaml", "WS-HIPAA-AC-005 AIDeployment/other", "low",
         "deploy/other.yaml:4: other: no idle timeout"),
        ("WS-HIPAA-AUD-001", "deploy/bot.yaml", "WS-HIPAA-AUD-001 AIDeployment/bot", "high",
         "deploy/bot.yaml:30: bot: logging.audit.enabled is not true"),
        ("WS-PRIV-BA-001", "deploy/bot.yaml", "WS-PRIV-BA-001 AIDeployment/bot", "critical",
         "deploy/bot.yaml:12: bot: vendor openai receives PHI but has no signed BAA"),
    ]
    skipped = [c.find("skipped") for s in root for c in s if c.find("skipped") is not None]
    assert [e.get("message") for e in skipped if e is not None] == [
        "suppressed: kiosk mode, screen locks after 5 minutes"]
    passed = [c.get("name") for s in root for c in s if len(c) == 0]
    assert passed == ["WS-HIPAA-ENC-001"]
    errors = [c.find("error") for s in root for c in s if c.find("error") is not None]
    assert [e.get("message") for e in errors if e is not None] == [
        "deploy/broken.yaml:7: invalid YAML: did not find expected key"]


def test_junit_survives_hostile_text_and_groups_by_resource() -> None:
    nasty = "a\x00b\x1b <c> & \"d\"\nnext"
    one = _finding(message=nasty)
    two = _finding(location=Location("deploy/bot.yaml", 20, 1), severity=Severity.LOW)
    root = ET.fromstring(get_renderer("junit")(_with((one, two)), SETTINGS))
    (case,) = [c for s in root if s.get("name") == "WS-PRIV-BA-001" for c in s]
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == ("deploy/bot.yaml:12: a\ufffdb\ufffd <c> & \"d\"\nnext "
                                      "(+1 more)")
    assert "deploy/bot.yaml:20: [low]" in (failure.text or "")


# GitHub workflow commands ---------------------------------------------------------------

def test_github_escapes_properties_and_data() -> None:
    hostile = _finding(message="50% done\r\n::set-output name=x::y",
                       location=Location("deploy/a,b:c.yaml", 3, 2), title="T: a, b")
    text = github.workflow_commands(_with((hostile,), errors=()), None)
    first, summary = text.splitlines()
    assert first == ("::error file=deploy/a%2Cb%3Ac.yaml,line=3,col=2,"
                     "title=WS-PRIV-BA-001 T%3A a%2C b::50%25 done%0D%0A::set-output name=x::y")
    assert summary.startswith("wardscan FAIL: 1 finding at or above high")


def test_github_levels_order_and_suppression() -> None:
    lines = get_renderer("github")(sample_result(), SETTINGS).splitlines()
    assert [ln.split(" ", 1)[0] for ln in lines[:-1]] == ["::error", "::error", "::notice",
                                                          "::error"]
    assert not any("idle timeout is 60" in ln for ln in lines)  # suppressed: not annotated
    assert lines[-1] == ("wardscan FAIL: 2 findings at or above high (worst: critical); 1 file "
                         "could not be scanned. 3 findings, 1 suppressed.")
    many = tuple(_finding(location=Location("a.yaml", n, 1)) for n in range(1, 13))
    assert "at most 10 error annotations" in github.workflow_commands(_with(many), None)


# Markdown -------------------------------------------------------------------------------

def test_markdown_escapes_table_cells() -> None:
    hostile = _finding(message="a | b\nc <script>x</script> [y](https://evil) *z* @team $x$")
    text = markdown.markdown_report(_with((hostile,)))
    (row,) = [ln for ln in text.splitlines() if ln.startswith("| critical | WS-PRIV")]
    assert row.endswith("| a \\| b<br>c &lt;script&gt;x&lt;/script&gt; \\[y\\](https://evil) "
                        "\\*z\\* @&#8203;team \\$x\\$ |")
    assert row.replace("\\|", "").count("|") == 5
    assert "<script>" not in text


def test_markdown_sections() -> None:
    text = get_renderer("markdown")(sample_result(), SETTINGS)
    assert text.startswith("## wardscan: FAIL\n")
    assert text.count("<details>") == 3  # active findings only
    assert "| low | WS-HIPAA-AC-005 | deploy/bot.yaml:41 | inline | kiosk mode" in text
    assert "| deploy/broken.yaml:7 | invalid YAML: did not find expected key |" in text
    assert "| ollama | Deployment/ollama | deploy/other.yaml:20 |" in text


def test_markdown_fits_githubs_comment_limit() -> None:
    many = tuple(_finding(location=Location(f"deploy/f{n:04}.yaml", 1, 1)) for n in range(3000))
    result = _with(many)
    text = markdown.markdown_report(result)
    assert len(text.encode("utf-16-le")) // 2 <= markdown.COMMENT_LIMIT
    assert "left out: 2410 of 3000 findings table rows, 3000 of 3000 finding details." in text
    assert "### Files not scanned" in text
    assert text == markdown.markdown_report(result)
    small = markdown.markdown_report(sample_result(), limit=1500)
    assert len(small) <= 1500 and "> [!NOTE]" in small


# Microsoft's SARIF validator with GitHub's ingestion rules ------------------------------

MULTITOOL = "@microsoft/sarif-multitool@5.7.0"  # pinned: new validator rules must not break CI


@pytest.fixture(scope="session")
def multitool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the validator from npm once per session; return its native executable.

    The npm ``sarif-multitool`` wrapper runs the executable through a shell without quoting
    its arguments, so ``--rule-kind "Gh;Sarif"`` would reach ``/bin/sh`` as two commands;
    calling the executable the wrapper resolves (``require('@microsoft/sarif-multitool')``)
    avoids that. A missing npm or a failed install fails the test: it is not skipped.
    """
    prefix = tmp_path_factory.mktemp("sarif-multitool")
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.fail("npm and node are needed to install the SARIF validator " + MULTITOOL)
    done = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                           MULTITOOL], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"npm install {MULTITOOL} failed:\n{done.stdout}\n{done.stderr}")
    found = subprocess.run([node, "-p", "require('@microsoft/sarif-multitool')"], cwd=prefix,
                           capture_output=True, text=True, check=True)
    exe = Path(found.stdout.strip())
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)  # npm may skip its chmod postinstall script
    return exe


def _fill(template: str, args: list[str]) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: args[int(m[1])], template)


def _validate(exe: Path, files: list[Path], out: Path) -> list[str]:
    """Problems (error and warning level) the validator reports for ``files``, as text."""
    done = subprocess.run([str(exe), "validate", "--rule-kind", "Gh;Sarif", "--level",
                           "Error;Warning;Note", "--output", str(out), *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Done. {len(files)} files scanned." in done.stdout, done.stdout  # none ignored
    run = json.loads(out.read_text(encoding="utf-8-sig"))["runs"][0]
    assert all(i.get("executionSuccessful") for i in run["invocations"]), run["invocations"]
    rules = run["tool"]["driver"].get("rules", [])
    problems = []
    for res in run["results"]:
        rule = rules[res["ruleIndex"]] if "ruleIndex" in res else {}
        level = res.get("level") or rule.get("defaultConfiguration", {}).get("level", "warning")
        if level in ("error", "warning"):
            template = rule.get("messageStrings", {}).get(res["message"].get("id"), {})
            text = _fill(template.get("text", res["message"].get("text", "")),
                         res["message"].get("arguments", []))
            uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            problems.append(f"{level} {res['ruleId']} {uri}: {text}")
    return problems


def test_github_ingestion_rules_accept_our_sarif(multitool: Path, tmp_path: Path,
                                                 real_result: ScanResult) -> None:
    stdin = dataclasses.replace(sample_result(), findings=tuple(
        dataclasses.replace(f, location=Location("<stdin>", f.location.line)) for f in
        sample_result().findings))
    logs = {"sample": sarif.sarif_log(sample_result()),
            "real-relative": sarif.sarif_log(real_result, str(ROOT)),
            "real-absolute": sarif.sarif_log(real_result, None),
            "stdin": sarif.sarif_log(stdin)}
    files = []
    for name, log in logs.items():
        files.append(tmp_path / f"{name}.sarif")
        files[-1].write_text(json.dumps(log, indent=2))
    assert _validate(multitool, files, tmp_path / "validation.sarif") == []


def test_the_validator_check_is_not_vacuous(multitool: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sarif"
    bad.write_text(json.dumps({"version": "2.1.0", "$schema": sarif.SCHEMA_URI, "runs": [
        {"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}}]}]}))
    problems = _validate(multitool, [bad], tmp_path / "validation.sarif")
    assert any(p.startswith("error GH1018 ") for p in problems), problems
