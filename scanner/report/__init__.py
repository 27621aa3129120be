"""Formatters: pure ``render(result, settings) -> str`` functions in one explicit registry.

The CLI decides where the text goes; formatters never print, open files or read the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module

from scanner.models import ScanResult


@dataclass(frozen=True, slots=True)
class RenderSettings:
    """How to render: colour and width matter only to the terminal report."""

    color: bool = False
    width: int = 100
    root: str = ""  # absolute paths under it are shown relative (SARIF, GitHub); "" = as given


Renderer = Callable[[ScanResult, RenderSettings], str]

# format name -> module defining ``render``; imported only when that format is asked for.
FORMATS: dict[str, str] = {
    "rich": "scanner.report.console",
    "json": "scanner.report.json_report",
    "sarif": "scanner.report.sarif",
    "junit": "scanner.report.junit",
    "github": "scanner.report.github",
    "markdown": "scanner.report.markdown",
    "html": "scanner.report.html",
}


def get_renderer(name: str) -> Renderer:
    module = import_module(FORMATS[name])
    render: Renderer = module.render
    return render


def get_chunked_renderer(name: str) -> Callable[[ScanResult, RenderSettings], Iterable[str]]:
    """The format's ``render_chunks`` when it streams (large reports stay out of memory),
    else its ``render`` as one chunk."""
    module = import_module(FORMATS[name])
    chunks = getattr(module, "render_chunks", None)
    if chunks is not None:
        return chunks
    render: Renderer = module.render
    return lambda result, settings: (render(result, settings),)
