"""Values files of recognised AI Helm charts: the document as ``helm/<chart>``, plus workloads.

A chart is recognised by keys only its values use (see ``chart_of``). The document itself
becomes ``helm/<chart>`` for rules about what only the values say (a literal key in
``masterkey``); each model server the chart deploys becomes a ``workload`` (platform
``helm``) so the rules written for Kubernetes and compose workloads hold here too. The
LiteLLM chart's ``proxy_config`` is the proxy's ``config.yaml`` and also becomes a
``litellm/config`` resource. Values that a ``--set`` or another values file may override
are read as written: the scan reports what this file deploys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from scanner.adapters import helm_charts, litellm
from scanner.adapters.helm_charts import Spec, port_of, service_via, switch_via, tokens_of
from scanner.adapters.synth import SynthMap, SynthSeq
from scanner.adapters.workload import k8s_env, make_workload, set_exposure
from scanner.adapters.workload_parts import (
    Token,
    at,
    build_container,
    env_entry,
    image_of,
    image_ref,
    pod,
    text,
)
from scanner.models import Location, Resource

# vllmConfig key -> the vLLM flag the production-stack template renders it as
VLLM_CONFIG_FLAGS = (("maxModelLen", "--max-model-len"), ("dtype", "--dtype"),
                     ("tensorParallelSize", "--tensor-parallel-size"),
                     ("maxNumSeqs", "--max-num-seqs"),
                     ("gpuMemoryUtilization", "--gpu_memory_utilization"),
                     ("maxLoras", "--max_loras"))


def _m(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _repo(doc: dict[str, Any], key: str) -> str:
    return str(_m(doc.get("image")).get(key) or "").lower()


def chart_of(doc: Any) -> str | None:
    """Which recognised chart a values document belongs to, from keys only it uses."""
    if not isinstance(doc, dict) or any(k in doc for k in ("apiVersion", "kind", "services")):
        return None
    if isinstance(doc.get("servingEngineSpec"), dict):
        return "vllm-stack"
    image = _m(doc.get("image"))
    if "tritonserver" in _repo(doc, "imageName") or "modelRepositoryPath" in image:
        return "triton"
    if isinstance(doc.get("proxy_config"), dict) or (
            ("masterkey" in doc or "masterkeySecretName" in doc) and "litellm" in _repo(
                doc, "repository")):
        return "litellm"
    settings = _m(doc.get("ollama"))
    if any(k in settings for k in ("gpu", "models", "port", "insecure", "mountPath")):
        return "ollama"
    if "vllm" in _repo(doc, "repository") and ("containerPort" in doc or "command" in image):
        return "vllm"
    return None


def detect(doc: Any) -> bool:
    return chart_of(doc) is not None


def _secret_set(value: Any) -> bool:
    """A chart secret given as a literal string, or as an existing Secret's name and key."""
    if isinstance(value, dict):
        return bool(text(value.get("secretName"))) and bool(text(value.get("secretKey")))
    return bool(text(value))


def _engine_tokens(path: str, spec: dict[str, Any], mat: Location,
                   port: tuple[int, Location]) -> list[Token]:
    """``vllm serve <modelURL> --host 0.0.0.0 --port N ...`` as the template renders it."""
    url_at = at(path, spec, "modelURL") or mat
    tokens: list[Token] = [("vllm", mat), ("serve", mat),
                           (text(spec.get("modelURL")) or "", url_at), ("--host", mat),
                           ("0.0.0.0", mat), ("--port", port[1]), (str(port[0]), port[1])]
    revision = text(spec.get("modelRevision"))
    if revision:
        rat = at(path, spec, "modelRevision")
        tokens += [("--revision", rat), (revision, rat)]
    for key, flag in (("enableLoRA", "--enable-lora"), ("enableTool", "--enable-auto-tool-choice")):
        if spec.get(key) is True:
            tokens.append((flag, at(path, spec, key)))
    config = _m(spec.get("vllmConfig"))
    for key, flag in VLLM_CONFIG_FLAGS:
        if text(config.get(key)) is not None:
            where = at(path, config, key)
            tokens += [(flag, where), (str(text(config[key])), where)]
    tokens += tokens_of(path, None, config.get("extraArgs"), at(path, config, "extraArgs"))
    return tokens


def _engine_resources(path: str, spec: dict[str, Any], mat: Location) -> tuple[Any, Location]:
    """``resources`` when given, else requests/limits from ``requestCPU``, ``requestGPU``..."""
    if _m(spec.get("resources")):
        return spec["resources"], at(path, spec, "resources") or mat
    requests, limits = SynthMap(mat), SynthMap(mat)
    gpu = text(spec.get("requestGPUType")) or "nvidia.com/gpu"
    for key, block, name in (("requestCPU", requests, "cpu"), ("requestMemory", requests, "memory"),
                             ("requestGPU", requests, gpu), ("requestGPU", limits, gpu),
                             ("limitCPU", limits, "cpu"), ("limitMemory", limits, "memory")):
        if text(spec.get(key)) is not None:
            block.put(name, spec[key], at(path, spec, key))
    resources = SynthMap(mat)
    resources.put("requests", requests, mat)
    resources.put("limits", limits, mat)
    return resources, mat


def _engine_gpu(path: str, spec: dict[str, Any]) -> tuple[bool, Location | None] | None:
    """``requestGPU`` decides the GPU when ``resources`` is not given."""
    if _m(spec.get("resources")) or text(spec.get("requestGPU")) is None:
        return None
    return (text(spec["requestGPU"]) not in ("0", ""), at(path, spec, "requestGPU"))


