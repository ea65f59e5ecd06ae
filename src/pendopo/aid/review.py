"""What Dinas Sosial does with proposals after screening: confirm who a review row is, correct
its NIK, reject it, and overturn an automatic rejection with a second officer's approval; and
appeals by residents or their village. Every step writes a ``ProposalEvent`` and an audit row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from pendopo.aid.models import (
    Appeal,
    AppealStatus,
    Override,
    OverrideStatus,
    Proposal,
    ProposalEvent,
)
from pendopo.aid.screening import Decision, Outcome, Typed, says
from pendopo.aid.services import ScreenSession, _check_already_proposed, _unit_key
from pendopo.core.audit import audit_write
from pendopo.core.errors import ApplicationError, PermissionDenied
from pendopo.core.roles import VILLAGE_ROLES, Role
from pendopo.core.scopes import scope_for
from pendopo.linkage.index import Candidate, Resolution, Status

REVIEW_ROLES = frozenset({Role.DINSOS, Role.ADMIN})


def _officer(actor: Any) -> None:
    if getattr(actor, "role", None) not in REVIEW_ROLES:
        raise PermissionDenied("Hanya petugas Dinas Sosial yang boleh memutuskan usulan. / Only Dinas Sosial officers decide proposals.")


def _reason(reason: str, field: str = "reason") -> str:
    text = (reason or "").strip()
    if len(text) < 10:
        raise ValidationError({field: "Tulis alasan yang jelas (paling sedikit 10 huruf). / Give a clear reason (10+ characters)."})
    return text


def _event(proposal: Proposal, actor: Any, action: str, reason: str, before: str) -> None:
    ProposalEvent.objects.create(proposal=proposal, actor=actor if getattr(actor, "pk", None) else None, action=action,
                                 reason=reason, before=before, after=proposal.decision)
    audit_write(actor=actor if getattr(actor, "pk", None) else None, action=f"aid.proposal.{action}", obj=proposal,
                personal_data=True, changes={"before": before, "after": proposal.decision, "reason": reason[:500]})


def _apply(proposal: Proposal, session: ScreenSession, outcome: Outcome, candidates: list[dict[str, Any]] | None = None) -> None:
    """Store a new screening outcome on the proposal; an active decision takes the unit key
    (and loses to an existing proposal of the same person or family)."""
    resident, person = session.person(outcome)
    outcome = _check_already_proposed(outcome, proposal.scheme, person) if proposal.unit_key is None else outcome
    proposal.decision = outcome.decision.value
    proposal.reasons = [r.code.value for r in outcome.reasons]
    proposal.explain(outcome.text)
    proposal.score = outcome.score
    if resident is not None and person is not None:
        proposal.resident = resident
        proposal.village_id = resident.village_id
        from pendopo.population.models import Family

        proposal.family = Family.objects.filter(kk_number=person.kk).first() if person.kk else None
    if candidates is not None:
        proposal.candidates = candidates
    active = outcome.decision != Decision.REJECT and person is not None
    proposal.unit_key = _unit_key(proposal.scheme, person.person_id, person.kk) if active and person is not None else None


def _save(proposal: Proposal) -> None:
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:
        raise ApplicationError("Orang atau keluarga ini sudah memiliki usulan aktif untuk skema dan periode ini. "
                               "/ This person or family already has an active proposal for this scheme and period.") from exc


@transaction.atomic
def proposal_confirm_identity(*, actor: Any, proposal: Proposal, person_id: str, reason: str) -> Proposal:
    """The officer has checked who the row is: screen it again as that registry person (with
    their NIK), so a deceased, moved or covered person is still rejected."""
    _officer(actor)
    reason = _reason(reason)
    if proposal.decision != Decision.REVIEW:
        raise ApplicationError("Usulan ini tidak sedang menunggu pemeriksaan. / This proposal is not waiting for review.")
    allowed = {c["id"] for c in proposal.candidates if isinstance(c, dict)}
    if person_id not in allowed:
        raise ValidationError({"person_id": "Pilih salah satu calon yang ditampilkan. / Choose one of the candidates shown."})
    before = proposal.decision
    session = ScreenSession(proposal.scheme)
    session._load([person_id])
    person = session.registry.people.get(person_id)
    if person is None:
        raise ValidationError({"person_id": "Penduduk ini tidak ada lagi di data kependudukan. / No longer in the registry."})
    # The officer's word settles the identity, and the person's own NIK replaces the typed one.
    sure = Candidate(person_id, 1.0, 0.0, ())
    outcome = session.screener.decide(1, Typed.of(person.nik, "", 0), Resolution(Status.MATCH, sure, (sure,)))
    _apply(proposal, session, outcome)
    proposal.reviewed_by, proposal.reviewed_at = actor, timezone.now()
    _save(proposal)
    _event(proposal, actor, "confirm_identity", f"{reason} (penduduk {person_id})", before)
    return proposal


@transaction.atomic
def proposal_correct_nik(*, actor: Any, proposal: Proposal, nik: str, reason: str) -> Proposal:
    """The typed NIK was wrong: screen the row again with the corrected NIK."""
    _officer(actor)
    reason = _reason(reason)
    digits = "".join(ch for ch in str(nik) if ch.isdigit())
    if len(digits) != 16:
        raise ValidationError({"nik": "NIK harus 16 angka. / A NIK has 16 digits."})
    if proposal.decision != Decision.REVIEW:
        raise ApplicationError("Usulan ini tidak sedang menunggu pemeriksaan. / This proposal is not waiting for review.")
    before = proposal.decision
    typed = {**proposal.typed, "nik": digits}
    session = ScreenSession(proposal.scheme)
    outcome, candidates = session.screen(typed)
    proposal.typed = {**typed, "nik_typed": proposal.typed.get("nik")}
    _apply(proposal, session, outcome, candidates)
    proposal.reviewed_by, proposal.reviewed_at = actor, timezone.now()
    _save(proposal)
    _event(proposal, actor, "correct_nik", reason, before)
    return proposal


@transaction.atomic
def proposal_reject(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """The officer rejects a row under review (not eligible, not found in the field, ...)."""
    _officer(actor)
    reason = _reason(reason)
    if proposal.decision != Decision.REVIEW:
        raise ApplicationError("Usulan ini tidak sedang menunggu pemeriksaan. / This proposal is not waiting for review.")
    before = proposal.decision
    proposal.decision, proposal.unit_key = Decision.REJECT.value, None
    proposal.explain(says(gettext_noop("Ditolak petugas Dinas Sosial setelah diperiksa: %(reason)s"), reason=reason))
    proposal.reviewed_by, proposal.reviewed_at = actor, timezone.now()
    proposal.save()
    _event(proposal, actor, "reject", reason, before)
    return proposal


@transaction.atomic
def override_request(*, actor: Any, proposal: Proposal, reason: str) -> Override:
    """Ask to accept a rejected proposal. It takes effect only when a second officer approves."""
    _officer(actor)
    reason = _reason(reason)
    if proposal.decision != Decision.REJECT:
        raise ApplicationError("Hanya usulan yang ditolak yang dapat dikecualikan. / Only a rejected proposal can be overridden.")
    if proposal.resident_id is None:
        raise ApplicationError("Usulan ini belum terhubung ke penduduk; periksa identitasnya dulu. / Resolve the person first.")
    try:
        with transaction.atomic():
            o = Override.objects.create(proposal=proposal, reason=reason, requested_by=actor)
    except IntegrityError as exc:
        raise ApplicationError("Sudah ada permintaan pengecualian yang menunggu untuk usulan ini. / An override is already pending.") from exc
    ProposalEvent.objects.create(proposal=proposal, actor=actor, action="override_request", reason=reason,
                                 before=proposal.decision, after=proposal.decision)
    audit_write(actor=actor, action="aid.override.request", obj=o, personal_data=True, changes={"proposal": proposal.pk, "reason": reason[:500]})
    return o


@transaction.atomic
def override_decide(*, actor: Any, override: Override, approve: bool, note: str) -> Override:
    """The second officer's answer. The one who asked may not approve (the database also refuses)."""
    _officer(actor)
    note = _reason(note, "note")
    override = Override.objects.select_for_update().select_related("proposal__scheme").get(pk=override.pk)
    if override.status != OverrideStatus.PENDING:
        raise ApplicationError("Permintaan ini sudah diputuskan. / This request has already been decided.")
    if override.requested_by_id == actor.pk:
        raise PermissionDenied("Pengecualian harus disetujui petugas lain (empat mata). / A second officer must approve (four eyes).")
    proposal = override.proposal
    override.status = OverrideStatus.APPROVED if approve else OverrideStatus.REFUSED
    override.decided_by, override.decided_at, override.note = actor, timezone.now(), note
    override.save()
    before = proposal.decision
    if approve:
        person_key = None
        if proposal.resident is not None:
            kk = proposal.family.kk_number if proposal.family else ""
            person_key = _unit_key(proposal.scheme, proposal.resident.person_id, kk)
        proposal.decision, proposal.unit_key = Decision.ACCEPT.value, person_key
        proposal.explain(says(gettext_noop("Diterima atas pengecualian Dinas Sosial (disetujui dua petugas): %(reason)s. "
                                           "Keputusan otomatis sebelumnya: %(before)s"),
                              reason=override.reason, before=proposal.explanation_text or proposal.explanation))
        proposal.reviewed_by, proposal.reviewed_at = actor, timezone.now()
        _save(proposal)
    _event(proposal, actor, "override_approve" if approve else "override_refuse", note, before)
    appeal = Appeal.objects.filter(override=override).first()
    if appeal is not None:
        appeal.status = AppealStatus.GRANTED if approve else AppealStatus.DENIED
        appeal.decided_by, appeal.decided_at = actor, timezone.now()
        if not approve:
            appeal.answer = f"{appeal.answer}\nTidak disetujui petugas kedua: {note}".strip()
        appeal.save()
    audit_write(actor=actor, action="aid.override.decide", obj=override, personal_data=True,
                changes={"proposal": proposal.pk, "approved": approve, "note": note[:500]})
    return override


