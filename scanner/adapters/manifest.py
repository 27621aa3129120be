"""The native ``AIDeployment`` manifest (``apiVersion: wardscan/v1``) as a resource."""

from __future__ import annotations

from typing import Any

from scanner.models import DeploymentSummary, Resource, VendorSummary
from scanner.parse.yaml import key_position

KIND = "AIDeployment"


def detect(doc: Any) -> bool:
    return is_manifest(doc)


def is_manifest(doc: Any) -> bool:
    """True for a document that declares itself an AIDeployment of any wardscan version."""
    if not isinstance(doc, dict) or doc.get("kind") != KIND:
        return False
    api = doc.get("apiVersion")
    return isinstance(api, str) and api.startswith("wardscan/")


def adapt(doc: Any, path: str, index: int) -> list[Resource]:
    meta = doc.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    pos = key_position(doc, None)
    return [Resource(
        kind=KIND, name=name if isinstance(name, str) and name else f"document {index + 1}",
        body=doc, path=path, line=pos[0] if pos else 1, doc_index=index,
    )]


def _text(value: Any) -> str:
    """A declared value as text, through the redaction net: a summary is printed in reports,
    and a manifest's free text could hold a key or an identifier."""
    from scanner.detectors.redact import redact

    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    return redact(str(value).strip())


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _map(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def summary(resource: Resource) -> DeploymentSummary:
    """The facts an auditor asks for first, read defensively (the manifest may be invalid)."""
    doc = _map(resource.body)
    meta, model, data = _map(doc.get("metadata")), _map(doc.get("model")), _map(doc.get("data"))
    parts = [_text(model.get(k)) for k in ("provider", "name", "version")]
    described = " ".join(p for p in parts if p)
    if _text(model.get("hosting")):
        described += f" ({_text(model.get('hosting'))})"
    vendors = []
    listed = doc.get("vendors")
    for v in listed if isinstance(listed, list) else []:
        if not isinstance(v, dict) or not _text(v.get("name")):
            continue
        baa = _map(v.get("baa"))
        vendors.append(VendorSummary(_text(v["name"]), _text(v.get("service")),
                                     _flag(v.get("receives_phi")), _flag(baa.get("signed"))))
    classes = data.get("classes")
    classes = classes if isinstance(classes, list) else []
    return DeploymentSummary(
        path=resource.path, line=resource.line, name=resource.name,
        owner=_text(meta.get("owner")), environment=_text(meta.get("environment")),
        intended_use=" ".join(_text(meta.get("intended_use")).split()),
        risk_tier=_text(meta.get("risk_tier")), model=described.strip(),
        phi=_flag(data.get("phi")), phi_classes=tuple(_text(c) for c in classes if _text(c)),
        vendors=tuple(vendors),
    )
