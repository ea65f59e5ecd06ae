"""Import of a national-size region file (38 provinces, 514 regencies, 7,285 districts,
83,762 villages = 91,599 rows) with `pendopo load-regions`, then the same file again
(idempotent: nothing changes). The real national list cannot be fetched here; this file has
its exact shape and counts.

    .venv/bin/python bench/bench_regions.py [--runs 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
from pathlib import Path

from common import fresh_env, median, timed


def national_file(path: Path) -> int:
    rng = random.Random(1)
    rows = [("code", "name", "level", "parent_code")]
    provinces = [f"{p:02d}" for p in list(range(11, 20)) + list(range(31, 37)) + list(range(51, 54)) + list(range(61, 66)) + list(range(71, 77)) + list(range(81, 83)) + list(range(91, 98))][:38]
    regencies_left, districts_left, villages_left = 514, 7285, 83762
    for p in provinces:
        if p == "35":
            continue
        rows.append((p, f"Provinsi {p}", "province", ""))
    rows.append(("35", "Jawa Timur", "province", ""))
    all_regencies = []
    for i, p in enumerate(provinces):
        n = regencies_left // (len(provinces) - i)
        regencies_left -= n
        for k in range(1, n + 1):
            code = f"{p}.{k if k < 70 else k + 1:02d}"
            all_regencies.append(code)
            rows.append((code, f"Kabupaten {code}", "regency", p))
    all_districts = []
    for i, r in enumerate(all_regencies):
        n = districts_left // (len(all_regencies) - i)
        districts_left -= n
        for k in range(1, n + 1):
            code = f"{r}.{k:02d}"
            all_districts.append(code)
            rows.append((code, f"Kecamatan {code}", "district", r))
    for i, d in enumerate(all_districts):
        n = villages_left // (len(all_districts) - i)
        villages_left -= n
        for k in range(1, n + 1):
            kind = "1" if rng.random() < 0.1 else "2"
            code = f"{d}.{kind}{k:03d}"
            rows.append((code, f"Desa {code}", "village", d))
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return len(rows) - 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--database-url")
    a = ap.parse_args()
    path = Path(tempfile.mkdtemp()) / "wilayah_nasional.csv"
    n = national_file(path)
    first, again = [], []
    for _ in range(a.runs):
        env = fresh_env(a.database_url)
        timed(["migrate", "-v", "0"], env)
        s1, rss1, out1 = timed(["load-regions", str(path), "--no-units"], env)
        s2, rss2, out2 = timed(["load-regions", str(path), "--no-units"], env)
        assert " 0 baru, 0 diperbarui" in out2, out2
        first.append(s1)
        again.append(s2)
        print(f"run: first {s1:.1f} s ({rss1:.0f} MiB), again {s2:.1f} s — {out1.strip()}")
    print(f"national file {n:,} rows: first import median {median(first):.1f} s, re-import median {median(again):.1f} s")


if __name__ == "__main__":
    main()
