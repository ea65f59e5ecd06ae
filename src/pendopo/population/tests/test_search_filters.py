"""The resident list's filters (dusun, age range) on the page, the export and the API, and the
pager that stops counting at a cap instead of counting a regency's matches."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pendopo.core.testing import VILLAGE, Personas
from pendopo.population import selectors
from pendopo.population.models import Resident

pytestmark = pytest.mark.django_db


def age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def test_dusun_and_age_filters_select_exactly_the_matching_residents(population: None, personas: Personas) -> None:
    today = timezone.localdate()
    mine = list(Resident.objects.filter(village_id=VILLAGE))
    dusun = max({r.dusun for r in mine if r.dusun}, key=lambda d: sum(r.dusun == d for r in mine))
    f = selectors.ResidentFilter(dusun=dusun.upper(), age_min=18, age_max=59)
    got = {r.pk for r in selectors.resident_list(actor=personas.village_operator, f=f)}
    want = {r.pk for r in mine if r.dusun == dusun and 18 <= age(r.birth_date, today) <= 59}
    assert got == want and want
    children = {r.pk for r in selectors.resident_list(actor=personas.village_operator, f=selectors.ResidentFilter(age_max=5))}
    assert children == {r.pk for r in mine if age(r.birth_date, today) <= 5}
    # from a query string: words that are not ages are ignored, not an error page
    assert selectors.ResidentFilter.from_data({"age_min": "abc", "age_max": "7", "dusun": " Krajan "}) == \
        selectors.ResidentFilter(age_max=7, dusun="Krajan")


def test_the_page_names_a_wrong_age_range_and_still_lists(population: None, personas: Personas) -> None:
    c = Client()
    c.force_login(personas.village_operator)
    page = c.get(reverse("population:resident-list"), {"age_min": "60", "age_max": "20"})
    assert page.status_code == 200
    assert "Umur sampai harus sama dengan atau lebih besar dari umur dari." in page.content.decode()
    assert b'data-testid="residents"' in page.content
    page = c.get(reverse("population:resident-list"), {"age_min": "-3"})
    assert "Umur tidak boleh negatif." in page.content.decode()


def test_the_export_and_the_api_take_the_same_filters(population: None, personas: Personas) -> None:
    from pendopo.core.services import token_create

    today = timezone.localdate()
    mine = list(Resident.objects.filter(village_id=VILLAGE))
    want = sorted(r.name for r in mine if age(r.birth_date, today) >= 60)
    c = Client()
    c.force_login(personas.village_operator)
    text = c.get(reverse("population:resident-export"), {"fmt": "csv", "age_min": "60"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert sorted(r[2] for r in rows) == want
    token = token_create(actor=personas.village_operator, user=personas.village_operator, name="uji")[1]
    got = Client().get("/api/v1/residents", {"age_min": 60, "page": 1}, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert got["count"] == len(want)


def test_a_long_list_is_counted_up_to_the_cap_and_says_so(population: None, personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    from pendopo.core import paging

    monkeypatch.setattr(paging, "CAP", 50)
    c = Client()
    c.force_login(personas.village_operator)
    page = c.get(reverse("population:resident-list"))
    assert b'data-testid="count-capped"' in page.content and "lebih dari 50 baris" in page.content.decode()
    assert "Halaman 1 dari 2" in page.content.decode()
    short = c.get(reverse("population:resident-list"), {"age_min": "90"})
    assert b'data-testid="count-capped"' not in short.content


def test_a_wide_name_search_walks_the_key_index_and_finds_the_same_people(population: None, personas: Personas,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from pendopo.population import search
    from pendopo.population.search import NameMatches, name_tokens

    head = Resident.objects.filter(village_id=VILLAGE, status="alive").order_by("pk").first()
    assert head is not None
    # two words whose keys share a prefix: the person must still appear once
    head.name = "Supriyadi Supriyanto"
    head.save()
    search.tokens_refresh([head.pk])
    monkeypatch.setattr(search, "WIDE", 10)
    regency = personas.dinsos
    for q in ("supri", "siti", "moh", "sri wah"):
        narrow = list(selectors.resident_list(actor=regency, f=selectors.ResidentFilter(q=q)))
        wide = selectors.resident_search(actor=regency, f=selectors.ResidentFilter(q=q))
        assert isinstance(wide, NameMatches)
        got = wide[0 : wide.count()]
        assert sorted(r.pk for r in got) == sorted(r.pk for r in narrow), q
        assert len({r.pk for r in got}) == len(got) == wide.capped_count(10_000)
    # people whose word is exactly the typed word come first
    exact = selectors.resident_search(actor=regency, f=selectors.ResidentFilter(q="supriyadi"))
    assert name_tokens("supriyadi")[0] in name_tokens(exact[0].name)
    # the page shows them through the capped pager, and the filters still apply
    c = Client()
    c.force_login(regency)
    page = c.get(reverse("population:resident-list"), {"q": "supri", "village": VILLAGE})
    assert "Supriyadi Supriyanto" in page.content.decode()
    other = c.get(reverse("population:resident-list"), {"q": "supri", "sex": "P" if head.sex == "L" else "L"})
    assert "Supriyadi Supriyanto" not in other.content.decode()
