"""docker-compose files: each service as ``compose/service`` and as a workload.

Compose's own spellings are mapped onto the workload view's Kubernetes-like names
(``privileged``, ``capabilities.add``, ``allowPrivilegeEscalation`` from
``no-new-privileges``), so one rule covers both. A port published without a loopback host
IP makes the service reachable from outside the host.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.adapters.commandline import argv_of, parse_flags, split_image
from scanner.adapters.servers import recognise
from scanner.adapters.synth import SynthMap, SynthSeq
from scanner.adapters.workload import add_model, loc, make_workload, via_item
from scanner.models import Location, Resource

LOOPBACK = ("127.", "localhost", "::1", "[::1]")
_PORT = re.compile(r"^(?:(?P<ip>\[[^\]]+\]|[^:]+):)?(?:(?P<host>[^:]*):)?(?P<container>[^:/]+)"
                   r"(?:/(?P<proto>\w+))?$")


def detect(doc: Any) -> bool:
    services = doc.get("services")
    return ("apiVersion" not in doc and isinstance(services, dict) and bool(services)
            and all(isinstance(s, dict) for s in services.values()))


def adapt(doc: Any, path: str, index: int) -> list[Resource]:
    out: list[Resource] = []
    services = doc["services"]
    for name, svc in services.items():
        where = loc(path, services, name)
        out.append(Resource(kind="compose/service", name=str(name), body=svc, path=path,
                            line=where.line, doc_index=index))
        out.append(_workload(path, str(name), svc, where, index))
    return out


def _environment(path: str, svc: Any) -> SynthMap:
    env = svc.get("environment")
    out = SynthMap(loc(path, svc, "environment"))
    items: list[tuple[str, Any, Location]] = []
    if isinstance(env, dict):
        items = [(str(k), v if isinstance(v, str | int | float | bool) or v is None else "",
                  loc(path, env, k)) for k, v in env.items()]
    elif isinstance(env, list):
        for i, item in enumerate(env):
            if isinstance(item, str):
                key, sep, text = item.partition("=")
                items.append((key.strip(), text if sep else None, loc(path, env, i)))
    for key, value, where in items:
        entry = SynthMap(where)
        entry.put("name", key, where)
        entry.put("value", None if value is None else str(value), where)
        entry.put("from", "host" if value is None else None, where)
        out.put(key, entry, where)
    if svc.get("env_file"):
        out.put("__from__", True, loc(path, svc, "env_file"))
    return out


def _ports(path: str, svc: Any) -> tuple[SynthSeq, SynthSeq]:
    """(ports, via): every port, and those published beyond loopback."""
    ports, via = SynthSeq(), SynthSeq()
    for i, p in enumerate(svc.get("ports") or []):
        where = loc(path, svc["ports"], i)
        ip: Any
        if isinstance(p, dict):
            ip, host, target = p.get("host_ip"), p.get("published"), p.get("target")
        else:
            if not isinstance(p, str | int):
                continue
            m = _PORT.match(str(p).strip())
            if not m:
                continue
            ip, host, target = m.group("ip"), m.group("host"), m.group("container")
            if host is None and ip is not None and not re.search(r"[.\[]|localhost", ip):
                ip, host = None, ip  # "8000:8000": the first part is the host port
        item = SynthMap(where)
        item.put("container_port", _int(target), where)
        item.put("host_port", host or None, where)
        item.put("host_ip", ip, where)
        item.put("protocol", "TCP")
        ports.add(item, where)
        if host and not (isinstance(ip, str) and ip.strip("[]").startswith(LOOPBACK)):
            via.add(via_item("compose-port", str(p), f"port {p} published on all interfaces"
                             if not ip else f"port {p} published", where))
    return ports, via


def _volume_source(spec: str) -> str:
    """The host side of ``SOURCE:TARGET[:MODE]``, where SOURCE may hold ``${VAR:-default}``."""
    depth = 0
    for i, ch in enumerate(spec):
        if spec.startswith("${", i):
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        elif ch == ":" and depth == 0:
            return spec[:i]
    return spec


def _int(value: Any) -> Any:
    try:
        return int(str(value).split("-")[0])
    except ValueError:
        return value


def _security_context(path: str, svc: Any, where: Location) -> SynthMap:
    sc = SynthMap(where)
    if "privileged" in svc:
        sc.put("privileged", svc["privileged"] is True, loc(path, svc, "privileged"))
    caps = svc.get("cap_add")
    if isinstance(caps, list):
        add = SynthMap(loc(path, svc, "cap_add"))
        add.put("add", [str(c) for c in caps], loc(path, svc, "cap_add"))
        sc.put("capabilities", add, loc(path, svc, "cap_add"))
    opts = [str(o) for o in svc.get("security_opt") or []]
    if any(o.replace("=", ":") in ("no-new-privileges:true", "no-new-privileges") for o in opts):
        sc.put("allowPrivilegeEscalation", False, loc(path, svc, "security_opt"))
    if "read_only" in svc:
        sc.put("readOnlyRootFilesystem", svc["read_only"] is True, loc(path, svc, "read_only"))
    user = _volume_source(str(svc.get("user", "")))
    if user:
        sc.put("runAsUser", int(user) if user.isdigit() else user, loc(path, svc, "user"))
        sc.put("runAsNonRoot", user not in ("0", "root"), loc(path, svc, "user"))
    return sc


def _workload(path: str, name: str, svc: Any, where: Location, index: int) -> Resource:
    image = svc.get("image")
    repo, tag, digest = split_image(image) if isinstance(image, str) else (None, None, None)
    argv = argv_of(svc.get("entrypoint"), None) + argv_of(svc.get("command"), None)
    ports, via = _ports(path, svc)
    flags = SynthMap(loc(path, svc, "command", where))
    for k, v in parse_flags(argv).items():
        flags.put(k, v, loc(path, svc, "command", where))
    c = SynthMap(where)
    c.put("name", name, where)
    c.put("role", "main")
    c.put("image", image, loc(path, svc, "image", where))
    c.put("image_tag", tag, loc(path, svc, "image", where))
    c.put("image_digest", digest, loc(path, svc, "image", where))
    c.put("argv", argv, loc(path, svc, "command", where))
    c.put("flags", flags, flags.origin)
    env = _environment(path, svc)
    c.put("env", env, loc(path, svc, "environment", where))
    add_model(c, argv, flags, env)
    c.put("ports", ports, loc(path, svc, "ports", where))
    numbers = [p["container_port"] for p in ports if isinstance(p["container_port"], int)]
    c.put("server", recognise(repo, argv, numbers), loc(path, svc, "image", where))
    c.put("security_context", _security_context(path, svc, where), where)
    devices = str(svc.get("deploy", ""))
    c.put("resources", {}, where)
    c.put("gpu", "nvidia" in devices or "gpu" in devices, where)
    containers = SynthSeq(where)
    containers.add(c, where)
    volumes = SynthSeq(loc(path, svc, "volumes", where))
    for i, v in enumerate(svc.get("volumes") or []):
        source = v.get("source") if isinstance(v, dict) else _volume_source(str(v))
        item = SynthMap(loc(path, svc["volumes"], i))
        item.put("name", str(source))
        is_host = isinstance(source, str) and source.startswith(("/", "./", "~", ".."))
        item.put("host_path", source if is_host else None, item.origin)
        volumes.add(item, item.origin)
    net = svc.get("network_mode") == "host"
    pod = {
        "host_network": (net, loc(path, svc, "network_mode", where)),
        "host_pid": (svc.get("pid") == "host", loc(path, svc, "pid", where)),
        "host_ipc": (svc.get("ipc") == "host", loc(path, svc, "ipc", where)),
        "security_context": (SynthMap(where), where),
        "volumes": (volumes, volumes.origin),
        "containers": (containers, where),
    }
    resource = make_workload(path=path, line=where.line, platform="compose",
                             source_kind="compose/service", name=name, namespace=None,
                             labels={}, pod=pod, origin=where, index=index, host_ports=False)
    exposure = resource.body["exposure"]
    if via:
        from scanner.adapters.workload import set_exposure

        for item in via:
            exposure["via"].add(item, item.origin)
        set_exposure(exposure, exposure["via"], where)
    return resource
