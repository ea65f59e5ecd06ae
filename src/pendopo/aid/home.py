"""Navigation entries and home panels of social aid."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pendopo.aid.models import Appeal, AppealStatus, Override, OverrideStatus, Proposal
from pendopo.aid.review import REVIEW_ROLES
from pendopo.aid.services import SCREENING_ROLES
from pendopo.core.home import NavItem, Panel, Stat, register_nav, register_panels
from pendopo.core.roles import Role
from pendopo.core.scopes import scope_for

register_nav(
    NavItem(_("Bansos"), "aid:proposal-list", roles=frozenset(SCREENING_ROLES), order=20),
    NavItem(_("Pemeriksaan bansos"), "aid:review-queue", roles=frozenset(REVIEW_ROLES), order=21),
    NavItem(_("Angka bansos"), "aid:figures", roles=frozenset({Role.REGENT_OFFICE, Role.KECAMATAN_OFFICER, Role.DINSOS, Role.ADMIN}), order=22),
)


def aid_panels(user: object) -> list[Panel]:
    role = getattr(user, "role", None)
    if role not in SCREENING_ROLES:
        return []
    scope = scope_for(user)
    qs = scope.filter_regions(Proposal.objects.all(), "village__code")
    counts = dict(qs.values_list("decision").annotate(n=Count("id")).values_list("decision", "n"))
    url = reverse("aid:proposal-list")
    stats = [Stat(_("Diterima"), counts.get("accept", 0), url + "?decision=accept"),
             Stat(_("Perlu diperiksa"), counts.get("review", 0), url + "?decision=review"),
             Stat(_("Ditolak"), counts.get("reject", 0), url + "?decision=reject")]
    links = [(_("Usulkan satu orang"), reverse("aid:proposal-create")), (_("Unggah lembar kerja"), reverse("aid:upload-create")),
             (_("Angka dan daftar BNBA"), reverse("aid:figures")), (_("Berita acara musdes"), reverse("aid:musdes-create")),
             (_("Matriks tumpang tindih"), reverse("aid:rules"))]
    if role in REVIEW_ROLES:
        stats.append(Stat(_("Pengecualian menunggu"), Override.objects.filter(status=OverrideStatus.PENDING).count(), reverse("aid:review-queue")))
        stats.append(Stat(_("Banding terbuka"), Appeal.objects.filter(status=AppealStatus.SUBMITTED).count(), reverse("aid:review-queue")))
        links.insert(0, (_("Antrean pemeriksaan"), reverse("aid:review-queue")))
    return [Panel(_("Usulan bantuan sosial"), _("Usulan disaring otomatis: penerima skema lain yang tumpang tindih ditolak dengan alasan."),
                  stats=stats, links=links, order=3)]


register_panels(aid_panels)
