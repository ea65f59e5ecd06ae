"""The public status check by NIK: masked name, schemes only, rate limit, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from pendopo.aid.linkage import OnlineIndex
from pendopo.aid.models import StatusCheck
from pendopo.aid.status import LIMITS
from pendopo.aid.tests.helpers import person_row, registry_file, rolls_file
from pendopo.core.models import AuditEvent

URL = "/cek-bansos/"


@pytest.fixture
def loaded(tmp_path: Path, db: None) -> Path:
    OnlineIndex.reset()
    call_command("import_registry", str(registry_file(tmp_path)), quiet=True)
    call_command("import_roll", str(rolls_file(tmp_path)), quiet=True)
    return tmp_path


def _check(nik: str, ip: str = "10.0.0.1") -> tuple[int, str]:
    r = Client(REMOTE_ADDR=ip).post(URL, {"nik": nik})
    return r.status_code, r.content.decode()


def test_it_shows_the_schemes_of_a_holder_with_the_name_masked(loaded: Path) -> None:
    status, html = _check(person_row("A1")["nik"])
    assert status == 200
    assert "S***** R*****" in html and "Slamet Riyadi" not in html
    assert "BST" in html and "Terdaftar sebagai penerima" in html
    assert person_row("A1")["kk"] not in html  # nothing but the schemes and a masked name
    event = AuditEvent.objects.get(action="aid.status_check")
    assert event.actor is None and event.ip == "10.0.0.1"


def test_it_says_when_a_nik_is_unknown_or_malformed(loaded: Path) -> None:
    status, html = _check("3510090101900099")
    assert status == 200 and "tidak ditemukan" in html
    status, html = _check("35100901")
    assert status == 200 and "NIK harus 16 digit angka." in html
    assert StatusCheck.objects.count() == 1  # a malformed NIK is not a check


def test_it_limits_checks_per_client_and_not_for_others(loaded: Path) -> None:
    nik = person_row("B1")["nik"]
    limit = LIMITS[0][1]
    for _ in range(limit):
        assert _check(nik)[0] == 200
    status, html = _check(nik)
    assert status == 429 and "Terlalu banyak permintaan" in html
    assert _check(nik, ip="10.0.0.2")[0] == 200
    assert StatusCheck.objects.filter(client__isnull=False).count() == limit + 1


def test_the_page_is_in_english_too(loaded: Path) -> None:
    r = Client().get("/en/check-aid/")
    assert r.status_code == 200 and "Check social-aid status" in r.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_resident_checks_a_nik_in_the_browser(live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pendopo.core.browser import browser_context, screenshot

    OnlineIndex.reset()
    call_command("import_registry", str(registry_file(tmp_path)), quiet=True)
    call_command("import_roll", str(rolls_file(tmp_path)), quiet=True)
    with browser_context(width=360, height=740) as ctx:
        page = ctx.new_page()  # type: ignore[attr-defined]
        page.goto(f"{live_server.url}/")
        page.click("text=Cek status bantuan dengan NIK")
        page.fill("#id_nik", person_row("D1")["nik"])
        page.click("button[type=submit]")
        result = page.inner_text("[data-testid=result]")
        assert "PKH" in result and "N** H******" in result
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "status-check-id-360.png")
        page.click("a[hreflang=en]:visible")
        page.wait_for_url(f"{live_server.url}/en/check-aid/")
        page.fill("#id_nik", "123")
        page.click("button[type=submit]")
        assert "16" in page.inner_text("[data-testid=nik-error]")
        screenshot(page, "status-check-en-360.png")
