"""``pendopo import-registry`` on a generated civil-registry extract in the contract's registry
shape: first import, then the same file again (nothing changes). A child process per run, on a
fresh database each time; wall time and peak memory of the child.

    .venv/bin/python bench/bench_import.py --residents 200000 [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fresh_env, timed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=200_000)
    ap.add_argument("--database-url")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--once", action="store_true", help="the first import only, not the same file again")
    a = ap.parse_args()
    path = Path(tempfile.gettempdir()) / f"pendopo-bench-import/registry-{a.residents}-{a.seed}.csv"
    if not path.exists():
        from pendopo.testdata.errors import registry

        path.parent.mkdir(parents=True, exist_ok=True)
        rows = registry(a.residents, seed=a.seed)
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].as_dict()))
            w.writeheader()
            w.writerows(r.as_dict() for r in rows)
    if a.database_url:
        import psycopg

        with psycopg.connect(a.database_url, autocommit=True) as con:
            con.execute("DROP SCHEMA public CASCADE")
            con.execute("CREATE SCHEMA public")
    env = fresh_env(a.database_url)
    timed(["migrate", "-v0"], env)
    first, peak1, out1 = timed(["import-registry", str(path), "--quiet"], env)
    where = "PostgreSQL" if a.database_url else "SQLite"
    print(f"{where}: {path.name}")
    print(f"  first import {first:.1f} s, peak {peak1:,.0f} MiB: {out1.splitlines()[0]}", flush=True)
    if not a.once:
        again, peak2, out2 = timed(["import-registry", str(path), "--quiet"], env)
        print(f"  same file again {again:.1f} s, peak {peak2:,.0f} MiB: {out2.splitlines()[0]}")


if __name__ == "__main__":
    main()
