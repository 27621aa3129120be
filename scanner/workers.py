"""``--jobs N``: the per-file pipeline in N processes (this one and N - 1 forked children),
with the result of one process.

Why this is exact: a file's findings depend only on that file (cross-file exposure is kept
as records and resolved at the end), so files can be scanned anywhere as long as their
results are joined in file order. Children are forked, so they start with the compiled rules
of the parent (rules hold closures, which cannot be sent to a process); where the platform
cannot fork, the scan runs in one process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.errors import ScannerError
from scanner.scan import STDIN, Batch, FileScanner, scan_files

if TYPE_CHECKING:
    from concurrent.futures import Future

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


AHEAD = 1  # chunks handed to each child beyond the one it is scanning
MAX_CHUNK = 64
MIN_CHUNK = 4


def chunked(files: Sequence[str], workers: int) -> list[list[str]]:
    """``files`` in consecutive chunks, each a quarter of an even share of what is left
    (within ``MIN_CHUNK`` to ``MAX_CHUNK`` files), so the last ones are small and no process
    is left scanning a large chunk while the others have finished."""
    out = []
    at = 0
    while at < len(files):
        size = max(MIN_CHUNK, min(MAX_CHUNK, (len(files) - at) // (workers * 4)))
        out.append(list(files[at:at + size]))
        at += size
    return out


def scan_in_workers(files: Sequence[str], per_file: FileScanner, workers: int,
                    progress: Callable[[int, int, str], None] | None = None) -> Batch:
    """Scan ``files`` in ``workers`` processes, this one and ``workers - 1`` forked children;
    batches are joined in file order.

    Why this process scans too: it would otherwise only wait, and the chunks it scans itself
    are neither pickled nor sent, and need no process of their own. It keeps each child
    ``AHEAD`` chunks ahead, then takes the next chunk for itself, so a slow child (or a slow
    core) gets fewer chunks, not longer waits."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _scanner
    chunks = chunked(files, workers)
    children = workers - 1
    sent: dict[int, Future[Batch]] = {}
    kept: dict[int, Batch] = {}
    joined = Batch()
    reported = 0  # chunks joined (and reported to ``progress``) so far
    _scanner = per_file
    try:
        # An executor, not a Pool: if a child dies (out of memory, killed), the scan stops
        # with an error instead of waiting forever for the chunk it was given.
        with ProcessPoolExecutor(children,
                                 mp_context=multiprocessing.get_context("fork")) as ex:
            taken = 0
            while taken < len(chunks):
                waiting = sum(1 for f in sent.values() if not f.done())
                while waiting < children * (AHEAD + 1) and taken < len(chunks):
                    sent[taken] = ex.submit(_scan_chunk, chunks[taken])
                    taken += 1
                    waiting += 1
                if taken < len(chunks):
                    kept[taken] = scan_files(chunks[taken], per_file, budget=1 << 62)
                    taken += 1
                reported = _join(chunks, sent, kept, joined, reported, progress, False)
            reported = _join(chunks, sent, kept, joined, reported, progress, True)
            assert reported == len(chunks)
    except BrokenProcessPool:
        raise ScannerError("a worker process stopped unexpectedly (out of memory?); "
                           "run again with --jobs 1") from None
    finally:
        _scanner = None
    return joined


def _join(chunks: list[list[str]], sent: dict[int, Future[Batch]], kept: dict[int, Batch],
          joined: Batch, start: int, progress: Callable[[int, int, str], None] | None,
          wait: bool) -> int:
    """Join the batches of chunks ``start``, ``start + 1``... that are ready (all of them,
    waiting for the children, when ``wait``); returns the first chunk not joined."""
    total = sum(len(c) for c in chunks)
    done = sum(len(c) for c in chunks[:start])
    i = start
    while i < len(chunks):
        if i in kept:
            batch = kept.pop(i)
        elif i in sent and (wait or sent[i].done()):
            batch = sent.pop(i).result()
        else:
            break  # not ready, or not taken yet
        joined.extend(batch)
        for path in chunks[i]:
            done += 1
            if progress is not None:
                progress(done, total, path)
        i += 1
    return i
