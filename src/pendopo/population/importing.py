"""Import of civil-registry extracts (CSV or XLSX in the registry shape of the screening
contract, plus optional extra columns).

Every row is validated on its own; rows that fail go to the quarantine with the reason and the
column, and never hold back a good row. The whole import is one transaction: a crash or a kill
midway leaves the registry as it was. Re-importing the same file changes nothing; an updated
file's changes are recorded (status changes with their date, KK changes as dated membership,
every changed field in the audit trail).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from pendopo.core.audit import audit_write
from pendopo.core.models import Region, RegionLevel
from pendopo.linkage.address import normalise_village_code
from pendopo.linkage.dates import parse_date
from pendopo.linkage.errors import InputError
from pendopo.linkage.io import open_table
from pendopo.linkage.nik import clean_digits, nik_problem, parse_nik
from pendopo.linkage.records import normalise_sex
from pendopo.population.events import residents_left
from pendopo.population.models import (
    Education,
    Family,
    FamilyMembership,
    ImportStatus,
    MaritalStatus,
    QuarantinedRow,
    RegistryImport,
    RegistryState,
    Relationship,
    Religion,
    Resident,
    ResidentStatus,
)
from pendopo.population.search import tokens_insert, tokens_refresh
from pendopo.population.services import IdAllocator, insert_rows
from pendopo.population.values import registry_status, split_address

REQUIRED = ("person_id", "nik", "kk", "name", "sex", "birth_date", "village_code", "status")
OPTIONAL = ("birth_place", "address", "religion", "marital_status", "occupation", "education", "relationship",
            "nik_exception_reason")
CHUNK = 5_000
Progress = Callable[[int, int], None]  # (rows done, rows in all)
# Fields an import may change, in the order they are compared.
FIELDS = ("nik", "name", "sex", "birth_place", "birth_date", "religion", "marital_status", "occupation", "education",
          "village_id", "dusun", "rt", "rw", "status", "nik_exception_reason")


@dataclass
class Clean:
    line: int
    person_id: str
    kk: str
    relationship: str
    values: dict[str, Any]


@dataclass
class Result:
    record: RegistryImport
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, reason), first 20


def _choice(value: object, choices: type[Any]) -> str:
    text = str(value or "").strip().lower().replace(" ", "_").replace("/", "_")
    if not text:
        return ""
    for c in choices:
        if text in (c.value, str(c.label).lower().replace(" ", "_").replace("/", "_")):
            return str(c.value)
    return ""


def _validate(line: int, cells: dict[str, object], villages: set[str], today: dt.date) -> Clean | tuple[str, str]:
    """A clean row, or (column, reason) for the quarantine."""
    pid = str(cells.get("person_id") or "").strip()
    if not pid:
        return "person_id", "person_id kosong"
    if len(pid) > 40:
        return "person_id", "person_id lebih dari 40 karakter"
    name = " ".join(str(cells.get("name") or "").split())
    if not name:
        return "name", "nama kosong"
    sex = normalise_sex(cells.get("sex"))
    if not sex:
        return "sex", f"jenis kelamin '{cells.get('sex') or ''}' tidak dikenal (L/P)"
    birth = parse_date(cells.get("birth_date"), today=today).date
    if birth is None and parse_date(cells.get("birth_date"), today=dt.date.max).date is not None:
        return "birth_date", "tanggal lahir di masa depan"
    if birth is None:
        return "birth_date", f"tanggal lahir '{cells.get('birth_date') or ''}' tidak dapat dibaca (YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY)"
    parsed = parse_nik(cells.get("nik"))
    exception = str(cells.get("nik_exception_reason") or "").strip()[:250]
    problem = nik_problem(parsed, sex, birth)
    # Only a well-formed NIK that disagrees with the birth date can be accepted with a reason.
    structural = nik_problem(parsed, "", None)
    if structural or (problem and not exception):
        return "nik", problem or "NIK tidak sah"
    kk, _, _ = clean_digits(cells.get("kk"))
    if len(kk) != 16 or not kk.isdigit():
        return "kk", "nomor KK harus 16 digit"
    village = normalise_village_code(cells.get("village_code"))
    if village not in villages:
        return "village_code", f"kode desa '{cells.get('village_code') or ''}' tidak dikenal"
    status = registry_status(cells.get("status"))
    if status is None:
        return "status", f"status '{cells.get('status')}' tidak dikenal (alive, deceased, moved)"
    dusun, rt, rw = split_address(cells.get("address"))
    return Clean(line, pid, kk, _choice(cells.get("relationship"), Relationship) or "", {
        "nik": parsed.digits, "name": name[:150], "sex": sex, "birth_place": str(cells.get("birth_place") or "").strip()[:80],
        "birth_date": birth, "religion": _choice(cells.get("religion"), Religion),
        "marital_status": _choice(cells.get("marital_status"), MaritalStatus),
        "occupation": str(cells.get("occupation") or "").strip()[:80], "education": _choice(cells.get("education"), Education),
        "village_id": village, "dusun": dusun, "rt": rt[:3], "rw": rw[:3], "status": status,
        "nik_exception_reason": exception if problem else "",
    })


def _rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, object]]], int | None]:
    table = open_table(path)
    header = [h.strip() for h in table.header]
    lower = {h.lower(): i for i, h in enumerate(header)}
    missing = [c for c in REQUIRED if c not in lower]
    if missing:
        close = getattr(table.rows, "close", None)
        if close:
            close()
        raise InputError(f"kolom wajib '{missing[0]}' tidak ada (kolom yang ada: {', '.join(header)}) / required column missing",
                         file=str(path), row=1, column=missing[0])
    wanted = {c: lower[c] for c in REQUIRED + OPTIONAL if c in lower}

    def rows() -> Iterator[tuple[int, dict[str, object]]]:
        for line, row in enumerate(table.rows, start=1):
            if not any(v not in (None, "") for v in row):
                continue
            yield line, {c: (row[i] if i < len(row) else None) for c, i in wanted.items()}

    return header, rows(), table.size_hint


def registry_import(*, actor: Any, path: str | Path, progress: Progress | None = None,
                    saving: Callable[[int], None] | None = None) -> Result:
    """Load an extract. Raises ``InputError`` (nothing written) when the file itself is unusable.
    ``saving(rows)`` is called when every row has been read and checked and writing begins."""
    p = Path(path)
    _, rows, size = _rows(p)
    digest = hashlib.sha256()
    with p.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    today = timezone.localdate()
    villages = set(Region.objects.filter(level=RegionLevel.VILLAGE).values_list("code", flat=True))
    record = RegistryImport(file_name=p.name[:200], file_sha256=digest.hexdigest(), created_by=actor if getattr(actor, "pk", None) else None)
    result = Result(record)
    seen_pid: dict[str, int] = {}
    seen_nik: dict[str, int] = {}
    good: list[Clean] = []
    bad: list[QuarantinedRow] = []
    n = 0
    for line, cells in rows:
        n += 1
        checked = _validate(line, cells, villages, today)
        if isinstance(checked, Clean):
            if checked.person_id in seen_pid:
                checked = ("person_id", f"person_id sama dengan baris {seen_pid[checked.person_id]}")
            elif checked.values["nik"] in seen_nik:
                checked = ("nik", f"NIK sama dengan baris {seen_nik[checked.values['nik']]} di berkas yang sama")
            else:
                seen_pid[checked.person_id] = line
                seen_nik[checked.values["nik"]] = line
                good.append(checked)
        if not isinstance(checked, Clean):
            column, reason = checked
            bad.append(QuarantinedRow(line=line, column=column, reason=reason[:250],
                                      data={k: (None if v is None else str(v)) for k, v in cells.items()}))
        if progress and n % CHUNK == 0:
            progress(n, size or n)
    if n == 0:
        raise InputError("tidak ada baris data / no data rows", file=str(p), row=2)
    if saving:
        saving(n)
    with transaction.atomic():
        record.rows = n
        record.save()
        counts = _apply(good, bad, record, actor, today, progress, n)
        for b in bad:
            b.registry_import = record
        QuarantinedRow.objects.bulk_create(bad, batch_size=CHUNK)
        record.created, record.updated, record.unchanged = counts
        record.held_back = len(bad)
        record.status = ImportStatus.DONE
        record.save()
        if record.created or record.updated:
            registry_changed()
        audit_write(actor=actor if getattr(actor, "pk", None) else None, action="registry.import", obj=record,
                    changes={"rows": n, "created": record.created, "updated": record.updated, "unchanged": record.unchanged,
                             "held_back": record.held_back, "file": record.file_name})
    result.problems = [(b.line, b.column, b.reason) for b in bad[:20]]
    return result


RESIDENT_COLUMNS = ["id", "external_id", *(f for f in FIELDS), "status_changed_on"]


def _apply(good: list[Clean], bad: list[QuarantinedRow], record: RegistryImport, actor: Any, today: dt.date,
           progress: Progress | None, total: int) -> tuple[int, int, int]:
    """Write the clean rows chunk by chunk: new families, residents and memberships through the
    fast bulk path, changed residents through the ORM with their diff in the audit trail."""
    created = updated = unchanged = 0
    family_ids, resident_ids = IdAllocator(Family), IdAllocator(Resident)
    who = actor if getattr(actor, "pk", None) else None
    for start in range(0, len(good), CHUNK):
        chunk = good[start : start + CHUNK]
        found = Resident.objects.filter(Q(external_id__in=[c.person_id for c in chunk]) | Q(nik__in=[c.values["nik"] for c in chunk]))
        rows = list(found.values("id", "external_id", *FIELDS))
        by_pid = {r["external_id"]: r for r in rows if r["external_id"]}
        by_nik = {r["nik"]: r for r in rows}
        families = {k: (pk, issued) for k, pk, issued in
                    Family.objects.filter(kk_number__in={c.kk for c in chunk}).values_list("kk_number", "id", "issued_on")}
        first_of: dict[str, Clean] = {}
        for c in chunk:
            first_of.setdefault(c.kk, c)
        new_kks = sorted(set(first_of) - set(families))
        fam_rows: list[tuple[object, ...]] = []
        for kk, pk in zip(new_kks, family_ids.take(len(new_kks)), strict=True):
            v = first_of[kk].values
            fam_rows.append((pk, kk, v["village_id"], v["dusun"], v["rt"], v["rw"], None, None))
            families[kk] = (pk, None)
        insert_rows(Family._meta.db_table, ["id", "kk_number", "village_id", "dusun", "rt", "rw", "issued_on", "closed_on"], fam_rows)
        collisions = 0
        fresh: list[Clean] = []
        to_update: list[tuple[Resident, dict[str, tuple[object, object]]]] = []
        existing_of: dict[int, Clean] = {}
        for c in chunk:
            old = by_pid.get(c.person_id) or by_nik.get(c.values["nik"])
            if old is not None and old["external_id"] not in (None, c.person_id):
                collisions += 1
                bad.append(QuarantinedRow(line=c.line, column="nik", reason=f"NIK sudah dipakai penduduk {old['external_id']}",
                                          data={"person_id": c.person_id, "nik": c.values["nik"]}))
                continue
            if old is None:
                fresh.append(c)
                continue
            diff = {k: (old[k], v) for k, v in c.values.items() if old[k] != v}
            if old["external_id"] is None:
                diff["external_id"] = (None, c.person_id)
            if diff:
                changed = Resident(pk=old["id"], **{k: old[k] for k in FIELDS}, external_id=c.person_id)
                for k, (_, v) in diff.items():
                    setattr(changed, k, v)
                changed.status_changed_on = today if "status" in diff else None
                to_update.append((changed, diff))
            existing_of[old["id"]] = c
        res_rows: list[tuple[object, ...]] = []
        mem_rows: list[tuple[object, ...]] = []
        for c, pk in zip(fresh, resident_ids.take(len(fresh)), strict=True):
            v = c.values
            res_rows.append((pk, c.person_id, *(v[f] for f in FIELDS), today if v["status"] != ResidentStatus.ALIVE else None))
            fam_pk, issued = families[c.kk]
            mem_rows.append((fam_pk, pk, c.relationship or Relationship.OTHER, issued or today, None))
        insert_rows(Resident._meta.db_table, RESIDENT_COLUMNS, res_rows)
        tokens_insert((row[0], c.values["name"]) for row, c in zip(res_rows, fresh, strict=True))  # type: ignore[misc]
        insert_rows(FamilyMembership._meta.db_table, ["family_id", "resident_id", "relationship", "valid_from", "valid_to"], mem_rows)
        if to_update:
            fields = [*FIELDS, "external_id"]
            Resident.objects.bulk_update([r for r, _ in to_update], fields, batch_size=1000)
            tokens_refresh([r.pk for r, d in to_update if "name" in d])
            dated = [r for r, d in to_update if "status" in d]
            Resident.objects.bulk_update(dated, ["status_changed_on"], batch_size=1000)
            left = {r.pk: r.status for r in dated if r.status != ResidentStatus.ALIVE}
            if left:
                residents_left.send(sender=registry_import, residents=left, on=today, actor=who)
            for r, diff in to_update:
                audit_write(actor=who, action="resident.update", obj=r, personal_data=True,
                            changes={k: [_plain(a), _plain(b)] for k, (a, b) in diff.items()} | {"import": record.pk})
        moved = _memberships(existing_of, families, today)
        created += len(fresh)
        updated += len({r.pk for r, _ in to_update} | moved)
        unchanged += len(chunk) - len(fresh) - collisions - len({r.pk for r, _ in to_update} | moved)
        if progress:
            progress(min(total, start + len(chunk)), total)
    return created, updated, unchanged


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _memberships(clean_of: dict[int, Clean], families: dict[str, tuple[int, dt.date | None]], today: dt.date) -> set[int]:
    """Keep existing residents on the row's KK: a resident whose KK changed leaves the old one
    today and joins the new one (the history stays). Returns the residents that changed KK."""
    current = {m.resident_id: m for m in FamilyMembership.objects.filter(resident_id__in=list(clean_of), valid_to__isnull=True)}
    close: list[FamilyMembership] = []
    relate: list[FamilyMembership] = []
    open_: list[FamilyMembership] = []
    changed: set[int] = set()
    for rid, c in clean_of.items():
        m = current.get(rid)
        family_pk, issued = families[c.kk]
        if m is not None and m.family_id == family_pk:
            if c.relationship and m.relationship != c.relationship:
                m.relationship = c.relationship
                relate.append(m)
            continue
        if m is not None:
            m.valid_to = max(today, m.valid_from)
            close.append(m)
            changed.add(rid)
        open_.append(FamilyMembership(family_id=family_pk, resident_id=rid, relationship=c.relationship or Relationship.OTHER,
                                      valid_from=today if m is not None else (issued or today)))
    FamilyMembership.objects.bulk_update(close, ["valid_to"], batch_size=1000)
    FamilyMembership.objects.bulk_update(relate, ["relationship"], batch_size=1000)
    FamilyMembership.objects.bulk_create(open_, batch_size=CHUNK)
    return changed


def registry_changed() -> None:
    """Tell every in-memory index that the registry changed (after this transaction commits)."""
    RegistryState.objects.get_or_create(pk=1)
    RegistryState.objects.filter(pk=1).update(version=F("version") + 1)
