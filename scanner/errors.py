"""One exception root for everything the CLI turns into exit code 2.

Each error carries the file (and where known the line) it is about, so the CLI can print
``error: FILE:LINE: message`` without a traceback.
"""

from __future__ import annotations


class ScannerError(Exception):
    """Base of every error wardscan reports to the user as exit code 2."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class UsageError(ScannerError):
    """Bad command-line input that Click itself cannot catch (a missing path, say)."""


class ConfigError(ScannerError):
    """A configuration file that cannot be read or breaks its schema."""


class RulePackError(ScannerError):
    """A rule pack that cannot be loaded: unreadable, schema errors, bad regex, duplicate id."""

    def __init__(self, problems: list[str], path: str | None = None) -> None:
        super().__init__("; ".join(problems), path)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


class ParseError(ScannerError):
    """A scanned file that cannot be parsed; reported per file, the scan goes on."""
