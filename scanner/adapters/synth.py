"""Derived data that still knows where each value was written.

Adapters build normalised views (a compose service's environment as a mapping, a
Terraform block's attributes, a workload's exposure through a Service in another file).
Their values did not come from one YAML node, so each key carries its ``Location``
explicitly; the engine's line lookup consults it before falling back to YAML nodes.
"""

from __future__ import annotations

from typing import Any

from scanner.models import Location


class SynthMap(dict[Any, Any]):
    """A mapping whose keys carry explicit locations (``locs``), and itself an ``origin``."""

    __slots__ = ("locs", "origin")

    def __init__(self, origin: Location | None = None) -> None:
        super().__init__()
        self.origin = origin
        self.locs: dict[Any, Location] = {}

    def put(self, key: Any, value: Any, loc: Location | None = None) -> None:
        self[key] = value
        if loc is not None:
            self.locs[key] = loc


class SynthSeq(list[Any]):
    """A sequence whose items carry explicit locations."""

    __slots__ = ("locs", "origin")

    def __init__(self, origin: Location | None = None) -> None:
        super().__init__()
        self.origin = origin
        self.locs: dict[int, Location] = {}

    def add(self, value: Any, loc: Location | None = None) -> None:
        if loc is not None:
            self.locs[len(self)] = loc
        self.append(value)


def synth_location(container: Any, key: Any) -> Location | None:
    """The explicit location of ``container[key]`` (or of the container), if it has one."""
    locs = getattr(container, "locs", None)
    if locs is None:
        return None
    if key is not None and key in locs:
        return locs[key]
    return getattr(container, "origin", None)
