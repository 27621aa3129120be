"""Click commands only: options in, a frozen ScanOptions to the engine, text out, exit code.

``main(argv)`` returns the exit code (0 clean, 1 findings at or above --fail-on, 2 usage,
configuration, rule-pack or I/O errors) so tests call it directly. Heavy modules (the
engine, jsonschema, Rich) are imported inside the commands that need them.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from scanner import __version__
from scanner.cli_output import emit, progress_callback, write
from scanner.errors import ScannerError, UsageError

SEVERITIES = ["critical", "high", "medium", "low", "info"]
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _debug_option(f: Any) -> Any:
    return click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
                        help="Show tracebacks for errors.")(f)


def _rules_option(f: Any) -> Any:
    return click.option("--rules", "rule_paths", multiple=True, type=click.Path(),
                        help="Extra rule pack file or folder (repeatable).")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="wardscan",
                      message="%(prog)s %(version)s")
@_debug_option
def cli() -> None:
    """wardscan: find what puts PHI at risk in AI deployment files."""


def _report_formats() -> list[str]:
    from scanner.report import FORMATS

    return sorted(FORMATS)


def scan_options(f: Any) -> Any:
    """The options every scanning command takes (scan, baseline create)."""
    options: list[Callable[[Any], Any]] = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--config", type=click.Path(dir_okay=False),
                     help="Config file (default: .wardscan.yaml from the scanned folder up)."),
        click.option("--no-config", is_flag=True, help="Ignore .wardscan.yaml files."),
        click.option("--fail-on", type=click.Choice([*SEVERITIES, "none"]),
                     help="Exit 1 on active findings at or above this severity [default: low]."),
        click.option("--severity", type=click.Choice(SEVERITIES),
                     help="Report only findings at or above this severity."),
        _rules_option,
        click.option("--pack", "packs", multiple=True, help="Run only this pack (repeatable)."),
        click.option("--rule", "select", multiple=True,
                     help="Run only rules matching this id or glob (repeatable)."),
        click.option("--skip-rule", "skip", multiple=True,
                     help="Do not run rules matching this id or glob (repeatable)."),
        click.option("--exclude", multiple=True,
                     help="Do not scan paths matching this glob (repeatable)."),
        click.option("--baseline", type=click.Path(dir_okay=False),
                     help="Fail only on findings not in this baseline file."),
        click.option("--inline-suppressions/--no-inline-suppressions", default=None,
                     help="Honour wardscan:ignore comments and annotations [default: on]."),
        click.option("--shard", metavar="K/N", help="Scan only shard K of N (CI matrices)."),
        click.option("--secrets/--no-secrets", default=None,
                     help="Run the secret detectors [default: on]."),
        click.option("--phi/--no-phi", default=None, help="Run the PHI detectors [default: on]."),
        click.option("--jobs", "-j", type=click.IntRange(min=0), default=None, metavar="N",
                     help="Worker processes [default: 0, the CPU count, one for small "
                          "scans]. The report is the same whatever N."),
        click.option("--strict", is_flag=True, default=None,
                     help="Exit 2 when a file cannot be read or parsed."),
        click.option("--format-hint", "format_hints", multiple=True, metavar="[GLOB=]FORMAT",
                     help="Read matching files (all files, and stdin, without GLOB=) as FORMAT: "
                          "aideployment, kubernetes, compose, terraform, terraform-plan, "
                          "litellm, helm-values. Repeatable."),
        click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
                     help="Judge dates (risk assessment, training) as of this day; default "
                          "today."),
        _debug_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _resolve(params: dict[str, Any]) -> Any:
    from scanner.options import resolve

    paths = params.get("paths") or (".",)
    for p in paths:
        if p != "-" and not Path(p).exists() and not Path(p).is_symlink():
            raise UsageError(f"path not found: {p}")
    params = {**params, "paths": paths,
              "format_hints": tuple(_parse_hint(h) for h in params.get("format_hints") or ())}
    return resolve(params, _report_formats())


@cli.command()
@scan_options
@click.option("--format", "fmt", help="Report format: rich (default), json, sarif, junit, "
                                      "github, markdown, html.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the report here instead of stdout.")
@click.option("--output-format", "output_formats", multiple=True, metavar="FORMAT=PATH",
              help="Also write a report in FORMAT to PATH (repeatable).")
@click.option("--compliance", "frameworks", multiple=True, metavar="FRAMEWORK",
              help="Add a per-control report: hipaa, owasp-llm-2025, nist-ai-rmf, eu-ai-act, "
                   "mitre-atlas, ... (repeatable).")
def scan(**params: Any) -> None:
    """Scan files or folders (default: the current folder); '-' reads stdin."""
    from scanner.scan import scan as run_scan

    params["format"] = params.pop("fmt")
    frameworks = params.pop("frameworks")
    run = _resolve(params)
    result = _with_compliance(run_scan(run.scan, run.rules, progress=progress_callback(),
                                         jobs=run.jobs),
                              frameworks)
    emit(result, run.format, run.output, run.outputs)
    code = EXIT_FINDINGS if result.failing() else EXIT_OK
    if run.strict and result.errors:
        code = EXIT_ERROR
    raise SystemExit(code)


def _with_compliance(result: Any, frameworks: tuple[str, ...]) -> Any:
    if not frameworks:
        return result
    from scanner.catalogue import catalogue
    from scanner.compliance import compliance

    reports = tuple(compliance(result, catalogue(f)) for f in frameworks)
    return dataclasses.replace(result, compliance=reports)


@cli.group()
def baseline() -> None:
    """Record today's findings so CI fails only on new ones."""


