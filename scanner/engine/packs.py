"""Find, validate and compile rule packs: the built-in ones and those given with ``--rules``.

A pack is refused as a whole when it has any problem; every problem is reported with the
file, the line, the rule id and what is wrong, so an author can fix them in one pass.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.engine.conditions import (
    Check,
    ConditionError,
    LazyCheck,
    compile_condition,
    compiled,
)
from scanner.engine.paths import PathSyntaxError, Ref, parse_path, select
from scanner.engine.rules import Guard, Rule
from scanner.errors import ParseError, RulePackError
from scanner.models import PackInfo, Reference, Severity
from scanner.packaged import folder_of, packaged
from scanner.parse.yaml import key_position, load_documents

# A rule with its conditions: (rule, where, where_each, assert)
Plan = tuple[Rule, Check | None, Check | None, Check | None]
EAGER_AFTER = 16  # resources of a kind after which its rules' conditions are all compiled


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every rule of a run, indexed by resource kind, with the packs they came from."""

    rules: tuple[Rule, ...]
    packs: tuple[PackInfo, ...]
    _by_kind: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False,
                                                  repr=False)
    _plans: dict[str, tuple[Plan, ...]] = field(default_factory=dict, compare=False,
                                                repr=False)
    _uses: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def plan_for(self, kind: str) -> tuple[Plan, ...]:
        """``for_kind`` with each rule's conditions, for the loop that evaluates a resource.

        The first ``EAGER_AFTER`` resources of a kind get the conditions as they are (lazy
        ones compile on first use, so a small scan compiles only what it reaches); later
        ones get every condition compiled, called without the lazy wrapper.
        """
        found = self._plans.get(kind)
        if found is not None:
            return found
        uses = self._uses[kind] = self._uses.get(kind, 0) + 1
        rules = self.for_kind(kind)
        if uses <= EAGER_AFTER:
            return tuple((r, r.where, r.where_each, r.assert_) for r in rules)
        found = self._plans[kind] = tuple(
            (r, None if r.where is None else compiled(r.where),
             None if r.where_each is None else compiled(r.where_each),
             None if r.assert_ is None else compiled(r.assert_))
            for r in rules)
        return found

    def for_kind(self, kind: str) -> tuple[Rule, ...]:
        """The rules that apply to a resource kind (computed once per kind and run)."""
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = tuple(r for r in self.rules
                                        if kind in r.applies_to or "*" in r.applies_to)
        return found

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def select(self, *, only_packs: tuple[str, ...] = (), enable: tuple[str, ...] = (),
               disable: tuple[str, ...] = (), select: tuple[str, ...] = (),
               skip: tuple[str, ...] = (), severity: dict[str, str] | None = None,
               allow_values: dict[str, tuple[str, ...]] | None = None) -> RuleSet:
        """The rules a run uses: pack choices, id globs and severity overrides applied.

        Packs marked ``default_enabled: false`` run only when enabled or named in ``only``.
        """
        known = {p.id for p in self.packs}
        for name in (*only_packs, *enable, *disable):
            if name not in known:
                raise RulePackError([f"error: unknown pack {name!r}; packs: "
                                     + ", ".join(sorted(known))])
        on = {p.id for p in self.packs if p.default_enabled or p.id in enable}
        if only_packs:
            on = set(only_packs)
        on -= set(disable)
        chosen = []
        for r in self.rules:
            if r.pack not in on:
                continue
            if select and not any(fnmatch.fnmatchcase(r.id, g.upper()) for g in select):
                continue
            if any(fnmatch.fnmatchcase(r.id, g.upper()) for g in skip):
                continue
            level = (severity or {}).get(r.id)
            if level:
                r = dataclasses.replace(r, severity=Severity(level))
            allowed = tuple(v for glob, values in (allow_values or {}).items()
                            if fnmatch.fnmatchcase(r.id, glob.upper()) for v in values)
            if allowed:
                r = dataclasses.replace(r, allow_values=r.allow_values + allowed)
            chosen.append(r)
        packs = tuple(dataclasses.replace(p, rules=sum(1 for r in chosen if r.pack == p.id))
                      for p in self.packs if p.id in on)
        return RuleSet(tuple(chosen), packs)


