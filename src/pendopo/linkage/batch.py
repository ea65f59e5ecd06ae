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
from collections.abc import Iterable, Iterator

import duckdb
import numpy as np

from pendopo.linkage import columnar
from pendopo.linkage.compare import FIELD_ORDER
from pendopo.linkage.errors import InputError
from pendopo.linkage.index import (
    MAX_BLOCK,
    MAX_CANDIDATES,
    SINGLE_KEY_CANDIDATES,
    WEAK_ONLY_BELOW,
    WEAK_SAMPLE,
    Thresholds,
)
from pendopo.linkage.io import Mapping, resolve_columns
from pendopo.linkage.model import Model, USample
from pendopo.linkage.records import PersonRecord
from pendopo.linkage.sqlprep import (
    RAW_COLUMNS,
    build_keys,
    drop_name_store,
    drop_relation,
    prepare_in_duckdb,
    records_to_raw,
)
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
    gc_paused,
    hand_back_freed,
    named_sql,
    pattern_weights,
    sure_sql,
    u_sample_step,
    weak_every,
)
from pendopo.linkage.vectorised import FACTS_SQL, codes, levels_from_facts

PAIRS = [("lrid", "INTEGER"), ("rrid", "INTEGER")]
SCORED = [*PAIRS, ("code", "BIGINT")]
OUTPUT_BATCH = 50_000  # result rows fetched at a time when links are read out
# Key hits ranked at once, per GB of DuckDB's memory limit, when candidate pairs are made: what
# ranking them needs fits in that memory (a 10-million-row file has hundreds of millions of hits).
HIT_CHUNK = 20_000_000
# The features' columns (with ``hashed`` keys, the batch engine's default, ``name_sorted`` and
# ``first_phon`` are UBIGINT hashes instead: ``sqlprep._map_names``).
FEATURE_SCHEMA = [
    ("rid", "INTEGER"), ("id", "VARCHAR"), ("nik", "VARCHAR"), ("kk", "VARCHAR"), ("name", "VARCHAR"),
    ("name_sorted", "VARCHAR"), ("name_phon", "VARCHAR"), ("first_phon", "VARCHAR"), ("birth", "INTEGER"),
    ("birth_swapped", "INTEGER"), ("placeholder", "BOOLEAN"), ("sex", "VARCHAR"), ("village", "VARCHAR"),
    ("place", "VARCHAR"), ("dusun", "VARCHAR"), ("rt", "SMALLINT"), ("rw", "SMALLINT"),
]
assert tuple(name for name, _ in FEATURE_SCHEMA) == COLUMNS


# Below this many input rows, DuckDB hands freed memory back to the system after each bulk
# deallocation of over 1 MB (a dropped table, a finished join) instead of keeping it for
# later queries: a 200k link job peaked 45 MiB lower. Above it the job's memory is bounded by
# ``memory_limit`` anyway, and handing back cost 3% of a 2M job's time.
SMALL_JOB_ROWS = 1_000_000
DEFAULT_BULK_FLUSH = "512MiB"  # DuckDB's own

# The u sample's random pairs are compared this many at a time, a query each: DuckDB computes a
# query's whole result before its first Arrow batch, and nearly all of these pairs carry both
# names' sounds (all 100,000 at once: 32 MiB more at the peak of a 200k link job, 50,000 26-56
# MiB more). 25,000 took 0.05 s less of the 200k job's 1.7-2.0 s but peaked at up to 202 MiB
# where 10,000 stays at 193-195 (decision 37). A job past SMALL_JOB_ROWS, bounded by
# ``memory_limit`` rather than by its start-up, compares them in one query (0.2 s less at 2M).
U_BATCH = 10_000



