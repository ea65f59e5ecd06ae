"""Field-by-field comparison of two prepared records into agreement levels.

Level 0 is the strongest agreement; -1 means the field is missing on either side and carries
no evidence. The levels are what the Fellegi–Sunter model weighs, and what a person reads as
evidence ("nama sama persis", "tanggal lahir tertukar hari/bulan").
"""

from __future__ import annotations

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from pendopo.linkage.nik import nik_distance
from pendopo.linkage.records import Features

MISSING = -1
COMPARISONS: dict[str, tuple[str, ...]] = {
    # field: labels of levels 0..n (Bahasa Indonesia, shown as evidence)
    "nik": ("NIK sama", "NIK beda satu digit di luar tanggal lahir", "NIK beda satu digit pada tanggal lahir",
            "NIK yang diketik adalah nomor KK orang ini", "NIK berbeda"),
    "name": ("nama sama persis", "nama sama (ejaan/urutan)", "nama sangat mirip", "nama mirip", "nama berbeda"),
    "birth": ("tanggal lahir sama", "tanggal lahir sama (tanggal pengganti)", "tanggal lahir hampir sama (tertukar/salah ketik)",
              "tahun lahir berdekatan", "tanggal lahir berbeda"),
    "sex": ("jenis kelamin sama", "jenis kelamin berbeda"),
    # One field for where the person lives: village, dusun and RT agree together far more
    # often than independently, so counting them apart would count the same evidence twice.
    # The last level: the same address (dusun and RT, or street) under another area code, as a
    # mistyped or neighbouring village code or postcode leaves it.
    "location": ("desa, dusun dan RT sama", "desa dan dusun sama", "desa sama, alamat berbeda", "kecamatan sama", "wilayah berbeda",
                 "alamat sama, kode wilayah berbeda"),
    "kk": ("KK sama", "KK berbeda"),
    # Only for data whose area codes are not Kemendagri village codes (a suburb beside a
    # postcode); in Indonesian data the birth place mostly repeats the village.
    "place": ("tempat sama", "tempat berbeda"),
}
FIELD_ORDER = tuple(COMPARISONS)


def compare_nik(a: Features, b: Features) -> int:
    """0 equal; 1 one digit off (or two neighbours swapped) outside the birth-date digits;
    2 one off inside them; 3 the typed NIK is the other record's KK number; 4 different."""
    if not a.nik or not b.nik:
        return MISSING
    if a.nik == b.nik:
        return 0
    if nik_distance(a.nik, b.nik) == 1:
        if not (a.has_nik and b.has_nik):
            return 1  # another identifier: no birth digits in it
        return 1 if a.nik[6:12] == b.nik[6:12] else 2
    if a.nik == b.kk:
        return 3
    return 4


def compare_name(a: Features, b: Features) -> int:
    if not a.name or not b.name:
        return MISSING
    if a.name == b.name:
        return 0
    if a.name_sorted == b.name_sorted or a.name_phon == b.name_phon:
        return 1
    jw = JaroWinkler.similarity(a.name_phon, b.name_phon)
    if jw >= 0.94:
        return 2
    tsr = token_set_ratio(a.name_phon, b.name_phon)
    if tsr >= 99.5 and min(len(a.name_phon), len(b.name_phon)) >= 4:
        return 2  # one name contains the other: "siti aminah" / "aminah"
    if jw >= 0.86 or tsr >= 85:
        return 3
    return 4


def compare_birth(a: Features, b: Features) -> int:
    if not a.birth or not b.birth:
        return MISSING
    if a.birth == b.birth:
        return 1 if (a.placeholder or b.placeholder) else 0
    if a.birth_swapped == b.birth or b.birth_swapped == a.birth:
        return 2
    import datetime as dt

    da, db = dt.date.fromordinal(a.birth), dt.date.fromordinal(b.birth)
    if da.year == db.year and (da.month == db.month or da.day == db.day):
        return 2
    if abs(da.year - db.year) <= 1 and da.month == db.month and da.day == db.day:
        return 2
    if abs(da.year - db.year) <= 1:
        return 3
    return 4


def compare_sex(a: Features, b: Features) -> int:
    if not a.sex or not b.sex:
        return MISSING
    return 0 if a.sex == b.sex else 1


def compare_location(a: Features, b: Features) -> int:
    if not a.village or not b.village:
        return MISSING
    if a.village != b.village:
        if a.dusun and a.dusun == b.dusun and a.rt == b.rt:  # RT equal, or missing on both
            return 5
        return 3 if a.kecamatan and a.kecamatan == b.kecamatan else 4
    if a.dusun and a.dusun == b.dusun:
        return 0 if a.rt >= 0 and a.rt == b.rt else 1
    return 2


def compare_kk(a: Features, b: Features) -> int:
    if not a.kk or not b.kk:
        return MISSING
    return 0 if a.kk == b.kk else 1




def compare_place(a: Features, b: Features) -> int:
    if not a.place or not b.place or (a.kecamatan and b.kecamatan):
        return MISSING
    return 0 if a.place == b.place else 1


def compare(a: Features, b: Features) -> tuple[int, ...]:
    """The agreement level of every field, in ``FIELD_ORDER``.

    A NIK carries the birth date and sex. When two NIKs agree on those digits, the typed birth
    date and sex agreeing says nothing new, so they are left out rather than counted twice
    (Fellegi–Sunter assumes fields are independent given the match status). Likewise a shared
    family card implies a shared address.
    """
    nik = compare_nik(a, b)
    implied = nik in (0, 1) and a.has_nik and b.has_nik
    birth = MISSING if implied else compare_birth(a, b)
    sex = MISSING if implied else compare_sex(a, b)
    if nik == 2 and (birth not in (0, 1) or sex == 1):
        # A NIK one digit off in its birth digits is a typo only if the typed birth date and
        # sex agree with the other record; otherwise it is another person's birth date, or
        # the same day with the other sex (day + 40 differs in one digit: 01 and 41).
        nik = 4
    kk = compare_kk(a, b)
    if nik == 3 and (kk == 0 or a.kk == a.nik):
        # The family card number typed as NIK says "this family", which the KK comparison
        # already says; it says nothing about which member.
        nik = MISSING
    return (
        nik,
        compare_name(a, b),
        birth,
        sex,
        # One family card means one address: agreeing on both is one piece of evidence.
        MISSING if kk == 0 else compare_location(a, b),
        kk,
        compare_place(a, b),
    )


def describe(levels: tuple[int, ...]) -> list[tuple[str, str]]:
    """(field, label) for every field with evidence, for a person to read."""
    return [(field, COMPARISONS[field][lvl]) for field, lvl in zip(FIELD_ORDER, levels, strict=True) if lvl != MISSING]
