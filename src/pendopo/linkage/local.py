"""Batch linkage in plain Python, for small jobs: the DuckDB engine's stages (``batch.py``) on
records held in this process, with no database.

DuckDB's engine holds about 80 MiB before it reads a row (its library and the database's
start-up: 30 → 82 MiB, 98 with pyarrow, which it no longer loads; ``docs/decisions.md``,
decisions 36 and 37), which is most of what a job of a few thousand rows needs. ``pendopo link`` runs a small job here
(``small_job``: fewer than ``LOCAL_ROWS`` rows, those looked up counted twice). The stages are the same, step for step: the sure
pairs (``stages.sure_fits``), blocking keys (``blocking.py``, the strings DuckDB hashes), the
MAX_CANDIDATES best candidates by shared keys, the weak sample, the comparison (``vectorised``),
the model (``stages.fit_model``) and the choice of links and clusters; a test checks that both
engines give the same answers on the same data.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from heapq import nsmallest
from itertools import repeat
from pathlib import Path

import numpy as np

from pendopo.linkage.blocking import query_keys, reference_keys
from pendopo.linkage.index import (
    MAX_BLOCK,
    MAX_CANDIDATES,
    SINGLE_KEY_CANDIDATES,
    WEAK_ONLY_BELOW,
    WEAK_SAMPLE,
    Thresholds,
)
from pendopo.linkage.io import SHEETS, Table
from pendopo.linkage.model import Model, USample
from pendopo.linkage.records import Features, PersonRecord, prepare
from pendopo.linkage.stages import (
    COLUMNS,
    NAMED_SAMPLE,
    Link,
    LinkerBase,
    Progress,
    cluster_rows,
    fit_model,
    gc_paused,
    named_pairs,
    pattern_weights,
    sure_fits,
    u_sample_step,
    weak_every,
    weak_sampled,
)
from pendopo.linkage.vectorised import codes, compare_columns

# ``pendopo link`` runs a job here when its rows, with the rows it looks up counted twice (a
# match's left file, every row of a dedupe), number fewer than this. Python prepares a record and
# finds its candidates more slowly than DuckDB's SQL, and the engines broke even (decision 36 in
# ``docs/decisions.md``) on a link of 15,000 generated rows with 1,650 to look up (1.18 against
# 1.15 s; 117 against 186 MiB), on FEBRL4's 5,000 rows looked up in 5,000 (1.18 / 1.22 s; 120 /
# 186 MiB) and, nearly, on a dedupe of 9,750 rows (1.40 / 1.26 s; 139 / 197 MiB): 15,000 to
# 19,500 by this count. At 29,200 (a dedupe of 14,600 rows) Python was 50% slower.
LOCAL_ROWS = 20_000
PAIR_CHUNK = 50_000  # pairs compared at a time
CHUNK = 10_000  # records prepared between progress reports
_COMPARED = COLUMNS[2:]  # the features a comparison reads (not the row number or the id)


class Pairs:
    """(left row, right row) pairs as two packed integer arrays: 8 bytes a pair instead of the
    hundred or so of a tuple (a 20,000-row dedupe may compare over a million pairs)."""

    __slots__ = ("left", "right")

    def __init__(self) -> None:
        self.left = array("i")
        self.right = array("i")

    def append(self, a: int, b: int) -> None:
        self.left.append(a)
        self.right.append(b)

    def __len__(self) -> int:
        return len(self.left)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.left, self.right, strict=True)


def small_job(tables: Sequence[Table], queries: Sequence[Table] = (), limit: int | None = None) -> bool:
    """Whether the rows of ``tables``, with those of ``queries`` (the tables among them whose
    rows are looked up) counted again, number fewer than ``limit`` (``LOCAL_ROWS``). Counted
    cheaply: a sheet's rows as it reports them, a CSV file's line breaks (a quoted line break
    counts too, so this may only overstate) read until the limit is passed."""
    limit = LOCAL_ROWS if limit is None else limit
    rows = 0
    for table in tables:
        weight = 2 if any(table is q for q in queries) else 1  # each file read once
        if table.path.suffix.lower() in SHEETS:
            rows += weight * (table.size_hint or 0)
        else:
            rows += weight * _lines_until(table.path, (limit - rows) // weight)
        if rows >= limit:
            return False
    return True


def _lines_until(path: Path, limit: int) -> int:
    lines = 0
    with path.open("rb") as f:
        while lines <= limit and (block := f.read(1 << 20)):
            lines += block.count(b"\n")
    return lines


class LocalLinker(LinkerBase):
    """The DuckDB engine's interface (``load``, ``link``, ``clusters``, ``dedupe``) in plain
    Python. ``memory_limit`` and the other DuckDB settings are accepted and not needed."""

    def __init__(self, *, thresholds: Thresholds | None = None, progress: Progress | None = None, seed: int = 1,
                 **_: object) -> None:
        self.thresholds = thresholds or Thresholds()
        self.progress = progress or (lambda stage, n: None)
        self.seed = seed
        self.model = Model()
        self.features: dict[str, list[Features]] = {}
        self.roles: dict[str, tuple[bool, bool]] = {}
        self.weak_every = WEAK_SAMPLE  # the weak sample's rate (``_candidates``)

    def close(self) -> None:
        self.features.clear()

    def load(self, side: str, records: Iterable[PersonRecord], *, query: bool, reference: bool) -> int:
        features: list[Features] = []
        with gc_paused():
            for record in records:
                features.append(prepare(record))
                if len(features) % CHUNK == 0:
                    self.progress(f"load:{side}", len(features))
        self.features[side] = features
        self.roles[side] = (query, reference)
        self.progress(f"load:{side}", len(features))
        return len(features)

    # --- candidates ------------------------------------------------------------------------
    @staticmethod
    def _sure(left: list[Features], right: list[Features]) -> dict[int, int]:
        """``SURE_SQL``: the left rows whose 16-digit NIK is one right record's, which fits."""
        wanted = {f.nik for f in left if len(f.nik) == 16}
        by_nik: dict[str, list[int]] = {}
        for rid, f in enumerate(right):
            if f.nik in wanted:
                by_nik.setdefault(f.nik, []).append(rid)
        sure = {}
        for lrid, f in enumerate(left):
            found = by_nik.get(f.nik) if len(f.nik) == 16 else None
            if found and len(found) == 1 and sure_fits(lrid, f, right[found[0]]):
                sure[lrid] = found[0]
        return sure

    @staticmethod
    def _blocks(reference: list[Features], wanted: set[str] | None) -> dict[str, list[int]]:
        """Each reference key's records (only the keys in ``wanted``, when given)."""
        blocks: dict[str, list[int]] = {}
        for rid, f in enumerate(reference):
            for key in dict.fromkeys(reference_keys(f)):
                if wanted is None or key in wanted:
                    blocks.setdefault(key, []).append(rid)
        return blocks

    @staticmethod
    def _ranked(queries: Iterable[tuple[int, list[str]]], blocks: dict[str, list[int]], dedupe: bool) -> Iterator[tuple[int, int, bool]]:
        """(left row, right row, strong) for each left row's MAX_CANDIDATES best candidates: most
        shared usable keys first, then the smallest block shared, then the lower row; a candidate
        sharing one key is strong only when no candidate shares more (``WEAK_ONLY_BELOW``), and
        then only among the first SINGLE_KEY_CANDIDATES."""
        for lrid, keys in queries:
            hits: Counter[int] = Counter()
            size: dict[int, int] = {}  # the smallest usable block each candidate shares
            usable = [block for block in map(blocks.get, keys) if block and len(block) <= MAX_BLOCK]
            for block in sorted(usable, key=len, reverse=True):  # smaller blocks' sizes written last
                hits.update(block)
                size.update(zip(block, repeat(len(block))))
            if dedupe:
                hits.pop(lrid, None)
            if not hits:
                continue
            top = nsmallest(MAX_CANDIDATES, hits.items(), key=lambda item: (-item[1], size[item[0]], item[0]))
            best = top[0][1]
            for k, (rrid, n) in enumerate(top, start=1):
                yield lrid, rrid, n >= 2 or (best <= WEAK_ONLY_BELOW and k <= SINGLE_KEY_CANDIDATES)

    @staticmethod
    def _unordered(found: Iterable[tuple[int, int, bool]], size: int) -> Iterator[tuple[int, int, bool]]:
        """A dedupe's candidates as unordered pairs, each once (found from both of its records,
        strong when either found it strong)."""
        low, high, strong = array("q"), array("q"), array("b")
        for a, b, is_strong in found:
            low.append(min(a, b))
            high.append(max(a, b))
            strong.append(is_strong)
        if not low:
            return
        key = np.frombuffer(low, dtype=np.int64) * size + np.frombuffer(high, dtype=np.int64)
        order = np.argsort(key, kind="stable")
        key, flags = key[order], np.frombuffer(strong, dtype=np.int8)[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        yield from zip((key[starts] // size).tolist(), (key[starts] % size).tolist(),
                       np.maximum.reduceat(flags, starts).astype(bool).tolist(), strict=True)

    def _candidates(self, dedupe: bool, skip: dict[int, int]) -> tuple[Pairs, Pairs]:
        """The pairs to score and the weak sample (``batch.DuckDBLinker._pairs``)."""
        left = self.features["l"]
        if dedupe:
            query, reference = self.roles.get("l", (True, True))
            queries = [(rid, query_keys(f) if query else []) for rid, f in enumerate(left)]
            blocks = self._blocks(left if reference else [], None)
            ranked = self._unordered(self._ranked(queries, blocks, dedupe=True), len(left))
        else:
            queries = [(rid, query_keys(f)) for rid, f in enumerate(left) if rid not in skip]
            blocks = self._blocks(self.features["r"], {k for _, keys in queries for k in keys})
            ranked = self._ranked(queries, blocks, dedupe=False)
        # Every weak candidate first: how many there are sets the sample's rate (a small job's
        # few thousand, kept as two arrays of numbers).
        pairs, weak = Pairs(), Pairs()
        for a, b, is_strong in ranked:
            (pairs if is_strong else weak).append(a, b)
        self.weak_every = weak_every(len(weak))
        sampled = Pairs()
        for a, b in weak:
            if weak_sampled(a, b, self.weak_every):
                sampled.append(a, b)
        return pairs, sampled

    # --- scoring ---------------------------------------------------------------------------
    def _codes(self, pairs: Pairs, right: list[Features], *, report: bool = True) -> array[int]:
        """Each pair's pattern code, compared PAIR_CHUNK pairs at a time (``report``: as the
        job's comparison stage; the weak sample's is not)."""
        left = self.features["l"]
        out = array("q")
        for start in range(0, len(pairs), PAIR_CHUNK):
            lefts = [left[i] for i in pairs.left[start:start + PAIR_CHUNK]]
            rights = [right[j] for j in pairs.right[start:start + PAIR_CHUNK]]
            a = {c: [getattr(f, c) for f in lefts] for c in _COMPARED}
            b = {c: [getattr(f, c) for f in rights] for c in _COMPARED}
            out.extend(codes(compare_columns(a, b)).tolist())
            if report:
                self.progress("compare", len(out))
        return out

    def _score(self, dedupe: bool, sure: dict[int, int], reweighted: frozenset[int] = frozenset()
               ) -> tuple[Pairs, array[int], dict[int, tuple[float, float]]]:
        """The pairs, their codes and each code's (weight, probability) under the model fitted
        on them (``DuckDBLinker._score_candidates``). ``sure``: the left rows' only candidates,
        known without blocking; ``reweighted``: left rows whose pairs count NAMED_SAMPLE times in
        training (the named rows blocked all the same)."""
        right = self.features["l" if dedupe else "r"]
        pairs, weak = self._candidates(dedupe, sure)
        for a, b in sure.items():
            pairs.append(a, b)
        self.progress("pairs", len(pairs))
        scored = self._codes(pairs, right)
        patterns = Counter(scored)
        self.progress("fit", len(scored))
        # The model learns from candidates as blocking makes them, not from the sure pairs.
        training = Counter(c for lrid, c in zip(pairs.left, scored, strict=True) if lrid not in sure) if sure else patterns
        weak_codes = self._codes(weak, right, report=False)
        weak_patterns = Counter({c: n * self.weak_every for c, n in Counter(weak_codes).items()})
        if reweighted:
            training = Counter(training)  # not ``patterns``, which weigh the pairs
            for lrid, c in zip(pairs.left, scored, strict=True):
                if lrid in reweighted:
                    training[c] += NAMED_SAMPLE - 1
            for lrid, c in zip(weak.left, weak_codes, strict=True):
                if lrid in reweighted:
                    weak_patterns[c] += self.weak_every * (NAMED_SAMPLE - 1)
        step = u_sample_step(len(right))
        sample = USample.of([f for rid, f in enumerate(right) if rid % step == 0])
        self.model = fit_model(sample, training + weak_patterns, self.model, self.seed)
        weights = {code: (w, p) for code, w, p in pattern_weights(self.model, patterns)}
        return pairs, scored, weights

    # --- jobs ------------------------------------------------------------------------------
    def link(self, threshold: float | None = None) -> Iterator[Link]:
        """As ``DuckDBLinker.link``: each left record with its best right record at or above
        ``threshold``, or with every right record within the ambiguity margin of the best."""
        threshold = self.thresholds.match if threshold is None else threshold
        left, right = self.features["l"], self.features["r"]
        with gc_paused():
            sure = self._sure(left, right)
            # ``DuckDBLinker.score_link(named_from=0)``: a named row's pair is known like a sure
            # one, except in one row in NAMED_SAMPLE, which is blocked and counts that many times.
            named = named_pairs(left, right, sure)
            sure.update((a, b) for a, b in named.items() if a % NAMED_SAMPLE)
            reweighted = frozenset(a for a in named if a % NAMED_SAMPLE == 0)
            pairs, scored, weights = self._score(dedupe=False, sure=sure, reweighted=reweighted)
        best: dict[int, float] = {}
        for lrid, code in zip(pairs.left, scored, strict=True):
            w = weights[code][0]
            if w > best.get(lrid, -np.inf):
                best[lrid] = w
        links = []
        for (lrid, rrid), code in zip(pairs, scored, strict=True):
            w, p = weights[code]
            if p >= threshold and w >= best[lrid] - self.thresholds.margin:
                links.append((lrid, -w, right[rrid].id, p))
        links.sort(key=lambda t: (t[0], t[1], t[2]))
        for lrid, _, right_id, p in links:
            yield Link(left[lrid].id, right_id, p)

    def clusters(self, threshold: float | None = None) -> Iterator[tuple[str, str]]:
        """As ``DuckDBLinker.clusters``: (record id, cluster id) for every record in input order."""
        threshold = self.thresholds.match if threshold is None else threshold
        records = self.features["l"]
        with gc_paused():
            pairs, scored, weights = self._score(dedupe=True, sure={})
            linked = {r for (a, b), code in zip(pairs, scored, strict=True) if weights[code][1] >= threshold for r in (a, b)}
            # ``CLUSTER_PAIRS_SQL``: every scored pair between two records that have an edge
            kept = [(a, b, *weights[code]) for (a, b), code in zip(pairs, scored, strict=True) if a in linked and b in linked]
        yield from cluster_rows(kept, {rid: records[rid].id for rid in linked}, [((rid, f.id) for rid, f in enumerate(records))],
                                threshold)
