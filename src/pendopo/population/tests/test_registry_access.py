from __future__ import annotations

import re

import pytest
from django.test import Client

from pendopo.core import services
from pendopo.core.models import AuditEvent
from pendopo.core.testing import FAR_VILLAGE, OTHER_VILLAGE, VILLAGE
from pendopo.population.models import FamilyMembership, Resident


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _villages_listed(body: str) -> set[str]:
    return set(re.findall(r'data-village="([\d.]+)"', body))


def test_demo_population_is_consistent(population: None) -> None:
    assert Resident.objects.count() >= 600
    assert FamilyMembership.objects.filter(valid_to__isnull=True).count() == Resident.objects.count()
    assert AuditEvent.objects.filter(action="population.demo_generate").count() == 1


def test_a_village_operator_sees_only_their_village(personas, population) -> None:  # type: ignore[no-untyped-def]
    c = _client(personas.village_operator)
    for page in (1, 2, 3):
        body = c.get(f"/penduduk/?page={page}").content.decode()
        assert _villages_listed(body) <= {VILLAGE}
    # Asking for another village by URL does not cross the scope.
    body = c.get(f"/penduduk/?village={OTHER_VILLAGE}").content.decode()
    assert _villages_listed(body) <= {VILLAGE}
    from pendopo.population.selectors import ResidentFilter, resident_list

    assert not resident_list(actor=personas.village_operator, f=ResidentFilter(village=OTHER_VILLAGE)).exists()
    outsider = Resident.objects.filter(village_id=OTHER_VILLAGE).first()
    assert c.get(f"/penduduk/{outsider.pk}/").status_code == 403
    insider = Resident.objects.filter(village_id=VILLAGE).first()
    assert c.get(f"/penduduk/{insider.pk}/").status_code == 200


def test_a_kecamatan_officer_sees_the_kecamatan_but_masked(personas, population) -> None:  # type: ignore[no-untyped-def]
    c = _client(personas.kecamatan_officer)
    body = c.get("/penduduk/?status=").content.decode()
    assert _villages_listed(body) <= {VILLAGE, OTHER_VILLAGE}
    far = Resident.objects.filter(village_id=FAR_VILLAGE).first()
    assert c.get(f"/penduduk/{far.pk}/").status_code == 403
    shown = Resident.objects.filter(village_id=VILLAGE).first()
    detail = c.get(f"/penduduk/{shown.pk}/").content.decode()
    assert shown.nik not in detail and f"{shown.nik[:4]}********{shown.nik[-4:]}" in detail


def test_an_operator_sees_full_nik(personas, population) -> None:  # type: ignore[no-untyped-def]
    shown = Resident.objects.filter(village_id=VILLAGE).first()
    assert shown.nik in _client(personas.village_operator).get(f"/penduduk/{shown.pk}/").content.decode()


@pytest.mark.parametrize("who", ["agency_head", "agency_staff"])
def test_agencies_cannot_open_the_registry(personas, population, who) -> None:  # type: ignore[no-untyped-def]
    assert _client(getattr(personas, who)).get("/penduduk/").status_code == 403


def test_a_resident_sees_only_themselves(personas, population) -> None:  # type: ignore[no-untyped-def]
    me = Resident.objects.filter(village_id=VILLAGE).first()
    me.user = personas.resident
    me.save()
    c = _client(personas.resident)
    assert c.get(f"/penduduk/{me.pk}/").status_code == 200
    neighbour = Resident.objects.filter(village_id=VILLAGE).exclude(pk=me.pk).first()
    assert c.get(f"/penduduk/{neighbour.pk}/").status_code == 403


def test_every_view_of_personal_data_is_audited(personas, population) -> None:  # type: ignore[no-untyped-def]
    c = _client(personas.village_operator)
    c.get("/penduduk/")
    listed = AuditEvent.objects.get(action="resident.list", actor=personas.village_operator)
    assert listed.personal_data and len(listed.changes["ids"]) == 25
    r = Resident.objects.filter(village_id=VILLAGE).first()
    c.get(f"/penduduk/{r.pk}/")
    assert AuditEvent.objects.filter(action="resident.view", object_id=str(r.pk), actor=personas.village_operator).exists()


def test_search_by_nik_and_kk(personas, population) -> None:  # type: ignore[no-untyped-def]
    r = Resident.objects.filter(village_id=VILLAGE).first()
    c = _client(personas.village_operator)
    assert r.name in c.get(f"/penduduk/?q={r.nik}").content.decode()
    kk = r.memberships.get(valid_to__isnull=True).family.kk_number
    assert r.name in c.get(f"/penduduk/?q={kk}").content.decode()


def _bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _, raw = services.token_create(actor=None, user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_residents_api_is_scoped_masked_and_audited(personas, population) -> None:  # type: ignore[no-untyped-def]
    op = Client().get("/api/v1/residents?page=1", **_bearer(personas.village_operator)).json()
    assert op["count"] == Resident.objects.filter(village_id=VILLAGE).count()
    assert {r["village_code"] for r in op["items"]} == {VILLAGE}
    assert all("*" not in r["nik"] for r in op["items"])
    camat = Client().get("/api/v1/residents", **_bearer(personas.kecamatan_officer)).json()
    assert {r["village_code"] for r in camat["items"]} <= {VILLAGE, OTHER_VILLAGE}
    assert all("********" in r["nik"] for r in camat["items"])
    assert AuditEvent.objects.filter(action="resident.api_list").count() == 2
    far = Resident.objects.filter(village_id=FAR_VILLAGE).first()
    assert Client().get(f"/api/v1/residents/{far.pk}", **_bearer(personas.village_operator)).status_code == 403
    assert Client().get("/api/v1/residents", **_bearer(personas.agency_staff)).status_code == 403
    assert Client().get("/api/v1/residents").status_code == 401
