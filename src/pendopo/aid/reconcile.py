"""Dinas Sosial settles what the rolls left uncertain: a roll row not resolved with confidence
is confirmed as one registry person (it becomes a holding) or dismissed; a holding flagged for
exit (the holder died or moved) is ended. Every step is audited with its reason."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from pendopo.aid.models import Holding, HoldingStatus, RollRow, RollRowStatus
from pendopo.aid.review import _officer, _reason
from pendopo.core.audit import audit_write
from pendopo.core.errors import ApplicationError
from pendopo.population.models import Resident

OPEN = (RollRowStatus.UNRESOLVED, RollRowStatus.AMBIGUOUS, RollRowStatus.POSSIBLE)


def roll_queue(*, actor: Any) -> QuerySet[RollRow]:
    _officer(actor)
    return RollRow.objects.filter(status__in=OPEN).select_related("scheme", "roll_import").prefetch_related(
        "candidates__resident__village").order_by("roll_import_id", "line")


def exit_flagged(*, actor: Any) -> QuerySet[Holding]:
    _officer(actor)
    return Holding.objects.filter(status=HoldingStatus.EXIT_FLAGGED).select_related("resident__village", "scheme")


@transaction.atomic
def roll_row_confirm(*, actor: Any, row: RollRow, reason: str, resident_id: int | None = None, nik: str = "") -> Holding:
    """The roll row is this registry person: a candidate, or the resident with the NIK the
    officer found (the agency's row had it wrong)."""
    _officer(actor)
    reason = _reason(reason)
    row = RollRow.objects.select_for_update().get(pk=row.pk)
    if row.status not in OPEN:
        raise ApplicationError("Baris ini sudah diselesaikan. / This row has been settled already.")
    if nik:
        resident = Resident.objects.filter(nik="".join(ch for ch in nik if ch.isdigit())).first()
        if resident is None:
            raise ValidationError({"nik": "NIK ini tidak ada di data kependudukan. / This NIK is not in the registry."})
    else:
        if not row.candidates.filter(resident_id=resident_id).exists():
            raise ValidationError({"resident_id": "Pilih salah satu calon. / Choose one of the candidates."})
        resident = Resident.objects.get(pk=resident_id)
    holding = Holding.objects.filter(resident=resident, scheme=row.scheme, component=row.component,
                                     status__in=[HoldingStatus.ACTIVE, HoldingStatus.EXIT_FLAGGED]).first()
    if holding is None:
        holding = Holding.objects.create(resident=resident, scheme=row.scheme, component=row.component, roll_import=row.roll_import)
    row.status, row.resident = RollRowStatus.CONFIRMED, resident
    row.save(update_fields=["status", "resident"])
    audit_write(actor=actor, action="aid.roll_row.confirm", obj=row, personal_data=True,
                changes={"resident": resident.pk, "scheme": row.scheme.code, "holding": holding.pk, "reason": reason[:500]})
    return holding


@transaction.atomic
def roll_row_dismiss(*, actor: Any, row: RollRow, reason: str) -> RollRow:
    """Not anyone in the registry (or not a real holder): screening stops treating its
    candidates as possible holders."""
    _officer(actor)
    reason = _reason(reason)
    row = RollRow.objects.select_for_update().get(pk=row.pk)
    if row.status not in OPEN:
        raise ApplicationError("Baris ini sudah diselesaikan. / This row has been settled already.")
    row.status = RollRowStatus.DISMISSED
    row.save(update_fields=["status"])
    audit_write(actor=actor, action="aid.roll_row.dismiss", obj=row, personal_data=True,
                changes={"scheme": row.scheme.code, "reason": reason[:500]})
    return row


@transaction.atomic
def holding_end(*, actor: Any, holding: Holding, reason: str) -> Holding:
    """The payment has stopped: the holding no longer counts in screening."""
    _officer(actor)
    reason = _reason(reason)
    holding = Holding.objects.select_for_update().get(pk=holding.pk)
    if holding.status == HoldingStatus.ENDED:
        raise ApplicationError("Kepesertaan ini sudah berakhir. / This holding has ended already.")
    holding.status, holding.end = HoldingStatus.ENDED, timezone.localdate()
    holding.exit_reason = (f"{holding.exit_reason}; {reason}" if holding.exit_reason else reason)[:200]
    holding.save(update_fields=["status", "end", "exit_reason"])
    audit_write(actor=actor, action="aid.holding.end", obj=holding, personal_data=True,
                changes={"scheme": holding.scheme.code, "reason": reason[:500]})
    return holding
