from __future__ import annotations

import datetime as dt
import re

import pytest

from pendopo.core.browser import browser_context, screenshot, sign_in
from pendopo.core.testing import PASSWORD
from pendopo.population.models import Resident
from pendopo.population.tests.test_life_events import a_family_head, new_nik

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_operator_registers_a_birth_and_a_death_and_sees_the_history(live_server, personas, population) -> None:  # type: ignore[no-untyped-def]
    head = a_family_head()
    base = live_server.url
    day = dt.date(2026, 11, 4)
    with browser_context(width=390, height=844) as ctx:
        page = ctx.new_page()  # type: ignore[attr-defined]
        sign_in(page, base, "operator.kembiritan", PASSWORD)
        page.goto(f"{base}/penduduk/{head.resident_id}/")
        page.click("[data-testid=open-birth]")
        page.fill("#id_birth-name", "Nayla Azzahra")
        page.select_option("#id_birth-sex", "P")
        page.fill("#id_birth-birth_date", day.isoformat())
        page.fill("#id_birth-nik", new_nik(day, "P", 9003))
        page.click("[data-testid=save-birth]")
        page.wait_for_url(re.compile(r".*/penduduk/\d+/"))
        assert "Kelahiran" in page.inner_text("[data-testid=events]")
        screenshot(page, "population-birth-390.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{base}/penduduk/{head.resident_id}/")
        page.click("[data-testid=open-death]")
        page.fill("#id_death-died_on", "2026-11-21")
        page.fill("#id_death-place", "Rumah duka")
        page.click("[data-testid=save-death]")
        page.wait_for_selector("[data-testid=events]")
        text = page.inner_text("[data-testid=events]")
        assert "Kematian" in text and "Rumah duka" in text
        screenshot(page, "population-death-390.png")
        page.goto(f"{base}/penduduk/statistik/")
        page.wait_for_selector("#pyramid")
        screenshot(page, "population-figures-390.png")
    assert Resident.objects.get(name="Nayla Azzahra").status == "alive"
    assert Resident.objects.get(pk=head.resident_id).status == "deceased"


def test_a_kecamatan_export_too_long_to_wait_for_shows_progress_then_the_download(live_server, personas, population,  # type: ignore[no-untyped-def]
                                                                                  monkeypatch, tmp_path, settings) -> None:
    from pendopo.population import exports
    from pendopo.population.models import ResidentExport

    monkeypatch.setattr(exports, "SYNC_ROWS", 20)
    settings.DATA_DIR = tmp_path
    base = live_server.url
    with browser_context(width=1280, height=800) as ctx:
        page = ctx.new_page()  # type: ignore[attr-defined]
        sign_in(page, base, "camat.genteng", PASSWORD)
        page.goto(f"{base}/penduduk/?status=alive")
        page.click("[data-testid=export-xlsx]")
        page.wait_for_selector("[data-testid=progress]")
        assert "Menunggu" in page.inner_text("[data-testid=progress]")
        screenshot(page, "population-export-queued.png")
        job = ResidentExport.objects.get()
        exports.resident_export_run(job_id=job.pk)  # what the task worker does
        page.wait_for_selector("[data-testid=export-download]", timeout=10_000)  # the page polls and reloads
        screenshot(page, "population-export-ready.png")
        with page.expect_download() as download:
            page.click("[data-testid=export-download]")
        assert download.value.suggested_filename == f"penduduk-{job.pk}.xlsx"
        assert download.value.path().stat().st_size > 1000
        page.goto(f"{base}/en/residents/export/{job.pk}/")  # the same page in English
        assert "rows ready to download" in page.inner_text("[data-testid=export-ready]")
        assert "Alive" in page.inner_text("[data-testid=filter]")
        screenshot(page, "population-export-ready-en.png")
