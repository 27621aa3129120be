"""The native ``AIDeployment`` manifest (``apiVersion: wardscan/v1``) as a resource."""

from __future__ import annotations

from typing import Any

from scanner.models import Resource
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
