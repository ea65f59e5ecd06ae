"""Exports of a filtered resident list (XLSX or CSV) and the figures of the village pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from pendopo.core.audit import audit_read
from pendopo.core.errors import ApplicationError
from pendopo.core.masking import mask_number, sees_full_identity
from pendopo.core.models import AuditKind
from pendopo.population import selectors
from pendopo.population.models import Education, FamilyMembership, MaritalStatus, Resident

MAX_ROWS = 100_000
HEADER = ("NIK", "No KK", "Nama", "Jenis kelamin", "Tempat lahir", "Tanggal lahir", "Agama", "Status perkawinan", "Pekerjaan",
          "Pendidikan", "Dusun", "RT", "RW", "Kode desa", "Desa/kelurahan", "Status")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe(value: object) -> object:
    """A cell a spreadsheet will never run: text starting like a formula gets a leading quote
    (OWASP's advice against CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def resident_export(*, actor: Any, f: selectors.ResidentFilter, fmt: str) -> tuple[bytes, str, int]:
    """The list the actor sees with this filter, as ``xlsx`` or ``csv``: NIK and KK masked
    unless the role needs them, every person in it named in the audit trail."""
    qs = selectors.resident_list(actor=actor, f=f)
    n = qs.count()
    if n > MAX_ROWS:
        raise ApplicationError(f"Terlalu banyak baris ({n:,}); saring per desa atau status dulu (batas {MAX_ROWS:,}). "
                               f"/ Too many rows; filter first.".replace(",", "."))
    full = sees_full_identity(actor)
    rows: list[Resident] = list(qs.select_related("village"))
    kk_of = dict(FamilyMembership.objects.filter(resident__in=[r.pk for r in rows], valid_to__isnull=True)
                 .values_list("resident_id", "family__kk_number"))

    def line(r: Resident) -> list[object]:
        kk = kk_of.get(r.pk, "")
        return [safe(v) for v in (r.nik if full else mask_number(r.nik), kk if full else mask_number(kk), r.name, r.get_sex_display(),
                                  r.birth_place, r.birth_date.strftime("%d-%m-%Y"), r.get_religion_display(), r.get_marital_status_display(),
                                  r.occupation, r.get_education_display(), r.dusun, r.rt, r.rw, r.village_id, r.village.name,
                                  r.get_status_display())]

    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(HEADER)
        w.writerows(line(r) for r in rows)
        content = ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Penduduk")
        ws.append([*HEADER])
        for r in rows:
            ws.append(line(r))
        out = io.BytesIO()
        wb.save(out)
        content = out.getvalue()
    audit_read(actor=actor, action="resident.export", object_type="population.resident", object_ids=[r.pk for r in rows],
               detail={"format": fmt, "filter": {"q": f.q, "village": f.village, "status": f.status, "sex": f.sex}, "masked": not full},
               kind=AuditKind.EXPORT)
    return content, fmt, len(rows)


# --- figures -------------------------------------------------------------------------------------

BANDS = [(lo, lo + 4) for lo in range(0, 75, 5)] + [(75, 200)]


@dataclass
class Figures:
    total: int = 0
    male: int = 0
    female: int = 0
    pyramid: list[tuple[str, int, int]] = field(default_factory=list)  # (band, male, female)
    education: list[tuple[str, int]] = field(default_factory=list)
    occupation: list[tuple[str, int]] = field(default_factory=list)
    marital: list[tuple[str, int]] = field(default_factory=list)


def figures(*, actor: Any, village: str = "", on: dt.date | None = None) -> Figures:
    """Counts of living residents in the actor's scope (or one village): an age pyramid by sex,
    education, occupation and marital status. Counts only, no person."""
    today = on or dt.date.today()  # noqa: DTZ011 - a calendar day
    qs = selectors.resident_queryset_for(actor).filter(status="alive")
    if village:
        qs = qs.filter(village_id=village)
    fig = Figures()
    ages: Counter[tuple[int, str]] = Counter()
    for birth, sex, n in qs.values_list("birth_date", "sex").annotate(n=Count("id")).order_by():
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        band = next(i for i, (lo, hi) in enumerate(BANDS) if lo <= age <= hi) if age >= 0 else 0
        ages[(band, sex)] += n
        fig.total += n
        if sex == "L":
            fig.male += n
        else:
            fig.female += n
    fig.pyramid = [(f"{lo}–{hi}" if hi < 200 else f"{lo}+", ages[(i, "L")], ages[(i, "P")]) for i, (lo, hi) in enumerate(BANDS)]
    edu = dict(Education.choices)
    fig.education = [(str(edu.get(k, k) or "—"), n) for k, n in
                     qs.values_list("education").annotate(n=Count("id")).order_by("-n")]
    fig.occupation = [(k or "—", n) for k, n in qs.values_list("occupation").annotate(n=Count("id")).order_by("-n")[:12]]
    mar = dict(MaritalStatus.choices)
    fig.marital = [(str(mar.get(k, k) or "—"), n) for k, n in qs.values_list("marital_status").annotate(n=Count("id")).order_by("-n")]
    return fig
