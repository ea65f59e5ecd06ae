"""Field-by-field comparison of two prepared records into agreement levels.

Level 0 is the strongest agreement; -1 means the field is missing on either side and carries
no evidence. The levels are what the Fellegi–Sunter model weighs, and what a person reads as
evidence ("nama sama persis", "tanggal lahir tertukar hari/bulan").
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from pendopo.linkage.i18n import gettext_noop
from pendopo.linkage.records import Features, kecamatan_of

MISSING = -1
COMPARISONS: dict[str, tuple[str, ...]] = {
    # field: labels of levels 0..n (Bahasa Indonesia, shown as evidence; pages translate them)
    "nik": (gettext_noop("NIK sama"), gettext_noop("NIK beda satu digit di luar tanggal lahir"),
            gettext_noop("NIK beda satu digit pada tanggal lahir"), gettext_noop("NIK yang diketik adalah nomor KK orang ini"),
            gettext_noop("NIK berbeda")),
    "name": (gettext_noop("nama sama persis"), gettext_noop("nama sama (ejaan/urutan)"), gettext_noop("nama sangat mirip"),
             gettext_noop("nama mirip"), gettext_noop("nama berbeda")),
    "birth": (gettext_noop("tanggal lahir sama"), gettext_noop("tanggal lahir sama (tanggal pengganti)"),
              gettext_noop("tanggal lahir hampir sama (tertukar/salah ketik)"), gettext_noop("tahun lahir berdekatan"),
              gettext_noop("tanggal lahir berbeda")),
    "sex": (gettext_noop("jenis kelamin sama"), gettext_noop("jenis kelamin berbeda")),
    # One field for where the person lives: village, dusun and RT agree together far more
    # often than independently, so counting them apart would count the same evidence twice.
    # The last level: the same address (dusun and RT, or street) under another area code, as a
    # mistyped or neighbouring village code or postcode leaves it.
    "location": (gettext_noop("desa, dusun dan RT sama"), gettext_noop("desa dan dusun sama"), gettext_noop("desa sama, alamat berbeda"),
                 gettext_noop("kecamatan sama"), gettext_noop("wilayah berbeda"), gettext_noop("alamat sama, kode wilayah berbeda")),
    "kk": (gettext_noop("KK sama"), gettext_noop("KK berbeda")),
    # Only for data whose area codes are not Kemendagri village codes (a suburb beside a
    # postcode); in Indonesian data the birth place mostly repeats the village.
    "place": (gettext_noop("tempat sama"), gettext_noop("tempat berbeda")),
}
FIELD_ORDER = tuple(COMPARISONS)


def compare(a: Features, b: Features) -> tuple[int, ...]:
    """The agreement level of every field, in ``FIELD_ORDER``."""
    return compare_fields(a, b.nik, b.kk, b.name, b.name_sorted, b.name_phon, b.birth, b.birth_swapped, b.placeholder,
                          b.sex, b.village, b.place, b.dusun, b.rt)


def compare_fields(a: Features, nik: str, kk: str, name: str, name_sorted: str, name_phon: str, birth: int,
                   swapped: int, placeholder: bool, sex: str, village: str, place: str, dusun: str,
                   rt: int) -> tuple[int, ...]:
    """``compare`` with the other record's fields passed one by one, so that an index keeping
    its records column by column compares them without making a record object each.

    A NIK carries the birth date and sex. When two NIKs agree on those digits, the typed birth
    date and sex agreeing says nothing new, so they are left out rather than counted twice
    (Fellegi–Sunter assumes fields are independent given the match status). Likewise a shared
    family card implies a shared address.
    """
    # NIK: 0 equal; 1 one digit off (or two neighbours swapped) outside the birth-date digits;
    # 2 one off inside them; 3 the typed NIK is the other record's KK number; 4 different.
    a_nik = a.nik
    both_16 = len(a_nik) == 16 and len(nik) == 16
    if not a_nik or not nik:
        nik_level = MISSING
    elif a_nik == nik:
        nik_level = 0
    elif len(a_nik) == len(nik) and OSA.distance(a_nik, nik, score_cutoff=1) == 1:
        # another identifier than a NIK has no birth digits in it
        nik_level = 1 if not both_16 or a_nik[6:12] == nik[6:12] else 2
    elif a_nik == kk:
        nik_level = 3
    else:
        nik_level = 4

    # Name: the normalised text, then word order or sound, then how close the sounds are.
    a_name = a.name
    if not a_name or not name:
        name_level = MISSING
    elif a_name == name:
        name_level = 0
    elif a.name_sorted == name_sorted or a.name_phon == name_phon:
        name_level = 1
    else:
        jw = JaroWinkler.similarity(a.name_phon, name_phon)
        if jw >= 0.94:
            name_level = 2
        else:
            tsr = token_set_ratio(a.name_phon, name_phon)
            if tsr >= 99.5 and min(len(a.name_phon), len(name_phon)) >= 4:
                name_level = 2  # one name contains the other: "siti aminah" / "aminah"
            elif jw >= 0.86 or tsr >= 85:
                name_level = 3
            else:
                name_level = 4

    implied = both_16 and nik_level in (0, 1)
    a_birth = a.birth
    if implied or not a_birth or not birth:
        birth_level = MISSING
    elif a_birth == birth:
        birth_level = 1 if (a.placeholder or placeholder) else 0
    elif a.birth_swapped == birth or swapped == a_birth:
        birth_level = 2
    else:
        da, db = _date(a_birth), _date(birth)
        if da.year == db.year and (da.month == db.month or da.day == db.day):
            birth_level = 2
        elif abs(da.year - db.year) <= 1 and da.month == db.month and da.day == db.day:
            birth_level = 2
        elif abs(da.year - db.year) <= 1:
            birth_level = 3
        else:
            birth_level = 4
    sex_level = MISSING if implied or not a.sex or not sex else (0 if a.sex == sex else 1)
    if nik_level == 2 and (birth_level not in (0, 1) or sex_level == 1):
        # A NIK one digit off in its birth digits is a typo only if the typed birth date and
        # sex agree with the other record; otherwise it is another person's birth date, or
        # the same day with the other sex (day + 40 differs in one digit: 01 and 41).
        nik_level = 4
    kk_level = MISSING if not a.kk or not kk else (0 if a.kk == kk else 1)
    if nik_level == 3 and (kk_level == 0 or a.kk == a_nik):
        # The family card number typed as NIK says "this family", which the KK comparison
        # already says; it says nothing about which member.
        nik_level = MISSING

    # One family card means one address: agreeing on both is one piece of evidence. The last
    # level: the same dusun and RT under another area code (a mistyped or neighbouring code).
    a_village = a.village
    a_kec = kecamatan_of(a_village)
    if kk_level == 0 or not a_village or not village:
        location = MISSING
    elif a_village != village:
        if a.dusun and a.dusun == dusun and a.rt == rt:  # RT equal, or missing on both
            location = 5
        else:
            location = 3 if a_kec and a_kec == kecamatan_of(village) else 4
    elif a.dusun and a.dusun == dusun:
        location = 0 if a.rt >= 0 and a.rt == rt else 1
    else:
        location = 2

    # The birth place only for data whose area codes are not Kemendagri village codes.
    if not a.place or not place or (a_kec and kecamatan_of(village)):
        place_level = MISSING
    else:
        place_level = 0 if a.place == place else 1
    return (nik_level, name_level, birth_level, sex_level, location, kk_level, place_level)


@lru_cache(maxsize=65_536)
def _date(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


def describe(levels: tuple[int, ...]) -> list[tuple[str, str]]:
    """(field, label) for every field with evidence, for a person to read."""
    return [(field, COMPARISONS[field][lvl]) for field, lvl in zip(FIELD_ORDER, levels, strict=True) if lvl != MISSING]
