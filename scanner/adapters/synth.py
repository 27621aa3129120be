"""Derived data that still knows where each value was written.

Adapters build normalised views (a compose service's environment as a mapping, a
Terraform block's attributes, a workload's exposure through a Service in another file).
Their values did not come from one YAML node, so each key carries its ``Location``
explicitly; the engine's line lookup consults it before falling back to YAML nodes.

A location may be given as ``pending(path, container, key)``, looked up only when read:
a Kubernetes workload view records some fifty locations per container, and only the few a
finding names are ever read, while looking one up costs more than everything else the
view does with it.
"""

from __future__ import annotations

from typing import Any, overload

from scanner.models import Location
from scanner.parse.yaml import key_position

# (path, container, key, default): the location of ``container[key]``, not yet looked up
Pending = tuple[str, Any, Any, "Location | None"]


def locate_key(path: str, container: Any, key: Any = None,
               default: Location | None = None) -> Location:
    """Location of ``container[key]`` in ``path`` (the container itself with key None)."""
    explicit = getattr(container, "locs", None)
    if explicit is not None and key in explicit:
        return explicit[key]
    pos = key_position(container, key)
    if pos is None:
        return default or Location(path, 1, 1)
    return Location(path, pos[0], pos[1])


def pending(path: str, container: Any, key: Any = None,
            default: Location | None = None) -> Pending:
    """``locate_key``'s arguments, for ``SynthMap``/``SynthSeq`` to look up when read."""
    return (path, container, key, default)


def _known(where: Location | Pending | None) -> Location | None:
    return locate_key(*where) if isinstance(where, tuple) else where


class Locs(dict[Any, Any]):
    """Locations by key, each looked up the first time it is read (see ``pending``)."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Location:
        where = dict.__getitem__(self, key)
        if where.__class__ is tuple:
            where = locate_key(*where)
            dict.__setitem__(self, key, where)
        return where

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def values(self) -> Any:
        return [self[k] for k in self]

    def items(self) -> Any:
        return [(k, self[k]) for k in self]


class _Origin:
    """Where a derived container as a whole comes from (looked up on first read)."""

    __slots__ = ()
    _origin: Location | Pending | None

    @property
    def origin(self) -> Location | None:
        where = self._origin
        if where.__class__ is tuple:
            where = _known(where)
            self._origin = where  # type: ignore[misc]  # the subclasses' slot
        return where  # type: ignore[return-value]


class SynthMap(_Origin, dict[Any, Any]):
    """A mapping whose keys carry explicit locations (``locs``), and itself an ``origin``."""

    __slots__ = ("_origin", "locs")

    def __init__(self, origin: Location | Pending | None = None) -> None:
        super().__init__()
        self._origin = origin
        self.locs = Locs()

    def put(self, key: Any, value: Any, loc: Location | Pending | None = None) -> None:
        self[key] = value
        if loc is not None:
            self.locs[key] = loc


class SynthSeq(_Origin, list[Any]):
    """A sequence whose items carry explicit locations."""

    __slots__ = ("_origin", "locs")

    def __init__(self, origin: Location | Pending | None = None) -> None:
        super().__init__()
        self._origin = origin
        self.locs = Locs()

    def add(self, value: Any, loc: Location | Pending | None = None) -> None:
        if loc is not None:
            self.locs[len(self)] = loc
        self.append(value)


@overload
def loc_of(container: SynthMap | SynthSeq, key: Any, default: Location) -> Location: ...


@overload
def loc_of(container: SynthMap | SynthSeq, key: Any,
           default: None = None) -> Location | None: ...


def loc_of(container: SynthMap | SynthSeq, key: Any,
           default: Location | None = None) -> Location | None:
    """``container.locs.get(key, default)``. Modules compiled with mypyc (setup.py) read
    locations only through this: compiled code calls a dict subclass's methods as dict's,
    past ``Locs``' own, and would return a pending location unread (test_compiled)."""
    return container.locs.get(key, default)


def synth_location(container: Any, key: Any) -> Location | None:
    """The explicit location of ``container[key]`` (or of the container), if it has one."""
    locs = getattr(container, "locs", None)
    if locs is None:
        return None
    if key is not None and key in locs:
        return locs[key]
    return getattr(container, "origin", None)
