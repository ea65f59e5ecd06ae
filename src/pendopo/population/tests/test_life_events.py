"""Life events: birth, death (by the village or a puskesmas), move out, move in, KK change and
correction, each with its history, audit and announcement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from pendopo.core import services as core_services
from pendopo.core.errors import PermissionDenied
from pendopo.core.models import AuditEvent
from pendopo.core.testing import OTHER_VILLAGE, VILLAGE, Personas
from pendopo.linkage.nik import birth_part
from pendopo.population import life
from pendopo.population.events import residents_left
from pendopo.population.models import (
    FamilyMembership,
    LifeEvent,
    RegistryState,
    Relationship,
    Resident,
)

pytestmark = pytest.mark.django_db


def a_family_head(village: str = VILLAGE) -> FamilyMembership:
    return FamilyMembership.objects.filter(valid_to__isnull=True, relationship=Relationship.HEAD, resident__status="alive",
                                           family__village_id=village).select_related("family", "resident").order_by("id").first()


def new_nik(day: dt.date, sex: str, serial: int = 9001) -> str:
    return "351009" + birth_part(day, sex) + f"{serial:04d}"


def version() -> int:
    return RegistryState.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def test_a_birth_adds_a_child_to_the_kk_from_the_day_of_birth(population: None, personas: Personas) -> None:
    head = a_family_head()
    day = dt.date(2026, 11, 1)
    before = version()
    child = life.birth_register(actor=personas.village_operator, family=head.family, name="Aisyah Putri", sex="P", birth_date=day,
                                birth_place="Banyuwangi", nik=new_nik(day, "P"))
    m = FamilyMembership.objects.get(resident=child)
    assert m.family == head.family and m.relationship == Relationship.CHILD and m.valid_from == day and m.valid_to is None
    assert child.village_id == VILLAGE and child.dusun == head.family.dusun
    assert LifeEvent.objects.get(resident=child).kind == "birth"
    assert AuditEvent.objects.filter(action="resident.birth", object_id=str(child.pk)).exists()
    assert version() == before + 1


def test_a_nik_that_disagrees_with_the_birth_date_needs_a_recorded_reason(population: None, personas: Personas) -> None:
    head = a_family_head()
    day = dt.date(2026, 11, 1)
    wrong = new_nik(dt.date(2026, 10, 31), "P")
    with pytest.raises(ValidationError) as err:
        life.birth_register(actor=personas.village_operator, family=head.family, name="Bayi", sex="P", birth_date=day, nik=wrong)
    assert "digit tanggal lahir pada NIK tidak cocok dengan tanggal lahir" in str(err.value)
    child = life.birth_register(actor=personas.village_operator, family=head.family, name="Bayi", sex="P", birth_date=day, nik=wrong,
                                nik_exception_reason="NIK tercetak demikian pada KK terbitan Dukcapil")
    assert child.nik_exception_reason.startswith("NIK tercetak")
    with pytest.raises(ValidationError, match="sudah dipakai"):
        life.birth_register(actor=personas.village_operator, family=head.family, name="Lain", sex="P", birth_date=day, nik=wrong,
                            nik_exception_reason="kembar")


def test_a_death_closes_the_membership_announces_it_and_is_kept_in_the_history(population: None, personas: Personas) -> None:
    head = a_family_head()
    heard: list[dict[int, str]] = []

    def listen(sender: object, residents: dict[int, str], **_: object) -> None:
        heard.append(residents)

    residents_left.connect(listen)
    try:
        ev = life.death_register(actor=personas.village_head, resident=head.resident, died_on=dt.date(2026, 11, 20), place="Rumah")
    finally:
        residents_left.disconnect(listen)
    r = Resident.objects.get(pk=head.resident_id)
    assert r.status == "deceased" and r.status_changed_on == dt.date(2026, 11, 20)
    head.refresh_from_db()
    assert head.valid_to == dt.date(2026, 11, 20)
    assert ev.details["head"] is True and heard == [{r.pk: "deceased"}]
    # Who was on the KK before the death is still known.
    on = dt.date(2026, 11, 1)
    assert FamilyMembership.objects.filter(family=head.family, valid_from__lte=on).exclude(valid_to__lt=on).filter(resident=r).exists()
    with pytest.raises(ValidationError):
        life.death_register(actor=personas.village_head, resident=r, died_on=dt.date(2026, 11, 21))


def test_a_puskesmas_reports_a_death_in_any_village_but_a_village_only_its_own(population: None, personas: Personas) -> None:
    core_services.agencies_load(actor=None)
    nurse = core_services.user_create(actor=None, username="bidan", role="agency_staff", unit=core_services.resolve_unit("PKM-KEMBIRITAN"),
                                      password="x" * 12, full_name="Bidan", check_password_strength=False)
    far = a_family_head(OTHER_VILLAGE)
    with pytest.raises(PermissionDenied):
        life.death_register(actor=personas.village_operator, resident=far.resident, died_on=dt.date(2026, 11, 2))
    c = Client()
    c.force_login(nurse)
    r = c.post(reverse("population:death-report"), {"nik": far.resident.nik, "died_on": "2026-11-02", "place": "Puskesmas Kembiritan"})
    assert r.status_code == 200 and 'data-testid="death-done"' in r.content.decode()
    ev = LifeEvent.objects.get(resident=far.resident)
    assert ev.reporting_unit is not None and ev.reporting_unit.code == "PKM-KEMBIRITAN"
    unknown = c.post(reverse("population:death-report"), {"nik": "3510090101010001", "died_on": "2026-11-02"})
    assert unknown.status_code == 400 and 'data-testid="error-nik"' in unknown.content.decode()
    c.force_login(personas.village_operator)
    assert c.get(reverse("population:death-report")).status_code == 403


def test_moves_kk_changes_and_corrections_keep_their_history(population: None, personas: Personas) -> None:
    from django.db.models import Count

    big = FamilyMembership.objects.filter(valid_to__isnull=True, family__village_id=VILLAGE).values("family_id") \
        .annotate(n=Count("id")).filter(n__gt=1).order_by("family_id").values_list("family_id", flat=True).first()
    head = FamilyMembership.objects.filter(family_id=big, relationship=Relationship.HEAD, valid_to__isnull=True).get()
    others = list(FamilyMembership.objects.filter(family=head.family, valid_to__isnull=True).exclude(pk=head.pk)
                  .select_related("resident"))
    child = others[0].resident
    on = dt.date(2026, 11, 10)
    fam = life.kk_change_register(actor=personas.village_operator, residents=[child], new_kk_number="3510091011260001", head=child,
                                  on=on, reason="menikah, membentuk keluarga baru")
    old = FamilyMembership.objects.get(resident=child, family=head.family)
    assert old.valid_to == on
    assert FamilyMembership.objects.get(resident=child, valid_to__isnull=True).family == fam
    fixed = life.correction_register(actor=personas.village_operator, resident=child, changes={"name": child.name + " Rahayu"},
                                     reason="sesuai akta kelahiran")
    ev = LifeEvent.objects.filter(resident=child, kind="correction").get()
    assert ev.details["before"]["name"] == child.name and fixed.name.endswith("Rahayu")
    with pytest.raises(ValidationError, match="Tidak ada yang berubah"):
        life.correction_register(actor=personas.village_operator, resident=fixed, changes={"name": fixed.name}, reason="tidak ada")
    life.move_out_register(actor=personas.village_operator, resident=fixed, moved_on=dt.date(2026, 11, 15), destination="Kota Malang")
    fixed.refresh_from_db()
    assert fixed.status == "moved"
    newcomer = life.move_in_register(actor=personas.village_operator, village=VILLAGE, kk_number="3510091511260002",
                                     relationship=Relationship.HEAD, moved_on=dt.date(2026, 11, 16), origin="Kabupaten Jember",
                                     nik="3509" + "12" + birth_part(dt.date(1990, 1, 5), "L") + "0007", name="Hendra", sex="L",
                                     birth_date=dt.date(1990, 1, 5), dusun="Krajan", rt="001", rw="002")
    assert FamilyMembership.objects.get(resident=newcomer).family.kk_number == "3510091511260002"
    assert LifeEvent.objects.filter(kind="move_in", resident=newcomer).exists()


def test_the_page_records_a_birth_and_a_death_and_shows_the_history(population: None, personas: Personas) -> None:
    head = a_family_head()
    c = Client()
    c.force_login(personas.village_operator)
    url = reverse("population:resident-detail", args=[head.resident_id])
    day = dt.date(2026, 11, 3)
    bad = c.post(url, {"action": "birth", "birth-name": "Bayi", "birth-sex": "L", "birth-birth_date": "2026-11-03", "birth-nik": "123"})
    assert bad.status_code == 400 and 'data-testid="error-birth-nik"' in bad.content.decode()
    r = c.post(url, {"action": "birth", "birth-name": "Muhammad Rizki", "birth-sex": "L", "birth-birth_date": day.isoformat(),
                     "birth-nik": new_nik(day, "L", 9002)})
    child = Resident.objects.get(name="Muhammad Rizki")
    assert r.status_code == 302 and r["Location"] == reverse("population:resident-detail", args=[child.pk])
    r = c.post(url, {"action": "death", "death-died_on": "2026-11-22", "death-place": "RSUD Genteng"})
    assert r.status_code == 302
    page = c.get(url).content.decode()
    assert "Kematian" in page and "RSUD Genteng" in page
    c.force_login(personas.other_operator)
    assert c.post(url, {"action": "death", "death-died_on": "2026-11-22"}).status_code == 403


def test_the_family_api_answers_who_was_on_a_kk_on_a_date(population: None, personas: Personas) -> None:
    from django.db.models import Count

    big = FamilyMembership.objects.filter(valid_to__isnull=True, family__village_id=VILLAGE).values("family_id") \
        .annotate(n=Count("id")).filter(n__gt=1).order_by("family_id").values_list("family_id", flat=True).first()
    head = FamilyMembership.objects.select_related("family").get(family_id=big, relationship=Relationship.HEAD, valid_to__isnull=True)
    child = FamilyMembership.objects.filter(family_id=big, valid_to__isnull=True).exclude(pk=head.pk).first().resident
    life.kk_change_register(actor=personas.village_operator, residents=[child], new_kk_number="3510091011260009", head=child,
                            on=dt.date(2026, 11, 10), reason="menikah")
    _, raw = core_services.token_create(actor=None, user=personas.village_operator)  # type: ignore[arg-type]
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    kk = head.family.kk_number
    before = Client().get(f"/api/v1/families/{kk}", {"on": "2026-11-09"}, **h).json()
    after = Client().get(f"/api/v1/families/{kk}", {"on": "2026-11-10"}, **h).json()
    assert child.pk in {m["resident_id"] for m in before["members"]}
    assert child.pk not in {m["resident_id"] for m in after["members"]}
    assert before["members"][0]["nik"].isdigit()  # village operators see full numbers
    _, other = core_services.token_create(actor=None, user=personas.other_operator)  # type: ignore[arg-type]
    assert Client().get(f"/api/v1/families/{kk}", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 403
    assert AuditEvent.objects.filter(action="family.view").exists()


def test_an_export_is_scoped_masked_by_role_and_safe_against_formulas(population: None, personas: Personas) -> None:
    import io

    from python_calamine import CalamineWorkbook

    r = Resident.objects.filter(village_id=VILLAGE).first()
    Resident.objects.filter(pk=r.pk).update(occupation="=HYPERLINK(\"http://x\")")
    c = Client()
    c.force_login(personas.village_operator)
    got = c.get(reverse("population:resident-export"), {"fmt": "xlsx", "status": "alive"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(got.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "NIK" and {row[13] for row in rows[1:]} == {VILLAGE}
    assert any(str(row[8]).startswith("'=HYPERLINK") for row in rows[1:])
    assert all(len(str(row[0])) == 16 and str(row[0]).isdigit() for row in rows[1:])
    c.force_login(personas.kecamatan_officer)
    text = c.get(reverse("population:resident-export"), {"fmt": "csv", "village": VILLAGE}).content.decode("utf-8-sig")
    first = text.splitlines()[1].split(",")
    assert "*" in first[0]  # a kecamatan officer gets masked NIKs
    event = AuditEvent.objects.filter(action="resident.export").order_by("-id").first()
    assert event.kind == "export" and event.changes["masked"] is True
    c.force_login(personas.agency_staff)
    assert c.get(reverse("population:resident-export")).status_code == 403


def test_the_figures_page_counts_the_living_by_age_and_sex(population: None, personas: Personas) -> None:
    c = Client()
    c.force_login(personas.village_head)
    page = c.get(reverse("population:resident-figures"))
    fig = page.context["fig"]
    alive = Resident.objects.filter(village_id=VILLAGE, status="alive").count()
    assert fig.total == alive == fig.male + fig.female == sum(m + f for _b, m, f in fig.pyramid)
    assert b"pyramid" in page.content
    assert c.get(reverse("population:resident-figures"), {"village": OTHER_VILLAGE}).status_code == 403


def test_name_search_meets_old_spellings_abbreviations_and_partial_words(population: None, personas: Personas) -> None:
    from pendopo.population import selectors
    from pendopo.population.search import name_tokens

    head = a_family_head()
    day = dt.date(2026, 11, 2)
    life.birth_register(actor=personas.village_operator, family=head.family, name="Moch. Djoko Santoso", sex="L", birth_date=day,
                        nik=new_nik(day, "L", 9005))
    assert name_tokens("H. Moch. Djoko Santoso, S.Pd.") == name_tokens("muhammad joko santoso")

    def found(q: str) -> list[str]:
        return [r.name for r in selectors.resident_list(actor=personas.village_operator, f=selectors.ResidentFilter(q=q))]

    assert "Moch. Djoko Santoso" in found("joko santoso")
    assert "Moch. Djoko Santoso" in found("muhammad djoko")
    assert "Moch. Djoko Santoso" in found("sant")
    assert "Moch. Djoko Santoso" not in found("joko susilo")
    fixed = Resident.objects.get(name="Moch. Djoko Santoso")
    life.correction_register(actor=personas.village_operator, resident=fixed, changes={"name": "Moch. Djoko Prasetyo"},
                             reason="sesuai akta kelahiran")
    assert "Moch. Djoko Prasetyo" in found("prasetyo") and "Moch. Djoko Prasetyo" not in found("santoso")
    nik_part = fixed.nik[-6:]
    assert fixed.name != "" and any(r == "Moch. Djoko Prasetyo" for r in found(nik_part))
