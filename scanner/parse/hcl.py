"""Terraform HCL2 text -> top-level blocks whose every value knows its line and column.

Why this shape: python-hcl2 is a maintained HCL2 grammar (heredocs, templates, comments,
CRLF, the odd corners of the language) but its ``loads`` dict has no positions. Its rule
tree does: every attribute, block, object element and tuple item carries the lark ``meta``
(line, column) of where it was written. So the tree is walked once here, values are
serialised by the library itself, and each key is put into a ``SynthMap`` with its exact
``Location``. Nothing has to guess a line afterwards.

The data a rule sees, and why:

- strings are unquoted (``"Enabled"`` -> ``Enabled``), heredocs become their text, and
  escapes are resolved; numbers, booleans and ``null`` are Python values;
- any expression that is not a literal (``var.kms``, ``lookup(...)``, ``a ? b : c``,
  ``"arn:${var.x}"``) stays as its source text with ``${...}`` around the computed part.
  A reference is a value the scanner cannot see, so rules treat ``${`` as "set";
- object values (``tags = {...}``) are ``SynthMap``s and tuples are ``SynthSeq``s, with a
  location per key and item;
- a nested block is always a ``SynthSeq`` of ``SynthMap``s, even when it appears once,
  because ``terraform show -json`` writes blocks as lists too and the same rules read both
  (path ``logging_config[0].s3_config[0].bucket_name``);
- ``dynamic "x" { for_each = ... content {...} }`` becomes one item of block ``x`` (the
  ``content`` body, with ``_for_each`` holding the ``for_each`` expression): the block may
  exist, and its values are references;
- a label after a nested block's type (``provisioner "local-exec"``) is kept as ``_label``.

The library is imported inside ``parse_blocks`` because start-up time matters and most
scans contain no Terraform.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scanner.adapters.synth import SynthMap, SynthSeq
from scanner.errors import ParseError
from scanner.models import Location


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level block: ``resource "aws_x" "name" { ... }`` -> type ``resource``."""

    type: str
    labels: tuple[str, ...]
    body: SynthMap
    location: Location


class _Walker:
    """Turns python-hcl2 rule objects into located plain data for one file."""

    def __init__(self, path: str) -> None:
        from hcl2 import SerializationOptions
        from hcl2.rules import base, containers, expressions, strings

        self.path = path
        self.options = SerializationOptions(
            with_comments=False, strip_string_quotes=True, preserve_heredocs=False
        )
        self.attribute, self.block = base.AttributeRule, base.BlockRule
        self.object, self.tuple = containers.ObjectRule, containers.TupleRule
        self.term, self.heredoc = expressions.ExprTermRule, strings.HeredocTemplateRule

    def loc(self, rule: Any, fallback: Location) -> Location:
        meta = getattr(rule, "_meta", None)  # lark Meta; python-hcl2's own query API reads it too
        line = getattr(meta, "line", None)
        if not isinstance(line, int):
            return fallback
        column = getattr(meta, "column", 1)
        return Location(self.path, line, column if isinstance(column, int) else 1)

    def text(self, rule: Any) -> str:
        return str(rule.serialize(self.options))

    def body(self, body_rule: Any, origin: Location) -> SynthMap:
        """A block body: attributes by name, nested blocks as lists; duplicates are errors."""
        out = SynthMap(origin)
        blocks: set[str] = set()
        for child in body_rule.children:
            if isinstance(child, self.attribute):
                name = self.text(child.identifier)
                at = self.loc(child, origin)
                if name in out:
                    what = "both an attribute and a block" if name in blocks else "defined twice"
                    raise ParseError(f"invalid HCL: {name!r} is {what}", self.path, at.line)
                out.put(name, self.value(child.expression, at), at)
            elif isinstance(child, self.block):
                self.nested(out, blocks, child, origin)
        return out

    def nested(self, parent: SynthMap, blocks: set[str], rule: Any, origin: Location) -> None:
        """Add one nested block to ``parent[type]`` (a list of bodies); ``blocks`` = types seen."""
        at = self.loc(rule, origin)
        labels = [self.text(label) for label in rule.labels]
        item = self.body(rule.body, at)
        kind = labels[0]
        if kind == "dynamic" and len(labels) > 1:
            kind = labels[1]
            content = item.get("content")
            dyn = content[0] if isinstance(content, SynthSeq) and content else SynthMap(at)
            if "for_each" in item:
                dyn.put("_for_each", item["for_each"], item.locs.get("for_each"))
            item = dyn
        elif len(labels) > 1:
            item.put("_label", labels[1], at)
        if kind not in blocks:
            if kind in parent:
                raise ParseError(
                    f"invalid HCL: {kind!r} is both an attribute and a block", self.path, at.line
                )
            blocks.add(kind)
            parent.put(kind, SynthSeq(at), at)
        parent[kind].add(item, at)

    def value(self, expr: Any, at: Location) -> Any:
        """An attribute's value: objects and tuples keep per-item locations, the rest is text."""
        while isinstance(expr, self.term) and not expr.parentheses:
            expr = expr.expression
        if isinstance(expr, self.heredoc):
            return heredoc_text(str(expr.heredoc.value))
        if isinstance(expr, self.object):
            obj = SynthMap(at)
            for element in expr.elements:
                where = self.loc(element, at)
                obj.put(self.text(element.key), self.value(element.expression, where), where)
            return obj
        if isinstance(expr, self.tuple):
            seq = SynthSeq(at)
            for item in expr.elements:
                where = self.loc(item, at)
                seq.add(self.value(item, where), where)
            return seq
        return expr.serialize(self.options)


