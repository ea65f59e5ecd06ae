"""A village's spreadsheet of proposed recipients: checked when it arrives (so the operator sees
a bad file at once and nothing is queued), screened row by row by the task worker with
progress, then every proposal is written in one transaction and a result workbook is kept.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from pendopo.aid.batch import cell_text
from pendopo.aid.models import Proposal, ProposalSource, Scheme, ScreeningUpload, UploadStatus
from pendopo.aid.screening import Decision, Outcome, outcome_reasons_json, render
from pendopo.aid.services import (
    SCREENING_ROLES,
    ScreenSession,
    _check_already_proposed,
    _record,
    _with_already_proposed,
)
from pendopo.core.audit import audit_write
from pendopo.core.errors import PermissionDenied
from pendopo.core.models import Region
from pendopo.core.scopes import scope_for
from pendopo.linkage.errors import InputError
from pendopo.linkage.io import SHEETS, open_table

# What villages call the columns, to the contract's names. Matching ignores case, spaces,
# dots and underscores, so "No. KK", "no_kk" and "NO KK" are one column.
ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "noktp", "nomorinduk", "nomorindukkependudukan"),
    "kk": ("kk", "nokk", "nomorkk", "kartukeluarga", "nomorkartukeluarga"),
    "name": ("name", "nama", "namalengkap", "namapenerima"),
    "sex": ("sex", "jk", "jeniskelamin", "lp", "kelamin"),
    "birth_place": ("birthplace", "tempatlahir", "tmplahir", "tmptlahir"),
    "birth_date": ("birthdate", "tanggallahir", "tgllahir", "tgllhr"),
    "address": ("address", "alamat", "alamatlengkap"),
    "village_code": ("villagecode", "kodedesa", "kodewilayah"),
}
TEMPLATE_HEADER = ("NIK", "No KK", "Nama", "Jenis Kelamin (L/P)", "Tempat Lahir", "Tanggal Lahir", "Alamat")
ACCEPTED = (".csv", ".xlsx")
PROGRESS_EVERY = 20


def _key(header: str) -> str:
    return "".join(ch for ch in header.lower() if ch.isalnum())


def _columns(header: list[str], file_name: str) -> dict[str, int]:
    lookup = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
    # "Jenis Kelamin (L/P)" -> "jeniskelaminlp": try the whole key, then the part before "(".
    found: dict[str, int] = {}
    for i, h in enumerate(header):
        for key in (_key(h), _key(h.split("(")[0])):
            field = lookup.get(key)
            if field and field not in found:
                found[field] = i
                break
    missing = [label for c, label in (("nik", "NIK"), ("name", "Nama")) if c not in found]
    if missing:
        have = ", ".join(h for h in header if h) or "-"
        raise ValidationError(
            f"{file_name}, baris 1: kolom wajib {' dan '.join(missing)} tidak ada (kolom yang ada: {have}). "
            f"Unduh templat untuk contoh. / Required column missing.", code="columns")
    return found


def read_rows(file_name: str, content: bytes) -> list[tuple[int, dict[str, str | None]]]:
    """The data rows of an uploaded CSV or XLSX as (spreadsheet row number, fields), or a
    ``ValidationError`` naming the file, row and column that cannot be used."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in ACCEPTED:
        raise ValidationError(f"{file_name}: jenis berkas {suffix or '(tanpa akhiran)'} tidak diterima; unggah .xlsx atau .csv. "
                              f"/ Upload an .xlsx or .csv file.", code="type")
    if len(content) > settings.AID_UPLOAD_MAX_BYTES:
        mb = settings.AID_UPLOAD_MAX_BYTES / 1024 / 1024
        raise ValidationError(f"{file_name}: berkas lebih dari {mb:.0f} MB; bagi menjadi beberapa berkas. / File too large.",
                              code="size")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            if suffix in SHEETS and not content.startswith(b"PK"):
                raise InputError("bukan berkas Excel (.xlsx) yang sah; simpan ulang dari Excel / not a valid .xlsx file")
            table = open_table(path)
            cols = _columns([str(h or "").strip() for h in table.header], file_name)
            out: list[tuple[int, dict[str, str | None]]] = []
            for line, row in enumerate(table.rows, start=2):
                if not any(v not in (None, "") for v in row):
                    continue
                data = {f: (cell_text(row[i]) if i < len(row) else None) for f, i in cols.items()}
                if not data.get("nik") and not data.get("name"):
                    raise InputError("NIK dan Nama kosong; isi atau hapus baris ini / NIK and name are both empty",
                                     row=line, column="NIK")
                out.append((line, data))
                if len(out) > settings.AID_UPLOAD_MAX_ROWS:
                    raise InputError(f"lebih dari {settings.AID_UPLOAD_MAX_ROWS} baris; bagi menjadi beberapa berkas / too many rows",
                                     row=line)
        except InputError as exc:
            where = ", ".join(p for p in (file_name, f"baris {exc.row}" if exc.row else "",
                                          f"kolom {exc.column}" if exc.column else "") if p)
            raise ValidationError(f"{where}: {exc.message}", code="input") from exc
        except ValidationError:
            raise
        except Exception as exc:  # calamine or csv on a damaged file  # noqa: BLE001
            raise ValidationError(f"{file_name}: berkas tidak dapat dibaca ({type(exc).__name__}); simpan ulang sebagai .xlsx "
                                  f"atau CSV UTF-8. / The file cannot be read.", code="unreadable") from exc
    if not out:
        raise ValidationError(f"{file_name}, baris 2: tidak ada baris data. / No data rows.", code="empty")
    return out


