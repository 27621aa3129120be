"""``--jobs``: the per-file pipeline in worker processes, with the result of one process.

Why this is exact: a file's findings depend only on that file (cross-file exposure is kept
as records and resolved at the end), so files can be scanned anywhere as long as their
results are joined in file order. Workers are forked, so they start with the compiled rules
of the parent (rules hold closures, which cannot be sent to a process); where the platform
cannot fork, the scan runs in one process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from scanner.errors import ScannerError
from scanner.scan import STDIN, Batch, FileScanner, scan_files

MAX_AUTO_JOBS = 8
MIN_FILES_PER_WORKER = 40  # below this, starting a worker costs more than it saves
_scanner: FileScanner | None = None  # the parent's, inherited by forked workers


def cpu_count() -> int:
    """CPUs this process may run on (a container's CPU set, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def plan_jobs(requested: int | None, files: Sequence[str], max_total_bytes: int,
              total_bytes: int | None = None) -> int:
    """How many worker processes to use: ``requested`` (None: the CPU count, at most
    ``MAX_AUTO_JOBS``, and one per ``MIN_FILES_PER_WORKER`` files). One process when the
    platform cannot fork, when stdin is read, or when the files may exceed the total size
    limit (which is applied in file order). ``total_bytes``: the files' size when discovery
    has it already (otherwise each file is looked at)."""
    if requested == 1 or len(files) < 2 or STDIN in files:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if requested is None:
        wanted = min(cpu_count(), MAX_AUTO_JOBS, len(files) // MIN_FILES_PER_WORKER)
    else:
        wanted = min(requested, len(files))
    if wanted <= 1:
        return 1
    if total_bytes is not None:
        return 1 if total_bytes > max_total_bytes else wanted
    total = 0
    for path in files:
        try:
            total += Path(path).stat().st_size
        except OSError:
            continue  # reported by the worker that reads it
    return 1 if total > max_total_bytes else wanted


def _scan_chunk(paths: list[str]) -> Batch:
    assert _scanner is not None
    return scan_files(paths, _scanner, budget=1 << 62)


def scan_in_workers(files: Sequence[str], per_file: FileScanner, workers: int,
                    progress: Callable[[int, int, str], None] | None = None) -> Batch:
    """Scan ``files`` in ``workers`` forked processes; batches are joined in file order."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _scanner
    size = max(1, min(64, len(files) // (workers * 8)))
    chunks = [list(files[i:i + size]) for i in range(0, len(files), size)]
    joined = Batch()
    done = 0
    _scanner = per_file
    try:
        # An executor, not a Pool: if a worker dies (out of memory, killed), the scan stops
        # with an error instead of waiting forever for the chunk it was given.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as ex:
            for chunk, batch in zip(chunks, ex.map(_scan_chunk, chunks), strict=True):
                joined.extend(batch)
                for path in chunk:
                    done += 1
                    if progress is not None:
                        progress(done, len(files), path)
    except BrokenProcessPool:
        raise ScannerError("a worker process stopped unexpectedly (out of memory?); "
                           "run again with --jobs 1") from None
    finally:
        _scanner = None
    return joined
