"""``pendopo screen`` on files: a generated registry, dirty rolls and a dirty village intake with
known answers (``pendopo.testdata.screening``). Records wall time and peak memory of the command
(a child process), and wrongly accepted / wrongly rejected / review shares.

    .venv/bin/python bench/bench_screen.py --residents 200000 --intake 20000 [--runs 3]

Generated files are cached under the temp directory. ``--splink`` runs the same job with Splink 5
on DuckDB in the same run (``screen_splink.py``), alternating with Pendopo's runs, and prints the
ratios. ``--tree-memory`` adds one untimed run that samples the memory of the command and the
process it forks (proportional set size, Linux).
"""

from __future__ import annotations

import argparse
import collections
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PENDOPO, fresh_env, median, run_measured, timed, tree_peak  # noqa: E402


def run_splink(folder: Path, out: Path) -> tuple[float, float]:
    """The same job with Splink 5 (``screen_splink.py``) in a child: (seconds, peak MiB)."""
    seconds, peak, _, err, code = run_measured([sys.executable, str(Path(__file__).with_name("screen_splink.py")), str(folder), str(out)])
    if code != 0:
        raise SystemExit(f"screen_splink.py failed:\n{err[-2000:]}")
    return seconds, peak


def accuracy(expected: list[str], path: Path) -> tuple[int, int, float, collections.Counter[tuple[str, str]]]:
    with path.open(encoding="utf-8") as f:
        got = [r["decision"] for r in csv.DictReader(f)]
    pairs = collections.Counter(zip(expected, got, strict=True))
    wrong_accept = sum(v for (e, g), v in pairs.items() if g == "accept" and e != "accept")
    wrong_reject = sum(v for (e, g), v in pairs.items() if g == "reject" and e != "reject")
    review = sum(v for (e, g), v in pairs.items() if g == "review") / len(got)
    return wrong_accept, wrong_reject, review, pairs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=200_000)
    ap.add_argument("--intake", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--splink", action="store_true", help="run the same job with Splink 5 (bench/requirements.txt)")
    ap.add_argument("--tree-memory", action="store_true", help="one more, untimed run sampling the memory of the whole process tree")
    a = ap.parse_args()
    folder = Path(tempfile.gettempdir()) / f"pendopo-bench-screen/{a.residents}-{a.intake}-{a.seed}"
    if not (folder / "expected.csv").exists():
        # Generated in a child: a command started from this process after it grew by the
        # generator's 2 GB reported that as its own peak (Linux keeps the peak across fork and exec).
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from pendopo.testdata.screening import scenario; "
                        "scenario(int(sys.argv[1]), int(sys.argv[2]), seed=int(sys.argv[3])).write(Path(sys.argv[4]))",
                        str(a.residents), str(a.intake), str(a.seed), str(folder)], check=True)
    counts = {name: sum(1 for _ in (folder / f"{name}.csv").open(encoding="utf-8")) - 1 for name in ("registry", "rolls", "intake")}
    env = fresh_env()
    times, peaks, s_times, s_peaks = [], [], [], []
    out, s_out = folder / "decisions.csv", folder / "decisions-splink.csv"
    args = ["screen", str(folder / "intake.csv"), "--scheme", "BLT-DD", "--registry", str(folder / "registry.csv"),
            "--rolls", str(folder / "rolls.csv"), "--output", str(out), "--quiet"]
    # With --splink the two alternate, run by run: on a shared machine whose load drifts over
    # minutes, each pair of runs meets about the same load.
    for _ in range(a.runs):
        seconds, peak, _ = timed(args, env)
        times.append(seconds)
        peaks.append(peak)
        if a.splink:
            seconds, peak = run_splink(folder, s_out)
            s_times.append(seconds)
            s_peaks.append(peak)
    with (folder / "expected.csv").open(encoding="utf-8") as f:
        expected = [r["decision"] for r in csv.DictReader(f)]
    n = len(expected)
    print(f"registry {counts['registry']:,} rows, rolls {counts['rolls']:,}, intake {counts['intake']:,}")
    wa, wr, review, pairs = accuracy(expected, out)
    print(f"pendopo: time median {median(times):.1f} s of {[round(t, 1) for t in times]}, peak {max(peaks):,.0f} MiB; "
          f"wrongly accepted {wa} ({wa / n:.3%}), wrongly rejected {wr} ({wr / n:.3%}), review {review:.1%} "
          f"(expected review {sum(1 for e in expected if e == 'review') / n:.1%})")
    print(sorted(pairs.items()))
    if a.tree_memory:
        # One more run, untimed: the memory of the command and the process it forks to decide
        # the rows (``ScreenJob.run_to_file``), summed as proportional set sizes.
        print(f"pendopo: peak of the process tree's proportional set size {tree_peak([*PENDOPO, *args], env):,.0f} MiB (one untimed run)")
    if a.splink:
        wa, wr, review, pairs = accuracy(expected, s_out)
        print(f"splink: time median {median(s_times):.1f} s of {[round(t, 1) for t in s_times]}, peak {max(s_peaks):,.0f} MiB; "
              f"wrongly accepted {wa} ({wa / n:.3%}), wrongly rejected {wr} ({wr / n:.3%}), review {review:.1%}")
        print(sorted(pairs.items()))
        print(f"ratio per pair of runs: {[round(p / s, 2) for p, s in zip(times, s_times, strict=True)]}")
        print(f"ratio pendopo/splink: time {median(times) / median(s_times):.2f}, memory {max(peaks) / max(s_peaks):.2f}")


if __name__ == "__main__":
    main()