# --- appeals ----------------------------------------------------------------------------------

def _appeal_window(proposal: Proposal) -> None:
    if proposal.decision != Decision.REJECT:
        raise ApplicationError("Banding hanya untuk usulan yang ditolak. / Only a rejected proposal can be appealed.")
    decided = proposal.reviewed_at or proposal.created_at
    if timezone.now() - decided > dt.timedelta(days=settings.AID_APPEAL_FILE_DAYS):
        raise ApplicationError(f"Masa banding {settings.AID_APPEAL_FILE_DAYS} hari sejak keputusan sudah lewat. "
                               f"/ The appeal window has passed.")


@transaction.atomic
def appeal_file(*, actor: Any, proposal: Proposal, reason: str, name: str, phone: str = "") -> Appeal:
    """A resident (``actor`` None: the public form, identity checked by the caller) or their
    village appeals a rejection; Dinas Sosial must answer by the deadline."""
    if actor is not None:
        role = getattr(actor, "role", None)
        if role not in VILLAGE_ROLES | REVIEW_ROLES | {Role.KECAMATAN_OFFICER}:
            raise PermissionDenied("Akun ini tidak boleh mengajukan banding. / This account may not appeal.")
        if not scope_for(actor).covers_region(proposal.village_id):
            raise PermissionDenied("Usulan ini di luar kewenangan akun Anda. / This proposal is outside your scope.")
    reason = _reason(reason)
    if not (name or "").strip():
        raise ValidationError({"name": "Nama pengaju wajib diisi. / Your name is required."})
    _appeal_window(proposal)
    deadline = timezone.localdate() + dt.timedelta(days=settings.AID_APPEAL_DECIDE_DAYS)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(proposal=proposal, reason=reason, appellant_name=name.strip()[:120],
                                           appellant_phone=(phone or "").strip()[:20], filed_by=actor, deadline=deadline)
    except IntegrityError as exc:
        raise ApplicationError("Banding untuk usulan ini sudah diajukan dan sedang diproses. / An appeal is already open.") from exc
    ProposalEvent.objects.create(proposal=proposal, actor=actor, action="appeal", reason=reason, before=proposal.decision,
                                 after=proposal.decision)
    audit_write(actor=actor, action="aid.appeal.file", obj=appeal, personal_data=True,
                changes={"proposal": proposal.pk, "deadline": deadline.isoformat(), "public": actor is None})
    return appeal


