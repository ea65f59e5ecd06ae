"""Figures, the BNBA export, the musdes minutes, and editing the overlap matrix with a dry run."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from pendopo.aid import matrix
from pendopo.aid.models import OverlapRule, Proposal, ProposalSource, RuleChange
from pendopo.aid.services import screening_one
from pendopo.aid.tests.helpers import V, person_row
from pendopo.core.errors import PermissionDenied
from pendopo.core.models import AuditEvent
from pendopo.core.testing import Personas

pytestmark = pytest.mark.django_db(transaction=False)


def login(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def propose(personas: Personas, *pids: str, scheme: str = "BLT-DD") -> list[Proposal]:
    out = []
    for pid in pids:
        r = screening_one(actor=personas.village_operator, data={**person_row(pid), "scheme": scheme}, record=True,
                          source=ProposalSource.FORM)
        assert r.proposal is not None
        out.append(r.proposal)
    return out


def test_figures_count_decisions_and_rejections_by_reason_per_kecamatan_and_village(loaded: Path, personas: Personas) -> None:
    propose(personas, "B1", "A2", "B2", "C2", "F2")
    page = login(personas.kecamatan_officer).get(reverse("aid:figures"), {"scheme": "BLT-DD"})
    assert page.status_code == 200
    fig = page.context["fig"]
    assert (fig.total.proposed, fig.total.accept, fig.total.reject) == (5, 2, 3)  # B1 and F2 (APBD does not exclude BLT-DD)
    assert fig.total.rejected_by["COVERED"] == 2 and fig.total.rejected_by["DECEASED"] == 1
    assert [r.name for r in fig.rows] == ["Genteng"]
    drill = login(personas.dinsos).get(reverse("aid:figures"), {"scheme": "BLT-DD", "kecamatan": "35.10.09"}).context["fig"]
    assert [r.code for r in drill.rows] == [V]
    assert b"Ditolak" in page.content and b"chart-data" in page.content
    assert login(personas.resident).get(reverse("aid:figures")).status_code == 403
    assert login(personas.agency_staff).get(reverse("aid:figures")).status_code == 403


def test_the_bnba_list_has_every_accepted_person_with_full_numbers_and_is_audited_as_an_export(loaded: Path, personas: Personas) -> None:
    propose(personas, "B1", "A2", "F2")
    r = login(personas.village_operator).get(reverse("aid:bnba"), {"scheme": "BLT-DD", "village": V})
    assert r.status_code == 200 and "BNBA-BLT-DD" in r["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:8] == ["NO", "PROVINSI", "KABUPATEN/KOTA", "KECAMATAN", "DESA/KELURAHAN", "NO KK", "NIK", "NAMA"]
    assert sorted(row[7] for row in rows[1:]) == ["LILIS SURYANI", "SITI AMINAH"]
    siti = next(row for row in rows[1:] if row[7] == "SITI AMINAH")
    assert siti[6] == person_row("B1")["nik"] and siti[5] == person_row("B1")["kk"] and siti[10] == "12-05-1980"
    event = AuditEvent.objects.get(action="aid.bnba.export")
    assert event.kind == "export" and len(event.changes["ids"]) == 2
    assert login(personas.kecamatan_officer).get(reverse("aid:bnba"), {"scheme": "BLT-DD", "village": V}).status_code == 403
    assert login(personas.other_operator).get(reverse("aid:bnba"), {"scheme": "BLT-DD", "village": V}).status_code == 403


def test_the_musdes_minutes_print_the_agreed_list_with_masked_niks(loaded: Path, personas: Personas) -> None:
    propose(personas, "B1", "A2")
    c = login(personas.village_head)
    r = c.post(reverse("aid:musdes-create"), {"scheme": "BLT-DD", "village_code": V, "number": "140/12/429.503/2026",
                                             "held_on": "2026-11-20", "place": "Balai Desa Kembiritan", "chair": "H. Slamet Riyadi",
                                             "bpd_chair": "Sugeng Widodo", "village_head": "H. Slamet Riyadi", "attendees": "42"})
    assert r.status_code == 302
    pdf = c.get(r["Location"])
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "BERITA ACARA MUSYAWARAH DESA" in text and "Jumat, 20 November 2026" in text and "42 orang" in text
    assert "Siti Aminah" in text and "Bagus Setiawan" not in text  # only the accepted
    assert person_row("B1")["nik"] not in text and person_row("B1")["nik"][:4] in text  # masked
    assert AuditEvent.objects.filter(action="aid.musdes.print", kind="export").exists()


def test_musdes_needs_a_valid_date_and_at_least_one_attendee(loaded: Path, personas: Personas) -> None:
    r = login(personas.village_head).post(reverse("aid:musdes-create"), {"scheme": "BLT-DD", "village_code": V, "held_on": "20/20/2026",
                                                                        "place": "Balai", "chair": "A", "bpd_chair": "B", "village_head": "C",
                                                                        "attendees": "0"})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'data-testid="error-held_on"' in html and 'data-testid="error-attendees"' in html


def test_a_matrix_change_is_tried_then_applied_and_re_decides_exactly_what_the_dry_run_showed(loaded: Path, personas: Personas) -> None:
    a2, b1, c2 = propose(personas, "A2", "B1", "C2")
    assert a2.decision == "reject" and c2.decision == "reject"
    spec = matrix.RuleSpec("remove", "BLT-DD", "BST", "family")
    effect = matrix.rule_dry_run(actor=personas.dinsos, spec=spec)
    assert effect.considered == 3 and [c.proposal for c in effect.changes] == [a2.pk]
    assert dict(effect.per_village[V]) == {"reject→accept": 1} and effect.holders == 1
    assert OverlapRule.objects.filter(proposed__code="BLT-DD", held__code="BST").exists()  # nothing changed yet
    with pytest.raises(ValidationError):
        matrix.rule_change(actor=personas.dinsos, spec=spec, reason="")
    change = matrix.rule_change(actor=personas.dinsos, spec=spec, reason="Surat Edaran Mensos: BST berakhir Desember")
    a2.refresh_from_db()
    assert a2.decision == "accept" and a2.unit_key and a2.events.get().action == "rule_change"
    assert not OverlapRule.objects.filter(proposed__code="BLT-DD", held__code="BST").exists()
    assert change.effect["changed"] == 1 and RuleChange.objects.count() == 1
    assert AuditEvent.objects.filter(action="aid.rule.change").exists()
    # And back: the same family is rejected again.
    matrix.rule_change(actor=personas.dinsos, spec=matrix.RuleSpec("add", "BLT-DD", "BST", "family"), reason="BST diperpanjang 2027")
    a2.refresh_from_db()
    assert a2.decision == "reject" and a2.unit_key is None


def test_only_dinas_sosial_changes_the_matrix(loaded: Path, personas: Personas) -> None:
    spec = matrix.RuleSpec("remove", "BLT-DD", "BST", "family")
    with pytest.raises(PermissionDenied):
        matrix.rule_dry_run(actor=personas.village_head, spec=spec)
    c = login(personas.village_operator)
    assert c.get(reverse("aid:rules")).status_code == 200  # operators may read the matrix
    r = c.post(reverse("aid:rules"), {"action": "remove", "proposed": "BLT-DD", "held": "BST", "unit": "family", "reason": "x" * 20})
    assert r.status_code == 403
    page = login(personas.dinsos).post(reverse("aid:rules"), {"action": "add", "proposed": "BLT-DD", "held": "BST", "unit": "family"})
    assert page.status_code == 400 and "sudah ada" in page.content.decode()


def _queued_row(scheme: str = "PKH") -> object:
    from pendopo.aid.models import RollCandidate, RollImport, RollRow, RollRowStatus, Scheme
    from pendopo.population.models import Resident

    imp = RollImport.objects.create(file_name="pkh-susulan.csv", rows=1, queued=1)
    row = RollRow.objects.create(roll_import=imp, line=2, scheme=Scheme.objects.get(code=scheme), data={"name": "WAGIMAN"},
                                 status=RollRowStatus.AMBIGUOUS, score=0.7)
    for pid in ("G1", "G2"):
        RollCandidate.objects.create(roll_row=row, resident=Resident.objects.get(external_id=pid), score=0.7)
    return row


def test_an_officer_settles_an_ambiguous_roll_row_and_ends_a_flagged_holding(loaded: Path, personas: Personas) -> None:
    from pendopo.aid.models import Holding
    from pendopo.population.models import Resident

    row = _queued_row()
    g1 = propose(personas, "G1")[0]
    assert g1.decision == "review" and "POSSIBLY_COVERED" in g1.reasons  # the roll row may be him
    c = login(personas.dinsos)
    page = c.get(reverse("aid:reconcile"))
    assert page.status_code == 200 and b'data-testid="roll-row"' in page.content
    g1_pk = Resident.objects.get(external_id="G1").pk
    c.post(reverse("aid:reconcile"), {"action": "confirm", "row": row.pk, "resident_id": g1_pk, "reason": "dicek ke pendamping PKH"})
    row.refresh_from_db()
    assert row.status == "confirmed" and Holding.objects.filter(resident_id=g1_pk, scheme__code="PKH", status="active").exists()
    again = screening_one(actor=personas.dinsos, data={**person_row("G1"), "scheme": "BLT-DD"})
    assert again.outcome.decision.value == "reject"  # now a certain holder: BLT-DD excludes PKH families
    # A holding flagged for exit still counts until it is ended.
    bst = Holding.objects.get(resident__external_id="A1", scheme__code="BST")
    bst.status = "exit"
    bst.save()
    assert screening_one(actor=personas.dinsos, data={**person_row("A2"), "scheme": "BLT-DD"}).outcome.decision.value == "reject"
    c.post(reverse("aid:reconcile"), {"action": "end", "holding": bst.pk, "reason": "pembayaran BST dihentikan"})
    bst.refresh_from_db()
    assert bst.status == "ended" and bst.end is not None
    assert screening_one(actor=personas.dinsos, data={**person_row("A2"), "scheme": "BLT-DD"}).outcome.decision.value == "accept"
    assert AuditEvent.objects.filter(action="aid.holding.end").exists() and AuditEvent.objects.filter(action="aid.roll_row.confirm").exists()


def test_a_dismissed_roll_row_no_longer_holds_its_candidates_back(loaded: Path, personas: Personas) -> None:
    from pendopo.aid import reconcile

    row = _queued_row()
    with pytest.raises(PermissionDenied):
        reconcile.roll_row_dismiss(actor=personas.village_operator, row=row, reason="bukan warga kabupaten ini")
    assert login(personas.village_operator).get(reverse("aid:reconcile")).status_code == 403
    reconcile.roll_row_dismiss(actor=personas.dinsos, row=row, reason="bukan warga kabupaten ini")
    r = screening_one(actor=personas.dinsos, data={**person_row("G1"), "scheme": "BLT-DD"})
    assert r.outcome.decision.value == "accept"
