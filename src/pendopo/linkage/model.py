"""Fellegi–Sunter scoring with parameters estimated from the data.

``u`` (how often a level occurs among non-matching pairs) is estimated from random pairs of the
reference set, which are almost all non-matches; ``m`` (how often it occurs among matching
pairs) and the prior are estimated by expectation–maximisation over the candidate pairs that
blocking produces, with ``u`` held fixed (the approach Splink documents). Pairs are grouped
by their comparison pattern first, so EM runs over a few thousand patterns, not millions of
pairs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pendopo.linkage.compare import COMPARISONS, FIELD_ORDER, MISSING
from pendopo.linkage.errors import ModelError
from pendopo.linkage.records import Features

# Starting values: hand-set from the error rates DOMAIN.md describes. EM moves m away from
# them; u is replaced by random-pair estimates.
DEFAULT_M: dict[str, tuple[float, ...]] = {
    "nik": (0.88, 0.06, 0.03, 0.005, 0.025),
    "name": (0.55, 0.20, 0.15, 0.07, 0.03),
    "birth": (0.78, 0.08, 0.10, 0.02, 0.02),
    "sex": (0.985, 0.015),
    "location": (0.55, 0.20, 0.12, 0.08, 0.03, 0.02),
    "kk": (0.85, 0.15),
    "place": (0.9, 0.1),
}
DEFAULT_U: dict[str, tuple[float, ...]] = {
    "nik": (1e-7, 0.05, 1e-6, 1e-6, 1 - 0.05),
    "name": (0.0005, 0.0005, 0.002, 0.02, 0.977),
    "birth": (0.00004, 0.00002, 0.001, 0.05, 0.94894),
    "sex": (0.5, 0.5),
    "location": (0.0002, 0.001, 0.004, 0.04, 0.9543, 0.0005),
    "kk": (1e-5, 1 - 1e-5),
    "place": (0.05, 0.95),
}
Compare = Callable[[np.ndarray, np.ndarray], np.ndarray]
FLOOR = 1e-9
M_FLOOR = 1e-3
U_FLOOR = 1e-6


@dataclass
class Model:
    """m and u per field and level, and the prior probability that a candidate pair matches."""

    m: dict[str, tuple[float, ...]] = field(default_factory=lambda: dict(DEFAULT_M))
    u: dict[str, tuple[float, ...]] = field(default_factory=lambda: dict(DEFAULT_U))
    prior: float = 0.05
    _weights: tuple[tuple[float, ...], ...] = field(init=False, repr=False, default=())
    _scores: dict[tuple[int, ...], tuple[float, float]] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        self._scores = {}
        self._weights = tuple(
            tuple(math.log2(max(mi, FLOOR) / max(ui, FLOOR)) for mi, ui in zip(self.m[f], self.u[f], strict=True))
            for f in FIELD_ORDER
        )

    def field_weights(self, levels: Sequence[int]) -> list[float]:
        return [0.0 if lvl == MISSING else self._weights[i][lvl] for i, lvl in enumerate(levels)]

    def weight(self, levels: Sequence[int]) -> float:
        """The match weight in bits: the sum over fields of log2(m/u)."""
        w = 0.0
        for i, lvl in enumerate(levels):
            if lvl != MISSING:
                w += self._weights[i][lvl]
        return w

    def scores(self, levels: tuple[int, ...]) -> tuple[float, float]:
        """(weight, probability) of a comparison pattern. Pairs fall into a few thousand
        patterns, so each is worked out once and then looked up."""
        known = self._scores.get(levels)
        if known is None:
            if len(self._scores) >= 100_000:
                self._scores.clear()
            w = self.weight(levels)
            known = self._scores[levels] = (w, self.probability(w))
        return known

    def probability(self, weight: float) -> float:
        logit = weight + math.log2(self.prior / (1 - self.prior))
        if logit > 60:
            return 1.0
        if logit < -60:
            return 0.0
        return 1.0 / (1.0 + math.pow(2.0, -logit))

    def to_dict(self) -> dict[str, object]:
        return {"m": {k: list(v) for k, v in self.m.items()}, "u": {k: list(v) for k, v in self.u.items()}, "prior": self.prior}


@dataclass(frozen=True)
class USample:
    """What ``estimate_u`` reads of the reference sample: its size, its NIKs in record order
    (empty ones left out) and ``compare``, the levels (pairs × fields) of the pairs (i, j) of
    two index arrays into the sample. The batch engine compares in DuckDB, where the records
    are, and so never holds the sample's records in Python (20,000 of them: 26 MiB of a 200k
    job's peak)."""

    size: int
    niks: Sequence[str]
    compare: Compare

    @classmethod
    def of(cls, reference: Sequence[Features]) -> USample:
        """A sample of records held here, compared here."""
        return cls(len(reference), [f.nik for f in reference if f.nik], _compare_records(reference))


