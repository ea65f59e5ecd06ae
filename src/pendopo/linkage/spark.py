"""Batch linkage on Apache Spark, for data beyond one machine.

The stages, blocking keys, comparisons, u sample and EM are the DuckDB engine's
(``batch.py``), so both engines give the same answers on the same data. Spark does the
distributed parts: blocking joins, the per-pair comparison (in Python workers, which need the
``pendopo`` package installed; see docs/operations.md) and the ranking of candidates. Keys are
compared as strings here: Python's ``hash`` differs between worker processes.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pendopo.linkage.blocking import query_keys, reference_keys
from pendopo.linkage.index import (
    MAX_BLOCK,
    MAX_CANDIDATES,
    SINGLE_KEY_CANDIDATES,
    WEAK_ONLY_BELOW,
    WEAK_SAMPLE,
    Thresholds,
)
from pendopo.linkage.model import Model, USample
from pendopo.linkage.records import Features, PersonRecord, prepare
from pendopo.linkage.stages import (
    CLUSTER_PAIRS_SQL,
    COLUMNS,
    LINKED_IDS_SQL,
    NAMED_SAMPLE,
    WEAK_SQL,
    Link,
    LinkerBase,
    Progress,
    cluster_rows,
    fit_model,
    named_sql,
    pattern_weights,
    sure_sql,
    u_sample_step,
    weak_every,
)
from pendopo.linkage.vectorised import codes, compare_columns

CHUNK = 50_000
LOG_CONFIG = Path(__file__).resolve().parent / "log4j2-quiet.properties"


def _row(rid: int, f: Features) -> tuple[Any, ...]:
    return (rid, *(getattr(f, c) for c in COLUMNS[1:]))


def _features(row: Any) -> Features:
    values = list(row)
    return Features(values[1], values[2], frozenset(), *values[3:])


def _compare_partition(rows: Iterable[Any]) -> Iterator[tuple[int, int, int]]:
    """Compare a partition's pairs in chunks with the vectorised comparison."""
    n = len(COLUMNS)
    chunk: list[Any] = []

    def flush() -> Iterator[tuple[int, int, int]]:
        left = {c: [r[2 + i] for r in chunk] for i, c in enumerate(COLUMNS) if i}
        right = {c: [r[2 + n + i] for r in chunk] for i, c in enumerate(COLUMNS) if i}
        for r, code in zip(chunk, codes(compare_columns(left, right)).tolist(), strict=True):
            yield int(r[0]), int(r[1]), int(code)

    for row in rows:
        chunk.append(list(row))
        if len(chunk) >= 20_000:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


