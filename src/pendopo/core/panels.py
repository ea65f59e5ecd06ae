"""Core's own navigation entries and home panels."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pendopo.core.home import NavItem, Panel, Stat, register_nav, register_panels
from pendopo.core.models import ApiToken, AuditEvent, Region, RegionLevel, Unit, User
from pendopo.core.roles import AGENCY_ROLES, Role

ADMIN = frozenset({Role.ADMIN})

register_nav(
    NavItem(_("Beranda"), "core:home", order=0, public=True),
    NavItem(_("Wilayah"), "core:region-list", order=80, public=True),
    NavItem(_("Unit kerja"), "core:unit-list", order=81, public=True),
    NavItem(_("Pengguna"), "core:user-list", roles=ADMIN, order=90),
    NavItem(_("Jejak audit"), "core:audit-list", roles=ADMIN, order=91),
    NavItem(_("Token API"), "core:token-list", order=95),
)


def core_panels(user: object) -> list[Panel]:
    role = getattr(user, "role", None)
    panels: list[Panel] = []
    if role == Role.ADMIN or getattr(user, "is_superuser", False):
        today = timezone.localdate()
        by_role = dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")).values_list("role", "n"))
        panels.append(Panel(
            title=_("Administrasi platform"),
            text=_("Akun aktif per peran, aktivitas hari ini, dan token API yang berlaku."),
            stats=[
                Stat(_("Akun aktif"), sum(by_role.values()), reverse("core:user-list")),
                Stat(_("Operator desa"), by_role.get(Role.VILLAGE_OPERATOR, 0), reverse("core:user-list") + "?role=village_operator"),
                Stat(_("Catatan audit hari ini"), AuditEvent.objects.filter(at__date=today).count(), reverse("core:audit-list")),
                Stat(_("Akses data pribadi hari ini"), AuditEvent.objects.filter(at__date=today, personal_data=True).count(),
                     reverse("core:audit-list") + "?personal_data=1"),
                Stat(_("Token API berlaku"), ApiToken.objects.live().count(), reverse("core:token-list")),
            ],
            links=[(_("Buat akun"), reverse("core:user-create")), (_("Admin Django"), reverse("admin:index"))],
            order=90,
        ))
    if role in (Role.ADMIN, Role.REGENT_OFFICE):
        panels.append(Panel(
            title=_("Wilayah dan unit kerja"),
            stats=[
                Stat(_("Kecamatan"), Region.objects.filter(level=RegionLevel.DISTRICT, parent_id__isnull=False).filter(code__startswith=f"{settings.PENDOPO_REGENCY_CODE}.").count(), reverse("core:region-list")),
                Stat(_("Desa/kelurahan"), Region.objects.villages().filter(code__startswith=f"{settings.PENDOPO_REGENCY_CODE}.").count(), reverse("core:region-list")),
                Stat(_("OPD, RSUD, puskesmas"), Unit.objects.agencies().active().count(), reverse("core:unit-list")),
            ],
            order=60,
        ))
    unit = getattr(user, "unit", None)
    if role in AGENCY_ROLES and unit is not None:
        staff = User.objects.filter(unit=unit, is_active=True).order_by("role", "full_name")
        panels.append(Panel(
            title=unit.name,
            text=_("Staf aktif dan klaster koordinasi unit Anda."),
            stats=[Stat(_("Staf aktif"), staff.count())] + [Stat(_("Klaster"), c.name) for c in unit.clusters.all()],
            links=[(_("Daftar unit kerja"), reverse("core:unit-list"))],
            order=10,
        ))
    return panels


register_panels(core_panels)
