"""Regions, organisation units, accounts, API tokens and the audit trail."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pendopo.core.roles import AGENCY_ROLES, VILLAGE_ROLES, Role


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Provinsi")
    REGENCY = "regency", _("Kabupaten/Kota")
    DISTRICT = "district", _("Kecamatan")
    VILLAGE = "village", _("Desa/Kelurahan")


class RegionKind(models.TextChoices):
    NONE = "", "-"
    KABUPATEN = "kabupaten", _("Kabupaten")
    KOTA = "kota", _("Kota")
    DESA = "desa", _("Desa")
    KELURAHAN = "kelurahan", _("Kelurahan")
    DESA_ADAT = "desa_adat", _("Desa adat")


class RegionQuerySet(models.QuerySet["Region"]):
    def villages(self) -> RegionQuerySet:
        return self.filter(level=RegionLevel.VILLAGE)

    def districts(self) -> RegionQuerySet:
        return self.filter(level=RegionLevel.DISTRICT)

    def within(self, code: str) -> RegionQuerySet:
        """Regions strictly below ``code`` in the Kemendagri hierarchy."""
        return self.filter(code__startswith=f"{code}.")


class Region(models.Model):
    """A Kemendagri region, keyed by its code (PP.KK.CC.VVVV); names drift, codes stay."""

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.CharField(_("tingkat"), max_length=10, choices=RegionLevel.choices)
    kind = models.CharField(_("jenis"), max_length=10, choices=RegionKind.choices, blank=True, default="")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("induk")
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        if self.level == RegionLevel.VILLAGE:
            prefix = {"kelurahan": "Kelurahan", "desa_adat": "Desa Adat"}.get(self.kind, "Desa")
            return f"{prefix} {self.name}"
        if self.level == RegionLevel.DISTRICT:
            return f"Kecamatan {self.name}"
        return self.name


class UnitKind(models.TextChoices):
    REGENCY = "regency", _("Pemerintah Kabupaten")
    KECAMATAN = "kecamatan", _("Kantor Kecamatan")
    VILLAGE = "village", _("Pemerintah Desa/Kelurahan")
    DINAS = "dinas", _("Dinas")
    BADAN = "badan", _("Badan")
    KANTOR = "kantor", _("Sekretariat/Kantor/Inspektorat")
    RSUD = "rsud", _("RSUD")
    PUSKESMAS = "puskesmas", _("Puskesmas")


AGENCY_KINDS = frozenset({UnitKind.DINAS, UnitKind.BADAN, UnitKind.KANTOR, UnitKind.RSUD, UnitKind.PUSKESMAS})
REGION_UNIT_KINDS = {
    UnitKind.REGENCY: RegionLevel.REGENCY,
    UnitKind.KECAMATAN: RegionLevel.DISTRICT,
    UnitKind.VILLAGE: RegionLevel.VILLAGE,
}


class UnitQuerySet(models.QuerySet["Unit"]):
    def agencies(self) -> UnitQuerySet:
        return self.filter(kind__in=AGENCY_KINDS)

    def active(self) -> UnitQuerySet:
        return self.filter(active=True)


class Unit(models.Model):
    """An organisation unit: the regency, a kecamatan office, a village government or an agency (OPD).

    Region units carry their region's code as their own; agencies have a short code (``DINSOS``).
    """

    code = models.CharField(_("kode"), max_length=32, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    short_name = models.CharField(_("singkatan"), max_length=40, blank=True)
    kind = models.CharField(_("jenis"), max_length=12, choices=UnitKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="units", verbose_name=_("wilayah")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("induk")
    )
    address = models.CharField(_("alamat"), max_length=250, blank=True)
    active = models.BooleanField(_("aktif"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("unit kerja")
        verbose_name_plural = _("unit kerja")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["regency", "kecamatan", "village"]) | models.Q(region__isnull=False),
                name="unit_region_kind_has_region",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_agency(self) -> bool:
        return self.kind in AGENCY_KINDS

    def clean(self) -> None:
        level = REGION_UNIT_KINDS.get(UnitKind(self.kind)) if self.kind else None
        if level and self.region_id and self.region and self.region.level != level:
            raise ValidationError({"region": _("Wilayah unit ini harus bertingkat %(level)s.") % {"level": level.label}})
        if level and self.region_id and self.code != self.region_id:
            raise ValidationError({"code": _("Kode unit wilayah harus sama dengan kode wilayahnya.")})


class ClusterTheme(models.TextChoices):
    HEALTH = "health", _("Kesehatan")
    EDUCATION = "education", _("Pendidikan")
    ECONOMY = "economy", _("Ekonomi")
    SOCIAL = "social", _("Sosial")
    INFRASTRUCTURE = "infrastructure", _("Infrastruktur")
    GOVERNANCE = "governance", _("Tata kelola pemerintahan")


class Cluster(models.Model):
    """A coordination cluster of agencies (the health cluster: Dinkes, RSUD, puskesmas, Dinsos)."""

    code = models.CharField(_("kode"), max_length=32, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    theme = models.CharField(_("tema"), max_length=20, choices=ClusterTheme.choices)
    coordinator = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="coordinated_clusters",
        verbose_name=_("koordinator"),
    )
    members = models.ManyToManyField(Unit, related_name="clusters", blank=True, verbose_name=_("anggota"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("klaster")
        verbose_name_plural = _("klaster")

    def __str__(self) -> str:
        return self.name


class PendopoUserManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """An account: one role, scoped to one unit (a village operator to their village)."""

    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("unit kerja")
    )
    position = models.CharField(_("jabatan"), max_length=120, blank=True)
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    must_change_password = models.BooleanField(_("wajib ganti kata sandi"), default=False)

    objects = PendopoUserManager()

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        indexes = [models.Index(fields=["role", "unit"], name="user_role_unit")]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        unit = self.unit if self.unit_id else None
        role = self.role
        if role in VILLAGE_ROLES and (unit is None or unit.kind != UnitKind.VILLAGE):
            raise ValidationError({"unit": _("Peran desa harus terikat pada unit desa/kelurahan.")})
        if role == Role.KECAMATAN_OFFICER and (unit is None or unit.kind != UnitKind.KECAMATAN):
            raise ValidationError({"unit": _("Petugas kecamatan harus terikat pada unit kecamatan.")})
        if role in AGENCY_ROLES and (unit is None or not unit.is_agency):
            raise ValidationError({"unit": _("Peran OPD harus terikat pada unit OPD (dinas, badan, RSUD, puskesmas).")})
        if role == Role.REGENT_OFFICE and unit is not None and unit.kind not in (UnitKind.REGENCY, UnitKind.KANTOR):
            raise ValidationError({"unit": _("Kantor Bupati terikat pada unit kabupaten atau sekretariat.")})
        if role == Role.RESIDENT and unit is not None and unit.kind != UnitKind.VILLAGE:
            raise ValidationError({"unit": _("Warga hanya dapat terikat pada desa/kelurahan.")})


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for a machine client; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("pengguna"))
    name = models.CharField(_("nama"), max_length=100, blank=True)
    prefix = models.CharField(_("awalan"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class AuditKind(models.TextChoices):
    WRITE = "write", _("Perubahan")
    READ = "read", _("Akses data pribadi")
    AUTH = "auth", _("Masuk/keluar")
    EXPORT = "export", _("Ekspor")


class AuditEvent(models.Model):
    """One line of the audit trail. Append-only: the database refuses updates (and on
    PostgreSQL deletes) through triggers, and the product offers no way to change a row."""

    at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)
    # No FK constraint: the trail must outlive any account and never cascade.
    actor = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name=_("pelaku"),
    )
    actor_username = models.CharField(_("nama pengguna"), max_length=150, blank=True)
    actor_role = models.CharField(_("peran"), max_length=20, blank=True)
    actor_unit = models.CharField(_("unit"), max_length=32, blank=True)
    kind = models.CharField(_("jenis"), max_length=8, choices=AuditKind.choices)
    action = models.CharField(_("tindakan"), max_length=64, db_index=True)
    object_type = models.CharField(_("jenis objek"), max_length=64, blank=True)
    object_id = models.CharField(_("ID objek"), max_length=64, blank=True)
    object_repr = models.CharField(_("objek"), max_length=200, blank=True)
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    personal_data = models.BooleanField(_("data pribadi"), default=False)
    ip = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    path = models.CharField(_("alamat halaman"), max_length=250, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("catatan audit")
        verbose_name_plural = _("jejak audit")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("AuditEvent is append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise ValueError("AuditEvent is append-only")
