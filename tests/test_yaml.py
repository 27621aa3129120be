"""The safe YAML loader: lines for every value, aliases shared, dates kept, unsafe tags refused."""

from __future__ import annotations

import pytest

from scanner.errors import ParseError
from scanner.parse.yaml import key_position, load_documents, scalar_mark

TEXT = """\
a: 1
b:
  c: [x, y]
  d: &anchor
    e: 2024-01-31
f: *anchor
g: |
  line one
  line two
---
- first
- second: 3
"""


def test_lines_and_columns_for_keys_and_items() -> None:
    first, second = load_documents(TEXT, "t.yaml")
    assert key_position(first, "a") == (1, 1)
    assert key_position(first["b"], "d") == (4, 3)
    assert key_position(first["b"]["c"], 1) == (3, 10)
    assert key_position(second, 1) == (12, 3)
    assert key_position(second[1], "second") == (12, 3)
    assert key_position(first, None) == (1, 1)


def test_missing_key_falls_back_to_the_mapping_line() -> None:
    doc = load_documents(TEXT, "t.yaml")[0]
    assert key_position(doc["b"], "nope") == (3, 3)


def test_aliases_are_the_same_object_not_copies() -> None:
    doc = load_documents(TEXT, "t.yaml")[0]
    assert doc["f"] is doc["b"]["d"]


def test_timestamps_stay_strings() -> None:
    doc = load_documents(TEXT, "t.yaml")[0]
    assert doc["b"]["d"]["e"] == "2024-01-31"


def test_block_scalar_mark_keeps_its_start_line_and_style() -> None:
    doc = load_documents(TEXT, "t.yaml")[0]
    scalar = scalar_mark(doc, "g")
    assert scalar is not None and scalar[0].line + 1 == 7 and scalar[1] == "|"


def test_invalid_yaml_reports_the_line() -> None:
    with pytest.raises(ParseError) as info:
        load_documents("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml")
    assert info.value.path == "bad.yaml"
    assert info.value.line == 3
    assert info.value.message.startswith("invalid YAML: ")


def test_python_tags_are_refused_not_executed() -> None:
    with pytest.raises(ParseError) as info:
        load_documents("a: !!python/object/apply:os.system ['echo pwned']\n", "evil.yaml")
    assert info.value.message == ("unsupported YAML tag '!!python/object/apply:os.system' (only "
                                  "standard YAML types are read; nothing is executed)")
