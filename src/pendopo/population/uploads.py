"""Registry extracts uploaded in the page: checked for shape at once, imported by the task
worker (the same ``registry_import`` as the command), with progress the page polls; and the
quarantine of an import, downloadable in the registry shape to fix and upload again."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from pendopo.core.audit import audit_read, audit_write
from pendopo.core.errors import PermissionDenied
from pendopo.core.models import AuditKind
from pendopo.core.roles import Role
from pendopo.linkage.errors import InputError
from pendopo.population.models import (
    QuarantinedRow,
    RegistryImport,
    RegistryUpload,
    RegistryUploadStatus,
)

ACCEPTED = (".csv", ".xlsx")
MAX_BYTES = 400 * 1024 * 1024  # a regency's extract (2M rows) as CSV is about 250 MB


def _importer(actor: Any) -> None:
    role = getattr(actor, "role", None)
    unit = getattr(actor, "unit", None)
    dukcapil = role in {Role.AGENCY_HEAD, Role.AGENCY_STAFF} and unit is not None and unit.code == "DISPENDUKCAPIL"
    if role != Role.ADMIN and not dukcapil:
        raise PermissionDenied("Impor data kependudukan oleh admin atau Dispendukcapil. / Imports are for the admin or Dukcapil.")


def registry_upload_submit(*, actor: Any, file_name: str, content: bytes) -> RegistryUpload:
    _importer(actor)
    suffix = Path(file_name).suffix.lower()
    if suffix not in ACCEPTED:
        raise ValidationError(f"{file_name}: unggah .csv atau .xlsx. / Upload a .csv or .xlsx file.")
    if len(content) > getattr(settings, "REGISTRY_UPLOAD_MAX_BYTES", MAX_BYTES):
        raise ValidationError(f"{file_name}: berkas terlalu besar; pakai perintah pendopo import-registry. / Too large.")
    if not content.strip():
        raise ValidationError(f"{file_name}: berkas kosong. / The file is empty.")
    with transaction.atomic():
        up = RegistryUpload.objects.create(file_name=file_name[:200], content=content, created_by=actor,
                                           rows_total=max(1, content.count(b"\n") - 1) if suffix == ".csv" else 0)
        audit_write(actor=actor, action="registry.upload", obj=up, changes={"file": file_name[:200], "bytes": len(content)})
        transaction.on_commit(lambda: _enqueue(up.pk))
    return up


def _enqueue(upload_id: int) -> None:
    from pendopo.population.tasks import import_upload

    import_upload.enqueue(upload_id)


def registry_upload_run(*, upload_id: int) -> RegistryUpload:
    """Import an uploaded extract. Progress is saved while rows are read and checked (outside
    the import's transaction); the import itself then commits whole or not at all."""
    from pendopo.population.importing import registry_import

    up = RegistryUpload.objects.select_related("created_by").get(pk=upload_id)
    if up.status == RegistryUploadStatus.DONE:
        return up
    RegistryUpload.objects.filter(pk=up.pk).update(status=RegistryUploadStatus.READING, rows_done=0, error="")
    saving = [False]
    estimate = up.rows_total

    def progress(done: int, total: int) -> None:
        if not saving[0]:  # while reading; the import's own total is a size hint, the upload counted lines
            RegistryUpload.objects.filter(pk=up.pk).update(rows_done=done, rows_total=max(estimate, done))

    def now_saving(rows: int) -> None:
        saving[0] = True
        RegistryUpload.objects.filter(pk=up.pk).update(status=RegistryUploadStatus.SAVING, rows_done=rows, rows_total=rows)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(up.file_name).name
        path.write_bytes(bytes(up.content))
        try:
            result = registry_import(actor=up.created_by, path=path, progress=progress, saving=now_saving)
        except InputError as exc:
            RegistryUpload.objects.filter(pk=up.pk).update(status=RegistryUploadStatus.FAILED, error=str(exc)[:2000].replace(str(path), up.file_name),
                                                           finished_at=timezone.now())
            up.refresh_from_db()
            return up
        except Exception:
            RegistryUpload.objects.filter(pk=up.pk).update(status=RegistryUploadStatus.FAILED, finished_at=timezone.now(),
                                                           error="Kesalahan sistem; data kependudukan tidak berubah. / System error; nothing changed.")
            raise
    RegistryUpload.objects.filter(pk=up.pk).update(status=RegistryUploadStatus.DONE, registry_import=result.record, rows_done=result.record.rows,
                                                   rows_total=result.record.rows, finished_at=timezone.now())
    up.refresh_from_db()
    return up


def registry_upload_list(*, actor: Any) -> QuerySet[RegistryUpload]:
    _importer(actor)
    return RegistryUpload.objects.defer("content").select_related("registry_import", "created_by")


def quarantine_csv(*, actor: Any, registry_import: RegistryImport) -> bytes:
    """The held-back rows in the registry shape plus the reason and the line, so an officer can
    fix them in a spreadsheet and upload the file again (the reason columns are ignored then)."""
    _importer(actor)
    rows = list(QuarantinedRow.objects.filter(registry_import=registry_import).order_by("line"))
    columns: list[str] = []
    for r in rows:
        for k in r.data:
            if k not in columns:
                columns.append(k)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([*columns, "alasan_karantina", "baris_asal"])
    for r in rows:
        w.writerow([*(r.data.get(c) or "" for c in columns), f"{r.column}: {r.reason}", r.line])
    audit_read(actor=actor, action="registry.quarantine.download", object_type="population.registryimport",
               object_ids=[registry_import.pk], detail={"rows": len(rows)}, kind=AuditKind.EXPORT)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
