"""What residents do without an account: report themselves or a neighbour for aid (the
report enters the same screening as a village's proposal) and appeal their own rejection.
Both are rate-limited per device, like the status check."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pendopo.aid.models import Appeal, Proposal, ProposalEvent, ProposalSource, StatusCheck
from pendopo.aid.review import appeal_file
from pendopo.aid.screening import Decision, says
from pendopo.aid.services import OneResult, screening_one
from pendopo.aid.status import rate_limit
from pendopo.core.audit import audit_write
from pendopo.linkage.nik import parse_nik
from pendopo.population.models import FamilyMembership, Resident

FIELD_CHECK = gettext_noop("Laporan warga lolos penyaringan otomatis; menunggu verifikasi lapangan oleh desa dan Dinas Sosial.")


def public_report(*, data: dict[str, Any], reporter_name: str, reporter_phone: str, why: str, ip: str | None) -> OneResult:
    """A resident's report: screened like any proposal. One that passes screening still waits
    for a field check (``review``), since nobody at the village has vouched for it yet."""
    client = rate_limit(ip, "report")
    StatusCheck.objects.create(client=client, kind="report")
    with transaction.atomic():
        result = screening_one(actor=None, data={**data, "why": why}, record=True, source=ProposalSource.PUBLIC,
                               reporter=(reporter_name.strip(), reporter_phone.strip()))
        p = result.proposal
        if p is not None and p.decision == Decision.ACCEPT:
            p.decision = Decision.REVIEW.value
            p.explain(says(gettext_noop("%(check)s %(decision)s"), check=says(FIELD_CHECK),
                           decision=p.explanation_text or p.explanation))
            p.save(update_fields=["decision", "explanation", "explanation_text"])
            ProposalEvent.objects.create(proposal=p, action="field_check", reason=FIELD_CHECK, before=Decision.ACCEPT.value,
                                         after=p.decision)
    return result


def public_appeal(*, nik: str, kk: str, scheme: str, name: str, phone: str, reason: str, ip: str | None) -> Appeal:
    """A resident appeals the rejection of their own proposal. The NIK and the number of the
    KK they are on must belong together; the answer never says which of the two was wrong."""
    client = rate_limit(ip, "appeal")
    StatusCheck.objects.create(client=client, kind="appeal")
    nik_digits, kk_digits = parse_nik(nik).digits, "".join(ch for ch in kk if ch.isdigit())
    resident = Resident.objects.filter(nik=nik_digits).first() if nik_digits else None
    on_kk = resident is not None and FamilyMembership.objects.filter(resident=resident, valid_to__isnull=True,
                                                                     family__kk_number=kk_digits).exists()
    if not on_kk:
        audit_write(actor=None, action="aid.appeal.refused", object_type="resident", object_id=str(resident.pk) if resident else "",
                    personal_data=True, changes={"why": "nik_kk_mismatch"})
        raise ValidationError(_("NIK dan nomor KK tidak cocok dengan data kependudukan. Periksa kembali, atau ajukan banding "
                                "melalui kantor desa."))
    assert resident is not None
    proposal = (Proposal.objects.filter(resident=resident, scheme__code=scheme, decision=Decision.REJECT)
                .select_related("scheme").order_by("-created_at").first())
    if proposal is None:
        raise ValidationError(_("Tidak ada usulan yang ditolak untuk NIK ini pada bantuan tersebut."))
    return appeal_file(actor=None, proposal=proposal, reason=reason, name=name, phone=phone)
