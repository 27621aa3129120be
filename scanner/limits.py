"""Bounds on what one scan reads, so hostile input can neither hang nor exhaust a CI runner.

Each bound, when exceeded, becomes a clear per-file error and the scan goes on. All are
configurable in ``.wardscan.yaml`` under ``limits:`` (see the README).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = 5 * 1024 * 1024  # a larger file is skipped with a reason
    max_total_bytes: int = 1024 * 1024 * 1024  # files beyond this are reported, not read
    max_depth: int = 256  # nesting of YAML/JSON flow collections ([ and {)
    max_documents: int = 10_000  # YAML documents in one file
    max_aliases: int = 10_000  # alias uses in one file (billion-laughs bombs)
    max_expanded: int = 1_000_000  # values a document would hold with its aliases expanded


DEFAULT = Limits()