class SparkLinker(LinkerBase):
    """Same interface as ``DuckDBLinker``; ``master`` defaults to ``local[*]`` or
    ``PENDOPO_SPARK_MASTER``."""

    def __init__(self, *, master: str | None = None, memory_limit: str = "1GB", thresholds: Thresholds | None = None,
                 progress: Progress | None = None, seed: int = 1, **_: object) -> None:
        from pyspark.sql import SparkSession

        os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", __import__("sys").executable))
        builder = (
            SparkSession.builder.master(master or os.environ.get("PENDOPO_SPARK_MASTER", "local[2]"))
            .appName("pendopo-link")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", os.environ.get("PENDOPO_SPARK_PARTITIONS", "8"))
            .config("spark.driver.memory", memory_limit.replace("GB", "g").replace("MB", "m"))
            .config("spark.sql.execution.arrow.pyspark.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{LOG_CONFIG}")
        )
        self.spark = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        self.thresholds = thresholds or Thresholds()
        self.progress = progress or (lambda stage, n: None)
        self.seed = seed
        self.model = Model()
        self.sizes: dict[str, int] = {}
        self.frames: dict[str, Any] = {}
        self._weak: Counter[int] = Counter()
        self.weak_every = WEAK_SAMPLE  # the weak sample's rate (``_pairs``)
        self._training: Counter[int] = Counter()

    def close(self) -> None:
        self.spark.stop()

    def load(self, side: str, records: Iterable[PersonRecord], *, query: bool, reference: bool) -> int:
        from pyspark.sql.types import (
            BooleanType,
            IntegerType,
            LongType,
            StringType,
            StructField,
            StructType,
        )

        types = {"rid": LongType(), "birth": LongType(), "birth_swapped": LongType(), "placeholder": BooleanType(),
                 "rt": IntegerType(), "rw": IntegerType()}
        schema = StructType([StructField(c, types.get(c, StringType())) for c in COLUMNS])
        key_schema = StructType([StructField("key", StringType()), StructField("rid", LongType())])
        feats: list[tuple[Any, ...]] = []
        qkeys: list[tuple[str, int]] = []
        rkeys: list[tuple[str, int]] = []
        rid = 0
        for record in records:
            f = prepare(record)
            feats.append(_row(rid, f))
            if query:
                qkeys.extend((k, rid) for k in dict.fromkeys(query_keys(f)))
            if reference:
                rkeys.extend((k, rid) for k in dict.fromkeys(reference_keys(f)))
            rid += 1
            if rid % CHUNK == 0:
                self.progress(f"load:{side}", rid)
        self.frames[f"{side}_feat"] = self.spark.createDataFrame(feats, schema).cache()
        self.frames[f"{side}_keys"] = self.spark.createDataFrame(qkeys, key_schema)
        self.frames[f"{side}_refkeys"] = self.spark.createDataFrame(rkeys, key_schema)
        for name in ("feat", "keys", "refkeys"):
            self.frames[f"{side}_{name}"].createOrReplaceTempView(f"{side}_{name}")
        self.sizes[side] = rid
        self.progress(f"load:{side}", rid)
        return rid

    def _pairs(self, dedupe: bool) -> Any:
        """The DuckDB engine's candidate pairs; in a link job a left row with a sure pair
        (``SURE_SQL``) is not blocked and that pair is its candidate, as there."""
        ref = "l_refkeys" if dedupe else "r_refkeys"
        pair = "least(lrid, rrid) AS lrid, greatest(lrid, rrid) AS rrid" if dedupe else "lrid, rrid"
        queries = "l_keys"
        if not dedupe:
            # As ``DuckDBLinker.score_link(named_from=0)``: the sure pairs, then the named ones
            # (one named row in NAMED_SAMPLE blocked all the same, counted that many times in training).
            self.spark.sql(sure_sql()).createOrReplaceTempView("nik_sure")
            self.spark.sql(named_sql(named_from=0, done="SELECT lrid FROM nik_sure")).cache().createOrReplaceTempView("named")
            self.spark.sql(f"SELECT lrid FROM named WHERE lrid % {NAMED_SAMPLE} = 0").createOrReplaceTempView("named_sample")  # noqa: S608
            self.spark.sql(f"""
                SELECT lrid, rrid FROM nik_sure UNION ALL SELECT lrid, rrid FROM named WHERE lrid % {NAMED_SAMPLE} <> 0
            """).cache().createOrReplaceTempView("sure")  # noqa: S608 - own names
            queries = "(SELECT * FROM l_keys WHERE rid NOT IN (SELECT lrid FROM sure))"
        candidates = self.spark.sql(f"""
            WITH usable AS (SELECT key, count(*) AS size FROM {ref} GROUP BY key HAVING count(*) <= {MAX_BLOCK}),
            hits AS (
                SELECT q.rid AS lrid, r.rid AS rrid, count(*) AS n, min(u.size) AS size
                FROM {queries} q JOIN {ref} r ON q.key = r.key JOIN usable u ON u.key = q.key
                {"WHERE q.rid <> r.rid" if dedupe else ""}
                GROUP BY q.rid, r.rid
            ),
            ranked AS (SELECT *, row_number() OVER (PARTITION BY lrid ORDER BY n DESC, size, rrid) AS k,
                                  max(n) OVER (PARTITION BY lrid) AS best FROM hits)
            SELECT {pair}, max(n >= 2 OR (best <= {WEAK_ONLY_BELOW} AND k <= {SINGLE_KEY_CANDIDATES})) AS strong
            FROM ranked WHERE k <= {MAX_CANDIDATES} GROUP BY 1, 2
        """)  # noqa: S608 - built from this module's own names and numbers
        candidates.createOrReplaceTempView("candidates")
        strong = "SELECT lrid, rrid FROM candidates WHERE strong"
        pairs = self.spark.sql(strong if dedupe else f"{strong} UNION ALL SELECT lrid, rrid FROM sure")  # noqa: S608 - own names
        pairs.createOrReplaceTempView("pairs")
        self.weak_every = weak_every(int(self.spark.sql("SELECT count(*) AS n FROM candidates WHERE NOT strong").collect()[0]["n"]))
        self.spark.sql(f"""
            SELECT lrid, rrid FROM candidates WHERE NOT strong AND {WEAK_SQL.format(every=self.weak_every)}
        """).createOrReplaceTempView("weak_sample")  # noqa: S608
        return pairs

    def _joined(self, table: str, dedupe: bool) -> Any:
        right = "l_feat" if dedupe else "r_feat"
        cols_l = ", ".join(f"a.{c}" for c in COLUMNS)
        cols_r = ", ".join(f"b.{c}" for c in COLUMNS)
        return self.spark.sql(f"""
            SELECT p.lrid, p.rrid, {cols_l}, {cols_r}
            FROM {table} p JOIN l_feat a ON a.rid = p.lrid JOIN {right} b ON b.rid = p.rrid
        """)  # noqa: S608

    def _score(self, dedupe: bool) -> Counter[int]:
        scored = self._joined("pairs", dedupe).rdd.mapPartitions(_compare_partition).toDF(["lrid", "rrid", "code"]).cache()
        scored.createOrReplaceTempView("scored")
        counts = Counter({int(r["code"]): int(r["n"]) for r in self.spark.sql("SELECT code, count(*) AS n FROM scored GROUP BY code").collect()})
        self.progress("compare", sum(counts.values()))
        # The model is trained on candidates as blocking produces them, not on sure pairs.
        # A named row blocked all the same stands for NAMED_SAMPLE of them.
        self._training = counts if dedupe else Counter({int(r["code"]): int(r["n"]) for r in self.spark.sql(f"""
            SELECT s.code, sum(CASE WHEN n.lrid IS NULL THEN 1 ELSE {NAMED_SAMPLE} END) AS n
            FROM scored s LEFT JOIN named_sample n ON n.lrid = s.lrid WHERE s.lrid NOT IN (SELECT lrid FROM sure) GROUP BY s.code
        """).collect()})  # noqa: S608 - own names
        reweighted = frozenset() if dedupe else frozenset(int(r["lrid"]) for r in self.spark.sql("SELECT lrid FROM named_sample").collect())
        weak = self._joined("weak_sample", dedupe).rdd.mapPartitions(_compare_partition).map(
            lambda t: (t[2], NAMED_SAMPLE if t[0] in reweighted else 1)).reduceByKey(lambda a, b: a + b).collect()
        self._weak = Counter({int(code): int(n) * self.weak_every for code, n in weak})
        return counts

    def _estimate(self, patterns: Counter[int], dedupe: bool) -> Model:
        right = "l_feat" if dedupe else "r_feat"
        size = self.sizes["l" if dedupe else "r"]
        rows = self.spark.sql(f"SELECT * FROM {right} WHERE rid % {u_sample_step(size)} = 0 ORDER BY rid").collect()  # noqa: S608
        return fit_model(USample.of([_features(r) for r in rows]), patterns, self.model, self.seed)

    def _weights(self, model: Model, patterns: Iterable[int]) -> None:
        rows = pattern_weights(model, patterns)
        self.spark.createDataFrame(rows or [(0, 0.0, 0.0)], "code long, weight double, prob double").createOrReplaceTempView("weights")

    def link(self, threshold: float | None = None) -> Iterator[Link]:
        threshold = self.thresholds.match if threshold is None else threshold
        self._pairs(dedupe=False)
        patterns = self._score(dedupe=False)
        self.model = self._estimate(self._training + self._weak, dedupe=False)
        self._weights(self.model, patterns)
        rows = self.spark.sql(f"""
            WITH s AS (
                SELECT s.lrid, s.rrid, w.weight, w.prob, max(w.weight) OVER (PARTITION BY s.lrid) AS best
                FROM scored s JOIN weights w ON w.code = s.code
            )
            SELECT a.id AS left_id, b.id AS right_id, s.prob, s.lrid, s.weight FROM s
            JOIN l_feat a ON a.rid = s.lrid JOIN r_feat b ON b.rid = s.rrid
            WHERE s.prob >= {float(threshold)} AND s.weight >= s.best - {float(self.thresholds.margin)}
            ORDER BY s.lrid, s.weight DESC, b.id
        """).toLocalIterator()  # noqa: S608  # one partition at a time, not every link in the driver at once
        for r in rows:
            yield Link(str(r["left_id"]), str(r["right_id"]), float(r["prob"]))

    def clusters(self, threshold: float | None = None) -> Iterator[tuple[str, str]]:
        """(record id, cluster id) for every record in input order, streamed to the driver."""
        threshold = self.thresholds.match if threshold is None else threshold
        self._pairs(dedupe=True)
        patterns = self._score(dedupe=True)
        self.model = self._estimate(patterns + self._weak, dedupe=True)
        self._weights(self.model, patterns)
        cluster_pairs = self.spark.sql(CLUSTER_PAIRS_SQL.format(threshold=float(threshold))).cache()
        cluster_pairs.createOrReplaceTempView("cluster_pairs")
        pairs = [(int(r["lrid"]), int(r["rrid"]), float(r["weight"]), float(r["prob"])) for r in cluster_pairs.collect()]
        linked = {int(r["rid"]): str(r["id"]) for r in self.spark.sql(LINKED_IDS_SQL).collect()}
        records = ((int(r["rid"]), str(r["id"])) for r in self.spark.sql("SELECT rid, id FROM l_feat ORDER BY rid").toLocalIterator())
        yield from cluster_rows(pairs, linked, [records], threshold)
        cluster_pairs.unpersist()
