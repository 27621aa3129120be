"""Build workload-view containers from parts that are not a Kubernetes container mapping.

Helm values (and anything else that describes a container in its own words) state an
image as ``repository`` + ``tag``, a command line as a list assembled by a chart, an
environment as a mapping. These helpers turn such parts, each with the ``Location`` of
the values key it came from, into the same container shape that ``workload.container_view``
gives Kubernetes (docs/resources.md), so one rule holds for every platform and each
finding lands on the line a user edits. Every function is pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scanner.adapters.commandline import parse_flags, split_image
from scanner.adapters.servers import recognise
from scanner.adapters.synth import SynthMap, SynthSeq, loc_of
from scanner.adapters.workload import GPU_KEYS, add_model
from scanner.exposure import INTERNAL_ANNOTATIONS
from scanner.models import Location
from scanner.parse.yaml import key_position

Token = tuple[str, Location | None]  # a command-line word and where it was written
Pod = dict[str, tuple[Any, Location | None]]  # pod-level view key -> (value, location)


def at(path: str, container: Any, key: str | int | None = None) -> Location | None:
    """Where ``container[key]`` is written (the container itself with key None); None when
    the key is absent or the data did not come from YAML, so callers can fall back."""
    if key is not None and not _has(container, key):
        return None
    pos = key_position(container, key)
    return Location(path, pos[0], pos[1]) if pos is not None else None


def _has(container: Any, key: str | int) -> bool:
    if isinstance(container, dict):
        return key in container
    return isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container)


def text(value: Any) -> str | None:
    """A scalar as a command line or environment sees it; None for null, maps and lists."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


Image = tuple[str | None, str | None, str | None]  # (reference, tag, digest)


def image_ref(repository: Any, tag: Any) -> Image:
    """``(image, tag, digest)`` from a chart's ``repository`` and ``tag`` values.

    An empty or missing tag means the chart supplies one (usually its appVersion), so the
    tag is unknown (None), not ``latest``; a tag may carry a digest (``v1@sha256:...``).
    """
    repo = text(repository)
    if not repo:
        return (None, None, None)
    tag_text = text(tag)
    if not tag_text:
        return (repo, None, None)
    return image_of(f"{repo}@{tag_text}" if tag_text.startswith("sha256:")
                    else f"{repo}:{tag_text}")


def image_of(reference: Any) -> Image:
    """``(image, tag, digest)`` of a full reference; no tag on a registry image is ``latest``."""
    ref = text(reference)
    if not ref:
        return (None, None, None)
    _repo, tag, digest = split_image(ref)
    return (ref, tag, digest)


def located_flags(tokens: Sequence[Token], origin: Location | None) -> SynthMap:
    """Flags of a command line (``commandline.parse_flags`` semantics), each located at the
    token that names it, so ``--trust-remote-code`` is reported on its own line."""
    words = [w for w, _ in tokens]
    named: dict[str, Location | None] = {}
    for word, where in tokens:
        if word.startswith("-") and len(word) > 1:
            named[word.lstrip("-").split("=", 1)[0]] = where
    flags = SynthMap(origin)
    for key, value in parse_flags(words).items():
        flags.put(key, value, named.get(key) or origin)
    return flags


def env_entry(name: str, value: str | None, source: str | None,
              where: Location | None, from_at: Location | None = None) -> SynthMap:
    """One ``{name, value, from}`` item of a view's ``env``; ``from`` is where a value that
    is not written here comes from (secret, configmap, field, resource), else None."""
    entry = SynthMap(where)
    entry.put("name", name, where)
    entry.put("value", value, where)
    entry.put("from", source, from_at or where)
    return entry


def env_from_mapping(path: str, raw: Any, env: SynthMap) -> None:
    """Add ``NAME: value`` pairs (a chart's ``envVars``) to ``env`` as literal values."""
    if not isinstance(raw, dict):
        return
    for name, value in raw.items():
        where = at(path, raw, str(name))
        env.put(str(name), env_entry(str(name), text(value), None, where), where)


def has_gpu(resources: Any) -> bool:
    """True when requests or limits ask for a GPU (any ``GPU_KEYS`` resource or a MIG slice)
    with a non-zero amount."""
    if not isinstance(resources, dict):
        return False
    for part in ("limits", "requests"):
        block = resources.get(part)
        for key, value in (block.items() if isinstance(block, dict) else ()):
            gpu = key in GPU_KEYS or str(key).startswith("nvidia.com/mig-")
            if gpu and text(value) not in (None, "", "0"):
                return True
    return False


