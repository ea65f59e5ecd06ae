"""Every write of village services: PINs for self-service, requests, checking, signing with a
gap-free number, the PDF and its fingerprint, revocation, notifications."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pendopo.core.audit import audit_write
from pendopo.core.errors import ApplicationError, PermissionDenied
from pendopo.core.masking import mask_name
from pendopo.core.models import Region, Unit
from pendopo.core.roles import VILLAGE_ROLES, Role
from pendopo.core.scopes import scope_for
from pendopo.letters.models import (
    LetterCounter,
    LetterRequest,
    LetterType,
    RequestSource,
    RequestStatus,
    VillageTemplate,
)
from pendopo.population.models import FamilyMembership, Resident, ResidentStatus

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")


def tanggal(d: dt.date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _village_staff(actor: Any, village: str, *, sign: bool = False) -> None:
    role = getattr(actor, "role", None)
    allowed = {Role.VILLAGE_HEAD} if sign else VILLAGE_ROLES
    if role not in allowed:
        raise PermissionDenied("Hanya kepala desa yang menandatangani surat. / Only the village head signs." if sign else
                               "Hanya perangkat desa yang memproses surat. / Only village staff process letters.")
    if not scope_for(actor).covers_region(village):
        raise PermissionDenied("Permohonan ini milik desa lain. / This request belongs to another village.")


# --- self-service PIN -------------------------------------------------------------------------

@transaction.atomic
def resident_pin_issue(*, actor: Any, resident: Resident) -> str:
    """Give a resident a new 6-digit PIN for self-service (NIK + PIN), as villages do at the
    counter. The PIN is shown once and stored only as a hash."""
    _village_staff(actor, resident.village_id)
    if resident.status != ResidentStatus.ALIVE:
        raise ValidationError("Penduduk ini tidak tercatat hidup di desa. / Not a living resident.")
    pin = f"{secrets.randbelow(10**6):06d}"
    user = resident.user
    if user is None:
        user = get_user_model().objects.create(username=f"nik{resident.nik}", role=Role.RESIDENT, full_name=resident.name,
                                               unit=Unit.objects.filter(code=resident.village_id).first())
        resident.user = user
        resident.save(update_fields=["user"])
    user.set_password(pin)
    user.is_active = True
    user.save()
    audit_write(actor=actor, action="resident.pin_issue", obj=resident, personal_data=True, changes={"user": user.pk})
    return pin


# --- templates --------------------------------------------------------------------------------

def _region_names(village: str) -> tuple[str, str, str]:
    v = Region.objects.select_related("parent__parent").get(code=village)
    kec = v.parent
    kab = kec.parent if kec else None
    return v.name, kec.name if kec else "", kab.name if kab else ""


def context_for(req: LetterRequest, *, number: str = "", on: dt.date | None = None, head: str = "") -> dict[str, str]:
    """The placeholders a template may use, from the registry (never retyped) and the request."""
    r = req.resident
    desa, kec, kab = _region_names(req.village_id)
    kk = FamilyMembership.objects.filter(resident=r, valid_to__isnull=True).values_list("family__kk_number", flat=True).first() or ""
    ctx = {
        "nama": r.name, "nik": r.nik, "kk": kk, "jenis_kelamin": r.get_sex_display(), "tempat_lahir": r.birth_place,
        "tanggal_lahir": tanggal(r.birth_date), "agama": r.get_religion_display(), "status_perkawinan": r.get_marital_status_display(),
        "pekerjaan": r.occupation, "alamat": r.address, "dusun": r.dusun, "rt": r.rt, "rw": r.rw, "desa": desa, "kecamatan": kec,
        "kabupaten": kab, "keperluan": req.purpose, "nomor": number, "tanggal": tanggal(on or timezone.localdate()),
        "kepala_desa": head,
    }
    ctx.update({k: str(v) for k, v in (req.data or {}).items()})
    return {k: str(v or "") for k, v in ctx.items()}


def template_for(letter_type: LetterType, village: str) -> str:
    own = VillageTemplate.objects.filter(village_id=village, letter_type=letter_type).values_list("body", flat=True).first()
    return own or letter_type.body


def render_body(text: str, ctx: dict[str, str]) -> str:
    """Fill ``{placeholder}``s. An unknown placeholder or an empty value is a clear error naming
    it, never a letter with a hole in it."""
    names = _PLACEHOLDER.findall(text)
    unknown = sorted({n for n in names if n not in ctx})
    if unknown:
        raise ValidationError({"body": f"Isian tidak dikenal di templat: {', '.join('{' + n + '}' for n in unknown)}"})
    empty = sorted({n for n in names if not ctx[n].strip() and n not in {"nomor", "kepala_desa"}})
    if empty:
        raise ValidationError({"body": f"Data kosong untuk: {', '.join('{' + n + '}' for n in empty)}; lengkapi data penduduk atau isian surat."})
    return _PLACEHOLDER.sub(lambda m: ctx[m.group(1)], text)


@transaction.atomic
def template_save(*, actor: Any, village: str, letter_type: LetterType, body: str) -> VillageTemplate:
    """A village's own wording; it must render with the placeholders the product knows."""
    if getattr(actor, "role", None) != Role.VILLAGE_HEAD or not scope_for(actor).covers_region(village):
        raise PermissionDenied("Templat diubah oleh kepala desa. / Templates are changed by the village head.")
    known = set(context_key_names()) | {f["name"] for f in letter_type.fields}
    unknown = sorted({n for n in _PLACEHOLDER.findall(body) if n not in known})
    if unknown:
        raise ValidationError({"body": f"Isian tidak dikenal: {', '.join('{' + n + '}' for n in unknown)}"})
    if not body.strip():
        raise ValidationError({"body": "Isi surat kosong. / The body is empty."})
    t, _created = VillageTemplate.objects.update_or_create(village_id=village, letter_type=letter_type,
                                                           defaults={"body": body.strip(), "updated_by": actor})
    audit_write(actor=actor, action="letters.template.save", obj=t, changes={"letter_type": letter_type.code})
    return t


