"""Aid schemes, the overlap matrix, holdings from the rolls, and proposals with their decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pendopo.core.models import Region
from pendopo.population.models import Family, Resident


class Unit(models.TextChoices):
    PERSON = "person", _("Perorangan")
    FAMILY = "family", _("Keluarga")


class Level(models.TextChoices):
    CENTRAL = "central", _("Pusat")
    PROVINCE = "province", _("Provinsi")
    REGENCY = "regency", _("Kabupaten")
    VILLAGE = "village", _("Desa")


class Scheme(models.Model):
    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    unit = models.CharField(_("unit penerima"), max_length=6, choices=Unit.choices, default=Unit.FAMILY)
    level = models.CharField(_("sumber dana"), max_length=8, choices=Level.choices, default=Level.CENTRAL)
    max_per_family = models.PositiveSmallIntegerField(_("maksimal per KK"), default=0)
    period = models.CharField(_("periode berjalan"), max_length=20, default="2026")
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("skema bantuan")
        verbose_name_plural = _("skema bantuan")
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^[A-Z0-9-]+$"), name="scheme_code_upper")]

    def __str__(self) -> str:
        return self.code


class OverlapRule(models.Model):
    """A proposal for ``proposed`` is rejected when the person (or, for a family rule, any
    member of the family) holds ``held`` (with ``component``, when given)."""

    proposed = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rules", verbose_name=_("skema diusulkan"))
    held = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="+", verbose_name=_("skema yang dimiliki"))
    unit = models.CharField(_("berlaku untuk"), max_length=6, choices=Unit.choices, default=Unit.FAMILY)
    component = models.CharField(_("komponen"), max_length=30, blank=True)

    class Meta:
        ordering = ["proposed__code", "held__code"]
        verbose_name = _("aturan tumpang tindih")
        verbose_name_plural = _("matriks tumpang tindih")
        constraints = [models.UniqueConstraint(fields=["proposed", "held", "unit", "component"], name="overlap_rule_unique")]

    def __str__(self) -> str:
        return f"{self.proposed} ✕ {self.held}"


class HoldingStatus(models.TextChoices):
    ACTIVE = "active", _("Aktif")
    EXIT_FLAGGED = "exit", _("Ditandai keluar")
    ENDED = "ended", _("Berakhir")


class RollImport(models.Model):
    file_name = models.CharField(_("nama berkas"), max_length=200)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rows = models.PositiveIntegerField(_("baris"), default=0)
    resolved = models.PositiveIntegerField(_("terpadankan"), default=0)
    queued = models.PositiveIntegerField(_("antrean rekonsiliasi"), default=0)
    held_back = models.PositiveIntegerField(_("ditahan"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("impor daftar penerima")
        verbose_name_plural = _("impor daftar penerima")

    def __str__(self) -> str:
        return self.file_name


class Holding(models.Model):
    """A registry person holds a scheme from ``start`` (until ``end``)."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="holdings", verbose_name=_("penduduk"))
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="holdings", verbose_name=_("skema"))
    component = models.CharField(_("komponen"), max_length=30, blank=True)
    start = models.DateField(_("mulai"), null=True, blank=True)
    end = models.DateField(_("sampai"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=6, choices=HoldingStatus.choices, default=HoldingStatus.ACTIVE)
    exit_reason = models.CharField(_("alasan keluar"), max_length=200, blank=True)
    roll_import = models.ForeignKey(RollImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="holdings")

    class Meta:
        ordering = ["scheme__code", "resident_id"]
        verbose_name = _("kepesertaan")
        verbose_name_plural = _("kepesertaan")
        indexes = [models.Index(fields=["resident", "status"], name="holding_resident_status")]
        constraints = [
            models.UniqueConstraint(fields=["resident", "scheme", "component"], condition=Q(status="active"),
                                    name="holding_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.resident_id}"


class RollRowStatus(models.TextChoices):
    UNRESOLVED = "unresolved", _("Tidak ditemukan")
    AMBIGUOUS = "ambiguous", _("Lebih dari satu calon")
    POSSIBLE = "possible", _("Kemungkinan cocok")
    CONFIRMED = "confirmed", _("Dikonfirmasi petugas")
    DISMISSED = "dismissed", _("Diabaikan petugas")


class RollRow(models.Model):
    """A roll row that could not be resolved with confidence: the reconciliation queue."""

    roll_import = models.ForeignKey(RollImport, on_delete=models.CASCADE, related_name="queue")
    line = models.PositiveIntegerField(_("baris"))
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    component = models.CharField(_("komponen"), max_length=30, blank=True)
    data = models.JSONField(_("isi baris"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=RollRowStatus.choices)
    score = models.FloatField(_("skor"), default=0)
    resident = models.ForeignKey(Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["roll_import", "line"]
        verbose_name = _("baris rekonsiliasi")
        verbose_name_plural = _("antrean rekonsiliasi")

    def __str__(self) -> str:
        return f"{self.roll_import_id}:{self.line}"


class RollCandidate(models.Model):
    """A registry person a queued roll row may be. Screening treats the scheme as possibly held
    by each candidate (review, never a guessed reject) until an officer decides."""

    roll_row = models.ForeignKey(RollRow, on_delete=models.CASCADE, related_name="candidates")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+", verbose_name=_("penduduk"))
    score = models.FloatField(_("skor"))

    class Meta:
        ordering = ["roll_row", "-score"]
        verbose_name = _("calon")
        verbose_name_plural = _("calon")
        indexes = [models.Index(fields=["resident"], name="roll_candidate_resident")]

    def __str__(self) -> str:
        return f"{self.roll_row_id} → {self.resident_id}"


class ProposalSource(models.TextChoices):
    FORM = "form", _("Formulir desa")
    UPLOAD = "upload", _("Unggahan lembar kerja")
    API = "api", _("API")
    PUBLIC = "public", _("Laporan warga")
    COMMAND = "command", _("Baris perintah")


class Proposal(models.Model):
    """A person proposed for a scheme and period, with the screening decision."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="proposals")
    period = models.CharField(_("periode"), max_length=20)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals")
    # One active proposal per person (person schemes) or per family (family schemes) and period;
    # the database enforces it, so two operators submitting at once leave exactly one.
    unit_key = models.CharField(_("kunci unit"), max_length=24, null=True, blank=True)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    typed = models.JSONField(_("data yang diketik"), default=dict)
    decision = models.CharField(_("keputusan"), max_length=6)
    reasons = models.JSONField(_("alasan"), default=list)
    score = models.FloatField(_("skor"), default=0)
    explanation = models.TextField(_("penjelasan"), blank=True)
    source = models.CharField(_("sumber"), max_length=8, choices=ProposalSource.choices)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("usulan")
        verbose_name_plural = _("usulan")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period", "unit_key"], name="proposal_one_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.period} — {self.resident_id}"


class StatusCheck(models.Model):
    """One public status check by NIK, kept (without the NIK) so the rate limit holds across
    every web worker: the client is a keyed hash of its address."""

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    client = models.CharField(_("klien"), max_length=64)
    found = models.BooleanField(_("ditemukan"), default=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("cek status bantuan")
        verbose_name_plural = _("cek status bantuan")
        indexes = [models.Index(fields=["client", "at"], name="status_check_client_at")]

    def __str__(self) -> str:
        return f"{self.client[:8]} {self.at:%Y-%m-%d %H:%M}"