def _router_via(path: str, router: dict[str, Any]) -> list[SynthMap]:
    """The router proxies every request to the engines: exposing it exposes their API."""
    if router.get("enableRouter") is False:
        return []
    via = service_via(path, router, "router-service", key="serviceType",
                      notes="serviceAnnotations", label="vLLM router Service")
    via += switch_via(path, router.get("ingress"), "Ingress", "router", "routerSpec.ingress")
    for name, route in _m(router.get("route")).items():
        via += switch_via(path, route, "HTTPRoute", str(name), f"routerSpec.route.{name}")
    return via


def _init_container(path: str, spec: dict[str, Any], engine: dict[str, Any],
                    mat: Location) -> SynthMap:
    """``modelSpec.initContainer``, which the template runs with the engine's securityContext."""
    init = spec["initContainer"]
    iat = at(path, spec, "initContainer") or mat
    return build_container(
        origin=iat, name=text(init.get("name")) or "init", role="init",
        image=image_of(init.get("image")), image_at=at(path, init, "image"),
        tokens=tokens_of(path, init.get("command"), init.get("args"),
                         at(path, init, "command") or iat),
        env=k8s_env(path, init.get("env"), None), ports=[],
        security_context=(engine.get("containerSecurityContext"),
                          at(path, engine, "containerSecurityContext")),
        resources=(init.get("resources"), at(path, init, "resources")))


def vllm_stack(doc: Any, path: str, origin: Location) -> list[Spec]:
    """vllm-project/production-stack: one vLLM Deployment per ``modelSpec`` entry that is
    not ``enabled: false``; engine Services are ClusterIP, the router may be public."""
    engine = _m(doc.get("servingEngineSpec"))
    models = engine.get("modelSpec")
    if engine.get("enableEngine") is False or not isinstance(models, list):
        return []
    via = tuple(_router_via(path, _m(doc.get("routerSpec"))))
    key_at = at(path, engine, "vllmApiKey")
    port = port_of(engine.get("containerPort"), 8000)
    port_at = at(path, engine, "containerPort")
    out = []
    for i, spec in enumerate(models):
        mat = at(path, models, i)
        if not isinstance(spec, dict) or spec.get("enabled") is False or mat is None:
            continue
        name = text(spec.get("name")) or f"model-{i + 1}"
        env = SynthMap(mat)
        if _secret_set(spec.get("hf_token")):
            where = at(path, spec, "hf_token")
            env.put("HF_TOKEN", env_entry("HF_TOKEN", None, "secret", where), where)
        if _secret_set(engine.get("vllmApiKey")):
            env.put("VLLM_API_KEY", env_entry("VLLM_API_KEY", None, "secret", key_at), key_at)
        user = k8s_env(path, spec.get("env"), spec.get("envFromSecret") or engine.get("configs"))
        for var in user:
            env.put(var, user[var], user.locs.get(var))
        containers = [build_container(
            origin=mat, name="vllm", role="main",
            image=image_ref(spec.get("repository"), spec.get("tag")),
            image_at=at(path, spec, "tag") or at(path, spec, "repository"),
            tokens=_engine_tokens(path, spec, mat, (port, port_at or mat)), env=env,
            ports=[(port, port_at or mat)],
            security_context=(engine.get("containerSecurityContext"),
                              at(path, engine, "containerSecurityContext")),
            resources=_engine_resources(path, spec, mat), server="vllm",
            gpu=_engine_gpu(path, spec))]
        if _m(spec.get("initContainer")):
            containers.insert(0, _init_container(path, spec, engine, mat))
        cache = _m(spec.get("lmcacheConfig"))
        fields = pod(path, {}, containers, mat, (engine.get("securityContext"),
                                                 at(path, engine, "securityContext")))
        if cache.get("enablePD") is True:
            for key in ("host_pid", "host_ipc"):
                fields[key] = (True, at(path, cache, "enablePD"))
        labels = {**_m(engine.get("labels")), "model": name}
        out.append(Spec(name, mat, labels, fields, via))
    return out


BUILDERS: dict[str, Callable[[Any, str, Location], list[Spec]]] = {
    "vllm-stack": vllm_stack,
    "vllm": helm_charts.vllm,
    "ollama": helm_charts.ollama,
    "litellm": helm_charts.litellm,
    "triton": helm_charts.triton,
}


def _workload(spec: Spec, chart: str, path: str, index: int) -> Resource:
    resource = make_workload(path=path, line=spec.origin.line, platform="helm",
                             source_kind=f"helm/{chart}", name=spec.name, namespace=None,
                             labels=spec.labels, pod=spec.pod, origin=spec.origin, index=index,
                             host_ports=False)
    if spec.via:
        exposure = resource.body["exposure"]
        via: SynthSeq = exposure["via"]
        for item in spec.via:
            via.add(item, item.origin)
        set_exposure(exposure, via, exposure.origin)
    return dataclasses.replace(resource, name=f"helm/{spec.name}")


def adapt(doc: Any, path: str, index: int) -> list[Resource]:
    chart = chart_of(doc)
    if chart is None:
        return []
    start = at(path, doc) or Location(path, 1, 1)
    name = litellm.resource_name(path, index)
    out = [Resource(kind=f"helm/{chart}", name=name, body=doc, path=path, line=start.line,
                    doc_index=index)]
    config = doc.get("proxy_config")
    if chart == "litellm" and isinstance(config, dict) and \
            _m(doc.get("proxyConfigMap")).get("create") is not False:
        where = at(path, doc, "proxy_config") or start
        out.append(litellm.config_resource(config, path, f"{name}:proxy_config", index,
                                           where.line))
    out.extend(_workload(spec, chart, path, index) for spec in BUILDERS[chart](doc, path, start))
    return out
