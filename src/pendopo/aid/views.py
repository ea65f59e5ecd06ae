from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pendopo.aid import intake, public, review, selectors
from pendopo.aid.forms import (
    ProposalForm,
    PublicAppealForm,
    PublicReportForm,
    ReasonForm,
    StatusCheckForm,
    UploadForm,
)
from pendopo.aid.models import Appeal, Override, ProposalSource, Scheme, UploadStatus
from pendopo.aid.screening import Decision
from pendopo.aid.services import SCREENING_ROLES, screening_one
from pendopo.aid.status import TooManyChecks, status_check
from pendopo.core.errors import ApplicationError, PermissionDenied
from pendopo.core.forms import apply_errors
from pendopo.core.middleware import client_ip
from pendopo.core.models import Region
from pendopo.core.scopes import scope_for
from pendopo.population.models import FamilyMembership, Resident


def _forbid(exc: PermissionDenied) -> DjangoPermissionDenied:
    return DjangoPermissionDenied(exc.message)


def _villages_for(user: object) -> list[tuple[str, str]]:
    qs = scope_for(user).filter_regions(Region.objects.villages().select_related("parent"), "code")
    return [(r.code, f"{r.name} ({r.parent.name if r.parent else r.parent_id})") for r in qs.order_by("name")[:300]]


def _require_screener(user: Any) -> None:
    if getattr(user, "role", None) not in SCREENING_ROLES:
        raise DjangoPermissionDenied(_("Akun ini tidak boleh mengusulkan penerima bantuan."))


def status_check_view(request: HttpRequest) -> HttpResponse:
    """Public: anyone may check a NIK, a few times, and sees only schemes and a masked name."""
    form = StatusCheckForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = status_check(nik=form.cleaned_data["nik"], ip=client_ip(request))
        except ValidationError as exc:
            form.add_error("nik", exc.message_dict.get("nik", exc.messages))
        except TooManyChecks as exc:
            form.add_error(None, exc.message)
            status = 429
    return render(request, "aid/status_check.html", {"form": form, "result": result}, status=status)


# --- village: one person ---------------------------------------------------------------------

@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    _require_screener(request.user)
    villages = _villages_for(request.user)
    tokens: list[str] = request.session.get("aid_form_tokens", [])
    if request.method == "POST":
        form = ProposalForm(request.POST, villages=villages)
        token = request.POST.get("token", "")
        if token not in tokens:  # a second click, a reload or a back-button resubmission
            messages.warning(request, _("Formulir ini sudah dikirim; usulan tidak dibuat dua kali."))
            return redirect("aid:proposal-list")
        if form.is_valid():
            tokens.remove(token)
            request.session["aid_form_tokens"] = tokens
            data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
            try:
                result = screening_one(actor=request.user, data=data, record=True, source=ProposalSource.FORM)
            except PermissionDenied as exc:
                raise _forbid(exc) from exc
            except ApplicationError as exc:
                form.add_error("scheme", exc.message)
            else:
                p = result.proposal
                if p is None:
                    form.add_error(None, _("Usulan tidak tersimpan. Coba lagi."))
                else:
                    level = {Decision.ACCEPT: messages.SUCCESS, Decision.REJECT: messages.ERROR}.get(Decision(p.decision), messages.WARNING)
                    messages.add_message(request, level, p.explanation_shown)
                    return redirect("aid:proposal-detail", pk=p.pk)
    else:
        form = ProposalForm(villages=villages, initial={"scheme": request.GET.get("scheme", "")})
    # One token per rendered form: a second click, a reload or the back button cannot propose twice.
    token = uuid.uuid4().hex
    request.session["aid_form_tokens"] = [*tokens[-20:], token]
    return render(request, "aid/proposal_create.html", {"form": form, "token": token, "single_village": len(villages) == 1},
                  status=400 if form.errors else 200)


