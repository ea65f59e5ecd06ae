"""Exports of a filtered resident list (XLSX or CSV) and the figures of the village pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone, translation

from pendopo.core.audit import audit_read, audit_write
from pendopo.core.errors import ApplicationError, PermissionDenied
from pendopo.core.masking import mask_number, sees_full_identity
from pendopo.core.models import AuditKind
from pendopo.population import selectors
from pendopo.population.models import (
    Education,
    FamilyMembership,
    MaritalStatus,
    Resident,
    ResidentExport,
    ResidentExportStatus,
)

SYNC_ROWS = 100_000  # up to this many rows the file is made while the page waits; more go to the task worker
SHEET_ROWS = 1_000_000  # rows per XLSX sheet (a sheet holds 1,048,576)
AUDIT_IDS = 100_000  # resident ids named per audit event of a long export
STEP = 5_000  # rows read at a time by the task worker
KEEP_HOURS = 24  # a finished export file is kept this long
HEADER = ("NIK", "No KK", "Nama", "Jenis kelamin", "Tempat lahir", "Tanggal lahir", "Agama", "Status perkawinan", "Pekerjaan",
          "Pendidikan", "Dusun", "RT", "RW", "Kode desa", "Desa/kelurahan", "Status")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportQueued(ApplicationError):  # noqa: N818 - not a failure: the caller shows the job's page
    """The list is longer than ``SYNC_ROWS``: it is written by the task worker (``job``)."""

    def __init__(self, job: ResidentExport) -> None:
        super().__init__(f"{job.rows_total:,} baris: berkas sedang disiapkan. / The file is being prepared.".replace(",", "."))
        self.job = job


def safe(value: object) -> object:
    """A cell a spreadsheet will never run: text starting like a formula gets a leading quote
    (OWASP's advice against CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def _lines(rows: list[Resident], full: bool) -> list[list[object]]:
    kk_of = dict(FamilyMembership.objects.filter(resident__in=[r.pk for r in rows], valid_to__isnull=True)
                 .values_list("resident_id", "family__kk_number"))

    # the choices' labels once per call: get_FOO_display() hashes the lazy choices on every
    # call (9 of 10 s for 15,000 rows)
    label = {f: {k: str(v) for k, v in Resident._meta.get_field(f).flatchoices} for f in ("sex", "religion", "marital_status", "education", "status")}
    sex, religion, marital, education, status = (label[f] for f in ("sex", "religion", "marital_status", "education", "status"))

    def line(r: Resident) -> list[object]:
        kk = kk_of.get(r.pk, "")
        return [safe(v) for v in (r.nik if full else mask_number(r.nik), kk if full else mask_number(kk), r.name, sex.get(r.sex, r.sex),
                                  r.birth_place, r.birth_date.strftime("%d-%m-%Y"), religion.get(r.religion, r.religion),
                                  marital.get(r.marital_status, r.marital_status), r.occupation, education.get(r.education, r.education),
                                  r.dusun, r.rt, r.rw, r.village_id, r.village.name, status.get(r.status, r.status))]

    return [line(r) for r in rows]


def _filter_of(f: selectors.ResidentFilter) -> dict[str, object]:
    return {"q": f.q, "village": f.village, "status": f.status, "sex": f.sex, "dusun": f.dusun, "age_min": f.age_min, "age_max": f.age_max}


def resident_export(*, actor: Any, f: selectors.ResidentFilter, fmt: str) -> tuple[bytes, str, int]:
    """The list the actor sees with this filter, as ``xlsx`` or ``csv``: NIK and KK masked
    unless the role needs them, every person in it named in the audit trail. A list longer
    than ``SYNC_ROWS`` is queued for the task worker instead (raises ``ExportQueued``)."""
    qs = selectors.resident_list(actor=actor, f=f)
    n = qs[: SYNC_ROWS + 1].count()
    full = sees_full_identity(actor)
    if n > SYNC_ROWS:
        raise ExportQueued(_queue(actor, f, fmt, full))
    rows: list[Resident] = list(qs.select_related("village"))
    lines = _lines(rows, full)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(HEADER)
        w.writerows(lines)
        content = ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Penduduk")
        ws.append([*HEADER])
        for values in lines:
            ws.append(values)
        out = io.BytesIO()
        wb.save(out)
        content = out.getvalue()
    audit_read(actor=actor, action="resident.export", object_type="population.resident", object_ids=[r.pk for r in rows],
               detail={"format": fmt, "filter": _filter_of(f), "masked": not full}, kind=AuditKind.EXPORT)
    return content, fmt, len(rows)


# --- long exports, written by the task worker ----------------------------------------------------------


def export_dir() -> Path:
    d = Path(settings.DATA_DIR) / "exports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _queue(actor: Any, f: selectors.ResidentFilter, fmt: str, full: bool) -> ResidentExport:
    expire_old()
    with transaction.atomic():
        job = ResidentExport.objects.create(fmt=fmt, filter=_filter_of(f), masked=not full, created_by=actor)
        audit_write(actor=actor, action="resident.export.queue", obj=job, changes={"format": fmt, "filter": job.filter})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from pendopo.population.tasks import export_residents

    export_residents.enqueue(job_id)


def resident_export_run(*, job_id: int) -> ResidentExport:
    """Write a queued export: the same list, scope and masking as the page's, read ``STEP``
    rows at a time in registration order (sorting a regency's two million names first would
    hold them all), XLSX in sheets of ``SHEET_ROWS``. Every person in it is named in the audit
    trail, ``AUDIT_IDS`` to an event. A failure leaves no half-written file."""
    job = ResidentExport.objects.select_related("created_by").get(pk=job_id)
    if job.status in (ResidentExportStatus.DONE, ResidentExportStatus.EXPIRED):
        return job
    actor = job.created_by
    f = selectors.ResidentFilter.from_data({k: ("" if v is None else v) for k, v in job.filter.items()})
    final = export_dir() / f"penduduk-{job.pk}-{secrets.token_hex(8)}.{job.fmt}"
    part = final.with_suffix(final.suffix + ".part")
    ids: list[int] = []
    try:
        with translation.override("id"):
            qs = selectors.resident_list(actor=actor, f=f).select_related("village").order_by("pk")
            total = qs.count()
            ResidentExport.objects.filter(pk=job.pk).update(status=ResidentExportStatus.WRITING, rows_total=total, rows_done=0, error="")
            full = not job.masked and sees_full_identity(actor)
            with _writer(part, job.fmt) as write:
                last = 0
                while batch := list(qs.filter(pk__gt=last)[:STEP]):
                    last = batch[-1].pk
                    write(_lines(batch, full))
                    ids.extend(r.pk for r in batch)
                    ResidentExport.objects.filter(pk=job.pk).update(rows_done=len(ids))
            part.rename(final)
            for i in range(0, max(len(ids), 1), AUDIT_IDS):
                audit_read(actor=actor, action="resident.export", object_type="population.resident", object_ids=ids[i : i + AUDIT_IDS],
                           detail={"format": job.fmt, "filter": job.filter, "masked": not full, "export": job.pk,
                                   "part": i // AUDIT_IDS + 1, "rows": len(ids)}, kind=AuditKind.EXPORT)
    except Exception as exc:
        part.unlink(missing_ok=True)
        ResidentExport.objects.filter(pk=job.pk).update(status=ResidentExportStatus.FAILED, error=str(exc)[:1000], finished_at=timezone.now())
        raise
    ResidentExport.objects.filter(pk=job.pk).update(status=ResidentExportStatus.DONE, path=final.name, rows_done=len(ids),
                                                    finished_at=timezone.now())
    job.refresh_from_db()
    return job


@contextmanager
def _writer(path: Path, fmt: str) -> Iterator[Callable[[list[list[object]]], None]]:
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8-sig") as fh:  # the BOM makes Excel read UTF-8
            w = csv.writer(fh)
            w.writerow(HEADER)
            yield w.writerows
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet: list[Any] = [None, SHEET_ROWS]  # the sheet, rows in it

    def write(lines: list[list[object]]) -> None:
        for values in lines:
            if sheet[1] >= SHEET_ROWS:
                n = len(wb.worksheets) + 1
                sheet[0] = wb.create_sheet("Penduduk" if n == 1 else f"Penduduk {n}")
                sheet[0].append([*HEADER])
                sheet[1] = 0
            sheet[0].append(values)
            sheet[1] += 1

    yield write
    if not wb.worksheets:  # nothing matched: still a sheet with the header
        wb.create_sheet("Penduduk").append([*HEADER])
    wb.save(path)


def export_for(*, actor: Any, pk: int) -> ResidentExport:
    """One of the actor's own exports (nobody else's)."""
    mine = ResidentExport.objects.filter(pk=pk, created_by=actor) if getattr(actor, "pk", None) else ResidentExport.objects.none()
    if not mine.exists():
        raise PermissionDenied("Unduhan ini tidak ada atau bukan milik akun Anda. / Not found or not yours.")
    _expire(mine)  # this one only: the page polls every second
    return mine.get()


def export_file(*, actor: Any, pk: int) -> tuple[Path, ResidentExport]:
    """The finished file of one of the actor's exports; the download is audited."""
    job = export_for(actor=actor, pk=pk)
    if job.status == ResidentExportStatus.EXPIRED:
        raise ApplicationError(f"Berkas ini sudah dihapus (disimpan {KEEP_HOURS} jam); minta unduhan baru. / Expired; export again.")
    if job.status != ResidentExportStatus.DONE:
        raise ApplicationError("Berkas belum selesai. / The file is not ready yet.")
    audit_read(actor=actor, action="resident.export.download", object_type="population.residentexport", object_ids=[job.pk],
               detail={"rows": job.rows_done, "masked": job.masked}, kind=AuditKind.EXPORT)
    return export_dir() / job.path, job


def expire_old() -> int:
    """Over every export: ``_expire``. Run when an export is queued."""
    return _expire(ResidentExport.objects.all())


def _expire(jobs: QuerySet[ResidentExport]) -> int:
    """Delete the files of these exports finished more than ``KEEP_HOURS`` ago (returns how
    many); one still unfinished after as long (its worker was stopped midway) is marked failed,
    so its page stops waiting."""
    cutoff = timezone.now() - dt.timedelta(hours=KEEP_HOURS)
    jobs.filter(status__in=[ResidentExportStatus.QUEUED, ResidentExportStatus.WRITING], created_at__lt=cutoff).update(
        status=ResidentExportStatus.FAILED, finished_at=timezone.now(),
        error=f"Tidak selesai dalam {KEEP_HOURS} jam (pekerja tugas berhenti); minta unduhan baru. / Not finished; export again.")
    old = jobs.filter(status=ResidentExportStatus.DONE, finished_at__lt=cutoff)
    n = 0
    for job in old:
        (export_dir() / job.path).unlink(missing_ok=True)
        n += 1
    old.update(status=ResidentExportStatus.EXPIRED, path="")
    return n


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
