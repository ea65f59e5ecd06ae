"""The roles of Pendopo and what each one may do.

Role names are fixed by the screening contract (``pendopo createuser --role``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    REGENT_OFFICE = "regent_office", _("Kantor Bupati")
    AGENCY_HEAD = "agency_head", _("Kepala OPD")
    AGENCY_STAFF = "agency_staff", _("Staf OPD")
    DINSOS = "dinsos", _("Petugas Dinas Sosial")
    KECAMATAN_OFFICER = "kecamatan_officer", _("Petugas Kecamatan")
    VILLAGE_HEAD = "village_head", _("Kepala Desa/Lurah")
    VILLAGE_OPERATOR = "village_operator", _("Operator Desa")
    RESIDENT = "resident", _("Warga")


VILLAGE_ROLES = frozenset({Role.VILLAGE_HEAD, Role.VILLAGE_OPERATOR})
AGENCY_ROLES = frozenset({Role.AGENCY_HEAD, Role.AGENCY_STAFF})
REGENCY_WIDE_ROLES = frozenset({Role.ADMIN, Role.REGENT_OFFICE, Role.DINSOS})

# Roles whose work needs the full NIK/KK (they identify people at the counter or in screening).
# Everyone else sees 3510********0001.
FULL_IDENTITY_ROLES = frozenset({Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD, Role.DINSOS})

# Roles that may read the civil registry of the residents in their scope at all.
REGISTRY_READER_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.REGENT_OFFICE,
        Role.DINSOS,
        Role.KECAMATAN_OFFICER,
        Role.VILLAGE_HEAD,
        Role.VILLAGE_OPERATOR,
    }
)
