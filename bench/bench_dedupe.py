"""Deduplicating one list with copies of the same people: pair precision, recall and F1 of the
clusters, with and without the rule that two groups join only when most pairs compared between
them match (``clusters_from_scores``). Generated Banyuwangi data, not a benchmark file.

    .venv/bin/python bench/bench_dedupe.py [--residents 60000] [--copies 23000]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import tempfile
import time
from pathlib import Path

from pendopo.linkage.batch import DuckDBLinker
from pendopo.linkage.io import Mapping
from pendopo.linkage.stages import CLUSTER_PAIRS_SQL, clusters_from_scores
from pendopo.testdata.errors import dirty_sample, registry

COLUMNS = ["id", "nik", "kk", "name", "sex", "birth_place", "birth_date", "address", "village_code"]


def write(path: Path, residents: int, copies: int) -> None:
    rows = registry(residents, seed=31)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r.person_id, r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code])
        dirty = itertools.chain(dirty_sample(rows, copies * 2 // 3, seed=32, outsiders=0),
                                dirty_sample(rows, copies - copies * 2 // 3, seed=33, outsiders=0))
        for i, (r, truth) in enumerate(dirty):
            # the copy's id carries the person it was made from, for scoring only
            w.writerow([f"D{i}|{truth}", r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code])


def pairs_of(clusters: dict[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for rid, cid in clusters.items():
        groups.setdefault(cid, []).append(rid)
    return {tuple(sorted(p)) for g in groups.values() for p in itertools.combinations(g, 2)}  # type: ignore[misc]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=60_000)
    ap.add_argument("--copies", type=int, default=23_000)
    a = ap.parse_args()
    path = Path(tempfile.gettempdir()) / f"pendopo-bench-dedupe-{a.residents}-{a.copies}.csv"
    if not path.exists():
        write(path, a.residents, a.copies)
    with path.open(encoding="utf-8") as f:
        ids = [r["id"] for r in csv.DictReader(f)]
    person: dict[str, list[str]] = {}
    for i in ids:
        person.setdefault(i.split("|")[1] if "|" in i else i, []).append(i)
    truth = {tuple(sorted(p)) for g in person.values() for p in itertools.combinations(g, 2)}
    started = time.perf_counter()
    with DuckDBLinker(memory_limit="2GB") as linker:
        linker.load_csv("l", str(path), Mapping(), query=True, reference=True)
        with_rule = linker.dedupe()
        seconds = time.perf_counter() - started
        threshold = linker.thresholds.match
        scored = linker.con.execute(CLUSTER_PAIRS_SQL.format(threshold=float(threshold))).fetchall()
        order = [str(r[0]) for r in linker.con.execute("SELECT id FROM l_feat ORDER BY rid").fetchall()]
    edges_only = [(int(x), int(y), float(w), float(p)) for x, y, w, p in scored if p >= threshold]
    without_rule = clusters_from_scores(order, edges_only, threshold)
    print(f"{len(ids):,} records, {len(truth):,} true pairs; dedupe {seconds:.1f} s")
    for label, clusters in (("every pair above the threshold joins", without_rule), ("groups must mostly match", with_rule)):
        got = pairs_of(clusters)
        tp = len(got & truth)
        p, r = tp / max(len(got), 1), tp / max(len(truth), 1)
        print(f"{label:40s} pairs {len(got):,}  P {p:.5f}  R {r:.5f}  F1 {2 * p * r / max(p + r, 1e-12):.5f}")


if __name__ == "__main__":
    main()
