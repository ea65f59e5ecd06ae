"""Letter endpoints: requests (scoped like the pages) and the public verification."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from pendopo.core.auth import BearerAuth
from pendopo.core.errors import ApplicationError
from pendopo.core.masking import mask_name
from pendopo.core.pages import AuditedPage
from pendopo.core.schemas import ErrorOut
from pendopo.letters import selectors, services
from pendopo.letters.models import LetterRequest, LetterType, RequestSource
from pendopo.population.models import Resident

router = Router(tags=["letters"])


class RequestOut(Schema):
    id: int
    type: str
    status: str
    purpose: str
    resident_name: str
    village_code: str
    created_at: dt.datetime
    number: str
    code: str | None
    reject_reason: str


def _out(r: LetterRequest, masked: bool) -> RequestOut:
    return RequestOut(id=r.pk, type=r.letter_type.code, status=r.status, purpose=r.purpose,
                      resident_name=mask_name(r.resident.name) if masked else r.resident.name, village_code=r.village_id,
                      created_at=r.created_at, number=r.number, code=r.code, reject_reason=r.reject_reason)


@router.get("/letters/requests", auth=BearerAuth(), response={200: list[RequestOut], 401: ErrorOut, 403: ErrorOut},
            summary="Permohonan surat dalam wilayah akun / letter requests in the account's scope")
@paginate(PageNumberPagination, page_size=50)
def request_list(request: HttpRequest, status: str = ""):  # type: ignore[no-untyped-def]
    qs = selectors.request_list(actor=request.user)
    if status:
        qs = qs.filter(status=status)

    def render(rows: list[LetterRequest]) -> list[RequestOut]:
        from pendopo.core.audit import audit_read

        if rows:
            audit_read(actor=request.user, action="letters.request.list", object_type="population.resident",  # type: ignore[arg-type]
                       object_ids=[r.resident_id for r in rows])
        return [_out(r, masked=False) for r in rows]

    return AuditedPage(qs, render)


class RequestIn(Schema):
    type: str
    nik: str
    purpose: str
    data: dict[str, str] = {}


@router.post("/letters/requests", auth=BearerAuth(), response={200: RequestOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
             summary="Ajukan surat di loket / file a request at the counter")
def request_create(request: HttpRequest, payload: RequestIn) -> RequestOut:
    lt = LetterType.objects.filter(code=payload.type.strip().upper(), active=True).first()
    if lt is None:
        raise ApplicationError(f"Jenis surat '{payload.type}' tidak dikenal. / Unknown letter type.")
    digits = "".join(ch for ch in payload.nik if ch.isdigit())
    resident = Resident.objects.filter(nik=digits).first()
    if resident is None:
        raise ApplicationError("NIK tidak ditemukan. / NIK not found.")
    req = services.letter_request_submit(actor=request.user, resident=resident, letter_type=lt, purpose=payload.purpose,
                                         data=payload.data, source=RequestSource.API)
    return _out(req, masked=False)


class VerifyOut(Schema):
    found: bool
    valid: bool = False
    type: str = ""
    number: str = ""
    date: dt.date | None = None
    name: str = ""
    village: str = ""
    signer: str = ""
    fingerprint: str = ""


@router.get("/letters/verify/{code}", auth=None, response={200: VerifyOut},
            summary="Periksa keaslian surat dengan kodenya (publik) / verify a letter by its code (public)")
def verify(request: HttpRequest, code: str) -> VerifyOut:
    v = services.verify(code=code)
    return VerifyOut(**{k: v[k] for k in VerifyOut.model_fields if k in v})