def parse_blocks(text: str, path: str, wanted: Iterable[str] | None = None) -> list[Block]:
    """Every top-level block of ``text`` (only the ``wanted`` types when given).

    Raises ``ParseError`` with a one-line message and the line for text that is not HCL2.
    """
    import hcl2
    from hcl2.rules.base import BlockRule
    from lark.exceptions import LarkError

    try:
        tree = hcl2.parses(text)
    except LarkError as exc:
        raise _syntax_error(exc, path) from None
    except RecursionError:
        raise ParseError("invalid HCL: nesting too deep", path) from None
    except (RuntimeError, ValueError) as exc:
        raise ParseError(f"invalid HCL: {_first_line(exc)}", path) from None
    keep = None if wanted is None else set(wanted)
    walker = _Walker(path)
    top = Location(path, 1, 1)
    blocks: list[Block] = []
    for child in tree.body.children:
        if not isinstance(child, BlockRule):
            continue
        labels = tuple(walker.text(label) for label in child.labels)
        if keep is not None and labels[0] not in keep:
            continue
        at = walker.loc(child, top)
        try:
            body = walker.body(child.body, at)
        except RecursionError:
            raise ParseError("invalid HCL: nesting too deep", path, at.line) from None
        blocks.append(Block(labels[0], labels[1:], body, at))
    return blocks


def heredoc_text(raw: str) -> str:
    """The value of a heredoc token, as Terraform reads it: ``<<-`` strips common indentation.

    Done here rather than by python-hcl2 because its serialiser escapes quotes inside
    ``<<-`` heredocs when asked for plain values, and a JSON policy must stay JSON.
    """
    m = _HEREDOC.match(raw.replace("\r\n", "\n"))
    if m is None:
        return raw
    trim, body = m.group(1) == "-", m.group(3)
    lines = re.sub(r"[ \t]*\Z", "", body).split("\n")
    if trim:
        indents = [len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()]
        cut = min(indents, default=0)
        lines = [x[cut:] for x in lines]
    return "\n".join(lines)


_HEREDOC = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\n(.*)\2\s*\Z", re.S)
_EOF = "unexpected end of file (a block, string or heredoc is not closed)"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _syntax_error(exc: Exception, path: str) -> ParseError:
    """A lark error as ``invalid HCL: unexpected ...`` at its line, without lark's essay."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError

    if isinstance(exc, VisitError):
        return ParseError(f"invalid HCL: {_first_line(exc.orig_exc)}", path)
    line = getattr(exc, "line", None)
    where = line if isinstance(line, int) and line > 0 else None
    if isinstance(exc, UnexpectedCharacters):
        return ParseError(f"invalid HCL: unexpected character {exc.char!r}", path, where)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            return ParseError(f"invalid HCL: {_EOF}", path, where)
        raw = str(token.value)
        if raw[:1] in ("\n", "\r"):
            return ParseError("invalid HCL: unexpected end of line (missing value?)", path, where)
        shown = (raw.strip().splitlines() or [token.type])[0][:40]
        return ParseError(f"invalid HCL: unexpected {shown!r}", path, where)
    if isinstance(exc, UnexpectedEOF):
        return ParseError(f"invalid HCL: {_EOF}", path, where)
    return ParseError(f"invalid HCL: {_first_line(exc)}", path, where)
