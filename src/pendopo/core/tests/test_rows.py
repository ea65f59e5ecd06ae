"""``core.rows``: instances from plain statements and the one-statement insert must equal what
the ORM loads and writes, on SQLite (dates come back as text) and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from pendopo.core import rows, services
from pendopo.core.audit import audit_read, audit_write
from pendopo.core.auth import user_for_token
from pendopo.core.models import AuditEvent, User
from pendopo.population.models import Resident


def _fields(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}  # type: ignore[attr-defined]


def test_the_token_s_account_is_loaded_as_the_orm_loads_it(personas, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    _, raw = services.token_create(actor=None, user=personas.village_operator)
    user = user_for_token(raw)
    assert user is not None
    expected = User.objects.select_related("unit").get(pk=personas.village_operator.pk)
    assert _fields(user) == _fields(expected)
    assert timezone.is_aware(user.date_joined)
    with django_assert_num_queries(0):  # the unit came with the account
        assert _fields(user.unit) == _fields(expected.unit)
    assert user_for_token(raw + "x") is None


def test_residents_from_a_plain_statement_equal_the_orm_s(population) -> None:  # type: ignore[no-untyped-def]
    expected = list(Resident.objects.order_by("pk")[:20])
    with connection.cursor() as cur:
        cur.execute(f"SELECT {rows.columns(Resident, 'r')} FROM {Resident._meta.db_table} r ORDER BY r.id LIMIT 20")  # noqa: S608
        got = [rows.instance(Resident, x) for x in cur.fetchall()]
    assert [_fields(r) for r in got] == [_fields(r) for r in expected]
    assert all(isinstance(r.birth_date, dt.date) for r in got)
    assert not got[0]._state.adding


def test_the_audit_insert_writes_what_the_orm_would(db: None) -> None:
    event = audit_write(actor=None, action="uji.tulis", object_type="resident", object_id="7", changes={"a": [1, "dua"]},
                        personal_data=True)
    read = audit_read(actor=None, action="uji.baca", object_type="resident", object_ids=[1, 2], detail={"alasan": "cek"})
    assert event.pk is not None and read.pk is not None and read.pk != event.pk
    stored = AuditEvent.objects.get(pk=event.pk)
    assert _fields(stored) == {**_fields(event), "at": stored.at}
    assert abs(stored.at - event.at) < dt.timedelta(seconds=1)
    assert stored.changes == {"a": [1, "dua"]} and stored.personal_data
    assert AuditEvent.objects.get(pk=read.pk).changes == {"ids": ["1", "2"], "alasan": "cek"}
