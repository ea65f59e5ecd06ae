"""What part of the regency an account may see and change.

Selectors and services take the scope from ``scope_for(user)`` and filter with it, so a guessed
URL or API call cannot cross a unit's boundary: a village operator's queries only ever contain
their own village code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Q, QuerySet

from pendopo.core.errors import PermissionDenied
from pendopo.core.roles import AGENCY_ROLES, REGENCY_WIDE_ROLES, VILLAGE_ROLES, Role

_QS = TypeVar("_QS", bound=QuerySet[Any])


@dataclass(frozen=True)
class Scope:
    """Regions (by code prefix) and agency units an account covers.

    ``region_codes`` holds exact village codes; ``region_prefixes`` holds ``CODE.`` prefixes that
    cover every region below CODE. ``self_only`` is a resident, who sees only their own records.
    """

    region_codes: frozenset[str] = frozenset()
    region_prefixes: tuple[str, ...] = ()
    unit_ids: frozenset[int] = frozenset()
    self_only: bool = False
    everything: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.region_codes or self.region_prefixes or self.unit_ids or self.self_only or self.everything)

    def covers_region(self, code: str | None) -> bool:
        if not code:
            return False
        if self.everything:
            return True
        return code in self.region_codes or any(code.startswith(p) or f"{code}." == p for p in self.region_prefixes)

    def covers_unit(self, unit_id: int | None, region_code: str | None = None) -> bool:
        if self.everything:
            return True
        if unit_id is not None and unit_id in self.unit_ids:
            return True
        return self.covers_region(region_code)

    def region_q(self, field: str) -> Q:
        """A filter for a field holding a village (or deeper) region code."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        if self.region_codes:
            q |= Q(**{f"{field}__in": sorted(self.region_codes)})
        for prefix in self.region_prefixes:
            q |= Q(**{f"{field}__startswith": prefix})
        return q

    def filter_regions(self, qs: _QS, field: str) -> _QS:
        return qs.filter(self.region_q(field))

    def require_region(self, code: str | None) -> None:
        if not self.covers_region(code):
            raise PermissionDenied("Wilayah ini di luar kewenangan akun Anda.")


NOTHING = Scope()


def scope_for(user: object) -> Scope:
    """The scope of an account, derived from its role and unit only."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return NOTHING
    role = getattr(user, "role", None)
    unit = getattr(user, "unit", None)
    regency = settings.PENDOPO_REGENCY_CODE
    if role == Role.ADMIN or getattr(user, "is_superuser", False):
        return Scope(everything=True)
    if role in REGENCY_WIDE_ROLES:
        return Scope(region_prefixes=(f"{regency}.",), unit_ids=frozenset({unit.pk}) if unit else frozenset())
    if unit is None:
        return Scope(self_only=role == Role.RESIDENT)
    if role == Role.KECAMATAN_OFFICER:
        return Scope(region_prefixes=(f"{unit.code}.",), unit_ids=frozenset({unit.pk}))
    if role in VILLAGE_ROLES:
        return Scope(region_codes=frozenset({unit.code}), unit_ids=frozenset({unit.pk}))
    if role in AGENCY_ROLES:
        return Scope(unit_ids=frozenset({unit.pk}))
    if role == Role.RESIDENT:
        return Scope(self_only=True)
    return NOTHING
