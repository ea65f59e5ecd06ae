"""``pendopo screen`` on files: a generated registry, dirty rolls and a dirty village intake with
known answers (``pendopo.testdata.screening``). Records wall time and peak memory of the command
(a child process), and wrongly accepted / wrongly rejected / review shares.

    .venv/bin/python bench/bench_screen.py --residents 200000 --intake 20000 [--runs 3]

Generated files are cached under the temp directory. The Splink peer of issue #5 is not run yet.
"""

from __future__ import annotations

import argparse
import collections
import csv
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fresh_env, median, timed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=200_000)
    ap.add_argument("--intake", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    folder = Path(tempfile.gettempdir()) / f"pendopo-bench-screen/{a.residents}-{a.intake}-{a.seed}"
    if not (folder / "expected.csv").exists():
        from pendopo.testdata.screening import scenario

        scenario(a.residents, a.intake, seed=a.seed).write(folder)
    counts = {name: sum(1 for _ in (folder / f"{name}.csv").open(encoding="utf-8")) - 1 for name in ("registry", "rolls", "intake")}
    env = fresh_env()
    times, peaks = [], []
    out = folder / "decisions.csv"
    for _ in range(a.runs):
        seconds, peak, _ = timed(["screen", str(folder / "intake.csv"), "--scheme", "BLT-DD", "--registry", str(folder / "registry.csv"),
                                  "--rolls", str(folder / "rolls.csv"), "--output", str(out), "--quiet"], env)
        times.append(seconds)
        peaks.append(peak)
    with (folder / "expected.csv").open(encoding="utf-8") as f:
        expected = [r["decision"] for r in csv.DictReader(f)]
    with out.open(encoding="utf-8") as f:
        got = [r["decision"] for r in csv.DictReader(f)]
    pairs = collections.Counter(zip(expected, got, strict=True))
    n = len(got)
    wrong_accept = sum(v for (e, g), v in pairs.items() if g == "accept" and e != "accept")
    wrong_reject = sum(v for (e, g), v in pairs.items() if g == "reject" and e != "reject")
    review = sum(v for (e, g), v in pairs.items() if g == "review")
    print(f"registry {counts['registry']:,} rows, rolls {counts['rolls']:,}, intake {counts['intake']:,}")
    print(f"time median {median(times):.1f} s of {[round(t, 1) for t in times]}, peak {max(peaks):,.0f} MiB")
    print(f"wrongly accepted {wrong_accept} ({wrong_accept / n:.3%}), wrongly rejected {wrong_reject} ({wrong_reject / n:.3%}), "
          f"review {review / n:.1%} (expected review {sum(1 for e in expected if e == 'review') / n:.1%})")
    print(sorted(pairs.items()))


if __name__ == "__main__":
    main()