@baseline.command("create")
@scan_options
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              default=".wardscan-baseline.json", show_default=True,
              help="Where to write the baseline.")
def baseline_create(**params: Any) -> None:
    """Scan and write every active finding to a baseline file."""
    from scanner.baseline import render_baseline
    from scanner.scan import scan as run_scan

    output = params.pop("output")
    params["baseline"] = None
    run = _resolve(params)
    options = dataclasses.replace(run.scan, baseline=None)
    result = run_scan(options, run.rules, progress=progress_callback(), jobs=run.jobs)
    write(render_baseline(result.findings, result.tool_version), output)
    click.echo(f"wrote {output}: {len(result.active())} findings baselined", err=True)


@cli.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", default="json", show_default=True,
              help="Format of the merged report.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the merged report here instead of stdout.")
@click.option("--fail-on", type=click.Choice([*SEVERITIES, "none"]),
              help="Exit 1 on findings at or above this (default: the reports' own).")
@click.option("--compliance", "frameworks", multiple=True, metavar="FRAMEWORK",
              help="Add a per-control report (repeatable).")
@_debug_option
def merge(reports: tuple[str, ...], fmt: str, output: str | None, fail_on: str | None,
          frameworks: tuple[str, ...]) -> None:
    """Join the JSON reports of sharded scans into one report."""
    from scanner.merge import merge_reports
    from scanner.models import Severity

    if fmt not in _report_formats():
        raise UsageError(f"unknown format {fmt!r}; one of: " + ", ".join(_report_formats()))
    result = _with_compliance(merge_reports(reports), frameworks)
    if fail_on is not None:
        result = dataclasses.replace(
            result, fail_on=None if fail_on == "none" else Severity(fail_on))
    emit(result, fmt, output, ())
    raise SystemExit(EXIT_FINDINGS if result.failing() else EXIT_OK)


@cli.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("show")
@scan_options
def config_show(**params: Any) -> None:
    """Print the effective configuration (config file merged with flags) as YAML."""
    import yaml

    from scanner.options import effective

    run = _resolve(params)
    click.echo(yaml.safe_dump(effective(run), sort_keys=False), nl=False)


def _parse_hint(text: str) -> tuple[str, str]:
    from scanner.adapters import FORMAT_NAMES as INPUT_FORMATS

    pattern, _, fmt = text.rpartition("=")
    if fmt not in INPUT_FORMATS:
        raise UsageError(f"--format-hint: unknown format {fmt!r}; one of: "
                         + ", ".join(INPUT_FORMATS))
    return (pattern or "*", fmt)


@cli.group()
def rules() -> None:
    """List and inspect the rules."""


@rules.command("list")
@_rules_option
@_debug_option
def rules_list(rule_paths: tuple[str, ...]) -> None:
    """List every rule: id, severity, pack and title."""
    from scanner.engine.packs import load_rules

    ruleset = load_rules(rule_paths)
    for r in ruleset.rules:
        click.echo(f"{r.id:<22} {r.severity.value:<9} {r.pack:<20} {r.title}")
    click.echo(f"{len(ruleset.rules)} rules in {len(ruleset.packs)} packs")


@rules.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@_debug_option
def rules_validate(paths: tuple[str, ...]) -> None:
    """Check rule packs: schema, operators, regexes, controls, ids, examples that parse."""
    from scanner.packtools import report, validate

    outcomes = validate(paths)
    click.echo(report(outcomes), nl=False)
    raise SystemExit(EXIT_OK if all(o.passed for o in outcomes) else EXIT_ERROR)


@rules.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@_debug_option
def rules_test(paths: tuple[str, ...]) -> None:
    """Run every rule's examples and annotated fixture files (# ruleid: / # ok:)."""
    from scanner.packtools import report, run_tests

    outcomes = run_tests(paths)
    click.echo(report(outcomes), nl=False)
    raise SystemExit(EXIT_OK if all(o.passed for o in outcomes) else EXIT_FINDINGS)


@rules.command("docs")
@_rules_option
@_debug_option
def rules_docs(rule_paths: tuple[str, ...]) -> None:
    """Print every rule's documentation as Markdown (this is docs/rules.md)."""
    from scanner.engine.packs import load_rules
    from scanner.explain import rules_document

    ruleset = load_rules(rule_paths)
    click.echo(rules_document(ruleset.rules, ruleset.packs), nl=False)


