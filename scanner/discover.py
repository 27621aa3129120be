"""Walk the given paths into a sorted list of files to scan, with reasons for what is skipped.

Never follows a symlink out of the scanned root, never descends into VCS or dependency
folders, and skips files over the size limit with a reported reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from scanner.models import FileError

SCANNED_SUFFIXES = (".yaml", ".yml", ".tf", ".json")
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv",
                          "venv", ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache"})
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Discovered:
    files: tuple[str, ...]
    errors: tuple[FileError, ...]


def _display(path: Path) -> str:
    return path.as_posix()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def discover(paths: list[str] | tuple[str, ...], max_bytes: int = MAX_FILE_BYTES) -> Discovered:
    """Files under ``paths`` worth scanning. A file named directly is always scanned."""
    files: set[str] = set()
    errors: list[FileError] = []
    for given in paths:
        top = Path(given)
        if top.is_file():
            files.add(_display(top))
            continue
        root = top.resolve()
        for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
            for name in filenames:
                if not name.endswith(SCANNED_SUFFIXES):
                    continue
                p = Path(dirpath) / name
                if p.is_symlink() and not _inside(p, root):
                    errors.append(FileError(_display(p), "symlink points outside the scanned "
                                                         "folder; not followed"))
                    continue
                files.add(_display(p))
    kept = []
    for f in sorted(files):
        try:
            size = Path(f).stat().st_size
        except OSError as exc:
            errors.append(FileError(f, f"cannot read: {exc.strerror}"))
            continue
        if size > max_bytes:
            errors.append(FileError(f, f"file is {size} bytes, over the {max_bytes}-byte limit; "
                                       "not scanned"))
            continue
        kept.append(f)
    return Discovered(tuple(kept), tuple(sorted(errors)))
