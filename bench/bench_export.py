"""A long resident export as the task worker writes it: the whole regency (Dinas Sosial's
scope) from a registry made by `pendopo demo-data`, CSV and XLSX; wall time, rows per second,
peak memory of the process and the file's size.

    .venv/bin/python bench/bench_export.py --data-dir DIR [--database-url URL] [--formats csv,xlsx]

``--data-dir`` is a directory holding the SQLite registry `bench_search.py --data-dir` made
(or any data directory; with ``--database-url`` the registry is read from there).
"""

from __future__ import annotations

import argparse
import os
import resource
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--database-url")
    ap.add_argument("--formats", default="csv,xlsx")
    a = ap.parse_args()
    os.environ["PENDOPO_DATA_DIR"] = a.data_dir
    os.environ["DATABASE_URL"] = a.database_url or f"sqlite:///{a.data_dir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "pendopo.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from pendopo.core.models import User
    from pendopo.population import exports, selectors
    from pendopo.population.models import ResidentExport

    actor = User.objects.get(username="dinsos")
    for fmt in a.formats.split(","):
        job = ResidentExport.objects.create(fmt=fmt, filter=exports._filter_of(selectors.ResidentFilter()), masked=False, created_by=actor)
        t0 = time.perf_counter()
        job = exports.resident_export_run(job_id=job.pk)
        seconds = time.perf_counter() - t0
        size = (exports.export_dir() / job.path).stat().st_size
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{fmt}: {job.rows_done:,} rows in {seconds:.1f} s ({job.rows_done / seconds:,.0f} rows/s), "
              f"{size / 2**20:,.0f} MiB file, peak {peak:,.0f} MiB (process so far)", flush=True)
        (exports.export_dir() / job.path).unlink()


if __name__ == "__main__":
    main()
