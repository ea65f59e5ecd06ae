from __future__ import annotations

import datetime as dt
from collections import Counter

from pendopo.testdata.population import Generator, split_population


def _people(n_households: int = 400):  # type: ignore[no-untyped-def]
    gen = Generator(seed=3)
    households = [gen.household(village_code="35.10.09.2001", village_name="Kembiritan", dusun=["Krajan"]) for _ in range(n_households)]
    return households, [p for h in households for p in h.members]


def test_niks_agree_with_kecamatan_birth_date_and_sex() -> None:
    _, people = _people()
    assert len({p.nik for p in people}) == len(people)
    local = [p for p in people if p.nik.startswith("351009")]
    assert len(local) > 0.85 * len(people)
    for p in people:
        day = int(p.nik[6:8]) - (40 if p.sex == "P" else 0)
        assert dt.date(p.birth_date.year, int(p.nik[8:10]), day) == p.birth_date
        assert p.nik[10:12] == f"{p.birth_date.year % 100:02d}"


def test_kk_numbers_are_unique_and_carry_the_region() -> None:
    households, _ = _people()
    assert len({h.kk_number for h in households}) == len(households)
    assert all(h.kk_number.startswith("351009") and len(h.kk_number) == 16 for h in households)


def test_names_look_like_the_regency() -> None:
    _, people = _people(1500)
    names = [p.name for p in people]
    one_word = [n for n in names if " " not in n.strip()]
    assert len(one_word) > 0.03 * len(names)  # older one-word names
    assert any(n.isupper() for n in names)  # typed in capitals
    assert any(n.startswith(("M.", "Moh.", "Moch.", "Muh.")) for n in names)
    assert any(n.startswith(("H. ", "Hj. ")) for n in names)
    old = [p for p in people if p.birth_date.year < 1960]
    placeholders = [p for p in old if (p.birth_date.month, p.birth_date.day) in {(1, 1), (7, 1), (12, 31)}]
    assert len(placeholders) > 0.15 * len(old)


def test_families_have_one_head_and_plausible_ages() -> None:
    households, _ = _people()
    for h in households:
        assert Counter(p.relationship for p in h.members)["kepala"] == 1
        head = h.members[0]
        for child in (p for p in h.members if p.relationship == "anak"):
            assert child.birth_date > head.birth_date


def test_the_generator_is_deterministic() -> None:
    assert _people(50)[1] == _people(50)[1]


def test_split_population_keeps_the_total() -> None:
    codes = [f"35.10.01.{2000 + i}" for i in range(1, 30)] + ["35.10.16.1001"]
    shares = split_population(12345, codes)
    assert sum(shares.values()) == 12345 and min(shares.values()) > 0
