"""Walk the given paths into a sorted list of files to scan, with reasons for what is skipped.

Never follows a symlink out of the scanned root, never descends into VCS or dependency
folders, and skips files over the size limit with a reported reason.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from scanner.adapters.dotenv import is_dotenv
from scanner.models import FileError

SCANNED_SUFFIXES = (".yaml", ".yml", ".tf", ".json")
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv",
                          "venv", ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache"})
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Discovered:
    files: tuple[str, ...]
    errors: tuple[FileError, ...]
    sizes: tuple[int, ...]  # of ``files``, in bytes, as discovery found them


def _display(path: Path) -> str:
    return path.as_posix()


def _loops(path: Path) -> bool:
    try:
        path.resolve(strict=True)
    except RuntimeError:
        return True
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


IGNORE_FILE = ".wardscanignore"


def ignore_patterns(root: Path) -> list[str]:
    """Globs from ``root/.wardscanignore`` (one per line, ``#`` comments, ``dir/`` for folders)."""
    try:
        lines = (root / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def excluded(rel: str, patterns: list[str] | tuple[str, ...]) -> bool:
    """Whether a relative POSIX path (or one of its folders) matches an exclude glob."""
    parts = rel.split("/")
    for pattern in patterns:
        pat = pattern.rstrip("/").lstrip("./") if pattern not in ("./", ".") else pattern
        dir_only = pattern.endswith("/")
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            is_dir = i < len(parts)
            if dir_only and not is_dir:
                continue
            if fnmatch.fnmatch(prefix, pat) or ("/" not in pat and fnmatch.fnmatch(parts[i - 1],
                                                                                   pat)):
                return True
    return False


def discover(paths: list[str] | tuple[str, ...], max_bytes: int = MAX_FILE_BYTES,
             exclude: tuple[str, ...] = ()) -> Discovered:
    """Files under ``paths`` worth scanning. A file named directly is always scanned."""
    files: set[str] = set()
    errors: list[FileError] = []
    for given in paths:
        top = Path(given)
        if top.is_file():
            if not excluded(top.as_posix(), exclude):
                files.add(_display(top))
            continue
        root = top.resolve()
        patterns = [*exclude, *ignore_patterns(top)]
        for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
            rel_dir = Path(dirpath).relative_to(top).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS
                                 and not excluded(f"{rel_dir}{d}/", patterns))
            # a file's name as ``_display(Path(dirpath) / name)`` writes it, made with strings:
            # Path objects per file were most of the time discovery took (hence the noqa)
            base = _display(Path(dirpath))
            prefix = "" if base == "." else base if base.endswith("/") else base + "/"
            for name in filenames:
                wanted = name.endswith(SCANNED_SUFFIXES) or is_dotenv(name)
                if not wanted or excluded(rel_dir + name, patterns):
                    continue
                if not os.path.islink(os.path.join(dirpath, name)):  # noqa: PTH114, PTH118
                    files.add(prefix + name)
                    continue
                p = Path(dirpath) / name
                if not _inside(p, root):
                    if _loops(p):
                        errors.append(FileError(_display(p), "symbolic link loop; not scanned"))
                    elif p.exists():
                        errors.append(FileError(_display(p), "symlink points outside the "
                                                             "scanned folder; not followed"))
                    else:
                        errors.append(FileError(_display(p), "broken symbolic link; not "
                                                             "scanned"))
                    continue
                files.add(_display(p))
    kept, sizes = [], []
    for f in sorted(files):
        try:
            info = os.stat(f)  # noqa: PTH116 (a Path per file costs more than the call)
        except FileNotFoundError:
            if Path(f).is_symlink():
                errors.append(FileError(f, "broken symbolic link; not scanned"))
            else:
                errors.append(FileError(f, "file disappeared during the scan"))
            continue
        except OSError as exc:
            reason = "symbolic link loop" if exc.errno == errno.ELOOP else exc.strerror
            errors.append(FileError(f, f"cannot read: {reason}"))
            continue
        if not stat.S_ISREG(info.st_mode):
            continue  # FIFOs, sockets and devices are never read (a FIFO would block)
        if info.st_size > max_bytes:
            errors.append(FileError(f, f"file is {info.st_size} bytes, over the {max_bytes}-byte "
                                       "limit; not scanned"))
            continue
        kept.append(f)
        sizes.append(info.st_size)
    return Discovered(tuple(kept), tuple(sorted(errors)), tuple(sizes))
