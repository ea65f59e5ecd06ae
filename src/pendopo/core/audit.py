"""Writing the audit trail. Every service calls ``audit_write``; every read of personal data
(NIK, KK, address, aid status) calls ``audit_read``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from pendopo.core import rows
from pendopo.core.context import current_request
from pendopo.core.models import AuditEvent, AuditKind, User


def _actor_fields(actor: User | None) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_username": "", "actor_role": "", "actor_unit": ""}
    unit_code = ""
    if actor.unit_id:
        unit_code = actor.unit.code if actor.unit else ""
    return {"actor": actor, "actor_username": actor.username, "actor_role": actor.role, "actor_unit": unit_code}


def _object_fields(obj: models.Model | None, object_type: str, object_id: str, object_repr: str) -> dict[str, str]:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return {"object_type": object_type, "object_id": object_id, "object_repr": object_repr[:200]}


def _request_fields() -> dict[str, Any]:
    info = current_request.get()
    if info is None:
        return {"ip": None, "path": ""}
    return {"ip": info.ip, "path": info.path[:250]}


def audit_write(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    personal_data: bool = False,
    kind: str = AuditKind.WRITE,
) -> AuditEvent:
    """Record one change made by ``actor`` (None for the system itself). One prepared INSERT
    (``rows.insert``): the screening API writes an event on every request, and the ORM's insert
    compiler cost about as long as the database's commit."""
    return rows.insert(AuditEvent(
        kind=kind,
        action=action,
        changes=dict(changes or {}),
        personal_data=personal_data,
        **_actor_fields(actor),
        **_object_fields(obj, object_type, object_id, object_repr),
        **_request_fields(),
    ))


def audit_read(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_ids: Iterable[object] = (),
    object_repr: str = "",
    detail: Mapping[str, Any] | None = None,
    kind: str = AuditKind.READ,
) -> AuditEvent:
    """Record that ``actor`` was shown (or, with ``kind`` EXPORT, took away) personal data of
    the listed objects.

    A list page is one event naming every row shown, so the trail says exactly who saw whom.
    """
    ids = [str(i) for i in object_ids]
    changes: dict[str, Any] = {"ids": ids} if ids else {}
    if detail:
        changes.update(detail)
    return rows.insert(AuditEvent(
        kind=kind,
        action=action,
        object_type=object_type,
        object_id=ids[0] if len(ids) == 1 else "",
        object_repr=object_repr[:200],
        changes=changes,
        personal_data=True,
        **_actor_fields(actor),
        **_request_fields(),
    ))


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields that changed, as ``{field: [old, new]}`` with JSON-safe values."""
    out: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            out[key] = [_jsonable(old), _jsonable(new)]
    return out


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)
