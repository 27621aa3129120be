"""What each recognised AI chart deploys, read from its values: one ``Spec`` per model server.

A values file is not a manifest: the chart's templates decide what its keys become. Each
builder here mirrors its chart's deployment template just far enough to say which image
runs with which command line, environment, ports, security context and resources, and
whether a Service, Ingress or route makes it reachable from outside. Settings the
template hard-codes are included too (they are what the chart deploys), located at the
values key they hang off. Every value carries the line of the values key it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scanner.adapters.commandline import argv_of
from scanner.adapters.synth import SynthMap
from scanner.adapters.workload import k8s_env, via_item
from scanner.adapters.workload_parts import (
    Pod,
    Token,
    at,
    build_container,
    env_entry,
    env_from_mapping,
    image_of,
    image_ref,
    internal_load_balancer,
    pod,
    text,
)
from scanner.exposure import PUBLIC_SERVICE_TYPES
from scanner.models import Location


@dataclass(frozen=True, slots=True)
class Spec:
    """One workload a chart deploys: its name, pod fields and how it is exposed."""

    name: str
    origin: Location
    labels: dict[str, Any]
    pod: Pod
    via: tuple[SynthMap, ...] = ()


def _m(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def port_of(value: Any, default: int) -> int:
    """A port number from values (a number or numeric string), else the chart's default."""
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else default


def tokens_of(path: str, command: Any, args: Any, where: Location | None) -> list[Token]:
    """``command`` + ``args`` values as command-line tokens (``commandline.argv_of``), each at
    its own list item when they are plain words, else all at ``where`` (a ``sh -c`` script
    was split, or a string was given)."""
    words = argv_of(command, args)
    items = [(v, at(path, part, i)) for part in (command, args) if isinstance(part, list)
             for i, v in enumerate(part)]
    if words == [text(v) for v, _ in items]:
        return [(w, item_at or where) for w, (_, item_at) in zip(words, items, strict=True)]
    return [(w, where) for w in words]


def service_via(path: str, svc: Any, name: str, key: str = "type",
                notes: str = "annotations", label: str = "Service") -> list[SynthMap]:
    """A ``LoadBalancer``/``NodePort`` service type in values, located at its ``type:``."""
    svc = _m(svc)
    stype = svc.get(key)
    if stype not in PUBLIC_SERVICE_TYPES:
        return []
    internal = internal_load_balancer(svc.get(notes))
    ranges = [str(r) for r in svc.get("loadBalancerSourceRanges") or []]
    where = at(path, svc, key)
    assert where is not None
    detail = f"{label}/{name} ({stype}{', internal' if internal else ''})"
    return [via_item("Service", name, detail, where, type=stype, internal=internal,
                     source_ranges=ranges, tls=None)]


def switch_via(path: str, block: Any, kind: str, name: str, what: str) -> list[SynthMap]:
    """An Ingress or HTTPRoute the chart creates when ``<block>.enabled`` is true."""
    block = _m(block)
    if block.get("enabled") is not True:
        return []
    where = at(path, block, "enabled")
    assert where is not None
    return [via_item(kind, name, f"{kind}/{name} ({what}.enabled)", where, type=None,
                     internal=internal_load_balancer(block.get("annotations")),
                     source_ranges=[], tls=bool(block.get("tls")) if kind == "Ingress" else None)]


