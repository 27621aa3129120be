"""Helm values of AI charts: chart recognition, the workload views built from the values (with
the lines they came from), the helm-values pack on the shared corpus, and the small
workload-building helpers."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ROOT, TODAY

from scanner.adapters import detect
from scanner.adapters.helm_charts import tokens_of
from scanner.adapters.helm_values import chart_of
from scanner.adapters.synth import SynthMap
from scanner.adapters.workload_parts import (
    env_from_mapping,
    has_gpu,
    image_of,
    image_ref,
    internal_load_balancer,
    located_flags,
)
from scanner.engine.packs import RuleSet
from scanner.models import Location, Resource
from scanner.parse.yaml import load_documents
from scanner.scan import ScanOptions, read_text, resources_of, scan

CORPUS = ROOT.parent / "shared" / "corpus"
HELM = CORPUS / "helm-values"


def corpus(name: str) -> list[Resource]:
    path = str(HELM / name)
    return resources_of(path, read_text(path))


def workload(resources: list[Resource], name: str) -> Any:
    (found,) = [r for r in resources if r.kind == "workload" and r.name == name]
    return found.body


def line(container: Any, key: str) -> int:
    where: Location = container.locs[key]
    return where.line


# ---------------------------------------------------------------- recognition

@pytest.mark.parametrize(("name", "chart"), [
    ("vllm-production-stack-values.yaml", "vllm-stack"),
    ("vllm-production-stack-values-secure-vllm.yaml", "vllm-stack"),
    ("vllm-chart-helm-values.yaml", "vllm"),
    ("ollama-helm-values.yaml", "ollama"),
    ("litellm-helm-values.yaml", "litellm"),
    ("triton-aws-values.yaml", "triton"),
])
def test_corpus_charts_are_recognised(name: str, chart: str) -> None:
    (doc,) = load_documents(read_text(str(HELM / name)), name)
    assert (chart_of(doc), detect(doc)) == (chart, "helm-values")
    assert corpus(name)[0].kind == f"helm/{chart}"


@pytest.mark.parametrize("text", [
    "image:\n  repository: nginx\n  tag: '1.27'\nservice:\n  type: LoadBalancer\n",
    "apiVersion: v1\nkind: ConfigMap\nservingEngineSpec: {}\n",
    "services:\n  ollama:\n    image: ollama/ollama\nollama: {gpu: {enabled: true}}\n",
    "ollama: {host: localhost}\n",
    "image:\n  repository: vllm/vllm-openai\n",
    "masterkey: sk-1234\nimage: {repository: nginx}\n",
])
def test_other_values_are_not_recognised(text: str) -> None:
    (doc,) = load_documents(text, "v.yaml")
    assert chart_of(doc) is None


# ------------------------------------------------------------ corpus workloads

def test_triton_aws_values_workload() -> None:
    res = corpus("triton-aws-values.yaml")
    assert [(r.kind, r.name) for r in res] == [
        ("helm/triton", "triton-aws-values"), ("workload", "helm/triton-inference-server")]
    body = workload(res, "helm/triton-inference-server")
    assert (body["platform"], body["source_kind"]) == ("helm", "helm/triton")
    (c,) = body["containers"]
    assert (c["server"], c["image"], c["image_tag"], c["image_digest"]) == (
        "triton", "nvcr.io/nvidia/tritonserver:26.07-py3", "26.07-py3", None)
    assert line(c, "image_tag") == 30
    assert dict(c["flags"]) == {
        "model-store": "s3://triton-inference-server-repository/model_repository",
        "model-control-mode": "poll", "repository-poll-secs": "5"}
    assert (line(c["flags"], "model-store"), line(c["flags"], "model-control-mode")) == (32, 29)
    assert c["env"]["AWS_SECRET_ACCESS_KEY"]["from"] == "secret"
    assert line(c["env"], "AWS_SECRET_ACCESS_KEY") == 41
    assert [p["container_port"] for p in c["ports"]] == [8000, 8001, 8002]
    assert (c["gpu"], line(c, "gpu")) == (True, 33)
    assert dict(body["security_context"]) == {"runAsUser": 1000, "fsGroup": 1000}
    exposure = body["exposure"]
    assert (exposure["public"], exposure["internet"]) == (True, True)
    (via,) = exposure["via"]
    assert (via["kind"], via["type"], via.origin.line) == ("Service", "LoadBalancer", 36)
    assert exposure["summary"].endswith("triton-aws-values.yaml:36")
    assert body["ai"]["servers"] == ["triton"]


def test_vllm_chart_values_workload() -> None:
    body = workload(corpus("vllm-chart-helm-values.yaml"), "helm/vllm")
    (c,) = body["containers"]
    assert (c["server"], c["image"], c["image_tag"]) == ("vllm", "vllm/vllm-openai:latest",
                                                         "latest")
    assert (line(c, "image"), line(c, "argv"), line(c, "ports")) == (9, 11, 14)
    assert c["argv"][:3] == ["vllm", "serve", "/data/"]
    assert (c["flags"]["host"], c["flags"]["enforce-eager"], "api-key" in c["flags"]) == (
        "0.0.0.0", True, False)
    assert line(c["flags"], "host") == 11
    assert (c["model"], c["revision"]) == ("/data/", None)
    # without image.securityContext the chart template writes runAsNonRoot: false
    assert dict(c["security_context"]) == {"runAsNonRoot": False}
    assert (c["gpu"], line(c, "gpu"), c["resources"]["limits"]["nvidia.com/gpu"]) == (
        True, 29, 1)
    assert body["labels"] == {"environment": "test", "release": "test"}
    assert body["exposure"]["public"] is False  # the chart's Service is always ClusterIP


def test_ollama_values_workload() -> None:
    body = workload(corpus("ollama-helm-values.yaml"), "helm/ollama")
    (c,) = body["containers"]
    # tag "" means the chart's appVersion: a pinned version this file does not state
    assert (c["server"], c["image"], c["image_tag"], line(c, "image_tag")) == (
        "ollama", "ollama/ollama", None, 35)
    assert ([p["container_port"] for p in c["ports"]], line(c, "ports")) == ([11434], 52)
    assert (c["security_context"], line(c, "security_context")) == ({}, 160)
    assert (c["gpu"], c["argv"], dict(c["env"])) == (False, [], {})
    assert (body["host_network"], line(body, "host_network")) == (False, 500)
    assert (body["security_context"], line(body, "security_context")) == ({}, 153)
    assert body["exposure"]["public"] is False


def test_litellm_values_workload_and_embedded_config() -> None:
    res = corpus("litellm-helm-values.yaml")
    assert [(r.kind, r.name, r.line) for r in res] == [
        ("helm/litellm", "litellm-helm-values", 5),
        ("litellm/config", "litellm-helm-values:proxy_config", 124),
        ("workload", "helm/litellm", 8)]
    assert res[1].body["general_settings"]["master_key"] == "os.environ/PROXY_MASTER_KEY"
    body = workload(res, "helm/litellm")
    (c,) = body["containers"]
    assert (c["server"], c["image"], c["image_tag"]) == (
        "litellm", "ghcr.io/berriai/litellm-database", None)
    assert list(c["argv"]) == ["--config", "/etc/litellm/config.yaml"]
    env = c["env"]
    assert (env["PROXY_MASTER_KEY"]["from"], line(env, "PROXY_MASTER_KEY")) == ("secret", 108)
    assert (env["DATABASE_PASSWORD"]["from"], line(env, "DATABASE_PASSWORD")) == ("secret", 201)
    assert env["HOST"]["value"] == "0.0.0.0"
    assert ([p["container_port"] for p in c["ports"]], line(c, "ports")) == ([4000], 76)
    assert (line(c, "security_context"), line(body, "security_context")) == (51, 50)
    assert body["exposure"]["public"] is False


def test_production_stack_secure_values_workload() -> None:
    res = corpus("vllm-production-stack-values-secure-vllm.yaml")
    assert [(r.kind, r.name, r.line) for r in res] == [
        ("helm/vllm-stack", "vllm-production-stack-values-secure-vllm", 1),
        ("workload", "helm/opt125m", 5)]
    body = workload(res, "helm/opt125m")
    (c,) = body["containers"]
    assert (c["server"], c["image"], c["image_tag"], line(c, "image_tag")) == (
        "vllm", "vllm/vllm-openai:latest", "latest", 7)
    assert (c["model"], line(c, "model"), c["revision"]) == ("facebook/opt-125m", 8, None)
    assert (c["flags"]["host"], c["flags"]["port"]) == ("0.0.0.0", "8000")
    # vllmApiKey (a string) is put into a generated Secret and given as VLLM_API_KEY
    assert (c["env"]["VLLM_API_KEY"]["from"], line(c["env"], "VLLM_API_KEY")) == ("secret", 3)
    assert (c["gpu"], line(c, "gpu")) == (True, 14)
    assert dict(c["resources"]["requests"]) == {"cpu": 6, "memory": "16Gi", "nvidia.com/gpu": 1}
    assert body["labels"] == {"model": "opt125m"}
    assert body["exposure"]["public"] is False


def test_production_stack_defaults_deploy_no_engine() -> None:
    # the only modelSpec entry is an example with enabled: false
    assert [r.kind for r in corpus("vllm-production-stack-values.yaml")] == ["helm/vllm-stack"]


def test_production_stack_engine_behind_a_public_router() -> None:
    text = """\
