"""The village's pages (one person, a spreadsheet), Dinas Sosial's review queue with the
four-eyes override, appeals, and residents' reports."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from pendopo.aid import review
from pendopo.aid.intake import screening_upload_run
from pendopo.aid.models import Appeal, Override, Proposal, ProposalSource, ScreeningUpload
from pendopo.aid.screening import render
from pendopo.aid.services import screening_one
from pendopo.aid.tests.helpers import PERSON, V, nik, person_row
from pendopo.core import services as core_services
from pendopo.core.errors import ApplicationError, PermissionDenied
from pendopo.core.models import AuditEvent
from pendopo.core.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings) -> None:  # type: ignore[no-untyped-def]
    # The database worker closes its connection between tasks, which would end the test's
    # transaction; here the same task runs in process. The browser test runs the real worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def login(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def xlsx(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    names = header or ["NIK", "No KK", "Nama", "Jenis Kelamin (L/P)", "Tempat Lahir", "Tanggal Lahir", "Alamat", "Kode Desa"]
    ws.append(names)
    for r in rows:
        ws.append([r.get(c, "") for c in PERSON])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client: Client, content: bytes, name: str = "usulan.xlsx", scheme: str = "BLT-DD", village: str = V,
           run: bool = True, capture=None) -> object:  # type: ignore[no-untyped-def]
    f = io.BytesIO(content)
    f.name = name
    with capture(execute=run):  # the task is queued once the upload is committed
        return client.post(reverse("aid:upload-create"), {"scheme": scheme, "village_code": village, "file": f})


def second_officer() -> object:
    return core_services.user_create(actor=None, username="dinsos.dua", role="dinsos", unit=core_services.resolve_unit("DINSOS"),
                                     password=PASSWORD, full_name="Dinsos Dua", check_password_strength=False)


# --- spreadsheet upload -----------------------------------------------------------------------------

def test_an_uploaded_sheet_is_screened_in_the_background_with_a_result_workbook(
        loaded: Path, personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    c = login(personas.village_operator)
    rows = [person_row("B1"), person_row("A2"), person_row("B2"), person_row("B1", name="SITI AMINAH"),
            person_row("C2", nik=""), person_row("G1", nik="", kk="")]
    r = upload(c, xlsx(rows), capture=django_capture_on_commit_callbacks)
    u = ScreeningUpload.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("aid:upload-detail", args=[u.pk])
    u.refresh_from_db()
    assert u.status == "done" and u.rows == 6 and u.done_rows == 6
    by_line = {p.upload_line: p for p in Proposal.objects.filter(upload=u)}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7]
    assert by_line[2].decision == "accept" and by_line[2].source == ProposalSource.UPLOAD
    assert by_line[3].decision == "reject" and "COVERED" in by_line[3].reasons  # his father holds BST
    assert by_line[4].decision == "reject" and "DECEASED" in by_line[4].reasons
    assert "DUPLICATE_IN_BATCH" in by_line[5].reasons and "baris 2" in by_line[5].explanation
    assert by_line[7].decision == "review" and "AMBIGUOUS" in by_line[7].reasons and len(by_line[7].candidates) == 2
    # The workbook has every row, in order, with decision, codes and explanation.
    page = c.get(reverse("aid:upload-detail", args=[u.pk]))
    assert page.status_code == 200 and b'data-testid="n-reject"' in page.content
    got = c.get(reverse("aid:upload-result", args=[u.pk]))
    assert got["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(got.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][8] == "Keputusan / Decision" and len(sheet) == 7
    assert [row[8] for row in sheet[1:4]] == ["Diterima / accept", "Ditolak / reject", "Ditolak / reject"]
    assert sheet[2][9] == "COVERED" and "BST" in sheet[2][10]
    assert sheet[0][10:12] == ["Penjelasan", "Explanation (English)"]  # the sentence in both languages
    assert sheet[2][10].startswith("Ditolak untuk BLT-DD") and sheet[2][11].startswith("Rejected for BLT-DD")
    assert "already receives BST" in sheet[2][11]
    assert AuditEvent.objects.filter(action="aid.upload.screened", object_id=str(u.pk)).exists()
    assert AuditEvent.objects.filter(action="aid.upload.download", object_id=str(u.pk)).exists()
    # The same file again (a second click, a re-send) is refused, and nothing is proposed twice.
    again = upload(c, xlsx(rows), capture=django_capture_on_commit_callbacks)
    assert again.status_code == 400 and "berkas yang sama sudah diunggah" in again.content.decode()
    assert ScreeningUpload.objects.count() == 1 and Proposal.objects.count() == 6


def test_a_csv_with_english_headers_is_read_too(loaded: Path, personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    text = ",".join(PERSON) + "\n" + ",".join(person_row("E2").values()) + "\n"
    upload(login(personas.village_operator), text.encode(), name="usulan.csv", scheme="BST", capture=django_capture_on_commit_callbacks)
    p = Proposal.objects.get()
    assert p.decision == "reject" and "COVERED" in p.reasons  # E1 (same KK) holds PKH; BST excludes PKH families


@pytest.mark.parametrize(("name", "content", "message"), [
    ("usulan.xlsx", None, "usulan.xlsx, baris 1: kolom wajib NIK tidak ada"),
    ("usulan.xlsx", b"PK\x03\x04 broken zip", "usulan.xlsx: lembar kerja tidak dapat dibaca"),
    ("usulan.xlsx", b"not a workbook at all", "usulan.xlsx: bukan berkas Excel"),
    ("usulan.pdf", b"%PDF-1.4", "jenis berkas .pdf tidak diterima"),
    ("usulan.csv", b"nik,name,alamat\n3510,,\n,,Dusun Krajan\n,Budi,\n", None),
    ("usulan.csv", b"nik,name\n", "usulan.csv, baris 2: tidak ada baris data"),
    ("usulan.csv", "nik,name\n\xff\xfe".encode("latin-1"), "usulan.csv, baris 2: bukan teks UTF-8"),
])
def test_a_bad_file_is_refused_at_once_naming_the_place_and_nothing_is_queued(
        loaded: Path, personas: Personas, django_capture_on_commit_callbacks, name: str, content: bytes | None,  # type: ignore[no-untyped-def]
        message: str | None) -> None:
    if content is None:
        content = xlsx([person_row("B1")], header=["Nomor", "Nama"])
    r = upload(login(personas.village_operator), content, name=name, run=False, capture=django_capture_on_commit_callbacks)
    if message is None:  # a row with neither NIK nor name in the middle of real rows
        message = "usulan.csv, baris 3, kolom NIK: NIK dan Nama kosong"
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not ScreeningUpload.objects.exists() and not Proposal.objects.exists()


def test_an_oversize_file_is_refused(loaded: Path, personas: Personas, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.AID_UPLOAD_MAX_BYTES = 1000
    r = upload(login(personas.village_operator), xlsx([person_row("B1")] * 5), run=False, capture=django_capture_on_commit_callbacks)
    assert r.status_code == 400 and "lebih dari 0 MB" in r.content.decode()
    assert not ScreeningUpload.objects.exists()


def test_an_operator_cannot_upload_for_another_village_nor_see_its_uploads(
        loaded: Path, personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    r = upload(login(personas.other_operator), xlsx([person_row("B1")]), run=False, capture=django_capture_on_commit_callbacks)
    assert r.status_code == 400  # the village is not among the choices of this account
    assert not ScreeningUpload.objects.exists()
    upload(login(personas.village_operator), xlsx([person_row("B1")]), capture=django_capture_on_commit_callbacks)
    u = ScreeningUpload.objects.get()
    assert login(personas.other_operator).get(reverse("aid:upload-detail", args=[u.pk])).status_code == 403
    assert login(personas.other_operator).get(reverse("aid:upload-result", args=[u.pk])).status_code == 403
    assert login(personas.resident).get(reverse("aid:upload-create")).status_code == 403
    assert Client().get(reverse("aid:upload-create")).status_code == 302


def test_a_failed_run_records_nothing_and_says_why(loaded: Path, personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    upload(login(personas.village_operator), xlsx([person_row("B1")]), run=False, capture=django_capture_on_commit_callbacks)
    u = ScreeningUpload.objects.get()
    ScreeningUpload.objects.filter(pk=u.pk).update(content=b"damaged on disk")
    screening_upload_run(upload_id=u.pk)
    u.refresh_from_db()
    assert u.status == "failed" and "bukan berkas Excel" in u.error
    assert not Proposal.objects.exists()


# --- one person ------------------------------------------------------------------------------------

def test_the_form_answers_as_the_nik_is_typed_with_the_family_and_its_aid(loaded: Path, personas: Personas) -> None:
    c = login(personas.village_operator)
    url = reverse("aid:proposal-preview")
    row = person_row("A2")
    partial = c.get(url, {"scheme": "BLT-DD", "village_code": V, "nik": row["nik"][:10]})
    assert "10 dari 16 angka NIK" in partial.content.decode()
    full = c.get(url, {"scheme": "BLT-DD", "village_code": V, "nik": row["nik"]}).content.decode()
    assert "Bagus Setiawan" in full and "Slamet Riyadi" in full and ">BST<" in full  # the family, and the father's BST
    assert 'data-decision="reject"' in full
    assert not Proposal.objects.exists()  # a preview writes nothing but the audit entry
    assert AuditEvent.objects.filter(action="aid.screen", actor_username="operator.kembiritan").exists()


def test_the_form_records_one_proposal_even_when_submitted_twice(loaded: Path, personas: Personas) -> None:
    c = login(personas.village_operator)
    page = c.get(reverse("aid:proposal-create"))
    token = page.context["token"]
    data = {**person_row("B1"), "scheme": "BLT-DD", "token": token}
    first = c.post(reverse("aid:proposal-create"), data)
    p = Proposal.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("aid:proposal-detail", args=[p.pk])
    assert p.decision == "accept" and p.source == ProposalSource.FORM and p.created_by == personas.village_operator
    again = c.post(reverse("aid:proposal-create"), data)
    assert again.status_code == 302 and Proposal.objects.count() == 1
    detail = c.get(reverse("aid:proposal-detail", args=[p.pk])).content.decode()
    assert "Siti Aminah" in detail and 'data-decision="accept"' in detail


def test_the_form_names_a_missing_field(loaded: Path, personas: Personas) -> None:
    c = login(personas.village_operator)
    token = c.get(reverse("aid:proposal-create")).context["token"]
    r = c.post(reverse("aid:proposal-create"), {"scheme": "BLT-DD", "village_code": V, "nik": "", "name": "", "token": token})
    assert r.status_code == 400 and 'data-testid="error-nik"' in r.content.decode()
    assert not Proposal.objects.exists()


# --- review queue and the four-eyes override ----------------------------------------------------------

def _propose(personas: Personas, row: dict[str, str], scheme: str = "BLT-DD") -> Proposal:
    result = screening_one(actor=personas.village_operator, data={**row, "scheme": scheme}, record=True, source=ProposalSource.FORM)
    assert result.proposal is not None
    return result.proposal


def test_an_officer_confirms_who_an_ambiguous_row_is_and_screening_runs_again(loaded: Path, personas: Personas) -> None:
    p = _propose(personas, person_row("G1", nik="", kk=""))
    assert p.decision == "review"
    c = login(personas.dinsos)
    queue = c.get(reverse("aid:review-queue")).content.decode()
    assert reverse("aid:proposal-detail", args=[p.pk]) in queue
    g2 = next(cand["id"] for cand in p.candidates if cand["id"] == "G2")
    r = c.post(reverse("aid:proposal-detail", args=[p.pk]), {"action": "confirm", "person_id": g2, "reason": "dicek dengan KK di desa"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.decision == "accept" and p.auto_decision == "review" and p.resident.external_id == "G2" and p.reviewed_by == personas.dinsos
    assert p.events.get().action == "confirm_identity"
    assert AuditEvent.objects.filter(action="aid.proposal.confirm_identity", object_id=str(p.pk)).exists()


def test_correcting_a_nik_screens_the_row_again(loaded: Path, personas: Personas) -> None:
    p = _propose(personas, person_row("B1", nik="3510090000000000"))
    assert p.decision == "review" and "NIK_INVALID" in p.reasons
    review.proposal_correct_nik(actor=personas.dinsos, proposal=p, nik=person_row("B1")["nik"], reason="sesuai fotokopi KTP")
    p.refresh_from_db()
    assert p.decision == "accept" and p.typed["nik_typed"] == "3510090000000000" and p.unit_key
    with pytest.raises(ApplicationError):  # decided already: nothing left to review
        review.proposal_correct_nik(actor=personas.dinsos, proposal=p, nik=person_row("B1")["nik"], reason="sesuai fotokopi KTP")


def test_review_actions_need_an_officer_and_a_reason(loaded: Path, personas: Personas) -> None:
    p = _propose(personas, person_row("G1", nik="", kk=""))
    with pytest.raises(PermissionDenied):
        review.proposal_reject(actor=personas.village_operator, proposal=p, reason="bukan warga miskin")
    with pytest.raises(ValidationError):
        review.proposal_reject(actor=personas.dinsos, proposal=p, reason="tidak")
    assert login(personas.village_operator).get(reverse("aid:review-queue")).status_code == 403
    assert login(personas.resident).get(reverse("aid:proposal-list")).status_code == 403
    assert login(personas.other_operator).get(reverse("aid:proposal-detail", args=[p.pk])).status_code == 403
    review.proposal_reject(actor=personas.dinsos, proposal=p, reason="tidak ditemukan saat verifikasi lapangan")
    p.refresh_from_db()
    assert p.decision == "reject" and p.unit_key is None


def test_overriding_a_rejection_needs_a_second_officer(loaded: Path, personas: Personas) -> None:
    p = _propose(personas, person_row("A2"))
    assert p.decision == "reject"
    o = review.override_request(actor=personas.dinsos, proposal=p, reason="BST ayahnya sudah berhenti bulan lalu")
    with pytest.raises(ApplicationError):  # one pending request at a time
        review.override_request(actor=personas.dinsos, proposal=p, reason="permintaan kedua yang sama")
    with pytest.raises(PermissionDenied):
        review.override_decide(actor=personas.dinsos, override=o, approve=True, note="saya setujui sendiri")
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database refuses it too
        Override.objects.filter(pk=o.pk).update(decided_by=personas.dinsos)
    p.refresh_from_db()
    assert p.decision == "reject"
    other = second_officer()
    c = login(other)
    assert b'data-testid="approve"' in c.get(reverse("aid:review-queue")).content
    c.post(reverse("aid:override-decide", args=[o.pk]), {"approve": "1", "reason": "dicek ke pendamping BST"})
    p.refresh_from_db()
    o.refresh_from_db()
    assert o.status == "approved" and o.decided_by == other
    assert p.decision == "accept" and p.auto_decision == "reject" and p.unit_key
    assert [e.action for e in p.events.all()] == ["override_request", "override_approve"]
    assert AuditEvent.objects.filter(action="aid.override.decide", actor_username="dinsos.dua").exists()


# --- appeals -------------------------------------------------------------------------------------

def test_a_village_appeals_and_a_granted_appeal_still_needs_the_second_officer(loaded: Path, personas: Personas) -> None:
    p = _propose(personas, person_row("A2"))
    c = login(personas.village_operator)
    c.post(reverse("aid:proposal-detail", args=[p.pk]), {"action": "appeal", "appeal-reason": "ayahnya sudah tidak menerima BST"})
    a = Appeal.objects.get()
    assert a.status == "submitted" and a.filed_by == personas.village_operator and a.deadline > a.filed_at.date()
    with pytest.raises(ApplicationError):  # one open appeal per proposal
        review.appeal_file(actor=personas.village_operator, proposal=p, reason="banding yang kedua kali", name="Operator")
    review.appeal_decide(actor=personas.dinsos, appeal=a, grant=True, answer="data BST sudah kedaluwarsa")
    a.refresh_from_db()
    assert a.status == "granting" and a.override is not None
    review.override_decide(actor=second_officer(), override=a.override, approve=True, note="setuju, BST sudah berakhir")
    a.refresh_from_db()
    p.refresh_from_db()
    assert a.status == "granted" and p.decision == "accept"


def test_a_resident_appeals_with_nik_and_kk_and_sees_the_state(loaded: Path, personas: Personas) -> None:
    p = _propose(personas, person_row("A2"))
    row = person_row("A2")
    c = Client()
    wrong = c.post(reverse("aid:public-appeal"), {"nik": row["nik"], "kk": "3510091203150999", "scheme": "BLT-DD",
                                                  "name": "Bagus", "phone": "081234567890", "reason": "ayah saya sudah tidak dapat BST"})
    assert "tidak cocok" in wrong.content.decode() and not Appeal.objects.exists()
    ok = c.post(reverse("aid:public-appeal"), {"nik": row["nik"], "kk": row["kk"], "scheme": "BLT-DD", "name": "Bagus",
                                               "phone": "081234567890", "reason": "ayah saya sudah tidak dapat BST"})
    assert 'data-testid="appeal-result"' in ok.content.decode()
    a = Appeal.objects.get()
    assert a.proposal == p and a.filed_by is None and a.appellant_phone == "081234567890"
    status = c.post(reverse("aid:status-check"), {"nik": row["nik"]}).content.decode()
    assert "banding: Diajukan" in status


# --- residents' reports ----------------------------------------------------------------------------

def test_a_residents_report_is_screened_and_waits_for_a_field_check(loaded: Path, personas: Personas) -> None:
    row = person_row("B1")
    c = Client()
    data = {"scheme": "BLT-DD", "nik": row["nik"], "name": row["name"], "address": row["address"], "village_code": V,
            "reporter_name": "Pak RT", "reporter_phone": "0812 3456 7890", "why": "janda, tidak bekerja"}
    r = c.post(reverse("aid:public-report"), data)
    assert 'data-testid="report-result"' in r.content.decode()
    p = Proposal.objects.get()
    assert p.source == ProposalSource.PUBLIC and p.auto_decision == "accept" and p.decision == "review"
    assert p.reporter_name == "Pak RT" and p.typed["why"] == "janda, tidak bekerja"
    for _ in range(4):
        c.post(reverse("aid:public-report"), data)
    limited = c.post(reverse("aid:public-report"), data)
    assert limited.status_code == 429


def test_a_report_with_a_bad_phone_number_is_refused_with_the_field_named(loaded: Path) -> None:
    r = Client().post(reverse("aid:public-report"), {"scheme": "BLT-DD", "nik": "1", "name": "x", "address": "x", "village_code": V,
                                                     "reporter_name": "a", "reporter_phone": "abc"})
    assert 'data-testid="error-reporter_phone"' in r.content.decode() and not Proposal.objects.exists()


def test_the_api_shows_one_proposal_with_its_history_and_an_upload_with_its_progress(
        loaded: Path, personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    p = _propose(personas, person_row("A2"))
    review.appeal_file(actor=personas.village_operator, proposal=p, reason="ayahnya sudah tidak menerima BST", name="Operator")
    _, raw = core_services.token_create(actor=None, user=personas.dinsos)  # type: ignore[arg-type]
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    got = Client().get(f"/api/v1/aid/proposals/{p.pk}", **h).json()
    assert got["decision"] == "reject" and got["auto_decision"] == "reject" and got["appeals"][0]["status"] == "submitted"
    assert [e["action"] for e in got["events"]] == ["appeal"]
    _, other = core_services.token_create(actor=None, user=personas.other_operator)  # type: ignore[arg-type]
    assert Client().get(f"/api/v1/aid/proposals/{p.pk}", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 403
    assert Client().get(f"/api/v1/aid/proposals/{p.pk}").status_code == 401
    upload(login(personas.village_operator), xlsx([person_row("B1")]), capture=django_capture_on_commit_callbacks)
    u = ScreeningUpload.objects.get()
    got = Client().get(f"/api/v1/aid/uploads/{u.pk}", **h).json()
    assert got["status"] == "done" and got["rows"] == 1 and got["counts"] == {"accept": 1}


# --- the explanation in the reader's language ------------------------------------------------------

INDONESIAN = ("sudah", "untuk", "penduduk", "tidak", "diperiksa", "ditolak", "diterima", "keluarga", "baris", "mungkin")


def test_every_explanation_is_kept_so_an_english_reader_gets_it_in_english(loaded: Path, personas: Personas) -> None:
    rows = {
        "accept": person_row("B1"), "covered": person_row("A2"), "deceased": person_row("B2"), "moved": person_row("B3"),
        "ambiguous": person_row("G1", nik="", kk=""), "nik_invalid": person_row("C2", nik="3510090000000000"),
        "nik_mismatch": person_row("E2", nik=nik("1984-12-19", "L", 77)), "short_nik": person_row("F2", nik="35100962"),
        "not_found": person_row("B1", nik="", kk="", name="Sukarjo Wiryo", birth_date="1931-01-01"),
        "component": person_row("D2"), "already": person_row("B1"),
    }
    proposals = {k: _propose(personas, row) for k, row in rows.items()}
    codes = {c for p in proposals.values() for c in p.reasons}
    assert codes >= {"COVERED", "DECEASED", "MOVED", "AMBIGUOUS", "NIK_INVALID", "NIK_MISMATCH", "NOT_IN_REGISTRY",
                     "ALREADY_PROPOSED"}, codes
    for key, p in proposals.items():
        assert p.explanation_text is not None
        assert render(p.explanation_text) == p.explanation, key  # the stored sentence is the contract's Indonesian one
        with translation.override("en"):
            english = p.explanation_shown
        assert english.split(" ")[0] in ("Accepted", "Rejected", "Needs"), (key, english)
        leftover = [w for w in INDONESIAN if w in english.lower()]
        assert not leftover, (key, english)
    with translation.override("en"):
        assert "A1" in proposals["covered"].explanation_shown and "already receives BST" in proposals["covered"].explanation_shown
        assert "a NIK has 16 digits; 8 were typed" in proposals["short_nik"].explanation_shown

    c = login(personas.village_operator)
    page = c.get(reverse("aid:proposal-detail", args=[proposals["covered"].pk])).content.decode()
    assert "Ditolak untuk BLT-DD" in page
    with translation.override("en"):
        url = reverse("aid:proposal-detail", args=[proposals["covered"].pk])
    page = c.get(url).content.decode()
    assert "Rejected for BLT-DD" in page and "Ditolak untuk" not in page
    assert "same NIK" in page and "NIK sama" not in page  # the engine's field evidence too


def test_an_officers_decision_and_an_override_are_explained_in_both_languages(loaded: Path, personas: Personas) -> None:
    p = _propose(personas, person_row("A2"))
    o = review.override_request(actor=personas.dinsos, proposal=p, reason="BST ayahnya sudah berhenti bulan lalu")
    review.override_decide(actor=second_officer(), override=o, approve=True, note="dicek ke pendamping BST")
    p.refresh_from_db()
    assert p.explanation.startswith("Diterima atas pengecualian Dinas Sosial") and "Keputusan otomatis sebelumnya: Ditolak" in p.explanation
    with translation.override("en"):
        shown = p.explanation_shown
    assert shown.startswith("Accepted by a Social Affairs exception") and "Earlier automatic decision: Rejected for BLT-DD" in shown
    assert "BST ayahnya sudah berhenti bulan lalu" in shown  # what the officer typed is theirs: never translated
    q = _propose(personas, person_row("G1", nik="", kk=""))
    review.proposal_reject(actor=personas.dinsos, proposal=q, reason="tidak ditemukan saat verifikasi lapangan")
    q.refresh_from_db()
    with translation.override("en"):
        assert q.explanation_shown == "Rejected by a Social Affairs (Dinas Sosial) officer after review: tidak ditemukan saat verifikasi lapangan"
