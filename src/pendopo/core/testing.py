"""Fixed personas for tests: one account per role, on Banyuwangi's real units.

The regions, government units and agencies come from the data migration, so every test
database has them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pendopo.core import services
from pendopo.core.models import User

VILLAGE = "35.10.09.2001"  # Kembiritan, Kecamatan Genteng
OTHER_VILLAGE = "35.10.09.2004"  # Setail, Kecamatan Genteng
FAR_VILLAGE = "35.10.16.1002"  # Sobo, Kecamatan Banyuwangi
KECAMATAN = "35.10.09"
PASSWORD = "sandi-uji-yang-panjang"  # noqa: S105 - test personas only


@dataclass(frozen=True)
class Personas:
    admin: User
    regent_office: User
    dinsos: User
    agency_head: User
    agency_staff: User
    kecamatan_officer: User
    village_head: User
    village_operator: User
    other_operator: User
    resident: User


def make_personas() -> Personas:
    def make(username: str, role: str, unit: str | None) -> User:
        return services.user_create(
            actor=None, username=username, role=role, unit=services.resolve_unit(unit), password=PASSWORD,
            full_name=username.replace(".", " ").title(), check_password_strength=False,
        )

    return Personas(
        admin=make("admin", "admin", None),
        regent_office=make("bupati", "regent_office", "35.10"),
        dinsos=make("dinsos", "dinsos", "DINSOS"),
        agency_head=make("kadinkes", "agency_head", "DINKES"),
        agency_staff=make("staf.dinkes", "agency_staff", "DINKES"),
        kecamatan_officer=make("camat.genteng", "kecamatan_officer", KECAMATAN),
        village_head=make("kades.kembiritan", "village_head", VILLAGE),
        village_operator=make("operator.kembiritan", "village_operator", VILLAGE),
        other_operator=make("operator.setail", "village_operator", OTHER_VILLAGE),
        resident=make("warga", "resident", VILLAGE),
    )
