"""Every file of the shared corpus scans without a crash, with exactly the findings a reviewer
read one by one against the file and its notes in ../shared/corpus/sources.tsv; and the
server kinds the corpus lacks (Ollama on Kubernetes, Jupyter, TorchServe, Open WebUI, Qdrant,
Weaviate, MLflow) are covered by the realistic fixtures in tests/fixtures/servers."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

from scanner.engine.packs import RuleSet
from scanner.models import Location
from scanner.scan import ScanOptions, scan

CORPUS = SHARED / "corpus"
FIXTURES = ROOT / "tests" / "fixtures"
AS_OF = dt.date(2026, 11, 27)

EXPECTED: dict[str, list[tuple[int, str]]] = {
    "docker-compose/anythingllm-docker-compose.yml": [
        (16, "WS-WL-K8S-005"),
    ],
    "docker-compose/chroma-server-example-docker-compose.yml": [
        (7, "WS-WL-K8S-007"), (8, "WS-SRV-VDB-003"), (8, "WS-WL-SC-004"),
    ],
    "docker-compose/flowise-docker-compose.yml": [],
    "docker-compose/langfuse-docker-compose.yml": [
        (23, "WS-SEC-003"),
    ],
    "docker-compose/localai-docker-compose.yaml": [],
    "docker-compose/milvus-standalone-docker-compose.yml": [
        (25, "WS-SEC-005"), (26, "WS-SEC-005"), (39, "WS-WL-K8S-007"), (41, "WS-SRV-VDB-004"),
    ],
    "gateway-config/litellm-guardrails-eu-ai-act.yaml": [
        (1, "WS-GW-001"),
    ],
    "gateway-config/litellm-okta-jwt-auth-config.yaml": [
        (28, "WS-GW-007"), (39, "WS-GW-001"), (85, "WS-GW-008"),
    ],
    "gateway-config/litellm-proxy-server-config.yaml": [
        (163, "WS-GW-005"), (168, "WS-GW-005"), (208, "WS-GW-002"),
    ],
    "healthcare-ai/gemma3-melanoma-finetune-config.yaml": [],
    "healthcare-ai/gemma3-melanoma-training-job.yaml": [
        (33, "WS-WL-K8S-006"),
    ],
    "healthcare-ai/healthcare-bedrock-pii-guardrail.tf": [
        (2, "WS-CLOUD-021"),
    ],
    "helm-template/triton-aws-deployment.yaml": [
        (51, "WS-WL-K8S-006"), (60, "WS-SRV-TRITON-001"),
    ],
    "helm-values/litellm-helm-values.yaml": [
        (51, "WS-WL-K8S-006"), (51, "WS-WL-K8S-007"), (139, "WS-WL-K8S-008"),
        (213, "WS-HELM-006"), (214, "WS-SEC-005"),
    ],
    "helm-values/ollama-helm-values.yaml": [
        (160, "WS-WL-K8S-006"), (160, "WS-WL-K8S-007"), (318, "WS-WL-K8S-008"),
    ],
    "helm-values/triton-aws-values.yaml": [
        (29, "WS-SRV-TRITON-001"), (29, "WS-WL-K8S-006"), (41, "WS-HELM-007"),
    ],
    "helm-values/vllm-chart-helm-values.yaml": [
        (5, "WS-WL-K8S-006"), (5, "WS-WL-K8S-007"), (9, "WS-WL-SC-004"),
    ],
    "helm-values/vllm-production-stack-values-secure-vllm.yaml": [
        (3, "WS-HELM-001"), (5, "WS-WL-K8S-006"), (5, "WS-WL-K8S-007"), (7, "WS-WL-SC-004"),
        (8, "WS-HELM-003"),
    ],
    "helm-values/vllm-production-stack-values.yaml": [],
    "k8s/gke-tgi-gemma2-9b-deployment.yaml": [
        (34, "WS-WL-K8S-006"), (34, "WS-WL-K8S-007"), (35, "WS-WL-SC-004"), (60, "WS-WL-SC-003"),
    ],
    "k8s/kserve-hf-token-secret.yaml": [
        (7, "WS-SEC-004"),
    ],
    "k8s/kserve-isvc-huggingface-llama2.yaml": [
        (9, "WS-WL-K8S-006"), (9, "WS-WL-K8S-007"), (15, "WS-WL-SC-005"),
    ],
    "k8s/kserve-s3-secret.yaml": [],
    "k8s/kserve-website-download-llama3-to-pvc.yaml": [],
    "k8s/kserve-website-istio-mtls-authz.yaml": [],
    "k8s/kubeflow-jupyter-spawner-ui-config.yaml": [],
    "k8s/kuberay-ray-dashboard-alb-ingress.yaml": [
        (25, "WS-WL-K8S-010"),
    ],
    "k8s/kuberay-raycluster-nginx-ingress.yaml": [
        (21, "WS-WL-K8S-006"), (21, "WS-WL-K8S-007"), (22, "WS-SRV-RAY-001"),
        (60, "WS-SRV-ING-001"), (62, "WS-WL-K8S-010"),
    ],
    "k8s/kuberay-raycluster-token-auth.yaml": [
        (15, "WS-WL-K8S-006"), (15, "WS-WL-K8S-007"), (40, "WS-WL-K8S-006"),
        (40, "WS-WL-K8S-007"),
    ],
    "k8s/kuberay-rayservice-llm-serve.yaml": [
        (36, "WS-WL-K8S-006"), (36, "WS-WL-K8S-007"), (72, "WS-WL-K8S-006"),
        (72, "WS-WL-K8S-007"),
    ],
    "k8s/litellm-k8s-deployment.yaml": [
        (16, "WS-WL-K8S-006"), (16, "WS-WL-K8S-007"), (16, "WS-WL-K8S-008"),
        (17, "WS-WL-SC-004"), (21, "WS-WL-SEC-001"), (25, "WS-SRV-LITELLM-001"),
    ],
    "k8s/seldon-income-explainer.yaml": [
        (12, "WS-WL-SC-002"),
    ],
    "k8s/vllm-qwen3-k8s-deployment.yaml": [
        (52, "WS-WL-K8S-006"), (52, "WS-WL-K8S-007"), (53, "WS-WL-SC-004"), (54, "WS-WL-SC-003"),
        (62, "WS-SRV-VLLM-003"),
    ],
    "mlbom/cyclonedx-mlbom-bert-base-cased.json": [],
    "mlbom/cyclonedx-mlbom-gpt-4o.json": [],
    "terraform/anythingllm-digitalocean-droplet.tf": [],
    "terraform/azure-openai-example-private-endpoint.tf": [],
    "terraform/azure-openai-module-diagnostic-setting.tf": [],
    "terraform/azure-openai-module-main.tf": [],
    "terraform/azure-openai-module-variables.tf": [],
    "terraform/bedrock-agent-pike.tf": [
        (44, "WS-CLOUD-008"), (44, "WS-CLOUD-015"),
    ],
    "terraform/bedrock-agent-with-guardrails-aws-ia.tf": [],
    "terraform/bedrock-invocation-logging-flaconi-main.tf": [],
    "terraform/bedrock-invocation-logging-flaconi-variables.tf": [],
    "terraform/bedrock-module-main-aws-ia.tf": [],
    "terraform/sagemaker-domain-pike.tf": [
        (1, "WS-CLOUD-003"), (1, "WS-CLOUD-023"),
    ],
    "terraform/sagemaker-endpoint-config-kms-pike.tf": [],
    "terraform/sagemaker-studio-defaults-young-ook.tf": [],
    "terraform/sagemaker-young-ook-defaults.tf": [],
    "terraform/sagemaker-young-ook-main.tf": [
        (72, "WS-CLOUD-002"), (72, "WS-CLOUD-003"),
    ],
    "terraform/vertex-ai-endpoint-cmek-pike.tf": [],
    "terraform/vertex-model-armor-template-example.tf": [],
    "terraform/vertex-workbench-complete-example.tf": [],
    "terraform/vertex-workbench-module-variables.tf": [],
    "terraform/vertex-workbench-simple-example.tf": [],
}

SERVER_FIXTURES: dict[str, list[tuple[int, str]]] = {
    "chat-ui-compose.yml": [(6, "WS-SRV-OWUI-001"), (11, "WS-SRV-VDB-001"), (16, "WS-SRV-VDB-002")],
    "mlflow.yaml": [(15, "WS-SRV-MLFLOW-001")],
    "notebooks-compose.yml": [(4, "WS-SRV-JUP-001"), (9, "WS-SRV-TS-003"), (10, "WS-SRV-TS-001"),
                              (10, "WS-SRV-TS-002")],
    "ollama-deployment.yaml": [(20, "WS-SRV-OLLAMA-001")],
    "ollama-lb-service.yaml": [(7, "WS-WL-K8S-009")],
}


@pytest.fixture(scope="module")
def corpus_result(ruleset: RuleSet) -> dict[str, list[tuple[int, str]]]:
    result = scan(ScanOptions(paths=(str(CORPUS),), today=AS_OF), ruleset)
    assert result.errors == ()
    found: dict[str, list[tuple[int, str]]] = {
        str(Path(f).relative_to(CORPUS)): [] for f in result.files_scanned}
    for f in result.findings:
        found[str(Path(f.location.path).relative_to(CORPUS))].append((f.location.line, f.rule_id))
    return found


def test_every_corpus_file_is_listed(corpus_result: dict[str, list[tuple[int, str]]]) -> None:
    assert sorted(corpus_result) == sorted(EXPECTED)


@pytest.mark.parametrize("folder", sorted({name.split("/")[0] for name in EXPECTED}))
def test_corpus_folder_findings(folder: str,
                                corpus_result: dict[str, list[tuple[int, str]]]) -> None:
    for name, want in EXPECTED.items():
        if name.startswith(folder + "/"):
            assert (name, corpus_result[name]) == (name, want)


def test_server_fixtures(ruleset: RuleSet) -> None:
    folder = FIXTURES / "servers"
    result = scan(ScanOptions(paths=(str(folder),), today=AS_OF), ruleset)
    found: dict[str, list[tuple[int, str]]] = {p.name: [] for p in folder.iterdir()}
    for f in result.findings:
        found[Path(f.location.path).name].append((f.location.line, f.rule_id))
    assert found == SERVER_FIXTURES
    servers = sorted({i.server for i in result.inventory})
    assert servers == ["jupyter", "mlflow", "ollama", "open-webui", "qdrant", "torchserve",
                       "weaviate"]


def test_load_balancer_in_one_file_exposes_ollama_in_another(ruleset: RuleSet) -> None:
    folder = FIXTURES / "servers"
    deploy, svc = str(folder / "ollama-deployment.yaml"), str(folder / "ollama-lb-service.yaml")
    result = scan(ScanOptions(paths=(deploy, svc), today=AS_OF), ruleset)
    (f,) = [f for f in result.findings if f.rule_id == "WS-SRV-OLLAMA-001"]
    assert f.location == Location(deploy, 20, 11)
    assert f.related == (Location(svc, 7, 3),)
    assert f"Service/ollama-public (LoadBalancer) at {svc}:7" in f.message
    alone = scan(ScanOptions(paths=(deploy,), today=AS_OF), ruleset)
    assert alone.findings == ()


def test_rendered_helm_chart_on_stdin_scans_like_a_file() -> None:
    text = (FIXTURES / "helm" / "rendered-vllm.yaml").read_text()
    out = subprocess.run(["wardscan", "scan", "-", "--format", "json", "--as-of", "2026-11-27"],
                         input=text, capture_output=True, text=True, check=False)
    import json

    data = json.loads(out.stdout)
    assert out.returncode == 1
    assert [(f["file"], f["line"], f["rule_id"], [r["line"] for r in f["related"]])
            for f in data["findings"]] == [
        ("<stdin>", 11, "WS-WL-K8S-009", []),
        ("<stdin>", 45, "WS-SRV-VLLM-001", [11]),
    ]
