"""GitHub Actions workflow commands: each active finding becomes an annotation on its line.

Escaping follows ``@actions/core``: a message or path from a scanned file must not be able to
end the command early or start a new one (a newline followed by ``::set-output`` would
otherwise be obeyed by the runner). GitHub shows only 10 annotations per level per step, so
the most severe come first; every finding is still in the log. Suppressed findings are not
annotated. The last line is a plain-text verdict for the log.
"""

from __future__ import annotations

from scanner.models import Finding, ScanResult, Severity
from scanner.report import RenderSettings
from scanner.report.markdown import verdict
from scanner.report.sarif import relative_path

LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "notice", Severity.INFO: "notice"}
SHOWN_PER_LEVEL = 10  # annotations GitHub displays per level and step


def escape_data(text: str) -> str:
    """Escape a command's message, as ``@actions/core`` ``escapeData`` does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``), as ``escapeProperty`` does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **props: str | int | None) -> str:
    given = ",".join(f"{key}={escape_property(str(value))}" for key, value in props.items()
                     if value is not None)
    return f"::{level} {given}::{escape_data(message)}" if given else \
        f"::{level}::{escape_data(message)}"


def _annotation(f: Finding, root: str | None) -> str:
    return command(LEVELS[f.severity], f.message,
                   file=relative_path(f.location.path, root), line=max(1, f.location.line),
                   col=max(1, f.location.column), title=f"{f.rule_id} {f.title}")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _summary(result: ScanResult) -> str:
    passed, why = verdict(result)
    levels = [LEVELS[f.severity] for f in result.active()]
    hidden = sorted({lv for lv in levels if levels.count(lv) > SHOWN_PER_LEVEL})
    tail = (f" GitHub shows at most {SHOWN_PER_LEVEL} {'/'.join(hidden)} annotations per "
            "step; all findings are listed above." if hidden else "")
    return (f"wardscan {'PASS' if passed else 'FAIL'}: {why}. "
            f"{_plural(len(result.active()), 'finding')}, "
            f"{len(result.suppressed())} suppressed.{tail}")


def workflow_commands(result: ScanResult, root: str | None) -> str:
    """The commands, paths relative to ``root`` (the checkout) when they lie inside it."""
    findings = sorted(result.active(), key=lambda f: -f.severity.rank)  # stable
    lines = [_annotation(f, root) for f in findings]
    lines += [command("error", e.message, file=relative_path(e.path, root),
                      line=max(1, e.line) if e.line else None,
                      title="wardscan could not scan this file") for e in result.errors]
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def render(result: ScanResult, settings: RenderSettings) -> str:
    return workflow_commands(result, settings.root)