def screening_upload_submit(*, actor: Any, scheme: Scheme, village_code: str, file_name: str, content: bytes) -> ScreeningUpload:
    """Accept a village's spreadsheet for screening: the file is checked now, the rows are
    screened by the task worker. Nothing is queued when the file cannot be used."""
    if getattr(actor, "role", None) not in SCREENING_ROLES:
        raise PermissionDenied("Akun ini tidak boleh mengusulkan penerima bantuan. / This account may not propose aid recipients.")
    village = Region.objects.filter(code=village_code).first()
    if village is None or not scope_for(actor).covers_region(village.code):
        raise PermissionDenied("Desa ini di luar kewenangan akun Anda. / This village is outside your account's scope.")
    if not scheme.active:
        raise ValidationError({"scheme": "Skema ini tidak aktif. / This scheme is not active."})
    rows = read_rows(file_name, content)
    digest = hashlib.sha256(json.dumps([data for _line, data in rows], sort_keys=True).encode()).hexdigest()
    earlier = ScreeningUpload.objects.filter(village=village, scheme=scheme, period=scheme.period, digest=digest) \
        .exclude(status=UploadStatus.FAILED).only("pk", "created_at", "file_name").first()
    if earlier is not None:  # a second click, or the same list sent again
        raise ValidationError(f"{file_name}: berkas yang sama sudah diunggah ({earlier.file_name}, "
                                  f"{timezone.localtime(earlier.created_at):%d-%m-%Y %H.%M}); lihat hasilnya di daftar unggahan. "
                                  f"/ This file was uploaded already.", code="duplicate")
    with transaction.atomic():
        try:
            with transaction.atomic():
                upload = ScreeningUpload.objects.create(scheme=scheme, period=scheme.period, village=village, file_name=file_name[:200],
                                                        content=content, digest=digest, rows=len(rows), created_by=actor)
        except IntegrityError as exc:  # the same list sent twice at the same moment
            raise ValidationError(f"{file_name}: berkas yang sama sedang diunggah. / This file is being uploaded already.",
                                  code="duplicate") from exc
        audit_write(actor=actor, action="aid.upload.submit", obj=upload, personal_data=True,
                    changes={"scheme": scheme.code, "village": village.code, "rows": len(rows), "file": file_name[:200]})
        transaction.on_commit(lambda: _enqueue(upload.pk))
    return upload


def _enqueue(upload_id: int) -> None:
    from pendopo.aid.tasks import screen_upload

    screen_upload.enqueue(upload_id)


def screening_upload_run(*, upload_id: int) -> ScreeningUpload:
    """Screen every row of an upload (progress saved as it goes), then write all proposals and
    the result workbook in one transaction: an upload is either wholly recorded or not at all."""
    upload = ScreeningUpload.objects.select_related("scheme", "village", "created_by").get(pk=upload_id)
    if upload.status == UploadStatus.DONE:
        return upload  # a retried task must not propose everyone twice
    upload.status, upload.done_rows, upload.error = UploadStatus.RUNNING, 0, ""
    upload.save(update_fields=["status", "done_rows", "error"])
    try:
        rows = read_rows(upload.file_name, bytes(upload.content))
        session = ScreenSession(upload.scheme)
        screened: list[tuple[int, dict[str, Any], Outcome, list[dict[str, Any]]]] = []
        for n, (line, data) in enumerate(rows, start=1):
            data = {**data, "village_code": data.get("village_code") or upload.village_id}
            outcome, candidates = session.screen(data, row=line)
            screened.append((line, data, outcome, candidates))
            if n % PROGRESS_EVERY == 0:
                ScreeningUpload.objects.filter(pk=upload.pk).update(done_rows=n)
        with transaction.atomic():
            results = []
            for line, data, outcome, candidates in screened:
                resident, person = session.person(outcome)
                outcome = _check_already_proposed(outcome, upload.scheme, person)
                proposal = _record(upload.created_by, upload.scheme, resident, person, outcome, data, ProposalSource.UPLOAD,
                                   candidates=candidates, upload=upload, line=line)
                if proposal is None:
                    outcome = _with_already_proposed(outcome, upload.scheme, upload.scheme.code)
                results.append((line, data, outcome))
            upload.counts = dict(Counter(o.decision.value for _, _, o in results))
            upload.result = result_workbook(upload, results)
            upload.status, upload.done_rows, upload.finished_at = UploadStatus.DONE, len(rows), timezone.now()
            upload.save()
            audit_write(actor=upload.created_by, action="aid.upload.screened", obj=upload, personal_data=True,
                        changes={"rows": len(rows), **upload.counts})
    except ValidationError as exc:
        _fail(upload, " ".join(exc.messages))
    except Exception as exc:
        _fail(upload, f"Kesalahan sistem saat menyaring ({type(exc).__name__}); tidak ada usulan yang tersimpan. "
                      f"Hubungi admin. / System error; nothing was recorded.")
        raise
    return upload


