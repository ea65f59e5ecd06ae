"""Reads of village services that depend on who asks, and the service-level figures."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from pendopo.core.audit import audit_read
from pendopo.core.errors import PermissionDenied
from pendopo.core.models import Region
from pendopo.core.roles import VILLAGE_ROLES, Role
from pendopo.core.scopes import scope_for
from pendopo.letters.models import LetterRequest, RequestStatus

OPEN = (RequestStatus.SUBMITTED, RequestStatus.PROCESSING, RequestStatus.SIGNING)
OVERVIEW_ROLES = frozenset({Role.ADMIN, Role.REGENT_OFFICE, Role.KECAMATAN_OFFICER, *VILLAGE_ROLES})


def request_list(*, actor: Any) -> QuerySet[LetterRequest]:
    """A resident's own requests; a village's requests for its staff."""
    qs = LetterRequest.objects.select_related("letter_type", "resident", "village").defer("pdf")
    if getattr(actor, "role", None) == Role.RESIDENT:
        resident = getattr(actor, "resident", None)
        return qs.filter(resident=resident) if resident is not None else qs.none()
    if getattr(actor, "role", None) not in VILLAGE_ROLES | {Role.ADMIN}:
        raise PermissionDenied("Akun ini tidak memproses surat desa. / This account does not handle village letters.")
    return scope_for(actor).filter_regions(qs, "village__code")


def request_get(*, actor: Any, pk: int) -> LetterRequest:
    req = request_list(actor=actor).filter(pk=pk).first()
    if req is None:
        raise PermissionDenied("Permohonan ini tidak ada atau bukan milik Anda. / Not found or not yours.")
    audit_read(actor=actor, action="letters.request.view", object_type="population.resident", object_ids=[req.resident_id])
    return req


def is_overdue(req: LetterRequest, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return req.status in OPEN and now - req.created_at > dt.timedelta(hours=req.letter_type.target_hours)


@dataclass
class VillageService:
    code: str
    name: str
    by_status: Counter[str] = field(default_factory=Counter)
    overdue: int = 0
    median_hours: float | None = None
    on_time: float | None = None  # share of ready letters within their target

    @property
    def status_counts(self) -> list[int]:
        return [self.by_status.get(code, 0) for code in RequestStatus.values]


@dataclass
class ServiceFigures:
    villages: list[VillageService]
    months: list[str]
    per_month: list[int]


def service_figures(*, actor: Any, since: dt.date | None = None) -> ServiceFigures:
    """Per village in the actor's scope: requests by state, overdue ones, median hours from
    request to signed letter and the share on time; and letters per month."""
    if getattr(actor, "role", None) not in OVERVIEW_ROLES:
        raise PermissionDenied("Akun ini tidak melihat kinerja layanan surat. / Not for this account.")
    since = since or (timezone.localdate() - dt.timedelta(days=365))
    qs = scope_for(actor).filter_regions(LetterRequest.objects.filter(created_at__date__gte=since), "village__code")
    rows = qs.values_list("village_id", "status", "created_at", "signed_at", "letter_type__target_hours")
    now = timezone.now()
    per: dict[str, VillageService] = {}
    hours: dict[str, list[float]] = defaultdict(list)
    on_time: dict[str, list[bool]] = defaultdict(list)
    months: Counter[str] = Counter()
    for village, status, created, signed, target in rows:
        v = per.setdefault(village, VillageService(village, ""))
        v.by_status[status] += 1
        if status in OPEN and now - created > dt.timedelta(hours=target):
            v.overdue += 1
        if signed is not None:
            h = (signed - created).total_seconds() / 3600
            hours[village].append(h)
            on_time[village].append(h <= target)
            months[timezone.localtime(signed).strftime("%Y-%m")] += 1
    names = dict(Region.objects.filter(code__in=list(per)).values_list("code", "name"))
    for code, v in per.items():
        v.name = names.get(code, code)
        if hours[code]:
            v.median_hours = round(statistics.median(hours[code]), 1)
            v.on_time = round(100 * sum(on_time[code]) / len(on_time[code]))
    ordered = sorted(months)
    return ServiceFigures(sorted(per.values(), key=lambda v: (v.median_hours is None, v.median_hours or 0)), ordered,
                          [months[m] for m in ordered])
