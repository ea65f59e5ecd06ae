"""Residents and families of the civil registry.

A resident is on exactly one KK at a time; membership rows are dated so the registry can answer
"who was on this KK on 1 May 2020?" after families split, move or lose their head.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pendopo.core.models import Region


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class ResidentStatus(models.TextChoices):
    ALIVE = "alive", _("Hidup")
    DECEASED = "deceased", _("Meninggal")
    MOVED = "moved", _("Pindah keluar")


class Religion(models.TextChoices):
    ISLAM = "islam", _("Islam")
    KRISTEN = "kristen", _("Kristen")
    KATOLIK = "katolik", _("Katolik")
    HINDU = "hindu", _("Hindu")
    BUDDHA = "buddha", _("Buddha")
    KONGHUCU = "konghucu", _("Konghucu")
    KEPERCAYAAN = "kepercayaan", _("Kepercayaan terhadap Tuhan YME")


class MaritalStatus(models.TextChoices):
    SINGLE = "belum_kawin", _("Belum kawin")
    MARRIED = "kawin", _("Kawin")
    DIVORCED = "cerai_hidup", _("Cerai hidup")
    WIDOWED = "cerai_mati", _("Cerai mati")


class Education(models.TextChoices):
    NONE = "tidak_sekolah", _("Tidak/belum sekolah")
    SD_NOT = "belum_tamat_sd", _("Belum tamat SD")
    SD = "sd", _("Tamat SD/sederajat")
    SMP = "smp", _("SLTP/sederajat")
    SMA = "sma", _("SLTA/sederajat")
    D1_D2 = "d1_d2", _("Diploma I/II")
    D3 = "d3", _("Akademi/Diploma III")
    S1 = "s1", _("Diploma IV/Strata I")
    S2 = "s2", _("Strata II")
    S3 = "s3", _("Strata III")


class Relationship(models.TextChoices):
    HEAD = "kepala", _("Kepala keluarga")
    SPOUSE = "istri_suami", _("Istri/suami")
    CHILD = "anak", _("Anak")
    CHILD_IN_LAW = "menantu", _("Menantu")
    GRANDCHILD = "cucu", _("Cucu")
    PARENT = "orang_tua", _("Orang tua")
    PARENT_IN_LAW = "mertua", _("Mertua")
    OTHER_FAMILY = "famili_lain", _("Famili lain")
    OTHER = "lainnya", _("Lainnya")


class ResidentQuerySet(models.QuerySet["Resident"]):
    def alive(self) -> ResidentQuerySet:
        return self.filter(status=ResidentStatus.ALIVE)

    def in_village(self, code: str) -> ResidentQuerySet:
        return self.filter(village_id=code)


class Family(models.Model):
    """A family card (KK). A new number is issued when a family moves, splits or loses its head;
    the old card stays with its dated memberships."""

    kk_number = models.CharField(_("nomor KK"), max_length=16, unique=True)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="families", verbose_name=_("desa/kelurahan"))
    dusun = models.CharField(_("dusun/lingkungan"), max_length=60, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    issued_on = models.DateField(_("tanggal terbit"), null=True, blank=True)
    closed_on = models.DateField(_("tanggal tidak berlaku"), null=True, blank=True)

    class Meta:
        ordering = ["kk_number"]
        verbose_name = _("keluarga (KK)")
        verbose_name_plural = _("keluarga (KK)")
        constraints = [
            models.CheckConstraint(condition=Q(kk_number__regex=r"^[0-9]{16}$"), name="family_kk_16_digits"),
        ]

    def __str__(self) -> str:
        return self.kk_number


class Resident(models.Model):
    """A person in the civil registry of the regency."""

    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    # The person's id in the civil-registry extract (``person_id``), when it came from one.
    external_id = models.CharField(_("ID ekstrak Dukcapil"), max_length=40, unique=True, null=True, blank=True)
    name = models.CharField(_("nama"), max_length=150)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("tempat lahir"), max_length=80, blank=True)
    birth_date = models.DateField(_("tanggal lahir"))
    religion = models.CharField(_("agama"), max_length=12, choices=Religion.choices, blank=True)
    marital_status = models.CharField(_("status perkawinan"), max_length=12, choices=MaritalStatus.choices, blank=True)
    occupation = models.CharField(_("pekerjaan"), max_length=80, blank=True)
    education = models.CharField(_("pendidikan"), max_length=16, choices=Education.choices, blank=True)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="residents", verbose_name=_("desa/kelurahan"))
    dusun = models.CharField(_("dusun/lingkungan"), max_length=60, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ResidentStatus.choices, default=ResidentStatus.ALIVE)
    status_changed_on = models.DateField(_("tanggal perubahan status"), null=True, blank=True)
    # A NIK that legitimately disagrees with the recorded birth date, accepted by an officer.
    nik_exception_reason = models.CharField(_("alasan pengecualian NIK"), max_length=250, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="resident", verbose_name=_("akun warga"),
    )

    objects = ResidentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "nik"]
        verbose_name = _("penduduk")
        verbose_name_plural = _("penduduk")
        indexes = [
            models.Index(fields=["village", "name"], name="resident_village_name"),
            models.Index(fields=["village", "birth_date"], name="resident_village_birth"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(nik__regex=r"^[0-9]{16}$"), name="resident_nik_16_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def person_id(self) -> str:
        """The id screening reports: the extract's ``person_id``, or the registry's own."""
        return self.external_id or str(self.pk)

    @property
    def address(self) -> str:
        parts = [self.dusun, f"RT {self.rt}" if self.rt else "", f"RW {self.rw}" if self.rw else ""]
        return ", ".join(p for p in parts if p)

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class FamilyMembership(models.Model):
    """A resident's place on a KK from ``valid_from`` up to (not including) ``valid_to``."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("KK"))
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("penduduk"))
    relationship = models.CharField(_("hubungan keluarga"), max_length=12, choices=Relationship.choices)
    valid_from = models.DateField(_("berlaku sejak"))
    valid_to = models.DateField(_("berlaku sampai"), null=True, blank=True)

    class Meta:
        ordering = ["family", "valid_from", "id"]
        verbose_name = _("anggota KK")
        verbose_name_plural = _("anggota KK")
        indexes = [models.Index(fields=["family", "valid_to"], name="membership_family_open")]
        constraints = [
            # Exactly one KK at a time.
            models.UniqueConstraint(fields=["resident"], condition=Q(valid_to__isnull=True), name="membership_one_open_kk"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.family}"


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("Sedang berjalan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class RegistryImport(models.Model):
    """One import of a civil-registry extract: what it loaded, changed and held back."""

    file_name = models.CharField(_("nama berkas"), max_length=200)
    file_sha256 = models.CharField(_("sidik berkas"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("oleh"))
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    rows = models.PositiveIntegerField(_("baris"), default=0)
    created = models.PositiveIntegerField(_("baru"), default=0)
    updated = models.PositiveIntegerField(_("berubah"), default=0)
    unchanged = models.PositiveIntegerField(_("tetap"), default=0)
    held_back = models.PositiveIntegerField(_("ditahan"), default=0)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("impor data kependudukan")
        verbose_name_plural = _("impor data kependudukan")

    def __str__(self) -> str:
        return self.file_name


class QuarantinedRow(models.Model):
    """A row of an import that failed validation, kept with the reason so an officer can
    download, fix and re-import it."""

    registry_import = models.ForeignKey(RegistryImport, on_delete=models.CASCADE, related_name="quarantined",
                                        verbose_name=_("impor"))
    line = models.PositiveIntegerField(_("baris"))
    column = models.CharField(_("kolom"), max_length=40, blank=True)
    reason = models.CharField(_("alasan"), max_length=250)
    data = models.JSONField(_("isi baris"), default=dict)
    resolved = models.BooleanField(_("sudah diperbaiki"), default=False)

    class Meta:
        ordering = ["registry_import", "line"]
        verbose_name = _("baris karantina")
        verbose_name_plural = _("baris karantina")

    def __str__(self) -> str:
        return f"{self.registry_import_id}:{self.line}"


class RegistryState(models.Model):
    """One row whose ``version`` goes up with every change to the registry, so that in-memory
    indexes (the screening index of each web worker) know when to refresh."""

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("versi data kependudukan")
        verbose_name_plural = _("versi data kependudukan")

    def __str__(self) -> str:
        return str(self.version)


class LifeEventKind(models.TextChoices):
    BIRTH = "birth", _("Kelahiran")
    DEATH = "death", _("Kematian")
    MOVE_IN = "move_in", _("Pindah datang")
    MOVE_OUT = "move_out", _("Pindah keluar")
    KK_CHANGE = "kk_change", _("Perubahan KK")
    CORRECTION = "correction", _("Koreksi data")


class LifeEvent(models.Model):
    """One change in a resident's civil life, as the village (or a puskesmas, for a death)
    recorded it: the registry's history, shown on the resident's page."""

    kind = models.CharField(_("peristiwa"), max_length=10, choices=LifeEventKind.choices)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="events", verbose_name=_("penduduk"))
    occurred_on = models.DateField(_("tanggal peristiwa"))
    recorded_at = models.DateTimeField(_("dicatat"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reporting_unit = models.ForeignKey("core.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                       verbose_name=_("unit pelapor"))
    details = models.JSONField(_("rincian"), default=dict)
    reason = models.TextField(_("alasan/keterangan"), blank=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("peristiwa kependudukan")
        verbose_name_plural = _("peristiwa kependudukan")
        indexes = [models.Index(fields=["resident", "occurred_on"], name="life_event_resident")]

    def __str__(self) -> str:
        return f"{self.kind} {self.resident_id} {self.occurred_on}"


class RegistryUploadStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    READING = "reading", _("Membaca dan memeriksa")
    SAVING = "saving", _("Menyimpan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class RegistryUpload(models.Model):
    """An extract uploaded in the page, imported by the task worker with progress."""

    file_name = models.CharField(_("nama berkas"), max_length=200)
    content = models.BinaryField(_("isi berkas"))
    status = models.CharField(_("status"), max_length=8, choices=RegistryUploadStatus.choices, default=RegistryUploadStatus.QUEUED)
    rows_done = models.PositiveIntegerField(_("baris diperiksa"), default=0)
    rows_total = models.PositiveIntegerField(_("perkiraan baris"), default=0)
    error = models.TextField(_("galat"), blank=True)
    registry_import = models.ForeignKey(RegistryImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("unggahan data kependudukan")
        verbose_name_plural = _("unggahan data kependudukan")

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        if self.status == RegistryUploadStatus.DONE:
            return 100
        if self.status == RegistryUploadStatus.SAVING:
            return 50
        return int(50 * self.rows_done / self.rows_total) if self.rows_total else 0


class ResidentNameToken(models.Model):
    """One sound key of one word of a resident's name (the identity engine's normaliser: old
    spelling, Muhammad/Abdul families, titles), so name search uses an index and finds "Djoko"
    when "Joko" is typed, at 2 million residents."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="name_tokens", db_index=False)
    token = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("kunci nama")
        verbose_name_plural = _("kunci nama")
        indexes = [models.Index(fields=["token", "resident"], name="name_token_lookup"),
                   models.Index(fields=["resident", "token"], name="name_token_by_resident")]

    def __str__(self) -> str:
        return self.token


class ResidentExportStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    WRITING = "writing", _("Menulis berkas")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")
    EXPIRED = "expired", _("Kedaluwarsa")


class ResidentExport(models.Model):
    """A resident list too long to export while the page waits (a kecamatan or the regency),
    written to a file by the task worker with progress; only the officer who asked may download
    it, for a limited time."""

    fmt = models.CharField(_("format"), max_length=4, choices=[("xlsx", "XLSX"), ("csv", "CSV")])
    filter = models.JSONField(_("saringan"), default=dict)
    status = models.CharField(_("status"), max_length=8, choices=ResidentExportStatus.choices, default=ResidentExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(_("baris ditulis"), default=0)
    rows_total = models.PositiveIntegerField(_("jumlah baris"), default=0)
    masked = models.BooleanField(_("NIK dan KK disamarkan"), default=True)
    path = models.CharField(_("berkas"), max_length=200, blank=True)
    error = models.TextField(_("galat"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("unduhan data penduduk")
        verbose_name_plural = _("unduhan data penduduk")

    def __str__(self) -> str:
        return f"penduduk-{self.pk}.{self.fmt}"

    @property
    def percent(self) -> int:
        if self.status == ResidentExportStatus.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    def filter_shown(self) -> list[tuple[str, str]]:
        """The filter as the page shows it: (label, readable value), set fields only."""
        from pendopo.core.models import Region

        f = self.filter
        shown: list[tuple[str, str]] = []
        if f.get("q"):
            shown.append((str(_("Cari")), str(f["q"])))
        if f.get("village"):
            region = Region.objects.filter(code=f["village"]).first()
            shown.append((str(_("Desa/kelurahan")), f"{region.name} ({region.code})" if region else str(f["village"])))
        if f.get("dusun"):
            shown.append((str(_("Dusun")), str(f["dusun"])))
        if f.get("status"):
            shown.append((str(_("Status")), str(dict(ResidentStatus.choices).get(f["status"], f["status"]))))
        if f.get("sex"):
            shown.append((str(_("Jenis kelamin")), str(dict(Sex.choices).get(f["sex"], f["sex"]))))
        if f.get("age_min") is not None or f.get("age_max") is not None:
            lo, hi = f.get("age_min"), f.get("age_max")
            shown.append((str(_("Umur")), f"{lo if lo is not None else 0}–{hi if hi is not None else '…'}"))
        return shown
