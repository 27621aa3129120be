"""``.wardscan.yaml``: found from the scanned folder upward (or given), schema-checked.

The file holds every scan option; flags given on the command line override it. Paths in it
are relative to the file's own folder, so a config checked into a repository works from any
working directory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError, ParseError
from scanner.packaged import packaged

NAMES = (".wardscan.yaml", ".wardscan.yml")
PATH_KEYS = ("output", "baseline")
PATH_LIST_KEYS = ("rules",)


@dataclass(frozen=True, slots=True)
class Config:
    """The parsed file (``data``) and where it was found (None: no file)."""

    path: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def find_config(paths: tuple[str, ...]) -> Path | None:
    """The nearest config file from the first scanned path upward."""
    first = next((p for p in paths if p != "-"), ".")
    start = Path(first).resolve()
    if not start.is_dir():
        start = start.parent
    for folder in (start, *start.parents):
        for name in NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def load_config(path: Path) -> Config:
    import jsonschema

    from scanner.engine.packs import _line_of
    from scanner.parse.yaml import load_documents

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config: {exc.strerror}", str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("config is not UTF-8 text", str(path)) from None
    try:
        docs = load_documents(text, str(path))
    except ParseError as exc:
        raise ConfigError(exc.message, str(path), exc.line) from None
    data = docs[0] if docs else {}
    if data is None:
        data = {}
    schema = json.loads(packaged("schemas", "config.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
    if errors:
        err = errors[0]
        where = tuple(err.absolute_path)
        key = ".".join(map(str, where)) or "(top level)"
        raise ConfigError(f"{key}: {_message(err)}", str(path), _line_of(data, where))
    return Config(str(path), _resolve_paths(dict(data), path.parent))


def _message(err: Any) -> str:
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        return "unknown key(s): " + ", ".join(map(str, extra))
    if err.validator == "enum":
        return "must be one of: " + ", ".join(map(str, err.validator_value))
    if err.validator == "type":
        return f"must be of type {err.validator_value}"
    return str(err.message)


def _resolve_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    def fix(p: str) -> str:
        return p if Path(p).is_absolute() else str(base / p)

    for key in PATH_KEYS:
        if isinstance(data.get(key), str):
            data[key] = fix(data[key])
    for key in PATH_LIST_KEYS:
        if isinstance(data.get(key), list):
            data[key] = [fix(p) for p in data[key]]
    if isinstance(data.get("outputs"), list):
        data["outputs"] = [{**o, "path": fix(o["path"])} for o in data["outputs"]]
    return data
