"""Build the normalised workload view (docs/resources.md) from a pod spec or its parts.

Every derived value keeps the location of what it was derived from, so a rule over the
view reports the line a user edits in the original file.
"""

from __future__ import annotations

from typing import Any

from scanner.adapters.commandline import argv_of, parse_flags, split_image
from scanner.adapters.servers import recognise
from scanner.adapters.synth import Pending, SynthMap, SynthSeq, loc_of, locate_key, pending
from scanner.models import Location, Resource

GPU_KEYS = ("nvidia.com/gpu", "amd.com/gpu", "gpu.intel.com/i915", "google.com/tpu")


loc = locate_key  # the adapters' short name: the location of ``container[key]`` now

def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def k8s_env(path: str, env: Any, env_from: Any) -> SynthMap:
    """``env`` list -> NAME -> {value, from}, each at the line of its list item."""
    out = SynthMap(pending(path, env) if isinstance(env, list) else None)
    for i, item in enumerate(_list(env)):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        at = pending(path, env, i)
        entry = SynthMap(at)
        entry.put("name", item["name"], pending(path, item, "name"))
        if "value" in item:
            value = item["value"]
            scalar = isinstance(value, str | int | float | bool)
            entry.put("value", str(value) if scalar else None, pending(path, item, "value"))
            entry.put("from", None)
        else:
            ref = _mapping(item.get("valueFrom"))
            source = ("secret" if "secretKeyRef" in ref else "configmap" if "configMapKeyRef" in ref
                      else "field" if "fieldRef" in ref else "resource" if ref else None)
            entry.put("value", None)
            entry.put("from", source, pending(path, item, "valueFrom"))
        out.put(item["name"], entry, at)
    if env_from:
        out.put("__from__", True, pending(path, env_from))
    return out


def k8s_ports(path: str, ports: Any) -> SynthSeq:
    out = SynthSeq()
    for i, p in enumerate(_list(ports)):
        if not isinstance(p, dict):
            continue
        at = pending(path, ports, i)
        item = SynthMap(at)
        item.put("container_port", p.get("containerPort"), pending(path, p, "containerPort"))
        item.put("host_port", p.get("hostPort"), pending(path, p, "hostPort"))
        item.put("host_ip", p.get("hostIP"), pending(path, p, "hostIP"))
        item.put("protocol", p.get("protocol", "TCP"))
        out.add(item, at)
    return out


def container_view(path: str, c: Any, role: str) -> SynthMap:
    """One Kubernetes container (or KServe model spec) as a workload container."""
    where = loc(path, c)
    view = SynthMap(where)
    image = c.get("image")
    repo, tag, digest = split_image(image) if isinstance(image, str) else (None, None, None)
    view.put("name", c.get("name"), pending(path, c, "name", where))
    view.put("role", role)
    image_at = pending(path, c, "image", where)
    view.put("image", image, image_at)
    view.put("image_tag", tag, image_at)
    view.put("image_digest", digest, image_at)
    argv = argv_of(c.get("command"), c.get("args"))
    argv_at = pending(path, c, "args" if "args" in c else "command", where)
    view.put("argv", argv, argv_at)
    flags = SynthMap(argv_at)
    for k, v in parse_flags(argv).items():
        flags.put(k, v, _arg_line(path, c, k))
    view.put("flags", flags, flags.origin)
    env = k8s_env(path, c.get("env"), c.get("envFrom"))
    view.put("env", env, pending(path, c, "env", where))
    add_model(view, argv, flags, env)
    ports = k8s_ports(path, c.get("ports"))
    view.put("ports", ports, pending(path, c, "ports", where))
    port_numbers = [p["container_port"] for p in ports if isinstance(p["container_port"], int)]
    view.put("server", recognise(repo, argv, port_numbers), image_at)
    view.put("security_context", _mapping(c.get("securityContext")) or SynthMap(where),
             pending(path, c, "securityContext", where))
    resources = _mapping(c.get("resources"))
    resources_at = pending(path, c, "resources", where)
    view.put("resources", resources, resources_at)
    wanted = {**_mapping(resources.get("requests")), **_mapping(resources.get("limits"))}
    view.put("gpu", any(k in wanted for k in GPU_KEYS), resources_at)
    return view


MODEL_FLAGS = ("model", "model-id", "model_id", "model-name")
MODEL_ENV = ("MODEL_ID", "MODEL", "MODEL_NAME", "HF_MODEL_ID")
REVISION_ENV = ("REVISION", "MODEL_REVISION", "HF_MODEL_REVISION")


def add_model(view: SynthMap, argv: list[str], flags: SynthMap, env: SynthMap) -> None:
    """``model`` and ``revision`` the server loads, from flags, env or ``serve <model>``."""
    model: tuple[Any, Location | None] = (None, None)
    for key in MODEL_FLAGS:
        if isinstance(flags.get(key), str):
            model = (flags[key], loc_of(flags, key))
            break
    else:
        for key in MODEL_ENV:
            if isinstance(env.get(key), dict) and env[key].get("value"):
                model = (env[key]["value"], loc_of(env, key))
                break
        else:
            if "serve" in argv[:3]:
                i = argv.index("serve")
                if i + 1 < len(argv) and not argv[i + 1].startswith("-"):
                    model = (argv[i + 1], flags.origin)
    revision: tuple[Any, Location | None] = (None, None)
    if isinstance(flags.get("revision"), str):
        revision = (flags["revision"], loc_of(flags, "revision"))
    else:
        for key in REVISION_ENV:
            if isinstance(env.get(key), dict) and env[key].get("value"):
                revision = (env[key]["value"], loc_of(env, key))
                break
    view.put("model", model[0], model[1] or view.origin)
    view.put("revision", revision[0], revision[1] or view.origin)


