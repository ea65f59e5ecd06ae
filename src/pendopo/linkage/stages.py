"""What every batch engine shares (DuckDB's ``batch.py``, Spark's ``spark.py`` and the plain
Python ``local.py``): the pattern codes, the model's fit, the sure pairs' rule, the clusters of
a dedupe job. Nothing here imports DuckDB or pyarrow, so a small job that runs in plain Python
never loads them."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple, Self

from pendopo.linkage.compare import FIELD_ORDER
from pendopo.linkage.index import WEAK_SAMPLE
from pendopo.linkage.model import Model, USample, estimate_em, estimate_u
from pendopo.linkage.records import Features

# The features' columns, in the order every engine stores them.
COLUMNS = ("rid", "id", "nik", "kk", "name", "name_sorted", "name_phon", "first_phon", "birth", "birth_swapped",
           "placeholder", "sex", "village", "place", "dusun", "rt", "rw")
BASE = 8  # levels fit in 0..6 plus missing; a pattern is a base-8 number
Progress = Callable[[str, int], None]

U_SAMPLE = 20_000
MIN_EM_PAIRS = 2_000  # fewer candidate pairs than this: keep the prior m (EM needs data to learn from)
MIN_U_SAMPLE = 500  # fewer reference records than this: keep the prior u


def u_sample_step(size: int) -> int:
    """Every n-th reference record goes into the u sample: the same rows in every engine, so
    all of them estimate the same model from the same data."""
    return max(1, size // U_SAMPLE)


def encode(levels: tuple[int, ...]) -> int:
    code = 0
    for lvl in levels:
        code = code * BASE + (lvl + 1)
    return code


@functools.lru_cache(maxsize=1 << 14)
def decode(code: int) -> tuple[int, ...]:
    """The levels of a pattern code (a few thousand distinct codes decode every candidate of a
    large job: remembered)."""
    out = []
    for _ in FIELD_ORDER:
        out.append(code % BASE - 1)
        code //= BASE
    return tuple(reversed(out))


def fit_model(sample: USample, patterns: Counter[int], start: Model, seed: int) -> Model:
    """The model every engine fits: u from the reference sample (every n-th record), m and the
    prior by EM on the pattern counts. One definition, so the engines answer alike."""
    # A registry of a few dozen people says little about chance agreement: keep the prior u.
    u = estimate_u(sample, seed=seed) if sample.size >= MIN_U_SAMPLE else start.u
    if sum(patterns.values()) < MIN_EM_PAIRS:
        # A handful of rows (one village's short list against a small registry) cannot
        # estimate m and the prior; the engine's priors, with u from the data, can.
        return Model(m=start.m, u=u, prior=start.prior)
    # In the codes' order: EM's sums then add the same numbers in the same order in every engine,
    # whatever order each engine met the patterns in (floating-point addition is not associative).
    fitted = estimate_em(Counter({decode(c): n for c, n in sorted(patterns.items())}), prior=0.1)
    return Model(m=fitted.m, u=u, prior=fitted.prior)


def pattern_weights(model: Model, patterns: Iterable[int]) -> list[tuple[int, float, float]]:
    """(code, match weight, probability) for every pattern."""
    out = []
    for code in patterns:
        w = model.weight(decode(code))
        out.append((int(code), w, model.probability(w)))
    return out


SURE_SAMPLE = 25  # one in this many rows with a sure pair is blocked anyway (trains the model)
# Left rows whose 16-digit NIK belongs to exactly one right record that also has their name
# (the same normalised name, word order or sound, and for screening a close sound) and birth date (or, with no birth
# date typed, village): that record is their only candidate. The pair is scored like every other,
# so the decision still comes from the model; only blocking, which would find the same person, is
# skipped. (A name alone is not enough: a common name and another person's NIK, a KK number or a
# typo, meet by chance.) One such row in SURE_SAMPLE is blocked all the same, so that the model
# is trained on candidates as blocking produces them (of the rows below ``sampled_below``: a
# screening samples its intake, not its roll rows, ``score_link``'s ``rolls_from``).
SURE_SQL = """
    SELECT lrid, min(rrid) AS rrid FROM (
        SELECT l.rid AS lrid, r.rid AS rrid,
               l.name <> '' AND (l.rid % {sample} <> 0 OR l.rid >= {sampled_below})
               AND (l.name = r.name OR l.name_sorted = r.name_sorted OR l.name_phon = r.name_phon{fuzzy})
               AND (l.birth = r.birth OR l.birth_swapped = r.birth OR (l.birth = 0 AND l.village = r.village)) AS fits
        FROM l_feat l JOIN r_feat r ON l.nik = r.nik
        WHERE length(l.nik) = 16
    ) GROUP BY lrid HAVING count(*) = 1 AND bool_and(fits)