def internal_load_balancer(annotations: Any) -> bool:
    """True when a Service's annotations ask the cloud for an internal load balancer."""
    if not isinstance(annotations, dict):
        return False
    return any(str(annotations.get(k, "")).lower() == v.lower()
               for k, v in INTERNAL_ANNOTATIONS.items())


def build_container(*, origin: Location, name: str, role: str,
                    image: Image, image_at: Location | None,
                    tokens: Sequence[Token], env: SynthMap,
                    ports: Sequence[tuple[int, Location | None]],
                    security_context: tuple[Any, Location | None],
                    resources: tuple[Any, Location | None],
                    server: str | None = None,
                    gpu: tuple[bool, Location | None] | None = None) -> SynthMap:
    """A workload container with every key of the view, from located parts.

    ``image`` comes from ``image_ref`` or ``image_of``; ``tokens`` is the command line as
    the chart renders it. The server is recognised from image, argv and ports as for
    Kubernetes, and ``server`` (the chart's own server) is used when nothing is
    recognised; ``gpu`` overrides what ``resources`` says (a chart's ``gpu.enabled``).
    """
    view = SynthMap(origin)
    ref, tag, digest = image
    where = image_at or origin
    view.put("name", name, origin)
    view.put("role", role, origin)
    view.put("image", ref, where)
    view.put("image_tag", tag, where)
    view.put("image_digest", digest, where)
    argv = SynthSeq(tokens[0][1] if tokens else origin)
    for word, word_at in tokens:
        argv.add(word, word_at or origin)
    view.put("argv", argv, argv.origin)
    flags = located_flags(tokens, argv.origin)
    view.put("flags", flags, flags.origin)
    view.put("env", env, env.origin or origin)
    add_model(view, list(argv), flags, env)
    if view["model"] is not None and loc_of(view, "model") == flags.origin:
        # ``serve <model>``: locate the model at the token that names it
        for word, word_at in tokens:
            if word == view["model"] and word_at is not None:
                view.locs["model"] = word_at
                break
    port_list = SynthSeq(ports[0][1] if ports else origin)
    for number, port_at in ports:
        item = SynthMap(port_at or origin)
        for key, value in (("container_port", number), ("host_port", None), ("host_ip", None),
                           ("protocol", "TCP")):
            item.put(key, value, port_at or origin)
        port_list.add(item, port_at or origin)
    view.put("ports", port_list, port_list.origin)
    repo = split_image(ref)[0] if ref else None
    found = recognise(repo, list(argv), [n for n, _ in ports]) or server
    view.put("server", found, where)
    context = security_context[0] if isinstance(security_context[0], dict) else SynthMap(origin)
    view.put("security_context", context, security_context[1] or origin)
    view.put("resources", resources[0] if isinstance(resources[0], dict) else {},
             resources[1] or origin)
    gpu_value, gpu_at = gpu if gpu is not None else (has_gpu(resources[0]), resources[1])
    view.put("gpu", gpu_value, gpu_at or origin)
    return view


def pod(path: str, doc: Any, containers: list[SynthMap], origin: Location,
        context: tuple[Any, Location | None], volumes: Any = None) -> Pod:
    """Pod-level fields: host namespaces (``hostNetwork`` etc. keys of ``doc``), the pod
    securityContext and volumes as written, and the containers."""
    seq = SynthSeq(origin)
    for c in containers:
        seq.add(c, c.origin)
    vols = SynthSeq(at(path, volumes) or origin)
    for i, v in enumerate(volumes if isinstance(volumes, list) else []):
        if isinstance(v, dict):
            item = SynthMap(at(path, volumes, i) or origin)
            host = v.get("hostPath") if isinstance(v.get("hostPath"), dict) else {}
            item.put("name", v.get("name"), item.origin)
            item.put("host_path", host.get("path") if host else None,
                     at(path, v, "hostPath") or item.origin)
            vols.add(item, item.origin)
    values = doc if isinstance(doc, dict) else {}
    fields: Pod = {key: (values.get(src) is True, at(path, doc, src) or origin)
                   for key, src in (("host_network", "hostNetwork"), ("host_pid", "hostPID"),
                                    ("host_ipc", "hostIPC"))}
    sc = context[0] if isinstance(context[0], dict) else SynthMap(origin)
    fields["security_context"] = (sc, context[1] or origin)
    fields["volumes"] = (vols, vols.origin)
    fields["containers"] = (seq, origin)
    return fields
