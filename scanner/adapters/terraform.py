"""Terraform HCL files -> one ``Resource`` per ``resource`` block, and one per ``variable``.

``resource "<type>" "<name>" {...}`` becomes kind ``terraform/<type>``, name
``<type>.<name>`` (the Terraform address), body = the block's attributes and nested blocks
as located data (see ``scanner.parse.hcl`` for the exact shape: unquoted strings,
references kept as ``${...}`` text, nested blocks always lists). A missing attribute is
reported at the block header, because the body's ``origin`` is the header.

``variable "<name>" {...}`` becomes kind ``terraform/variable``, name ``var.<name>``, body
``default``/``type``/``sensitive``/``description``..., so rules can look for secrets in
defaults. ``data``, ``module``, ``locals`` and provider blocks are not resources here.
"""

from __future__ import annotations

from scanner.models import Resource
from scanner.parse.hcl import parse_blocks


def adapt_text(text: str, path: str) -> list[Resource]:
    """Every resource and variable block of one ``.tf`` file; ``ParseError`` on bad HCL."""
    out: list[Resource] = []
    for block in parse_blocks(text, path, wanted=("resource", "variable")):
        if block.type == "resource" and len(block.labels) == 2:
            rtype, name = block.labels
            kind, address = f"terraform/{rtype}", f"{rtype}.{name}"
        elif block.type == "variable" and len(block.labels) == 1:
            kind, address = "terraform/variable", f"var.{block.labels[0]}"
        else:
            continue
        out.append(Resource(kind=kind, name=address, body=block.body, path=path,
                            line=block.location.line))
    return out
