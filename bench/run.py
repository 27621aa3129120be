#!/usr/bin/env python3
"""Benchmark: wardscan against the YAML parse floor (and optionally Checkov) on generated
AI-serving corpora, interleaved A/B in one run, reporting medians of wall, CPU and peak RSS.

Usage: python3 bench/run.py [--sizes 100 1000] [--repeat 5] [--format k8s|mix]
                            [--with-checkov] [--work DIR]

Corpora come from ../shared/bench/gen_corpus.py (deterministic); the floor is
../shared/bench/parse_limit.py --mode csafe-lines. Ratios are computed from one run, since
this machine is shared and noisy. A benchmark, not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "bench"


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, _status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def commands(corpus: Path, out: Path, checkov: str | None) -> dict[str, list[str]]:
    wardscan = [sys.executable, "-m", "scanner", "scan", str(corpus), "--format", "json",
                "-o", str(out), "--fail-on", "none"]
    cmds = {
        "wardscan": wardscan,
        "floor": [sys.executable, str(SHARED / "parse_limit.py"), str(corpus), "--mode",
                  "csafe-lines"],
    }
    if checkov:
        cmds["checkov"] = [checkov, "-d", str(corpus), "--framework", "kubernetes", "--quiet",
                           "--compact", "-o", "json"]
    return cmds


def install_checkov(work: Path) -> str:
    env = work / "checkov-venv"
    if not (env / "bin" / "checkov").exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(env / "bin" / "pip"), "install", "-q", "checkov"], check=True)
    return str(env / "bin" / "checkov")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--format", default="k8s", choices=["k8s", "compose", "mix"])
    ap.add_argument("--with-checkov", action="store_true")
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix="wardscan-bench-"))
    checkov = install_checkov(work) if a.with_checkov else None
    rows = []
    for size in a.sizes:
        corpus = work / f"{a.format}-{size}"
        if not corpus.exists():
            subprocess.run([sys.executable, str(SHARED / "gen_corpus.py"), str(corpus),
                            "--files", str(size), "--seed", "1", "--format", a.format],
                           check=True, stdout=subprocess.DEVNULL)
        cmds = commands(corpus, work / "out.json", checkov)
        runs: dict[str, list[tuple[float, float, int]]] = {k: [] for k in cmds}
        for _ in range(a.repeat):  # interleaved A/B: each repeat runs every tool once
            for name, cmd in cmds.items():
                runs[name].append(measure(cmd))
        for name, samples in runs.items():
            rows.append({"size": size, "tool": name,
                         "wall_s": round(statistics.median(s[0] for s in samples), 3),
                         "cpu_s": round(statistics.median(s[1] for s in samples), 3),
                         "peak_rss_mb": round(max(s[2] for s in samples) / 1024, 1)})
    by = {(r["size"], r["tool"]): r for r in rows}
    print("| files | tool | median wall s | median CPU s | peak RSS MB |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['size']} | {r['tool']} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mb']} |")
    print()
    for size in a.sizes:
        w, f = by[(size, "wardscan")]["wall_s"], by[(size, "floor")]["wall_s"]
        line = f"{size} files: wardscan/floor = {w / f:.2f}"
        if (size, "checkov") in by:
            line += f", checkov/wardscan = {by[(size, 'checkov')]['wall_s'] / w:.1f}"
        print(line)
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
