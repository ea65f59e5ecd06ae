"""Core endpoints of the v1 API: who am I, regions, units, tokens, audit trail."""


import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from pendopo.core import selectors, services
from pendopo.core.auth import BearerAuth
from pendopo.core.models import ApiToken, Region, Unit
from pendopo.core.schemas import AuditOut, ErrorOut, MeOut, RegionOut, TokenOut, UnitOut

router = Router(tags=["core"])


@router.get("/me", response={200: MeOut, 401: ErrorOut}, auth=BearerAuth(), summary="Akun pemilik token")
def me(request: HttpRequest) -> MeOut:
    u = request.user
    return MeOut(
        username=u.username, full_name=u.full_name, role=u.role, role_label=str(u.get_role_display()),  # type: ignore[union-attr]
        unit_code=u.unit.code if u.unit else None, unit_name=u.unit.name if u.unit else None,  # type: ignore[union-attr]
    )


def _region_out(r: Region) -> RegionOut:
    return RegionOut(code=r.code, name=r.name, level=r.level, kind=r.kind, parent_code=r.parent_id)


@router.get("/regions", response=list[RegionOut], summary="Wilayah (publik)")
@paginate(PageNumberPagination, page_size=500)
def region_list(request: HttpRequest, parent: str | None = None, level: str | None = None):  # type: ignore[no-untyped-def]
    qs = Region.objects.all()
    if parent:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    return [_region_out(r) for r in qs]


@router.get("/regions/{code}", response={200: RegionOut, 404: ErrorOut}, summary="Satu wilayah (publik)")
def region_get(request: HttpRequest, code: str) -> RegionOut:
    return _region_out(get_object_or_404(Region, code=code))


@router.get("/units", response=list[UnitOut], summary="Unit kerja (publik)")
def unit_list(request: HttpRequest, kind: str | None = None) -> list[UnitOut]:
    qs = Unit.objects.active().select_related("parent").prefetch_related("clusters")
    if kind:
        qs = qs.filter(kind=kind)
    return [
        UnitOut(code=u.code, name=u.name, short_name=u.short_name, kind=u.kind, region_code=u.region_id,
                parent_code=u.parent.code if u.parent else None, clusters=[c.code for c in u.clusters.all()])
        for u in qs
    ]


def _token_out(t: ApiToken) -> TokenOut:
    return TokenOut(id=t.pk, prefix=t.prefix, name=t.name, username=t.user.username, created_at=t.created_at,
                    last_used_at=t.last_used_at, revoked_at=t.revoked_at)


@router.get("/tokens", response={200: list[TokenOut], 401: ErrorOut}, auth=BearerAuth(), summary="Token API (milik sendiri; semua untuk administrator)")
def token_list(request: HttpRequest) -> list[TokenOut]:
    return [_token_out(t) for t in selectors.token_list_for(actor=request.user)]  # type: ignore[arg-type]


@router.delete("/tokens/{token_id}", response={200: TokenOut, 401: ErrorOut, 404: ErrorOut}, auth=BearerAuth(), summary="Cabut token")
def token_revoke(request: HttpRequest, token_id: int) -> TokenOut:
    token = get_object_or_404(selectors.token_list_for(actor=request.user), pk=token_id)  # type: ignore[arg-type]
    return _token_out(services.token_revoke(actor=request.user, token=token))  # type: ignore[arg-type]


@router.get("/audit", response={200: list[AuditOut], 401: ErrorOut, 403: ErrorOut}, auth=BearerAuth(), summary="Jejak audit (administrator)")
@paginate(PageNumberPagination, page_size=100)
def audit_list(  # type: ignore[no-untyped-def]
    request: HttpRequest, action: str = "", actor: str = "", kind: str = "",
    personal_data: bool | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
):
    f = selectors.AuditFilter(action=action, actor=actor, kind=kind, personal_data=personal_data,
                              date_from=date_from, date_to=date_to)
    return selectors.audit_list(actor=request.user, f=f)