def vllm(doc: Any, path: str, origin: Location) -> list[Spec]:
    """vllm-project/vllm ``examples/online_serving/chart-helm``: one Deployment; its Service
    is always ClusterIP. Without ``image.securityContext`` the template writes
    ``runAsNonRoot: false``; ``secrets`` become a Secret loaded with envFrom."""
    image = _m(doc.get("image"))
    iat = at(path, doc, "image") or origin
    env = k8s_env(path, image.get("env"), None)
    for key, source in (("secrets", "secret"), ("configs", "configmap")):
        block = _m(doc.get(key))
        for name, value in block.items():
            where = at(path, block, name)
            env.put(str(name), env_entry(str(name), None if source == "secret" else text(value),
                                         source, where), where)
    if doc.get("externalConfigs"):
        env.put("__from__", True, at(path, doc, "externalConfigs"))
    context: Any = image.get("securityContext")
    if not isinstance(context, dict):
        context = SynthMap(iat)
        context.put("runAsNonRoot", False, iat)
    port = port_of(doc.get("containerPort"), 8000)
    container = build_container(
        origin=iat, name="vllm", role="main",
        image=image_ref(image.get("repository"), image.get("tag")),
        image_at=at(path, image, "tag") or at(path, image, "repository"),
        tokens=tokens_of(path, image.get("command"), image.get("args"),
                         at(path, image, "command") or iat),
        env=env, ports=[(port, at(path, doc, "containerPort") or iat)],
        security_context=(context, at(path, image, "securityContext") or iat),
        resources=(doc.get("resources"), at(path, doc, "resources")), server="vllm")
    labels = dict(_m(doc.get("labels")))
    return [Spec("vllm", iat, labels, pod(path, {}, [container], iat, ({}, iat)))]


def ollama(doc: Any, path: str, origin: Location) -> list[Spec]:
    """otwld/ollama-helm: one Deployment (Knative not modelled); ``ollama.gpu.enabled``
    adds the GPU limit; Service, Ingress and HTTPRoute come from their own blocks."""
    settings, image = _m(doc.get("ollama")), _m(doc.get("image"))
    iat = at(path, doc, "image") or origin
    name = text(doc.get("fullnameOverride")) or text(doc.get("nameOverride")) or "ollama"
    gpu = _m(settings.get("gpu"))
    port = port_of(settings.get("port"), 11434)
    container = build_container(
        origin=iat, name="ollama", role="main",
        image=image_ref(image.get("repository"), image.get("tag")),
        image_at=at(path, image, "tag") or at(path, image, "repository"),
        tokens=tokens_of(path, None, doc.get("extraArgs"), at(path, doc, "extraArgs")),
        env=k8s_env(path, doc.get("extraEnv"), doc.get("extraEnvFrom")),
        ports=[(port, at(path, settings, "port") or iat)],
        security_context=(doc.get("securityContext"), at(path, doc, "securityContext")),
        resources=(doc.get("resources"), at(path, doc, "resources")), server="ollama",
        gpu=(True, at(path, gpu, "enabled")) if gpu.get("enabled") is True else None)
    via = [*service_via(path, doc.get("service"), name),
           *switch_via(path, doc.get("ingress"), "Ingress", name, "ingress"),
           *switch_via(path, doc.get("httpRoute"), "HTTPRoute", name, "httpRoute")]
    context = (doc.get("podSecurityContext"), at(path, doc, "podSecurityContext"))
    return [Spec(name, iat, dict(_m(doc.get("podLabels"))),
                 pod(path, doc, [container], iat, context, doc.get("volumes")), tuple(via))]


