"""Documents to resources: format detection and one adapter per input format.

A file becomes zero or more ``Resource``s. YAML (and JSON) files are parsed once into
documents, and each document is given to the first adapter that recognises it; a
document nobody recognises is skipped silently. Terraform HCL files go to the HCL adapter.
``hint`` (from ``--format-hint``) forces a format for ambiguous files and stdin.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from scanner.errors import ParseError
from scanner.limits import DEFAULT, Limits
from scanner.models import Resource
from scanner.parse.yaml import load_documents

# format name -> module with ``detect(doc) -> bool`` and ``adapt(doc, path, index)``;
# tried in this order, first match wins.
DOCUMENT_FORMATS: dict[str, str] = {
    "aideployment": "scanner.adapters.manifest",
    "terraform-plan": "scanner.adapters.terraform_plan",
    "kubernetes": "scanner.adapters.kubernetes",
    "compose": "scanner.adapters.compose",
    "litellm": "scanner.adapters.litellm",
    "helm-values": "scanner.adapters.helm_values",
}
TEXT_FORMATS: dict[str, str] = {
    "terraform": "scanner.adapters.terraform",
    "dotenv": "scanner.adapters.dotenv",
}
FORMAT_NAMES = sorted([*DOCUMENT_FORMATS, *TEXT_FORMATS])

Adapt = Callable[[Any, str, int], list[Resource]]
_modules: dict[str, Any] = {}


def _module(name: str) -> Any:
    mod = _modules.get(name)
    if mod is None:
        mod = _modules[name] = import_module(name)
    return mod


def detect(doc: Any) -> str | None:
    """The format of one parsed document, or None when wardscan does not read it."""
    if not isinstance(doc, dict):
        return None
    for fmt, modname in DOCUMENT_FORMATS.items():
        if _module(modname).detect(doc):
            return fmt
    return None


def looks_scannable_json(text: str) -> bool:
    """JSON files are many; only Terraform plans and Kubernetes JSON are ours."""
    head = text[:4096]
    return ('"format_version"' in head and '"terraform_version"' in text[:65536]) or (
        '"apiVersion"' in head and '"kind"' in head
    )


def _documents(text: str, path: str, limits: Limits = DEFAULT) -> list[Any]:
    """YAML documents; an unrendered Helm template is read best-effort (see helm_template)."""
    try:
        return load_documents(text, path, limits)
    except ParseError:
        if "{{" not in text:
            raise
        from scanner.parse.helm_template import neutralise

        try:
            return load_documents(neutralise(text), path, limits)
        except ParseError as exc:
            raise ParseError(f"{exc.message} (unrendered Helm template? scan the output of "
                             "'helm template' instead)", path, exc.line) from None


def resources_from_text(path: str, text: str, hint: str | None = None,
                        limits: Limits = DEFAULT) -> list[Resource]:
    """Every resource in one file. Raises ``ParseError`` when the file cannot be parsed."""
    if hint is None and path.endswith(".tf"):
        hint = "terraform"
    elif hint is None and _module(TEXT_FORMATS["dotenv"]).is_dotenv(path):
        hint = "dotenv"
    if hint in TEXT_FORMATS:
        return list(_module(TEXT_FORMATS[hint]).adapt_text(text, path))
    out: list[Resource] = []
    for i, doc in enumerate(_documents(text, path, limits)):
        fmt = hint if hint in DOCUMENT_FORMATS else detect(doc)
        if fmt is None:
            continue
        try:
            out.extend(_module(DOCUMENT_FORMATS[fmt]).adapt(doc, path, i))
        except (AttributeError, TypeError, KeyError, ValueError) as exc:
            raise ParseError(f"document {i + 1} is not valid {fmt}: {exc}", path) from None
    return out
