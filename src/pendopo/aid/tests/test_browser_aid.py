"""A village operator proposes one person and uploads a spreadsheet; a Dinas Sosial officer
clears the review queue. Real Chromium, real task worker, real workbook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from pendopo.aid.linkage import OnlineIndex
from pendopo.aid.models import Proposal, ScreeningUpload
from pendopo.aid.tests.helpers import person_row, registry_file, rolls_file
from pendopo.aid.tests.test_intake_review import xlsx
from pendopo.core.browser import browser_context, screenshot, sign_in
from pendopo.core.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, base, username, PASSWORD)


def test_an_operator_proposes_and_uploads_and_dinas_sosial_clears_the_queue(live_server, personas, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    OnlineIndex.reset()
    call_command("import_registry", str(registry_file(tmp_path)), quiet=True)
    call_command("import_roll", str(rolls_file(tmp_path)), quiet=True)
    base = live_server.url
    with browser_context(width=1280, height=900) as ctx:
        page = ctx.new_page()  # type: ignore[attr-defined]
        _login(page, base, "operator.kembiritan")
        page.click("text=Usulkan satu orang")
        page.wait_for_url(re.compile(r".*/bansos/usulan/baru/"))

        # The son of a BST holder: the form shows the family and the father's BST as the NIK is typed.
        son = person_row("A2")
        page.select_option("#id_scheme", "BLT-DD")
        page.type("#id_nik", son["nik"], delay=5)
        page.wait_for_selector("[data-testid=preview-result]")
        preview = page.inner_text("[data-testid=preview]")
        assert "Slamet Riyadi" in preview and "BST" in preview and "Ditolak" in preview
        screenshot(page, "aid-form-preview-id.png")

        # An eligible woman: typed in full, submitted, accepted.
        siti = person_row("B1")
        page.fill("#id_nik", siti["nik"])
        page.fill("#id_name", siti["name"])
        page.fill("#id_birth_date", siti["birth_date"])
        page.wait_for_selector("[data-testid=preview-result] >> text=Diterima")
        page.click("[data-testid=submit]")
        page.wait_for_url(re.compile(r".*/bansos/usulan/\d+/"))
        assert page.inner_text("[data-testid=decision]").strip() == "Diterima"
        assert Proposal.objects.count() == 1

        # A spreadsheet from the village meeting: progress, then the result and its workbook.
        sheet = tmp_path / "musdes-kembiritan.xlsx"
        sheet.write_bytes(xlsx([person_row("C2"), person_row("B2"), person_row("G1", nik="", kk=""), person_row("E2", name="JOKO SUSILO")]))
        page.goto(f"{base}/bansos/unggah/")
        page.select_option("#id_scheme", "BLT-DD")
        page.set_input_files("#id_file", str(sheet))
        page.click("[data-testid=upload]")
        page.wait_for_url(re.compile(r".*/bansos/unggah/\d+/"))
        assert ScreeningUpload.objects.get().status == "queued"
        page.wait_for_selector("[data-testid=progress]")
        screenshot(page, "aid-upload-progress-id.png")
        # The worker `pendopo serve` runs beside gunicorn, here for the queued work only; the
        # page keeps polling meanwhile.
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        page.wait_for_selector("[data-testid=summary]", timeout=20_000)  # the progress poll reloads the page when done
        assert page.inner_text("[data-testid=n-reject]") == "3"  # C2 (KK holds PRAKERJA), B2 (deceased), E2 (KK holds PKH)
        assert page.inner_text("[data-testid=n-review]") == "1"  # G1: two registry records fit
        screenshot(page, "aid-upload-result-id.png")
        with page.expect_download() as download:
            page.click("[data-testid=download]")
        assert download.value.suggested_filename.endswith(".xlsx")
        page.click("text=Keluar")

        # Dinas Sosial: the ambiguous row waits in the queue; the officer picks the right person.
        _login(page, base, "dinsos")
        page.click("text=Pemeriksaan bansos")
        page.wait_for_url(re.compile(r".*/bansos/pemeriksaan/"))
        screenshot(page, "aid-review-queue-id.png")
        page.click("[data-testid=open]")
        page.wait_for_selector("[data-testid=candidate]")
        assert page.locator("[data-testid=candidate]").count() == 2
        screenshot(page, "aid-review-detail-id.png")
        first = page.locator("[data-testid=candidate]").first
        first.locator("input[name=reason]").fill("dicek dengan KK di kantor desa")
        first.locator("[data-testid=confirm]").click()
        page.wait_for_selector("[data-testid=decision] >> text=Diterima")
        page.goto(f"{base}/bansos/pemeriksaan/")
        assert page.locator("[data-testid=queue-empty]").count() == 1

        # Figures with their chart, and the matrix with a dry run.
        page.goto(f"{base}/bansos/angka/?scheme=BLT-DD")
        page.wait_for_selector("#chart")
        assert "Genteng" in page.inner_text("[data-testid=figures]")
        screenshot(page, "aid-figures-id.png")
        page.goto(f"{base}/bansos/aturan/")
        page.select_option("#id_action", "remove")
        page.select_option("#id_proposed", "BLT-DD")
        page.select_option("#id_held", "PKH")
        page.click("[data-testid=dry-run]")
        page.wait_for_selector("[data-testid=effect]")
        assert "1 dari" in page.inner_text("[data-testid=effect]")  # E2's rejection would be lifted
        screenshot(page, "aid-rules-dry-run-id.png")
        page.goto(f"{base}/en/aid/review/")
        assert "Social-aid review queue" in page.inner_text("h1")
        screenshot(page, "aid-review-queue-en.png")
    assert Proposal.objects.filter(decision="review").count() == 0

