from __future__ import annotations

import pytest
from django.test import Client

from pendopo.core.models import AuditEvent, User
from pendopo.core.testing import PASSWORD

ADMIN_ONLY = ["/audit/", "/pengguna/", "/pengguna/baru/"]
PUBLIC = ["/", "/en/", "/wilayah/", "/wilayah/35.10.09/", "/unit-kerja/", "/masuk/", "/en/login/"]


def _client(user: User | None = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_open_for_a_visitor(db: None, url: str) -> None:
    assert _client().get(url).status_code == 200


@pytest.mark.parametrize("url", ADMIN_ONLY + ["/token/"])
def test_private_pages_send_a_visitor_to_login(db: None, url: str) -> None:
    r = _client().get(url)
    assert r.status_code == 302 and r["Location"].startswith("/masuk/")


@pytest.mark.parametrize("url", ADMIN_ONLY)
def test_admin_pages_open_for_an_administrator(personas, url: str) -> None:  # type: ignore[no-untyped-def]
    assert _client(personas.admin).get(url).status_code == 200


@pytest.mark.parametrize("url", ADMIN_ONLY)
@pytest.mark.parametrize("who", ["regent_office", "dinsos", "agency_head", "village_operator", "resident"])
def test_admin_pages_are_denied_to_everyone_else(personas, url: str, who: str) -> None:  # type: ignore[no-untyped-def]
    r = _client(getattr(personas, who)).get(url)
    assert r.status_code == 403
    assert "Akses ditolak" in r.content.decode()


@pytest.mark.parametrize("who", ["admin", "regent_office", "dinsos", "agency_head", "agency_staff",
                                 "kecamatan_officer", "village_head", "village_operator", "resident"])
def test_every_role_has_a_home_page_that_names_its_work(personas, who: str) -> None:  # type: ignore[no-untyped-def]
    user = getattr(personas, who)
    body = _client(user).get("/").content.decode()
    assert user.get_role_display() in body
    assert "Hari ini Anda dapat" in body
    body_en = _client(user).get("/en/").content.decode()
    assert "Today you can" in body_en


def test_the_language_switch_links_to_the_same_page_in_english(personas) -> None:  # type: ignore[no-untyped-def]
    c = _client(personas.admin)
    body = c.get("/pengguna/").content.decode()
    assert 'href="/en/users/"' in body
    en = c.get("/en/users/").content.decode()
    assert 'lang="en"' in en and "Users" in en and 'href="/pengguna/"' in en


def test_login_audits_and_lands_on_home(personas) -> None:  # type: ignore[no-untyped-def]
    r = Client().post("/masuk/", {"username": "operator.kembiritan", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/"
    assert AuditEvent.objects.filter(action="auth.login", actor=personas.village_operator).exists()


def test_login_is_throttled_after_five_failures(personas) -> None:  # type: ignore[no-untyped-def]
    c = Client()
    for _ in range(5):
        r = c.post("/masuk/", {"username": "operator.kembiritan", "password": "salah"})
    r = c.post("/masuk/", {"username": "operator.kembiritan", "password": PASSWORD})
    assert r.status_code == 429
    assert "Terlalu banyak percobaan" in r.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= 5


def test_a_wrong_password_gets_a_message_in_indonesian(personas) -> None:  # type: ignore[no-untyped-def]
    r = Client().post("/masuk/", {"username": "operator.kembiritan", "password": "salah"})
    assert r.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in r.content.decode()


def test_after_a_reset_the_user_must_change_the_password(personas) -> None:  # type: ignore[no-untyped-def]
    admin = _client(personas.admin)
    r = admin.post(f"/pengguna/{personas.village_operator.pk}/reset-sandi/")
    assert r.status_code == 302
    temp = [m for m in r.wsgi_request._messages][0].message.split(": ")[-1]  # type: ignore[attr-defined]
    c = Client()
    c.post("/masuk/", {"username": "operator.kembiritan", "password": temp})
    assert c.get("/penduduk/")["Location"] == "/kata-sandi/"
    r = c.post("/kata-sandi/", {"old_password": temp, "new_password": "sandi-baru-kembiritan-1", "new_password2": "sandi-baru-kembiritan-1"})
    assert r.status_code == 302
    assert c.get("/penduduk/").status_code == 200


def test_an_admin_creates_an_account_in_the_page(personas) -> None:  # type: ignore[no-untyped-def]
    c = _client(personas.admin)
    from pendopo.core.models import Unit

    unit = Unit.objects.get(code="35.10.09.2004")
    r = c.post("/pengguna/baru/", {"username": "kades.setail", "full_name": "Kades Setail", "role": "village_head",
                                    "unit": unit.pk, "position": "Kepala Desa", "email": ""})
    assert r.status_code == 302
    assert User.objects.get(username="kades.setail").must_change_password
    bad = c.post("/pengguna/baru/", {"username": "x", "full_name": "X", "role": "village_head", "unit": "", "email": ""})
    assert bad.status_code == 200
    assert "Peran desa harus terikat pada unit desa/kelurahan" in bad.content.decode()


def test_the_audit_page_filters(personas) -> None:  # type: ignore[no-untyped-def]
    body = _client(personas.admin).get("/audit/?action=user.create&actor=").content.decode()
    assert "user.create" in body
    assert "auth.login" not in body


def test_token_page_shows_a_new_token_once_and_revokes(personas) -> None:  # type: ignore[no-untyped-def]
    c = _client(personas.dinsos)
    import re

    body = c.post("/token/", {"name": "aplikasi desa"}).content.decode()
    raw = re.search(r"pdp_[A-Za-z0-9_-]{20,}", body)
    assert raw is not None
    assert raw.group(0) not in c.get("/token/").content.decode()
    from pendopo.core.models import ApiToken

    token = ApiToken.objects.get(user=personas.dinsos)
    other = _client(personas.village_operator).post(f"/token/{token.pk}/cabut/")
    assert other.status_code == 404
    assert c.post(f"/token/{token.pk}/cabut/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_pages_are_responsive_and_self_hosted(db: None) -> None:
    body = Client().get("/").content.decode()
    assert 'name="viewport"' in body
    assert "/static/vendor/bootstrap.min.css" in body
    assert "http://" not in body.replace("http://127.0.0.1", "") and "https://" not in body
