"""Aid schemes, the overlap matrix, holdings from the rolls, and proposals with their decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pendopo.aid.screening import Text, render
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


class UploadStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Diproses")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class ScreeningUpload(models.Model):
    """A village's spreadsheet of proposed recipients, screened row by row in the background.
    The file and the result workbook are kept in the database: small, transactional, and
    reachable from any worker without a shared disk."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="uploads", verbose_name=_("skema"))
    period = models.CharField(_("periode"), max_length=20)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("desa"))
    file_name = models.CharField(_("nama berkas"), max_length=200)
    content = models.BinaryField(_("isi berkas"))
    # SHA-256 of the rows as read (not of the file: Excel rewrites dates inside a saved workbook).
    digest = models.CharField(_("sidik isi"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=UploadStatus.choices, default=UploadStatus.QUEUED)
    rows = models.PositiveIntegerField(_("baris"), default=0)
    done_rows = models.PositiveIntegerField(_("baris selesai"), default=0)
    counts = models.JSONField(_("jumlah per keputusan"), default=dict)
    error = models.TextField(_("kesalahan"), blank=True)
    result = models.BinaryField(_("hasil"), null=True, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("unggahan usulan")
        verbose_name_plural = _("unggahan usulan")
        constraints = [
            models.CheckConstraint(condition=Q(done_rows__lte=models.F("rows")), name="upload_done_le_rows"),
            # The same list once per village, scheme and period (a failed one may be sent again).
            models.UniqueConstraint(fields=["village", "scheme", "period", "digest"], condition=~Q(status="failed") & ~Q(digest=""),
                                    name="upload_once"),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return 100 if self.status == UploadStatus.DONE else (int(100 * self.done_rows / self.rows) if self.rows else 0)


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
    explanation = models.TextField(_("penjelasan"), blank=True)  # in Bahasa Indonesia, as the contract gives it
    # The same sentence as templates and values (``screening.Text``), so each reader gets it in
    # their language; empty for proposals decided before it was kept.
    explanation_text = models.JSONField(_("penjelasan (templat)"), null=True, blank=True)
    source = models.CharField(_("sumber"), max_length=8, choices=ProposalSource.choices)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # What the screening decided by itself; ``decision`` is what holds now (after review,
    # an override or an appeal).
    auto_decision = models.CharField(_("keputusan otomatis"), max_length=6, blank=True)
    candidates = models.JSONField(_("calon penduduk"), default=list)  # [{id, score, evidence}] from the engine
    upload = models.ForeignKey(ScreeningUpload, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals")
    upload_line = models.PositiveIntegerField(_("baris unggahan"), null=True, blank=True)
    reporter_name = models.CharField(_("nama pelapor"), max_length=120, blank=True)
    reporter_phone = models.CharField(_("telepon pelapor"), max_length=20, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(_("waktu ditinjau"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("usulan")
        verbose_name_plural = _("usulan")
        indexes = [models.Index(fields=["decision", "scheme", "period"], name="proposal_decision")]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period", "unit_key"], name="proposal_one_per_unit"),
            models.CheckConstraint(condition=Q(decision__in=["accept", "reject", "review"]), name="proposal_decision_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.period} — {self.resident_id}"

    def explain(self, text: Text) -> None:
        """Set the explanation: the Indonesian sentence and its Text."""
        self.explanation, self.explanation_text = render(text)[:4000], text

    @property
    def explanation_shown(self) -> str:
        """The explanation in the active language."""
        if self.explanation_text is None:
            return self.explanation
        return render(self.explanation_text, gettext)


class StatusCheck(models.Model):
    """One public status check by NIK, kept (without the NIK) so the rate limit holds across
    every web worker: the client is a keyed hash of its address."""

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    client = models.CharField(_("klien"), max_length=64)
    found = models.BooleanField(_("ditemukan"), default=False)
    kind = models.CharField(_("jenis"), max_length=8, default="status")  # status | report | appeal: each its own limit

    class Meta:
        ordering = ["-at"]
        verbose_name = _("cek status bantuan")
        verbose_name_plural = _("cek status bantuan")
        indexes = [models.Index(fields=["client", "at"], name="status_check_client_at")]

    def __str__(self) -> str:
        return f"{self.client[:8]} {self.at:%Y-%m-%d %H:%M}"


class ProposalEvent(models.Model):
    """What happened to a proposal after screening, shown on its page: who did what and why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(_("tindakan"), max_length=40)
    reason = models.TextField(_("alasan"), blank=True)
    before = models.CharField(_("sebelumnya"), max_length=6, blank=True)
    after = models.CharField(_("sesudahnya"), max_length=6, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("riwayat usulan")
        verbose_name_plural = _("riwayat usulan")

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.action}"


class OverrideStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu persetujuan")
    APPROVED = "approved", _("Disetujui")
    REFUSED = "refused", _("Ditolak")


class Override(models.Model):
    """Accepting a proposal the screening rejected: one officer asks with a reason, a second,
    different officer approves (four eyes)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="overrides")
    reason = models.TextField(_("alasan"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("diajukan oleh"))
    requested_at = models.DateTimeField(_("diajukan"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=8, choices=OverrideStatus.choices, default=OverrideStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("diputuskan oleh"))
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("pengecualian keputusan")
        verbose_name_plural = _("pengecualian keputusan")
        constraints = [
            models.CheckConstraint(condition=~Q(decided_by=models.F("requested_by")), name="override_four_eyes"),
            models.UniqueConstraint(fields=["proposal"], condition=Q(status="pending"), name="override_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.status}"


class AppealStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Diajukan")
    GRANTED_PENDING = "granting", _("Dikabulkan, menunggu persetujuan kedua")
    GRANTED = "granted", _("Dikabulkan")
    DENIED = "denied", _("Ditolak")


class Appeal(models.Model):
    """A resident or their village disputes a decision; Dinas Sosial answers by the deadline."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="appeals")
    reason = models.TextField(_("alasan banding"))
    appellant_name = models.CharField(_("nama pengaju"), max_length=120)
    appellant_phone = models.CharField(_("telepon pengaju"), max_length=20, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    filed_at = models.DateTimeField(_("diajukan"), auto_now_add=True)
    deadline = models.DateField(_("batas waktu"))
    status = models.CharField(_("status"), max_length=9, choices=AppealStatus.choices, default=AppealStatus.SUBMITTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    answer = models.TextField(_("jawaban"), blank=True)
    override = models.OneToOneField(Override, on_delete=models.SET_NULL, null=True, blank=True, related_name="appeal")

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("banding")
        verbose_name_plural = _("banding")
        constraints = [
            models.UniqueConstraint(fields=["proposal"], condition=Q(status__in=["submitted", "granting"]), name="appeal_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.status}"


class MusdesMinutes(models.Model):
    """The village meeting (musyawarah desa) that agreed a scheme's list for a period."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("skema"))
    period = models.CharField(_("periode"), max_length=20)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("desa"))
    number = models.CharField(_("nomor berita acara"), max_length=60, blank=True)
    held_on = models.DateField(_("tanggal musyawarah"))
    place = models.CharField(_("tempat"), max_length=120)
    chair = models.CharField(_("pimpinan musyawarah"), max_length=120)
    bpd_chair = models.CharField(_("ketua BPD"), max_length=120)
    village_head = models.CharField(_("kepala desa"), max_length=120)
    attendees = models.PositiveSmallIntegerField(_("jumlah peserta"))
    notes = models.TextField(_("catatan"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("berita acara musdes")
        verbose_name_plural = _("berita acara musdes")
        constraints = [models.CheckConstraint(condition=Q(attendees__gte=1), name="musdes_attendees_positive")]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.period} {self.village_id}"


class RuleChange(models.Model):
    """A change of the overlap matrix, with who made it, why, and what its dry run showed."""

    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(_("tindakan"), max_length=6)  # add | remove
    proposed = models.CharField(_("skema diusulkan"), max_length=20)
    held = models.CharField(_("skema yang dimiliki"), max_length=20)
    unit = models.CharField(_("berlaku untuk"), max_length=6)
    component = models.CharField(_("komponen"), max_length=30, blank=True)
    reason = models.TextField(_("alasan"))
    effect = models.JSONField(_("dampak"), default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("perubahan aturan")
        verbose_name_plural = _("riwayat aturan tumpang tindih")

    def __str__(self) -> str:
        return f"{self.action} {self.proposed} ✕ {self.held}"
