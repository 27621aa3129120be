"""Safe YAML loading with libyaml, keeping where each mapping and sequence was written.

Why this shape: building a per-key line table for every mapping costs time on every file,
while only a handful of values ever need a line (those a finding points at). So each mapping
and sequence is built as a ``YMap``/``YSeq`` (plain ``dict``/``list`` subclasses) that keeps
its libyaml node, and a line is looked up from the node only when a finding asks for one.
Aliases are returned as the very same object (never expanded into copies), timestamps stay
strings (as JSON would have them), and only the safe tags are constructed.

A regular install adds ``_fastyaml`` where libyaml's header is found (setup.py): a C module
that builds the same values straight from libyaml's events, without PyYAML's node objects,
and stores each container's positions as a packed table (``Packed``) instead of a
node. It takes the common case (untagged nodes, string keys written once, no anchors); for
anything else it hands the text back and PyYAML parses it as before. The position
functions below read either form.
"""

from __future__ import annotations

import operator
import re
import struct
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from scanner.errors import ParseError
from scanner.limits import DEFAULT, Limits

try:  # libyaml is the fast path; fall back to the pure-Python parser if it is missing.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

_BRACKET = re.compile(r"[\[\]{}]")


# A container ``_fastyaml`` built has ``node = (table,)`` (a sequence) or ``(table, keys)``
# (a mapping): ``table`` packs C ints, first the start and end marks (line, column, index;
# 0-based), then per item its mark and style code, or per entry the key's mark, the
# value's mark and the value's style code; ``keys`` holds the keys in written order.
Packed = tuple[bytes] | tuple[bytes, tuple[str, ...]]


class YMap(dict[Any, Any]):
    """A mapping that remembers the YAML node it came from, or its packed table (for lines)."""

    __slots__ = ("node",)

    def __init__(self) -> None:
        super().__init__()
        self.node: Node | Packed | None = None


class YSeq(list[Any]):
    """A sequence that remembers the YAML node it came from, or its packed table (for lines)."""

    __slots__ = ("node",)

    def __init__(self) -> None:
        super().__init__()
        self.node: Node | Packed | None = None


class _CleanMap(YMap):
    """A ``YMap`` the builder made that holds no mapping which lost a key to a later
    duplicate (it is re-classed to plain ``YMap`` when it does)."""

    __slots__ = ()


class _CleanSeq(YSeq):
    """A ``YSeq`` the builder made that holds no mapping which lost a key."""

    __slots__ = ()


def marked(value: Any) -> bool:
    """Whether a duplicate-key check must look inside ``value``: False only for containers
    the builder made and found clean, so the check skips the walk for almost every document
    (and still walks data built any other way)."""
    return value.__class__ is not _CleanMap and value.__class__ is not _CleanSeq


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SPECIAL_KEYS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")
_RESOLVED: dict[str, str] = {}  # plain scalar -> tag: names, ports and images repeat a lot
_RESOLVED_MAX = 50_000