def _fail(upload: ScreeningUpload, message: str) -> None:
    ScreeningUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.FAILED, error=message[:2000], finished_at=timezone.now())
    upload.status, upload.error = UploadStatus.FAILED, message


DECISION_LABELS = {Decision.ACCEPT: "Diterima / accept", Decision.REJECT: "Ditolak / reject", Decision.REVIEW: "Diperiksa / review"}


def result_workbook(upload: ScreeningUpload, results: list[tuple[int, dict[str, Any], Outcome]]) -> bytes:
    """The operator's answer: each row as uploaded, then the decision, reason codes and the
    sentence that explains it, with rejected and review rows coloured."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Hasil penyaringan"
    fields = ["nik", "kk", "name", "sex", "birth_place", "birth_date", "address"]
    header = ["Baris / Row", "NIK", "No KK", "Nama / Name", "JK / Sex", "Tempat lahir / Birth place", "Tanggal lahir / Birth date",
              "Alamat / Address", "Keputusan / Decision", "Kode alasan / Reason codes", "Penjelasan", "Explanation (English)",
              "ID penduduk / Person ID", "Skor / Score"]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    fills = {Decision.REJECT: PatternFill("solid", fgColor="F8D7DA"), Decision.REVIEW: PatternFill("solid", fgColor="FFF3CD")}
    with translation.override("en"):
        for line, data, outcome in results:
            codes = ";".join(r["code"] for r in outcome_reasons_json(outcome))
            ws.append([line, *[data.get(f) or "" for f in fields], DECISION_LABELS[outcome.decision], codes, outcome.explanation,
                       render(outcome.text, translation.gettext), outcome.person_id, outcome.score])
            fill = fills.get(outcome.decision)
            if fill:
                for cell in ws[ws.max_row]:
                    cell.fill = fill
    for col, width in zip("ABCDEFGHIJKLMN", (8, 20, 20, 28, 8, 16, 14, 28, 18, 24, 80, 80, 14, 8), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    info = wb.create_sheet("Keterangan")
    for row in (("Skema / Scheme", upload.scheme.code), ("Periode / Period", upload.period), ("Desa / Village", upload.village_id),
                ("Berkas / File", upload.file_name), ("Baris / Rows", len(results)),
                *((DECISION_LABELS[Decision(k)], v) for k, v in sorted(Counter(o.decision.value for _, _, o in results).items()))):
        info.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_workbook() -> bytes:
    """An empty village list with the columns the upload reads, and one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Usulan"
    ws.append(list(TEMPLATE_HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in "ABCDEFG":
        ws.column_dimensions[col].width = 22
    # The example lives on its own sheet: an example row left in the list would be proposed.
    help_ = wb.create_sheet("Petunjuk")
    for row in (("Isi lembar 'Usulan', satu baris per calon penerima. / Fill the 'Usulan' sheet, one row per person.",),
                ("NIK dan Nama wajib; kolom lain membantu memastikan orangnya. / NIK and name are required.",),
                ("Tanggal lahir: YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY. Jenis kelamin: L atau P.",),
                ("Simpan NIK sebagai teks agar tidak berubah menjadi 3.51E+15. / Keep NIK as text.",),
                (),
                ("Contoh / example:",),
                TEMPLATE_HEADER,
                ("3510xxxxxxxxxxxx", "3510xxxxxxxxxxxx", "Siti Aminah", "P", "Banyuwangi", "1980-05-17", "Dusun Krajan RT 001 RW 002")):
        help_.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def proposal_decisions(upload: ScreeningUpload) -> list[Proposal]:
    return list(upload.proposals.order_by("upload_line"))
