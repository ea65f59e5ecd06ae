"""Batch linkage on DuckDB: link one list to another, or find the duplicates in one list, for
files of millions of rows in bounded memory.

Records are prepared in Python (the same normalisers as the online index) and stored, with
their hashed blocking keys, in DuckDB tables that spill to disk beyond ``memory_limit``. DuckDB
joins the keys into candidate pairs; Python compares each pair once (the same ``compare`` as the
online index) and stores only the pair's comparison pattern; EM fits the model on the pattern
counts; DuckDB then ranks candidates per record. The Spark engine (``spark.py``) runs the same
stages, so both give the same answers on the same data.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from pendopo.linkage.blocking import query_keys, reference_keys
from pendopo.linkage.compare import FIELD_ORDER, compare
from pendopo.linkage.index import MAX_BLOCK, MAX_CANDIDATES, Thresholds
from pendopo.linkage.model import Model, estimate_em, estimate_u
from pendopo.linkage.records import Features, PersonRecord, prepare

CHUNK = 50_000
PAIR_BATCH = 100_000
FEATURE_SCHEMA = pa.schema([
    ("rid", pa.int32()), ("id", pa.string()), ("nik", pa.string()), ("kk", pa.string()), ("name", pa.string()),
    ("name_sorted", pa.string()), ("name_phon", pa.string()), ("first_phon", pa.string()), ("birth", pa.int32()),
    ("birth_swapped", pa.int32()), ("placeholder", pa.bool_()), ("sex", pa.string()), ("village", pa.string()),
    ("place", pa.string()), ("dusun", pa.string()), ("rt", pa.int16()), ("rw", pa.int16()),
])
COLUMNS = FEATURE_SCHEMA.names
BASE = 8  # levels fit in 0..6 plus missing; a pattern is a base-8 number
Progress = Callable[[str, int], None]


U_SAMPLE = 20_000


def u_sample_step(size: int) -> int:
    """Every n-th reference record goes into the u sample: the same rows in every engine, so
    DuckDB and Spark estimate the same model from the same data."""
    return max(1, size // U_SAMPLE)


def encode(levels: tuple[int, ...]) -> int:
    code = 0
    for lvl in levels:
        code = code * BASE + (lvl + 1)
    return code


def decode(code: int) -> tuple[int, ...]:
    out = []
    for _ in FIELD_ORDER:
        out.append(code % BASE - 1)
        code //= BASE
    return tuple(reversed(out))


@dataclass(frozen=True)
class Link:
    left_id: str
    right_id: str
    score: float


class DuckDBLinker:
    """One linkage job. ``link`` or ``dedupe`` after ``load``ing the sides."""

    def __init__(self, *, memory_limit: str = "1GB", threads: int | None = None, temp_directory: str | None = None,
                 thresholds: Thresholds | None = None, progress: Progress | None = None, seed: int = 1) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="pendopo-link-", dir=temp_directory)
        self.con = duckdb.connect(f"{self.tmp.name}/link.duckdb")
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET temp_directory = '{self.tmp.name}/spill'")
        self.con.execute("SET preserve_insertion_order = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.thresholds = thresholds or Thresholds()
        self.progress = progress or (lambda stage, n: None)
        self.seed = seed
        self.model = Model()
        self.sizes: dict[str, int] = {}

    def close(self) -> None:
        self.con.close()
        self.tmp.cleanup()

    def __enter__(self) -> DuckDBLinker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- loading ---------------------------------------------------------------------------
    def load(self, side: str, records: Iterable[PersonRecord], *, query: bool, reference: bool) -> int:
        """Prepare and store one side (``l`` or ``r``): features, and the query keys (with
        repairs) in ``{side}_keys`` and/or the plain reference keys in ``{side}_refkeys``."""
        for table in ("feat", "keys", "refkeys"):
            self.con.execute(f"DROP TABLE IF EXISTS {side}_{table}")
        self.con.execute(f"CREATE TABLE {side}_keys (key BIGINT, rid INTEGER)")
        self.con.execute(f"CREATE TABLE {side}_refkeys (key BIGINT, rid INTEGER)")
        self.con.register("empty_feat", _features_table([], 0))
        self.con.execute(f"CREATE TABLE {side}_feat AS SELECT * FROM empty_feat")
        self.con.unregister("empty_feat")
        rid = 0
        batch: list[Features] = []

        def store(table: str, key_fn: Callable[[Features], list[str]], first: int) -> None:
            key_hash: list[int] = []
            key_rid: list[int] = []
            for offset, f in enumerate(batch):
                for k in key_fn(f):
                    key_hash.append(hash(k))
                    key_rid.append(first + offset)
            self.con.register("chunk", pa.table({"key": pa.array(key_hash, pa.int64()), "rid": pa.array(key_rid, pa.int32())}))
            self.con.execute(f"INSERT INTO {side}_{table} SELECT * FROM chunk")
            self.con.unregister("chunk")

        def flush() -> None:
            if not batch:
                return
            first = rid - len(batch)
            self.con.register("chunk", _features_table(batch, first))
            self.con.execute(f"INSERT INTO {side}_feat SELECT * FROM chunk")
            self.con.unregister("chunk")
            if query:
                store("keys", query_keys, first)
            if reference:
                store("refkeys", reference_keys, first)
            batch.clear()
            self.progress(f"load:{side}", rid)

        for record in records:
            batch.append(prepare(record))
            rid += 1
            if len(batch) >= CHUNK:
                flush()
        flush()
        self.sizes[side] = rid
        return rid

    # --- pairs -----------------------------------------------------------------------------
    def _pairs(self, dedupe: bool) -> int:
        """Candidate pairs (lrid, rrid) from shared keys, keys shared by more than MAX_BLOCK
        records dropped, at most MAX_CANDIDATES per left record (those sharing most keys)."""
        ref = "l_refkeys" if dedupe else "r_refkeys"
        self.con.execute(f"""
            CREATE OR REPLACE TABLE pairs AS
            WITH usable AS (SELECT key FROM {ref} GROUP BY key HAVING count(*) <= {MAX_BLOCK}),
            hits AS (
                SELECT q.rid AS lrid, r.rid AS rrid, count(*) AS n
                FROM l_keys q JOIN {ref} r ON q.key = r.key
                WHERE q.key IN (SELECT key FROM usable) {"AND q.rid <> r.rid" if dedupe else ""}
                GROUP BY 1, 2
            ),
            ranked AS (SELECT *, row_number() OVER (PARTITION BY lrid ORDER BY n DESC, rrid) AS k FROM hits)
            SELECT lrid, rrid FROM ranked WHERE k <= {MAX_CANDIDATES}
        """)
        if dedupe:
            self.con.execute("""
                CREATE OR REPLACE TABLE pairs AS
                SELECT DISTINCT least(lrid, rrid) AS lrid, greatest(lrid, rrid) AS rrid FROM pairs
            """)
        n = self.con.execute("SELECT count(*) FROM pairs").fetchone()
        return int(n[0]) if n else 0

    def _compare_pairs(self, dedupe: bool) -> Counter[int]:
        """Compare every candidate pair once; store its pattern code; return pattern counts."""
        right = "l_feat" if dedupe else "r_feat"
        cols_l = ", ".join(f"a.{c} AS l_{c}" for c in COLUMNS)
        cols_r = ", ".join(f"b.{c} AS r_{c}" for c in COLUMNS)
        self.con.execute("CREATE OR REPLACE TABLE scored (lrid INTEGER, rrid INTEGER, code BIGINT)")
        reader = self.con.cursor().sql(f"""
            SELECT p.lrid, p.rrid, {cols_l}, {cols_r}
            FROM pairs p JOIN l_feat a ON a.rid = p.lrid JOIN {right} b ON b.rid = p.rrid
        """).to_arrow_reader(PAIR_BATCH)
        writer = self.con
        patterns: Counter[int] = Counter()
        done = 0
        for batch in reader:
            data = batch.to_pydict()
            n = batch.num_rows
            left = _features_from(data, "l_", n)
            right_f = _features_from(data, "r_", n)
            codes = [encode(compare(a, b)) for a, b in zip(left, right_f, strict=True)]
            patterns.update(codes)
            out = pa.table({"lrid": data["lrid"], "rrid": data["rrid"], "code": pa.array(codes, pa.int64())})
            writer.register("chunk_scored", out)
            writer.execute("INSERT INTO scored SELECT * FROM chunk_scored")
            writer.unregister("chunk_scored")
            done += n
            self.progress("compare", done)
        return patterns

    def _estimate(self, patterns: Counter[int], dedupe: bool) -> Model:
        right = "l_feat" if dedupe else "r_feat"
        size = self.sizes["l" if dedupe else "r"]
        sample = self.con.sql(f"SELECT * FROM {right} WHERE rid % {u_sample_step(size)} = 0 ORDER BY rid").to_arrow_table()
        refs = _features_from(sample.to_pydict(), "", sample.num_rows)
        u = estimate_u(refs, seed=self.seed) if len(refs) >= 2 else self.model.u
        if not patterns:
            return Model(m=self.model.m, u=u, prior=self.model.prior)
        fitted = estimate_em(Counter({decode(c): n for c, n in patterns.items()}), prior=0.1)
        return Model(m=fitted.m, u=u, prior=fitted.prior)

    def _weights(self, model: Model, patterns: Iterable[int]) -> None:
        rows = [(c, model.weight(decode(c))) for c in patterns]
        table = pa.table({"code": pa.array([c for c, _ in rows], pa.int64()),
                          "weight": pa.array([w for _, w in rows], pa.float64()),
                          "prob": pa.array([model.probability(w) for _, w in rows], pa.float64())})
        self.con.register("weights_in", table)
        self.con.execute("CREATE OR REPLACE TABLE weights AS SELECT * FROM weights_in")
        self.con.unregister("weights_in")

    # --- jobs ------------------------------------------------------------------------------
    def link(self, threshold: float | None = None) -> Iterator[Link]:
        """Each left record with its best right record at or above ``threshold``, or with
        every right record that fits equally well (within the ambiguity margin)."""
        threshold = self.thresholds.match if threshold is None else threshold
        self.progress("pairs", self._pairs(dedupe=False))
        patterns = self._compare_pairs(dedupe=False)
        self.model = self._estimate(patterns, dedupe=False)
        self._weights(self.model, patterns)
        rows = self.con.execute(f"""
            WITH s AS (
                SELECT s.lrid, s.rrid, w.weight, w.prob,
                       max(w.weight) OVER (PARTITION BY s.lrid) AS best
                FROM scored s JOIN weights w USING (code)
            )
            SELECT a.id, b.id, s.prob FROM s
            JOIN l_feat a ON a.rid = s.lrid JOIN r_feat b ON b.rid = s.rrid
            WHERE s.prob >= {float(threshold)} AND s.weight >= s.best - {float(self.thresholds.margin)}
            ORDER BY s.lrid, s.weight DESC, b.id
        """).fetchall()
        for left_id, right_id, prob in rows:
            yield Link(str(left_id), str(right_id), float(prob))

    def dedupe(self, threshold: float | None = None) -> dict[str, str]:
        """Cluster id (the smallest record id in the cluster) for every record."""
        threshold = self.thresholds.match if threshold is None else threshold
        self.progress("pairs", self._pairs(dedupe=True))
        patterns = self._compare_pairs(dedupe=True)
        self.model = self._estimate(patterns, dedupe=True)
        self._weights(self.model, patterns)
        edges = self.con.execute(f"""
            SELECT s.lrid, s.rrid FROM scored s JOIN weights w USING (code) WHERE w.prob >= {float(threshold)}
        """).fetchall()
        ids = [str(r[0]) for r in self.con.execute("SELECT id FROM l_feat ORDER BY rid").fetchall()]
        return clusters_from_edges(ids, [(int(a), int(b)) for a, b in edges])


def clusters_from_edges(ids: list[str], edges: Iterable[tuple[int, int]]) -> dict[str, str]:
    """Connected components by union-find; a cluster is named by its smallest record id."""
    parent = list(range(len(ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    smallest: dict[int, str] = {}
    for i, rid in enumerate(ids):
        root = find(i)
        if root not in smallest or rid < smallest[root]:
            smallest[root] = rid
    return {rid: smallest[find(i)] for i, rid in enumerate(ids)}

def _features_table(batch: list[Features], first_rid: int) -> pa.Table:
    data: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    for i, f in enumerate(batch):
        data["rid"].append(first_rid + i)
        for c in COLUMNS[1:]:
            data[c].append(getattr(f, c))
    return pa.Table.from_pydict(data, schema=FEATURE_SCHEMA)


def _features_from(data: dict[str, list[Any]], prefix: str, n: int) -> list[Features]:
    cols = [data[prefix + c] for c in COLUMNS[1:]]
    out = []
    empty: frozenset[Any] = frozenset()
    for i in range(n):
        (fid, nik, kk, name, name_sorted, name_phon, first_phon, birth, birth_swapped, placeholder, sex, village,
         place, dusun, rt, rw) = (col[i] for col in cols)
        out.append(Features(fid, nik, empty, kk, name, name_sorted, name_phon, first_phon, birth, birth_swapped,
                            placeholder, sex, village, place, dusun, rt, rw))
    return out