@rules.command("coverage")
@click.option("--framework", required=True, help="hipaa, owasp-llm-2025, nist-ai-rmf, ...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@_rules_option
@_debug_option
def rules_coverage(framework: str, fmt: str, rule_paths: tuple[str, ...]) -> None:
    """Each control of a framework with the rules that check it, and those none checks."""
    from scanner.coverage import coverage_json, coverage_text

    render = coverage_json if fmt == "json" else coverage_text
    click.echo(render(framework, rule_paths), nl=False)


@cli.command()
@click.argument("rule_id")
@_rules_option
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
    from scanner.packaged import packaged

    text = packaged("templates", "aideployment.yaml").read_text(encoding="utf-8")
    target = Path(file or "aideployment.yaml")
    if target.exists() and not force:
        raise UsageError(f"{target} exists; use --force to overwrite")
    write(text, str(target))
    click.echo(f"wrote {target}; edit it, then run: wardscan scan {target}", err=True)


@cli.command()
@_debug_option
def schema() -> None:
    """Print the AIDeployment manifest JSON Schema (draft 2020-12)."""
    from scanner.packaged import packaged

    click.echo(packaged("schemas", "manifest.schema.json").read_text(encoding="utf-8"),
               nl=False)


def _passphrase(env_name: str | None) -> bytes | None:
    if not env_name:
        return None
    value = os.environ.get(env_name)
    if not value:
        raise UsageError(f"--passphrase-env {env_name}: that environment variable is not set")
    return value.encode("utf-8")


_passphrase_option = click.option(
    "--passphrase-env", metavar="VAR",
    help="Encrypt/decrypt the private key with the passphrase in this environment variable.")


@cli.command()
@click.option("--out", "stem", required=True, metavar="STEM",
              help="Write STEM.key (private, mode 0600) and STEM.pub (public).")
@click.option("--force", is_flag=True, help="Replace existing key files.")
@_passphrase_option
@_debug_option
def keygen(stem: str, force: bool, passphrase_env: str | None) -> None:
    """Create an Ed25519 key pair for signing attestations."""
    from scanner.signing import write_key_pair

    private, public, keyid = write_key_pair(stem, force, _passphrase(passphrase_env))
    click.echo(f"wrote {private} (private: keep it secret) and {public} (give this to "
               f"whoever verifies)\nkey id {keyid}")


@cli.command()
@scan_options
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False),
              help="The private key from 'wardscan keygen'.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="Write the signed attestation (DSSE envelope, JSON) here.")
@_passphrase_option
def attest(**params: Any) -> None:
    """Scan and write a signed attestation of the result (in-toto Statement v1 in a DSSE
    envelope): the files' sha256, the configuration, per-control results and findings.
    Exit code as for scan: 1 when findings reach the threshold (the attestation is still
    written)."""
    from scanner.attestation import payload_bytes, statement, timestamp
    from scanner.scan import scan as run_scan
    from scanner.signing import envelope_text, load_private, sign_envelope

    if "-" in (params.get("paths") or ()):
        raise UsageError("attest signs files by their digest; it cannot read stdin")
    key, keyid = load_private(params.pop("key_path"), _passphrase(params.pop("passphrase_env")))
    output = params.pop("output")
    run = _resolve({**params, "format": None})
    result = run_scan(run.scan, run.rules, progress=progress_callback(), jobs=run.jobs)
    stmt = statement(result, run.scan, run.rules, timestamp())
    write(envelope_text(sign_envelope(payload_bytes(stmt), key, keyid)), output)
    summary = stmt["predicate"]["summary"]
    verdict = "passed" if summary["passed"] else f"failed ({summary['failing']} at or above " \
        f"{result.fail_on.value if result.fail_on else '-'})"
    click.echo(f"wrote {output}: {len(stmt['subject'])} files, {summary['findings']} findings, "
               f"{verdict}; signed by key {keyid[:16]}", err=True)
    for e in result.errors:
        click.echo(f"warning: {e.path}: {e.message}", err=True)
    code = EXIT_FINDINGS if result.failing() else EXIT_OK
    if run.strict and result.errors:
        code = EXIT_ERROR
    raise SystemExit(code)


@cli.command()
@click.argument("attestation", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False),
              help="The signer's public key (.pub).")
@click.option("--rescan", is_flag=True,
              help="Also scan PATHS again with the attested configuration and compare the "
                   "findings.")
@_rules_option
@click.option("--baseline", type=click.Path(dir_okay=False),
              help="With --rescan: the baseline the attested scan used.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@_debug_option
def verify(attestation: str, paths: tuple[str, ...], key_path: str, rescan: bool,
           rule_paths: tuple[str, ...], baseline: str | None, fmt: str) -> None:
    """Check an attestation: its signature and payload type, and, given PATHS, that the
    files match the attested sha256 (none added, missing or changed). Exit 0 valid,
    1 not valid, 2 when it cannot be checked."""
    from scanner.verify import verify_attestation

    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"path not found: {p}")
    if rescan and not paths:
        raise UsageError("--rescan needs the PATHS to scan")
    report = verify_attestation(attestation, key_path, list(paths), rescan, rule_paths,
                                baseline)
    click.echo(report.as_json() if fmt == "json" else report.as_text(), nl=False)
    raise SystemExit(EXIT_OK if report.valid else EXIT_FINDINGS)


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
