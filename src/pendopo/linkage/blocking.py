"""Blocking keys: which reference records are worth comparing with a record at all.

Reference records are indexed under their own keys; a query also looks under the keys of its
possible repairs (NIK with two neighbours swapped or the 16th digit lost, the NIK typed in
the KK column, a day/month swap, the NIK its village, birth date and sex imply). A wrong digit
in a NIK's region or serial leaves one of its two partial keys intact; one in its birth digits
is found through the NIK the typed birth date implies, or through the name keys.
"""

from __future__ import annotations

import datetime as dt

from pendopo.linkage.nik import birth_part, last_digit_variants, partial_keys, transpositions
from pendopo.linkage.records import Features


def reference_keys(f: Features) -> list[str]:
    keys: list[str] = []
    if f.has_nik:
        head, tail = partial_keys(f.nik)
        keys += ["n" + f.nik, "r" + head, "s" + tail]
    elif f.nik:
        keys += ["n" + f.nik, "h" + f.nik[: len(f.nik) // 2], "t" + f.nik[len(f.nik) // 2 :]]
    if f.kk:
        keys.append("k" + f.kk)
    if f.village and f.first_phon:
        keys.append(f"v{f.village}|{f.first_phon}")
    if f.village and f.birth:
        keys.append(f"b{f.village}|{f.birth}")
    if f.village and not f.kecamatan and " " in f.name_phon:
        # Data with postcodes instead of village codes (FEBRL, most data outside Indonesia)
        # carries family names: the same surname in the same postcode, for a typo in the given
        # name and no birth date. Javanese names have no family name; there the last word would
        # only make large blocks, and the birth-date keys below cover a typo in the first word.
        keys.append(f"w{f.village}|{f.name_phon.rsplit(' ', 1)[-1]}")
    if f.birth and f.first_phon:
        keys.append(f"d{f.birth}|{f.first_phon}")
    if f.birth and f.name_phon:
        # birth date and the last name word: a typo in the first word leaves the last one
        last = f.name_phon.rsplit(" ", 1)[-1]
        if last != f.first_phon:
            keys.append(f"d{f.birth}|{last}")
    if f.name_phon:
        # the name's sound keys in any order: "Cameron Jessup" meets "Jessup Cameron"
        words = " ".join(sorted(f.name_phon.split(" ")))
        if f.village:
            keys.append(f"p{f.kecamatan or f.village}|{words}")
        if f.birth:
            keys.append(f"y{dt.date.fromordinal(f.birth).year}|{words}")
        if f.place and not f.kecamatan:
            # data without Kemendagri codes (a town beside a postcode): the same name in the same town
            keys.append(f"t{f.place}|{words}")
    return keys


def query_keys(f: Features) -> list[str]:
    keys = reference_keys(f)
    if f.nik:
        keys += ["n" + v for v in transpositions(f.nik)]
        if f.has_nik:
            keys += ["n" + v for v in last_digit_variants(f.nik)]
            keys.append("k" + f.nik)  # the KK number typed in the NIK column
    if f.kk:
        keys.append("n" + f.kk)  # a NIK typed in the KK column
    if f.birth_swapped:
        if f.village:
            keys.append(f"b{f.village}|{f.birth_swapped}")
        if f.first_phon:
            keys.append(f"d{f.birth_swapped}|{f.first_phon}")
    if f.kecamatan and f.birth and f.sex:
        # The NIK a resident of this kecamatan with this birth date and sex would have.
        region = f.village[:2] + f.village[3:5] + f.village[6:8]
        keys.append("r" + region + birth_part(dt.date.fromordinal(f.birth), f.sex))
    return list(dict.fromkeys(keys))
