"""Kubernetes and compose adapters: the workload view, its lines, and exposure across files."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

from conftest import ROOT

from scanner.engine.packs import load_rules
from scanner.models import Location
from scanner.scan import ScanOptions, resources_of, scan

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama
  namespace: ai
spec:
  template:
    metadata:
      labels: {app: ollama, tier: model}
    spec:
      containers:
        - name: ollama
          image: ollama/ollama:0.1.30
          args: ["serve", "--verbose"]
          env:
            - name: OLLAMA_ORIGINS
              value: "*"
            - name: HF_TOKEN
              valueFrom:
                secretKeyRef: {name: hf, key: token}
          ports:
            - containerPort: 11434
          securityContext:
            privileged: true
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: ollama-lb
  namespace: ai
spec:
  type: LoadBalancer
  selector: {app: ollama}
  ports: [{port: 80, targetPort: 11434}]
"""
EXPOSED_RULE = """\
pack: {id: test-exposure, name: Test, version: 1.0.0}
rules:
  - id: T-EXP-001
    title: Ollama reachable from outside
    severity: high
    applies_to: [workload]
    for_each: containers[*]
    where_each: {path: server, equals: ollama}
    assert: {not: {path: $.exposure.public, equals: true}}
    locate: image
    related: $.exposure.via[*]
    message: "Ollama {name} is reachable via {$.exposure.summary}"
    summary: Ollama must not be reachable from outside.
    rationale: Ollama has no authentication of its own.
    remediation: Put it behind an authenticating proxy.
    references: [{framework: hipaa, control: "164.312(a)(1)"}]
    examples: {bad: "x", good: "y"}
"""


def workloads(text: str, path: str = "f.yaml") -> list[Any]:
    return [r for r in resources_of(path, text) if r.kind == "workload"]


def test_kubernetes_workload_view_and_lines() -> None:
    (wl,) = workloads(DEPLOYMENT)
    assert wl.name == "Deployment/ollama"
    body = wl.body
    assert (body["namespace"], body["labels"]) == ("ai", {"app": "ollama", "tier": "model"})
    (c,) = body["containers"]
    assert (c["server"], c["image_tag"], c["argv"], dict(c["flags"])) == (
        "ollama", "0.1.30", ["serve", "--verbose"], {"verbose": True})
    assert c.locs["image"] == Location("f.yaml", 13, 11)
    assert (c["env"]["OLLAMA_ORIGINS"]["value"], c["env"]["HF_TOKEN"]["from"]) == ("*", "secret")
    assert c["env"].locs["OLLAMA_ORIGINS"].line == 16
    assert c["env"]["HF_TOKEN"]["value"] is None
    assert c["security_context"]["privileged"] is True
    assert body["ai"]["servers"] == ["ollama"]
    assert body["exposure"]["public"] is False


def test_kubernetes_list_and_other_objects() -> None:
    text = "apiVersion: v1\nkind: List\nitems:\n" + "".join(
        "  - " + line + "\n" if i == 0 else "    " + line + "\n"
        for doc in (DEPLOYMENT, SERVICE) for i, line in enumerate(doc.splitlines()))
    kinds = [r.kind for r in resources_of("l.yaml", text)]
    assert kinds == ["kubernetes/Deployment", "workload", "kubernetes/Service"]