class _Loader(_BaseLoader):
    """CSafeLoader building YMap/YSeq, with timestamps left as strings and aliases bounded.

    Why its own document builder: PyYAML's generic constructor spends more time than libyaml
    spends parsing (a generator per container, a registry lookup per node). ``_build`` makes
    the same values directly, and hands anything unusual (merge keys, explicit tags such as
    ``!!binary`` or ``!!set``, unknown tags) back to the generic constructor.
    """

    def __init__(self, stream: str, max_aliases: int = DEFAULT.max_aliases) -> None:
        super().__init__(stream)
        self._alias_hits = 0
        self._max_aliases = max_aliases
        self._lost = 0  # mappings built so far that lost a key (or may have: generic ones)

    # libyaml's composer calls these two around every node; they only serve path resolvers,
    # which this loader has none of (its own empty table below), so C no-ops stand in for
    # PyYAML's Python ones: ``operator.is_`` takes (node, index), ``tuple`` takes nothing.
    yaml_path_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML reads it per class)
    descend_resolver = operator.is_  # type: ignore[assignment]
    ascend_resolver = tuple  # type: ignore[assignment]

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            if implicit[0]:  # a plain scalar: the tag then depends on the text alone
                tag = _RESOLVED.get(value)
                if tag is None:
                    tag = super().resolve(kind, value, implicit)
                    if len(_RESOLVED) < _RESOLVED_MAX and len(value) <= 64:
                        _RESOLVED[value] = tag
                return tag
            return _STR  # quoted or block: a string (no path resolvers, see above)
        return _SEQ if kind is SequenceNode else _MAP

    def _alias(self, node: Node) -> None:
        self._alias_hits += 1
        if self._alias_hits > self._max_aliases:
            raise ConstructorError(
                None, None, f"more than {self._max_aliases} alias references (limit)",
                node.start_mark)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            self._alias(node)
        return super().construct_object(node, deep=deep)

    def construct_document(self, node: Node) -> Any:
        data = self._build(node, {})
        self.constructed_objects = {}
        self.recursive_objects = {}
        return data

    def _build(self, node: Node, memo: dict[int, Any]) -> Any:
        nid = id(node)
        if nid in memo:  # an alias: the very same object, never a copy
            self._alias(node)
            hit = memo[nid]
            if hit.__class__ is YMap or hit.__class__ is YSeq:
                self._lost += 1  # so this parent is not clean either
            return hit
        cls, tag = node.__class__, node.tag
        if cls is ScalarNode:
            value = node.value
            if tag != _STR:
                convert = _SCALARS.get(tag)
                value = (convert(self, node) if convert is not None
                         else self.construct_object(node, deep=True))
            memo[nid] = value
            return value
        if isinstance(node, MappingNode) and tag == _MAP:
            data: YMap = _new_map(_CleanMap)
            data.node = node
            memo[nid] = data
            if any(k.tag in _SPECIAL_KEYS for k, _v in node.value):
                self.flatten_mapping(node)  # `<<: *base` merges, as PyYAML does
            before = self._lost
            for knode, vnode in node.value:
                # plain strings inline (most keys and values); memo still records them, as
                # an alias to one must be counted
                kid = id(knode)
                if knode.__class__ is ScalarNode and knode.tag == _STR and kid not in memo:
                    key = memo[kid] = knode.value
                else:
                    key = self._build(knode, memo)
                vid = id(vnode)
                if vnode.__class__ is ScalarNode and vnode.tag == _STR and vid not in memo:
                    value = memo[vid] = vnode.value
                else:
                    value = self._build(vnode, memo)
                try:
                    data[key] = value
                except TypeError:
                    raise ConstructorError("while constructing a mapping", node.start_mark,
                                           "found unhashable key", knode.start_mark) from None
            if len(data) != len(node.value):
                self._lost += 1
            if self._lost != before:
                data.__class__ = YMap
            return data
        if cls is SequenceNode and tag == _SEQ:
            seq: YSeq = _new_seq(_CleanSeq)
            seq.node = node
            memo[nid] = seq
            before = self._lost
            seq.extend([self._build(item, memo) for item in node.value])
            if self._lost != before:
                seq.__class__ = YSeq
            return seq
        value = self.construct_object(node, deep=True)
        if not isinstance(value, str | int | float | bool | None):
            self._lost += 1  # built by PyYAML's generic constructor: assume the worst
        memo[nid] = value
        return value

    def construct_ymap(self, node: MappingNode) -> Iterator[YMap]:
        data = YMap()
        data.node = node
        yield data
        data.update(self.construct_mapping(node))

    def construct_yseq(self, node: SequenceNode) -> Iterator[YSeq]:
        data = YSeq()
        data.node = node
        yield data
        data.extend(self.construct_sequence(node))


_new_map = dict.__new__  # YMap/YSeq without running __init__ (the builder sets .node)
_new_seq = list.__new__


def _int(loader: SafeConstructor, node: ScalarNode) -> Any:
    text = node.value
    if text.isdigit() and (text[0] != "0" or text == "0"):  # not YAML 1.1 octal
        return int(text)
    return loader.construct_yaml_int(node)


_SCALARS: dict[str, Any] = {
    "tag:yaml.org,2002:null": lambda _loader, _node: None,
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _int,
    "tag:yaml.org,2002:float": SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": SafeConstructor.construct_yaml_str,
}


# Resolvers: the safe ones minus timestamp, so dates stay the strings the author wrote.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.yaml_constructors = {
    **_BaseLoader.yaml_constructors,
    "tag:yaml.org,2002:map": _Loader.construct_ymap,
    "tag:yaml.org,2002:seq": _Loader.construct_yseq,
    "tag:yaml.org,2002:timestamp": SafeConstructor.construct_yaml_str,
}


