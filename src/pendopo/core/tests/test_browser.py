from __future__ import annotations

import re

import pytest

from pendopo.core.browser import browser_context, screenshot, sign_in
from pendopo.core.testing import PASSWORD, VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, base, username, PASSWORD)


def test_a_village_operator_sees_only_their_village_and_switches_language(live_server, personas, population) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    with browser_context() as ctx:
        page = ctx.new_page()  # type: ignore[attr-defined]
        _login(page, base, "operator.kembiritan")
        assert "Operator Desa" in (page.get_attribute("[data-testid=who]", "title") or "")
        assert "Penduduk desa Anda" in page.content()
        screenshot(page, "operator-home-id.png")

        page.click("text=Daftar penduduk")
        page.wait_for_url(re.compile(r".*/penduduk/.*"))
        villages = page.eval_on_selector_all("[data-village]", "els => els.map(e => e.dataset.village)")
        assert villages and set(villages) == {VILLAGE}
        page.click("text=Berikutnya")
        villages = page.eval_on_selector_all("[data-village]", "els => els.map(e => e.dataset.village)")
        assert villages and set(villages) == {VILLAGE}

        page.click("a[hreflang=en]:visible")
        page.wait_for_url(re.compile(r".*/en/residents/.*"))
        assert page.get_attribute("html", "lang") == "en"
        assert page.inner_text("h1").startswith("Residents")
        assert "Sign out" in page.content()
        path = screenshot(page, "operator-residents-en.png")
        assert path.stat().st_size > 10_000


def test_the_home_page_fits_a_phone(live_server, personas) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    with browser_context(width=360, height=740) as ctx:
        page = ctx.new_page()  # type: ignore[attr-defined]
        _login(page, base, "kades.kembiritan")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"page is {width}px wide on a 360px screen"
        screenshot(page, "village-head-home-360.png")
