"""Every write of the core app. Each runs in a transaction and records an audit event."""

from __future__ import annotations

import csv
import io
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pendopo.core.audit import audit_write, diff, snapshot
from pendopo.core.errors import ImportRefused, PermissionDenied
from pendopo.core.models import (
    ApiToken,
    Cluster,
    Region,
    RegionLevel,
    Unit,
    UnitKind,
    User,
    hash_token,
)
from pendopo.core.regions import RegionRow, parse_regions
from pendopo.core.roles import Role

DATA_DIR = Path(__file__).resolve().parent / "data"
BANYUWANGI_REGIONS = DATA_DIR / "wilayah_banyuwangi.csv"
BANYUWANGI_AGENCIES = DATA_DIR / "opd_banyuwangi.csv"
BATCH = 2000


def _require_admin(actor: User | None) -> None:
    if actor is not None and not (actor.role == Role.ADMIN or actor.is_superuser):
        raise PermissionDenied("Hanya administrator yang boleh melakukan ini.")


# --- Regions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def region_import(*, actor: User | None, data: bytes, filename: str) -> RegionImportResult:
    """Import a Kemendagri region file idempotently: new codes are added, changed names or kinds
    updated, nothing removed. A malformed file is refused whole (ImportRefused)."""
    _require_admin(actor)
    existing = {
        code: (name, level, kind, parent)
        for code, name, level, kind, parent in Region.objects.values_list("code", "name", "level", "kind", "parent_id")
    }
    rows = parse_regions(data, filename, known_codes=existing.keys())
    new: list[Region] = []
    changed: list[Region] = []
    for row in rows:
        values = (row.name, row.level, row.kind, row.parent_code)
        before = existing.get(row.code)
        if before is None:
            new.append(_region(row))
        elif before != values:
            if before[1] != row.level:
                raise ImportRefused(
                    f"{filename}: baris {row.line}, kolom level: kode {row.code} sudah tercatat sebagai "
                    f"{before[1]}, tidak dapat diubah menjadi {row.level}."
                )
            changed.append(_region(row))
    with transaction.atomic():
        Region.objects.bulk_create(new, batch_size=BATCH)
        Region.objects.bulk_update(changed, ["name", "kind", "parent"], batch_size=BATCH)
        result = RegionImportResult(created=len(new), updated=len(changed), unchanged=len(rows) - len(new) - len(changed))
        audit_write(
            actor=actor,
            action="region.import",
            object_type="core.region",
            object_repr=filename[:200],
            changes={"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                     "updated_codes": [r.code for r in changed[:100]]},
        )
    return result


def _region(row: RegionRow) -> Region:
    return Region(code=row.code, name=row.name, level=row.level, kind=row.kind, parent_id=row.parent_code)


# --- Units ----------------------------------------------------------------------------------


def units_sync_regency(*, actor: User | None, regency_code: str | None = None) -> int:
    """Make sure the regency, each of its kecamatan and each village has its government unit.
    Names follow the regions; returns the number of units created."""
    regency_code = regency_code or settings.PENDOPO_REGENCY_CODE
    regency = Region.objects.filter(code=regency_code).first()
    if regency is None:
        return 0
    wanted: list[tuple[Region, str, str | None]] = [(regency, UnitKind.REGENCY, None)]
    for region in Region.objects.within(regency_code).order_by("code"):
        kind = UnitKind.KECAMATAN if region.level == RegionLevel.DISTRICT else UnitKind.VILLAGE
        wanted.append((region, kind, region.parent_id))
    existing = {u.code: u for u in Unit.objects.filter(code__in=[r.code for r, _, _ in wanted])}
    created = 0
    with transaction.atomic():
        for region, kind, parent_code in wanted:
            name = _unit_name(region, kind)
            unit = existing.get(region.code)
            if unit is None:
                parent = existing.get(parent_code) if parent_code else None
                unit = Unit.objects.create(code=region.code, name=name, kind=kind, region=region, parent=parent)
                existing[region.code] = unit
                created += 1
            elif unit.name != name:
                unit.name = name
                unit.save(update_fields=["name"])
        if created:
            audit_write(actor=actor, action="unit.sync", object_type="core.unit", object_repr=regency.name,
                        changes={"created": created})
    return created


def _unit_name(region: Region, kind: str) -> str:
    if kind == UnitKind.REGENCY:
        return f"Pemerintah {region.name}"
    if kind == UnitKind.KECAMATAN:
        return f"Kecamatan {region.name}"
    return f"Pemerintah {region.display_name}"


def agencies_load(*, actor: User | None, path: Path = BANYUWANGI_AGENCIES) -> int:
    """Load agencies (OPD, RSUD, puskesmas) and clusters from the shipped catalogue, idempotently.

    Columns: code,name,short_name,kind,parent_code,region_code,clusters (``;``-separated).
    """
    regency = Unit.objects.filter(kind=UnitKind.REGENCY).first()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    created = 0
    with transaction.atomic():
        units: dict[str, Unit] = {}
        for row in rows:
            parent = units.get(row["parent_code"]) if row["parent_code"] else regency
            region = Region.objects.filter(code=row["region_code"]).first() if row["region_code"] else None
            unit, made = Unit.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "short_name": row["short_name"], "kind": row["kind"],
                          "parent": parent, "region": region},
            )
            units[unit.code] = unit
            created += int(made)
        for code, name, theme in CLUSTERS:
            cluster, _ = Cluster.objects.update_or_create(code=code, defaults={"name": name, "theme": theme})
            members = [units[r["code"]] for r in rows if code in (r["clusters"] or "").split(";")]
            cluster.members.set(members)
            if members and cluster.coordinator_id is None:
                cluster.coordinator = members[0]
                cluster.save(update_fields=["coordinator"])
        if created:
            audit_write(actor=actor, action="unit.load_agencies", object_type="core.unit",
                        object_repr=path.name, changes={"created": created})
    return created