def builtin_pack_files() -> list[tuple[str, bytes]]:
    """The shipped packs as (display name, bytes), sorted by name."""
    try:
        root = folder_of("scanner.packs")
        items = [(f"builtin:{p.name}", p.read_bytes()) for p in root.iterdir()
                 if p.name.endswith(".yaml")]
    except ModuleNotFoundError:  # running from a source tree that was never installed
        src = Path(__file__).resolve().parents[2] / "rules"
        items = [(f"builtin:{p.name}", p.read_bytes()) for p in src.glob("*.yaml")]
    return sorted(items)


def user_pack_files(path: str) -> list[tuple[str, bytes]]:
    """Packs from a file or a folder of ``*.yaml``/``*.yml`` given with ``--rules``."""
    p = Path(path)
    try:
        if p.is_dir():
            files = sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml"))
            if not files:
                raise RulePackError([f"error: {path}: no rule packs (*.yaml) in this folder"])
            return [(str(x), x.read_bytes()) for x in files]
        return [(str(p), p.read_bytes())]
    except OSError as exc:
        raise RulePackError([f"error: {path}: cannot read rule pack: {exc.strerror}"]) from None


def _schema() -> dict[str, Any]:
    data = packaged("schemas", "rulepack.schema.json").read_text(encoding="utf-8")
    return json.loads(data)


def _line_of(doc: Any, where: tuple[Any, ...]) -> int:
    """Line of the value at ``where`` inside the pack document (nearest existing parent)."""
    hits, misses = select(doc, Ref(doc, None), tuple(where))
    ref = hits[0][1] if hits else (misses[-1] if misses else Ref(doc, None))
    pos = key_position(ref.container, ref.key)
    return pos[0] if pos else 1


def _rule_id_at(doc: Any, where: tuple[Any, ...]) -> str:
    if len(where) >= 2 and where[0] == "rules" and isinstance(doc, dict):
        rules = doc.get("rules")
        if isinstance(rules, list) and isinstance(where[1], int) and where[1] < len(rules):
            rule = rules[where[1]]
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                return str(rule["id"])
            return f"rules[{where[1]}]"
    return "pack"


