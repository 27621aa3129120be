"""Secrets and PHI are found in every format at their lines, and never leak into a report."""

from __future__ import annotations

import base64
import datetime as dt
import random
import string
from pathlib import Path

import pytest
from conftest import ROOT

from scanner.engine.packs import RuleSet
from scanner.report import FORMATS, RenderSettings, get_renderer
from scanner.scan import ScanOptions, scan

RNG = random.Random(7)
AN = string.ascii_letters + string.digits


def rand(chars: str, n: int) -> str:
    return "".join(RNG.choice(chars) for _ in range(n))


# Fakes in the providers' published shapes, made at test time (never committed).
KEYS = {
    "openai": "sk-proj-" + rand(AN + "_-", 74) + "T3BlbkFJ" + rand(AN + "_-", 74),
    "anthropic": "sk-ant-api03-" + rand(AN + "_-", 93) + "AA",
    "huggingface": "hf_" + rand(string.ascii_letters, 34),
    "aws": "AKIA" + rand(string.ascii_uppercase + "234567", 16),
    "google": "AIza" + rand(AN + "_-", 35),
    "perplexity": "pplx-" + rand(AN, 48),
}
DB_PASSWORD = "Q7v" + rand(AN, 13)
JWT = rand(AN, 24)
SSN, MRN, DOB = "212-45-6789", "00482913", "03/14/1962"
PHONE, EMAIL = "617-555-2368", "jane.roe@gmail.com"
PEM_BODY = rand(AN, 64)

FILES = {
    "deploy.yaml": f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app}}
spec:
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/mercy/app:1.0.0
          env:
            - name: OPENAI_API_KEY
              value: {KEYS['openai']}
            - name: JWT_SECRET
              value: {JWT}
""",
    "secret.yaml": f"""\
apiVersion: v1
kind: Secret
metadata: {{name: keys}}
data:
  HF_TOKEN: {base64.b64encode(KEYS['huggingface'].encode()).decode()}
stringData:
  ANTHROPIC_API_KEY: {KEYS['anthropic']}
""",
    "compose.yml": f"""\
services:
  api:
    image: ghcr.io/mercy/api:1.0.0
    environment:
      - GOOGLE_API_KEY={KEYS['google']}
      - DATABASE_URL=postgresql://app:{DB_PASSWORD}@db:5432/app
""",
    ".env": f"""\
PERPLEXITY_API_KEY={KEYS['perplexity']}
MINIO_ROOT_PASSWORD=minioadmin
""",
    "main.tf": f"""\
variable "aws_key" {{
  default = "{KEYS['aws']}"
}}

resource "aws_db_instance" "notes" {{
  password = "{DB_PASSWORD}x"
}}
""",
    "config.yaml": f"""\
model_list:
  - model_name: triage
    litellm_params:
      model: azure/gpt-4o
      api_key: os.environ/AZURE_API_KEY
litellm_settings:
  system_prompt: |
    Example patient: SSN {SSN}, MRN: {MRN}.
    DOB: {DOB}; call {PHONE} or write to {EMAIL}.
""",
    "manifest.yaml": f"""\
apiVersion: wardscan/v1
kind: AIDeployment
metadata:
  name: bot
  description: |
    Keep this line.
    -----BEGIN PRIVATE KEY-----
    {PEM_BODY}
    -----END PRIVATE KEY-----