@login_required
def proposal_preview(request: HttpRequest) -> HttpResponse:
    """htmx: who the typed NIK is, their family and its aid, and what screening would decide."""
    _require_screener(request.user)
    q = request.GET
    nik = "".join(ch for ch in q.get("nik", "") if ch.isdigit())
    ctx: dict[str, Any] = {"digits": len(nik)}
    if len(nik) != 16 or not q.get("scheme"):
        return render(request, "aid/_proposal_preview.html", ctx)
    data = {k: q.get(k) for k in ("scheme", "village_code", "nik", "name", "kk", "sex", "birth_date", "address") if q.get(k)}
    scope = scope_for(request.user)
    known = scope.filter_regions(Resident.objects.filter(nik=nik), "village__code").first()
    if not data.get("name") and known is not None:
        # Nothing typed but the NIK yet: preview with the registry's own entry.
        data.update(name=known.name, sex=known.sex, birth_date=known.birth_date.isoformat())
        ctx["name_from_registry"] = True
    try:
        result = screening_one(actor=request.user, data=data, record=False, source=ProposalSource.FORM)
    except PermissionDenied as exc:
        ctx["error"] = exc.message
        return render(request, "aid/_proposal_preview.html", ctx)
    except ApplicationError as exc:
        ctx["error"] = exc.message
        return render(request, "aid/_proposal_preview.html", ctx)
    ctx.update(result=result, outcome=result.outcome, resident=result.resident, members=result.members or [])
    return render(request, "aid/_proposal_preview.html", ctx)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    try:
        qs = selectors.proposal_list(actor=request.user, scheme=request.GET.get("scheme", ""), decision=request.GET.get("decision", ""))
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    selectors.proposals_shown(actor=request.user, proposals=rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "aid/proposal_list.html", {
        "page": page, "rows": rows, "query": query.urlencode(), "schemes": Scheme.objects.filter(active=True),
        "can_propose": getattr(request.user, "role", None) in SCREENING_ROLES,
        "decision": request.GET.get("decision", ""), "scheme": request.GET.get("scheme", "")})


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        p = selectors.proposal_get(actor=request.user, pk=pk)
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    officer = getattr(request.user, "role", None) in review.REVIEW_ROLES
    reason_form = ReasonForm()
    appeal_form = ReasonForm(prefix="appeal")
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason_form = ReasonForm(request.POST) if action != "appeal" else reason_form
        appeal_form = ReasonForm(request.POST, prefix="appeal") if action == "appeal" else appeal_form
        try:
            if action == "appeal":
                if appeal_form.is_valid():
                    review.appeal_file(actor=request.user, proposal=p, reason=appeal_form.cleaned_data["reason"],
                                       name=getattr(request.user, "display_name", "") or request.user.get_username())
                    messages.success(request, _("Banding diajukan; Dinas Sosial menjawab sebelum batas waktu."))
                    return redirect("aid:proposal-detail", pk=pk)
            elif reason_form.is_valid():
                reason = reason_form.cleaned_data["reason"]
                if action == "confirm":
                    review.proposal_confirm_identity(actor=request.user, proposal=p, person_id=request.POST.get("person_id", ""), reason=reason)
                elif action == "correct":
                    review.proposal_correct_nik(actor=request.user, proposal=p, nik=request.POST.get("nik", ""), reason=reason)
                elif action == "reject":
                    review.proposal_reject(actor=request.user, proposal=p, reason=reason)
                elif action == "override":
                    review.override_request(actor=request.user, proposal=p, reason=reason)
                    messages.info(request, _("Permintaan pengecualian dicatat; menunggu persetujuan petugas lain."))
                    return redirect("aid:proposal-detail", pk=pk)
                else:
                    raise Http404
                messages.success(request, p.explanation_shown)
                return redirect("aid:proposal-detail", pk=pk)
        except PermissionDenied as exc:
            raise _forbid(exc) from exc
        except ValidationError as exc:
            apply_errors(appeal_form if action == "appeal" else reason_form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("aid:proposal-detail", pk=pk)
    candidates = []
    people: dict[str, Resident] = {}
    ids = [c["id"] for c in p.candidates if isinstance(c, dict)]
    if ids:
        from pendopo.aid.linkage import residents_for

        people = residents_for(ids)
    kk_of = dict(FamilyMembership.objects.filter(resident__in=people.values(), valid_to__isnull=True)
                 .values_list("resident_id", "family__kk_number"))
    for c in p.candidates:
        if isinstance(c, dict) and c.get("id") in people:
            r = people[c["id"]]
            candidates.append({**c, "resident": r, "kk": kk_of.get(r.pk, ""), "score_pct": round(100 * float(c.get("score", 0)))})
    return render(request, "aid/proposal_detail.html", {
        "p": p, "officer": officer, "candidates": candidates, "events": p.events.select_related("actor"),
        "overrides": p.overrides.select_related("requested_by", "decided_by"), "appeals": p.appeals.all(),
        "reason_form": reason_form, "appeal_form": appeal_form,
        "can_appeal": p.decision == Decision.REJECT and not any(a.status in ("submitted", "granting") for a in p.appeals.all())
        and getattr(request.user, "role", None) in SCREENING_ROLES | review.REVIEW_ROLES,
        "typed_rows": _typed_rows(p.typed)})


def _typed_rows(typed: dict[str, Any]) -> list[tuple[str, str, bool]]:
    labels = {"nik": _("NIK"), "nik_typed": _("NIK semula"), "name": _("Nama"), "kk": _("Nomor KK"), "sex": _("Jenis kelamin"),
              "birth_place": _("Tempat lahir"), "birth_date": _("Tanggal lahir"), "address": _("Alamat"),
              "village_code": _("Kode desa"), "why": _("Alasan pelapor")}
    return [(str(labels[k]), str(typed[k]), k in {"nik", "nik_typed", "kk"}) for k in labels if typed.get(k)]


# --- village: a spreadsheet ---------------------------------------------------------------------

@login_required
def upload_create(request: HttpRequest) -> HttpResponse:
    _require_screener(request.user)
    villages = _villages_for(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        scheme = Scheme.objects.get(code=form.cleaned_data["scheme"])
        try:
            upload = intake.screening_upload_submit(actor=request.user, scheme=scheme, village_code=form.cleaned_data["village_code"],
                                                    file_name=f.name, content=f.read())
        except PermissionDenied as exc:
            raise _forbid(exc) from exc
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            return redirect("aid:upload-detail", pk=upload.pk)
    try:
        uploads = list(selectors.upload_list(actor=request.user)[:10])
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    return render(request, "aid/upload_create.html", {"form": form, "uploads": uploads, "single_village": len(villages) == 1},
                  status=400 if form.errors else 200)


@login_required
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        upload = selectors.upload_get(actor=request.user, pk=pk)
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    ctx: dict[str, Any] = {"u": upload}
    if upload.status == UploadStatus.DONE:
        rows = list(upload.proposals.select_related("resident").order_by("upload_line"))
        selectors.proposals_shown(actor=request.user, proposals=rows)
        ctx["rows"] = rows
    template = "aid/_upload_progress.html" if request.headers.get("HX-Request") and upload.status != UploadStatus.DONE \
        else "aid/upload_detail.html"
    response = render(request, template, ctx)
    if request.headers.get("HX-Request") and upload.status in (UploadStatus.DONE, UploadStatus.FAILED):
        response["HX-Refresh"] = "true"  # show the whole result page
    return response


@login_required
def upload_result(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        upload = selectors.upload_get(actor=request.user, pk=pk)
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    from pendopo.aid.models import ScreeningUpload
    from pendopo.core.audit import audit_read

    content = ScreeningUpload.objects.filter(pk=upload.pk).values_list("result", flat=True).first()
    if not content:
        raise Http404
    audit_read(actor=request.user, action="aid.upload.download", object_type="screeningupload", object_ids=[upload.pk])  # type: ignore[arg-type]
    response = HttpResponse(bytes(content), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="hasil-penyaringan-{upload.scheme.code}-{upload.village_id}-{upload.pk}.xlsx"'
    return response


@login_required
def upload_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(intake.template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="templat-usulan-bansos.xlsx"'
    return response


# --- Dinas Sosial ---------------------------------------------------------------------------------

@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    try:
        qs = selectors.review_queue(actor=request.user, scheme=request.GET.get("scheme", ""), village=request.GET.get("village", ""))
        overrides = list(selectors.override_pending_list(actor=request.user))
        appeals = list(selectors.appeal_list(actor=request.user))
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    selectors.proposals_shown(actor=request.user, proposals=rows + [o.proposal for o in overrides] + [a.proposal for a in appeals])
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "aid/review_queue.html", {
        "page": page, "rows": rows, "overrides": overrides, "appeals": appeals, "query": query.urlencode(),
        "schemes": Scheme.objects.filter(active=True), "scheme": request.GET.get("scheme", ""),
        "reason_form": ReasonForm(), "today": timezone.localdate()})


@login_required
@require_POST
def override_decide(request: HttpRequest, pk: int) -> HttpResponse:
    o = Override.objects.filter(pk=pk).first()
    if o is None:
        raise Http404
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("reason") or _("Alasan wajib diisi."))
        review.override_decide(actor=request.user, override=o, approve=request.POST.get("approve") == "1", note=form.cleaned_data["reason"])
        messages.success(request, _("Keputusan pengecualian dicatat."))
    except PermissionDenied as exc:
        if getattr(request.user, "role", None) not in review.REVIEW_ROLES:
            raise _forbid(exc) from exc
        messages.error(request, exc.message)
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message)
    return redirect(request.POST.get("next") or reverse("aid:review-queue"))


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    a = Appeal.objects.filter(pk=pk).first()
    if a is None:
        raise Http404
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("reason") or _("Jawaban wajib diisi."))
        review.appeal_decide(actor=request.user, appeal=a, grant=request.POST.get("grant") == "1", answer=form.cleaned_data["reason"])
        messages.success(request, _("Jawaban banding dicatat."))
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message)
    return redirect(request.POST.get("next") or reverse("aid:review-queue"))


