"""Read endpoints of the registry, scoped exactly like the pages and audited."""


import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from pendopo.core.auth import BearerAuth
from pendopo.core.masking import show_identity
from pendopo.core.pages import AuditedPage
from pendopo.core.schemas import ErrorOut
from pendopo.population import selectors
from pendopo.population.models import Resident

router = Router(tags=["population"], auth=BearerAuth())


class ResidentOut(Schema):
    id: int
    nik: str
    name: str
    sex: str
    birth_place: str
    birth_date: dt.date
    village_code: str
    dusun: str
    rt: str
    rw: str
    status: str
    kk: str | None


def _out(request: HttpRequest, r: Resident) -> ResidentOut:
    m = selectors.current_family(r)
    user = request.user
    return ResidentOut(
        id=r.pk, nik=show_identity(user, r.nik), name=r.name, sex=r.sex, birth_place=r.birth_place,
        birth_date=r.birth_date, village_code=r.village_id, dusun=r.dusun, rt=r.rt, rw=r.rw, status=r.status,
        kk=show_identity(user, m.family.kk_number) if m else None,
    )


@router.get("/residents", response={200: list[ResidentOut], 401: ErrorOut, 403: ErrorOut}, summary="Penduduk dalam wilayah akun")
@paginate(PageNumberPagination, page_size=50)
def resident_list(request: HttpRequest, q: str = "", village: str = "", status: str = "", sex: str = "",  # type: ignore[no-untyped-def]
                  dusun: str = "", age_min: int | None = None, age_max: int | None = None):
    f = selectors.ResidentFilter(q=q, village=village, status=status, sex=sex, dusun=dusun.strip(), age_min=age_min, age_max=age_max)
    qs = selectors.resident_list(actor=request.user, f=f)

    def render(rows: list[Resident]) -> list[ResidentOut]:
        selectors.residents_shown(actor=request.user, residents=rows, context="api_list")
        return [_out(request, r) for r in rows]

    return AuditedPage(qs, render)


@router.get("/residents/{resident_id}", response={200: ResidentOut, 401: ErrorOut, 403: ErrorOut}, summary="Satu penduduk")
def resident_get(request: HttpRequest, resident_id: int) -> ResidentOut:
    return _out(request, selectors.resident_get(actor=request.user, pk=resident_id))


class MemberOut(Schema):
    resident_id: int
    nik: str
    name: str
    relationship: str
    valid_from: dt.date
    valid_to: dt.date | None


class FamilyOut(Schema):
    kk: str
    village_code: str
    dusun: str
    rt: str
    rw: str
    on: dt.date
    members: list[MemberOut]


@router.get("/families/{kk_number}", response={200: FamilyOut, 401: ErrorOut, 403: ErrorOut},
            summary="Satu KK dan anggotanya pada suatu tanggal / one family card and its members on a date")
def family_get(request: HttpRequest, kk_number: str, on: dt.date | None = None) -> FamilyOut:
    day = on or dt.date.today()  # noqa: DTZ011 - a calendar day
    family, members = selectors.family_get(actor=request.user, kk_number=kk_number, on=day)
    user = request.user
    return FamilyOut(kk=show_identity(user, family.kk_number), village_code=family.village_id, dusun=family.dusun, rt=family.rt,
                     rw=family.rw, on=day,
                     members=[MemberOut(resident_id=m.resident_id, nik=show_identity(user, m.resident.nik), name=m.resident.name,
                                        relationship=m.relationship, valid_from=m.valid_from, valid_to=m.valid_to) for m in members])
