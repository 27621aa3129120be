#!/usr/bin/env python3
"""Benchmark: wardscan (default jobs and ``--jobs 1``) against the YAML parse floor and,
optionally, Checkov, on generated AI-serving corpora, interleaved A/B in one run.

Usage: python3 bench/run.py [--sizes 100 1000 10000] [--formats k8s mix] [--repeat 3]
                            [--with-checkov] [--compiled] [--pure] [--work DIR]
                            [--json FILE]
                            [--in-place]

Corpora come from ../shared/bench/gen_corpus.py (deterministic, seed 1); the floor is
../shared/bench/parse_limit.py --mode csafe-lines. Each repeat runs every tool once, in turn,
so a slow moment of this shared machine hits all tools alike; medians of wall time, CPU time
(the process and its workers) and peak RSS are reported, with the ratios computed from the
same run. Peak RSS is given for the largest single process (as /usr/bin/time reports it) and
for the whole process tree, workers included (sampled every 50 ms; shared pages counted in
each process, so an over-estimate; sampling every 10 ms took about 4% of a core, which on a
2-core machine came out of the time of a tool that uses both).
wardscan is timed as a user runs it: installed with pip (which compiles its bytecode) into a
virtual environment of its own under WORK, like Checkov. That venv reads its dependencies from
this interpreter's folders (so nothing is downloaded) but, like Checkov's, runs none of this
machine's start-up hooks (``.pth`` files); the parse floor runs in the same venv, so both
start as a user's clean install starts. That default install has the C walks ``_fastwalk``,
the C looks ``_fastlook`` and, where libyaml's header is installed, the C loader
``_fastyaml`` (setup.py; the first line printed says which). ``--compiled`` also
times the build compiled with mypyc (``WARDSCAN_COMPILE=1``) and ``--pure`` the one without
any C (``WARDSCAN_COMPILE=0``), installed the same way. ``--in-place`` times the source tree
instead (``python -m scanner``), which also compiles every module on each run where bytecode
is not written.
A benchmark, not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("WARDSCAN_SHARED", HERE.parent.parent / "shared")) / "bench"


SAMPLE_EVERY = 0.05  # seconds between two looks at the process tree's memory


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (KiB)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines()
                          if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def measure(cmd: list[str]) -> tuple[float, float, int, int]:
    """(wall s, CPU s, peak RSS KiB of the largest process, peak RSS KiB of the whole process
    tree) of one run of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kib(proc.pid))
            done.wait(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: findings (Checkov, wardscan)
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, max(peak[0], usage.ru_maxrss)


IN_PLACE = [sys.executable, "-m", "scanner"]


def commands(corpus: Path, out: Path, checkov: str | None,
             program: list[str] = IN_PLACE,
             builds: dict[str, list[str]] | None = None,
             floor_python: str = sys.executable) -> dict[str, list[str]]:
    """The timed commands: wardscan (default jobs and ``--jobs 1``) as ``program``, then each
    extra build (``{"wardscan compiled": [...]}``), the parse floor (run by
    ``floor_python``) and Checkov."""
    def wardscan(prog: list[str]) -> list[str]:
        return [*prog, "scan", str(corpus), "--format", "json", "-o", str(out), "--fail-on",
                "none", "--no-config"]

    cmds = {
        "wardscan": wardscan(program),
        "wardscan --jobs 1": [*wardscan(program), "--jobs", "1"],
    }
    for name, prog in (builds or {}).items():
        cmds[name] = wardscan(prog)
        cmds[f"{name} --jobs 1"] = [*wardscan(prog), "--jobs", "1"]
    cmds["parse floor"] = [floor_python, str(SHARED / "parse_limit.py"), str(corpus),
                           "--mode", "csafe-lines"]
    if checkov:
        cmds["checkov"] = [checkov, "-d", str(corpus), "--framework", "kubernetes", "--quiet",
                           "--compact", "-o", "json"]
    return cmds


def install_checkov(work: Path) -> str:
    """Checkov in a virtual environment of its own, so it never shares packages with us."""
    env = work / "checkov-venv"
    if not (env / "bin" / "checkov").exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(env / "bin" / "pip"), "install", "-q", "checkov"], check=True)
    return str(env / "bin" / "checkov")