servingEngineSpec:
  vllmApiKey: {secretName: "", secretKey: ""}
  containerSecurityContext:
    runAsNonRoot: false
  modelSpec:
    - name: llama
      repository: lmcache/vllm-openai
      tag: "2025-05-27-v1"
      modelURL: meta-llama/Llama-3.1-8B-Instruct
      modelRevision: main
      hf_token: {secretName: hf, secretKey: token}
      initContainer:
        name: fetch
        image: busybox
        command: ["sh", "-c", "ls /data"]
      vllmConfig:
        maxModelLen: 4096
        extraArgs: ["--trust-remote-code", "--max-num-batched-tokens=8192"]
      lmcacheConfig:
        enablePD: true
routerSpec:
  serviceType: LoadBalancer
  serviceAnnotations:
    service.beta.kubernetes.io/aws-load-balancer-scheme: internal
"""
    (wl,) = [r for r in resources_of("s.yaml", text) if r.kind == "workload"]
    body = wl.body
    init, main = body["containers"]
    assert (init["role"], init["image_tag"], list(init["argv"]), line(init, "argv")) == (
        "init", "latest", ["ls", "/data"], 15)
    assert (main["revision"], line(main, "revision")) == ("main", 10)
    flags = main["flags"]
    assert (flags["trust-remote-code"], flags["max-num-batched-tokens"],
            flags["max-model-len"]) == (True, "8192", "4096")
    assert (line(flags, "trust-remote-code"), line(flags, "max-model-len")) == (18, 17)
    assert "VLLM_API_KEY" not in main["env"]  # an empty secretName renders no key
    assert main["env"]["HF_TOKEN"]["from"] == "secret"
    assert (main["security_context"]["runAsNonRoot"], line(main, "security_context")) == (
        False, 3)
    assert (body["host_pid"], body["host_ipc"], line(body, "host_pid")) == (True, True, 20)
    exposure = body["exposure"]
    (via,) = exposure["via"]
    assert (exposure["public"], exposure["internet"], via["internal"], via.origin.line) == (
        True, False, True, 22)


def test_ollama_exposure_from_service_ingress_and_host_network() -> None:
    text = """\
