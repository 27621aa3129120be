"""A JSON snapshot of the built-in rule packs, so a scan does not parse 500 KB of YAML.

Why: parsing the shipped packs with line numbers was the largest part of start-up (about
0.05 s of the 0.25 s a scan of an empty folder took); JSON of the same data loads in 2 ms.
The snapshot records each pack's sha256, and is used for a pack only when its bytes still
match: an edited pack (in a source tree or an installed copy) is read from its YAML as
before. The test suite checks that the committed snapshot is the one this module writes.

Regenerate after editing a pack::

    python3 -m scanner.engine.snapshot
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

from scanner.packaged import folder_of

FILE = "snapshot.json"
FORMAT = 1


def _lines(doc: Any) -> list[int]:
    """The line of each rule of a pack document (from the YAML nodes the loader keeps)."""
    from scanner.engine.packs import _line_of

    rules = doc.get("rules") if isinstance(doc, dict) else None
    return [_line_of(doc, ("rules", i)) for i in range(len(rules))] if isinstance(
        rules, list) else []


def build(files: list[tuple[str, bytes]]) -> dict[str, Any]:
    """The snapshot of ``files`` (display name, bytes): each pack's document and rule lines."""
    from scanner.parse.yaml import load_documents

    packs: dict[str, Any] = {}
    for name, data in files:
        (doc,) = load_documents(data.decode("utf-8"), name, trusted=True)
        plain = json.loads(json.dumps(doc))
        if plain != doc:  # a value JSON cannot hold as it is (a non-string key, a date...)
            raise ValueError(f"{name}: pack does not survive a JSON round trip")
        packs[name] = {"sha256": hashlib.sha256(data).hexdigest(), "lines": _lines(doc),
                       "doc": plain}
    return {"format": FORMAT, "packs": packs}


def text(files: list[tuple[str, bytes]]) -> str:
    return json.dumps(build(files), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def load() -> dict[str, Any]:
    """The shipped snapshot's packs by display name; empty when missing or unreadable."""
    try:
        data = json.loads((folder_of("scanner.packs") / FILE).read_text("utf-8"))
    except (ModuleNotFoundError, OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    packs = data.get("packs")
    return packs if isinstance(packs, dict) else {}


def lookup(snapshot: dict[str, Any], name: str, digest: str) -> tuple[Any, list[int]] | None:
    """(document, rule lines) for a pack whose bytes have sha256 ``digest``, if snapshotted."""
    entry = snapshot.get(name)
    if not isinstance(entry, dict) or entry.get("sha256") != digest:
        return None
    return entry["doc"], entry["lines"]


def main() -> int:
    from scanner.engine.packs import builtin_pack_files

    target = folder_of("scanner.packs") / FILE
    target.write_text(text(builtin_pack_files()), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
