"""Letter types, per-village templates, requests and the gap-free numbering of signed letters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pendopo.core.models import Region
from pendopo.population.models import Resident


class LetterType(models.Model):
    """A kind of letter a village issues: its fields, the attachments it needs, the default
    wording and the time the village should take."""

    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama surat"), max_length=120)
    # [{"name": "usaha", "label": "Nama/jenis usaha", "required": true}, ...]
    fields = models.JSONField(_("isian"), default=list, blank=True)
    attachments = models.JSONField(_("lampiran wajib"), default=list, blank=True)
    body = models.TextField(_("isi surat bawaan"))
    target_hours = models.PositiveSmallIntegerField(_("target layanan (jam)"), default=24)
    records_death = models.BooleanField(_("mencatat kematian"), default=False)
    shows_aid = models.BooleanField(_("menampilkan status bantuan"), default=False)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("jenis surat")
        verbose_name_plural = _("jenis surat")

    def __str__(self) -> str:
        return self.name


class VillageTemplate(models.Model):
    """A village's own wording of a letter type (else the default applies)."""

    village = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("desa"))
    letter_type = models.ForeignKey(LetterType, on_delete=models.CASCADE, related_name="templates", verbose_name=_("jenis surat"))
    body = models.TextField(_("isi surat"))
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("templat surat desa")
        verbose_name_plural = _("templat surat desa")
        constraints = [models.UniqueConstraint(fields=["village", "letter_type"], name="village_template_unique")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.letter_type_id}"


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Diajukan")
    PROCESSING = "processing", _("Diproses")
    SIGNING = "signing", _("Menunggu tanda tangan")
    READY = "ready", _("Siap diambil")
    REJECTED = "rejected", _("Ditolak")
    REVOKED = "revoked", _("Dicabut")


class RequestSource(models.TextChoices):
    SELF = "self", _("Mandiri (NIK + PIN)")
    COUNTER = "counter", _("Loket desa")
    API = "api", _("API")


class LetterRequest(models.Model):
    """One letter asked for by (or for) a resident, from submission to the signed PDF."""

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("desa"))
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="letters", verbose_name=_("penduduk"))
    letter_type = models.ForeignKey(LetterType, on_delete=models.PROTECT, related_name="requests", verbose_name=_("jenis surat"))
    purpose = models.CharField(_("keperluan"), max_length=200)
    data = models.JSONField(_("isian"), default=dict, blank=True)
    source = models.CharField(_("sumber"), max_length=8, choices=RequestSource.choices)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED)
    reject_reason = models.TextField(_("alasan ditolak"), blank=True)
    created_at = models.DateTimeField(_("diajukan"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(_("diperiksa"), null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Set when signed: the number is gap-free per village, type and year (see LetterCounter).
    year = models.PositiveSmallIntegerField(_("tahun"), null=True, blank=True)
    serial = models.PositiveIntegerField(_("nomor urut"), null=True, blank=True)
    number = models.CharField(_("nomor surat"), max_length=80, blank=True)
    signed_at = models.DateTimeField(_("ditandatangani"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signer_name = models.CharField(_("penanda tangan"), max_length=150, blank=True)
    code = models.CharField(_("kode verifikasi"), max_length=12, unique=True, null=True, blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True)
    fingerprint = models.CharField(_("sidik dokumen (SHA-256)"), max_length=64, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    revoke_reason = models.TextField(_("alasan dicabut"), blank=True)
    notified_at = models.DateTimeField(_("diberi tahu"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("permohonan surat")
        verbose_name_plural = _("permohonan surat")
        indexes = [models.Index(fields=["village", "status"], name="letter_village_status")]
        constraints = [
            # Two letters can never carry the same number, whatever happens in the application.
            models.UniqueConstraint(fields=["village", "letter_type", "year", "serial"], name="letter_number_unique"),
            models.CheckConstraint(condition=Q(serial__isnull=True) | Q(serial__gte=1), name="letter_serial_positive"),
            models.CheckConstraint(condition=~Q(status="ready") | Q(serial__isnull=False, code__isnull=False), name="letter_ready_is_numbered"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class LetterCounter(models.Model):
    """The last number given per village, type and year; signing locks its row, so numbers
    come out in order with no gap and no repeat."""

    village = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    letter_type = models.ForeignKey(LetterType, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("penomoran surat")
        verbose_name_plural = _("penomoran surat")
        constraints = [models.UniqueConstraint(fields=["village", "letter_type", "year"], name="letter_counter_unique")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.letter_type_id} {self.year}: {self.last}"
