"""Aid endpoints: screening one person (contract: shared/contracts/screening.md), and reads of
schemes, the overlap matrix, roll imports and proposals, scoped like the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from pendopo.aid import selectors, services
from pendopo.aid.models import Proposal
from pendopo.aid.screening import outcome_reasons_json
from pendopo.core.auth import BearerAuth
from pendopo.core.masking import mask_name, sees_full_identity, show_identity
from pendopo.core.pages import AuditedPage
from pendopo.core.schemas import ErrorOut

router = Router(tags=["aid"], auth=BearerAuth())

Cell = str | int | float | None


class ScreeningIn(Schema):
    scheme: str
    nik: Cell = None
    kk: Cell = None
    name: Cell = None
    sex: Cell = None
    birth_place: Cell = None
    birth_date: Cell = None
    address: Cell = None
    village_code: Cell = None
    record: bool = False


class ReasonOut(Schema):
    code: str
    message: str
    scheme: str | None = None
    person_id: str | None = None


class ScreeningOut(Schema):
    decision: str
    reasons: list[ReasonOut]
    person_id: str | None
    score: float
    explanation: str
    proposal_id: int | None = None


@router.post("/aid/screenings", response={200: ScreeningOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
             summary="Saring satu usulan penerima / screen one proposed recipient")
def screening_create(request: HttpRequest, payload: ScreeningIn) -> ScreeningOut:
    data = payload.dict()
    record = bool(data.pop("record", False))
    result = services.screening_one(actor=request.user, data=data, record=record)
    o = result.outcome
    return ScreeningOut(decision=o.decision.value, reasons=[ReasonOut(**r) for r in outcome_reasons_json(o)],
                        person_id=o.person_id or None, score=o.score, explanation=o.explanation,
                        proposal_id=result.proposal.pk if result.proposal else None)


class SchemeOut(Schema):
    code: str
    name: str
    unit: str
    level: str
    period: str
    max_per_family: int
    rejects_when_held: list[str]


@router.get("/aid/schemes", response={200: list[SchemeOut], 401: ErrorOut}, summary="Skema bantuan dan matriks tumpang tindih")
def scheme_list(request: HttpRequest) -> list[SchemeOut]:
    out = []
    for s in selectors.scheme_list():
        rules = [f"{r.held.code}{'/' + r.component if r.component else ''} ({r.unit})" for r in s.rules.all()]
        out.append(SchemeOut(code=s.code, name=s.name, unit=s.unit, level=s.level, period=s.period,
                             max_per_family=s.max_per_family, rejects_when_held=rules))
    return out


class RollImportOut(Schema):
    id: int
    file_name: str
    created_at: dt.datetime
    rows: int
    resolved: int
    queued: int
    held_back: int


@router.get("/aid/rolls", response={200: list[RollImportOut], 401: ErrorOut, 403: ErrorOut}, summary="Impor daftar penerima")
@paginate(PageNumberPagination, page_size=50)
def roll_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    return selectors.roll_import_list(actor=request.user)


class ProposalOut(Schema):
    id: int
    scheme: str
    period: str
    decision: str
    reasons: list[str]
    score: float
    village_code: str | None
    person_id: str | None
    name: str | None
    nik: str | None
    created_at: dt.datetime


@router.get("/aid/proposals", response={200: list[ProposalOut], 401: ErrorOut, 403: ErrorOut}, summary="Usulan dalam wilayah akun")
@paginate(PageNumberPagination, page_size=50)
def proposal_list(request: HttpRequest, scheme: str = "", decision: str = ""):  # type: ignore[no-untyped-def]
    user = request.user
    full = sees_full_identity(user)

    def render(page: list[Proposal]) -> list[ProposalOut]:
        selectors.proposals_shown(actor=user, proposals=page)
        return [ProposalOut(id=p.pk, scheme=p.scheme.code, period=p.period, decision=p.decision, reasons=p.reasons, score=p.score,
                            village_code=p.village_id, person_id=p.resident.person_id if p.resident else None,
                            name=(p.resident.name if full else mask_name(p.resident.name)) if p.resident else None,
                            nik=show_identity(user, p.resident.nik) if p.resident else None, created_at=p.created_at)
                for p in page]

    return AuditedPage(selectors.proposal_list(actor=user, scheme=scheme, decision=decision), render)


class EventOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    reason: str
    before: str
    after: str


class AppealOut(Schema):
    id: int
    status: str
    filed_at: dt.datetime
    deadline: dt.date
    reason: str
    answer: str


class ProposalDetailOut(ProposalOut):
    auto_decision: str
    explanation: str
    source: str
    events: list[EventOut]
    appeals: list[AppealOut]


@router.get("/aid/proposals/{proposal_id}", response={200: ProposalDetailOut, 401: ErrorOut, 403: ErrorOut},
            summary="Satu usulan dengan keputusan, riwayat dan banding / one proposal with its decision history")
def proposal_get(request: HttpRequest, proposal_id: int) -> ProposalDetailOut:
    user = request.user
    p = selectors.proposal_get(actor=user, pk=proposal_id)
    full = sees_full_identity(user)
    return ProposalDetailOut(
        id=p.pk, scheme=p.scheme.code, period=p.period, decision=p.decision, reasons=p.reasons, score=p.score,
        village_code=p.village_id, person_id=p.resident.person_id if p.resident else None,
        name=(p.resident.name if full else mask_name(p.resident.name)) if p.resident else None,
        nik=show_identity(user, p.resident.nik) if p.resident else None, created_at=p.created_at,
        auto_decision=p.auto_decision, explanation=p.explanation, source=p.source,
        events=[EventOut(at=e.at, actor=e.actor.username if e.actor else None, action=e.action, reason=e.reason, before=e.before,
                         after=e.after) for e in p.events.select_related("actor")],
        appeals=[AppealOut(id=a.id, status=a.status, filed_at=a.filed_at, deadline=a.deadline, reason=a.reason, answer=a.answer)
                 for a in p.appeals.all()])


class UploadOut(Schema):
    id: int
    scheme: str
    period: str
    village_code: str
    file_name: str
    status: str
    rows: int
    done_rows: int
    counts: dict[str, int]
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


@router.get("/aid/uploads/{upload_id}", response={200: UploadOut, 401: ErrorOut, 403: ErrorOut},
            summary="Kemajuan dan hasil unggahan usulan / progress and outcome of a proposal upload")
def upload_get(request: HttpRequest, upload_id: int) -> UploadOut:
    u = selectors.upload_get(actor=request.user, pk=upload_id)
    return UploadOut(id=u.pk, scheme=u.scheme.code, period=u.period, village_code=u.village_id, file_name=u.file_name,
                     status=u.status, rows=u.rows, done_rows=u.done_rows, counts=u.counts, error=u.error, created_at=u.created_at,
                     finished_at=u.finished_at)
