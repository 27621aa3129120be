"""LiteLLM proxy configs: detection, the ``litellm/config`` resource, and the llm-gateway pack
on every gateway config of the shared corpus (exact rule ids and lines)."""

from __future__ import annotations

import pytest
from conftest import ROOT, TODAY

from scanner.adapters import detect
from scanner.adapters import litellm as adapter
from scanner.engine.packs import RuleSet
from scanner.parse.yaml import load_documents
from scanner.scan import ScanOptions, resources_of, scan

CORPUS = ROOT.parent / "shared" / "corpus"

CONFIG = """\
# LiteLLM proxy for the triage assistant
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""


def doc(text: str) -> object:
    (only,) = load_documents(text, "t.yaml")
    return only


@pytest.mark.parametrize("text", [
    CONFIG,
    "general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n",
    "litellm_settings:\n  drop_params: true\n",
    "router_settings:\n  routing_strategy: simple-shuffle\n",
    "model_list: []\n",
])
def test_detects_proxy_configs(text: str) -> None:
    assert adapter.detect(doc(text))
    assert detect(doc(text)) == "litellm"


@pytest.mark.parametrize("text", [
    "apiVersion: v1\nkind: ConfigMap\nmodel_list: []\n",
    "services:\n  litellm:\n    image: ghcr.io/berriai/litellm\ngeneral_settings: {}\n",
    "model_list: gpt-4o\n",
    "general_settings: true\n",
    "proxy_config:\n  model_list: []\n",
])
def test_does_not_detect_other_documents(text: str) -> None:
    assert not adapter.detect(doc(text))


def test_resource_is_the_document_named_after_the_file() -> None:
    (res,) = resources_of("deploy/proxy_config.yaml", CONFIG)
    assert (res.kind, res.name, res.line, res.path) == (
        "litellm/config", "proxy_config", 2, "deploy/proxy_config.yaml")
    assert res.body["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"
    second = resources_of("gw.yaml", "model_list: []\n---\n" + CONFIG)
    assert [(r.name, r.line, r.doc_index) for r in second] == [("gw", 1, 0), ("gw#2", 4, 1)]


def findings(path: str, ruleset: RuleSet, prefix: str = "WS-GW-") -> list[tuple[int, str]]:
    result = scan(ScanOptions(paths=(path,), today=TODAY), ruleset)
    return sorted((f.location.line, f.rule_id) for f in result.findings
                  if f.rule_id.startswith(prefix))


GATEWAY_EXPECTED: dict[str, list[tuple[int, str]]] = {
    # no general_settings at all: no master key, reported at the top of the file
    "litellm-guardrails-eu-ai-act.yaml": [(1, "WS-GW-001")],
    "litellm-okta-jwt-auth-config.yaml": [
        (28, "WS-GW-007"),   # OKTA_CLIENT_SECRET written in environment_variables
        (39, "WS-GW-001"),   # JWT auth on, but general_settings has no master_key
        (85, "WS-GW-008"),   # role_mappings defined, enforce_rbac: false
    ],
    "litellm-proxy-server-config.yaml": [
        # the railway.app test endpoints use placeholder keys (my-fake-key): not reported
        # team-1 and team-2 log to Langfuse; the global callback is prometheus only
        (163, "WS-GW-005"), (168, "WS-GW-005"),
        (208, "WS-GW-002"),  # master_key: sk-1234 (not also reported as WS-GW-003)
    ],
}


@pytest.mark.parametrize("name", sorted(GATEWAY_EXPECTED))
def test_gateway_corpus_findings(name: str, ruleset: RuleSet) -> None:
    assert findings(str(CORPUS / "gateway-config" / name), ruleset) == GATEWAY_EXPECTED[name]


def test_every_gateway_corpus_file_is_asserted() -> None:
    assert sorted(p.name for p in (CORPUS / "gateway-config").iterdir()) == sorted(
        GATEWAY_EXPECTED)


def test_messages_never_print_the_secret(ruleset: RuleSet) -> None:
    path = str(CORPUS / "gateway-config" / "litellm-proxy-server-config.yaml")
    result = scan(ScanOptions(paths=(path,), today=TODAY), ruleset)
    messages = [f.message for f in result.findings if f.rule_id.startswith("WS-GW-")]
    assert messages and not any("sk-1234" in m or "my-fake-key" in m for m in messages)
    assert "publicly documented default" in "\n".join(messages)
