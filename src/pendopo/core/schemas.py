from __future__ import annotations

import datetime as dt

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    unit_code: str | None
    unit_name: str | None


class RegionOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    region_code: str | None
    parent_code: str | None
    clusters: list[str]


class TokenOut(Schema):
    id: int
    prefix: str
    name: str
    username: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_username: str
    actor_role: str
    kind: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    personal_data: bool
    changes: dict[str, object]