image: {repository: ollama/ollama, tag: "0.1.29"}
ollama:
  gpu: {enabled: true, number: 1}
service:
  type: NodePort
  port: 11434
ingress:
  enabled: true
  tls: []
hostNetwork: true
extraEnv:
  - name: OLLAMA_ORIGINS
    value: "*"
"""
    (wl,) = [r for r in resources_of("o.yaml", text) if r.kind == "workload"]
    body = wl.body
    c = body["containers"][0]
    assert (c["image"], c["image_tag"], c["gpu"], line(c, "gpu")) == (
        "ollama/ollama:0.1.29", "0.1.29", True, 3)
    assert (c["env"]["OLLAMA_ORIGINS"]["value"], line(c["env"], "OLLAMA_ORIGINS")) == ("*", 12)
    vias = [(v["kind"], v.origin.line, v.get("tls")) for v in body["exposure"]["via"]]
    assert vias == [("hostNetwork", 10, None), ("Service", 5, None), ("Ingress", 8, False)]


# ---------------------------------------------------------------- corpus findings

HELM_EXPECTED: dict[str, list[tuple[int, str]]] = {
    "litellm-helm-values.yaml": [
        # proxy_config api keys eXaMpLeOnLy and fake-key are placeholders: not reported
        (213, "WS-HELM-006"),  # bundled Postgres with the chart's default password
    ],
    "ollama-helm-values.yaml": [],
    "triton-aws-values.yaml": [(41, "WS-HELM-007")],
    "vllm-chart-helm-values.yaml": [],
    "vllm-production-stack-values-secure-vllm.yaml": [
        (3, "WS-HELM-001"),    # vllmApiKey: "abc123XYZ987"
        (8, "WS-HELM-003"),    # facebook/opt-125m without modelRevision
    ],
    # the only model is disabled; vllmApiKey and hf_token reference (empty) Secrets
    "vllm-production-stack-values.yaml": [],
}


@pytest.mark.parametrize("name", sorted(HELM_EXPECTED))
def test_helm_corpus_findings(name: str, ruleset: RuleSet) -> None:
    result = scan(ScanOptions(paths=(str(HELM / name),), today=TODAY), ruleset)
    got = sorted((f.location.line, f.rule_id) for f in result.findings
                 if f.rule_id.startswith(("WS-HELM-", "WS-GW-")))
    assert got == HELM_EXPECTED[name]


def test_every_helm_corpus_file_is_asserted() -> None:
    assert sorted(p.name for p in HELM.iterdir()) == sorted(HELM_EXPECTED)


# ---------------------------------------------------------------- helpers

def test_image_references() -> None:
    assert image_ref("ollama/ollama", "") == ("ollama/ollama", None, None)
    assert image_ref("vllm/vllm-openai", "v0.9.2") == ("vllm/vllm-openai:v0.9.2", "v0.9.2", None)
    digest = "sha256:" + "a" * 64
    assert image_ref("r.io/x", digest) == (f"r.io/x@{digest}", None, digest)
    assert image_of("localhost:5000/router") == ("localhost:5000/router", "latest", None)
    assert image_of(None) == (None, None, None)


def test_located_flags_and_tokens() -> None:
    a, b = Location("f", 3, 5), Location("f", 4, 5)
    flags = located_flags([("serve", a), ("--api-key", b), ("k", b), ("--x=1", a)], a)
    assert (dict(flags), flags.locs["api-key"], flags.locs["x"]) == (
        {"api-key": "k", "x": "1"}, b, a)
    (items,) = load_documents('cmd: ["sh", "-c", "vllm serve m --host 0.0.0.0"]\n', "f")
    where = Location("f", 1, 1)
    assert tokens_of("f", items["cmd"], None, where) == [
        ("vllm", where), ("serve", where), ("m", where), ("--host", where), ("0.0.0.0", where)]


def test_env_gpu_and_internal_load_balancer() -> None:
    (values,) = load_documents("envVars:\n  A: 1\n  B: true\n", "v.yaml")
    env = SynthMap()
    env_from_mapping("v.yaml", values["envVars"], env)
    assert [(k, e["value"], e["from"], env.locs[k].line) for k, e in env.items()] == [
        ("A", "1", None, 2), ("B", "true", None, 3)]
    assert has_gpu({"limits": {"nvidia.com/mig-1g.10gb": 1}})
    assert not has_gpu({"requests": {"nvidia.com/gpu": 0}, "limits": {"cpu": 4}})
    assert internal_load_balancer({"networking.gke.io/load-balancer-type": "Internal"})
    assert not internal_load_balancer({"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"})
