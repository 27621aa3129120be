"""LiteLLM proxy configuration (``config.yaml``) as one ``litellm/config`` resource.

The proxy is an AI gateway: one config decides who may call it (the master key), which
provider keys it holds, and where prompts and responses are logged. Rules read the
document as written (``rules/gateway.yaml``), so the body is the document itself. The
LiteLLM Helm chart embeds the same config under ``proxy_config``; the Helm-values adapter
passes that mapping through ``config_resource`` so the same rules hold for it.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from scanner.models import Resource
from scanner.parse.yaml import key_position

KIND = "litellm/config"
SECTIONS = ("general_settings", "litellm_settings", "router_settings")


def detect(doc: Any) -> bool:
    """A top-level ``model_list`` list or a LiteLLM settings mapping, and nothing that
    marks a Kubernetes manifest (``apiVersion``) or a compose file (``services``)."""
    if not isinstance(doc, dict) or "apiVersion" in doc or "services" in doc:
        return False
    return isinstance(doc.get("model_list"), list) or any(
        isinstance(doc.get(k), dict) for k in SECTIONS)


def resource_name(path: str, index: int) -> str:
    """The file's name without extension (``#2`` etc. for later documents of one file)."""
    stem = PurePath(path).stem or path
    return stem if index == 0 else f"{stem}#{index + 1}"


def config_resource(body: Any, path: str, name: str, index: int,
                    line: int | None = None) -> Resource:
    """A ``litellm/config`` resource for ``body``, starting at ``line`` (else its node)."""
    if line is None:
        pos = key_position(body, None)
        line = pos[0] if pos else 1
    return Resource(kind=KIND, name=name, body=body, path=path, line=line, doc_index=index)


def adapt(doc: Any, path: str, index: int) -> list[Resource]:
    return [config_resource(doc, path, resource_name(path, index), index)]
