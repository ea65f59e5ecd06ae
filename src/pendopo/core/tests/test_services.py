from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pendopo.core import services
from pendopo.core.auth import user_for_token
from pendopo.core.errors import PermissionDenied
from pendopo.core.models import ApiToken, AuditEvent, User
from pendopo.core.testing import VILLAGE


def test_it_creates_an_account_and_audits_it(personas) -> None:  # type: ignore[no-untyped-def]
    user = services.user_create(actor=personas.admin, username="op.baru", role="village_operator",
                                unit=services.resolve_unit(VILLAGE), password="kata-sandi-panjang-1")
    assert user.check_password("kata-sandi-panjang-1")
    event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert event.actor == personas.admin
    assert event.changes == {"role": [None, "village_operator"], "unit": [None, VILLAGE]}


@pytest.mark.parametrize(
    ("role", "unit"),
    [("village_operator", None), ("village_operator", "DINKES"), ("agency_staff", VILLAGE),
     ("kecamatan_officer", VILLAGE), ("resident", "DINSOS")],
)
def test_it_refuses_a_role_on_the_wrong_kind_of_unit(db: None, role: str, unit: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        services.user_create(actor=None, username="x", role=role, unit=services.resolve_unit(unit), password="p" * 12)
    assert "unit" in info.value.message_dict
    assert not User.objects.filter(username="x").exists()


def test_it_refuses_an_unknown_unit_and_role_and_a_taken_name(personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="tidak ditemukan"):
        services.resolve_unit("NO-SUCH")
    with pytest.raises(ValidationError, match="tidak dikenal"):
        services.user_create(actor=None, username="x", role="bupati", password="p" * 12)
    with pytest.raises(ValidationError, match="sudah dipakai"):
        services.user_create(actor=None, username="ADMIN", role="admin", password="p" * 12)


def test_only_an_administrator_creates_accounts(personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.user_create(actor=personas.dinsos, username="x", role="admin", password="p" * 12)


def test_a_password_reset_forces_a_change_and_is_audited(personas) -> None:  # type: ignore[no-untyped-def]
    temp = services.user_password_reset(actor=personas.admin, user=personas.village_operator)
    op = User.objects.get(pk=personas.village_operator.pk)
    assert op.check_password(temp) and op.must_change_password
    assert AuditEvent.objects.filter(action="user.password_reset", object_id=str(op.pk), actor=personas.admin).exists()
    services.user_password_change(actor=op, old_password=temp, new_password="sandi-baru-yang-kuat-2026")
    op.refresh_from_db()
    assert not op.must_change_password
    with pytest.raises(ValidationError):
        services.user_password_change(actor=op, old_password="salah", new_password="sandi-baru-yang-kuat-2027")


def test_a_token_authenticates_until_revoked(personas) -> None:  # type: ignore[no-untyped-def]
    token, raw = services.token_create(actor=personas.admin, user=personas.dinsos, name="sistem desa")
    assert raw.startswith("pdp_") and token.key_hash != raw and raw not in token.prefix + token.key_hash
    assert user_for_token(raw) == personas.dinsos
    assert user_for_token(raw + "x") is None
    services.token_revoke(actor=personas.admin, token=token)
    assert user_for_token(raw) is None
    actions = list(AuditEvent.objects.filter(object_type="core.apitoken").values_list("action", flat=True))
    assert sorted(actions) == ["token.create", "token.revoke"]


def test_nobody_but_an_admin_issues_tokens_for_others(personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.token_create(actor=personas.village_operator, user=personas.dinsos)
    token, _ = services.token_create(actor=personas.village_operator, user=personas.village_operator)
    with pytest.raises(PermissionDenied):
        services.token_revoke(actor=personas.other_operator, token=token)
    assert ApiToken.objects.live().count() == 1


def test_a_deactivated_account_loses_its_tokens(personas) -> None:  # type: ignore[no-untyped-def]
    _, raw = services.token_create(actor=None, user=personas.dinsos)
    services.user_update(actor=personas.admin, user=personas.dinsos, is_active=False)
    assert user_for_token(raw) is None
    assert AuditEvent.objects.get(action="user.update").changes == {"is_active": [True, False]}


def test_passwords_are_hashed_with_argon2_in_the_product() -> None:
    from pendopo import settings as product_settings

    assert product_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