def context_key_names() -> list[str]:
    return ["nama", "nik", "kk", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "agama", "status_perkawinan", "pekerjaan",
            "alamat", "dusun", "rt", "rw", "desa", "kecamatan", "kabupaten", "keperluan", "nomor", "tanggal", "kepala_desa"]


# --- requests ---------------------------------------------------------------------------------

def _clean_fields(letter_type: LetterType, data: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    missing = []
    for f in letter_type.fields:
        value = str(data.get(f["name"]) or "").strip()
        if f.get("required") and not value:
            missing.append(f["label"])
        out[f["name"]] = value[:300]
    if missing:
        raise ValidationError({"data": f"Wajib diisi: {', '.join(missing)}"})
    return out


@transaction.atomic
def letter_request_submit(*, actor: Any, resident: Resident, letter_type: LetterType, purpose: str, data: dict[str, Any],
                          source: str) -> LetterRequest:
    """A resident asks for their own letter (self-service), or the counter enters it for them.
    The personal data comes from the registry, never retyped."""
    role = getattr(actor, "role", None)
    if source == RequestSource.SELF:
        if role != Role.RESIDENT or getattr(actor, "resident", None) is None or actor.resident.pk != resident.pk:
            raise PermissionDenied("Warga hanya dapat memohon surat untuk dirinya sendiri. / Residents ask for their own letters.")
        if letter_type.records_death:
            raise PermissionDenied("Surat kematian diurus di loket desa. / Death letters are made at the counter.")
    else:
        _village_staff(actor, resident.village_id)
    if not letter_type.active:
        raise ValidationError({"letter_type": "Jenis surat ini tidak aktif."})
    if resident.status != ResidentStatus.ALIVE and not letter_type.records_death:
        raise ValidationError({"resident": "Penduduk ini tidak tercatat hidup di desa. / Not a living resident of the village."})
    if not purpose.strip():
        raise ValidationError({"purpose": "Keperluan wajib diisi. / The purpose is required."})
    open_same = LetterRequest.objects.filter(resident=resident, letter_type=letter_type, purpose=purpose.strip(),
                                             status__in=[RequestStatus.SUBMITTED, RequestStatus.PROCESSING, RequestStatus.SIGNING])
    if open_same.exists():
        raise ValidationError({"purpose": "Permohonan yang sama masih diproses. / The same request is still open."})
    req = LetterRequest.objects.create(village_id=resident.village_id, resident=resident, letter_type=letter_type,
                                       purpose=purpose.strip()[:200], data=_clean_fields(letter_type, data), source=source,
                                       created_by=actor if getattr(actor, "pk", None) else None)
    audit_write(actor=actor, action="letters.request.submit", obj=req, personal_data=True,
                changes={"type": letter_type.code, "source": source})
    return req


@transaction.atomic
def letter_request_check(*, actor: Any, request: LetterRequest, approve: bool, reason: str = "",
                         attachments_seen: list[str] | None = None) -> LetterRequest:
    """The operator checks the request (and its attachments): on to the head, or rejected with a reason."""
    req = LetterRequest.objects.select_for_update().select_related("letter_type", "resident").get(pk=request.pk)
    _village_staff(actor, req.village_id)
    if req.status not in (RequestStatus.SUBMITTED, RequestStatus.PROCESSING):
        raise ApplicationError("Permohonan ini sudah diperiksa. / Already checked.")
    if approve:
        missing = [a for a in req.letter_type.attachments if a not in (attachments_seen or [])]
        if missing:
            raise ValidationError({"attachments": f"Lampiran belum diperiksa: {', '.join(missing)}"})
        # Render once now, so a template or data problem surfaces here and not at signing.
        render_body(template_for(req.letter_type, req.village_id), context_for(req))
        req.status = RequestStatus.SIGNING
    else:
        if len(reason.strip()) < 5:
            raise ValidationError({"reason": "Tulis alasan penolakan untuk warga. / Give the reason."})
        req.status, req.reject_reason = RequestStatus.REJECTED, reason.strip()
    req.checked_at, req.checked_by = timezone.now(), actor
    req.save()
    audit_write(actor=actor, action="letters.request.check", obj=req, personal_data=True,
                changes={"approve": approve, "reason": reason[:300]})
    if not approve:
        transaction.on_commit(lambda: notify(req.pk))
    return req


def _next_serial(village: str, letter_type: LetterType, year: int) -> int:
    LetterCounter.objects.get_or_create(village_id=village, letter_type=letter_type, year=year)
    counter = LetterCounter.objects.select_for_update().get(village_id=village, letter_type=letter_type, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def letter_number(serial: int, letter_type: LetterType, village: str, on: dt.date) -> str:
    """``470/0012/SKU/35.10.09.2001/XI/2026``: classification, serial, type, village, month, year."""
    return f"470/{serial:04d}/{letter_type.code}/{village}/{_ROMAN[on.month - 1]}/{on.year}"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


@transaction.atomic
def letter_sign(*, actor: Any, request: LetterRequest) -> LetterRequest:
    """The head signs: the next number of this village, type and year is taken under a lock (the
    unique constraint backs it), the PDF is drawn with its QR code, its fingerprint kept. A death
    letter records the death in the registry with the registry's own service."""
    from pendopo.letters.pdf import letter_pdf

    req = LetterRequest.objects.select_for_update().select_related("letter_type", "resident", "village").get(pk=request.pk)
    _village_staff(actor, req.village_id, sign=True)
    if req.status != RequestStatus.SIGNING:
        raise ApplicationError("Permohonan ini belum siap ditandatangani. / Not ready for signing.")
    today = timezone.localdate()
    serial = _next_serial(req.village_id, req.letter_type, today.year)
    number = letter_number(serial, req.letter_type, req.village_id, today)
    head = getattr(actor, "display_name", "") or actor.get_username()
    body = render_body(template_for(req.letter_type, req.village_id), context_for(req, number=number, on=today, head=head))
    for _attempt in range(5):
        code = _new_code()
        if not LetterRequest.objects.filter(code=code).exists():
            break
    req.year, req.serial, req.number, req.code = today.year, serial, number, code
    req.signed_at, req.signed_by, req.signer_name = timezone.now(), actor, head
    pdf = letter_pdf(req, body)
    req.pdf, req.fingerprint, req.status = pdf, hashlib.sha256(pdf).hexdigest(), RequestStatus.READY
    try:
        with transaction.atomic():
            req.save()
    except IntegrityError as exc:  # only if the counter was bypassed; the constraint holds anyway
        raise ApplicationError("Nomor surat bertabrakan; coba tandatangani lagi. / Number clash; sign again.") from exc
    if req.letter_type.records_death and req.resident.status == ResidentStatus.ALIVE:
        from pendopo.population import life

        died = dt.date.fromisoformat(req.data.get("tanggal_meninggal", "")) if req.data.get("tanggal_meninggal") else today
        life.death_register(actor=actor, resident=req.resident, died_on=died, place=req.data.get("tempat_meninggal", ""),
                            cause=req.data.get("sebab", ""))
    audit_write(actor=actor, action="letters.sign", obj=req, personal_data=True,
                changes={"number": number, "fingerprint": req.fingerprint})
    transaction.on_commit(lambda: notify(req.pk))
    return req


@transaction.atomic
def letter_revoke(*, actor: Any, request: LetterRequest, reason: str) -> LetterRequest:
    req = LetterRequest.objects.select_for_update().get(pk=request.pk)
    _village_staff(actor, req.village_id, sign=True)
    if req.status != RequestStatus.READY:
        raise ApplicationError("Hanya surat yang sudah terbit yang dapat dicabut. / Only issued letters can be revoked.")
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": "Tulis alasan pencabutan. / Give the reason."})
    req.status, req.revoked_at, req.revoke_reason = RequestStatus.REVOKED, timezone.now(), reason.strip()
    req.save(update_fields=["status", "revoked_at", "revoke_reason"])
    audit_write(actor=actor, action="letters.revoke", obj=req, changes={"reason": reason[:300]})
    return req


# --- verification and notification -----------------------------------------------------------

def verify(*, code: str, content: bytes | None = None) -> dict[str, Any]:
    """What the public may know of a letter by its code; with ``content``, whether that file is
    the very letter the village signed (its SHA-256 against the one kept at signing)."""
    req = LetterRequest.objects.select_related("letter_type", "village", "resident").filter(code=(code or "").strip().upper()).first()
    if req is None or req.status not in (RequestStatus.READY, RequestStatus.REVOKED):
        return {"found": False}
    out: dict[str, Any] = {
        "found": True, "valid": req.status == RequestStatus.READY, "type": req.letter_type.name, "number": req.number,
        "date": req.signed_at.date() if req.signed_at else None, "name": mask_name(req.resident.name), "village": req.village.name,
        "signer": req.signer_name, "fingerprint": req.fingerprint, "revoked_reason": req.revoke_reason if req.revoked_at else "",
        "code": req.code,
    }
    if content is not None:
        out["file_matches"] = hashlib.sha256(content).hexdigest() == req.fingerprint
    return out


def notify(request_id: int) -> None:
    """Tell the resident their letter is ready or was rejected, through the configured channel."""
    from pendopo.letters.notify import notifier

    req = LetterRequest.objects.select_related("resident__user", "letter_type", "village").get(pk=request_id)
    sent = notifier().send(req)
    if sent:
        LetterRequest.objects.filter(pk=req.pk).update(notified_at=timezone.now())