class _PlainResolver(Resolver):
    """PyYAML's own resolution of a plain scalar, with the loader's table (no timestamps)."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    yaml_path_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML reads it per class)


_RESOLVER = _PlainResolver()
_CONSTRUCTOR = SafeConstructor()
_UNSURE = object()  # what only PyYAML's constructor may build (merge and value keys)
_PLAIN: dict[str, Any] = {}  # plain scalar text -> value, read by _fastyaml first


def _plain(text: str) -> Any:
    """The value of a plain scalar as ``_Loader`` builds it, for ``_fastyaml``, which asks
    only about texts an implicit resolver may claim (those starting ``t``, ``1``, ``~``...)."""
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))
    if tag == _STR:
        value: Any = text
    else:
        convert = _SCALARS.get(tag)
        if convert is None:
            return _UNSURE
        value = convert(_CONSTRUCTOR, ScalarNode(tag, text))
    if len(_PLAIN) < _RESOLVED_MAX and len(text) <= 64:
        _PLAIN[text] = value
    return value


try:
    from scanner.parse import _fastyaml
except ImportError:  # the pure-Python build, or libyaml missing where the wheel went
    _fastyaml = None  # type: ignore[assignment]
else:
    _fastyaml.configure(
        _CleanMap, _CleanSeq, _plain, _PLAIN, _UNSURE,
        "".join(k for k in _Loader.yaml_implicit_resolvers if k),
        None in _Loader.yaml_implicit_resolvers)

_INT = struct.calcsize("i")
_TRIPLE = struct.Struct("3i")
_PAIR = struct.Struct("2i")
_HEAD = 6  # ints before the first entry
_STYLES = {ord("p"): "", ord("'"): "'", ord('"'): '"', ord("|"): "|", ord(">"): ">"}


def _packed_mark(table: bytes, at: int) -> Mark:
    """The mark stored at int offset ``at``, as the libyaml loader would have made it."""
    line, column, index = _TRIPLE.unpack_from(table, at * _INT)
    return Mark("<unicode string>", index, line, column, None, 0)


def _packed_entry(node: Packed, key: Any) -> int | None:
    """Int offset of ``key``'s entry in a packed table (key mark first), or None."""
    if len(node) == 2:
        text = key if key.__class__ is str else str(key)
        try:
            return _HEAD + 7 * node[1].index(text)
        except ValueError:
            return None
    count = (len(node[0]) // _INT - _HEAD) // 4
    if isinstance(key, int) and 0 <= key < count:
        return _HEAD + 4 * key
    return None


def flow_depth(text: str, limit: int) -> int:
    """Deepest nesting of ``[``/``{`` (quotes ignored: an over-estimate), checked before
    parsing because libyaml's composer recurses once per level."""
    if text.count("[") + text.count("{") <= limit:
        return 0
    depth = deepest = 0
    for m in _BRACKET.finditer(text):
        depth += 1 if m.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > limit:
            break
    return deepest


def expanded_size(doc: Any, cap: int) -> int:
    """How many values ``doc`` holds once aliases are expanded, counted without expanding
    them (each shared value once, with its size remembered); stops past ``cap``."""
    memo: dict[int, int] = {}
    busy: set[int] = set()
    stack: list[tuple[Any, bool]] = [(doc, False)]
    while stack:
        value, done = stack.pop()
        vid = id(value)
        if not isinstance(value, dict | list) or (vid in memo and not done):
            continue
        children = list(value.values()) if isinstance(value, dict) else value
        if not done:
            if vid in busy:
                continue  # a cycle: counted once
            busy.add(vid)
            stack.append((value, True))
            stack.extend((c, False) for c in children
                         if isinstance(c, dict | list) and id(c) not in memo)
            continue
        total = 1 + sum(memo.get(id(c), 1) for c in children)
        memo[vid] = total
        if total > cap:
            return total
    return memo.get(id(doc), 1)


@lru_cache(maxsize=8)
def _too_indented(max_depth: int) -> re.Pattern[str]:
    """A line (after the first) indented past ``max_depth`` levels; anchored on the newline,
    a literal, which the regex engine finds far faster than a multi-line ``^``."""
    return re.compile(rf"\n[ -]{{{2 * max_depth},}}\S")


def load_documents(text: str, path: str, limits: Limits = DEFAULT,
                   trusted: bool = False) -> list[Any]:
    """Parse every document in ``text``; raise ``ParseError`` with the line on bad YAML.

    ``trusted`` (the built-in rule packs) skips the alias-expansion bound, which only hostile
    input can reach."""
    too_deep = f"nested deeper than {limits.max_depth} levels (limit); not scanned"
    if flow_depth(text, limits.max_depth) > limits.max_depth:
        raise ParseError(too_deep, path)
    # Block nesting needs at least one column of indentation (or "- ") per level.
    if _too_indented(limits.max_depth).search(text) or re.match(
            rf"[ -]{{{2 * limits.max_depth},}}\S", text):
        raise ParseError(too_deep, path)
    if _fastyaml is not None:
        fast = _fastyaml.load(text, limits.max_documents)
        if fast is not None:
            return fast
    loader = _Loader(text, limits.max_aliases)
    docs: list[Any] = []
    try:
        while loader.check_data():
            if len(docs) >= limits.max_documents:
                raise ParseError(f"more than {limits.max_documents} YAML documents (limit); "
                                 "not scanned", path)
            aliases = loader._alias_hits
            doc = loader.get_data()
            if not trusted and loader._alias_hits != aliases and \
                    expanded_size(doc, limits.max_expanded) > limits.max_expanded:
                raise ParseError(f"aliases expand to more than {limits.max_expanded} values "
                                 "(limit); not scanned", path)
            docs.append(doc)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor for the tag" in problem:
            tag = problem.split("for the tag", 1)[1].strip(" '")
            tag = tag.replace("tag:yaml.org,2002:", "!!")
            problem = (f"unsupported YAML tag {tag!r} (only standard YAML types are read; "
                       "nothing is executed)")
            raise ParseError(problem, path, line) from None
        raise ParseError(f"invalid YAML: {problem}", path, line) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}", path) from None
    except RecursionError:
        raise ParseError("invalid YAML: nesting too deep", path) from None
    finally:
        loader.dispose()
    return docs


