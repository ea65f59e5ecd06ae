"""A list longer than the page can wait for is written by the task worker: progress, then a
download only its owner may take, XLSX split into sheets, every person named in the audit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from pendopo.core.models import AuditEvent
from pendopo.core.testing import VILLAGE, Personas
from pendopo.population import exports, selectors
from pendopo.population.models import Resident, ResidentExport


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(exports, "SYNC_ROWS", 20)
    monkeypatch.setattr(exports, "SHEET_ROWS", 100)
    monkeypatch.setattr(exports, "AUDIT_IDS", 70)
    monkeypatch.setattr(exports, "STEP", 32)
    with override_settings(DATA_DIR=tmp_path):
        yield tmp_path


def test_a_long_xlsx_export_is_written_in_the_background_in_sheets(population: None, personas: Personas, small_limits: Path) -> None:
    officer = personas.kecamatan_officer
    c = Client()
    c.force_login(officer)
    expected = selectors.resident_list(actor=officer, f=selectors.ResidentFilter(status="alive")).count()
    assert expected > 200  # three sheets of 100 at least
    got = c.get(reverse("population:resident-export"), {"fmt": "xlsx", "status": "alive"})
    job = ResidentExport.objects.get()
    assert got.status_code == 302 and got["Location"] == reverse("population:resident-export-detail", args=[job.pk])
    page = c.get(got["Location"]).content.decode()
    assert 'data-testid="progress"' in page and "Menunggu" in page
    assert c.get(reverse("population:resident-export-file", args=[job.pk])).status_code == 302  # not ready: back to the page

    exports.resident_export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == expected and job.masked
    assert 'data-testid="export-ready"' in c.get(got["Location"]).content.decode()
    download = c.get(reverse("population:resident-export-file", args=[job.pk]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(download.streaming_content)))
    sheets = [book.get_sheet_by_name(n).to_python() for n in book.sheet_names]
    assert book.sheet_names[:2] == ["Penduduk", "Penduduk 2"]
    assert all(s[0][0] == "NIK" for s in sheets)
    rows = [r for s in sheets for r in s[1:]]
    assert len(rows) == expected and all(len(s) - 1 <= 100 for s in sheets)
    assert all("*" in str(r[0]) for r in rows)  # a kecamatan officer's export is masked, as on the page
    # every person is named in the audit trail, 70 to an event, and the download too
    parts = AuditEvent.objects.filter(action="resident.export", kind="export", changes__export=job.pk)
    named = [i for e in parts for i in e.changes["ids"]]
    assert len(named) == expected == len(set(named)) and parts.count() == -(-expected // 70)
    assert AuditEvent.objects.filter(action="resident.export.download", actor=officer).exists()


def test_only_the_owner_downloads_and_files_expire(population: None, personas: Personas, small_limits: Path) -> None:
    c = Client()
    c.force_login(personas.village_operator)
    got = c.get(reverse("population:resident-export"), {"fmt": "csv", "village": VILLAGE})
    job = exports.resident_export_run(job_id=ResidentExport.objects.get().pk)
    assert job.finished_at is not None
    text = b"".join(c.get(reverse("population:resident-export-file", args=[job.pk])).streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("NIK,No KK,Nama") and len(lines) - 1 == Resident.objects.filter(village_id=VILLAGE).count()
    assert lines[1].split(",")[0].isdigit()  # the operator's own village: full NIK
    other = Client()
    other.force_login(personas.other_operator)
    assert other.get(got["Location"]).status_code == 404
    assert other.get(reverse("population:resident-export-file", args=[job.pk])).status_code == 404
    # a day later the file is gone and the page says so
    ResidentExport.objects.filter(pk=job.pk).update(finished_at=job.finished_at - exports.dt.timedelta(hours=exports.KEEP_HOURS + 1))
    assert exports.expire_old() == 1
    assert not list((small_limits / "exports").glob("*.csv"))
    assert 'data-testid="export-expired"' in c.get(got["Location"]).content.decode()
    assert c.get(reverse("population:resident-export-file", args=[job.pk])).status_code == 302


def test_a_short_list_is_still_exported_at_once(population: None, personas: Personas, small_limits: Path) -> None:
    c = Client()
    c.force_login(personas.village_operator)
    got = c.get(reverse("population:resident-export"), {"fmt": "csv", "village": VILLAGE, "age_min": "85"})
    assert got.status_code == 200 and got["Content-Type"].startswith("text/csv")
    assert not ResidentExport.objects.exists()


def test_an_export_whose_worker_stopped_is_marked_failed_after_a_day(population: None, personas: Personas, small_limits: Path) -> None:
    c = Client()
    c.force_login(personas.village_operator)
    got = c.get(reverse("population:resident-export"), {"fmt": "csv", "village": VILLAGE})
    job = ResidentExport.objects.get()
    ResidentExport.objects.filter(pk=job.pk).update(status="writing", rows_total=10, rows_done=5)
    assert 'data-testid="progress"' in c.get(got["Location"]).content.decode()
    ResidentExport.objects.filter(pk=job.pk).update(created_at=job.created_at - exports.dt.timedelta(hours=exports.KEEP_HOURS + 1))
    page = c.get(got["Location"]).content.decode()
    assert 'data-testid="export-error"' in page and "Tidak selesai dalam 24 jam" in page


def test_an_export_with_a_wrong_filter_is_refused_with_the_field_named(population: None, personas: Personas, small_limits: Path) -> None:
    c = Client()
    c.force_login(personas.village_operator)
    got = c.get(reverse("population:resident-export"), {"fmt": "csv", "age_min": "70", "age_max": "20"}, follow=True)
    page = got.content.decode()
    assert "Berkas tidak dibuat, saringan salah" in page and "Umur sampai" in page
    assert got.redirect_chain[-1][0].startswith(reverse("population:resident-list"))
    assert not ResidentExport.objects.exists()
    assert not AuditEvent.objects.filter(action="resident.export").exists()
