"""The online index: resolve one record against a reference set (registry or rolls) in well
under a millisecond, kept current by incremental adds and removals.

Blocking keys are hashed to 64-bit integers and kept in one sorted numpy array with the row of
each key, so 2 million residents with about nine keys each fit in a few hundred megabytes and a
lookup is two binary searches. Records added after the build go to a small delta map; removed
or replaced rows are tombstoned. ``compact()`` folds the delta back into the arrays.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from pendopo.linkage.blocking import query_keys, reference_keys
from pendopo.linkage.compare import compare, describe
from pendopo.linkage.model import Model, estimate_em, estimate_u
from pendopo.linkage.records import Features, PersonRecord, prepare

MAX_BLOCK = 300  # a key shared by more rows than this says nothing (a very common name)
# True matches share many keys (NIK, its two halves, village+name, village+birth date, …); the
# candidates sharing most keys are compared first and the long tail is not.
MAX_CANDIDATES = 60
# A candidate sharing a single key (same village and first name, say) is kept only when no
# candidate shares three or more: on generated Banyuwangi data 92% of candidate pairs shared one
# key and 3 in 450,000 of those were true matches, all of them rows with no stronger candidate.
WEAK_ONLY_BELOW = 2
# The weak candidates still train the model (1 in WEAK_SAMPLE, weighted back up): EM must see
# non-matching candidates as often as they occur, or it overstates the prior.
WEAK_SAMPLE = 10


class Status(StrEnum):
    MATCH = "match"
    POSSIBLE = "possible"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    probability: float
    weight: float
    levels: tuple[int, ...]

    @property
    def evidence(self) -> list[tuple[str, str]]:
        """Field-by-field evidence in Bahasa Indonesia: ``[("name", "nama sama persis"), …]``."""
        return describe(self.levels)


@dataclass(frozen=True, slots=True)
class Resolution:
    status: Status
    best: Candidate | None
    candidates: tuple[Candidate, ...]
    ambiguous: bool = False
    features: Features | None = field(default=None, compare=False)

    @property
    def id(self) -> str | None:
        return self.best.id if self.best and self.status == Status.MATCH else None


@dataclass(frozen=True)
class Thresholds:
    """``match``: posterior at or above which a single best candidate is accepted;
    ``possible``: below this a candidate is not worth showing; ``margin``: bits by which the
    best must beat the second, or the answer is ambiguous."""

    match: float = 0.99
    possible: float = 0.5
    margin: float = 4.0


_STR_FIELDS = ("id", "nik", "kk", "name", "name_sorted", "name_phon", "first_phon", "sex", "village", "place", "dusun")
_NO_ISSUES: frozenset[Any] = frozenset()
_FEATURE_TAIL = ("kk", "name", "name_sorted", "name_phon", "first_phon", "birth", "birth_swapped", "placeholder", "sex",
                 "village", "place", "dusun", "rt", "rw")


class FeatureStore:
    """Prepared reference records kept column by column, a list-like of ``Features | None``.

    One Python object per record would cost about 300 bytes before its strings; columns of
    shared (interned) strings and packed integers hold two and a half million people in well
    under a gigabyte. ``store[row] = None`` tombstones a row.
    """

    def __init__(self) -> None:
        self._str: dict[str, list[str]] = {f: [] for f in _STR_FIELDS}
        self._birth = array("i")
        self._swapped = array("i")
        self._rt = array("h")
        self._rw = array("h")
        self._placeholder = bytearray()
        self._alive = bytearray()

    def __len__(self) -> int:
        return len(self._alive)

    def append(self, f: Features) -> None:
        for name, column in self._str.items():
            column.append(getattr(f, name))
        self._birth.append(f.birth)
        self._swapped.append(f.birth_swapped)
        self._rt.append(f.rt)
        self._rw.append(f.rw)
        self._placeholder.append(1 if f.placeholder else 0)
        self._alive.append(1)

    def __getitem__(self, row: int) -> Features | None:
        if not self._alive[row]:
            return None
        c = self._str
        return Features(c["id"][row], c["nik"][row], _NO_ISSUES, c["kk"][row], c["name"][row], c["name_sorted"][row],
                        c["name_phon"][row], c["first_phon"][row], self._birth[row], self._swapped[row],
                        bool(self._placeholder[row]), c["sex"][row], c["village"][row], c["place"][row], c["dusun"][row],
                        self._rt[row], self._rw[row])

    def __setitem__(self, row: int, value: None) -> None:
        if value is not None:
            raise ValueError("rows are replaced by appending; only tombstoning is allowed")
        self._alive[row] = 0

    def __iter__(self) -> Iterator[Features | None]:
        for row in range(len(self)):
            yield self[row]

    def alive(self, row: int) -> bool:
        return bool(self._alive[row])

    def record_id(self, row: int) -> str:
        return self._str["id"][row]


class ReferenceIndex:
    def __init__(self, model: Model | None = None, thresholds: Thresholds | None = None) -> None:
        self.model = model or Model()
        self.thresholds = thresholds or Thresholds()
        self.rows = FeatureStore()
        self.row_of: dict[str, int] = {}
        self._hashes: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._targets: npt.NDArray[np.int32] = np.empty(0, dtype=np.int32)
        self._delta: dict[int, list[int]] = {}

    # --- building ----------------------------------------------------------------------
    @classmethod
    def build(cls, records: Iterable[PersonRecord | Features], *, model: Model | None = None,
              thresholds: Thresholds | None = None, estimate: bool = True, seed: int = 1) -> ReferenceIndex:
        """Index reference records. With ``estimate`` the u parameters come from random pairs
        of these records (m stays at its prior until ``train`` is called)."""
        index = cls(model, thresholds)
        hashes: list[int] = []
        targets: list[int] = []
        for rec in records:
            f = rec if isinstance(rec, Features) else prepare(rec)
            row = len(index.rows)
            old = index.row_of.get(f.id)
            if old is not None:
                index.rows[old] = None
            index.rows.append(f)
            index.row_of[f.id] = row
            for key in reference_keys(f):
                hashes.append(hash(key))
                targets.append(row)
        index._set_keys(hashes, targets)
        del hashes, targets
        clear_caches()
        if estimate:
            live = [r for r in index.rows if r is not None]
            index.model = Model(m=index.model.m, u=estimate_u(live, seed=seed), prior=index.model.prior)
        return index

    @classmethod
    def build_fast(cls, records: Iterable[PersonRecord], *, model: Model | None = None,
                   thresholds: Thresholds | None = None, estimate: bool = True, seed: int = 1,
                   memory_limit: str = "1GB") -> ReferenceIndex:
        """The index ``build`` makes, prepared in DuckDB: each distinct name, date and address
        is normalised once (``sqlprep``; tested equal to ``prepare``). For registries of
        hundreds of thousands of people and more."""
        import duckdb

        from pendopo.linkage.sqlprep import prepare_in_duckdb, records_to_raw

        index = cls(model, thresholds)
        con = duckdb.connect()
        try:
            con.execute(f"SET memory_limit = '{memory_limit}'")
            records_to_raw(con, "raw", records)
            prepare_in_duckdb(con, "raw", "r", query=False, reference=True, hashed=False)
            # A repeated id keeps its last record, as ``build`` does.
            con.execute("CREATE TABLE keep AS SELECT max(rid) AS rid FROM r_feat GROUP BY id")
            feats = con.sql("SELECT f.* FROM r_feat f JOIN keep USING (rid) ORDER BY f.rid").to_arrow_reader(100_000)
            new_row: dict[int, int] = {}
            for batch in feats:
                data = batch.to_pydict()
                for i in range(batch.num_rows):
                    f = Features(data["id"][i], data["nik"][i], frozenset(), *(data[c][i] for c in _FEATURE_TAIL))
                    new_row[data["rid"][i]] = len(index.rows)
                    index.row_of[f.id] = len(index.rows)
                    index.rows.append(f)
            # Hash key strings batch by batch into numpy arrays: a Python list of 25 million
            # ints would need a gigabyte on its own for a moment and fragment the heap.
            remap = np.full(len(new_row) and max(new_row) + 1, -1, dtype=np.int32)
            for old, new in new_row.items():
                remap[old] = new
            del new_row
            hash_parts: list[npt.NDArray[np.int64]] = []
            target_parts: list[npt.NDArray[np.int32]] = []
            keys = con.sql("SELECT k.key, k.rid FROM r_refkeys k JOIN keep USING (rid)").to_arrow_reader(500_000)
            for batch in keys:
                names = batch.column("key").to_pylist()
                hash_parts.append(np.fromiter((hash(k) for k in names), dtype=np.int64, count=len(names)))
                target_parts.append(remap[batch.column("rid").to_numpy()])
        finally:
            con.close()
        h = np.concatenate(hash_parts) if hash_parts else np.empty(0, dtype=np.int64)
        t = np.concatenate(target_parts) if target_parts else np.empty(0, dtype=np.int32)
        del hash_parts, target_parts
        order = np.argsort(h, kind="stable")
        index._hashes, index._targets = h[order], t[order]
        del h, t, order
        clear_caches()
        _return_free_memory()
        if estimate:
            sample_rows = range(0, len(index.rows), max(1, len(index.rows) // 20_000))
            sample = [f for f in (index.rows[r] for r in sample_rows) if f is not None]
            index.model = Model(m=index.model.m, u=estimate_u(sample, seed=seed), prior=index.model.prior)
        return index

    def _set_keys(self, hashes: list[int], targets: list[int]) -> None:
        h = np.fromiter(hashes, dtype=np.int64, count=len(hashes))
        t = np.fromiter(targets, dtype=np.int32, count=len(targets))
        order = np.argsort(h, kind="stable")
        self._hashes, self._targets = h[order], t[order]

    def __len__(self) -> int:
        return len(self.row_of)

    # --- incremental updates -----------------------------------------------------------
    def upsert(self, record: PersonRecord | Features) -> None:
        """Add a record, or replace the record with the same id; no rebuild."""
        f = record if isinstance(record, Features) else prepare(record)
        self.remove(f.id)
        row = len(self.rows)
        self.rows.append(f)
        self.row_of[f.id] = row
        for key in reference_keys(f):
            self._delta.setdefault(hash(key), []).append(row)

    def remove(self, record_id: str) -> bool:
        row = self.row_of.pop(str(record_id), None)
        if row is None:
            return False
        self.rows[row] = None
        return True

    def compact(self) -> None:
        """Fold added records into the sorted arrays and drop tombstoned rows' keys."""
        if not self._delta and len(self.row_of) == len(self.rows):
            return
        rebuilt = ReferenceIndex.build((r for r in self.rows if r is not None), model=self.model,
                                       thresholds=self.thresholds, estimate=False)
        self.__dict__.update(rebuilt.__dict__)

    # --- lookups ---------------------------------------------------------------------------
    def candidate_rows(self, f: Features, *, weak: bool = False) -> list[int]:
        keys = np.fromiter((hash(k) for k in query_keys(f)), dtype=np.int64)
        lo = np.searchsorted(self._hashes, keys, side="left")
        hi = np.searchsorted(self._hashes, keys, side="right")
        hits: Counter[int] = Counter()
        for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
            if 0 < b - a <= MAX_BLOCK:
                hits.update(self._targets[a:b].tolist())
        if self._delta:
            for k in keys.tolist():
                rows = self._delta.get(k)
                if rows and len(rows) <= MAX_BLOCK:
                    hits.update(rows)
        live = [(n, r) for r, n in hits.items() if self.rows.alive(r)]
        if not weak and live and max(n for n, _ in live) > WEAK_ONLY_BELOW:
            live = [(n, r) for n, r in live if n >= 2]
        if len(live) > MAX_CANDIDATES:
            live.sort(reverse=True)
            live = live[:MAX_CANDIDATES]
        return [r for _, r in live]

    def score(self, f: Features, rows: Sequence[int]) -> list[Candidate]:
        model = self.model
        out = []
        for r in rows:
            ref = self.rows[r]
            assert ref is not None
            levels = compare(f, ref)
            w = model.weight(levels)
            out.append(Candidate(ref.id, model.probability(w), w, levels))
        out.sort(key=lambda c: (-c.weight, c.id))
        return out

    def resolve(self, record: PersonRecord | Features, *, exclude: str | None = None) -> Resolution:
        """Which reference record is this? Match, possible match (with the reason), or none."""
        f = record if isinstance(record, Features) else prepare(record)
        rows = self.candidate_rows(f)
        if exclude is not None:
            rows = [r for r in rows if self.rows.record_id(r) != exclude]
        scored = self.score(f, rows)
        return decide(scored, self.thresholds, f)

    # --- training --------------------------------------------------------------------------
    def train(self, records: Iterable[PersonRecord | Features], *, iterations: int = 40) -> Model:
        """Estimate m and the prior by EM over the candidate pairs of these records (a roll or
        an intake linked to this reference) and use the result from now on."""
        patterns: Counter[tuple[int, ...]] = Counter()
        for rec in records:
            f = rec if isinstance(rec, Features) else prepare(rec)
            for r in self.candidate_rows(f, weak=True):
                ref = self.rows[r]
                if ref is not None:
                    patterns[compare(f, ref)] += 1
        fitted = estimate_em(patterns, m=self.model.m, prior=0.1, iterations=iterations)
        # m and the prior from EM; u stays the random-pair estimate of the whole reference.
        # EM's own u describes non-matching *candidates*, which share village, family or birth
        # date by construction; multiplying those per-field rates as if independent would
        # understate how rare it is for a non-match to agree on everything at once.
        self.model = Model(m=fitted.m, u=self.model.u, prior=fitted.prior)
        return self.model


def _return_free_memory() -> None:
    """Give the heap DuckDB and the build used back to the operating system (glibc keeps freed
    memory otherwise, and a long-running web worker would carry it for its whole life)."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


def clear_caches() -> None:
    """Drop the normalisers' caches: they speed up preparing millions of records, then hold
    memory an index that answers one query at a time does not need."""
    from pendopo.linkage.names import normalise_name, phonetic_key
    from pendopo.linkage.records import _address

    normalise_name.cache_clear()
    phonetic_key.cache_clear()
    _address.cache_clear()


def decide(scored: list[Candidate], t: Thresholds, features: Features | None = None) -> Resolution:
    shown = tuple(c for c in scored[:5] if c.probability >= t.possible / 10)
    if not scored or scored[0].probability < t.possible:
        return Resolution(Status.NONE, scored[0] if scored else None, shown, False, features)
    best = scored[0]
    ambiguous = len(scored) > 1 and scored[1].probability >= t.possible and best.weight - scored[1].weight < t.margin
    if best.probability >= t.match and not ambiguous:
        return Resolution(Status.MATCH, best, shown, False, features)
    return Resolution(Status.POSSIBLE, best, shown, ambiguous, features)
