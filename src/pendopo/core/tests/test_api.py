from __future__ import annotations

import pytest
from django.test import Client

from pendopo.core import services


def _bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _, raw = services.token_create(actor=None, user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_and_docs_are_served(db: None) -> None:
    spec = Client().get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/me" in spec.json()["paths"]
    assert Client().get("/api/v1/docs").status_code == 200


def test_me_needs_a_valid_token(personas) -> None:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.get("/api/v1/me").status_code == 401
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer pdp_salah").status_code == 401
    r = c.get("/api/v1/me", **_bearer(personas.village_operator))
    assert r.status_code == 200
    assert r.json()["unit_code"] == "35.10.09.2001" and r.json()["role"] == "village_operator"


def test_regions_are_public_and_paginated(db: None) -> None:
    r = Client().get("/api/v1/regions?parent=35.10.09")
    assert r.status_code == 200
    assert r.json()["count"] == 12 or r.json()["count"] > 0
    assert Client().get("/api/v1/regions/35.10").json()["name"] == "Kabupaten Banyuwangi"
    assert Client().get("/api/v1/regions/99.99").status_code == 404


def test_units_list_agencies(db: None) -> None:
    units = Client().get("/api/v1/units?kind=puskesmas").json()
    assert len(units) == 45 and all(u["parent_code"] == "DINKES" for u in units)


def test_tokens_list_and_revoke_through_the_api(personas) -> None:  # type: ignore[no-untyped-def]
    headers = _bearer(personas.dinsos)
    tokens = Client().get("/api/v1/tokens", **headers).json()
    assert len(tokens) == 1
    own = Client().delete(f"/api/v1/tokens/{tokens[0]['id']}", **headers)
    assert own.status_code == 200 and own.json()["revoked_at"]
    assert Client().get("/api/v1/tokens", **headers).status_code == 401


def test_a_token_cannot_revoke_another_accounts_token(personas) -> None:  # type: ignore[no-untyped-def]
    victim, _ = services.token_create(actor=None, user=personas.dinsos)
    r = Client().delete(f"/api/v1/tokens/{victim.pk}", **_bearer(personas.village_operator))
    assert r.status_code == 404


@pytest.mark.parametrize("who", ["dinsos", "village_operator", "regent_office"])
def test_the_audit_api_is_for_administrators_only(personas, who: str) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/api/v1/audit", **_bearer(getattr(personas, who))).status_code == 403


def test_the_audit_api_lists_for_an_administrator(personas) -> None:  # type: ignore[no-untyped-def]
    r = Client().get("/api/v1/audit?action=user.create", **_bearer(personas.admin))
    assert r.status_code == 200 and r.json()["count"] == 10


def test_the_api_docs_page_loads_nothing_from_other_hosts(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "https://" not in html and "http://" not in html
