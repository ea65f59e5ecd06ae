"""Reads of the aid app that depend on who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from pendopo.aid.models import (
    Appeal,
    AppealStatus,
    Override,
    OverrideStatus,
    Proposal,
    RollImport,
    Scheme,
    ScreeningUpload,
)
from pendopo.core.audit import audit_read
from pendopo.core.errors import PermissionDenied
from pendopo.core.roles import Role
from pendopo.core.scopes import scope_for

ROLL_ROLES = {Role.ADMIN, Role.DINSOS, Role.REGENT_OFFICE}
REVIEW_READER_ROLES = {Role.ADMIN, Role.DINSOS}


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
    qs = scope.filter_regions(qs, "village__code")
    if scheme:
        qs = qs.filter(scheme__code=scheme.strip().upper())
    if decision:
        qs = qs.filter(decision=decision)
    return qs


def proposals_shown(*, actor: object, proposals: list[Proposal]) -> None:
    if proposals:
        audit_read(actor=actor, action="aid.proposals.view", object_type="proposal", object_ids=[p.pk for p in proposals])  # type: ignore[arg-type]


def _proposal_scope(actor: object) -> QuerySet[Proposal]:
    scope = scope_for(actor)
    if scope.is_empty or scope.self_only:
        raise PermissionDenied("Akun ini tidak boleh melihat usulan bantuan. / This account may not see aid proposals.")
    qs = Proposal.objects.select_related("scheme", "resident", "village", "family", "created_by")
    return scope.filter_regions(qs, "village__code")


def proposal_get(*, actor: object, pk: int) -> Proposal:
    """One proposal in the actor's scope; reading it is audited (it names a person and their aid)."""
    p = _proposal_scope(actor).filter(pk=pk).first()
    if p is None:
        raise PermissionDenied("Usulan ini tidak ada atau di luar kewenangan akun Anda. / Not found or outside your scope.")
    audit_read(actor=actor, action="aid.proposal.view", object_type="proposal", object_ids=[p.pk])  # type: ignore[arg-type]
    return p


def review_queue(*, actor: object, scheme: str = "", village: str = "") -> QuerySet[Proposal]:
    """Proposals waiting for Dinas Sosial, oldest first (they have waited longest)."""
    if getattr(actor, "role", None) not in REVIEW_READER_ROLES:
        raise PermissionDenied("Antrean pemeriksaan hanya untuk Dinas Sosial. / The review queue is for Dinas Sosial.")
    qs = _proposal_scope(actor).filter(decision="review").order_by("created_at", "id")
    if scheme:
        qs = qs.filter(scheme__code=scheme.strip().upper())
    if village:
        qs = qs.filter(village_id=village)
    return qs


def override_pending_list(*, actor: object) -> QuerySet[Override]:
    if getattr(actor, "role", None) not in REVIEW_READER_ROLES:
        raise PermissionDenied("Hanya untuk Dinas Sosial. / For Dinas Sosial only.")
    return Override.objects.filter(status=OverrideStatus.PENDING).select_related(
        "proposal__scheme", "proposal__resident", "proposal__village", "requested_by").order_by("requested_at")


def appeal_list(*, actor: object, open_only: bool = True) -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related("proposal__scheme", "proposal__resident", "proposal__village", "filed_by").order_by("deadline", "id")
    if getattr(actor, "role", None) not in REVIEW_READER_ROLES:
        qs = qs.filter(proposal__in=_proposal_scope(actor))
    if open_only:
        qs = qs.filter(status__in=[AppealStatus.SUBMITTED, AppealStatus.GRANTED_PENDING])
    return qs


def upload_list(*, actor: object) -> QuerySet[ScreeningUpload]:
    scope = scope_for(actor)
    if scope.is_empty or scope.self_only:
        raise PermissionDenied("Akun ini tidak boleh melihat unggahan usulan. / This account may not see proposal uploads.")
    return scope.filter_regions(ScreeningUpload.objects.select_related("scheme", "village", "created_by").defer("content", "result"),
                                "village__code")


def upload_get(*, actor: object, pk: int) -> ScreeningUpload:
    u = upload_list(actor=actor).filter(pk=pk).first()
    if u is None:
        raise PermissionDenied("Unggahan ini tidak ada atau di luar kewenangan akun Anda. / Not found or outside your scope.")
    return u