"""
# (The NIK is one right record's when the left row's NIK joins exactly one: counting the joins
# of the few left rows is cheaper than counting every NIK of a two-million-row right side.)


# One in this many rows with a named pair is blocked anyway (weighted up in training): at 2M people
# one in ten is 4,000 rows, enough for the model (five gave the same decisions on four generated
# sets, with 4,000 more rows blocked).
NAMED_SAMPLE = 10
# Left rows from ``named_from`` on, not yet done (``done``: the rows with a sure or settled pair),
# whose normalised name and birth date belong to exactly one right record, which is in the row's
# village: that record is their only candidate (``named_pairs`` in Python). Name, birth date and
# village are three facts a typed NIK does not touch: a NIK missing, one digit off or a KK number
# leaves them to say who the row is. Two people of one name born on one day are both blocked.
NAMED_SQL = """
    SELECT l.rid AS lrid, min(r.rid) AS rrid FROM l_feat l JOIN r_feat r ON r.name = l.name AND r.birth = l.birth
    WHERE l.rid >= {named_from} AND l.name <> '' AND l.birth <> 0 AND l.rid NOT IN ({done})
    GROUP BY l.rid HAVING count(*) = 1 AND bool_and(l.village = r.village AND l.village <> '')
"""


def named_sql(*, named_from: int, done: str) -> str:
    """``NAMED_SQL`` for the left rows from ``named_from`` on and not in the query ``done``."""
    return NAMED_SQL.format(named_from=int(named_from), done=done)


def named_pairs(left: list[Features], right: list[Features], done: Iterable[int]) -> dict[int, int]:
    """``NAMED_SQL`` in Python for every left row not in ``done``: {left row: its right row}."""
    skip = set(done)
    wanted = {(f.name, f.birth) for lrid, f in enumerate(left) if lrid not in skip and f.name and f.birth}
    found: dict[tuple[str, int], list[int]] = {}
    for rid, f in enumerate(right):
        if (f.name, f.birth) in wanted:
            found.setdefault((f.name, f.birth), []).append(rid)
    named = {}
    for lrid, f in enumerate(left):
        rids = found.get((f.name, f.birth)) if lrid not in skip and f.name and f.birth else None
        if rids and len(rids) == 1 and f.village and right[rids[0]].village == f.village:
            named[lrid] = rids[0]
    return named


def sure_sql(*, fuzzy: str = "", sampled_below: int = 2**31) -> str:
    """``SURE_SQL`` with an optional further name condition (an SQL ``OR`` clause); only the
    left rows below the rid ``sampled_below`` are sampled for blocking."""
    return SURE_SQL.format(sample=SURE_SAMPLE, fuzzy=fuzzy, sampled_below=int(sampled_below))


def sure_fits(lrid: int, left: Features, right: Features) -> bool:
    """``SURE_SQL``'s ``fits`` in Python, for a left row whose NIK is ``right``'s alone (the
    plain link job: no further name condition, every row sampled)."""
    return (left.name != "" and lrid % SURE_SAMPLE != 0
            and (left.name == right.name or left.name_sorted == right.name_sorted or left.name_phon == right.name_phon)
            and (left.birth == right.birth or left.birth_swapped == right.birth or (left.birth == 0 and left.village == right.village)))


# The weak candidates that train the model, 1 in ``weak_every`` of them: a fixed hash of the pair
# (two primes), in Python and in the engines' SQL (``WEAK_SQL``, DuckDB and Spark) alike.
_WEAK_L, _WEAK_R = 7919, 104729


def weak_sampled(lrid: int, rrid: int, every: int = WEAK_SAMPLE) -> bool:
    return (lrid * _WEAK_L + rrid * _WEAK_R) % every == 0


WEAK_SQL = f"(CAST(lrid AS BIGINT) * {_WEAK_L} + CAST(rrid AS BIGINT) * {_WEAK_R}) % {{every}} = 0"
# EM learns what non-matching candidates look like from some tens of thousands of them: past
# WEAK_TARGET * WEAK_SAMPLE weak candidates the sample is 1 in more than WEAK_SAMPLE, about
# WEAK_TARGET pairs. A 2M link job has 1.7 million; comparing its 173,000 sampled took 0.3-0.4 s.
WEAK_TARGET = 50_000


def weak_every(weak: int) -> int:
    """1 in how many of ``weak`` weak candidates are sampled (their patterns count that often)."""
    return max(WEAK_SAMPLE, -(-weak // WEAK_TARGET))


def hand_back_freed() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). Freed blocks in the middle of the heap otherwise stay with the process: the u
    sample's batches and the model's fit leave about 15 MiB of them in a 200k link job, which
    then sat under its final query, the job's peak (decision 37)."""
    if not sys.platform.startswith("linux"):
        return
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # absent from musl
    if trim is not None:
        trim(0)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration: a job makes millions of
    short-lived objects and no cycles of its own, and the collector's passes over the objects
    alive (the registry's facts, the candidates) were a third of the time screening spent in
    Python after the link (4.0 -> 2.8 s at 2M people). Reference counting still frees
    everything as usual; the collector runs again after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class LinkerBase:
    """What every engine shares: a context manager around ``close``, and ``dedupe`` as the
    engine's ``clusters`` gathered."""

    def close(self) -> None:
        raise NotImplementedError

    def clusters(self, threshold: float | None = None) -> Iterator[tuple[str, str]]:
        raise NotImplementedError

    def dedupe(self, threshold: float | None = None) -> dict[str, str]:
        """Cluster id (the smallest record id in the cluster) for every record."""
        return dict(self.clusters(threshold))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Link(NamedTuple):
    """One left record's link. A tuple: a 2M link job yields 200,000 of them, and a frozen
    dataclass took 0.3 s of its 9 to make them."""

    left_id: str
    right_id: str
    score: float


# The pairs a dedupe job needs to build clusters: the edges and every other scored pair between
# records that have an edge (the evidence for or against joining their groups).
CLUSTER_PAIRS_SQL = """
    WITH s AS (SELECT s.lrid, s.rrid, w.weight, w.prob FROM scored s JOIN weights w ON w.code = s.code),
    linked AS (SELECT lrid AS rid FROM s WHERE prob >= {threshold} UNION SELECT rrid FROM s WHERE prob >= {threshold})
    SELECT lrid, rrid, weight, prob FROM s
    WHERE lrid IN (SELECT rid FROM linked) AND rrid IN (SELECT rid FROM linked)
"""


# The ids of the records in ``cluster_pairs`` (a table or view of CLUSTER_PAIRS_SQL's rows).
LINKED_IDS_SQL = "SELECT rid, id FROM l_feat WHERE rid IN (SELECT lrid FROM cluster_pairs UNION SELECT rrid FROM cluster_pairs)"


def cluster_rows(pairs: list[tuple[int, int, float, float]], linked: dict[int, str],
                 batches: Iterable[Iterable[tuple[Any, Any]]], threshold: float) -> Iterator[tuple[str, str]]:
    """(id, cluster id) of every record of ``batches`` ((rid, id) rows in input order) from the
    scored ``pairs`` of the ``linked`` records (rid → id): ``clusters_from_scores`` over those
    records only; every other record is a cluster of its own."""
    rids = sorted(linked)
    index = {rid: i for i, rid in enumerate(rids)}
    clusters = clusters_from_scores([str(linked[r]) for r in rids], [(index[a], index[b], w, p) for a, b, w, p in pairs], threshold)
    for batch in batches:
        for _rid, record_id in batch:
            rid_text = str(record_id)
            yield rid_text, clusters.get(rid_text, rid_text)


def clusters_from_scores(ids: list[str], pairs: Iterable[tuple[int, int, float, float]], threshold: float) -> dict[str, str]:
    """Clusters from scored pairs (left row, right row, weight in bits, probability).

    Pairs at or above ``threshold`` join their records' groups, strongest first, only when
    most of the pairs compared between the two groups are at or above it: one record that fits two
    people — "Joshua" with no surname, in the postcode of two Joshuas — must not make them one
    person because it matches each of them, when the other records of the two do not match. A
    cluster is named by its smallest record id."""
    parent = list(range(len(ids)))
    members: dict[int, list[int]] = {}
    agree: dict[int, dict[int, int]] = {}  # +1 a match, -1 a pair compared and found below the threshold
    edges: list[tuple[float, int, int]] = []
    for a, b, weight, prob in pairs:
        vote = 1 if prob >= threshold else -1
        agree.setdefault(a, {})[b] = vote
        agree.setdefault(b, {})[a] = vote
        if prob >= threshold:
            edges.append((-weight, min(a, b), max(a, b)))
    edges.sort()

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, a, b in edges:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        group_a, group_b = members.get(ra, [ra]), members.get(rb, [rb])
        small, other = (group_a, rb) if len(group_a) <= len(group_b) else (group_b, ra)
        if sum(v for x in small for y, v in agree[x].items() if find(y) == other) <= 0:
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        parent[gone] = keep
        members[keep] = group_a + group_b
        members.pop(gone, None)
    smallest: dict[int, str] = {}
    for i, rid in enumerate(ids):
        root = find(i)
        if root not in smallest or rid < smallest[root]:
            smallest[root] = rid
    return {rid: smallest[find(i)] for i, rid in enumerate(ids)}