CLUSTERS = [
    ("KLASTER-KESEHATAN", "Klaster Kesehatan", "health"),
    ("KLASTER-PENDIDIKAN", "Klaster Pendidikan", "education"),
    ("KLASTER-EKONOMI", "Klaster Ekonomi", "economy"),
    ("KLASTER-SOSIAL", "Klaster Sosial", "social"),
    ("KLASTER-INFRASTRUKTUR", "Klaster Infrastruktur", "infrastructure"),
    ("KLASTER-TATA-KELOLA", "Klaster Tata Kelola Pemerintahan", "governance"),
]


def unit_update(*, actor: User, unit: Unit, name: str, short_name: str, address: str, active: bool) -> Unit:
    _require_admin(actor)
    before = snapshot(unit, ["name", "short_name", "address", "active"])
    unit.name, unit.short_name, unit.address, unit.active = name, short_name, address, active
    unit.full_clean()
    with transaction.atomic():
        unit.save()
        audit_write(actor=actor, action="unit.update", obj=unit, changes=diff(before, snapshot(unit, before)))
    return unit


# --- Accounts -------------------------------------------------------------------------------


def resolve_unit(code: str | None) -> Unit | None:
    """A unit by its code: a region code (``35.10.01.2001``) or an agency code (``DINSOS``)."""
    if not code:
        return None
    unit = Unit.objects.filter(code__iexact=code.strip()).select_related("region").first()
    if unit is None:
        raise ValidationError({"unit": f"Unit '{code}' tidak ditemukan (kode wilayah atau kode OPD)."})
    return unit


def user_create(
    *,
    actor: User | None,
    username: str,
    role: str,
    unit: Unit | None = None,
    password: str | None = None,
    full_name: str = "",
    position: str = "",
    email: str = "",
    must_change_password: bool = False,
    check_password_strength: bool = True,
) -> User:
    """Create an account. Without a password the account cannot log in until one is set."""
    _require_admin(actor)
    if role not in Role.values:
        raise ValidationError({"role": f"Peran '{role}' tidak dikenal; pilih salah satu: {', '.join(Role.values)}."})
    user = User(
        username=username.strip(), role=role, unit=unit, full_name=full_name, position=position, email=email,
        must_change_password=must_change_password, is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if User.objects.filter(username__iexact=user.username).exists():
        raise ValidationError({"username": f"Nama pengguna '{user.username}' sudah dipakai."})
    if password:
        if check_password_strength:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    with transaction.atomic():
        user.save()
        audit_write(
            actor=actor, action="user.create", obj=user,
            changes={"role": [None, role], "unit": [None, unit.code if unit else None]},
        )
    return user


USER_FIELDS = ["full_name", "role", "unit", "position", "email", "phone", "is_active"]


def user_update(*, actor: User, user: User, **fields: object) -> User:
    _require_admin(actor)
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    before = snapshot(user, USER_FIELDS)
    for key, value in fields.items():
        setattr(user, key, value)
    user.is_staff = user.is_superuser = user.role == Role.ADMIN
    user.full_clean()
    with transaction.atomic():
        user.save()
        audit_write(actor=actor, action="user.update", obj=user, changes=diff(before, snapshot(user, USER_FIELDS)))
    return user


def temporary_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def user_password_reset(*, actor: User, user: User) -> str:
    """An administrator resets a password: returns a one-time temporary password that the
    user must change at the next login; live sessions of that user end."""
    _require_admin(actor)
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    with transaction.atomic():
        user.save(update_fields=["password", "must_change_password"])
        _end_sessions(user)
        audit_write(actor=actor, action="user.password_reset", obj=user)
    return password


def user_password_change(*, actor: User, old_password: str, new_password: str) -> None:
    if not actor.check_password(old_password):
        raise ValidationError({"old_password": "Kata sandi lama salah."})
    validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.must_change_password = False
    with transaction.atomic():
        actor.save(update_fields=["password", "must_change_password"])
        audit_write(actor=actor, action="user.password_change", obj=actor)


def _end_sessions(user: User) -> None:
    from django.contrib.sessions.models import Session

    for session in Session.objects.filter(expire_date__gte=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()


# --- API tokens -----------------------------------------------------------------------------

TOKEN_PREFIX = "pdp_"  # noqa: S105 - a label, not a secret


def token_create(*, actor: User | None, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue a bearer token for ``user``. Returns the row and the raw token, shown only once.
    An administrator may issue for anyone; others only for themselves."""
    if actor is not None and actor.pk != user.pk:
        _require_admin(actor)
    if not user.is_active:
        raise ValidationError({"user": "Akun tidak aktif; token tidak dapat dibuat."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:12], key_hash=hash_token(raw))
        audit_write(actor=actor, action="token.create", obj=token, changes={"user": [None, user.username]})
    return token, raw


def token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    if actor is not None and actor.pk != token.user_id:
        _require_admin(actor)
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_write(actor=actor, action="token.revoke", obj=token)
    return token