# build -> WARDSCAN_COMPILE (see setup.py): the default install (Python, with the C modules
# _fastwalk, _fastlook and, where libyaml's header is installed, _fastyaml), the mypyc build
# (and the same C modules), pure Python only
BUILDS = {"wardscan": None, "wardscan compiled": "1", "wardscan pure": "0"}


def clean_venv(env: Path) -> None:
    """A virtual environment at ``env`` that imports what this interpreter has installed
    (wardscan's dependencies, and the build tools) without running its start-up hooks.

    Why: this interpreter's site-packages may hold ``.pth`` files that run code at every
    start (here: a certificate hook that imports certifi, and the finder of an editable
    install), about 40 ms a run, which a user's own venv and Checkov's do not pay. A
    ``--system-site-packages`` venv runs them; a plain path line in a ``.pth`` file puts the
    same folders on ``sys.path`` without running anything in them."""
    import shutil
    import site

    cfg = env / "pyvenv.cfg"
    if cfg.exists() and "include-system-site-packages = true" in cfg.read_text():
        shutil.rmtree(env)  # made by an older version of this script
    if not (env / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    purelib = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
         "['purelib'])"], check=True, capture_output=True, text=True).stdout.strip()
    folders = [p for p in (*site.getsitepackages(), site.getusersitepackages())
               if Path(p).is_dir()]
    (Path(purelib) / "_bench_dependencies.pth").write_text("".join(f"{p}\n" for p in folders))


