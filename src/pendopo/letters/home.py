"""Navigation entries and home panels of village services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pendopo.core.home import NavItem, Panel, Stat, register_nav, register_panels
from pendopo.core.roles import VILLAGE_ROLES, Role

register_nav(
    NavItem(_("Surat"), "letters:request-list", roles=frozenset({*VILLAGE_ROLES, Role.RESIDENT, Role.ADMIN}), order=15),
    NavItem(_("Kinerja layanan surat"), "letters:service", roles=frozenset({Role.REGENT_OFFICE, Role.KECAMATAN_OFFICER, Role.ADMIN}),
            order=16),
)


def letters_panels(user: object) -> list[Panel]:
    from pendopo.letters.models import RequestStatus
    from pendopo.letters.selectors import request_list

    role = getattr(user, "role", None)
    if role == Role.RESIDENT:
        mine = request_list(actor=user)
        stats = [Stat(_("Siap diambil"), mine.filter(status=RequestStatus.READY).count(), reverse("letters:request-list")),
                 Stat(_("Sedang diproses"), mine.filter(status__in=[RequestStatus.SUBMITTED, RequestStatus.PROCESSING,
                                                                    RequestStatus.SIGNING]).count(), reverse("letters:request-list"))]
        return [Panel(_("Surat keterangan dari desa"), _("Ajukan surat tanpa datang ke kantor desa; Anda diberi tahu saat surat siap."),
                      stats=stats,
                      links=[(_("Ajukan surat"), reverse("letters:request-create")), (_("Surat saya"), reverse("letters:request-list"))],
                      order=2)]
    if role not in VILLAGE_ROLES:
        return []
    qs = request_list(actor=user)
    stats = [Stat(_("Perlu diperiksa"), qs.filter(status=RequestStatus.SUBMITTED).count(), reverse("letters:request-list") + "?status=submitted"),
             Stat(_("Menunggu tanda tangan"), qs.filter(status=RequestStatus.SIGNING).count(), reverse("letters:request-list") + "?status=signing")]
    return [Panel(_("Layanan surat"), _("Permohonan surat warga: periksa, tanda tangani, terbitkan."), stats=stats,
                  links=[(_("Buat permohonan di loket"), reverse("letters:request-create")), (_("Kinerja layanan"), reverse("letters:service"))],
                  order=2)]


register_panels(letters_panels)
