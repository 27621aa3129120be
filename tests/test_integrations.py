"""The CI integrations in the repository and the README use options that exist."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import yaml
from conftest import ROOT

from scanner.parse.yaml import load_documents


def scan_help() -> str:
    return subprocess.run(["wardscan", "scan", "--help"], capture_output=True, text=True,
                          check=True).stdout


def test_action_uses_real_options() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    script = next(s["run"] for s in action["runs"]["steps"] if s.get("id") == "scan")
    help_text = scan_help()
    for option in set(re.findall(r"(--[a-z][a-z-]+)", script)):
        assert option in help_text, option
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif")
               for s in action["runs"]["steps"])


def test_pre_commit_hook_runs_on_files(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "wardscan" and hook["language"] == "python"
    target = tmp_path / "svc.yaml"
    target.write_text((ROOT / "tests" / "fixtures" / "servers" / "ollama-lb-service.yaml")
                      .read_text())
    out = subprocess.run([*hook["entry"].split(), str(target)], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 1
    assert "WS-WL-K8S-009" in out.stdout


def test_readme_config_example_is_valid() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("`wardscan config show` prints the result.", 1)[1]
    text = re.search(r"```yaml\n(.*?)```", block, re.S)
    assert text is not None
    schema = json.loads((ROOT / "scanner" / "schemas" / "config.schema.json").read_text())
    (doc,) = load_documents(text.group(1), "README.md")
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_readme_ci_snippets_use_real_options() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Use it in CI", 1)[1].split("## Describe your deployment", 1)[0]
    help_text = scan_help()
    for option in set(re.findall(r"wardscan scan[^\n]*?((?:--[a-z-]+)(?:[^\n]*))", section)):
        for flag in re.findall(r"--[a-z][a-z-]+", option):
            assert flag in help_text, flag


def test_shell_completion_script() -> None:
    env = {**os.environ, "_WARDSCAN_COMPLETE": "bash_source"}
    out = subprocess.run(["wardscan"], env=env, capture_output=True, text=True, check=True)
    assert "_wardscan_completion" in out.stdout