""",
}
EXPECTED = {
    "deploy.yaml": [(12, "WS-SEC-001"), (14, "WS-SEC-004")],
    "secret.yaml": [(5, "WS-SEC-001"), (7, "WS-SEC-001")],
    "compose.yml": [(5, "WS-SEC-001"), (6, "WS-SEC-003")],
    ".env": [(1, "WS-SEC-001"), (2, "WS-SEC-005")],
    "main.tf": [(2, "WS-SEC-001"), (6, "WS-SEC-004")],
    "config.yaml": [(8, "WS-PHI-001"), (8, "WS-PHI-001"), (9, "WS-PHI-001"),
                    (9, "WS-PHI-002"), (9, "WS-PHI-002")],
    "manifest.yaml": [(7, "WS-SEC-002")],
}
PLANTED = [*KEYS.values(), DB_PASSWORD, JWT, SSN, MRN, DOB, PHONE, EMAIL, PEM_BODY,
           base64.b64encode(KEYS["huggingface"].encode()).decode()]
DETECTORS = ("WS-SEC-", "WS-PHI-")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory, ruleset: RuleSet) -> object:
    folder = tmp_path_factory.mktemp("planted")
    for name, text in FILES.items():
        (folder / name).write_text(text)
    return folder, scan(ScanOptions(paths=(str(folder),), today=dt.date(2026, 11, 27)), ruleset)


def test_every_kind_found_at_its_line(planted: tuple[Path, object]) -> None:
    _folder, result = planted
    found: dict[str, list[tuple[int, str]]] = {name: [] for name in FILES}
    for f in result.findings:  # type: ignore[attr-defined]
        if f.rule_id.startswith(DETECTORS):
            found[Path(f.location.path).name].append((f.location.line, f.rule_id))
    assert found == EXPECTED


def test_findings_name_the_identifier_class(planted: tuple[Path, object]) -> None:
    _folder, result = planted
    messages = [f.message for f in result.findings  # type: ignore[attr-defined]
                if f.rule_id.startswith(DETECTORS)]
    for label in ("OpenAI API key in OPENAI_API_KEY: sk-p", "Anthropic API key in ",
                  "Hugging Face access token in HF_TOKEN", "AWS access key ID in ",
                  "Google API key in ", "Perplexity API key in ", "Password in a connection URL",
                  "US Social Security number in system_prompt: [redacted ssn, 11 chars]",
                  "Medical record number in ", "Date of birth in ", "Telephone number in ",
                  "Email address in ", "PEM private key in description"):
        assert any(m.startswith(label) for m in messages), label


def test_a_literal_secret_is_named_once_by_its_setting(ruleset: RuleSet) -> None:
    """The label names the variable; the message does not add it again (nor a list index)."""
    from scanner.scan import FileScanner

    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: tgi}\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: tgi\n"
            "          image: ghcr.io/huggingface/text-generation-inference:2.0\n"
            "          env:\n            - {name: DB_PASSWORD, value: 'Qw3rTy9Ui0pL'}\n"
            "          args: ['--x', 'API_SECRET=Zx9qLm2Rt7Wv4Kp8']\n")
    found = FileScanner(ruleset, ScanOptions()).scan_text("d.yaml", text)[0]
    assert sorted((f.location.line, f.message) for f in found if f.rule_id == "WS-SEC-004") == [
        (11, "Literal secret in DB_PASSWORD: Qw… (12 chars)"),
        (12, "Literal secret in API_SECRET: Zx… (16 chars)")]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_planted_value_appears_in_any_format(planted: tuple[Path, object], fmt: str) -> None:
    _folder, result = planted
    for color in (False, True):
        text = get_renderer(fmt)(result, RenderSettings(color=color))  # type: ignore[arg-type]
        leaked = [v for v in PLANTED if v in text]
        assert leaked == [], f"{fmt} shows {len(leaked)} planted values"


def test_benign_tree_has_no_secret_or_phi_finding(ruleset: RuleSet) -> None:
    folder = ROOT / "tests" / "fixtures" / "benign"
    assert len(list(folder.iterdir())) == 20
    result = scan(ScanOptions(paths=(str(folder),)), ruleset)
    assert result.errors == ()
    assert [f for f in result.findings if f.rule_id.startswith(DETECTORS)] == []


def test_switches_and_allow_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from scanner.cli import main

    (tmp_path / "config.yaml").write_text(FILES["config.yaml"])
    (tmp_path / ".env").write_text(FILES[".env"])

    def rules(*args: str) -> list[str]:
        main(["scan", str(tmp_path), "--format", "json", *args])
        out = capsys.readouterr().out
        return sorted({f["rule_id"] for f in json.loads(out)["findings"]
                       if f["rule_id"].startswith(DETECTORS)})

    assert rules() == ["WS-PHI-001", "WS-PHI-002", "WS-SEC-001", "WS-SEC-005"]
    assert rules("--no-secrets") == ["WS-PHI-001", "WS-PHI-002"]
    assert rules("--no-phi") == ["WS-SEC-001", "WS-SEC-005"]
    (tmp_path / ".wardscan.yaml").write_text(
        "phi: false\n"
        "allowlist:\n"
        "  - {rule: WS-SEC-005, paths: ['*/.env']}\n"
        "  - {rule: WS-SEC-001, values: ['^pplx-']}\n")
    assert rules() == []
    assert rules("--phi") == ["WS-PHI-001", "WS-PHI-002"]