def estimate_u(reference: Sequence[Features] | USample, *, pairs: int = 100_000, seed: int = 1) -> dict[str, tuple[float, ...]]:
    """Level frequencies among random pairs of distinct reference records (records here, or a
    ``USample`` compared elsewhere: the same result)."""
    sample = reference if isinstance(reference, USample) else USample.of(reference)
    n = sample.size
    if n < 2:
        return dict(DEFAULT_U)
    counts = {f: [0.0] * len(COMPARISONS[f]) for f in FIELD_ORDER}
    draws = np.random.default_rng(seed).integers(0, n, size=(pairs, 2))
    draws = draws[draws[:, 0] != draws[:, 1]]
    if len(draws):
        levels = sample.compare(draws[:, 0], draws[:, 1])
        for k, f in enumerate(FIELD_ORDER):
            values, tally = np.unique(levels[:, k], return_counts=True)
            for lvl, c in zip(values.tolist(), tally.tolist(), strict=True):
                if lvl != MISSING:
                    counts[f][lvl] += c
    u: dict[str, tuple[float, ...]] = {}
    for f in FIELD_ORDER:
        c = counts[f]
        total = sum(c)
        if total < 100:
            u[f] = DEFAULT_U[f]
            continue
        # Rare agreement levels may never occur in the sample: keep the prior's order of magnitude.
        u[f] = tuple(max(ci / total, DEFAULT_U[f][k] if ci == 0 else 0.0, 1.0 / (10 * pairs)) for k, ci in enumerate(c))
    u["nik"] = _nik_u_given_birth(sample.niks, u["nik"], seed, pairs)
    return u


