"""Control catalogues (``scanner/frameworks/*.yaml``): ids, titles, hierarchy, status.

Rules cite controls by id; a citation of a control the catalogue does not know is a pack
error, so a typo such as ``164.312(a)(2)(v)`` never reaches an auditor. Frameworks without
a catalogue (Checkov ids, CWE) are cross-references and are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from scanner.errors import ConfigError
from scanner.packaged import folder_of


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    title: str
    kind: str = ""
    parent: str | None = None
    requirement: str | None = None  # HIPAA: required | addressable
    status: str = "final"  # or proposed
    checkable: bool = True
    url: str = ""


@dataclass(frozen=True, slots=True)
class Catalogue:
    id: str
    name: str
    status: str
    url: str
    note: str
    controls: tuple[Control, ...]

    def get(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)

    def descendants(self, control_id: str) -> list[str]:
        """Ids below a control (its implementation specifications, sub-techniques...)."""
        children: dict[str, list[str]] = {}
        for c in self.controls:
            if c.parent:
                children.setdefault(c.parent, []).append(c.id)
        out, todo = [], list(children.get(control_id, []))
        while todo:
            cid = todo.pop()
            out.append(cid)
            todo.extend(children.get(cid, []))
        return out

    def rolled_up(self, direct: dict[str, list[str]]) -> dict[str, list[str]]:
        """Rules per control, a parent counting the rules of everything below it."""
        return {c.id: sorted({r for cid in (c.id, *self.descendants(c.id))
                              for r in direct.get(cid, [])}) for c in self.controls}


@lru_cache(maxsize=1)
def catalogues() -> dict[str, Catalogue]:
    """Every shipped catalogue, by framework id."""
    from scanner.parse.yaml import load_documents

    out: dict[str, Catalogue] = {}
    folder = folder_of("scanner.frameworks")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        (doc,) = load_documents(entry.read_text(encoding="utf-8"), entry.name)
        meta = doc["framework"]
        controls = tuple(Control(
            id=str(c["id"]), title=str(c.get("title", "")), kind=str(c.get("kind", "")),
            parent=c.get("parent"), requirement=c.get("requirement"),
            status=str(c.get("status", "final")), checkable=c.get("checkable", True) is not False,
            url=str(c.get("url", ""))) for c in doc["controls"])
        out[meta["id"]] = Catalogue(meta["id"], str(meta.get("name", meta["id"])),
                                    str(meta.get("status", "final")), str(meta.get("url", "")),
                                    str(meta.get("note", "")), controls)
    return out


def catalogue(framework: str) -> Catalogue:
    found = catalogues().get(framework)
    if found is None:
        raise ConfigError(f"no catalogue for framework {framework!r}; one of: "
                          + ", ".join(sorted(catalogues())))
    return found


def known_control(framework: str, control: str) -> bool | None:
    """True/False for catalogued frameworks; None for cross-references (no catalogue)."""
    cat = catalogues().get(framework)
    if cat is None:
        return None
    return cat.get(control) is not None
