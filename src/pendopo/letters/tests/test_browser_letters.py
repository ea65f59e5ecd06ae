"""A resident asks for a domicile letter on a phone, the operator checks it, the head signs, the
resident downloads the PDF, and the QR page confirms it. The PDF is rendered to an image."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pendopo.core.browser import ARTIFACTS, browser_context, screenshot
from pendopo.core.testing import PASSWORD
from pendopo.letters import services
from pendopo.letters.models import LetterRequest
from pendopo.letters.tests.test_letters import a_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _staff_login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_resident_gets_a_verified_domicile_letter_on_a_phone(live_server, personas, population, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pypdfium2

    resident = a_resident()
    pin = services.resident_pin_issue(actor=personas.village_operator, resident=resident)
    base = live_server.url
    with browser_context(width=390, height=844) as ctx:
        phone = ctx.new_page()  # type: ignore[attr-defined]
        phone.goto(f"{base}/masuk-warga/")
        phone.fill("#id_nik", resident.nik)
        phone.fill("#id_pin", pin)
        phone.click("[data-testid=pin-submit]")
        phone.wait_for_url(re.compile(r".*/surat/$"))
        phone.click("[data-testid=new-request]")
        phone.select_option("#r-type", "DOM")
        phone.wait_for_selector("#r-purpose")
        phone.fill("#r-purpose", "melamar pekerjaan")
        phone.fill("#f-sejak", "2015")
        phone.click("[data-testid=submit-request]")
        phone.wait_for_url(re.compile(r".*/surat/\d+/"))
        assert phone.get_attribute("[data-testid=status] span", "data-status") == "submitted"
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "letters-resident-submitted-390.png")
        req = LetterRequest.objects.get()

    with browser_context() as ctx:
        desk = ctx.new_page()  # type: ignore[attr-defined]
        _staff_login(desk, base, "operator.kembiritan")
        desk.goto(f"{base}/surat/{req.pk}/")
        for box in desk.locator("input[name=attachments]").all():
            box.check()
        desk.click("[data-testid=approve]")
        desk.wait_for_selector("[data-status=signing]")
        desk.click("text=Keluar")
        _staff_login(desk, base, "kades.kembiritan")
        desk.goto(f"{base}/surat/{req.pk}/")
        desk.click("[data-testid=sign]")
        desk.wait_for_selector("[data-testid=number]")
        screenshot(desk, "letters-head-signed.png")

    req.refresh_from_db()
    with browser_context(width=390, height=844) as ctx:
        phone = ctx.new_page()  # type: ignore[attr-defined]
        phone.goto(f"{base}/masuk-warga/")
        phone.fill("#id_nik", resident.nik)
        phone.fill("#id_pin", pin)
        phone.click("[data-testid=pin-submit]")
        phone.wait_for_url(re.compile(r".*/surat/$"))
        phone.goto(f"{base}/surat/{req.pk}/")
        assert phone.get_attribute("[data-testid=status] span", "data-status") == "ready"
        response = phone.request.get(f"{base}/surat/{req.pk}/surat.pdf")
        pdf = response.body()
        assert pdf.startswith(b"%PDF") and pdf == bytes(req.pdf)
        # The QR code carries the verification address; open it as a scanner would.
        phone.goto(f"{base}/verifikasi/{req.code}/")
        assert phone.locator("[data-testid=valid]").count() == 1
        screenshot(phone, "letters-verified-390.png")
        phone.click("a[hreflang=en]:visible")
        phone.wait_for_url(re.compile(r".*/en/verify/.*"))
        assert "This letter is genuine and valid." in phone.inner_text("[data-testid=valid]")
        screenshot(phone, "letters-verified-en-390.png")
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=1.3).to_pil()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / "letters-domicile-pdf.png")
    assert image.size[0] > 700