# --- residents without an account -------------------------------------------------------------------

def public_report_view(request: HttpRequest) -> HttpResponse:
    form = PublicReportForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = public.public_report(
                data={k: d[k] for k in ("scheme", "nik", "name", "address", "village_code")},
                reporter_name=d["reporter_name"], reporter_phone=d["reporter_phone"], why=d["why"], ip=client_ip(request))
        except TooManyChecks as exc:
            form.add_error(None, exc.message)
            status = 429
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            form = PublicReportForm()
    return render(request, "aid/public_report.html", {"form": form, "result": result}, status=status)


def public_appeal_view(request: HttpRequest) -> HttpResponse:
    form = PublicAppealForm(request.POST or None)
    appeal = None
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            appeal = public.public_appeal(nik=d["nik"], kk=d["kk"], scheme=d["scheme"], name=d["name"], phone=d["phone"],
                                          reason=d["reason"], ip=client_ip(request))
        except TooManyChecks as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    return render(request, "aid/public_appeal.html", {"form": form, "appeal": appeal}, status=status)


# --- lists, figures, minutes, matrix ---------------------------------------------------------------------

def _scheme_period(request: HttpRequest) -> tuple[Scheme, str]:
    schemes = list(Scheme.objects.filter(active=True).order_by("code"))
    if not schemes:
        raise Http404
    code = request.GET.get("scheme") or request.POST.get("scheme") or ("BLT-DD" if any(s.code == "BLT-DD" for s in schemes) else schemes[0].code)
    scheme = next((s for s in schemes if s.code == code), None)
    if scheme is None:
        raise Http404
    period = (request.GET.get("period") or scheme.period).strip()[:20]
    return scheme, period


