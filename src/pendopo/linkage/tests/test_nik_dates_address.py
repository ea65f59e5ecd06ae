from __future__ import annotations

import datetime as dt

import pytest

from pendopo.linkage.address import normalise_village_code, parse_address
from pendopo.linkage.dates import parse_date
from pendopo.linkage.nik import (
    NikIssue,
    last_digit_variants,
    nik_distance,
    parse_nik,
    partial_keys,
    transpositions,
)

NIK = "3510094512800001"  # Genteng, 5 December 1980, a woman (45 = 5 + 40)


@pytest.mark.parametrize("raw", [NIK, f"'{NIK}", f" {NIK} ", "3510 0945 1280 0001", f"{NIK}.0", float(NIK), int(NIK), f"NIK:{NIK}"])
def test_it_cleans_what_spreadsheets_and_people_add(raw: object) -> None:
    assert parse_nik(raw).digits == NIK


def test_it_decodes_birth_date_and_sex() -> None:
    assert parse_nik(NIK).birth() == (dt.date(1980, 12, 5), "P")
    assert parse_nik("3510090512800001").birth() == (dt.date(1980, 12, 5), "L")


@pytest.mark.parametrize(
    ("raw", "issue"),
    [("", NikIssue.MISSING), ("3.51009E+15", NikIssue.SCIENTIFIC), ("351009451280001", NikIssue.WRONG_LENGTH),
     ("3510099912800001", NikIssue.BAD_DATE), ("35100945128O0001", NikIssue.NOT_DIGITS), ("3510094512800000", NikIssue.ZERO_SERIAL),
     (3510094512800010.0, NikIssue.TRUNCATED)],
)
def test_it_names_what_is_wrong(raw: object, issue: NikIssue) -> None:
    parsed = parse_nik(raw)
    assert issue in parsed.issues
    assert not parsed.valid


def test_an_unknown_region_is_flagged_when_regions_are_known() -> None:
    assert NikIssue.UNKNOWN_REGION in parse_nik(NIK, known_regions=frozenset({"351001"})).issues
    assert parse_nik(NIK, known_regions=frozenset({"351009"})).valid


def test_repair_candidates_cover_the_common_errors() -> None:
    swapped = NIK[:2] + NIK[3] + NIK[2] + NIK[4:]
    assert NIK in set(transpositions(swapped))
    truncated = NIK[:15] + "0"
    assert NIK in set(last_digit_variants(truncated))
    for wrong in (NIK[:3] + "7" + NIK[4:], NIK[:14] + "7" + NIK[15:]):  # region, serial
        assert set(partial_keys(wrong)) & set(partial_keys(NIK))
        assert nik_distance(NIK, wrong) == 1
    assert nik_distance(NIK, swapped) == 1 and nik_distance(NIK, "3510094512800099") == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1980-05-12", dt.date(1980, 5, 12)), ("12-05-1980", dt.date(1980, 5, 12)), ("12/05/1980", dt.date(1980, 5, 12)),
     ("29353", dt.date(1980, 5, 12)), ("1980-05-12 00:00:00", dt.date(1980, 5, 12)), ("12.05.1980", dt.date(1980, 5, 12)),
     (dt.date(1980, 5, 12), dt.date(1980, 5, 12)), ("12/25/1980", dt.date(1980, 12, 25))],
)
def test_it_reads_every_date_shape(raw: object, expected: dt.date) -> None:
    assert parse_date(raw).date == expected


def test_a_day_month_swap_is_a_candidate_not_a_fact() -> None:
    parsed = parse_date("05/12/1980")
    assert parsed.date == dt.date(1980, 12, 5) and parsed.swapped == dt.date(1980, 5, 12)
    assert parse_date("25/12/1980").swapped is None


@pytest.mark.parametrize("raw", ["", "abc", "31/02/1980", "2999-01-01", None, "nan"])
def test_impossible_dates_give_none(raw: object) -> None:
    assert parse_date(raw).date is None


def test_placeholder_dates_are_recognised() -> None:
    assert parse_date("01-07-1950").is_placeholder and not parse_date("02-07-1950").is_placeholder


@pytest.mark.parametrize(
    "raw", ["Dsn. Krajan RT 003 RW 002", "Dusun Krajan, Rt.03/Rw.02", "KRAJAN 003/002", "RT 3 RW 2 Dusun Krajan", "Dsn Krajan rt:3 rw:2"]
)
def test_address_variants_agree(raw: str) -> None:
    a = parse_address(raw)
    assert (a.dusun, a.rt, a.rw) == ("krajan", 3, 2)


def test_village_codes_with_or_without_dots() -> None:
    assert normalise_village_code("3510092001") == "35.10.09.2001" == normalise_village_code(" 35.10.09.2001 ")
    assert normalise_village_code("35.10.09") == ""
