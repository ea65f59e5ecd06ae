"""``compare`` for many pairs at once (numpy and rapidfuzz's C++ ``cpdist``), for the batch
engines. It must give exactly the levels of ``compare.compare`` pair by pair; a test checks
that on generated data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from pendopo.linkage.compare import FIELD_ORDER, MISSING
from pendopo.linkage.records import kecamatan_of

Strings = npt.NDArray[np.object_]
Ints = npt.NDArray[np.int64]
BASE = 8
WEIGHTS = np.array([BASE ** (len(FIELD_ORDER) - 1 - i) for i in range(len(FIELD_ORDER))], dtype=np.int64)


def _obj(values: Sequence[object]) -> Strings:
    if isinstance(values, np.ndarray) and values.dtype == object:
        return values
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values)
    return arr


def _lengths(values: Strings) -> Ints:
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values))


def _digits_matrix(values: Strings, width: int = 20) -> npt.NDArray[np.uint8]:
    raw = np.array([v.encode() for v in values], dtype=f"S{width}")
    return raw.view(np.uint8).reshape(len(values), width)


def one_digit_apart(a: Strings, b: Strings, width: int = 20) -> npt.NDArray[np.bool_]:
    """For pairs of ASCII strings of the same length: one character substituted, or two
    neighbours swapped (``nik_distance`` 1 when they differ)."""
    return digits_apart(_digits_matrix(a, width), _digits_matrix(b, width))


def digits_apart(A: npt.NDArray[np.uint8], B: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """``one_digit_apart`` of strings already encoded as rows of bytes, padded with zeros."""
    diff = A != B
    count = diff.sum(axis=1)
    first = diff.argmax(axis=1)
    rows = np.arange(len(A))
    second = np.minimum(first + 1, A.shape[1] - 1)
    swap = (count == 2) & diff[rows, second] & (A[rows, first] == B[rows, second]) & (A[rows, second] == B[rows, first])
    out: npt.NDArray[np.bool_] = (count == 1) | swap
    return out


# The calendar ``_ymd`` looks dates up in: (first ordinal, years, months, days), grown to cover
# every span asked for (birth dates span a century or so: 46,000 days, 1.1 MB).
_CALENDAR: list[tuple[int, Ints, Ints, Ints]] = []
CALENDAR_DAYS = 200_000  # wider spans (dates of five centuries) are converted date by date


def _ymd(ordinals: Ints) -> tuple[Ints, Ints, Ints]:
    """(year, month, day) of proleptic Gregorian ordinals, looked up in a calendar of the days of
    their span made once (converting every pair's dates through datetime64 took 20 of the 48 ms
    of a batch's levels)."""
    if len(ordinals) < 1000:
        return _ymd_each(ordinals)
    lo, hi = int(ordinals.min()), int(ordinals.max())
    if _CALENDAR:
        first, years, months, days = _CALENDAR[0]
        if first <= lo and hi < first + len(years):
            at = ordinals - first
            return years[at], months[at], days[at]
        lo, hi = min(lo, first), max(hi, first + len(years) - 1)
    if hi - lo >= CALENDAR_DAYS:
        return _ymd_each(ordinals)
    years, months, days = _ymd_each(np.arange(lo, hi + 1, dtype=np.int64))
    _CALENDAR[:] = [(lo, years, months, days)]  # one assignment: a thread sees the old or the new
    at = ordinals - lo
    return years[at], months[at], days[at]


def _ymd_each(ordinals: Ints) -> tuple[Ints, Ints, Ints]:
    days = (ordinals - 1).astype("timedelta64[D]") + np.datetime64("0001-01-01")
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    months = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    return years, months, dom


def birth_levels(a: dict[str, Ints], b: dict[str, Ints], a_ph: npt.NDArray[np.bool_], b_ph: npt.NDArray[np.bool_]) -> npt.NDArray[np.int8]:
    n = len(a["birth"])
    out = np.full(n, 4, dtype=np.int8)
    missing = (a["birth"] == 0) | (b["birth"] == 0)
    # Any date stands in for a missing one (its level is MISSING in the end): one inside the
    # span of the others keeps ``_ymd``'s table short.
    stand_in = max(int(a["birth"].max()), int(b["birth"].max())) if n else 1
    safe_a = np.where(missing, stand_in, a["birth"])
    safe_b = np.where(missing, stand_in, b["birth"])
    ya, ma, da = _ymd(safe_a)
    yb, mb, db = _ymd(safe_b)
    near = np.abs(ya - yb) <= 1
    out[near] = 3
    out[(ya == yb) & ((ma == mb) | (da == db))] = 2
    out[near & (ma == mb) & (da == db)] = 2
    out[(a["birth_swapped"] == b["birth"]) | (b["birth_swapped"] == a["birth"])] = 2
    equal = a["birth"] == b["birth"]
    out[equal] = np.where(a_ph[equal] | b_ph[equal], 1, 0)
    out[missing] = MISSING
    return out


def _only(mask: npt.NDArray[np.bool_], values: Strings) -> Strings:
    """``values`` where ``mask``, None elsewhere."""
    out = np.full(len(values), None, dtype=object)
    out[mask] = values[mask]
    return out


def _kecamatan(village: Strings) -> Strings:
    return _obj([kecamatan_of(v) for v in village])


# The token-set ratio of two names' sounds only decides a pair whose names are neither equal,
# nor close, nor missing, and whose Jaro-Winkler similarity is under 0.94 (at or above it the
# level is 2 whatever the ratio): the facts carry the two sounds only for such pairs, so a batch
# turns a few strings into Python objects instead of two per pair. DuckDB's
# jaro_winkler_similarity is rapidfuzz's algorithm: as 32-bit floats the two give the same values
# (a test checks), except 0 against 1 for two empty sounds, a pair whose names are then close
# anyway.
TSR_BELOW = 0.953125  # exact in 32 and 64 bits
_UNDECIDED = ("a.name <> '' AND b.name <> '' AND a.name <> b.name AND a.name_sorted <> b.name_sorted AND a.name_phon <> b.name_phon"
              f" AND jaro_winkler_similarity(a.name_phon, b.name_phon)::FLOAT < {TSR_BELOW}")

# What the level rules need to know about each pair. Computed by SQL in the DuckDB engine
# (``FACTS_SQL``) or from feature columns in Python (``pair_facts``); a test keeps them equal.
# The transposition test runs only where two digits differ: DuckDB evaluates both sides of an
# OR, and damerau_levenshtein on every candidate pair was 3 of the 3.6 s of a 2M screening's facts.
FACTS_SQL = f"""
    a.nik = '' OR b.nik = '' AS nik_missing,
    a.nik <> '' AND a.nik = b.nik AS nik_eq,
    coalesce(CASE WHEN a.nik <> '' AND b.nik <> '' AND a.nik <> b.nik AND length(a.nik) = length(b.nik)
        THEN CASE hamming(a.nik, b.nik) WHEN 1 THEN true WHEN 2 THEN damerau_levenshtein(a.nik, b.nik) = 1 ELSE false END END,
        false) AS nik_one_off,
    length(a.nik) = 16 AND length(b.nik) = 16 AS both16,
    substr(a.nik, 7, 6) = substr(b.nik, 7, 6) AS date_eq,
    a.nik = b.kk AS nik_is_kk,
    a.name = '' OR b.name = '' AS name_missing,
    a.name = b.name AS name_eq,
    a.name_sorted = b.name_sorted OR a.name_phon = b.name_phon AS name_close,
    least(length(a.name_phon), length(b.name_phon)) >= 4 AS short,
    a.birth AS a_birth, b.birth AS b_birth, a.birth_swapped AS a_swapped, b.birth_swapped AS b_swapped,
    a.placeholder AS a_ph, b.placeholder AS b_ph,
    a.sex = '' OR b.sex = '' AS sex_missing, a.sex = b.sex AS sex_eq,
    a.kk = '' OR b.kk = '' AS kk_missing, a.kk = b.kk AS kk_eq, a.kk = a.nik AS a_kk_is_nik,
    a.village = '' OR b.village = '' AS village_missing, a.village = b.village AS village_eq,
    a.village LIKE '__.__.__.____'
      AND b.village LIKE '__.__.__.____'
      AND substr(a.village, 1, 8) = substr(b.village, 1, 8) AS kec_eq,
    a.dusun <> '' AND a.dusun = b.dusun AS dusun_eq,
    a.rt >= 0 AND a.rt = b.rt AS rt_eq,
    a.rt = b.rt AS rt_same,
    a.place = '' OR b.place = '' OR (
        a.village LIKE '__.__.__.____'
        AND b.village LIKE '__.__.__.____'
    ) AS place_missing,
    a.place = b.place AS place_eq,
    jaro_winkler_similarity(a.name_phon, b.name_phon)::FLOAT AS jw,
    CASE WHEN {_UNDECIDED} THEN a.name_phon END AS a_phon, CASE WHEN {_UNDECIDED} THEN b.name_phon END AS b_phon
"""


def pair_facts(a: dict[str, list[object]], b: dict[str, list[object]]) -> dict[str, npt.NDArray[Any]]:
    """The facts of ``FACTS_SQL``, computed in Python from two sides' feature columns."""
    sa = {k: _obj(a[k]) for k in ("nik", "kk", "name", "name_sorted", "name_phon", "sex", "village", "dusun", "place")}
    sb = {k: _obj(b[k]) for k in ("nik", "kk", "name", "name_sorted", "name_phon", "sex", "village", "dusun", "place")}
    la, lb = _lengths(sa["nik"]), _lengths(sb["nik"])
    nik_missing = (la == 0) | (lb == 0)
    nik_eq = ~nik_missing & (sa["nik"] == sb["nik"])
    same_len = (la == lb) & ~nik_missing & ~nik_eq
    one_off = np.zeros(len(la), dtype=bool)
    if same_len.any():
        idx = np.nonzero(same_len)[0]
        one_off[idx] = one_digit_apart(sa["nik"][idx], sb["nik"][idx])
    ka, kb = _kecamatan(sa["village"]), _kecamatan(sb["village"])
    lpa, lpb = _lengths(sa["name_phon"]), _lengths(sb["name_phon"])
    jw = process.cpdist(list(sa["name_phon"]), list(sb["name_phon"]), scorer=JaroWinkler.similarity, workers=-1).astype(np.float32)
    jw[(lpa == 0) & (lpb == 0)] = 0.0  # as DuckDB's jaro_winkler_similarity
    name_missing = (_lengths(sa["name"]) == 0) | (_lengths(sb["name"]) == 0)
    name_eq = sa["name"] == sb["name"]
    name_close = (sa["name_sorted"] == sb["name_sorted"]) | (sa["name_phon"] == sb["name_phon"])
    undecided = ~name_missing & ~name_eq & ~name_close & (jw < np.float32(TSR_BELOW))
    return {
        "nik_missing": nik_missing, "nik_eq": nik_eq, "nik_one_off": one_off, "both16": (la == 16) & (lb == 16),
        "date_eq": np.fromiter((x[6:12] == y[6:12] for x, y in zip(sa["nik"], sb["nik"], strict=True)), dtype=bool, count=len(la)),
        "nik_is_kk": sa["nik"] == sb["kk"],
        "name_missing": name_missing, "name_eq": name_eq, "name_close": name_close, "short": np.minimum(lpa, lpb) >= 4,
        "a_birth": np.asarray(a["birth"], dtype=np.int64), "b_birth": np.asarray(b["birth"], dtype=np.int64),
        "a_swapped": np.asarray(a["birth_swapped"], dtype=np.int64), "b_swapped": np.asarray(b["birth_swapped"], dtype=np.int64),
        "a_ph": np.asarray(a["placeholder"], dtype=bool), "b_ph": np.asarray(b["placeholder"], dtype=bool),
        "sex_missing": (_lengths(sa["sex"]) == 0) | (_lengths(sb["sex"]) == 0), "sex_eq": sa["sex"] == sb["sex"],
        "kk_missing": (_lengths(sa["kk"]) == 0) | (_lengths(sb["kk"]) == 0), "kk_eq": sa["kk"] == sb["kk"],
        "a_kk_is_nik": sa["kk"] == sa["nik"],
        "village_missing": (_lengths(sa["village"]) == 0) | (_lengths(sb["village"]) == 0), "village_eq": sa["village"] == sb["village"],
        "kec_eq": (_lengths(ka) > 0) & (ka == kb),
        "dusun_eq": (_lengths(sa["dusun"]) > 0) & (sa["dusun"] == sb["dusun"]),
        "rt_eq": (np.asarray(a["rt"], dtype=np.int64) >= 0) & (np.asarray(a["rt"], dtype=np.int64) == np.asarray(b["rt"], dtype=np.int64)),
        "rt_same": np.asarray(a["rt"], dtype=np.int64) == np.asarray(b["rt"], dtype=np.int64),
        "place_missing": (_lengths(sa["place"]) == 0) | (_lengths(sb["place"]) == 0) | ((_lengths(ka) > 0) & (_lengths(kb) > 0)),
        "place_eq": sa["place"] == sb["place"],
        "jw": jw, "a_phon": _only(undecided, sa["name_phon"]), "b_phon": _only(undecided, sb["name_phon"]),
    }


def levels_from_facts(f: dict[str, npt.NDArray[Any]]) -> npt.NDArray[np.int8]:
    """The levels of ``compare.compare`` for every pair, from its facts."""
    n = len(f["nik_eq"])
    nik = np.full(n, 4, dtype=np.int8)
    one = f["nik_one_off"]
    nik[one & ~f["both16"]] = 1
    nik[one & f["both16"] & f["date_eq"]] = 1
    nik[one & f["both16"] & ~f["date_eq"]] = 2
    nik[~f["nik_missing"] & ~f["nik_eq"] & ~one & f["nik_is_kk"]] = 3
    nik[f["nik_eq"]] = 0
    nik[f["nik_missing"]] = MISSING

    name = np.full(n, 4, dtype=np.int8)
    jw = f["jw"]
    # ``a_phon``/``b_phon``: the sounds of the pairs the ratio may decide (None elsewhere, 0 then).
    tsr = np.zeros(n, dtype=np.float64)
    pick = np.flatnonzero(f["a_phon"] != None)  # noqa: E711 - element-wise over an object array
    if len(pick):
        tsr[pick] = process.cpdist(list(f["a_phon"][pick]), list(f["b_phon"][pick]), scorer=token_set_ratio, workers=-1)
    name[(jw >= 0.86) | (tsr >= 85)] = 3
    name[(jw >= 0.94) | ((tsr >= 99.5) & f["short"])] = 2
    name[f["name_close"]] = 1
    name[f["name_eq"]] = 0
    name[f["name_missing"]] = MISSING

    birth = birth_levels({"birth": f["a_birth"], "birth_swapped": f["a_swapped"]},
                         {"birth": f["b_birth"], "birth_swapped": f["b_swapped"]}, f["a_ph"], f["b_ph"])
    sex = np.where(f["sex_eq"], 0, 1).astype(np.int8)
    sex[f["sex_missing"]] = MISSING
    kk = np.where(f["kk_eq"], 0, 1).astype(np.int8)
    kk[f["kk_missing"]] = MISSING
    location = np.where(f["kec_eq"], 3, 4).astype(np.int8)
    location[f["dusun_eq"] & f["rt_same"]] = 5  # the same address under another area code
    same = f["village_eq"]
    location[same] = 2
    location[same & f["dusun_eq"]] = np.where(f["rt_eq"], 0, 1)[same & f["dusun_eq"]]
    location[f["village_missing"]] = MISSING

    implied = ((nik == 0) | (nik == 1)) & f["both16"]
    birth[implied] = MISSING
    sex[implied] = MISSING
    nik[(nik == 2) & (((birth != 0) & (birth != 1)) | (sex == 1))] = 4
    nik[(nik == 3) & ((kk == 0) | f["a_kk_is_nik"])] = MISSING
    location[kk == 0] = MISSING
    place = np.where(f["place_eq"], 0, 1).astype(np.int8)
    place[f["place_missing"]] = MISSING
    return np.stack([nik, name, birth, sex, location, kk, place], axis=1)


def compare_columns(a: dict[str, list[object]], b: dict[str, list[object]]) -> npt.NDArray[np.int8]:
    """Levels (n × fields) for pairs given as columns of the two sides' features."""
    return levels_from_facts(pair_facts(a, b))


def codes(levels: npt.NDArray[np.int8]) -> Ints:
    """Pattern codes, as ``stages.encode`` computes them one by one."""
    out: Ints = ((levels.astype(np.int64) + 1) * WEIGHTS).sum(axis=1)
    return out
