"""Reads of the core app that depend on who is asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from pendopo.core.errors import PermissionDenied
from pendopo.core.models import ApiToken, AuditEvent, Region, RegionLevel, Unit, User
from pendopo.core.roles import Role


def _is_admin(actor: object) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and (getattr(actor, "role", None) == Role.ADMIN or getattr(actor, "is_superuser", False)))


def require_admin(actor: object) -> None:
    if not _is_admin(actor):
        raise PermissionDenied("Hanya administrator yang boleh membuka ini.")


@dataclass(frozen=True)
class AuditFilter:
    q: str = ""
    kind: str = ""
    action: str = ""
    actor: str = ""
    personal_data: bool | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_list(*, actor: object, f: AuditFilter) -> QuerySet[AuditEvent]:
    """The audit trail, newest first; administrators only."""
    require_admin(actor)
    qs = AuditEvent.objects.all()
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.actor:
        qs = qs.filter(actor_username__iexact=f.actor)
    if f.personal_data is not None:
        qs = qs.filter(personal_data=f.personal_data)
    if f.date_from:
        qs = qs.filter(at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(at__date__lte=f.date_to)
    if f.q:
        qs = qs.filter(Q(object_repr__icontains=f.q) | Q(object_id=f.q) | Q(action__icontains=f.q))
    return qs


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by().values_list("action", flat=True).distinct()[:200])


def user_list(*, actor: object, q: str = "", role: str = "", unit_code: str = "") -> QuerySet[User]:
    require_admin(actor)
    qs = User.objects.select_related("unit").order_by("role", "username")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if unit_code:
        qs = qs.filter(unit__code=unit_code)
    return qs


def token_list_for(*, actor: User) -> QuerySet[ApiToken]:
    """An administrator sees every token; anyone else only their own."""
    qs = ApiToken.objects.select_related("user")
    return qs if _is_admin(actor) else qs.filter(user=actor)


def district_list(*, regency_code: str) -> QuerySet[Region]:
    return (
        Region.objects.filter(parent_id=regency_code, level=RegionLevel.DISTRICT)
        .annotate(
            villages=Count("children"),
            kelurahan=Count("children", filter=Q(children__kind="kelurahan")),
        )
        .order_by("code")
    )


def agency_list() -> QuerySet[Unit]:
    return Unit.objects.agencies().active().select_related("region", "parent").prefetch_related("clusters")
