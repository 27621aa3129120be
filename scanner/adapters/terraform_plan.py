"""Terraform plan and state JSON (``terraform show -json``) -> one ``Resource`` per resource.

Scanning the plan as well as the ``.tf`` files matters because the plan has the values
that HCL only names: ``kms_key_id = var.kms`` is a reference in HCL, and the actual ARN (or
``null``) in the plan. The same rules read both, because the kinds and body shapes agree:
kind ``terraform/<type>``, body = the resource's ``values`` (nested blocks are lists in
both), name = the full ``address`` (``module.ml.aws_sagemaker_notebook_instance.nb["a"]``).

Where the resources come from: ``planned_values.root_module`` for a plan, ``values.root_module``
for state, each walked through ``child_modules`` recursively; a plan with neither falls back
to ``resource_changes[*].change.after``. Data sources (``mode: data``) are skipped.

Unknown values: a plan leaves out what is only known after apply (a KMS key created in the
same plan) and marks it in ``resource_changes[*].change.after_unknown``. Those values are
put back as the text ``${known after apply}``, written like an HCL reference because that
is what they are, so a rule that accepts a reference in HCL accepts them in the plan too
instead of reporting a key as missing.

The document was loaded as YAML (JSON is YAML), so values keep their nodes and lines; a
plan written on one line (``terraform show -json`` default) reports every finding on line
1, and pretty-printing it (``| jq .``) gives each finding its own line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner.adapters.synth import SynthMap
from scanner.models import Location, Resource
from scanner.parse.yaml import key_position

UNKNOWN = "${known after apply}"
MAX_MODULE_DEPTH = 64


def detect(doc: Any) -> bool:
    """A ``terraform show -json`` document: a format version and plan or state content."""
    return (
        isinstance(doc, dict)
        and "format_version" in doc
        and any(k in doc for k in ("planned_values", "values", "resource_changes"))
    )


def adapt(doc: Any, path: str, index: int) -> list[Resource]:
    """Every managed resource of the plan or state, with unknown values marked."""
    unknown = _after_unknown(doc)
    root = _root_module(doc)
    items = list(_module_resources(root, 0)) if root is not None else list(_changed(doc))
    out: list[Resource] = []
    for item, values in items:
        if item.get("mode", "managed") != "managed" or not isinstance(item.get("type"), str):
            continue
        address = str(item.get("address") or f"{item['type']}.{item.get('name', '')}")
        line = (key_position(item, "address") or key_position(item, None) or (1, 1))[0]
        body: Any = values if isinstance(values, dict) else SynthMap(Location(path, line, 1))
        if address in unknown:
            _mark_unknown(body, unknown[address])
        out.append(Resource(kind=f"terraform/{item['type']}", name=address, body=body,
                            path=path, line=line, doc_index=index))
    return out


def _root_module(doc: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("planned_values", "values"):
        section = doc.get(key)
        if isinstance(section, dict) and isinstance(section.get("root_module"), dict):
            return section["root_module"]
    return None


def _module_resources(module: dict[str, Any], depth: int) -> Iterator[tuple[dict[str, Any], Any]]:
    """(resource item, its values) for a module and its child modules, depth-first."""
    if depth > MAX_MODULE_DEPTH:
        return
    for item in module.get("resources") or ():
        if isinstance(item, dict):
            yield item, item.get("values")
    for child in module.get("child_modules") or ():
        if isinstance(child, dict):
            yield from _module_resources(child, depth + 1)


def _changed(doc: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Any]]:
    """Resources of a plan that has only ``resource_changes`` (their state after apply)."""
    for item in doc.get("resource_changes") or ():
        change = item.get("change") if isinstance(item, dict) else None
        if not isinstance(change, dict) or change.get("actions") == ["delete"]:
            continue
        yield item, change.get("after")


def _after_unknown(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in doc.get("resource_changes") or ():
        if isinstance(item, dict) and isinstance(item.get("change"), dict):
            marks = item["change"].get("after_unknown")
            if marks and isinstance(item.get("address"), str):
                out[item["address"]] = marks
    return out


def _mark_unknown(values: Any, marks: Any, depth: int = 0) -> None:
    """Put ``UNKNOWN`` where ``after_unknown`` says a value is computed at apply time."""
    if depth > MAX_MODULE_DEPTH:
        return
    if isinstance(values, dict) and isinstance(marks, dict):
        for key, mark in marks.items():
            if mark is True and values.get(key) is None:
                values[key] = UNKNOWN
            elif key in values:
                _mark_unknown(values[key], mark, depth + 1)
    elif isinstance(values, list) and isinstance(marks, list):
        for i, mark in enumerate(marks[: len(values)]):
            if mark is True and values[i] is None:
                values[i] = UNKNOWN
            else:
                _mark_unknown(values[i], mark, depth + 1)
