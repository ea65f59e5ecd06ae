"""Online index of the identity engine: build time, memory, lookup latency and accuracy on a
generated Banyuwangi registry with dirty queries (the error kinds of DOMAIN.md).

    .venv/bin/python bench/bench_index.py [--registry 200000] [--queries 20000] [--outsiders 2000]
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from collections import Counter

from pendopo.linkage import PersonRecord, ReferenceIndex, Status
from pendopo.testdata.errors import Row, dirty_sample, registry


def record(row: Row, record_id: str | None = None) -> PersonRecord:
    return PersonRecord(id=record_id or row.person_id, nik=row.nik, kk=row.kk, name=row.name, sex=row.sex,
                        birth_place=row.birth_place, birth_date=row.birth_date, address=row.address, village_code=row.village_code)


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def deep_mib(index: ReferenceIndex) -> float:
    """What the index holds, counted object by object: its numpy arrays, column lists and every
    distinct string once (names and village codes are shared between records), the id map."""
    import sys

    import numpy as np

    seen: set[int] = set()
    total = 0
    store = index.rows
    for column in store._str.values():  # noqa: SLF001 - the bench looks inside
        total += sys.getsizeof(column)
        for value in column:
            if id(value) not in seen:
                seen.add(id(value))
                total += sys.getsizeof(value)
    for part in (store._birth, store._swapped, store._rt, store._rw, store._placeholder):  # noqa: SLF001
        total += sys.getsizeof(part)
    for arr in (store._alive, index._hashes, index._targets):  # noqa: SLF001
        total += arr.nbytes if isinstance(arr, np.ndarray) else 0
    total += sys.getsizeof(index.row_of)
    return total / 2**20


def trim() -> None:
    """Give freed heap back to the system, so that the resident set is what is still in use."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=20_000)
    ap.add_argument("--outsiders", type=int, default=2_000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--slow-build", action="store_true", help="prepare every record in Python (ReferenceIndex.build)")
    ap.add_argument("--rolls", type=int, default=0, help="also index this many roll rows (dirty copies of residents)")
    a = ap.parse_args()
    rows = registry(a.registry, seed=a.seed)
    sample = list(dirty_sample(rows, a.queries, seed=a.seed + 8, outsiders=a.outsiders))
    training = [record(r, "t") for r, _ in dirty_sample(rows, min(5000, a.queries), seed=a.seed + 99)]
    records = [record(r) for r in rows]
    records += [record(r, f"ROLL{i}") for i, (r, _) in enumerate(dirty_sample(rows, a.rolls, seed=a.seed + 7))] if a.rolls else []
    del rows
    gc.collect()
    trim()
    before = rss_mib()
    started = time.perf_counter()
    index = ReferenceIndex.build(records) if a.slow_build else ReferenceIndex.build_fast(records)
    build = time.perf_counter() - started
    del records
    gc.collect()
    trim()
    memory = rss_mib() - before
    whole = rss_mib()
    held = deep_mib(index)
    started = time.perf_counter()
    index.train(training)
    train = time.perf_counter() - started
    outcome: Counter[str] = Counter()
    latencies = []
    for row, truth in sample:
        q = record(row, "q")
        t0 = time.perf_counter()
        res = index.resolve(q)
        latencies.append(time.perf_counter() - t0)
        if res.status == Status.MATCH:
            outcome["match right" if res.id == truth else "match WRONG"] += 1
        elif res.status == Status.POSSIBLE:
            outcome["possible (review)"] += 1
        else:
            outcome["none, right" if truth is None else "none, missed"] += 1
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2] * 1e3, latencies[int(len(latencies) * 0.99)] * 1e3
    in_registry = a.queries
    print(f"registry and rolls: {len(index):,} records ({a.rolls:,} roll rows); build {build:.1f} s; index memory {memory:.0f} MiB (RSS growth; {held:.0f} MiB counted object by object; the whole process {whole:.0f} MiB); EM {train:.1f} s")
    print(f"lookups: p50 {p50:.3f} ms, p99 {p99:.3f} ms over {len(latencies):,} queries")
    print(f"outcomes: {dict(outcome)}")
    tp = outcome["match right"]
    fp = outcome["match WRONG"]
    print(f"auto-match precision {tp / max(tp + fp, 1):.5f}, recall {tp / in_registry:.5f}")


if __name__ == "__main__":
    main()