@transaction.atomic
def appeal_decide(*, actor: Any, appeal: Appeal, grant: bool, answer: str) -> Appeal:
    """Deny with an answer, or grant: granting a rejection asks for an override, which a second
    officer approves (the appeal is granted then)."""
    _officer(actor)
    answer = _reason(answer, "answer")
    appeal = Appeal.objects.select_for_update().select_related("proposal__scheme").get(pk=appeal.pk)
    if appeal.status != AppealStatus.SUBMITTED:
        raise ApplicationError("Banding ini sudah diputuskan. / This appeal has already been decided.")
    appeal.answer = answer
    if grant:
        appeal.override = override_request(actor=actor, proposal=appeal.proposal, reason=f"Banding dikabulkan: {answer}")
        appeal.status = AppealStatus.GRANTED_PENDING
    else:
        appeal.status, appeal.decided_by, appeal.decided_at = AppealStatus.DENIED, actor, timezone.now()
        ProposalEvent.objects.create(proposal=appeal.proposal, actor=actor, action="appeal_deny", reason=answer,
                                     before=appeal.proposal.decision, after=appeal.proposal.decision)
    appeal.save()
    audit_write(actor=actor, action="aid.appeal.decide", obj=appeal, personal_data=True,
                changes={"grant": grant, "status": appeal.status})
    return appeal


def appeal_overdue(appeal: Appeal) -> bool:
    return appeal.status == AppealStatus.SUBMITTED and appeal.deadline < timezone.localdate()