@login_required
def figures_view(request: HttpRequest) -> HttpResponse:
    from pendopo.aid import lists

    scheme, period = _scheme_period(request)
    kecamatan = request.GET.get("kecamatan", "")
    try:
        fig = lists.figures(actor=request.user, scheme=scheme, period=period, kecamatan=kecamatan)
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    chart = {"labels": [r.name for r in fig.rows], "accept": [r.accept for r in fig.rows], "review": [r.review for r in fig.rows],
             "reject": [r.reject for r in fig.rows]}
    villages = _villages_for(request.user) if getattr(request.user, "role", None) in lists.EXPORT_ROLES else []
    return render(request, "aid/figures.html", {
        "fig": fig, "chart": chart, "schemes": Scheme.objects.filter(active=True), "reject_groups": lists.REJECT_GROUPS,
        "kecamatan_name": Region.objects.filter(code=kecamatan).values_list("name", flat=True).first() if kecamatan else "",
        "villages": villages})


@login_required
def bnba_export(request: HttpRequest) -> HttpResponse:
    from pendopo.aid import lists

    scheme, period = _scheme_period(request)
    village = request.GET.get("village", "")
    try:
        content, n = lists.bnba_workbook(actor=request.user, scheme=scheme, period=period, village=village)
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="BNBA-{scheme.code}-{period}-{village}.xlsx"'
    return response


@login_required
def musdes_create(request: HttpRequest) -> HttpResponse:
    from pendopo.aid import lists
    from pendopo.aid.forms import MusdesForm

    try:
        past = list(lists.musdes_list(actor=request.user)[:20])
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    villages = _villages_for(request.user)
    form = MusdesForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            m = lists.musdes_record(actor=request.user, scheme=Scheme.objects.get(code=d["scheme"]), village=d["village_code"], data=d)
        except PermissionDenied as exc:
            raise _forbid(exc) from exc
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("aid:musdes-pdf", pk=m.pk)
    return render(request, "aid/musdes_create.html", {"form": form, "past": past, "single_village": len(villages) == 1},
                  status=400 if form.errors else 200)


@login_required
def musdes_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    from pendopo.aid import lists

    try:
        m = lists.musdes_list(actor=request.user).filter(pk=pk).first()
        if m is None:
            raise Http404
        pdf = lists.musdes_pdf(actor=request.user, minutes=m)
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="berita-acara-musdes-{m.scheme_id}-{m.village_id}-{m.pk}.pdf"'
    return response