class DuckDBLinker(LinkerBase):
    """One linkage job. ``link`` or ``dedupe`` after ``load``ing the sides."""

    # ``score_link``'s left rows whose name and birth date belong to one right record have it
    # as their only candidate (``stages.NAMED_SQL``); False blocks them like every other row.
    NAME_ROWS = True

    def __init__(self, *, memory_limit: str = "1GB", threads: int | None = None, temp_directory: str | None = None,
                 thresholds: Thresholds | None = None, progress: Progress | None = None, seed: int = 1) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="pendopo-link-", dir=temp_directory)
        # The job's tables are scratch space: an in-memory database, whose blocks DuckDB moves to
        # ``temp_directory`` beyond ``memory_limit`` as it does with a file's. A database file
        # compressed and wrote every table as it was made (2M registry rows: 3.2 s to store
        # against 1.3 s in memory), for data deleted at the end of the job.
        self.con = duckdb.connect(":memory:")
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET temp_directory = '{self.tmp.name}/spill'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.thresholds = thresholds or Thresholds()
        self.progress = progress or (lambda stage, n: None)
        self.seed = seed
        self.model = Model()
        self.sizes: dict[str, int] = {}
        self.roles: dict[str, tuple[bool, bool]] = {}  # side: (query, reference) as loaded
        self.input_rows = 0
        self.weak_every = WEAK_SAMPLE  # the weak sample's rate, 1 in this many (``_pairs``)
        self._flush_freed(True)

    def _flush_freed(self, small: bool) -> None:
        """See ``SMALL_JOB_ROWS``."""
        self.con.execute(f"SET allocator_bulk_deallocation_flush_threshold = '{'1MiB' if small else DEFAULT_BULK_FLUSH}'")

    def count_input(self, rows: int) -> None:
        """Every input's rows as read, by whatever reads them into ``con`` (``load``,
        ``load_csv``, a screening's files): past ``SMALL_JOB_ROWS`` the job keeps freed memory."""
        self.input_rows += rows
        if self.input_rows > SMALL_JOB_ROWS:
            self._flush_freed(False)

    def close(self) -> None:
        self.con.close()
        self.tmp.cleanup()

    # --- loading ---------------------------------------------------------------------------
    def load(self, side: str, records: Iterable[PersonRecord], *, query: bool, reference: bool) -> int:
        """Store one side (``l`` or ``r``) raw, then prepare it and its blocking keys in DuckDB
        (``sqlprep``): ``{side}_feat``, ``{side}_keys`` (query keys) and ``{side}_refkeys``."""
        with gc_paused():
            rid = records_to_raw(self.con, f"{side}_raw", records, lambda n: self.progress(f"load:{side}", n))
            self.count_input(rid)
            prepare_in_duckdb(self.con, f"{side}_raw", side, query=query, reference=reference, keys=False)
        drop_relation(self.con, f"{side}_raw")  # the features are all a job reads from here on
        self.roles[side] = (query, reference)
        self.sizes[side] = rid
        return rid

    def load_csv(self, side: str, path: str, mapping: Mapping, *, query: bool, reference: bool) -> int:
        """Like ``load`` for a CSV file, read by DuckDB itself (much faster than Python's csv
        module on millions of rows) with the same checks and the same values as
        ``io.read_records``: the header and mapping are checked first, UTF-8 is verified with
        the line of the first bad byte, then empty and duplicate ids are refused by row."""
        from pendopo.linkage.io import check_utf8, open_table

        table = open_table(path)  # existence, emptiness, binary content, header
        header = list(table.header)
        sources = resolve_columns(header, mapping, str(path))
        close = getattr(table.rows, "close", None)
        if close:
            close()
        check_utf8(path)
        raw = f"{side}_raw"

        def column(name: str) -> str:
            cols = sources.get(name)
            if not cols:
                return f"NULL::VARCHAR AS {name}"
            if len(cols) == 1:
                return f'"{cols[0]}" AS {name}'
            joined = ", ".join(f'nullif(trim("{c}"), \'\')' for c in cols)
            return f"nullif(concat_ws(' ', {joined}), '') AS {name}"

        select = ", ".join(column(c) for c in RAW_COLUMNS[1:])
        escaped = str(path).replace("'", "''")
        try:
            # The stored table keeps the file's order (insertion order is preserved), so its rowid
            # is the record's number: no window over millions of rows to count them.
            drop_relation(self.con, raw)
            self.con.execute(f"""
                CREATE OR REPLACE TABLE {raw}_rows AS
                SELECT trim("{mapping.id_column}") AS id, {select}
                FROM read_csv('{escaped}', header = true, all_varchar = true, auto_detect = true, delim = ',',
                              quote = '"', escape = '"', null_padding = true)
            """)
            self.con.execute(f"CREATE VIEW {raw} AS SELECT rowid::BIGINT AS rid, * FROM {raw}_rows")
            self.count_input(int(self.con.execute(f"SELECT count(*) FROM {raw}_rows").fetchall()[0][0]))
        except duckdb.Error as exc:
            raise InputError(f"CSV tidak dapat dibaca ({str(exc).splitlines()[0][:200]}) / unreadable CSV", file=str(path)) from exc
        bad = self.con.execute(f"SELECT min(rid) FROM {raw} WHERE id IS NULL OR id = ''").fetchall()
        if bad and bad[0][0] is not None:
            raise InputError("id kosong / empty id", file=str(path), row=int(bad[0][0]) + 2, column=mapping.id_column)
        dup = self.con.execute(f"""
            SELECT id, max(rid) FROM (SELECT id, rid, row_number() OVER (PARTITION BY id ORDER BY rid) AS k FROM {raw})
            WHERE k = 2 GROUP BY id ORDER BY 2 LIMIT 1
        """).fetchall()
        if dup:
            raise InputError(f"id '{dup[0][0]}' muncul dua kali / duplicate id", file=str(path), row=int(dup[0][1]) + 2,
                             column=mapping.id_column)
        with gc_paused():
            n = prepare_in_duckdb(self.con, raw, side, query=query, reference=reference, keys=False)
        drop_relation(self.con, raw)  # the features are all a job reads from here on
        drop_relation(self.con, f"{raw}_rows")
        self.roles[side] = (query, reference)
        self.sizes[side] = n
        self.progress(f"load:{side}", n)
        return n

    # --- pairs -----------------------------------------------------------------------------
    def sure_pairs(self, *, fuzzy_names: bool = False, sampled_below: int = 2**31) -> int:
        """``sure``: the left rows' sure pairs (``SURE_SQL``); with ``fuzzy_names`` a Jaro–Winkler
        similarity of at least 0.9 between the names' sounds also counts as having the name."""
        fuzzy = " OR jaro_winkler_similarity(l.name_phon, r.name_phon) >= 0.9" if fuzzy_names else ""
        self.con.execute(f"CREATE OR REPLACE TABLE sure AS {sure_sql(fuzzy=fuzzy, sampled_below=sampled_below)}")
        return int(self.con.execute("SELECT count(*) FROM sure").fetchall()[0][0])

    def score_link(self, *, fuzzy_names: bool = False, settle_from: int | None = None, rolls_from: int | None = None,
                   named_from: int | None = None) -> None:
        """The scoring stages of linking ``l`` to ``r`` (``pendopo link match`` and screening):
        sure pairs first; only the other left rows are blocked, and the right side keeps only
        the keys some of them have (2M people have 20M keys; a key's count stays exact).

        ``settle_from``: left rows from this rid on whose sure pair also has the same normalised
        name and the same birth date are ``settled`` (lrid, rrid) and not compared at all — for
        a caller that needs only *whether* such a row is its person, not a score (screening's
        roll rows: 488,700 of 1.9 million pairs at 2M people, all of which scored 0.9999 or more
        when they were compared). Every other pair is scored as before.

        ``rolls_from``: the left rows from this rid on are rows of which only *who* they are
        matters (a screening's roll rows, decided in SQL, ``aid.batch``), not which other people
        they might also be:
        - none of them with a sure pair is sampled for blocking (``SURE_SAMPLE``): the model
          learns clean rows from the rows before (a screening's intake, whose rows it decides),
          not from a twenty-fifth of 500,000 roll rows typed as their registry row (21,000 of
          103,000 blocked rows, a fifth of the key hits, at 2M people);
        - they are named (``named_from``).

        ``named_from``: (``rolls_from`` when not given; ``link`` names every row) a left row from
        this rid on whose normalised name and birth date belong to exactly one right record, in
        the row's village, has that record as its only candidate, scored like a sure pair
        (``stages.NAMED_SQL``): at 2M people 41,000 of a screening's 58,000 roll rows still
        blocked, whose NIK is missing, one digit off or their KK number; 31,000 of the 73,500 a
        link of 220,000 rows blocks. One in NAMED_SAMPLE of them is blocked all the same and its
        pairs count NAMED_SAMPLE times in training, so the model learns from the same mix of
        candidates as when all of them are blocked."""
        self.sure_pairs(fuzzy_names=fuzzy_names, sampled_below=2**31 if rolls_from is None else rolls_from)
        done = "SELECT lrid FROM sure"
        if settle_from is not None:
            self.con.execute(f"""
                CREATE OR REPLACE TABLE settled AS
                SELECT s.lrid, s.rrid FROM sure s JOIN l_feat a ON a.rid = s.lrid JOIN r_feat b ON b.rid = s.rrid
                WHERE s.lrid >= {int(settle_from)} AND a.name = b.name AND a.birth = b.birth AND a.birth <> 0
            """)
            self.con.execute("DELETE FROM sure WHERE lrid IN (SELECT lrid FROM settled)")
            done += " UNION ALL SELECT lrid FROM settled"
        reweighted = None
        named_from = rolls_from if named_from is None else named_from
        if named_from is not None and self.NAME_ROWS:
            self.con.execute(f"CREATE OR REPLACE TABLE named AS {named_sql(named_from=named_from, done=done)}")
            self.con.execute(f"CREATE OR REPLACE TABLE named_sample AS SELECT lrid FROM named WHERE lrid % {NAMED_SAMPLE} = 0")
            self.con.execute(f"INSERT INTO sure SELECT lrid, rrid FROM named WHERE lrid % {NAMED_SAMPLE} <> 0")
            self.con.execute("DROP TABLE named")
            reweighted = ("named_sample", NAMED_SAMPLE)
        build_keys(self.con, "l", query=True, reference=False, where=f"rid NOT IN ({done})")
        build_keys(self.con, "r", query=False, reference=True, keys_in="l_keys")
        self._score_candidates(dedupe=False, extra_pairs="sure", reweighted=reweighted)
        if reweighted:
            self.con.execute(f"DROP TABLE {reweighted[0]}")

    def _pairs(self, dedupe: bool) -> int:
        """Candidate pairs from shared keys (keys shared by more than MAX_BLOCK records dropped,
        at most MAX_CANDIDATES per left record, those sharing most keys first), split into
        ``pairs`` that are scored and a fixed sample of the weak candidates, 1 in ``weak_every``
        (``weak_sample``), that only trains the model, so that EM sees non-matches as they occur."""
        ref = "l_refkeys" if dedupe else "r_refkeys"
        pair = "least(lrid, rrid) AS lrid, greatest(lrid, rrid) AS rrid" if dedupe else "lrid, rrid"
        # A link's reference keys are already only those some query row has (``score_link``
        # builds them so); a dedupe's are all of its records' keys.
        present = " WHERE key IN (SELECT key FROM l_keys)" if dedupe else ""
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE usable AS
            SELECT key, count(*) AS n FROM {ref}{present} GROUP BY key HAVING count(*) <= {MAX_BLOCK}
        """)

        assert MAX_BLOCK < 1024  # a block's size fits the rank key's 10 bits

        def ranked(where: str) -> str:
            # Each left row's best MAX_CANDIDATES candidates, most shared keys first, then the
            # smallest block shared, then the lower rrid (``index.SINGLE_KEY_CANDIDATES``): a top-n
            # aggregate over one number per hit (shared keys in the top bits, then 1023 minus the
            # size of the smallest block shared, then 2^31 - 1 - rrid) rather than a window
            # sorting every row's hits. The list comes best first, so a candidate's place in it
            # is its rank.
            return f"""
                WITH hits AS (
                    SELECT q.rid AS lrid, r.rid AS rrid, count(*) AS n, min(u.n) AS size
                    FROM l_keys q JOIN usable u ON u.key = q.key JOIN {ref} r ON q.key = r.key
                    WHERE true {"AND q.rid <> r.rid" if dedupe else ""} {where}
                    GROUP BY 1, 2
                ),
                top AS (
                    SELECT lrid, max((n::BIGINT << 41) | ((1023 - size)::BIGINT << 31) | (2147483647 - rrid), {MAX_CANDIDATES}) AS top
                    FROM hits GROUP BY lrid
                ),
                ranked AS (SELECT lrid, unnest(top) AS rank_key, generate_subscripts(top, 1) AS k, top[1] >> 41 AS best FROM top)
                SELECT lrid, (2147483647 - (rank_key & 2147483647))::INTEGER AS rrid,
                       rank_key >> 41 >= 2 OR (best <= {WEAK_ONLY_BELOW} AND k <= {SINGLE_KEY_CANDIDATES}) AS strong
                FROM ranked
            """

        # A link's candidates are unique per left row already; a dedupe's pair may come from
        # both of its records.
        chunks = self._hit_chunks()
        if len(chunks) <= 1:
            self.con.execute(f"""
                CREATE OR REPLACE TABLE candidates AS
                SELECT {pair}, max(strong) AS strong FROM ({ranked("")}) GROUP BY 1, 2
            """ if dedupe else f"CREATE OR REPLACE TABLE candidates AS {ranked('')}")
        else:
            # Tens of millions of hits do not fit the ranking's memory at once: rank the left rows
            # a range at a time (each row's hits are whole in its range, so nothing changes).
            for i, (lo, hi) in enumerate(chunks):
                into = "CREATE OR REPLACE TABLE chunk_ranked AS" if i == 0 else "INSERT INTO chunk_ranked"
                self.con.execute(f"{into} {ranked(f'AND q.rid BETWEEN {lo} AND {hi}')}")
            if dedupe:
                self.con.execute(f"CREATE OR REPLACE TABLE candidates AS SELECT {pair}, max(strong) AS strong FROM chunk_ranked GROUP BY 1, 2")
                self.con.execute("DROP TABLE chunk_ranked")
            else:
                self.con.execute("DROP TABLE IF EXISTS candidates")
                self.con.execute("ALTER TABLE chunk_ranked RENAME TO candidates")
        self.con.execute("CREATE OR REPLACE TABLE pairs AS SELECT lrid, rrid FROM candidates WHERE strong")
        weak = self.con.execute("SELECT count(*) FROM candidates WHERE NOT strong").fetchall()[0][0]
        self.weak_every = weak_every(int(weak))
        self.con.execute(f"""
            CREATE OR REPLACE TABLE weak_sample AS SELECT lrid, rrid FROM candidates
            WHERE NOT strong AND {WEAK_SQL.format(every=self.weak_every)}
        """)
        # The keys are done with; in the in-memory database they would hold their memory
        # through the comparison.
        self.con.execute("DROP TABLE usable")
        for keys in ("l_keys", "l_refkeys", "r_refkeys", "r_keys"):
            self.con.execute(f"DROP TABLE IF EXISTS {keys}")
        n = self.con.execute("SELECT count(*) FROM pairs").fetchall()
        return int(n[0][0]) if n else 0

    def _memory_bytes(self) -> float:
        """DuckDB's memory limit in bytes, as it reports it ("572.2 MiB")."""
        text = str(self.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]).strip()
        number, _, unit = text.partition(" ")
        scale = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
                 "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}.get(unit.strip())
        try:
            return float(number) * scale if scale else 1e9
        except ValueError:
            return 1e9  # a form this does not know: size the ranges for 1 GB

    def _hit_chunks(self) -> list[tuple[int, int]]:
        """Ranges of left rows (first, last rid) whose key hits number about HIT_CHUNK per GB of
        DuckDB's memory each; none when all of them fit. A row's hits are estimated as the sizes
        of its usable keys' blocks."""
        total = self.con.execute("SELECT coalesce(sum(u.n), 0) FROM l_keys q JOIN usable u USING (key)").fetchall()[0][0]
        chunk = max(1, int(HIT_CHUNK * self._memory_bytes() / 1e9))
        if int(total) <= chunk:
            return []
        return [(int(lo), int(hi)) for lo, hi in self.con.execute(f"""
            WITH per_row AS (SELECT q.rid, sum(u.n) AS h FROM l_keys q JOIN usable u USING (key) GROUP BY q.rid),
            running AS (SELECT rid, (sum(h) OVER (ORDER BY rid ROWS UNBOUNDED PRECEDING) - h) // {chunk} AS chunk FROM per_row)
            SELECT min(rid), max(rid) FROM running GROUP BY chunk ORDER BY chunk
        """).fetchall()]

    def _levels(self, table: str, left: str, right: str) -> Iterator[tuple[dict[str, np.ndarray], np.ndarray]]:
        """Batches of the pairs (lrid, rrid) of ``table``, rows of ``left`` and ``right``, with
        their levels: DuckDB computes the pair facts (``FACTS_SQL``); numpy and rapidfuzz turn
        them into levels."""
        for batch in columnar.batches(self.con.cursor().sql(f"""
            SELECT p.lrid, p.rrid, {FACTS_SQL}
            FROM {table} p JOIN {left} a ON a.rid = p.lrid JOIN {right} b ON b.rid = p.rrid
        """)):
            yield batch, levels_from_facts(batch)

    def _compare_pairs(self, dedupe: bool, table: str = "pairs", store: bool = True) -> Counter[int]:
        """Compare every pair of ``table`` once; store its pattern code (``store``); return
        pattern counts."""
        if store:
            self.con.execute(f"CREATE OR REPLACE TABLE scored ({', '.join(f'{c} {t}' for c, t in SCORED)})")
        patterns: Counter[int] = Counter()
        done = 0
        for batch, levels in self._levels(table, "l_feat", "l_feat" if dedupe else "r_feat"):
            pattern = codes(levels)
            patterns.update(pattern.tolist())
            if not store:
                continue
            columnar.store(self.con, "scored", {"lrid": batch["lrid"], "rrid": batch["rrid"], "code": pattern}, SCORED, insert=True)
            done += len(pattern)
            self.progress("compare", done)
        return patterns

    def _weak_patterns(self, dedupe: bool) -> Counter[int]:
        sample = self._compare_pairs(dedupe, table="weak_sample", store=False)
        return Counter({code: n * self.weak_every for code, n in sample.items()})

    def _estimate(self, patterns: Counter[int], dedupe: bool) -> Model:
        right = "l_feat" if dedupe else "r_feat"
        size = self.sizes["l" if dedupe else "r"]
        # The sample's records in a table of their own (tables, not TEMP: the reader of
        # ``_levels`` is a cursor, which sees no temp tables): each batch of random pairs then
        # joins 20,000 records, not every record of the reference side (two scans of two
        # million rows a batch at 2M people).
        self.con.execute(f"CREATE OR REPLACE TABLE u_feat AS SELECT * FROM {right} WHERE rid % {u_sample_step(size)} = 0")
        # Of the sample's records, only their numbers and NIKs come into Python.
        ids = self.con.execute("SELECT rid, nik FROM u_feat ORDER BY rid").fetchall()
        rids = np.fromiter((r[0] for r in ids), dtype=np.int32, count=len(ids))
        niks = [r[1] for r in ids if r[1]]
        del ids

        def compare(i: np.ndarray, j: np.ndarray) -> np.ndarray:
            # The random pairs of the sample compared in DuckDB, where the records are (a
            # hundred thousand pairs: 0.1 s against 0.6 s for their facts in Python).
            levels = []
            step = U_BATCH if self.input_rows <= SMALL_JOB_ROWS else max(1, len(i))
            for start in range(0, len(i), step):
                part = slice(start, start + step)
                columnar.store(self.con, "u_pairs", {"lrid": rids[i[part]], "rrid": rids[j[part]]}, PAIRS)
                levels += [lv for _, lv in self._levels("u_pairs", "u_feat", "u_feat")]
            self.con.execute("DROP TABLE u_pairs")
            return np.concatenate(levels) if levels else np.empty((0, len(FIELD_ORDER)), dtype=np.int8)

        try:
            return fit_model(USample(len(rids), niks, compare), patterns, self.model, self.seed)
        finally:
            self.con.execute("DROP TABLE u_feat")
            hand_back_freed()

    def _weights(self, model: Model, patterns: Iterable[int]) -> None:
        rows = pattern_weights(model, patterns)
        columnar.store(self.con, "weights", {"code": [r[0] for r in rows], "weight": [r[1] for r in rows],
                                             "prob": [r[2] for r in rows]}, [("code", "BIGINT"), ("weight", "DOUBLE"), ("prob", "DOUBLE")])

    # --- jobs ------------------------------------------------------------------------------
    def _score_candidates(self, dedupe: bool, extra_pairs: str = "", reweighted: tuple[str, int] | None = None) -> None:
        """Candidate pairs, their patterns, the model fitted on them and every pattern's weight.
        ``extra_pairs`` names a table of (lrid, rrid) pairs known without blocking (the only
        candidate of their left record): they are compared and weighed like the others but do
        not train the model, since EM must see candidates in the mix blocking produces (a
        record's true match among its non-matches), not a set of near-certain matches.
        ``reweighted`` (table of left rows, k): those rows stand for k times as many (one in k
        of the rows ``stages.NAMED_SQL`` finds, blocked): their pairs count k times in training."""
        drop_name_store(self.con)  # every input is prepared
        n = self._pairs(dedupe=dedupe)
        self.con.execute("DROP TABLE candidates")  # what the comparison reads is in ``pairs`` and ``weak_sample``
        if extra_pairs:
            self.con.execute(f"INSERT INTO pairs SELECT lrid, rrid FROM {extra_pairs}")
            n += int(self.con.execute(f"SELECT count(*) FROM {extra_pairs}").fetchall()[0][0])
        self.progress("pairs", n)
        patterns = self._compare_pairs(dedupe=dedupe)
        self.progress("fit", sum(patterns.values()))
        training = patterns
        if extra_pairs:
            training = Counter({int(code): int(k) for code, k in self.con.execute(f"""
                SELECT code, count(*) FROM scored WHERE lrid NOT IN (SELECT lrid FROM {extra_pairs}) GROUP BY code
            """).fetchall()})
        weak = self._weak_patterns(dedupe=dedupe)
        if reweighted:
            table, k = reweighted
            training = Counter(training)  # not ``patterns``, which weigh the pairs
            rows = f"lrid IN (SELECT lrid FROM {table})"
            for code, count in self.con.execute(f"SELECT code, count(*) FROM scored WHERE {rows} GROUP BY code").fetchall():
                training[int(code)] += int(count) * (k - 1)
            self.con.execute(f"CREATE OR REPLACE TABLE weak_reweighted AS SELECT * FROM weak_sample WHERE {rows}")
            for code, count in self._compare_pairs(dedupe, table="weak_reweighted", store=False).items():
                weak[code] += count * self.weak_every * (k - 1)
            self.con.execute("DROP TABLE weak_reweighted")
        self.model = self._estimate(training + weak, dedupe=dedupe)
        self._weights(self.model, patterns)

    def link(self, threshold: float | None = None) -> Iterator[Link]:
        """Each left record with its best right record at or above ``threshold``, or with
        every right record that fits equally well (within the ambiguity margin)."""
        threshold = self.thresholds.match if threshold is None else threshold
        with gc_paused():
            self.score_link(named_from=0)
        result = self.con.execute(f"""
            WITH s AS (
                SELECT s.lrid, s.rrid, w.weight, w.prob,
                       max(w.weight) OVER (PARTITION BY s.lrid) AS best
                FROM scored s JOIN weights w USING (code)
            )
            SELECT a.id, b.id, s.prob FROM s
            JOIN l_feat a ON a.rid = s.lrid JOIN r_feat b ON b.rid = s.rrid
            WHERE s.prob >= {float(threshold)} AND s.weight >= s.best - {float(self.thresholds.margin)}
            ORDER BY s.lrid, s.weight DESC, b.id
        """)
        while rows := result.fetchmany(OUTPUT_BATCH):  # streamed: ten million links never sit in memory at once
            yield from map(Link._make, rows)  # (VARCHAR, VARCHAR, DOUBLE): already (str, str, float)

    def clusters(self, threshold: float | None = None) -> Iterator[tuple[str, str]]:
        """(record id, cluster id) for every record in input order, streamed: only the records
        that match another one are held in memory."""
        threshold = self.thresholds.match if threshold is None else threshold
        query, reference = self.roles.get("l", (True, True))
        with gc_paused():
            build_keys(self.con, "l", query=query, reference=reference)
            self._score_candidates(dedupe=True)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE cluster_pairs AS {CLUSTER_PAIRS_SQL.format(threshold=float(threshold))}")
            pairs = [(int(a), int(b), float(w), float(p)) for a, b, w, p in self.con.execute("SELECT * FROM cluster_pairs").fetchall()]
            linked = dict(self.con.execute(LINKED_IDS_SQL).fetchall())
        result = self.con.execute("SELECT rid, id FROM l_feat ORDER BY rid")
        yield from cluster_rows(pairs, linked, iter(lambda: result.fetchmany(OUTPUT_BATCH), []), threshold)