def test_compose_ports_env_and_security() -> None:
    text = """\
services:
  ollama:
    image: ollama/ollama
    privileged: true
    cap_add: [SYS_ADMIN]
    security_opt: ["no-new-privileges:true"]
    environment:
      - OLLAMA_HOST=0.0.0.0
      - PASSED_THROUGH
    ports:
      - "127.0.0.1:11434:11434"
      - "8080"
      - {target: 9000, published: 9000, host_ip: 0.0.0.0}
  db:
    image: postgres:16
    environment: {POSTGRES_PASSWORD: example}
    ports: ["5432:5432"]
"""
    ollama, db = workloads(text, "c.yaml")
    c = ollama.body["containers"][0]
    assert (ollama.name, c["server"], c["image_tag"]) == ("compose/ollama", "ollama", "latest")
    assert c["env"]["OLLAMA_HOST"]["value"] == "0.0.0.0"
    assert (c["env"]["PASSED_THROUGH"]["value"], c["env"]["PASSED_THROUGH"]["from"]) == (
        None, "host")
    sc = c["security_context"]
    assert (sc["privileged"], sc["capabilities"]["add"], sc["allowPrivilegeEscalation"]) == (
        True, ["SYS_ADMIN"], False)
    assert [(p["container_port"], p["host_port"], p["host_ip"]) for p in c["ports"]] == [
        (11434, "11434", "127.0.0.1"), (8080, None, None), (9000, 9000, "0.0.0.0")]
    assert ollama.body["exposure"]["summary"] == (
        "port {'target': 9000, 'published': 9000, 'host_ip': '0.0.0.0'} published at c.yaml:13")
    assert db.body["exposure"]["summary"] == (
        "port 5432:5432 published on all interfaces at c.yaml:17")
    assert db.body["containers"][0]["env"].locs["POSTGRES_PASSWORD"].line == 16


def test_service_in_another_file_exposes_the_workload(tmp_path: Path) -> None:
    (tmp_path / "a-deploy.yaml").write_text(DEPLOYMENT)
    (tmp_path / "b-svc.yaml").write_text(SERVICE)
    pack = tmp_path / "pack.yml"
    pack.write_text(EXPOSED_RULE)
    rules = load_rules([str(pack)], builtin=False)
    result = scan(ScanOptions(paths=(str(tmp_path / "a-deploy.yaml"), str(tmp_path / "b-svc.yaml")),
                              today=dt.date(2026, 11, 27)), rules)
    (f,) = result.findings
    deploy, svc = str(tmp_path / "a-deploy.yaml"), str(tmp_path / "b-svc.yaml")
    assert (f.rule_id, f.location) == ("T-EXP-001", Location(deploy, 13, 11))
    assert f.related == (Location(svc, 7, 3),)
    assert f.message == (f"Ollama ollama is reachable via Service/ollama-lb (LoadBalancer) "
                         f"at {svc}:7")
    (item,) = result.inventory
    assert (item.server, item.workload, item.exposure) == (
        "ollama", "Deployment/ollama", f"Service/ollama-lb (LoadBalancer) at {svc}:7")


def test_same_file_and_other_namespace(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yml"
    pack.write_text(EXPOSED_RULE)
    rules = load_rules([str(pack)], builtin=False)
    one = tmp_path / "one.yaml"
    one.write_text(DEPLOYMENT + "---\n" + SERVICE)
    result = scan(ScanOptions(paths=(str(one),)), rules)
    assert [(f.location.line, f.related) for f in result.findings] == [
        (13, (Location(str(one), 32, 3),))]
    other = tmp_path / "other.yaml"
    other.write_text(DEPLOYMENT + "---\n" + SERVICE.replace("namespace: ai", "namespace: web"))
    assert scan(ScanOptions(paths=(str(other),)), rules).findings == ()


def test_ingress_to_cluster_ip_service_and_internal_load_balancer() -> None:
    ingress = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: ai}
spec:
  rules:
    - http:
        paths:
          - path: /
            backend:
              service: {name: ollama-internal, port: {number: 80}}
