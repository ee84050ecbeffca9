"""Shared helpers of the linkage benchmarks: run the CLI, time it, score its output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALIANZA = [sys.executable, str(ROOT / "manage.py")]


def run_cli(args: list[str]) -> dict[str, float]:
    """Run `alianza ARGS` under /usr/bin/time -v; wall seconds and peak RSS in MB."""
    extra = ["--no-progress"] if args[0] == "link" else []
    command = ["/usr/bin/time", "-v", *ALIANZA, *args, *extra]
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - start
    if run.returncode:
        sys.exit(f"failed: {' '.join(args)}\n{run.stderr[-3000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr)
    user = re.search(r"User time \(seconds\): ([\d.]+)", run.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", run.stderr)
    cpu = float(user.group(1)) + float(system.group(1)) if user and system else -1.0
    return {
        "wall_s": round(wall, 2),
        # CPU seconds (user + system): a check on wall time when other jobs share the machine.
        "cpu_s": round(cpu, 1),
        "peak_rss_mb": round(int(rss.group(1)) / 1024) if rss else -1,
        "load_average_1min_after": round(os.getloadavg()[0], 1),
    }


def f1(predicted: set[tuple[str, str]], actual: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(predicted & actual)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(actual) if actual else 1.0
    score = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(score, 4)}
