"""Adapter stub: recognises nothing yet."""

from __future__ import annotations

from typing import Any

from scanner.models import Resource


def detect(doc: Any) -> bool:
    return False


def adapt(doc: Any, path: str, index: int) -> list[Resource]:
    return []
