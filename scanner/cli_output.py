"""Where the CLI's text goes: reports to stdout or files (atomically), progress to stderr.

Kept apart from the Click commands so that each command stays a few lines of wiring.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import click

from scanner.errors import ScannerError

PROGRESS_MIN_FILES = 20


def emit(result: Any, fmt: str, output: str | None, outputs: tuple[tuple[str, str], ...]) -> None:
    """Render every requested report; files are written atomically, stdout last."""
    from scanner.report import RenderSettings, get_chunked_renderer

    root = str(Path.cwd())
    for ofmt, path in outputs:
        write(get_chunked_renderer(ofmt)(result, RenderSettings(root=root)), path)
    to_terminal = output is None and sys.stdout.isatty()
    settings = RenderSettings(color=use_color(to_terminal, os.environ),
                              width=_width(to_terminal), root=root)
    write(get_chunked_renderer(fmt)(result, settings), output)
    if result.errors and (fmt != "rich" or output is not None):
        for e in result.errors:
            click.echo(f"warning: {e.path}: {e.message}", err=True)


def use_color(terminal: bool, environ: Mapping[str, str]) -> bool:
    """Colour only at a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return terminal and not environ.get("NO_COLOR")


def _width(terminal: bool) -> int:
    if terminal:
        import shutil

        return max(80, min(shutil.get_terminal_size().columns, 160))
    try:
        return max(80, min(int(os.environ.get("COLUMNS", "")), 200))
    except ValueError:
        return 100


class _Progress:
    """A Rich progress bar on stderr, shown only at a terminal and for many files."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int, path: str) -> None:
        if total < PROGRESS_MIN_FILES:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("scanning", total=total)
        self._bar.update(self._task, completed=done)
        if done >= total:
            self._bar.stop()


def progress_callback() -> Any:
    return _Progress() if sys.stderr.isatty() else None


def write(text: str | Iterable[str], output: str | None) -> None:
    """Text (or chunks of it) to stdout, or to a file written atomically (a temporary file
    beside it, renamed when complete, so CI never reads half a report)."""
    chunks = (text,) if isinstance(text, str) else text
    if output is None:
        for chunk in chunks:
            click.echo(chunk, nl=False)
        return
    target = Path(output)
    tmp = target.with_name(f".{target.name}.wardscan-tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(chunk)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ScannerError(f"cannot write report: {exc.strerror}", output) from None
