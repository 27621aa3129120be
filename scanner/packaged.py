"""The package's own data files (schemas, templates, rule packs, framework catalogues).

Why not ``importlib.resources``: importing it, with ``zipfile`` and its readers, was about
7 ms of every scan's start-up. An install made by pip unpacks the package into a folder
(and the C modules a regular install has could not be imported from a zip anyway), so the
files are beside the modules that read them.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def packaged(*parts: str) -> Path:
    """A data file of the ``scanner`` package: ``packaged("schemas", "x.json")``."""
    return ROOT.joinpath(*parts)


def folder_of(package: str) -> Path:
    """The folder of a data package such as ``scanner.packs`` (which an install maps from
    the source tree's ``rules``); ``ModuleNotFoundError`` where there is none."""
    found = import_module(package).__file__
    assert found is not None
    return Path(found).resolve().parent
