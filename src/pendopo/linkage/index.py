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
from sys import intern
from typing import Any

import numpy as np
import numpy.typing as npt

from pendopo.linkage.blocking import query_keys, reference_keys
from pendopo.linkage.compare import compare_fields, describe
from pendopo.linkage.model import Model, estimate_em, estimate_u
from pendopo.linkage.records import Features, PersonRecord, prepare

# A key shared by more rows than this says nothing (a very common name). In a regency's village
# of 9,000 people a common first name's sound is shared by hundreds: at 2M people, 100 instead
# of 300 took a third of the key hits away (1.0-2.2 s of a 9-10 s link job) for 0.0001 of
# recall (F1 0.99970 -> 0.99967; held out 0.99963 -> 0.99959; decision 38).
MAX_BLOCK = 100
# True matches share many keys (NIK, its two halves, village+name, village+birth date, …); the
# candidates sharing most keys are compared first and the long tail is not.
MAX_CANDIDATES = 60
# A candidate sharing a single key (same village and first name, say) is kept only when no
# candidate shares two or more. On generated Banyuwangi data (2M people, 220,000 rows linked)
# the rows whose best candidate shares two keys brought 718,000 one-key pairs to compare, 47% of
# all the pairs compared, for 11 links of which 4 were true; the one-key pairs of rows with
# nothing better (216,000) gave 16 of their 19 links and are kept.
WEAK_ONLY_BELOW = 1
# Of a row whose best candidates share a single key, only this many are compared: those whose
# shared key is the most specific (the smallest block), then the lower rows; the others are weak
# candidates. At 2M people 7,600 rows have nothing better; their 350,000 one-key hits hold 50 true
# matches, 43 of them among each row's 10 most specific candidates, 48 among its 20.
SINGLE_KEY_CANDIDATES = 20
# The weak candidates still train the model (1 in WEAK_SAMPLE, weighted back up): EM must see
# non-matching candidates as often as they occur, or it overstates the prior.
WEAK_SAMPLE = 10


# ``decide`` reads the best five candidates (it shows them) and decides on the first two.
DECIDE_ON = 5


def _by_weight_then_id(item: tuple[float, str, float, tuple[int, ...]]) -> tuple[float, str]:
    return item[0], item[1]


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

    @property
    def shown(self) -> float:
        """The probability from which a candidate other than the best is shown (and read)."""
        return self.possible / 10


