"""Click commands only: options in, a frozen ScanOptions to the engine, text out, exit code.

``main(argv)`` returns the exit code (0 clean, 1 findings at or above --fail-on, 2 usage,
configuration, rule-pack or I/O errors) so tests call it directly. Heavy modules (the
engine, jsonschema, Rich) are imported inside the commands that need them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from scanner import __version__
from scanner.errors import ScannerError, UsageError

SEVERITIES = ["critical", "high", "medium", "low", "info"]
FORMAT_NAMES = ["rich", "json"]
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROGRESS_MIN_FILES = 20


def _debug_option(f: Any) -> Any:
    return click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
                        help="Show tracebacks for errors.")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="wardscan",
                      message="%(prog)s %(version)s")
@_debug_option
def cli() -> None:
    """wardscan: find what puts PHI at risk in AI deployment files."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="rich",
              show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--fail-on", type=click.Choice([*SEVERITIES, "none"]), default="low",
              show_default=True, help="Exit 1 when a finding is at or above this severity.")
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(),
              help="Extra rule pack file or folder (repeatable).")
@click.option("--strict", is_flag=True, help="Exit 2 when a file cannot be read or parsed.")
@click.option("--format-hint", "format_hints", multiple=True, metavar="[GLOB=]FORMAT",
              help="Read matching files (all files, and stdin, without GLOB=) as FORMAT: "
                   "aideployment, kubernetes, compose, terraform, terraform-plan, litellm, "
                   "helm-values. Repeatable.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Judge dates (risk assessment, training) as of this day; default today.")
@_debug_option
def scan(paths: tuple[str, ...], fmt: str, output: str | None, fail_on: str,
         rule_paths: tuple[str, ...], strict: bool, format_hints: tuple[str, ...],
         as_of: str | None) -> None:
    """Scan files or folders (default: the current folder); '-' reads stdin."""
    import datetime as dt

    from scanner.engine.packs import load_rules
    from scanner.models import Severity
    from scanner.report import RenderSettings, get_renderer
    from scanner.scan import ScanOptions
    from scanner.scan import scan as run_scan

    paths = paths or (".",)
    for p in paths:
        if p != "-" and not Path(p).exists() and not Path(p).is_symlink():
            raise UsageError(f"path not found: {p}")
    hints = tuple(_parse_hint(h) for h in format_hints)
    try:
        today = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise UsageError(f"--as-of takes a date as YYYY-MM-DD, not {as_of!r}") from None
    ruleset = load_rules(rule_paths)
    options = ScanOptions(paths=paths, today=today, format_hints=hints,
                          fail_on=None if fail_on == "none" else Severity(fail_on))
    result = run_scan(options, ruleset, progress=_progress_callback())
    to_terminal = output is None and sys.stdout.isatty()
    settings = RenderSettings(color=use_color(to_terminal, os.environ),
                              width=_width(to_terminal))
    text = get_renderer(fmt)(result, settings)
    _write(text, output)
    if result.errors and fmt != "rich" and output is None:
        for e in result.errors:
            click.echo(f"warning: {e.path}: {e.message}", err=True)
    code = EXIT_FINDINGS if result.failing() else EXIT_OK
    if strict and result.errors:
        code = EXIT_ERROR
    raise SystemExit(code)


def _parse_hint(text: str) -> tuple[str, str]:
    from scanner.adapters import FORMAT_NAMES as INPUT_FORMATS

    pattern, _, fmt = text.rpartition("=")
    if fmt not in INPUT_FORMATS:
        raise UsageError(f"--format-hint: unknown format {fmt!r}; one of: "
                         + ", ".join(INPUT_FORMATS))
    return (pattern or "*", fmt)


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


def _progress_callback() -> Any:
    return _Progress() if sys.stderr.isatty() else None


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    target = Path(output)
    tmp = target.with_name(f".{target.name}.wardscan-tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ScannerError(f"cannot write report: {exc.strerror}", output) from None


@cli.group()
def rules() -> None:
    """List and inspect the rules."""


@rules.command("list")
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(),
              help="Extra rule pack file or folder (repeatable).")
@_debug_option
def rules_list(rule_paths: tuple[str, ...]) -> None:
    """List every rule: id, severity, pack and title."""
    from scanner.engine.packs import load_rules

    ruleset = load_rules(rule_paths)
    for r in ruleset.rules:
        click.echo(f"{r.id:<22} {r.severity.value:<9} {r.pack:<20} {r.title}")
    click.echo(f"{len(ruleset.rules)} rules in {len(ruleset.packs)} packs")


@cli.command()
@click.argument("rule_id")
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(),
              help="Extra rule pack file or folder (repeatable).")
@_debug_option
def explain(rule_id: str, rule_paths: tuple[str, ...]) -> None:
    """Show a rule's summary, rationale, remediation, references and examples."""
    from scanner.engine.packs import load_rules
    from scanner.explain import explain_text

    rule = load_rules(rule_paths).get(rule_id.upper())
    if rule is None:
        raise UsageError(f"no rule with id {rule_id!r}; see 'wardscan rules list'")
    click.echo(explain_text(rule), nl=False)


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@_debug_option
def init(file: str | None, force: bool) -> None:
    """Write a commented starting AIDeployment manifest (default: aideployment.yaml)."""
    from importlib import resources

    text = resources.files("scanner").joinpath("templates/aideployment.yaml").read_text()
    target = Path(file or "aideployment.yaml")
    if target.exists() and not force:
        raise UsageError(f"{target} exists; use --force to overwrite")
    _write(text, str(target))
    click.echo(f"wrote {target}; edit it, then run: wardscan scan {target}", err=True)


@cli.command()
@_debug_option
def schema() -> None:
    """Print the AIDeployment manifest JSON Schema (draft 2020-12)."""
    from importlib import resources

    click.echo(resources.files("scanner").joinpath("schemas/manifest.schema.json").read_text(),
               nl=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of exiting."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="wardscan", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        if debug:
            raise
        exc.show()
        return EXIT_ERROR
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_ERROR
    except ScannerError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}" if not str(exc).startswith("error:") else str(exc), err=True)
        return EXIT_ERROR
    except Exception as exc:  # never a traceback without --debug
        if debug:
            raise
        click.echo(f"error: internal error: {type(exc).__name__}: {exc} "
                   "(run with --debug for details)", err=True)
        return EXIT_ERROR
    return EXIT_OK
