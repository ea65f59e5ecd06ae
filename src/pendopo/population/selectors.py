"""Reads of the registry, always through the asking account's scope, and audited where they
show personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from pendopo.core.audit import audit_read
from pendopo.core.errors import PermissionDenied
from pendopo.core.roles import REGISTRY_READER_ROLES, Role
from pendopo.core.scopes import Scope, scope_for
from pendopo.population.models import Family, FamilyMembership, Resident
from pendopo.population.search import NameMatches, filter_by_name, search_by_name


def _registry_scope(actor: object) -> Scope:
    role = getattr(actor, "role", None)
    if getattr(actor, "is_superuser", False) or role in REGISTRY_READER_ROLES or role == Role.RESIDENT:
        return scope_for(actor)
    raise PermissionDenied("Akun Anda tidak berwenang membuka data kependudukan.")


def resident_queryset_for(actor: object) -> QuerySet[Resident]:
    """Every resident the actor may see: their village, kecamatan or the regency; a resident
    only themselves."""
    scope = _registry_scope(actor)
    qs = Resident.objects.select_related("village")
    if scope.self_only:
        return qs.filter(user=actor) if getattr(actor, "pk", None) else qs.none()
    return scope.filter_regions(qs, "village__code")


@dataclass(frozen=True)
class ResidentFilter:
    q: str = ""
    village: str = ""
    status: str = ""
    sex: str = ""
    dusun: str = ""
    age_min: int | None = None
    age_max: int | None = None

    @classmethod
    def from_data(cls, data: Any) -> ResidentFilter:
        """From a query string or a form's cleaned data; ages that are not whole numbers are ignored
        (the page's form says so, the export and the API take the rest of the filter)."""
        def age(key: str) -> int | None:
            value = data.get(key)
            if isinstance(value, int):
                return value
            text = str(value or "").strip()
            return int(text) if text.isdigit() and int(text) <= 150 else None

        return cls(q=str(data.get("q") or ""), village=str(data.get("village") or ""), status=str(data.get("status") or ""),
                   sex=str(data.get("sex") or ""), dusun=str(data.get("dusun") or "").strip(),
                   age_min=age("age_min"), age_max=age("age_max"))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def resident_list(*, actor: object, f: ResidentFilter) -> QuerySet[Resident]:
    """Every resident in the actor's scope matching the filter, by name (exports, the API)."""
    return _filtered(actor, f, wide=False)  # type: ignore[return-value]


def resident_search(*, actor: object, f: ResidentFilter) -> QuerySet[Resident] | NameMatches:
    """The same residents for the list page, where a name search over a wide list is walked
    along the name-key index (fast first page, relevance order) instead of sorted by name."""
    return _filtered(actor, f, wide=True)


def _filtered(actor: object, f: ResidentFilter, *, wide: bool) -> QuerySet[Resident] | NameMatches:
    qs = resident_queryset_for(actor)
    if f.village:
        qs = qs.filter(village_id=f.village)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.sex:
        qs = qs.filter(sex=f.sex)
    if f.dusun:
        qs = qs.filter(dusun__iexact=f.dusun)
    today = timezone.localdate()
    if f.age_min is not None:  # at least N years old: born on or before this day N years ago
        qs = qs.filter(birth_date__lte=_years_before(today, f.age_min))
    if f.age_max is not None:  # at most N years old: not yet N+1
        qs = qs.filter(birth_date__gt=_years_before(today, f.age_max + 1))
    q = f.q.strip()
    if q:
        digits = q.replace(" ", "")
        if digits.isdigit() and len(digits) == 16:
            # One id list from two index lookups: an OR of the two conditions (or across a join)
            # scans the whole registry.
            on_kk = FamilyMembership.objects.filter(family__kk_number=digits, valid_to__isnull=True).order_by().values_list("resident_id", flat=True)
            by_nik = Resident.objects.filter(nik=digits).order_by().values_list("pk", flat=True)
            qs = qs.filter(pk__in=by_nik.union(on_kk))
        elif any(ch.isdigit() for ch in digits):
            qs = qs.filter(Q(nik__startswith=digits) | Q(nik__endswith=digits)) if len(digits) >= 4 else qs.none()
        elif wide:
            return search_by_name(qs.order_by(Lower("name"), "nik"), q)
        else:
            qs = filter_by_name(qs, q)
    return qs.order_by(Lower("name"), "nik")


def residents_shown(*, actor: object, residents: list[Resident], context: str) -> None:
    """Record that these residents' personal data were displayed to ``actor``."""
    if residents:
        audit_read(actor=actor, action=f"resident.{context}", object_type="population.resident",  # type: ignore[arg-type]
                   object_ids=[r.pk for r in residents], object_repr=f"{len(residents)} penduduk")


def resident_get(*, actor: object, pk: int) -> Resident:
    resident = resident_queryset_for(actor).filter(pk=pk).first()
    if resident is None:
        raise PermissionDenied("Penduduk ini tidak ada atau di luar kewenangan akun Anda.")
    audit_read(actor=actor, action="resident.view", object_type="population.resident",  # type: ignore[arg-type]
               object_ids=[resident.pk], object_repr=resident.name)
    return resident


def current_family(resident: Resident, on: dt.date | None = None) -> FamilyMembership | None:
    """The KK the resident was on at the given day (today by default)."""
    on = on or timezone.localdate()
    return (
        resident.memberships.select_related("family")
        .filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .first()
    )


def family_members_on(family: Family, on: dt.date | None = None) -> QuerySet[FamilyMembership]:
    """Who was on this KK on the given day."""
    on = on or timezone.localdate()
    return (
        family.memberships.select_related("resident")
        .filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .order_by("id")
    )


@dataclass(frozen=True)
class Counts:
    residents: int
    alive: int
    families: int
    male: int
    female: int


def counts_for(*, actor: object, village: str | None = None) -> Counts:
    """Aggregate figures within the actor's scope (no personal data, not audited)."""
    scope = _registry_scope(actor)
    residents = scope.filter_regions(Resident.objects.all(), "village__code")
    families = scope.filter_regions(Family.objects.filter(closed_on__isnull=True), "village__code")
    if village:
        residents, families = residents.filter(village_id=village), families.filter(village_id=village)
    agg = residents.aggregate(
        n=Count("id"), alive=Count("id", filter=Q(status="alive")),
        male=Count("id", filter=Q(status="alive", sex="L")), female=Count("id", filter=Q(status="alive", sex="P")),
    )
    return Counts(residents=agg["n"], alive=agg["alive"], families=families.count(), male=agg["male"], female=agg["female"])


def village_counts(*, actor: object) -> list[dict[str, object]]:
    """Living residents per village in the actor's scope, for overview tables."""
    scope = _registry_scope(actor)
    qs = scope.filter_regions(Resident.objects.alive(), "village__code")
    return list(qs.values("village_id", "village__name").annotate(n=Count("id")).order_by("village_id"))


def family_get(*, actor: object, kk_number: str, on: dt.date) -> tuple[Family, list[FamilyMembership]]:
    """A KK in the actor's scope and who was on it on ``on``; reading it is audited."""
    scope = _registry_scope(actor)
    digits = "".join(ch for ch in kk_number if ch.isdigit())
    family = Family.objects.filter(kk_number=digits).first()
    if family is None or scope.self_only or not scope.covers_region(family.village_id):
        raise PermissionDenied("KK ini tidak ada atau di luar kewenangan akun Anda.")
    members = list(family_members_on(family, on))
    audit_read(actor=actor, action="family.view", object_type="population.resident",  # type: ignore[arg-type]
               object_ids=[m.resident_id for m in members], object_repr=f"KK {family.kk_number[:4]}…", detail={"on": on.isoformat()})
    return family, members
