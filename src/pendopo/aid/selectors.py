"""Reads of the aid app that depend on who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from pendopo.aid.models import Proposal, RollImport, Scheme
from pendopo.core.audit import audit_read
from pendopo.core.errors import PermissionDenied
from pendopo.core.roles import Role
from pendopo.core.scopes import scope_for

ROLL_ROLES = {Role.ADMIN, Role.DINSOS, Role.REGENT_OFFICE}


def scheme_list() -> QuerySet[Scheme]:
    return Scheme.objects.filter(active=True).prefetch_related("rules__held")


def roll_import_list(*, actor: object) -> QuerySet[RollImport]:
    if getattr(actor, "role", None) not in ROLL_ROLES:
        raise PermissionDenied("Daftar penerima hanya untuk Dinas Sosial. / Rolls are for Dinas Sosial only.")
    return RollImport.objects.all()


def proposal_list(*, actor: object, scheme: str = "", decision: str = "") -> QuerySet[Proposal]:
    scope = scope_for(actor)
    if scope.is_empty or scope.self_only:
        raise PermissionDenied("Akun ini tidak boleh melihat usulan bantuan. / This account may not see aid proposals.")
    qs = Proposal.objects.select_related("scheme", "resident").order_by("-created_at", "-id")
    qs = scope.filter_regions(qs, "village_id")
    if scheme:
        qs = qs.filter(scheme__code=scheme.strip().upper())
    if decision:
        qs = qs.filter(decision=decision)
    return qs


def proposals_shown(*, actor: object, proposals: list[Proposal]) -> None:
    if proposals:
        audit_read(actor=actor, action="aid.proposals.view", object_type="proposal", object_ids=[p.pk for p in proposals])  # type: ignore[arg-type]