def _where_text(where: tuple[Any, ...]) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class PackLoader:
    """Validates and compiles packs; collects every problem before refusing."""

    def __init__(self) -> None:
        self._validator_cache: Any = None
        self.trusted = False  # built-in packs: checked by the test suite, not on every run
        self._snapshot: dict[str, Any] | None = None  # built-in packs as JSON (snapshot.py)

    @property
    def _validator(self) -> Any:
        if self._validator_cache is None:
            import jsonschema

            self._validator_cache = jsonschema.Draft202012Validator(_schema())
        return self._validator_cache

    def load(self, name: str, data: bytes) -> tuple[PackInfo, list[Rule]]:
        info, rules, _header = self.load_with_header(name, data)
        return info, rules

    def load_with_header(self, name: str, data: bytes
                         ) -> tuple[PackInfo, list[Rule], dict[str, Any]]:
        problems: list[str] = []
        digest = hashlib.sha256(data).hexdigest()
        known = self._snapshotted(name, digest) if self.trusted else None
        if known is not None:
            doc, lines = known
        else:
            try:
                docs = load_documents(data.decode("utf-8"), name, trusted=self.trusted)
            except UnicodeDecodeError:
                raise RulePackError([f"error: {name}: not UTF-8 text"]) from None
            except ParseError as exc:
                raise RulePackError([f"error: {exc}"]) from None
            if len(docs) != 1:
                raise RulePackError([f"error: {name}: a rule pack is exactly one YAML document"])
            doc = docs[0]
            lines = None

        def report(where: tuple[Any, ...], msg: str) -> None:
            line = _line_of(doc, where)
            rid = _rule_id_at(doc, where)
            problems.append(f"error: {name}:{line}: {rid}: {_where_text(where)}: {msg}")

        broken: set[Any] = set()
        errors = [] if self.trusted else self._validator.iter_errors(doc)
        for err in sorted(errors, key=lambda e: list(map(str, e.path))):
            where = tuple(err.absolute_path)
            broken.add(where[1] if len(where) > 1 and where[0] == "rules" else "pack")
            report(where, _schema_message(err))
        if "pack" in broken:
            raise RulePackError(problems)
        rules = []
        for i, raw in enumerate(doc["rules"]):
            if i in broken:
                continue
            rule = self._compile(raw, doc, i, name, report,
                                 lines[i] if lines is not None else _line_of(doc, ("rules", i)))
            if rule is not None:
                rules.append(rule)
        if problems:
            raise RulePackError(problems)
        meta = doc["pack"]
        info = PackInfo(
            id=meta["id"], name=meta["name"], version=meta["version"], source=name,
            digest="sha256:" + digest, rules=len(rules),
            default_enabled=meta.get("default_enabled", True),
        )
        return info, rules, dict(meta)

    def _snapshotted(self, name: str, digest: str) -> tuple[Any, list[int]] | None:
        from scanner.engine import snapshot

        if self._snapshot is None:
            self._snapshot = snapshot.load()
        return snapshot.lookup(self._snapshot, name, digest)

    def _compile(self, raw: dict[str, Any], doc: Any, i: int, name: str,
                 report: Any, line: int) -> Rule | None:
        base = ("rules", i)
        compiled: dict[str, Any] = {}
        ok = True
        for key in ("where", "where_each", "assert"):
            if key in raw and self.trusted:
                compiled[key] = LazyCheck(raw[key], (*base, key))
            elif key in raw:
                try:
                    compiled[key] = compile_condition(raw[key], (*base, key))
                except ConditionError as exc:
                    report(exc.where, str(exc))
                    ok = False
        for_each = None
        if "for_each" in raw:
            try:
                for_each = parse_path(raw["for_each"])
            except PathSyntaxError as exc:
                report((*base, "for_each"), str(exc))
                ok = False
        anchors: dict[str, tuple[bool, tuple[Any, ...]]] = {}
        for key in ("locate", "related"):
            if key in raw:
                text = raw[key]
                try:
                    anchors[key] = (text.startswith("$"),
                                    parse_path(text[1:].lstrip(".") if text.startswith("$")
                                               else text))
                except PathSyntaxError as exc:
                    report((*base, key), str(exc))
                    ok = False
        for j, ref in enumerate(() if self.trusted else raw["references"]):
            from scanner.catalogue import known_control

            if known_control(ref["framework"], str(ref["control"])) is False:
                report((*base, "references", j, "control"),
                       f"unknown {ref['framework']} control {ref['control']!r} (see "
                       f"'wardscan rules coverage --framework {ref['framework']}')")
                ok = False
        if "where_each" in raw and "for_each" not in raw:
            report((*base, "where_each"), "'where_each' needs 'for_each'")
            ok = False
        if not ok:
            return None
        ex = raw["examples"]
        return Rule(
            id=raw["id"], title=raw["title"], severity=Severity(raw["severity"]),
            summary=raw["summary"].strip(), rationale=raw["rationale"].strip(),
            remediation=raw["remediation"].strip(),
            references=tuple(Reference(r["framework"], str(r["control"]), r.get("url", ""))
                             for r in raw["references"]),
            applies_to=tuple(raw["applies_to"]), message=raw["message"].strip(),
            pack=doc["pack"]["id"], source=name, line=line,
            where=compiled.get("where"), for_each=for_each,
            where_each=compiled.get("where_each"), assert_=compiled.get("assert"),
            check=raw.get("check"), tags=tuple(raw.get("tags", ())),
            locate=anchors.get("locate"), related=anchors.get("related"),
            detect=raw.get("detect"), supersedes=tuple(raw.get("supersedes", ())),
            uses_exposure="exposure" in json.dumps(
                [raw.get(k) for k in ("where", "where_each", "assert")]),
            guard=guard_of(raw),
            bad_examples=_snippets(ex["bad"]), good_examples=_snippets(ex["good"]),
        )


