"""Which workloads are reachable from outside, through which Service, Ingress or route.

Services select pods by labels; Ingresses and Gateway HTTPRoutes name Services. An
exposer may sit in another file of the same scan than the workload it exposes, so the
scan collects compact ``Exposer`` records from every file and links them to workloads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from scanner.adapters.synth import SynthSeq
from scanner.adapters.workload import loc, set_exposure, via_item
from scanner.models import Location, Resource, pickled_by_constructor

INTERNAL_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
    "networking.gke.io/load-balancer-type": "Internal",
    "cloud.google.com/load-balancer-type": "Internal",
    "alb.ingress.kubernetes.io/scheme": "internal",
}
PUBLIC_SERVICE_TYPES = ("LoadBalancer", "NodePort")


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Exposer:
    """A Service, Ingress or HTTPRoute, reduced to what linking needs."""

    kind: str
    name: str
    namespace: str
    location: Location
    service_type: str | None = None
    selector: tuple[tuple[str, str], ...] = ()
    backends: tuple[str, ...] = ()
    internal: bool = False
    source_ranges: tuple[str, ...] = ()
    tls: bool | None = None  # Ingress/route: does it terminate TLS

    @property
    def detail(self) -> str:
        if self.kind == "Service":
            extra = ", internal" if self.internal else ""
            extra += ", source ranges " + ",".join(self.source_ranges) if self.source_ranges else ""
            return f"Service/{self.name} ({self.service_type}{extra})"
        return f"{self.kind}/{self.name}" + (" (internal)" if self.internal else "")


def _m(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _internal(meta: dict[str, Any]) -> bool:
    notes = _m(meta.get("annotations"))
    return any(str(notes.get(k, "")).lower() == v.lower() for k, v in INTERNAL_ANNOTATIONS.items())


def exposers_of(resources: list[Resource]) -> list[Exposer]:
    """Exposers among one file's Kubernetes resources."""
    out = []
    for r in resources:
        doc, kind = r.body, r.kind.removeprefix("kubernetes/")
        if not r.kind.startswith("kubernetes/") or kind not in ("Service", "Ingress", "HTTPRoute"):
            continue
        meta, spec = _m(doc.get("metadata")), _m(doc.get("spec"))
        ns = str(meta["namespace"]) if isinstance(meta.get("namespace"), str) else "default"
        if kind == "Service":
            stype = spec.get("type") if isinstance(spec.get("type"), str) else "ClusterIP"
            where = loc(r.path, spec, "type") if "type" in spec else loc(r.path, meta, "name")
            selector = tuple(sorted((str(k), str(v)) for k, v in _m(spec.get("selector")).items()
                                    if _scalar(k) and _scalar(v)))
            ranges = tuple(str(x) for x in _l(spec.get("loadBalancerSourceRanges"))
                           if _scalar(x))
            out.append(Exposer("Service", r.name, ns, where, stype, selector,
                               internal=_internal(meta), source_ranges=ranges))
        else:
            names = _backend_names(r.path, spec, kind)
            tls = bool(spec.get("tls")) or _alb_https(meta) if kind == "Ingress" else None
            for name, where in names:
                out.append(Exposer(kind, r.name, ns, where, backends=(name,),
                                   internal=_internal(meta), tls=tls))
    return out


def _alb_https(meta: dict[str, Any]) -> bool:
    notes = _m(meta.get("annotations"))
    return bool(notes.get("alb.ingress.kubernetes.io/certificate-arn")) or "HTTPS" in str(
        notes.get("alb.ingress.kubernetes.io/listen-ports", ""))