@login_required
def rules_view(request: HttpRequest) -> HttpResponse:
    from pendopo.aid import matrix
    from pendopo.aid.forms import RuleForm
    from pendopo.aid.models import OverlapRule, RuleChange

    officer = getattr(request.user, "role", None) in review.REVIEW_ROLES
    if getattr(request.user, "role", None) not in SCREENING_ROLES | {"regent_office"}:
        raise DjangoPermissionDenied(_("Akun ini tidak boleh melihat matriks tumpang tindih."))
    form = RuleForm(request.POST or None)
    effect = None
    status = 200
    if request.method == "POST":
        if not officer:
            raise DjangoPermissionDenied(_("Hanya Dinas Sosial yang boleh mengubah matriks."))
        if form.is_valid():
            d = form.cleaned_data
            spec = matrix.RuleSpec(d["action"], d["proposed"], d["held"], d["unit"], d["component"].strip())
            try:
                if request.POST.get("apply") == "1":
                    change = matrix.rule_change(actor=request.user, spec=spec, reason=d["reason"])
                    messages.success(request, _("Matriks diubah; %(n)s usulan diputuskan ulang.") % {"n": change.effect.get("changed", 0)})
                    return redirect("aid:rules")
                effect = matrix.rule_dry_run(actor=request.user, spec=spec)
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 400
        else:
            status = 400
    schemes = list(Scheme.objects.filter(active=True).order_by("code"))
    rules = list(OverlapRule.objects.select_related("proposed", "held"))
    cells: dict[tuple[str, str], list[OverlapRule]] = {}
    for r in rules:
        cells.setdefault((r.proposed.code, r.held.code), []).append(r)
    grid = [(s, [(h, cells.get((s.code, h.code), [])) for h in schemes]) for s in schemes]
    villages = dict(Region.objects.filter(code__in=list(effect.per_village) if effect else []).values_list("code", "name"))
    return render(request, "aid/rules.html", {
        "form": form, "effect": effect, "grid": grid, "schemes": schemes, "officer": officer,
        "history": RuleChange.objects.select_related("actor")[:30],
        "effect_rows": sorted(((villages.get(v, v or "—"), {_transition(k): n for k, n in c.items()}) for v, c in effect.per_village.items()),
                              key=lambda x: x[0]) if effect else []},
        status=status)


def _transition(key: str) -> str:
    labels = {"accept": _("Diterima"), "reject": _("Ditolak"), "review": _("Perlu diperiksa")}
    before, _sep, after = key.partition("→")
    return f"{labels.get(before, before)} → {labels.get(after, after)}"


@login_required
def reconcile_view(request: HttpRequest) -> HttpResponse:
    from pendopo.aid import reconcile
    from pendopo.aid.models import Holding, RollRow

    try:
        if request.method == "POST":
            form = ReasonForm(request.POST)
            action = request.POST.get("action", "")
            if not form.is_valid():
                raise ValidationError(form.errors.get("reason") or _("Alasan wajib diisi."))
            reason = form.cleaned_data["reason"]
            if action in {"confirm", "dismiss"}:
                row = RollRow.objects.filter(pk=request.POST.get("row")).first()
                if row is None:
                    raise Http404
                if action == "confirm":
                    rid = request.POST.get("resident_id")
                    reconcile.roll_row_confirm(actor=request.user, row=row, reason=reason, resident_id=int(rid) if rid and rid.isdigit() else None,
                                               nik=request.POST.get("nik", "").strip())
                else:
                    reconcile.roll_row_dismiss(actor=request.user, row=row, reason=reason)
            elif action == "end":
                h = Holding.objects.filter(pk=request.POST.get("holding")).first()
                if h is None:
                    raise Http404
                reconcile.holding_end(actor=request.user, holding=h, reason=reason)
            else:
                raise Http404
            messages.success(request, _("Tersimpan."))
            return redirect(request.get_full_path())
        queue = reconcile.roll_queue(actor=request.user)
        flagged = list(reconcile.exit_flagged(actor=request.user)[:100])
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message)
        return redirect(request.get_full_path())
    page = Paginator(queue, 20).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    from pendopo.core.audit import audit_read

    shown = [c.resident_id for r in rows for c in r.candidates.all()] + [h.resident_id for h in flagged]
    if shown:
        audit_read(actor=request.user, action="aid.reconcile.view", object_type="resident", object_ids=shown)  # type: ignore[arg-type]
    return render(request, "aid/reconcile.html", {"page": page, "rows": rows, "flagged": flagged, "query": ""})