def key_position(container: Any, key: str | int | None) -> tuple[int, int] | None:
    """Where ``container[key]`` is written: the key's line for a mapping, the item's for a list.

    ``key=None`` asks for the container itself. Returns None when the container carries no
    node (data that did not come from YAML).
    """
    node = getattr(container, "node", None)
    if node.__class__ is tuple:  # packed by _fastyaml: read the two ints, make no Mark
        at = None if key is None else _packed_entry(node, key)
        line, column = _PAIR.unpack_from(node[0], 0 if at is None else at * _INT)
        return (line + 1, column + 1)
    mark = key_mark(container, key)
    return None if mark is None else (mark.line + 1, mark.column + 1)


def key_mark(container: Any, key: str | int | None) -> Any:
    """The libyaml mark (0-based line and column) of ``key_position``; None without a node."""
    node = getattr(container, "node", None)
    if node is None:
        return None
    if node.__class__ is tuple:  # packed by _fastyaml
        at = None if key is None else _packed_entry(node, key)
        return _packed_mark(node[0], 0 if at is None else at)
    if key is None:
        return node.start_mark
    cls = node.__class__
    if cls is MappingNode:
        text = key if key.__class__ is str else str(key)
        for knode, _vnode in node.value:
            if knode.value == text and knode.__class__ is ScalarNode:
                return knode.start_mark
        return node.start_mark
    if cls is SequenceNode and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key].start_mark
    return node.start_mark


def scalar_mark(container: Any, key: str | int) -> tuple[Mark, str] | None:
    """Where ``container[key]``'s value starts and its style (``""`` plain, ``'``, ``"``,
    ``|``, ``>``) when it is a scalar written in the YAML, for callers that need a
    multi-line string's lines; None otherwise."""
    node = getattr(container, "node", None)
    if node.__class__ is tuple:
        at = _packed_entry(node, key)
        if at is None:
            return None
        if len(node) == 2:
            at += 3  # the value's mark follows the key's
        style = struct.unpack_from("i", node[0], (at + 3) * _INT)[0]
        return None if style == 0 else (_packed_mark(node[0], at), _STYLES[style])
    vnode: Node | None = None
    if isinstance(node, MappingNode):
        for knode, candidate in node.value:
            if isinstance(knode, ScalarNode) and knode.value == str(key):
                vnode = candidate
                break
    elif isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        vnode = node.value[key]
    if isinstance(vnode, ScalarNode):
        return vnode.start_mark, vnode.style or ""
    return None