def _arg_line(path: str, c: Any, flag: str) -> Pending:
    """Where the args (or command) item that names ``--flag`` is (looked up when read)."""
    for key in ("args", "command"):
        items = c.get(key)
        if isinstance(items, list):
            for i, tok in enumerate(items):
                if isinstance(tok, str) and (f"-{flag}" in tok):
                    return pending(path, items, i)
        elif isinstance(items, str) and f"-{flag}" in items:
            return pending(path, c, key)
    return pending(path, c, "args" if "args" in c else "command")


def pod_view(path: str, spec: Any, roles: dict[str, str] | None = None) -> dict[str, Any]:
    """Pod-level fields and containers of a pod spec."""
    spec = _mapping(spec)
    where = loc(path, spec)
    containers = SynthSeq(where)
    for key, role in (("initContainers", "init"), ("containers", "main")):
        items = spec.get(key)
        for i, c in enumerate(_list(items)):
            if isinstance(c, dict):
                containers.add(container_view(path, c, (roles or {}).get(key, role)),
                               pending(path, items, i))
    volumes = SynthSeq(loc(path, spec, "volumes", where))
    for i, v in enumerate(_list(spec.get("volumes"))):
        if isinstance(v, dict):
            item = SynthMap(loc(path, spec["volumes"], i))
            host = _mapping(v.get("hostPath"))
            item.put("name", v.get("name"))
            item.put("host_path", host.get("path") if host else None,
                     loc(path, v, "hostPath", item.origin))
            volumes.add(item, item.origin)
    return {
        "host_network": (spec.get("hostNetwork") is True,
                         pending(path, spec, "hostNetwork", where)),
        "host_pid": (spec.get("hostPID") is True, pending(path, spec, "hostPID", where)),
        "host_ipc": (spec.get("hostIPC") is True, pending(path, spec, "hostIPC", where)),
        "security_context": (_mapping(spec.get("securityContext")),
                             pending(path, spec, "securityContext", where)),
        "volumes": (volumes, volumes.origin),
        "containers": (containers, where),
    }


def make_workload(*, path: str, line: int, platform: str, source_kind: str, name: str,
                  namespace: str | None, labels: dict[str, Any], pod: dict[str, Any],
                  origin: Location, extra: dict[str, tuple[Any, Location | None]] | None = None,
                  service_names: tuple[str, ...] = (), index: int = 0,
                  host_ports: bool = True) -> Resource:
    """Assemble a ``workload`` resource; exposure starts local (host network, host ports)."""
    body = SynthMap(origin)
    body.put("platform", platform)
    body.put("source_kind", source_kind, origin)
    body.put("name", name, origin)
    body.put("namespace", namespace)
    body.put("labels", labels)
    body.put("service_names", list(service_names))
    for key, (value, where) in pod.items():
        body.put(key, value, where)
    for key, (value, where) in (extra or {}).items():
        body.put(key, value, where)
    servers = sorted({c["server"] for c in body["containers"] if c.get("server")})
    ai = SynthMap(origin)
    ai.put("servers", servers, origin)
    body.put("ai", ai, origin)
    body.put("exposure", local_exposure(body, origin, host_ports), origin)
    label = "compose" if platform == "compose" else source_kind.split("/")[-1]
    return Resource(kind="workload", name=f"{label}/{name}", body=body, path=path, line=line,
                    doc_index=index)


def via_item(kind: str, name: str, detail: str, where: Location, **fields: Any) -> SynthMap:
    item = SynthMap(where)
    item.put("kind", kind, where)
    item.put("name", name, where)
    item.put("detail", detail, where)
    for k, v in fields.items():
        item.put(k, v, where)
    return item


def local_exposure(body: SynthMap, origin: Location, host_ports: bool = True) -> SynthMap:
    """Exposure known from the workload alone: host network and host ports."""
    exposure = SynthMap(origin)
    via = SynthSeq(origin)
    if body.get("host_network") is True:
        via.add(via_item("hostNetwork", "hostNetwork", "hostNetwork: true",
                         loc_of(body, "host_network", origin)))
    for c in body["containers"] if host_ports else []:
        for p in c.get("ports", []):
            if p.get("host_port") and p.get("host_ip") in (None, "0.0.0.0", "::"):
                where = loc_of(p, "host_port", origin)
                via.add(via_item("hostPort", str(p["host_port"]),
                                 f"hostPort {p['host_port']}", where))
    set_exposure(exposure, via, origin)
    return exposure


def set_exposure(exposure: SynthMap, via: SynthSeq, origin: Location) -> None:
    """Fill ``public``, ``via`` and ``summary`` (public points at the workload itself)."""
    exposure.put("public", bool(via), origin)
    exposure.put("internet", any(not v.get("internal") and not v.get("source_ranges")
                                 for v in via), origin)
    exposure.put("via", via, origin)
    exposure.put("summary", "; ".join(
        f"{v['detail']} at {v.origin.path}:{v.origin.line}" for v in via if v.origin) or None,
        origin)
