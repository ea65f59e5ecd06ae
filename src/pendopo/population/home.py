"""Navigation entries and home panels of the registry."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pendopo.core.home import NavItem, Panel, Stat, register_nav, register_panels
from pendopo.core.roles import REGISTRY_READER_ROLES, VILLAGE_ROLES, Role
from pendopo.population import selectors

register_nav(NavItem(_("Penduduk"), "population:resident-list", roles=frozenset(REGISTRY_READER_ROLES), order=10))


def _health_unit(user: object) -> bool:
    unit = getattr(user, "unit", None)
    return unit is not None and unit.kind in {"puskesmas", "rsud"}


def population_panels(user: object) -> list[Panel]:
    role = getattr(user, "role", None)
    url = reverse("population:resident-list")
    if role == Role.RESIDENT:
        resident = getattr(user, "resident", None)
        if resident is None:
            return [Panel(_("Data kependudukan Anda"), _("Akun Anda belum terhubung dengan data penduduk. Hubungi operator desa."))]
        return [Panel(
            _("Data kependudukan Anda"),
            _("Periksa data Anda dan keluarga; laporkan ke operator desa bila ada yang salah."),
            links=[(_("Lihat data saya"), reverse("population:resident-detail", args=[resident.pk]))],
            order=5,
        )]
    if _health_unit(user):
        return [Panel(_("Laporan kematian"), _("Laporkan kematian warga kabupaten; desa dan Dinas Sosial langsung menerimanya."),
                      links=[(_("Lapor kematian"), reverse("population:death-report"))], order=4)]
    unit = getattr(user, "unit", None)
    if unit is not None and unit.code == "DISPENDUKCAPIL":
        return [Panel(_("Impor data kependudukan"), _("Unggah ekstrak Dispendukcapil; baris yang salah masuk karantina."),
                      links=[(_("Impor data kependudukan"), reverse("population:registry-upload"))], order=4)]
    if role not in REGISTRY_READER_ROLES and not getattr(user, "is_superuser", False):
        return []
    c = selectors.counts_for(actor=user)
    stats = [
        Stat(_("Penduduk hidup"), c.alive, url + "?status=alive"),
        Stat(_("Laki-laki"), c.male, url + "?status=alive&sex=L"),
        Stat(_("Perempuan"), c.female, url + "?status=alive&sex=P"),
        Stat(_("Kartu keluarga aktif"), c.families),
        Stat(_("Meninggal/pindah"), c.residents - c.alive),
    ]
    if role in VILLAGE_ROLES:
        title, text = _("Penduduk desa Anda"), _("Cari warga berdasarkan nama, NIK, atau nomor KK sebelum melayani.")
    elif role == Role.KECAMATAN_OFFICER:
        title, text = _("Penduduk kecamatan Anda"), _("Jumlah penduduk seluruh desa/kelurahan di kecamatan Anda.")
    else:
        title, text = _("Penduduk kabupaten"), _("Ringkasan data kependudukan seluruh kabupaten.")
    links = [(_("Daftar penduduk"), url), (_("Statistik"), reverse("population:resident-figures"))]
    if role == Role.ADMIN:
        links.append((_("Impor data kependudukan"), reverse("population:registry-upload")))
    panels = [Panel(title, text, stats=stats, links=links, order=1)]
    if role in (Role.KECAMATAN_OFFICER, Role.REGENT_OFFICE, Role.DINSOS):
        per_village = selectors.village_counts(actor=user)
        top = sorted(per_village, key=lambda r: -int(r["n"]))[:6]  # type: ignore[call-overload]
        panels.append(Panel(
            _("Desa/kelurahan terpadat"),
            stats=[Stat(str(r["village__name"]), int(r["n"]), url + f"?village={r['village_id']}") for r in top],  # type: ignore[call-overload]
            order=2,
        ))
    return panels


register_panels(population_panels)