def guard_of(raw: dict[str, Any]) -> Guard | None:
    """What rules a resource out before a ``for_each`` rule runs: ``(key, path, values)`` when
    its ``where_each`` requires an element's plain-key ``path`` to equal a string (``equals``)
    or one of a list of strings (``in``), on its own or as one item of an ``all``:
    ``containers[*]`` with ``server: ollama``.

    Why: most rules about one AI server are of this shape, and a workload runs one server at
    most, so nearly all of them would test every container of every workload to find nothing.
    The evaluation loop reads each element's value at ``path`` once per resource and skips
    the rules none of whose ``values`` is among them (``evaluate``): such a rule could only
    have found nothing and applied to nothing. ``key`` names the (for_each, path) pair."""
    spec = raw.get("where_each")
    if raw.get("check") is not None or "for_each" not in raw or not isinstance(spec, dict):
        return None
    items = spec["all"] if list(spec) == ["all"] and isinstance(spec["all"], list) else [spec]
    for item in items:
        if not (isinstance(item, dict) and len(item) == 2 and isinstance(item.get("path"), str)
                and not item["path"].startswith("$")):
            continue
        if isinstance(item.get("equals"), str):
            values = frozenset([item["equals"]])
        elif isinstance(item.get("in"), list) and item["in"] and all(
                isinstance(v, str) for v in item["in"]):
            values = frozenset(item["in"])
        else:
            continue
        try:
            segments = parse_path(item["path"])
        except PathSyntaxError:
            return None
        if segments and all(s.__class__ is str for s in segments):
            return (f"{raw['for_each']}\0{item['path']}", segments, values)
    return None


def _snippets(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _schema_message(err: Any) -> str:
    """A short message for a schema error that never echoes long values back."""
    v = err.validator
    if v == "required":
        return str(err.message)
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        return "unknown key(s): " + ", ".join(map(str, extra))
    if v == "enum":
        return "must be one of: " + ", ".join(map(str, err.validator_value))
    if v == "type":
        return f"must be of type {err.validator_value}"
    if v == "oneOf" and isinstance(err.instance, dict) and "id" in err.instance:
        return "a rule needs exactly one of 'assert' or 'check'"
    if v == "minLength":
        return f"must be at least {err.validator_value} characters long"
    if v == "minItems":
        return f"must have at least {err.validator_value} item(s)"
    if v == "pattern":
        return f"must match the pattern {err.validator_value}"
    return f"does not satisfy '{v}': {err.validator_value}"


def load_rules(extra: list[str] | tuple[str, ...] = (), builtin: bool = True,
               check_builtin: bool = False) -> RuleSet:
    """Load the built-in packs and any ``--rules`` paths; refuse duplicates and bad packs.

    Built-in packs skip the JSON Schema and catalogue checks at run time (the test suite runs
    them with ``check_builtin=True``), which keeps jsonschema out of a plain scan's start-up.
    """
    loader = PackLoader()
    files = builtin_pack_files() if builtin else []
    n_builtin = len(files)
    for path in extra:
        files.extend(user_pack_files(path))
    problems: list[str] = []
    infos: list[PackInfo] = []
    rules: dict[str, Rule] = {}
    owner: dict[str, str] = {}
    for index, (name, data) in enumerate(files):
        loader.trusted = index < n_builtin and not check_builtin
        try:
            info, pack_rules, header = loader.load_with_header(name, data)
        except RulePackError as exc:
            problems.extend(exc.problems)
            continue
        base = header.get("extends")
        if base is not None and base not in {p.id for p in infos}:
            problems.append(f"error: {name}: extends unknown pack {base!r}")
            continue
        for rule_id in header.get("disable", ()):
            if base is None or owner.get(rule_id) != base:
                problems.append(f"error: {name}: disable: {rule_id} is not a rule of the "
                                f"extended pack {base!r}")
                continue
            del rules[rule_id]
        infos.append(info)
        for rule in pack_rules:
            if rule.id in rules and owner[rule.id] != base:
                problems.append(f"error: {name}:{rule.line}: {rule.id}: duplicate rule id "
                                f"(also in {rules[rule.id].source}; to replace a built-in "
                                "rule, extend its pack)")
                continue
            rules[rule.id] = rule
            owner[rule.id] = info.id
    if problems:
        raise RulePackError(problems)
    counted = tuple(dataclasses.replace(p, rules=sum(1 for o in owner.values() if o == p.id))
                    for p in infos)
    return RuleSet(tuple(sorted(rules.values(), key=lambda r: r.id)), counted)
