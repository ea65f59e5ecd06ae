from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from pendopo.core.errors import ApplicationError, PermissionDenied
from pendopo.core.roles import VILLAGE_ROLES, Role
from pendopo.core.scopes import scope_for
from pendopo.letters import selectors, services
from pendopo.letters.models import LetterRequest, LetterType, RequestSource, RequestStatus
from pendopo.population.models import Resident

_TEXT = {"class": "form-control"}


def _forbid(exc: PermissionDenied) -> DjangoPermissionDenied:
    return DjangoPermissionDenied(exc.message)


class PinLoginForm(forms.Form):
    nik = forms.CharField(label=_l("NIK"), max_length=20, widget=forms.TextInput(attrs={**_TEXT, "inputmode": "numeric", "autocomplete": "username"}))
    pin = forms.CharField(label=_l("PIN dari kantor desa"), max_length=6, widget=forms.PasswordInput(
        attrs={**_TEXT, "inputmode": "numeric", "autocomplete": "current-password"}))


def pin_login(request: HttpRequest) -> HttpResponse:
    """Residents sign in with their NIK and the PIN their village gave them."""
    form = PinLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        digits = "".join(ch for ch in form.cleaned_data["nik"] if ch.isdigit())
        resident = Resident.objects.filter(nik=digits).select_related("user").first()
        user = None
        if resident is not None and resident.user is not None:
            user = authenticate(request, username=resident.user.username, password=form.cleaned_data["pin"])
        if user is None:
            form.add_error(None, _("NIK atau PIN salah. Setelah beberapa kali salah, akun dikunci sementara."))
        else:
            login(request, user)
            return redirect(request.GET.get("next") or "letters:request-list")
    return render(request, "letters/pin_login.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def pin_issue(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) not in VILLAGE_ROLES:
        raise DjangoPermissionDenied(_("PIN diterbitkan oleh perangkat desa."))
    pin = None
    resident = None
    error = ""
    if request.method == "POST":
        digits = "".join(ch for ch in request.POST.get("nik", "") if ch.isdigit())
        resident = scope_for(request.user).filter_regions(Resident.objects.filter(nik=digits), "village__code").first()
        if resident is None:
            error = _("NIK ini bukan penduduk desa Anda.")
        else:
            try:
                pin = services.resident_pin_issue(actor=request.user, resident=resident)
            except ValidationError as exc:
                error = " ".join(exc.messages)
    return render(request, "letters/pin_issue.html", {"pin": pin, "resident": resident, "error": error}, status=400 if error else 200)


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    try:
        qs = selectors.request_list(actor=request.user)
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    return render(request, "letters/request_list.html", {
        "page": page, "rows": [(r, selectors.is_overdue(r)) for r in rows], "status": status, "statuses": RequestStatus.choices,
        "query": f"status={status}" if status else "", "resident_view": getattr(request.user, "role", None) == Role.RESIDENT})


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    role = getattr(request.user, "role", None)
    if role not in VILLAGE_ROLES | {Role.RESIDENT}:
        raise DjangoPermissionDenied(_("Akun ini tidak dapat memohon surat."))
    types = list(LetterType.objects.filter(active=True))
    if role == Role.RESIDENT:
        types = [t for t in types if not t.records_death]
    chosen = next((t for t in types if t.code == (request.POST.get("letter_type") or request.GET.get("type"))), None)
    errors: list[str] = []
    values: dict[str, str] = dict(request.POST.items()) if request.method == "POST" else {}
    resident = getattr(request.user, "resident", None) if role == Role.RESIDENT else None
    if request.method == "POST" and chosen is not None:
        if role != Role.RESIDENT:
            digits = "".join(ch for ch in request.POST.get("nik", "") if ch.isdigit())
            resident = scope_for(request.user).filter_regions(Resident.objects.filter(nik=digits), "village__code").first()
            if resident is None:
                errors.append(_("NIK ini bukan penduduk desa Anda."))
        if resident is not None and not errors:
            data = {f["name"]: request.POST.get(f"f_{f['name']}", "") for f in chosen.fields}
            try:
                req = services.letter_request_submit(actor=request.user, resident=resident, letter_type=chosen,
                                                     purpose=request.POST.get("purpose", ""), data=data,
                                                     source=RequestSource.SELF if role == Role.RESIDENT else RequestSource.COUNTER)
            except PermissionDenied as exc:
                raise _forbid(exc) from exc
            except ValidationError as exc:
                errors += exc.messages
            else:
                messages.success(request, _("Permohonan diajukan. Anda dapat memantau statusnya di sini."))
                return redirect("letters:request-detail", pk=req.pk)
    elif request.method == "POST":
        errors.append(_("Pilih jenis surat."))
    field_rows = [(f, values.get(f"f_{f['name']}", "")) for f in chosen.fields] if chosen else []
    return render(request, "letters/request_create.html", {"types": types, "chosen": chosen, "errors": errors, "values": values,
                                                           "field_rows": field_rows,
                                                           "counter": role != Role.RESIDENT, "resident": resident},
                  status=400 if errors else 200)


def _aid_status(req: LetterRequest) -> list[tuple[str, str, str]]:
    """For a poverty statement: the family's current aid, so the officer knows (names, schemes)."""
    from pendopo.aid.models import Holding, HoldingStatus, Proposal
    from pendopo.population.models import FamilyMembership

    family = FamilyMembership.objects.filter(resident=req.resident, valid_to__isnull=True).values_list("family_id", flat=True).first()
    members = list(FamilyMembership.objects.filter(family_id=family, valid_to__isnull=True).select_related("resident")) if family else []
    ids = [m.resident_id for m in members] or [req.resident_id]
    names = {m.resident_id: m.resident.name for m in members} | {req.resident_id: req.resident.name}
    out = [(names[h.resident_id], h.scheme.code, str(_("penerima"))) for h in
           Holding.objects.filter(resident_id__in=ids, status__in=[HoldingStatus.ACTIVE, HoldingStatus.EXIT_FLAGGED]).select_related("scheme")]
    out += [(names.get(p.resident_id, "—"), p.scheme.code, f"{_('usulan')} {p.period}: {p.decision}") for p in
            Proposal.objects.filter(resident_id__in=ids).select_related("scheme")]
    return out


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        req = selectors.request_get(actor=request.user, pk=pk)
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    role = getattr(request.user, "role", None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in {"approve", "reject"}:
                services.letter_request_check(actor=request.user, request=req, approve=action == "approve",
                                              reason=request.POST.get("reason", ""), attachments_seen=request.POST.getlist("attachments"))
            elif action == "sign":
                services.letter_sign(actor=request.user, request=req)
                messages.success(request, _("Surat ditandatangani dan terbit."))
            elif action == "revoke":
                services.letter_revoke(actor=request.user, request=req, reason=request.POST.get("reason", ""))
            else:
                raise Http404
        except PermissionDenied as exc:
            raise _forbid(exc) from exc
        except (ValidationError, ApplicationError) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message)
        return redirect("letters:request-detail", pk=pk)
    staff = role in VILLAGE_ROLES
    return render(request, "letters/request_detail.html", {
        "r": req, "staff": staff, "head": role == Role.VILLAGE_HEAD, "overdue": selectors.is_overdue(req),
        "aid": _aid_status(req) if staff and req.letter_type.shows_aid else None,
        "fields": [(f["label"], req.data.get(f["name"], "")) for f in req.letter_type.fields]})


@login_required
def request_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        req = selectors.request_get(actor=request.user, pk=pk)
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    pdf = LetterRequest.objects.filter(pk=req.pk, status__in=[RequestStatus.READY, RequestStatus.REVOKED]).values_list("pdf", flat=True).first()
    if not pdf:
        raise Http404
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="surat-{req.letter_type.code}-{req.code}.pdf"'
    return response


def verify_view(request: HttpRequest, code: str = "") -> HttpResponse:
    """Public: is this letter genuine? Optionally upload the file to compare its fingerprint."""
    code = (code or request.GET.get("kode", "")).strip().upper()
    if code and not request.path.rstrip("/").endswith(code):
        return redirect("letters:verify", code=code)
    content = None
    if request.method == "POST" and request.FILES.get("file"):
        f = request.FILES["file"]
        if f.size and f.size > 5 * 1024 * 1024:
            messages.error(request, _("Berkas terlalu besar."))
        else:
            content = f.read()
    result = services.verify(code=code, content=content) if code else None
    return render(request, "letters/verify.html", {"code": code, "v": result}, status=404 if result is not None and not result["found"] else 200)


def verify_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The signed copy, for whoever holds the code (the code is printed on the letter)."""
    req = LetterRequest.objects.filter(code=code.strip().upper(), status__in=[RequestStatus.READY, RequestStatus.REVOKED]).first()
    if req is None or not req.pdf:
        raise Http404
    response = HttpResponse(bytes(req.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="surat-{req.code}.pdf"'
    return response


@login_required
def service_view(request: HttpRequest) -> HttpResponse:
    try:
        fig = selectors.service_figures(actor=request.user)
    except PermissionDenied as exc:
        raise _forbid(exc) from exc
    return render(request, "letters/service.html", {"fig": fig, "chart": {"months": fig.months, "letters": fig.per_month},
                                                    "statuses": RequestStatus.choices})


@login_required
def template_edit(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) != Role.VILLAGE_HEAD:
        raise DjangoPermissionDenied(_("Templat surat diubah oleh kepala desa."))
    unit = getattr(request.user, "unit", None)
    village = unit.code if unit is not None else ""
    types = list(LetterType.objects.filter(active=True))
    chosen = next((t for t in types if t.code == (request.POST.get("type") or request.GET.get("type"))), types[0] if types else None)
    if chosen is None:
        raise Http404
    body = request.POST.get("body") if request.method == "POST" else services.template_for(chosen, village)
    preview = ""
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("save") == "1":
                services.template_save(actor=request.user, village=village, letter_type=chosen, body=body or "")
                messages.success(request, _("Templat disimpan."))
                return redirect(f"{request.path}?type={chosen.code}")
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message
    sample = Resident.objects.filter(village_id=village, status="alive").first()
    if sample is not None and body:
        fake = LetterRequest(village_id=village, resident=sample, letter_type=chosen, purpose="contoh keperluan",
                             data={f["name"]: f"[{f['label']}]" for f in chosen.fields})
        try:
            preview = services.render_body(body, services.context_for(fake, number="470/0001/…", head=request.user.display_name))
        except ValidationError as exc:
            error = error or " ".join(exc.messages)
    return render(request, "letters/template_edit.html", {
        "types": types, "chosen": chosen, "body": body, "preview": preview, "error": error,
        "placeholders": services.context_key_names() + [f["name"] for f in chosen.fields]}, status=400 if error else 200)

