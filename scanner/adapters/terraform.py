"""Adapter stub: Terraform HCL is not read yet."""

from __future__ import annotations

from scanner.models import Resource


def adapt_text(text: str, path: str) -> list[Resource]:
    return []
