"""Helpers shared by the benchmark scripts: fresh databases, timed child processes, medians."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PENDOPO = [sys.executable, "-m", "pendopo.cli"]


def fresh_env(database_url: str | None = None) -> dict[str, str]:
    data = tempfile.mkdtemp(prefix="pendopo-bench-")
    env = {**os.environ, "PENDOPO_DATA_DIR": data}
    env["DATABASE_URL"] = database_url or f"sqlite:///{data}/bench.sqlite3"
    return env


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``pendopo ARGS`` in a child; return (seconds, peak RSS of the child in MiB, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    r = subprocess.run([*PENDOPO, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if r.returncode != 0:
        raise SystemExit(f"pendopo {' '.join(args)} failed:\n{r.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024, r.stdout


def median(values: list[float]) -> float:
    return statistics.median(values)