def litellm(doc: Any, path: str, origin: Location) -> list[Spec]:
    """BerriAI litellm-helm: the proxy Deployment runs ``--config /etc/litellm/config.yaml``
    (rendered from ``proxy_config``) with ``PROXY_MASTER_KEY`` from a Secret (``masterkey``
    or a generated one) and database credentials from a Secret."""
    image, db = _m(doc.get("image")), _m(doc.get("db"))
    iat = at(path, doc, "image") or origin
    name = text(doc.get("nameOverride")) or "litellm"
    svc = _m(doc.get("service"))
    port = port_of(svc.get("port"), 4000)
    env = SynthMap(iat)
    env.put("HOST", env_entry("HOST", text(doc.get("listen")) or "0.0.0.0", None,
                              at(path, doc, "listen") or iat), at(path, doc, "listen") or iat)
    if db.get("deployStandalone") is True or db.get("useExisting") is True:
        where = at(path, db, "deployStandalone" if db.get("deployStandalone") else "useExisting")
        for var in ("DATABASE_USERNAME", "DATABASE_PASSWORD"):
            env.put(var, env_entry(var, None, "secret", where), where)
    key_at = at(path, doc, "masterkey") or at(path, doc, "masterkeySecretName") or iat
    env.put("PROXY_MASTER_KEY", env_entry("PROXY_MASTER_KEY", None, "secret", key_at), key_at)
    env_from_mapping(path, doc.get("envVars"), env)
    extra = k8s_env(path, doc.get("extraEnvVars"), None)
    for var in extra:
        env.put(var, extra[var], extra.locs.get(var))
    env_from_mapping(path, doc.get("extraEnvVars") if isinstance(doc.get("extraEnvVars"), dict)
                     else None, env)
    if doc.get("environmentSecrets") or doc.get("environmentConfigMaps"):
        env.put("__from__", True, at(path, doc, "environmentSecrets")
                or at(path, doc, "environmentConfigMaps"))
    args = doc.get("args") if isinstance(doc.get("args"), list) else ["--config",
                                                                       "/etc/litellm/config.yaml"]
    command = doc.get("command") if isinstance(doc.get("command"), list) else []
    container = build_container(
        origin=iat, name=name, role="main",
        image=image_ref(image.get("repository"), image.get("tag")),
        image_at=at(path, image, "tag") or at(path, image, "repository"),
        tokens=tokens_of(path, command, args, at(path, doc, "args") or iat),
        env=env, ports=[(port, at(path, svc, "port") or iat)],
        security_context=(doc.get("securityContext"), at(path, doc, "securityContext")),
        resources=(doc.get("resources"), at(path, doc, "resources")), server="litellm")
    via = [*service_via(path, svc, name),
           *switch_via(path, doc.get("ingress"), "Ingress", name, "ingress")]
    context = (doc.get("podSecurityContext"), at(path, doc, "podSecurityContext"))
    return [Spec(name, iat, dict(_m(doc.get("podLabels"))),
                 pod(path, doc, [container], iat, context, doc.get("volumes")), tuple(via))]


def triton(doc: Any, path: str, origin: Location) -> list[Spec]:
    """triton-inference-server ``deploy/aws``: the template runs ``tritonserver`` with
    ``--model-control-mode=poll --repository-poll-secs=5`` on ``modelRepositoryPath``,
    AWS keys from the ``secret`` block, ports 8000-8002, pod ``runAsUser: 1000``."""
    image, secret = _m(doc.get("image")), _m(doc.get("secret"))
    iat = at(path, doc, "image") or origin
    store_at = at(path, image, "modelRepositoryPath") or iat
    tokens: list[Token] = [("tritonserver", iat),
                           (f"--model-store={text(image.get('modelRepositoryPath')) or ''}",
                            store_at),
                           ("--model-control-mode=poll", iat), ("--repository-poll-secs=5", iat)]
    env = SynthMap(at(path, doc, "secret") or iat)
    for var, key in (("AWS_DEFAULT_REGION", "region"), ("AWS_ACCESS_KEY_ID", "id"),
                     ("AWS_SECRET_ACCESS_KEY", "key")):
        where = at(path, secret, key) or env.origin
        env.put(var, env_entry(var, None, "secret", where), where)
    gpus_at = at(path, image, "numGpus") or iat
    limits = SynthMap(gpus_at)
    limits.put("nvidia.com/gpu", image.get("numGpus"), gpus_at)
    resources = SynthMap(gpus_at)
    resources.put("limits", limits, gpus_at)
    container = build_container(
        origin=iat, name="triton-inference-server", role="main",
        image=image_of(image.get("imageName")), image_at=at(path, image, "imageName"),
        tokens=tokens, env=env, ports=[(8000, iat), (8001, iat), (8002, iat)],
        security_context=(None, iat), resources=(resources, gpus_at), server="triton")
    context = SynthMap(iat)
    context.put("runAsUser", 1000, iat)
    context.put("fsGroup", 1000, iat)
    via = service_via(path, doc.get("service"), "triton-inference-server")
    return [Spec("triton-inference-server", iat, {"app": "triton-inference-server"},
                 pod(path, {}, [container], iat, (context, iat)), tuple(via))]
