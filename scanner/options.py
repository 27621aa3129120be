"""One place where the config file and command-line flags become the options of a run.

Precedence: built-in defaults < ``.wardscan.yaml`` < flags. The result is frozen
(``RunOptions``) and is all the commands need: what to scan, which rules, where reports go.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.config import Config, find_config, load_config
from scanner.engine.packs import RuleSet, load_rules
from scanner.errors import UsageError
from scanner.limits import Limits
from scanner.models import Severity
from scanner.scan import ConfigSuppression, ScanOptions


@dataclass(frozen=True, slots=True)
class RunOptions:
    scan: ScanOptions
    rules: RuleSet
    format: str
    output: str | None
    outputs: tuple[tuple[str, str], ...]  # (format, path)
    strict: bool
    config: Config = field(default_factory=Config)
    jobs: int | None = None  # worker processes; None chooses (it never changes the result)


def _pick(flag: Any, config: dict[str, Any], key: str, default: Any) -> Any:
    """The flag when given (not None / not empty), else the config value, else the default."""
    if flag not in (None, (), []):
        return flag
    return config.get(key, default)


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard takes K/N, for example 2/3, not {text!r}") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text}: K must be between 1 and N")
    return (k, n)


def parse_output_formats(items: tuple[str, ...], known: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        fmt, sep, path = item.partition("=")
        if not sep or not path:
            raise UsageError(f"--output-format takes FORMAT=PATH, not {item!r}")
        if fmt not in known:
            raise UsageError(f"--output-format: unknown format {fmt!r}; one of: "
                             + ", ".join(known))
        out.append((fmt, path))
    return tuple(out)


def resolve(flags: dict[str, Any], known_formats: list[str]) -> RunOptions:
    """Merge flags (a dict of CLI values, None when not given) with the config file."""
    paths: tuple[str, ...] = flags.get("paths") or (".",)
    config = Config()
    if flags.get("config"):
        config = load_config(Path(flags["config"]))
    elif not flags.get("no_config"):
        found = find_config(paths)
        if found is not None:
            config = load_config(found)
    c = config.data
    fail_on = _pick(flags.get("fail_on"), c, "fail_on", "low")
    fmt = _pick(flags.get("format"), c, "format", "rich")
    if fmt not in known_formats:
        raise UsageError(f"unknown format {fmt!r}; one of: " + ", ".join(known_formats))
    as_of = flags.get("as_of")
    try:
        today = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise UsageError(f"--as-of takes a date as YYYY-MM-DD, not {as_of!r}") from None
    hints = tuple(flags.get("format_hints") or ()) or tuple(
        (g, f) for g, f in (c.get("format_hints") or {}).items())
    inline = c.get("inline_suppressions", True)
    if flags.get("inline_suppressions") is not None:
        inline = flags["inline_suppressions"]
    packs = dict(c.get("packs") or {})
    off = [pack for pack, flag, key in (("secrets", flags.get("secrets"), "secrets"),
                                        ("phi-data", flags.get("phi"), "phi"))
           if (flag if flag is not None else c.get(key, True)) is False]
    packs["disable"] = [*packs.get("disable", ()), *off]
    allow = c.get("allowlist") or []
    for entry in allow:
        for pattern in entry.get("values", ()):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise UsageError(f"allowlist: bad regular expression {pattern!r}: {exc}") from None
    ruleset = load_rules(tuple(_pick(flags.get("rule_paths"), c, "rules", ()))).select(
        only_packs=tuple(_pick(flags.get("packs"), packs, "only", ())),
        enable=tuple(packs.get("enable", ())), disable=tuple(packs.get("disable", ())),
        select=tuple(_pick(flags.get("select"), c, "select", ())),
        skip=tuple(_pick(flags.get("skip"), c, "skip", ())),
        severity=dict(c.get("severity_overrides") or {}),
        allow_values={e["rule"]: tuple(e.get("values", ())) for e in allow if e.get("values")},
    )
    outputs = parse_output_formats(tuple(flags.get("output_formats") or ()), known_formats) or \
        tuple((o["format"], o["path"]) for o in c.get("outputs", ()))
    for ofmt, _path in outputs:
        if ofmt not in known_formats:
            raise UsageError(f"outputs: unknown format {ofmt!r}")
    scan_options = ScanOptions(
        paths=paths, today=today, format_hints=hints,
        fail_on=None if fail_on == "none" else Severity(fail_on),
        inline_suppressions=bool(inline),
        suppressions=tuple(ConfigSuppression(s["rule"], s["reason"],
                                             tuple(s.get("paths", ("*",))), s.get("expires"))
                           for s in c.get("suppressions", ())),
        allow_paths=tuple((e["rule"], tuple(e["paths"])) for e in allow if e.get("paths")),
        limits=Limits(**(c.get("limits") or {})),
        min_severity=Severity(_pick(flags.get("severity"), c, "severity", "info")),
        exclude=tuple(_pick(flags.get("exclude"), c, "exclude", ())),
        shard=parse_shard(flags.get("shard")),
        baseline=_pick(flags.get("baseline"), c, "baseline", None),
    )
    return RunOptions(scan=scan_options, rules=ruleset, format=fmt,
                      output=_pick(flags.get("output"), c, "output", None), outputs=outputs,
                      strict=bool(flags.get("strict") or c.get("strict", False)), config=config,
                      jobs=_pick(flags.get("jobs"), c, "jobs", 0) or None)


def effective(run: RunOptions) -> dict[str, Any]:
    """The effective configuration, for ``wardscan config show``."""
    s = run.scan
    return {
        "config_file": run.config.path,
        "paths": list(s.paths),
        "format": run.format,
        "output": run.output,
        "outputs": [{"format": f, "path": p} for f, p in run.outputs],
        "fail_on": s.fail_on.value if s.fail_on else "none",
        "severity": s.min_severity.value,
        "packs": [p.id for p in run.rules.packs],
        "rules": len(run.rules.rules),
        "exclude": list(s.exclude),
        "baseline": s.baseline,
        "inline_suppressions": s.inline_suppressions,
        "suppressions": [{"rule": x.rule, "reason": x.reason, "paths": list(x.paths),
                          "expires": x.expires} for x in s.suppressions],
        "format_hints": dict(s.format_hints),
        "strict": run.strict,
        "jobs": run.jobs or 0,
        "limits": dataclasses.asdict(s.limits),
        "shard": f"{s.shard[0]}/{s.shard[1]}" if s.shard else None,
    }
