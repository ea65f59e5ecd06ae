"""Life events: the services by which a village (and, for deaths, a puskesmas or RSUD) keeps the
registry current. Each one updates the registry, keeps the history (a ``LifeEvent`` and dated
KK memberships), writes the audit trail, tells the in-memory indexes the registry changed, and
announces deaths and moves so other parts of the product react (aid flags holdings for exit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from pendopo.core.audit import audit_write
from pendopo.core.errors import PermissionDenied
from pendopo.core.models import Region, UnitKind
from pendopo.core.roles import VILLAGE_ROLES, Role
from pendopo.core.scopes import scope_for
from pendopo.linkage.nik import nik_problem_says, parse_nik
from pendopo.population.events import residents_left
from pendopo.population.importing import registry_changed
from pendopo.population.models import (
    Family,
    FamilyMembership,
    LifeEvent,
    LifeEventKind,
    MaritalStatus,
    Relationship,
    Resident,
    ResidentStatus,
)
from pendopo.population.search import tokens_refresh

# Who reports deaths from outside the village: hospitals and puskesmas, for anyone in the regency.
HEALTH_UNITS = frozenset({UnitKind.PUSKESMAS, UnitKind.RSUD})
CORRECTABLE = ("nik", "name", "sex", "birth_place", "birth_date", "religion", "marital_status", "occupation", "education",
               "dusun", "rt", "rw")


def _village_actor(actor: Any, village: str) -> None:
    role = getattr(actor, "role", None)
    if role not in VILLAGE_ROLES | {Role.ADMIN}:
        raise PermissionDenied("Peristiwa kependudukan dicatat oleh desa/kelurahan. / Life events are recorded by the village.")
    if not scope_for(actor).covers_region(village):
        raise PermissionDenied("Penduduk ini di luar desa Anda. / This resident is outside your village.")


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: "Tanggal tidak boleh di masa depan. / The date cannot be in the future."})


def _check_nik(nik: str, sex: str, birth: dt.date, exception: str, *, exclude: int | None = None) -> str:
    parsed = parse_nik(nik)
    template, values = nik_problem_says(parsed, sex, birth)
    if template:
        with translation.override("en"):
            english = translation.gettext(template) % values
        problem, english = template % values, english[:1].upper() + english[1:]
        if parsed.digits is None:
            raise ValidationError({"nik": f"{problem}. / {english}."})
        if not exception.strip():
            raise ValidationError({"nik": f"{problem}. Bila NIK memang demikian di KTP/KK, isi alasan pengecualian. / "
                                          f"{english}. If the NIK really is so on the ID or family card, "
                                          "give the reason for the exception."})
    taken = Resident.objects.filter(nik=parsed.digits)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"nik": "NIK ini sudah dipakai penduduk lain. / This NIK belongs to another resident."})
    return parsed.digits


def _event(kind: str, resident: Resident, actor: Any, on: dt.date, details: dict[str, Any], reason: str = "") -> LifeEvent:
    unit = getattr(actor, "unit", None)
    ev = LifeEvent.objects.create(kind=kind, resident=resident, occurred_on=on, recorded_by=actor if getattr(actor, "pk", None) else None,
                                  reporting_unit=unit if unit is not None and unit.kind in HEALTH_UNITS else None,
                                  details=details, reason=reason)
    audit_write(actor=actor, action=f"resident.{kind}", obj=resident, personal_data=True,
                changes={"event": ev.pk, "on": on.isoformat(), **{k: v for k, v in details.items() if k != "before"}})
    return ev


def _close_membership(resident: Resident, on: dt.date) -> FamilyMembership | None:
    m = FamilyMembership.objects.filter(resident=resident, valid_to__isnull=True).select_related("family").first()
    if m is not None:
        m.valid_to = max(on, m.valid_from)
        m.save(update_fields=["valid_to"])
    return m


@transaction.atomic
def birth_register(*, actor: Any, family: Family, name: str, sex: str, birth_date: dt.date, nik: str, birth_place: str = "",
                   religion: str = "", nik_exception_reason: str = "") -> Resident:
    """A child born into a family: a new resident on that KK from the day of birth."""
    _village_actor(actor, family.village_id)
    _not_future(birth_date, "birth_date")
    if not name.strip():
        raise ValidationError({"name": "Nama bayi wajib diisi. / The child's name is required."})
    if sex not in ("L", "P"):
        raise ValidationError({"sex": "Pilih L atau P."})
    if family.closed_on is not None:
        raise ValidationError({"family": "KK ini sudah tidak berlaku. / This KK is no longer valid."})
    digits = _check_nik(nik, sex, birth_date, nik_exception_reason)
    r = Resident(nik=digits, name=name.strip(), sex=sex, birth_place=birth_place.strip(), birth_date=birth_date, religion=religion,
                 marital_status=MaritalStatus.SINGLE,
                 village_id=family.village_id, dusun=family.dusun, rt=family.rt, rw=family.rw,
                 nik_exception_reason=nik_exception_reason.strip()[:250])
    r.full_clean()
    r.save()
    FamilyMembership.objects.create(family=family, resident=r, relationship=Relationship.CHILD, valid_from=birth_date)
    tokens_refresh([r.pk])
    _event(LifeEventKind.BIRTH, r, actor, birth_date, {"kk": family.kk_number, "birth_place": r.birth_place})
    registry_changed()
    return r


@transaction.atomic
def death_register(*, actor: Any, resident: Resident, died_on: dt.date, place: str = "", cause: str = "") -> LifeEvent:
    """A death, recorded by the village or reported by a puskesmas or RSUD for a resident of any
    village. The person leaves their KK on that day; aid holdings are flagged for exit."""
    role = getattr(actor, "role", None)
    unit = getattr(actor, "unit", None)
    health = role in {Role.AGENCY_STAFF, Role.AGENCY_HEAD} and unit is not None and unit.kind in HEALTH_UNITS
    if not health:
        _village_actor(actor, resident.village_id)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.status != ResidentStatus.ALIVE:
        raise ValidationError({"resident": f"Penduduk ini tercatat {resident.get_status_display().lower()}. / Not alive in the registry."})
    _not_future(died_on, "died_on")
    if died_on < resident.birth_date:
        raise ValidationError({"died_on": "Tanggal meninggal sebelum tanggal lahir. / Death before birth."})
    resident.status, resident.status_changed_on = ResidentStatus.DECEASED, died_on
    resident.save(update_fields=["status", "status_changed_on"])
    m = _close_membership(resident, died_on)
    ev = _event(LifeEventKind.DEATH, resident, actor, died_on,
                {"place": place.strip()[:120], "cause": cause.strip()[:200], "kk": m.family.kk_number if m else "",
                 "head": bool(m and m.relationship == Relationship.HEAD), "reported_by": unit.name if health and unit else ""})
    registry_changed()
    residents_left.send(sender=death_register, residents={resident.pk: ResidentStatus.DECEASED}, on=died_on, actor=actor)
    return ev


@transaction.atomic
def move_out_register(*, actor: Any, resident: Resident, moved_on: dt.date, destination: str) -> LifeEvent:
    """The resident moves out of the regency (a move within it is a move out and a move in)."""
    _village_actor(actor, resident.village_id)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.status != ResidentStatus.ALIVE:
        raise ValidationError({"resident": "Penduduk ini tidak tercatat hidup di sini. / Not a living resident here."})
    _not_future(moved_on, "moved_on")
    if not destination.strip():
        raise ValidationError({"destination": "Tujuan pindah wajib diisi. / The destination is required."})
    resident.status, resident.status_changed_on = ResidentStatus.MOVED, moved_on
    resident.save(update_fields=["status", "status_changed_on"])
    m = _close_membership(resident, moved_on)
    ev = _event(LifeEventKind.MOVE_OUT, resident, actor, moved_on, {"destination": destination.strip()[:200],
                                                                     "kk": m.family.kk_number if m else ""})
    registry_changed()
    residents_left.send(sender=move_out_register, residents={resident.pk: ResidentStatus.MOVED}, on=moved_on, actor=actor)
    return ev


@transaction.atomic
def move_in_register(*, actor: Any, village: str, kk_number: str, relationship: str, moved_on: dt.date, origin: str,
                     nik: str, name: str, sex: str, birth_date: dt.date, birth_place: str = "", dusun: str = "", rt: str = "",
                     rw: str = "", nik_exception_reason: str = "") -> Resident:
    """Someone moves into the village, onto an existing KK or a new one."""
    _village_actor(actor, village)
    if not Region.objects.filter(code=village).exists():
        raise ValidationError({"village": "Desa tidak dikenal. / Unknown village."})
    _not_future(moved_on, "moved_on")
    kk = "".join(ch for ch in kk_number if ch.isdigit())
    if len(kk) != 16:
        raise ValidationError({"kk_number": "Nomor KK harus 16 digit. / A KK number has 16 digits."})
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": "Hubungan keluarga tidak dikenal."})
    digits = _check_nik(nik, sex, birth_date, nik_exception_reason)
    family = Family.objects.filter(kk_number=kk).first()
    if family is None:
        family = Family.objects.create(kk_number=kk, village_id=village, dusun=dusun, rt=rt, rw=rw, issued_on=moved_on)
    elif family.village_id != village or family.closed_on is not None:
        raise ValidationError({"kk_number": "KK ini milik desa lain atau sudah tidak berlaku. / This KK is elsewhere or closed."})
    r = Resident(nik=digits, name=name.strip(), sex=sex, birth_place=birth_place.strip(), birth_date=birth_date, village_id=village,
                 dusun=dusun or family.dusun, rt=rt or family.rt, rw=rw or family.rw, nik_exception_reason=nik_exception_reason.strip()[:250])
    r.full_clean()
    r.save()
    FamilyMembership.objects.create(family=family, resident=r, relationship=relationship, valid_from=moved_on)
    tokens_refresh([r.pk])
    _event(LifeEventKind.MOVE_IN, r, actor, moved_on, {"origin": origin.strip()[:200], "kk": kk})
    registry_changed()
    return r


@transaction.atomic
def kk_change_register(*, actor: Any, residents: list[Resident], new_kk_number: str, head: Resident, on: dt.date,
                       reason: str) -> Family:
    """Residents leave their KK for a new or another card (a split, a marriage, a divorce, a
    head who died): the old memberships end and the new ones start on that day (a membership
    runs up to, not including, its ``valid_to``)."""
    if not residents or head not in residents:
        raise ValidationError({"head": "Kepala keluarga harus salah satu anggota yang pindah KK. / The head must be among them."})
    for r in residents:
        _village_actor(actor, r.village_id)
    _not_future(on, "on")
    if not reason.strip():
        raise ValidationError({"reason": "Sebutkan alasan perubahan KK. / Give the reason."})
    kk = "".join(ch for ch in new_kk_number if ch.isdigit())
    if len(kk) != 16:
        raise ValidationError({"new_kk_number": "Nomor KK harus 16 digit. / A KK number has 16 digits."})
    family = Family.objects.filter(kk_number=kk).first()
    if family is None:
        family = Family.objects.create(kk_number=kk, village_id=head.village_id, dusun=head.dusun, rt=head.rt, rw=head.rw, issued_on=on)
    for r in residents:
        old = FamilyMembership.objects.filter(resident=r, valid_to__isnull=True).select_related("family").first()
        if old is not None and old.family_id == family.pk:
            continue
        if old is not None:
            if on <= old.valid_from:
                raise ValidationError({"on": "Tanggal sebelum keanggotaan KK lama dimulai. / Before the old membership began."})
            old.valid_to = on  # memberships run up to, not including, valid_to
            old.save(update_fields=["valid_to"])
        rel = Relationship.HEAD if r.pk == head.pk else (
            Relationship.OTHER if old is None or old.relationship == Relationship.HEAD else old.relationship)
        try:
            with transaction.atomic():
                FamilyMembership.objects.create(family=family, resident=r, relationship=rel, valid_from=on)
        except IntegrityError as exc:
            raise ValidationError({"new_kk_number": "Keanggotaan KK bertabrakan. / Overlapping KK membership."}) from exc
        _event(LifeEventKind.KK_CHANGE, r, actor, on, {"from": old.family.kk_number if old else "", "to": kk}, reason.strip())
    registry_changed()
    return family


@transaction.atomic
def correction_register(*, actor: Any, resident: Resident, changes: dict[str, Any], reason: str,
                        nik_exception_reason: str = "") -> Resident:
    """A correction of recorded data, with the reason and the values before and after."""
    _village_actor(actor, resident.village_id)
    if not reason.strip():
        raise ValidationError({"reason": "Sebutkan dasar koreksi (mis. KTP, akta). / Give the basis of the correction."})
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError({"changes": f"Tidak dapat dikoreksi di sini: {', '.join(sorted(unknown))}"})
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = {k: getattr(resident, k) for k in changes}
    after = {k: v for k, v in changes.items() if getattr(resident, k) != v}
    if not after:
        raise ValidationError({"changes": "Tidak ada yang berubah. / Nothing changed."})
    for k, v in after.items():
        setattr(resident, k, v)
    if {"nik", "sex", "birth_date"} & set(after):
        resident.nik = _check_nik(resident.nik, resident.sex, resident.birth_date, nik_exception_reason or resident.nik_exception_reason,
                                  exclude=resident.pk)
        if nik_exception_reason:
            resident.nik_exception_reason = nik_exception_reason.strip()[:250]
    resident.full_clean()
    resident.save()
    if "name" in after:
        tokens_refresh([resident.pk])
    _event(LifeEventKind.CORRECTION, resident, actor, timezone.localdate(),
           {"fields": sorted(after), "before": {k: str(before[k]) for k in after}, "after": {k: str(v) for k, v in after.items()}},
           reason.strip())
    registry_changed()
    return resident
