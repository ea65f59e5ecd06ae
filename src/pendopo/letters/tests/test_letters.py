"""Letters from request to verification: self-service with NIK + PIN, the counter, checking,
signing with gap-free numbers, the PDF and its QR code, verification, revocation, scope."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from pendopo.core.errors import ApplicationError, PermissionDenied
from pendopo.core.models import AuditEvent
from pendopo.core.testing import OTHER_VILLAGE, VILLAGE, Personas
from pendopo.letters import services
from pendopo.letters.models import LetterRequest, LetterType, RequestSource, VillageTemplate
from pendopo.population.models import LifeEvent, Resident


def a_resident(village: str = VILLAGE) -> Resident:
    r = Resident.objects.filter(village_id=village, status="alive").exclude(occupation="").order_by("id").first()
    assert r is not None
    return r


def counter_request(personas: Personas, code: str = "DOM", resident: Resident | None = None, **data: str) -> LetterRequest:
    lt = LetterType.objects.get(code=code)
    fields = {f["name"]: data.get(f["name"], "2019") for f in lt.fields}
    return services.letter_request_submit(actor=personas.village_operator, resident=resident or a_resident(), letter_type=lt,
                                          purpose="melamar pekerjaan", data=fields, source=RequestSource.COUNTER)


def approve_and_sign(personas: Personas, req: LetterRequest) -> LetterRequest:
    services.letter_request_check(actor=personas.village_operator, request=req, approve=True, attachments_seen=req.letter_type.attachments)
    return services.letter_sign(actor=personas.village_head, request=req)


@pytest.mark.django_db
def test_a_resident_signs_in_with_nik_and_pin_and_follows_the_request_to_a_verified_letter(population: None, personas: Personas) -> None:
    r = a_resident()
    pin = services.resident_pin_issue(actor=personas.village_operator, resident=r)
    assert len(pin) == 6 and pin.isdigit()
    c = Client()
    bad = c.post(reverse("letters:pin-login"), {"nik": r.nik, "pin": "000000" if pin != "000000" else "111111"})
    assert bad.status_code == 400
    assert c.post(reverse("letters:pin-login"), {"nik": r.nik, "pin": pin}).status_code == 302
    created = c.post(reverse("letters:request-create"), {"letter_type": "DOM", "purpose": "melamar pekerjaan", "f_sejak": "2010"})
    req = LetterRequest.objects.get()
    assert created.status_code == 302 and req.source == "self" and req.resident == r and req.data == {"sejak": "2010"}
    again = c.post(reverse("letters:request-create"), {"letter_type": "DOM", "purpose": "melamar pekerjaan", "f_sejak": "2010"})
    assert again.status_code == 400 and LetterRequest.objects.count() == 1  # no double submission
    with pytest.raises(ValidationError, match="Lampiran belum diperiksa"):
        services.letter_request_check(actor=personas.village_operator, request=req, approve=True, attachments_seen=[])
    signed = approve_and_sign(personas, req)
    assert signed.status == "ready" and signed.serial == 1 and signed.number.startswith("470/0001/DOM/35.10.09.2001/")
    text = PdfReader(io.BytesIO(bytes(signed.pdf))).pages[0].extract_text()
    assert "SURAT KETERANGAN DOMISILI" in text and r.name in text and signed.code in text and signed.number in text
    assert "sejak 2010" in text
    page = c.get(reverse("letters:request-detail", args=[req.pk])).content.decode()
    assert 'data-status="ready"' in page
    assert c.get(reverse("letters:request-pdf", args=[req.pk])).content == bytes(signed.pdf)
    # Anyone can verify it, and only the genuine file matches.
    v = Client().get(reverse("letters:verify", args=[signed.code]))
    assert v.status_code == 200 and 'data-testid="valid"' in v.content.decode() and r.name not in v.content.decode()
    original = bytes(signed.pdf)
    forged = original[:500] + bytes([original[500] ^ 1]) + original[501:]  # one bit changed anywhere
    assert services.verify(code=signed.code, content=bytes(signed.pdf))["file_matches"] is True
    assert services.verify(code=signed.code, content=forged)["file_matches"] is False
    assert Client().get(reverse("letters:verify", args=["ZZZZZZZZ"])).status_code == 404
    services.letter_revoke(actor=personas.village_head, request=signed, reason="data domisili keliru")
    assert 'data-testid="revoked"' in Client().get(reverse("letters:verify", args=[signed.code])).content.decode()
    assert AuditEvent.objects.filter(action="letters.sign").exists()


@pytest.mark.django_db
def test_numbers_run_per_village_type_and_year_and_the_database_refuses_a_repeat(population: None, personas: Personas) -> None:
    people = list(Resident.objects.filter(village_id=VILLAGE, status="alive").exclude(occupation="").order_by("id")[:3])
    signed = [approve_and_sign(personas, counter_request(personas, resident=p)) for p in people]
    assert [s.serial for s in signed] == [1, 2, 3]
    sku = approve_and_sign(personas, counter_request(personas, "SKU", resident=people[0], usaha="warung", lokasi_usaha="Krajan"))
    assert sku.serial == 1  # its own sequence
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterRequest.objects.filter(pk=signed[2].pk).update(serial=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_heads_signing_at_the_same_moment_never_share_a_number(population: None, personas: Personas) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("threads need separate connections to one database: run on PostgreSQL (CI does)")
    from pendopo.core import services as core_services

    second = core_services.user_create(actor=None, username="kades2", role="village_head", unit=core_services.resolve_unit(VILLAGE),
                                       password="x" * 12, full_name="Wakil", check_password_strength=False)
    people = list(Resident.objects.filter(village_id=VILLAGE, status="alive").exclude(occupation="").order_by("id")[:8])
    reqs = []
    for p in people:
        req = counter_request(personas, resident=p)
        services.letter_request_check(actor=personas.village_operator, request=req, approve=True, attachments_seen=req.letter_type.attachments)
        reqs.append(req)
    barrier = threading.Barrier(len(reqs))
    errors: list[BaseException] = []

    def sign(i: int) -> None:
        try:
            barrier.wait()
            services.letter_sign(actor=personas.village_head if i % 2 else second, request=reqs[i])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(i,)) for i in range(len(reqs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(LetterRequest.objects.values_list("serial", flat=True)) == list(range(1, len(reqs) + 1))


@pytest.mark.django_db
def test_a_template_with_missing_data_gives_a_clear_message_not_a_broken_letter(population: None, personas: Personas) -> None:
    r = a_resident()
    Resident.objects.filter(pk=r.pk).update(occupation="")
    lt = LetterType.objects.get(code="DOM")
    VillageTemplate.objects.create(village_id=VILLAGE, letter_type=lt, body="Bekerja sebagai {pekerjaan} sejak {sejak}.")
    req = counter_request(personas, resident=Resident.objects.get(pk=r.pk))
    with pytest.raises(ValidationError, match=r"Data kosong untuk: \{pekerjaan\}"):
        services.letter_request_check(actor=personas.village_operator, request=req, approve=True, attachments_seen=lt.attachments)
    with pytest.raises(ValidationError, match="tidak dikenal"):
        services.template_save(actor=personas.village_head, village=VILLAGE, letter_type=lt, body="Halo {gaji}")
    c = Client()
    c.force_login(personas.village_head)
    page = c.post(reverse("letters:template-edit"), {"type": "DOM", "body": "Tinggal di {alamat} sejak {sejak}.", "save": "0"})
    assert "[Berdomisili sejak]" in page.content.decode()


@pytest.mark.django_db
def test_a_village_cannot_see_or_sign_anothers_requests(population: None, personas: Personas) -> None:
    req = counter_request(personas)
    c = Client()
    c.force_login(personas.other_operator)
    assert c.get(reverse("letters:request-detail", args=[req.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.letter_request_check(actor=personas.other_operator, request=req, approve=False, reason="bukan desa kami")
    with pytest.raises(PermissionDenied):
        services.letter_sign(actor=personas.village_operator, request=req)  # an operator does not sign
    with pytest.raises(ApplicationError):
        services.letter_sign(actor=personas.village_head, request=req)  # not checked yet
    with pytest.raises(PermissionDenied):
        services.letter_request_submit(actor=personas.village_operator, resident=a_resident(OTHER_VILLAGE),
                                       letter_type=LetterType.objects.get(code="DOM"), purpose="x", data={"sejak": "2010"},
                                       source=RequestSource.COUNTER)


@pytest.mark.django_db
def test_a_death_letter_records_the_death_and_a_poverty_statement_shows_the_family_aid(population: None, personas: Personas) -> None:
    r = a_resident()
    approve_and_sign(personas, counter_request(personas, "MATI", resident=r, tanggal_meninggal="2026-11-20", tempat_meninggal="Rumah"))
    r.refresh_from_db()
    assert r.status == "deceased" and LifeEvent.objects.filter(resident=r, kind="death").exists()
    other = Resident.objects.filter(village_id=VILLAGE, status="alive").exclude(pk=r.pk).exclude(occupation="").first()
    req = counter_request(personas, "SKTM", resident=other, penghasilan="Rp800.000", tanggungan="3")
    c = Client()
    c.force_login(personas.village_operator)
    assert 'data-testid="aid"' in c.get(reverse("letters:request-detail", args=[req.pk])).content.decode()


@pytest.mark.django_db
def test_the_service_page_shows_each_village_side_by_side(population: None, personas: Personas) -> None:
    approve_and_sign(personas, counter_request(personas))
    counter_request(personas, resident=Resident.objects.filter(village_id=VILLAGE, status="alive").exclude(occupation="").order_by("-id").first())
    c = Client()
    c.force_login(personas.regent_office)
    page = c.get(reverse("letters:service"))
    fig = page.context["fig"]
    assert page.status_code == 200 and fig.villages[0].code == VILLAGE and fig.villages[0].median_hours is not None
    c.force_login(personas.resident)
    assert c.get(reverse("letters:service")).status_code == 403


@pytest.mark.django_db
def test_the_api_files_requests_at_the_counter_and_verifies_in_public(population: None, personas: Personas) -> None:
    from pendopo.core import services as core_services

    _, raw = core_services.token_create(actor=None, user=personas.village_operator)  # type: ignore[arg-type]
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    r = a_resident()
    made = Client().post("/api/v1/letters/requests", {"type": "dom", "nik": r.nik, "purpose": "bank", "data": {"sejak": "2012"}},
                         content_type="application/json", **h)
    assert made.status_code == 200 and made.json()["status"] == "submitted"
    listed = Client().get("/api/v1/letters/requests", **h).json()
    assert listed["count"] == 1
    req = LetterRequest.objects.get()
    signed = approve_and_sign(personas, req)
    v = Client().get(f"/api/v1/letters/verify/{signed.code}").json()
    assert v["found"] and v["valid"] and v["number"] == signed.number and "*" in v["name"]
    assert Client().get("/api/v1/letters/verify/NOPE1234").json() == {"found": False, "valid": False, "type": "", "number": "",
                                                                     "date": None, "name": "", "village": "", "signer": "", "fingerprint": ""}
    _, other = core_services.token_create(actor=None, user=personas.other_operator)  # type: ignore[arg-type]
    assert Client().post("/api/v1/letters/requests", {"type": "DOM", "nik": r.nik, "purpose": "x", "data": {"sejak": "1"}},
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 403


@pytest.mark.django_db
def test_the_resident_is_told_by_email_when_the_letter_is_ready_or_declined(population: None, personas: Personas, settings,
                                                                             django_capture_on_commit_callbacks, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    settings.LETTERS_NOTIFIER = "email"
    r = a_resident()
    services.resident_pin_issue(actor=personas.village_operator, resident=r)
    r.refresh_from_db()
    r.user.email = "warga@example.org"
    r.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        signed = approve_and_sign(personas, counter_request(personas, resident=r))
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["warga@example.org"]
    assert signed.number in mailoutbox[0].body and "sudah siap" in mailoutbox[0].subject
    other = counter_request(personas, "SKU", resident=r, usaha="warung", lokasi_usaha="Krajan")
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_request_check(actor=personas.village_operator, request=other, approve=False, reason="foto usaha belum ada")
    assert len(mailoutbox) == 2 and "foto usaha belum ada" in mailoutbox[1].body
    signed.refresh_from_db()
    assert signed.notified_at is not None
