"""Helpers shared by the benchmark scripts: fresh databases, timed child processes, medians."""

from __future__ import annotations

import os
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


def run_measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str, str, int]:
    """Run ``command`` in a child: (seconds, peak RSS in MiB of that child and the processes it
    waited for, stdout, stderr, exit status). The peak is this child's own (``wait4``), not the
    largest of every child this script ran so far (``RUSAGE_CHILDREN``)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # reaped here, with its usage (``Popen.wait`` would lose it)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return seconds, usage.ru_maxrss / 1024, out.read(), err.read(), proc.returncode


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``pendopo ARGS`` in a child; return (seconds, peak RSS of the child in MiB, stdout)."""
    seconds, peak, out, err, code = run_measured([*PENDOPO, *args], env)
    if code != 0:
        raise SystemExit(f"pendopo {' '.join(args)} failed:\n{err[-2000:]}")
    return seconds, peak, out


def median(values: list[float]) -> float:
    return statistics.median(values)


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _pss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_peak(command: list[str], env: dict[str, str] | None = None, interval: float = 0.05) -> float:
    """Run ``command`` (untimed: the sampling costs CPU) and return the peak, over samples every
    ``interval`` s, of the proportional set size summed over it and its descendants, in MiB:
    the memory a job holds when it forks a helper that shares most of its pages (the peak RSS of
    one process counts the shared pages once per process, or misses the helper's own)."""
    with tempfile.TemporaryFile("w+") as err:  # a file, not a pipe: a full pipe would stop the child
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, sum(_pss_mib(p) for p in _tree(proc.pid)))
            time.sleep(interval)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read()[-2000:]}")
    return peak
