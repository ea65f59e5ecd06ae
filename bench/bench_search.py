"""Registry search on a regency-sized registry made by `pendopo demo-data`: what the resident
list page does for a query (the pager's count, capped at 2,000, + the first page of 25), timed in process for a
regency-wide officer (Dinas Sosial) and a village operator. Queries are drawn from the data:
full NIK, KK number, a last name word, two words with the second cut short, an old spelling.

    .venv/bin/python bench/bench_search.py [--residents 2000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=2_000_000)
    ap.add_argument("--database-url")
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--data-dir", help="keep the generated SQLite registry here and reuse it when it is there")
    ap.add_argument("--reuse", action="store_true", help="the database already holds the generated registry (PostgreSQL)")
    a = ap.parse_args()
    data = a.data_dir or tempfile.mkdtemp(prefix="pendopo-bench-search-")
    reuse = a.reuse or (bool(a.data_dir) and not a.database_url and Path(data, "bench.sqlite3").exists())
    os.environ["PENDOPO_DATA_DIR"] = data
    os.environ["DATABASE_URL"] = a.database_url or f"sqlite:///{data}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "pendopo.settings"
    pendopo = [sys.executable, "-m", "pendopo.cli"]
    if a.database_url and not reuse:
        import psycopg

        with psycopg.connect(a.database_url, autocommit=True) as con:
            con.execute("DROP SCHEMA public CASCADE")
            con.execute("CREATE SCHEMA public")
    subprocess.run([*pendopo, "migrate", "-v", "0"], check=True, cwd=ROOT)
    if not reuse:
        t0 = time.perf_counter()
        subprocess.run([*pendopo, "demo-data", "--residents", str(a.residents), "--quiet"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        print(f"demo-data {a.residents:,}: {time.perf_counter() - t0:.0f} s (with name keys)", flush=True)

    import django

    django.setup()
    from pendopo.core.models import User
    from pendopo.core.paging import CappedPaginator
    from pendopo.population import selectors
    from pendopo.population.models import FamilyMembership, Resident

    rng = random.Random(7)
    n = Resident.objects.count()
    sample = [Resident.objects.order_by("pk")[rng.randrange(n)] for _ in range(a.queries)]
    kk = dict(FamilyMembership.objects.filter(resident__in=sample, valid_to__isnull=True).values_list("resident_id", "family__kk_number"))

    def words(r: Resident) -> list[str]:
        return [w for w in r.name.replace(".", " ").split() if len(w) > 2] or [r.name]

    old = {"j": "dj", "c": "tj", "u": "oe"}
    queries = {
        "full NIK": [r.nik for r in sample],
        "KK number": [kk.get(r.pk, r.nik) for r in sample],
        "one name word": [words(r)[-1] for r in sample],
        "two words, second cut short": [" ".join([words(r)[0], words(r)[-1][:3]]) for r in sample],
        "old spelling": ["".join(old.get(ch, ch) for ch in words(r)[-1].lower()) for r in sample],
    }
    actors = {"Dinas Sosial (regency)": User.objects.get(username="dinsos"),
              "village operator": User.objects.get(username="operator.kembiritan")}
    for who, actor in actors.items():
        for kind, qs in queries.items():
            times = []
            hits = 0
            for q in qs:
                t = time.perf_counter()
                page = CappedPaginator(selectors.resident_search(actor=actor, f=selectors.ResidentFilter(q=q)), 25).get_page(1)
                rows = list(page.object_list)
                count = page.paginator.count
                times.append(time.perf_counter() - t)
                hits += bool(rows) and count > 0
            s = sorted(times)
            print(f"{who:24} {kind:30} median {1000 * statistics.median(s):7.1f} ms  p95 {1000 * s[int(0.95 * (len(s) - 1))]:7.1f} ms"
                  f"  (found something for {hits}/{len(qs)})", flush=True)


if __name__ == "__main__":
    main()
