"""`pendopo demo-data --residents N` on a fresh database: wall time and peak memory.

    .venv/bin/python bench/bench_demo_data.py [--residents 1800000] [--runs 1] [--database-url URL]
"""

from __future__ import annotations

import argparse

from common import fresh_env, median, timed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=1_800_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--database-url")
    a = ap.parse_args()
    times, peaks = [], []
    for _ in range(a.runs):
        env = fresh_env(a.database_url)
        timed(["migrate", "-v", "0"], env)
        seconds, peak, out = timed(["demo-data", "--residents", str(a.residents), "--quiet", "--no-accounts"], env)
        times.append(seconds)
        peaks.append(peak)
        print(f"run: {seconds:.0f} s, peak RSS {peak:.0f} MiB — {out.strip().splitlines()[0]}")
    print(f"{a.residents:,} residents: median {median(times):.0f} s, peak RSS median {median(peaks):.0f} MiB")


if __name__ == "__main__":
    main()