def _backend_names(path: str, spec: dict[str, Any], kind: str) -> list[tuple[str, Location]]:
    found: list[tuple[str, Location]] = []

    def take(backend: Any) -> None:
        backend = _m(backend)
        svc = _m(backend.get("service"))
        if isinstance(svc.get("name"), str):
            found.append((svc["name"], loc(path, svc, "name")))
        elif isinstance(backend.get("serviceName"), str):
            found.append((backend["serviceName"], loc(path, backend, "serviceName")))
        elif kind == "HTTPRoute" and isinstance(backend.get("name"), str) \
                and backend.get("kind", "Service") == "Service":
            found.append((backend["name"], loc(path, backend, "name")))

    if kind == "Ingress":
        take(spec.get("defaultBackend") or spec.get("backend"))
        for rule in _l(spec.get("rules")):
            for p in _l(_m(_m(rule).get("http")).get("paths")):
                take(_m(p).get("backend"))
    else:
        for rule in _l(spec.get("rules")):
            for b in _l(_m(rule).get("backendRefs")):
                take(b)
    return found


def selects(exposer: Exposer, workload: Resource) -> bool:
    body = workload.body
    labels = body.get("labels") or {}
    ns = body.get("namespace") or "default"
    return (exposer.kind == "Service" and bool(exposer.selector) and exposer.namespace == ns
            and all(str(labels.get(k)) == v for k, v in exposer.selector))


def exposures(workload: Resource, exposers: list[Exposer]) -> list[Exposer]:
    """The exposers that make ``workload`` reachable from outside."""
    if workload.body.get("platform") != "kubernetes":
        return []
    ns = workload.body.get("namespace") or "default"
    selecting = [e for e in exposers if selects(e, workload)]
    names = {e.name for e in selecting} | set(workload.body.get("service_names") or ())
    out = [e for e in selecting if e.service_type in PUBLIC_SERVICE_TYPES]
    out += [e for e in exposers if e.kind != "Service" and e.namespace == ns
            and e.backends[0] in names]
    return out


class ExposerIndex:
    """Every exposer of a scan, looked up by namespace and selector or backend name, so that
    linking thousands of workloads does not compare each with every Service. ``exposures``
    gives what the module function gives over the same list, in the same order."""

    def __init__(self, exposers: list[Exposer]) -> None:
        self._services: dict[tuple[str, str, str], list[tuple[int, Exposer]]] = defaultdict(list)
        self._routes: dict[tuple[str, str], list[tuple[int, Exposer]]] = defaultdict(list)
        for i, e in enumerate(exposers):
            if e.kind == "Service":
                if e.selector:  # found through its first selector pair, then checked in full
                    key, value = e.selector[0]
                    self._services[(e.namespace, key, value)].append((i, e))
            else:
                self._routes[(e.namespace, e.backends[0])].append((i, e))

    def exposures(self, workload: Resource) -> list[Exposer]:
        body = workload.body
        if body.get("platform") != "kubernetes":
            return []
        ns = body.get("namespace") or "default"
        labels = body.get("labels") or {}
        maybe = [hit for k, v in labels.items() if isinstance(k, str)
                 for hit in self._services.get((ns, k, str(v)), ())]
        selecting = [e for _i, e in sorted(maybe, key=lambda h: h[0]) if selects(e, workload)]
        names = {e.name for e in selecting} | set(body.get("service_names") or ())
        routes = [hit for name in names if isinstance(name, str)
                  for hit in self._routes.get((ns, name), ())]
        out = [e for e in selecting if e.service_type in PUBLIC_SERVICE_TYPES]
        return out + [e for _i, e in sorted(routes, key=lambda h: h[0])]


def apply(workload: Resource, found: list[Exposer]) -> None:
    """Add ``found`` to the workload's exposure (``via`` items keep their own locations)."""
    if not found:
        return
    exposure = workload.body["exposure"]
    via: SynthSeq = exposure["via"]
    for e in found:
        via.add(via_item(e.kind, e.name, e.detail, e.location, type=e.service_type,
                         internal=e.internal, source_ranges=list(e.source_ranges), tls=e.tls),
                e.location)
    set_exposure(exposure, via, exposure.origin)
