"""``--jobs N``: the per-file pipeline in N processes (this one and N - 1 forked children),
with the result of one process.

Why this is exact: a file's findings depend only on that file (cross-file exposure is kept
as records and resolved at the end), so files can be scanned anywhere as long as their
results are joined in file order. Children are forked, so they start with the compiled rules
of the parent (rules hold closures, which cannot be sent to a process); where the platform
cannot fork, the scan runs in one process.

Why ``os.fork`` and two pipes per child rather than ``multiprocessing`` or an executor:
importing those and starting an executor's queues and threads took about 25 ms before the
first child scanned a file, and shutting it down 10 ms after the last, all while no other
work ran; a child here only reads chunk numbers and writes pickled batches.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import sys
import threading
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
    if not hasattr(os, "fork"):
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
_INDEX = struct.Struct("<i")  # a chunk number, parent to child (-1: no more)
_SIZE = struct.Struct("<Q")  # the length of a pickled (chunk number, batch), child to parent
_FAILED = -2  # in place of a chunk number: what follows is the exception the child raised


def _stopped() -> ScannerError:
    return ScannerError("a worker process stopped unexpectedly (out of memory?); "
                        "run again with --jobs 1")


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


def _read_exactly(fd: int, n: int) -> bytes | None:
    """``n`` bytes from ``fd``, or None at end of file."""
    parts = []
    while n:
        part = os.read(fd, min(n, 1 << 20))
        if not part:
            return None
        parts.append(part)
        n -= len(part)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Child:
    """A forked child scanning the chunks it is sent, and the thread that collects what it
    sends back (so a child never waits for this process to finish a chunk of its own)."""

    def __init__(self, chunks: list[list[str]], siblings: list[_Child]) -> None:
        task_r, self.tasks = os.pipe()
        self.results, result_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: it never returns from here
            code = 1
            try:
                # only its own ends of its own pipes: an end of a sibling's kept open here
                # would keep that sibling from seeing this process's parent go
                for fd in (self.tasks, self.results,
                           *(f for c in siblings for f in (c.tasks, c.results))):
                    os.close(fd)
                code = _serve(chunks, task_r, result_w)
            finally:  # Ctrl-C included: the parent has it too, and reports it
                os._exit(code)
        os.close(task_r)
        os.close(result_w)
        self.sent = 0
        self.received: dict[int, bytes] = {}  # chunk number -> pickled batch, not yet joined
        self.count = 0  # batches received, joined or not
        self.failure: bytes | None = None  # the pickled exception the child raised
        self.ended = False  # its results pipe reached end of file
        self.arrived = threading.Condition()
        self.reader = threading.Thread(target=self._collect, daemon=True)

    def _collect(self) -> None:
        while True:
            head = _read_exactly(self.results, _SIZE.size)
            body = None if head is None else _read_exactly(self.results, _SIZE.unpack(head)[0])
            with self.arrived:
                if body is None:
                    self.ended = True
                elif _INDEX.unpack_from(body)[0] == _FAILED:
                    self.failure = body[_INDEX.size:]
                else:
                    self.received[_INDEX.unpack_from(body)[0]] = body[_INDEX.size:]
                    self.count += 1
                self.arrived.notify_all()
            if body is None:
                return

    def send(self, index: int) -> None:
        try:
            _write_all(self.tasks, _INDEX.pack(index))
        except BrokenPipeError:  # the child is gone: say why, once all it sent is read
            self.reader.join()
            if self.failure is not None:
                raise pickle.loads(self.failure) from None
            raise _stopped() from None
        self.sent += 1

    def take(self, index: int, wait: bool) -> Batch | None:
        """The batch of chunk ``index`` (sent to this child), waiting for it when ``wait``;
        raises what the child raised, or ``ScannerError`` when it stopped before sending it."""
        with self.arrived:
            while index not in self.received:
                if self.failure is not None:
                    raise pickle.loads(self.failure)
                if self.ended:
                    raise _stopped()
                if not wait:
                    return None
                self.arrived.wait()
            data = self.received.pop(index)
        batch: Batch = pickle.loads(data)
        return batch

    def close(self) -> bool:
        """Tell the child to stop, and wait for it; whether it stopped cleanly."""
        with contextlib.suppress(OSError):  # it may be gone already
            _write_all(self.tasks, _INDEX.pack(-1))
        os.close(self.tasks)
        _pid, status = os.waitpid(self.pid, 0)
        self.reader.join()
        os.close(self.results)
        return os.waitstatus_to_exitcode(status) == 0

    def kill(self) -> None:
        import signal

        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)


def _serve(chunks: list[list[str]], tasks: int, results: int) -> int:
    """The child's loop: scan each chunk it is sent, send back its pickled batch (or the
    exception scanning raised, which the parent raises in turn, as an executor would)."""
    while True:
        head = _read_exactly(tasks, _INDEX.size)
        if head is None:
            return 1  # the parent is gone
        index = _INDEX.unpack(head)[0]
        if index < 0:
            return 0
        try:
            data = _INDEX.pack(index) + pickle.dumps(_scan_chunk(chunks[index]),
                                                     protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # a bug: the parent reports it as an internal error
            try:
                failure = pickle.dumps(exc)
            except Exception:  # an exception that cannot be pickled
                failure = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
            _write_all(results, _SIZE.pack(_INDEX.size + len(failure))
                       + _INDEX.pack(_FAILED) + failure)
            return 1
        _write_all(results, _SIZE.pack(len(data)) + data)


def scan_in_workers(files: Sequence[str], per_file: FileScanner, workers: int,
                    progress: Callable[[int, int, str], None] | None = None) -> Batch:
    """Scan ``files`` in ``workers`` processes, this one and ``workers - 1`` forked children;
    batches are joined in file order.

    Why this process scans too: it would otherwise only wait, and the chunks it scans itself
    are neither pickled nor sent, and need no process of their own. It keeps each child
    ``AHEAD`` chunks ahead, then takes the next chunk for itself, so a slow child (or a slow
    core) gets fewer chunks, not longer waits."""
    global _scanner
    chunks = chunked(files, workers)
    kept: dict[int, Batch] = {}
    owner: dict[int, _Child] = {}
    joined = Batch()
    children: list[_Child] = []
    _scanner = per_file
    clean = False
    try:
        sys.stdout.flush()
        sys.stderr.flush()  # or a child's exit could write what this process buffered
        for _ in range(workers - 1):
            children.append(_Child(chunks, children))
        for child in children:  # started once every child is forked: fork copies no thread
            child.reader.start()
        taken = reported = 0
        while taken < len(chunks):
            for child in children:
                while child.sent - child.count <= AHEAD and taken < len(chunks):
                    owner[taken] = child
                    child.send(taken)
                    taken += 1
            if taken < len(chunks):
                kept[taken] = scan_files(chunks[taken], per_file, budget=1 << 62)
                taken += 1
            reported = _join(chunks, kept, owner, joined, reported, progress, wait=False)
        reported = _join(chunks, kept, owner, joined, reported, progress, wait=True)
        assert reported == len(chunks)
        clean = True
    finally:
        _scanner = None
        if not clean:
            for child in children:
                child.kill()
        stopped = [child.close() for child in children]
    if not all(stopped):
        raise _stopped()
    return joined


def _join(chunks: list[list[str]], kept: dict[int, Batch], owner: dict[int, _Child],
          joined: Batch, start: int, progress: Callable[[int, int, str], None] | None,
          wait: bool) -> int:
    """Join the batches of chunks ``start``, ``start + 1``... that are ready (all of them,
    waiting for the children, when ``wait``); returns the first chunk not joined."""
    total = sum(len(c) for c in chunks)
    done = sum(len(c) for c in chunks[:start])
    i = start
    while i < len(chunks):
        if i in kept:
            batch: Batch | None = kept.pop(i)
        elif i in owner:
            batch = owner[i].take(i, wait)
        else:
            batch = None  # not taken yet
        if batch is None:
            break
        joined.extend(batch)
        for path in chunks[i]:
            done += 1
            if progress is not None:
                progress(done, total, path)
        i += 1
    return i