"""
    svc = SERVICE.replace("type: LoadBalancer", "type: ClusterIP").replace(
        "name: ollama-lb", "name: ollama-internal")
    from scanner.linking import CrossFile

    res = resources_of("x.yaml", DEPLOYMENT + "---\n" + svc + "---\n" + ingress)
    CrossFile().link_file("x.yaml", res)
    (wl,) = [r for r in res if r.kind == "workload"]
    via = wl.body["exposure"]["via"]
    assert [(v["kind"], v["name"], v["tls"], v.origin.line) for v in via] == [
        ("Ingress", "web", False, 45)]
    internal = SERVICE.replace("  namespace: ai\n", "  namespace: ai\n  annotations:\n"
                               "    networking.gke.io/load-balancer-type: Internal\n")
    res = resources_of("y.yaml", DEPLOYMENT + "---\n" + internal)
    CrossFile().link_file("y.yaml", res)
    exposure = next(r for r in res if r.kind == "workload").body["exposure"]
    assert (exposure["public"], exposure["internet"]) == (True, False)


def test_unrendered_helm_template_is_read_best_effort() -> None:
    path = ROOT.parent / "shared" / "corpus" / "helm-template" / "triton-aws-deployment.yaml"
    (wl,) = workloads(path.read_text(), str(path))
    c = wl.body["containers"][0]
    assert (c["server"], c["image_tag"], c["flags"]["model-control-mode"]) == (
        "triton", None, "poll")
    assert c["flags"].locs["model-control-mode"].line == 60


def test_stdin_scans_like_a_file() -> None:
    corpus = ROOT.parent / "shared" / "corpus"
    text = (corpus / "k8s" / "vllm-qwen3-k8s-deployment.yaml").read_text()
    out = subprocess.run(["wardscan", "scan", "-", "--format", "json", "--fail-on", "none"],
                         input=text, capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["scan"]["files"] == ["<stdin>"]
    assert data["inventory"] == [{"server": "vllm", "workload": "Deployment/vllm-qwen3-235b",
                                  "file": "<stdin>", "line": 53, "exposure": None}]


def test_ingress_in_another_file_routes_to_a_cluster_ip_service_here(tmp_path: Path) -> None:
    svc = SERVICE.replace("type: LoadBalancer", "type: ClusterIP")
    (tmp_path / "app.yaml").write_text(DEPLOYMENT + "---\n" + svc)
    (tmp_path / "ingress.yaml").write_text("""\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: ai}
spec:
  tls: [{hosts: [ai.example.org]}]
  defaultBackend:
    service: {name: ollama-lb, port: {number: 80}}
""")
    pack = tmp_path / "pack.yml"
    pack.write_text(EXPOSED_RULE)
    rules = load_rules([str(pack)], builtin=False)
    result = scan(ScanOptions(paths=(str(tmp_path),)), rules)
    (f,) = result.findings
    assert f.related == (Location(str(tmp_path / "ingress.yaml"), 7, 15),)
    assert [i.exposure for i in result.inventory] == [
        f"Ingress/web at {tmp_path / 'ingress.yaml'}:7"]


def test_compose_volume_source_with_interpolation() -> None:
    text = """\
services:
  milvus:
    image: milvusdb/milvus:v2.4.0
    volumes:
      - ${DOCKER_VOLUME_DIRECTORY:-.}/milvus.yaml:/milvus/configs/milvus.yaml
      - /var/run/docker.sock:/var/run/docker.sock:ro
"""
    (wl,) = workloads(text)
    assert [(v["name"], v["host_path"]) for v in wl.body["volumes"]] == [
        ("${DOCKER_VOLUME_DIRECTORY:-.}/milvus.yaml", None),
        ("/var/run/docker.sock", "/var/run/docker.sock")]


def test_flags_and_servers_read_the_command_line() -> None:
    """parse_flags never reads a negative number as a flag (``-1``, ``-inf``, ``-1e3``), while
    ``--5`` is one; a server is recognised by its image first, then by its command, then by a
    distinctive port, and an image seen before answers the same."""
    from scanner.adapters.commandline import parse_flags
    from scanner.adapters.servers import recognise

    assert parse_flags(["serve", "--port", "8000", "--offset", "-1", "--x=a=b", "--y",
                        "--shift", "-inf", "--ratio", "-1e3", "--z"]) == {
        "port": "8000", "offset": True, "x": "a=b", "y": True, "shift": True, "ratio": True,
        "z": True}
    assert parse_flags(["--5", "v"]) == {"5": "v"}  # "--5" is a flag, not a number
    for _ in range(2):  # the second time from the image cache
        assert recognise("docker.io/VLLM/vllm-openai", ["python3"], []) == "vllm"
        assert recognise("busybox", ["ollama", "serve"], []) == "ollama"
        assert recognise("busybox", ["sleep"], [6333]) == "qdrant"
        assert recognise("", [], [8000]) is None