def start_up_ms(python: str, runs: int = 9) -> float:
    """Median wall time of ``python -c pass``: what a venv costs before any work."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([python, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def install_wardscan(work: Path, build: str = "wardscan") -> tuple[list[str], list[str]]:
    """This checkout, installed with pip (bytecode compiled) into WORK/<build>-venv as
    ``build`` (see ``BUILDS``); its dependencies come from this interpreter's packages
    (``clean_venv``).
    Built from a copy, so the checkout gets no build folders. Returns the console script
    and the C modules the install has (``_fastwalk``, ``_fastlook``, ``_fastyaml``; see
    setup.py)."""
    import shutil

    name = build.replace(" ", "-")
    env, src = work / f"{name}-venv", work / f"{name}-src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(HERE.parent, src, ignore=shutil.ignore_patterns(
        ".git", "build", "*.egg-info", "__pycache__", ".mypy_cache", ".ruff_cache", "*.so"))
    clean_venv(env)
    build_env = {k: v for k, v in os.environ.items() if k != "WARDSCAN_COMPILE"}
    if BUILDS[build] is not None:
        build_env["WARDSCAN_COMPILE"] = str(BUILDS[build])
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                    "--no-build-isolation", "--force-reinstall", str(src)], check=True,
                   stdout=subprocess.DEVNULL, env=build_env)
    probe = ("import scanner, scanner.engine.evaluate as e, scanner.parse.yaml as y, "
             "scanner.engine.paths as p, scanner.detectors.textlook as t; "
             "print(scanner.__file__); print(e.__file__); "
             "print(p.fastwalk is not None, t.fastlook is not None, y._fastyaml is not None)")
    where, engine, walk, look, fast = subprocess.run(
        [str(env / "bin" / "python"), "-c", probe], cwd=work, check=True,
        capture_output=True, text=True).stdout.split()
    if not where.startswith(str(env)):
        raise SystemExit(f"the benchmark venv imports wardscan from {where}, not its own copy")
    if engine.endswith(".py") == (build == "wardscan compiled"):
        raise SystemExit(f"the {name} venv runs {engine}")
    modules = [m for m, there in (("_fastwalk", walk), ("_fastlook", look), ("_fastyaml", fast))
               if there == "True"]
    if build == "wardscan pure" and modules:
        raise SystemExit(f"the {name} venv has C modules: {modules}")
    return [str(env / "bin" / "wardscan")], modules  # the console script


def corpus_of(work: Path, fmt: str, size: int) -> Path:
    corpus = work / f"{fmt}-{size}"
    if not corpus.exists():
        subprocess.run([sys.executable, str(SHARED / "gen_corpus.py"), str(corpus), "--files",
                        str(size), "--seed", "1", "--format", fmt], check=True,
                       stdout=subprocess.DEVNULL)
    return corpus


def ratios(rows: list[dict[str, object]], fmt: str, size: int) -> str:
    by = {r["tool"]: r for r in rows if r["format"] == fmt and r["size"] == size}

    def wall(tool: str) -> float:
        return float(by[tool]["wall_s"])  # type: ignore[arg-type]

    parts = []
    for build in BUILDS:
        if build in by:
            parts += [f"{build} --jobs 1 / floor = "
                      f"{wall(build + ' --jobs 1') / wall('parse floor'):.2f}",
                      f"{build} / floor = {wall(build) / wall('parse floor'):.2f}"]
            if "checkov" in by:
                parts.append(f"checkov / {build} = {wall('checkov') / wall(build):.1f}")
    return f"{fmt}, {size} files: " + ", ".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--formats", nargs="+", default=["k8s", "mix"],
                    choices=["k8s", "compose", "mix"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--with-checkov", action="store_true",
                    help="also time Checkov (installed into WORK/checkov-venv)")
    ap.add_argument("--work", default=None, help="folder for corpora and outputs")
    ap.add_argument("--json", default=None, help="also write the rows to this file")
    ap.add_argument("--compiled", action="store_true",
                    help="also time the compiled build (WARDSCAN_COMPILE=1, see setup.py)")
    ap.add_argument("--pure", action="store_true",
                    help="also time the pure-Python build (WARDSCAN_COMPILE=0)")
    ap.add_argument("--in-place", action="store_true",
                    help="time the source tree (python -m scanner) instead of an installed copy")
    a = ap.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix="wardscan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    checkov = install_checkov(work) if a.with_checkov else None
    floor_python = sys.executable
    if a.in_place:
        program, where = IN_PLACE, "wardscan in place"
    else:
        program, modules = install_wardscan(work)
        floor_python = str(Path(program[0]).with_name("python"))  # the same clean venv
        where = (f"wardscan installed in {Path(program[0]).parents[1]} "
                 f"(C modules: {', '.join(modules) or 'none'})")
    builds = {b: install_wardscan(work, b)[0] for b, wanted in
              (("wardscan compiled", a.compiled), ("wardscan pure", a.pure)) if wanted}
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, Python "
          f"{sys.version.split()[0]}, repeat {a.repeat}, work {work}, {where}", flush=True)
    starts = [("wardscan and floor", floor_python)] + (
        [("checkov", str(Path(checkov).with_name("python")))] if checkov else [])
    print("# bare interpreter start-up (python -c pass, median of 9): " + ", ".join(
        f"{name} {start_up_ms(py):.0f} ms" for name, py in starts) + f"; {sys.executable} "
        f"(this machine's start-up hooks) {start_up_ms(sys.executable):.0f} ms", flush=True)
    rows: list[dict[str, object]] = []
    for fmt in a.formats:
        for size in a.sizes:
            corpus = corpus_of(work, fmt, size)
            cmds = commands(corpus, work / "out.json", checkov, program, builds, floor_python)
            runs: dict[str, list[tuple[float, float, int, int]]] = {k: [] for k in cmds}
            for _ in range(a.repeat):  # interleaved: each repeat runs every tool once
                for name, cmd in cmds.items():
                    runs[name].append(measure(cmd))
            for name, samples in runs.items():
                rows.append({"format": fmt, "size": size, "tool": name,
                             "wall_s": round(statistics.median(s[0] for s in samples), 3),
                             "cpu_s": round(statistics.median(s[1] for s in samples), 3),
                             "peak_rss_mb": round(statistics.median(s[2] for s in samples)
                                                  / 1024, 1),
                             "tree_rss_mb": round(statistics.median(s[3] for s in samples)
                                                  / 1024, 1)})
            print(ratios(rows, fmt, size), flush=True)
    print()
    print("| corpus | files | tool | median wall s | median CPU s | peak RSS MB, largest "
          "process | peak RSS MB, process tree |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['format']} | {r['size']} | {r['tool']} | {r['wall_s']} | {r['cpu_s']} "
              f"| {r['peak_rss_mb']} | {r['tree_rss_mb']} |")
    print()
    for fmt in a.formats:
        for size in a.sizes:
            print(ratios(rows, fmt, size))
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
