"""Kubernetes documents: every object as ``kubernetes/<Kind>``, pod templates as workloads.

Pod templates are found in the built-in workload kinds, KServe InferenceService and
ServingRuntime, KubeRay RayCluster/RayService/RayJob (head and worker groups) and Seldon.
A ``kind: List`` is unpacked into its items.
"""

from __future__ import annotations

from typing import Any

from scanner.adapters.synth import SynthMap, SynthSeq
from scanner.adapters.workload import loc, make_workload, pod_view, via_item
from scanner.models import Resource

TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                  "ReplicationController"}


def detect(doc: Any) -> bool:
    return (isinstance(doc.get("apiVersion"), str) and isinstance(doc.get("kind"), str)
            and not doc["apiVersion"].startswith("wardscan/"))


def _m(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def adapt(doc: Any, path: str, index: int) -> list[Resource]:
    if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
        out: list[Resource] = []
        for item in doc["items"]:
            if isinstance(item, dict) and detect(item):
                out.extend(_adapt_one(item, path, index))
        return out
    return _adapt_one(doc, path, index)


def _adapt_one(doc: Any, path: str, index: int) -> list[Resource]:
    meta = _m(doc.get("metadata"))
    name = str(meta["name"]) if isinstance(meta.get("name"), str) else "unnamed"
    origin = loc(path, doc)
    out = [Resource(kind=f"kubernetes/{doc['kind']}", name=name, body=doc, path=path,
                    line=origin.line, doc_index=index)]
    ns = meta.get("namespace") if isinstance(meta.get("namespace"), str) else None
    for source_kind, wl_name, labels, spec, roles, extra, services in _pod_specs(doc, name,
                                                                                 path):
        where = loc(path, spec) if spec is not None else origin
        pod = pod_view(path, spec, roles)
        out.append(make_workload(
            path=path, line=origin.line, platform="kubernetes", source_kind=source_kind,
            name=wl_name, namespace=ns, labels=labels, pod=pod, origin=loc(path, meta, "name",
                                                                          where),
            extra={k: (v, v.origin) for k, v in extra.items()},
            service_names=services, index=index,
        ))
        _add_ray_exposure(out[-1], doc, path)
    return out


PodSpec = tuple[str, str, dict[str, Any], Any, dict[str, str], dict[str, Any], tuple[str, ...]]


def _template(tpl: Any) -> tuple[dict[str, Any], Any]:
    tpl = _m(tpl)
    return _m(_m(tpl.get("metadata")).get("labels")), tpl.get("spec")


def _located(path: str, source: Any, fields: dict[str, tuple[Any, str]]) -> SynthMap:
    """A derived mapping whose values keep the lines of the ``source`` keys they came from."""
    out = SynthMap(loc(path, source))
    for key, (value, source_key) in fields.items():
        out.put(key, value, loc(path, source, source_key))
    return out


def _pod_specs(doc: Any, name: str, path: str) -> list[PodSpec]:
    kind, spec = doc["kind"], _m(doc.get("spec"))
    if kind == "Pod":
        return [(kind, name, _m(_m(doc.get("metadata")).get("labels")), spec, {}, {}, ())]
    if kind in TEMPLATE_KINDS:
        labels, pod = _template(spec.get("template"))
        return [(kind, name, labels, pod, {}, {}, ())]
    if kind == "CronJob":
        labels, pod = _template(_m(_m(spec.get("jobTemplate")).get("spec")).get("template"))
        return [(kind, name, labels, pod, {}, {}, ())]
    if kind in ("RayCluster", "RayService", "RayJob"):
        return _ray_specs(doc, name, path)
    if kind == "InferenceService":
        return _kserve_specs(spec, name, path)
    if kind in ("ServingRuntime", "ClusterServingRuntime"):
        return [(kind, name, {}, spec, {}, {}, ())]
    if kind == "SeldonDeployment":
        out: list[PodSpec] = []
        for p in spec.get("predictors") or []:
            for c in _m(p).get("componentSpecs") or []:
                out.append((kind, name, {}, _m(c).get("spec"), {}, {}, ()))
        return out
    return []


def _ray_cluster_spec(doc: Any) -> dict[str, Any]:
    spec = _m(doc.get("spec"))
    if doc["kind"] == "RayService":
        return _m(spec.get("rayClusterConfig"))
    if doc["kind"] == "RayJob":
        return _m(spec.get("rayClusterSpec"))
    return spec


def _ray_specs(doc: Any, name: str, path: str) -> list[PodSpec]:
    cluster = _ray_cluster_spec(doc)
    head = _m(cluster.get("headGroupSpec"))
    auth_options = cluster.get("authOptions")
    ray = _located(path, cluster, {"auth_mode": (_m(auth_options).get("mode"), "authOptions")})
    if isinstance(auth_options, dict) and "mode" in auth_options:
        ray.locs["auth_mode"] = loc(path, auth_options, "mode")
    ray.put("head_service_type", head.get("serviceType"), loc(path, head, "serviceType"))
    ray.put("start_params", _m(head.get("rayStartParams")), loc(path, head, "rayStartParams"))
    extra = {"ray": ray}
    services = (f"{name}-head-svc",) + ((f"{name}-serve-svc",) if doc["kind"] == "RayService"
                                        else ())
    labels, pod = _template(head.get("template"))
    out: list[PodSpec] = [(doc["kind"], f"{name}-head", {**labels, "ray.io/cluster": name,
                           "ray.io/node-type": "head"}, pod, {"containers": "ray-head"}, extra,
                           services)]
    for group in cluster.get("workerGroupSpecs") or []:
        group = _m(group)
        labels, pod = _template(group.get("template"))
        gname = group.get("groupName") if isinstance(group.get("groupName"), str) else "workers"
        out.append((doc["kind"], f"{name}-{gname}", labels, pod, {"containers": "ray-worker"},
                    extra, ()))
    return out


def _kserve_specs(spec: dict[str, Any], name: str, path: str) -> list[PodSpec]:
    out: list[PodSpec] = []
    for part in ("predictor", "transformer", "explainer"):
        comp = _m(spec.get(part))
        if not comp:
            continue
        model = comp.get("model")
        pod: Any = comp
        if isinstance(model, dict):
            pod = _with_model(comp, model)
        model_spec = _m(model)
        kserve = _located(path, model_spec or comp, {"storage_uri": (
            model_spec.get("storageUri"), "storageUri")})
        fmt = model_spec.get("modelFormat")
        kserve.put("model_format", _m(fmt).get("name"),
                   loc(path, fmt, "name") if isinstance(fmt, dict) else kserve.origin)
        out.append(("InferenceService", f"{name}-{part}", {}, pod, {"containers": part},
                    {"kserve": kserve}, ()))
    return out


def _with_model(comp: Any, model: dict[str, Any]) -> Any:
    """The predictor with its ``model`` spec as the first container, lines kept."""
    from scanner.parse.yaml import YMap, YSeq

    containers = YSeq()
    containers.node = getattr(comp.get("containers"), "node", None)
    named = model if "name" in model else _named(model, "kserve-container")
    containers.extend([named, *(comp.get("containers") or [])])
    pod = YMap()
    pod.node = getattr(comp, "node", None)
    pod.update(comp)
    pod["containers"] = containers
    return pod


def _named(spec: Any, name: str) -> Any:
    """A copy of a container spec with a default name, lines kept (KServe's own default)."""
    from scanner.parse.yaml import YMap

    out = YMap()
    out.node = getattr(spec, "node", None)
    out.update(spec)
    out["name"] = name
    return out


def _add_ray_exposure(resource: Resource, doc: Any, path: str) -> None:
    """A RayCluster head group whose serviceType is NodePort or LoadBalancer is exposed."""
    if doc["kind"] not in ("RayCluster", "RayService", "RayJob"):
        return
    head = _m(_ray_cluster_spec(doc).get("headGroupSpec"))
    stype = head.get("serviceType")
    if stype in ("NodePort", "LoadBalancer") and resource.name.endswith("-head"):
        exposure = resource.body["exposure"]
        via: SynthSeq = exposure["via"]
        via.add(via_item("RayCluster", resource.body["name"], f"head serviceType {stype}",
                         loc(path, head, "serviceType"), type=stype))
        from scanner.adapters.workload import set_exposure

        set_exposure(exposure, via, exposure.origin)