_STR_FIELDS = ("id", "nik", "kk", "name", "name_sorted", "name_phon", "first_phon", "sex", "village", "place", "dusun")
_UNIQUE_FIELDS = ("id", "nik")  # one per person: nothing to share
_NO_ISSUES: frozenset[Any] = frozenset()


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
        # 1 for a live row, 0 for a tombstone; a numpy array (grown by doubling) so that a
        # lookup filters its candidate rows in one step.
        self._alive = np.zeros(1024, dtype=np.uint8)
        self._n = 0
        self.tombstones = 0

    def __len__(self) -> int:
        return self._n

    def _grow(self, more: int) -> None:
        needed = self._n + more
        if needed > len(self._alive):
            bigger = np.zeros(max(needed, 2 * len(self._alive)), dtype=np.uint8)
            bigger[: self._n] = self._alive[: self._n]
            self._alive = bigger
        self._alive[self._n : needed] = 1
        self._n = needed

    def live(self, rows: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
        """Which of these rows are not tombstoned."""
        return self._alive[rows].astype(bool)

    def append(self, f: Features) -> None:
        for name, column in self._str.items():
            column.append(getattr(f, name))
        self._birth.append(f.birth)
        self._swapped.append(f.birth_swapped)
        self._rt.append(f.rt)
        self._rw.append(f.rw)
        self._placeholder.append(1 if f.placeholder else 0)
        self._grow(1)

    def extend_arrow(self, batch: Any) -> None:
        """Append a pyarrow record batch of prepared records (the columns ``sqlprep`` makes)
        column by column. Repeated values (names, village codes, family cards) are made one
        shared string each, as ``prepare`` interns them."""
        import pyarrow.compute as pc

        for name, column in self._str.items():
            values = batch.column(name)
            if name in _UNIQUE_FIELDS:
                column.extend(values.to_pylist())
                continue
            encoded = pc.dictionary_encode(values)
            words = [intern(w) for w in encoded.dictionary.to_pylist()]
            column.extend([words[i] for i in encoded.indices.to_numpy(zero_copy_only=False).tolist()])
        for target, name, dtype in ((self._birth, "birth", np.int32), (self._swapped, "birth_swapped", np.int32),
                                    (self._rt, "rt", np.int16), (self._rw, "rw", np.int16)):
            target.frombytes(np.asarray(batch.column(name).to_numpy(zero_copy_only=False), dtype=dtype).tobytes())
        self._placeholder.extend(np.asarray(batch.column("placeholder").to_numpy(zero_copy_only=False), dtype=np.uint8).tobytes())
        self._grow(batch.num_rows)

    def __getitem__(self, row: int) -> Features | None:
        if not 0 <= row < self._n:
            raise IndexError(row)
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
        if not 0 <= row < self._n:
            raise IndexError(row)
        if self._alive[row]:
            self._alive[row] = 0
            self.tombstones += 1

    def __iter__(self) -> Iterator[Features | None]:
        for row in range(len(self)):
            yield self[row]

    def compare_rows(self, a: Features, rows: Sequence[int]) -> list[tuple[int, ...]]:
        """``compare(a, self[row])`` for each row, read from the columns directly."""
        c = self._str
        nik, kk, name, name_sorted, name_phon = c["nik"], c["kk"], c["name"], c["name_sorted"], c["name_phon"]
        sex, village, place, dusun = c["sex"], c["village"], c["place"], c["dusun"]
        birth, swapped, placeholder, rt = self._birth, self._swapped, self._placeholder, self._rt
        return [compare_fields(a, nik[r], kk[r], name[r], name_sorted[r], name_phon[r], birth[r], swapped[r],
                               bool(placeholder[r]), sex[r], village[r], place[r], dusun[r], rt[r]) for r in rows]

    def alive(self, row: int) -> bool:
        return bool(self._alive[row])

    def ids_from(self, start: int) -> list[str]:
        return self._str["id"][start:]

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
            rid_parts: list[npt.NDArray[np.int64]] = []
            for batch in feats:
                start = len(index.rows)
                index.rows.extend_arrow(batch)
                index.row_of.update(zip(index.rows.ids_from(start), range(start, len(index.rows)), strict=True))
                rid_parts.append(np.asarray(batch.column("rid").to_numpy(zero_copy_only=False), dtype=np.int64))
            # Hash key strings batch by batch into numpy arrays: a Python list of 25 million
            # ints would need a gigabyte on its own for a moment and fragment the heap.
            rids = np.concatenate(rid_parts) if rid_parts else np.empty(0, dtype=np.int64)
            del rid_parts
            remap = np.full(int(rids.max()) + 1 if len(rids) else 0, -1, dtype=np.int32)
            remap[rids] = np.arange(len(rids), dtype=np.int32)
            del rids
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
        """The rows sharing a blocking key with ``f``: with ``weak`` all of them, otherwise
        without those sharing one key when some share two; at most ``MAX_CANDIDATES``, those
        sharing most keys."""
        keys = np.fromiter((hash(k) for k in query_keys(f)), dtype=np.int64)
        lo = np.searchsorted(self._hashes, keys, side="left")
        hi = np.searchsorted(self._hashes, keys, side="right")
        size = hi - lo
        useful = (size > 0) & (size <= MAX_BLOCK)
        targets = self._targets
        parts = [targets[a:b] for a, b in zip(lo[useful].tolist(), hi[useful].tolist(), strict=True)]
        if self._delta:
            for k in keys.tolist():
                added = self._delta.get(k)
                if added and len(added) <= MAX_BLOCK:
                    parts.append(np.array(added, dtype=np.int32))
        if not parts:
            return []
        found, shared = np.unique(np.concatenate(parts), return_counts=True)
        if self.rows.tombstones:  # reading the flags of thousands of scattered rows costs
            live = self.rows.live(found)
            found, shared = found[live], shared[live]
            if not len(found):
                return []
        if not weak and shared.max() > WEAK_ONLY_BELOW:
            strong = shared >= 2
            found, shared = found[strong], shared[strong]
        if len(found) > MAX_CANDIDATES:
            # most keys shared first, then the later row (as a reverse sort of (shared, row))
            first = np.lexsort((-found.astype(np.int64), -shared))[:MAX_CANDIDATES]
            found = found[first]
        rows: list[int] = found.tolist()
        return rows

    def score(self, f: Features, rows: Sequence[int], *, keep: int | None = None) -> list[Candidate]:
        """The candidates best first (by weight, then id); with ``keep`` only the best ``keep``
        become ``Candidate`` objects (a lookup shows five and decides on the first two)."""
        scores = self.model.scores
        ids = self.rows.record_id
        ranked = []
        for r, levels in zip(rows, self.rows.compare_rows(f, rows), strict=True):
            w, p = scores(levels)
            ranked.append((-w, ids(r), p, levels))
        ranked.sort(key=_by_weight_then_id)
        if keep is not None:
            del ranked[keep:]
        return [Candidate(rid, p, -nw, levels) for nw, rid, p, levels in ranked]

    def resolve(self, record: PersonRecord | Features, *, exclude: str | None = None) -> Resolution:
        """Which reference record is this? Match, possible match (with the reason), or none."""
        f = record if isinstance(record, Features) else prepare(record)
        rows = self.candidate_rows(f)
        if exclude is not None:
            rows = [r for r in rows if self.rows.record_id(r) != exclude]
        return decide(self.score(f, rows, keep=DECIDE_ON), self.thresholds, f)

    # --- training --------------------------------------------------------------------------
    def train(self, records: Iterable[PersonRecord | Features], *, iterations: int = 40) -> Model:
        """Estimate m and the prior by EM over the candidate pairs of these records (a roll or
        an intake linked to this reference) and use the result from now on."""
        patterns: Counter[tuple[int, ...]] = Counter()
        for rec in records:
            f = rec if isinstance(rec, Features) else prepare(rec)
            patterns.update(self.rows.compare_rows(f, self.candidate_rows(f, weak=True)))
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
    shown = tuple(c for c in scored[:5] if c.probability >= t.shown)
    if not scored or scored[0].probability < t.possible:
        return Resolution(Status.NONE, scored[0] if scored else None, shown, False, features)
    best = scored[0]
    ambiguous = len(scored) > 1 and scored[1].probability >= t.possible and best.weight - scored[1].weight < t.margin
    if best.probability >= t.match and not ambiguous:
        return Resolution(Status.MATCH, best, shown, False, features)
    return Resolution(Status.POSSIBLE, best, shown, ambiguous, features)
