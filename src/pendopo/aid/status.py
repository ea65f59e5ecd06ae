"""The public status check by NIK (issue #5.6): whether, and in which scheme, a NIK is proposed
or enrolled, with the name masked; rate-limited per client across all workers; audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from pendopo.aid.models import Holding, HoldingStatus, Proposal, StatusCheck
from pendopo.core.audit import audit_read
from pendopo.core.errors import ApplicationError
from pendopo.core.masking import mask_name
from pendopo.linkage.nik import parse_nik
from pendopo.population.models import Resident

# Enough for a family to check each member; too few to walk through NIKs.
LIMITS = ((dt.timedelta(minutes=10), 10), (dt.timedelta(days=1), 40))


class TooManyChecks(ApplicationError):
    """The client has used its checks for now."""


@dataclass
class SchemeState:
    code: str
    name: str
    state: str  # in words, for the resident


@dataclass
class StatusResult:
    found: bool
    masked_name: str = ""
    village: str = ""
    enrolled: list[SchemeState] = field(default_factory=list)
    proposed: list[SchemeState] = field(default_factory=list)


def _client_key(ip: str | None) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), (ip or "unknown").encode(), hashlib.sha256).hexdigest()


# Reports and appeals are written by hand: a few a day per device is plenty for a family.
KIND_LIMITS = {"status": LIMITS, "report": ((dt.timedelta(days=1), 5),), "appeal": ((dt.timedelta(days=1), 5),)}


def rate_limit(ip: str | None, kind: str) -> str:
    """The client's key, or ``TooManyChecks`` when it has used its allowance of ``kind``."""
    client = _client_key(ip)
    now = timezone.now()
    for window, limit in KIND_LIMITS[kind]:
        used = StatusCheck.objects.filter(client=client, kind=kind, at__gte=now - window).count()
        if used >= limit:
            minutes = int(window.total_seconds() // 60)
            raise TooManyChecks(_("Terlalu banyak permintaan dari perangkat ini. Coba lagi dalam %(minutes)s menit.")
                                % {"minutes": minutes})
    return client


def _proposal_state(decision: str) -> str:
    return {"accept": _("diusulkan, lolos penyaringan"), "review": _("diusulkan, sedang diperiksa Dinas Sosial"),
            "reject": _("diusulkan, tidak lolos penyaringan")}.get(decision, decision)


def status_check(*, nik: str, ip: str | None) -> StatusResult:
    """Raises ``ValidationError`` for a NIK that cannot be one and ``TooManyChecks`` past the
    limit; every check counts, found or not."""
    parsed = parse_nik(nik)
    if parsed.digits is None:
        raise ValidationError({"nik": _("NIK harus 16 digit angka.")})
    client = rate_limit(ip, "status")
    resident = Resident.objects.filter(nik=parsed.digits).select_related("village").first()
    StatusCheck.objects.create(client=client, found=resident is not None, kind="status")
    if resident is None:
        audit_read(actor=None, action="aid.status_check", object_type="resident", object_ids=[], detail={"found": False})
        return StatusResult(found=False)
    audit_read(actor=None, action="aid.status_check", object_type="resident", object_ids=[resident.pk], detail={"found": True})
    enrolled = [SchemeState(h.scheme.code, h.scheme.name, _("terdaftar sebagai penerima"))
                for h in Holding.objects.filter(resident=resident, status=HoldingStatus.ACTIVE).select_related("scheme")]
    proposed = []
    for p in Proposal.objects.filter(resident=resident).select_related("scheme").prefetch_related("appeals").order_by("-created_at"):
        state = f"{_proposal_state(p.decision)} ({p.period})"
        appeal = max(p.appeals.all(), key=lambda a: a.filed_at, default=None)
        if appeal is not None:
            state += "; " + _("banding: %(status)s, batas jawaban %(deadline)s") % {
                "status": appeal.get_status_display(), "deadline": appeal.deadline.strftime("%d-%m-%Y")}
        proposed.append(SchemeState(p.scheme.code, p.scheme.name, state))
    return StatusResult(True, mask_name(resident.name), resident.village.name, enrolled, proposed)
