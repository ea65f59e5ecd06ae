from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from pendopo.core.audit import audit_write, diff
from pendopo.core.masking import mask_name, mask_number, show_identity
from pendopo.core.models import AuditEvent


def test_the_trail_refuses_updates_in_the_database(db: None) -> None:
    event = audit_write(actor=None, action="uji", object_repr="x")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="diubah")
    assert AuditEvent.objects.get(pk=event.pk).action == "uji"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="deletes are refused by a PostgreSQL trigger")
def test_the_trail_refuses_deletes_on_postgresql(db: None) -> None:
    event = audit_write(actor=None, action="uji")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_model_refuses_delete(db: None) -> None:
    event = audit_write(actor=None, action="uji")
    with pytest.raises(ValueError):
        event.delete()


def test_diff_keeps_only_changed_fields() -> None:
    assert diff({"a": 1, "b": "x"}, {"a": 2, "b": "x"}) == {"a": [1, 2]}


def test_masking() -> None:
    assert mask_number("3510094512800001") == "3510********0001"
    assert mask_number("") == ""
    assert mask_number("1234") == "****"
    assert mask_name("Siti Aminah") == "S*** A*****"


def test_show_identity_depends_on_role(personas) -> None:  # type: ignore[no-untyped-def]
    nik = "3510094512800001"
    assert show_identity(personas.village_operator, nik) == nik
    assert show_identity(personas.dinsos, nik) == nik
    for user in (personas.kecamatan_officer, personas.regent_office, personas.agency_head, personas.admin):
        assert show_identity(user, nik) == "3510********0001"