def _compare_records(reference: Sequence[Features]) -> Compare:
    from pendopo.linkage.vectorised import compare_columns

    columns = {}
    for name in (c for c in Features.__slots__ if c not in ("id", "nik_issues")):
        arr = np.empty(len(reference), dtype=object)
        arr[:] = [getattr(f, name) for f in reference]
        columns[name] = arr

    def compare(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return compare_columns({c: col[i] for c, col in columns.items()}, {c: col[j] for c, col in columns.items()})

    return compare


def _nik_u_given_birth(sample_niks: Sequence[str], nik_u: tuple[float, ...], seed: int, pairs: int) -> tuple[float, ...]:
    """Level 1 of the NIK comparison only occurs between NIKs with the same birth digits, where
    a neighbouring serial or kecamatan is common (``…0001``/``…0002``). Its u is estimated among
    pairs that share those digits, not among random pairs: a group of NIKs with the same birth
    digits is drawn in proportion to its number of pairs, then two of its NIKs at random (in
    numpy: 50,000 draws one by one in Python took a tenth of a 200k link job). The drawn pairs are
    rows of one byte matrix of the sample's NIKs, not 100,000 strings encoded one by one (9 MiB
    of Python objects at the top of a 200k link job's memory, decision 37)."""
    niks = np.array(sample_niks, dtype=object)
    if len(niks) < 2:
        return nik_u
    birth = np.array([n[6:12] for n in niks], dtype=object)
    order = np.argsort(birth, kind="stable")
    niks, birth = niks[order], birth[order]
    starts = np.flatnonzero(np.r_[True, birth[1:] != birth[:-1]])
    sizes = np.diff(np.r_[starts, len(niks)])
    pool = sizes > 1
    if not pool.any():
        return nik_u
    starts, sizes = starts[pool], sizes[pool]
    weights = (sizes * (sizes - 1)).astype(np.float64)
    rng = np.random.default_rng(seed)
    k = min(pairs, 50_000)
    group = rng.choice(len(sizes), size=k, p=weights / weights.sum())
    first = rng.integers(0, sizes[group])
    second = rng.integers(0, sizes[group] - 1)
    second += second >= first  # another member of the same group
    level1 = max(float(_drawn_one_digit_apart(niks, starts[group] + first, starts[group] + second).mean()), 1e-4)
    values = list(nik_u)
    values[1] = level1
    return tuple(values)


def _drawn_one_digit_apart(niks: np.ndarray, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """``compare_nik_digits(niks[ia], niks[ib]) == 1`` for an array of number strings and pairs
    of its rows: the same length, and one digit substituted or two neighbours swapped. Each NIK
    is encoded once; a pair with other characters than ASCII, which a cleaned NIK does not have,
    is compared one by one."""
    from pendopo.linkage.vectorised import digits_apart

    out = np.zeros(len(ia), dtype=bool)
    if not len(niks) or not len(ia):
        return out
    ascii_ = np.fromiter((n.isascii() for n in niks), dtype=bool, count=len(niks))
    lengths = np.fromiter(map(len, niks), dtype=np.int64, count=len(niks))
    width = max(int(lengths.max()), 1)
    matrix = np.array([n.encode() if plain else b"" for n, plain in zip(niks, ascii_, strict=True)],
                      dtype=f"S{width}").view(np.uint8).reshape(len(niks), width)
    plain = ascii_[ia] & ascii_[ib]
    for t in np.flatnonzero(~plain):
        out[t] = compare_nik_digits(niks[ia[t]], niks[ib[t]]) == 1
    ia, ib = ia[plain], ib[plain]
    out[plain] = (lengths[ia] == lengths[ib]) & digits_apart(matrix[ia], matrix[ib])
    return out


def compare_nik_digits(a: str, b: str) -> int:
    from pendopo.linkage.nik import nik_distance

    return 0 if a == b else (1 if nik_distance(a, b) == 1 else 4)


def estimate_em(
    patterns: Counter[tuple[int, ...]] | Iterable[tuple[int, ...]],
    *,
    u: dict[str, tuple[float, ...]] | None = None,
    m: dict[str, tuple[float, ...]] | None = None,
    prior: float = 0.1,
    iterations: int = 60,
    tolerance: float = 1e-7,
    fix_u: bool = False,
) -> Model:
    """EM over the comparison patterns of candidate pairs.

    By default both m and u are estimated: candidate pairs share village, family card or birth
    date by construction, so how often non-matching *candidates* agree (u) is what separates a
    person from their siblings and neighbours, and random-pair u would overstate that evidence.
    ``u`` (when given) is the starting point; without it u starts at the level frequencies of
    all candidate pairs, which are nearly all non-matches.
    """
    counts = patterns if isinstance(patterns, Counter) else Counter(patterns)
    if not counts:
        raise ModelError("Tidak ada pasangan kandidat untuk memperkirakan model. / No candidate pairs to train on.")
    items = list(counts.items())
    if u is None:
        u = _frequencies(items)
    levels = np.array([lv for lv, _ in items], dtype=np.int64)  # patterns × fields
    weight_of = np.array([c for _, c in items], dtype=np.float64)
    total = float(weight_of.sum())
    present = levels != MISSING
    m_cur = {f: np.array((m or DEFAULT_M)[f], dtype=np.float64) for f in FIELD_ORDER}
    u_cur = {f: np.array(u[f], dtype=np.float64) for f in FIELD_ORDER}
    lam = prior
    for _ in range(iterations):
        log_ratio = np.zeros(len(items))
        for k, f in enumerate(FIELD_ORDER):
            col = np.where(present[:, k], levels[:, k], 0)
            ratio = np.log2(np.maximum(m_cur[f][col], FLOOR) / np.maximum(u_cur[f][col], FLOOR))
            log_ratio += np.where(present[:, k], ratio, 0.0)
        logit = np.clip(log_ratio + math.log2(lam / (1 - lam)), -60, 60)
        p = 1.0 / (1.0 + np.power(2.0, -logit))
        wm, wu = p * weight_of, (1 - p) * weight_of
        new_m: dict[str, np.ndarray] = {}
        new_u: dict[str, np.ndarray] = {}
        for k, f in enumerate(FIELD_ORDER):
            size = len(COMPARISONS[f])
            mask = present[:, k]
            col = levels[mask, k]
            m_num = np.bincount(col, weights=wm[mask], minlength=size) + 0.5 * np.array(DEFAULT_M[f])
            u_num = np.bincount(col, weights=wu[mask], minlength=size) + 0.5 * np.array(DEFAULT_U[f])
            new_m[f] = m_num / (wm[mask].sum() + 0.5)
            new_u[f] = u_cur[f] if fix_u else np.maximum(u_num / (wu[mask].sum() + 0.5), FLOOR)
        new_lam = min(max(float(wm.sum()) / total, 1e-6), 1 - 1e-6)
        delta = max(float(np.abs(new_m[f] - m_cur[f]).max()) for f in FIELD_ORDER)
        m_cur, u_cur, lam = new_m, new_u, new_lam
        if delta < tolerance:
            break
    # Levels the training data never showed still happen in other data: no estimate is allowed
    # to claim certainty.
    return Model(m={f: _floored(v.tolist(), M_FLOOR) for f, v in m_cur.items()},
                 u={f: _floored(v.tolist(), U_FLOOR) for f, v in u_cur.items()}, prior=lam)


def _floored(values: list[float], floor: float) -> tuple[float, ...]:
    raised = [max(v, floor) for v in values]
    total = sum(raised)
    return tuple(v / total for v in raised)


def _frequencies(items: list[tuple[tuple[int, ...], int]]) -> dict[str, tuple[float, ...]]:
    counts = {f: [1.0] * len(COMPARISONS[f]) for f in FIELD_ORDER}
    for levels, count in items:
        for i, lvl in enumerate(levels):
            if lvl != MISSING:
                counts[FIELD_ORDER[i]][lvl] += count
    return {f: tuple(c / sum(cs) for c in cs) for f, cs in counts.items() for cs in [counts[f]]}
