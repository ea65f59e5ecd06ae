from __future__ import annotations

from pendopo.core.scopes import scope_for
from pendopo.core.testing import FAR_VILLAGE, OTHER_VILLAGE, VILLAGE


def test_scope_follows_role_and_unit(personas) -> None:  # type: ignore[no-untyped-def]
    p = personas
    assert scope_for(p.admin).everything
    for user in (p.regent_office, p.dinsos):
        s = scope_for(user)
        assert s.covers_region(VILLAGE) and s.covers_region(FAR_VILLAGE)
        assert not s.covers_region("35.11.01.2001")
    camat = scope_for(p.kecamatan_officer)
    assert camat.covers_region(VILLAGE) and camat.covers_region(OTHER_VILLAGE)
    assert not camat.covers_region(FAR_VILLAGE)
    op = scope_for(p.village_operator)
    assert op.covers_region(VILLAGE)
    assert not op.covers_region(OTHER_VILLAGE)
    assert scope_for(p.village_head).covers_region(VILLAGE)
    staff = scope_for(p.agency_staff)
    assert not staff.covers_region(VILLAGE)
    assert staff.covers_unit(p.agency_staff.unit_id)
    assert not staff.covers_unit(p.dinsos.unit_id)
    assert scope_for(p.resident).self_only


def test_an_inactive_or_anonymous_account_has_no_scope(personas) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    assert scope_for(AnonymousUser()).is_empty
    personas.village_operator.is_active = False
    assert scope_for(personas.village_operator).is_empty


def test_a_village_prefix_does_not_leak_to_a_longer_code(personas) -> None:  # type: ignore[no-untyped-def]
    # 35.10.09.2001 must not cover 35.10.09.20010 (no such code, but prefixes must be exact).
    assert not scope_for(personas.village_operator).covers_region(VILLAGE + "0")
