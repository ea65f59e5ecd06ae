from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pendopo.core.errors import PermissionDenied
from pendopo.core.forms import apply_errors
from pendopo.core.masking import mask_name
from pendopo.core.models import Region
from pendopo.core.paging import CappedPaginator
from pendopo.core.roles import VILLAGE_ROLES, Role
from pendopo.core.scopes import scope_for
from pendopo.population import life, selectors
from pendopo.population.forms import (
    BirthForm,
    CorrectionForm,
    DeathForm,
    DeathReportForm,
    MoveOutForm,
    ResidentFilterForm,
)
from pendopo.population.models import Resident


def _villages_for(user: object) -> list[tuple[str, str]]:
    scope = scope_for(user)
    qs = scope.filter_regions(Region.objects.villages(), "code")
    return [(r.code, f"{r.name} ({r.parent_id})") for r in qs.order_by("code")[:300]]


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    try:
        villages = _villages_for(request.user)
        form = ResidentFilterForm(request.GET or None, villages=villages)
        f = selectors.ResidentFilter()
        if form.is_bound:
            form.is_valid()  # a wrong field is shown on the form; the other fields still filter
            f = selectors.ResidentFilter.from_data(form.cleaned_data)
        qs = selectors.resident_search(actor=request.user, f=f)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    page = CappedPaginator(qs, 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    selectors.residents_shown(actor=request.user, residents=rows, context="list")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "population/resident_list.html",
                  {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "single_village": len(villages) == 1})


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        resident = selectors.resident_get(actor=request.user, pk=pk)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    membership = selectors.current_family(resident)
    can_record = getattr(request.user, "role", None) in VILLAGE_ROLES | {Role.ADMIN} and scope_for(request.user).covers_region(resident.village_id)
    forms_ = {
        "birth": BirthForm(prefix="birth"), "death": DeathForm(prefix="death"), "move_out": MoveOutForm(prefix="move"),
        "correction": CorrectionForm(prefix="fix", initial={f: getattr(resident, f) for f in life.CORRECTABLE}),
    }
    status = 200
    if request.method == "POST":
        if not can_record:
            raise DjangoPermissionDenied(_("Hanya desa/kelurahan penduduk ini yang mencatat peristiwanya."))
        action = request.POST.get("action", "")
        prefix = {"birth": "birth", "death": "death", "move_out": "move", "correction": "fix"}.get(action)
        if prefix is None:
            raise Http404
        cls = {"birth": BirthForm, "death": DeathForm, "move_out": MoveOutForm, "correction": CorrectionForm}[action]
        form = cls(request.POST, prefix=prefix)
        forms_[action] = form
        if form.is_valid():
            d = form.cleaned_data
            try:
                if action == "birth":
                    if membership is None:
                        raise ValidationError(_("Penduduk ini tidak tercatat pada KK yang berlaku."))
                    child = life.birth_register(actor=request.user, family=membership.family, name=d["name"], sex=d["sex"],
                                                birth_date=d["birth_date"], birth_place=d["birth_place"], nik=d["nik"],
                                                nik_exception_reason=d["nik_exception_reason"])
                    messages.success(request, _("Kelahiran %(name)s dicatat.") % {"name": child.name})
                    return redirect("population:resident-detail", pk=child.pk)
                if action == "death":
                    life.death_register(actor=request.user, resident=resident, died_on=d["died_on"], place=d["place"], cause=d["cause"])
                    messages.success(request, _("Kematian dicatat."))
                elif action == "move_out":
                    life.move_out_register(actor=request.user, resident=resident, moved_on=d["moved_on"], destination=d["destination"])
                    messages.success(request, _("Pindah keluar dicatat."))
                else:
                    changes = {f: d[f] for f in life.CORRECTABLE if f in d}
                    changes["nik"] = "".join(ch for ch in changes["nik"] if ch.isdigit())
                    life.correction_register(actor=request.user, resident=resident, changes=changes, reason=d["reason"],
                                             nik_exception_reason=d["nik_exception_reason"])
                    messages.success(request, _("Koreksi dicatat."))
                return redirect("population:resident-detail", pk=resident.pk)
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from exc
            except ValidationError as exc:
                apply_errors(form, exc)
        status = 400
    members = list(selectors.family_members_on(membership.family)) if membership else []
    history = resident.memberships.select_related("family").order_by("valid_from", "id")
    events = resident.events.select_related("recorded_by", "reporting_unit")
    return render(request, "population/resident_detail.html",
                  {"resident": resident, "membership": membership, "members": members, "history": history, "events": events,
                   "can_record": can_record and resident.status == "alive", "forms": forms_,
                   "open_form": request.POST.get("action", "") if status == 400 else ""}, status=status)


@login_required
def death_report(request: HttpRequest) -> HttpResponse:
    """A puskesmas or RSUD reports a death for a resident of any village in the regency."""
    unit = getattr(request.user, "unit", None)
    if unit is None or unit.kind not in life.HEALTH_UNITS:
        raise DjangoPermissionDenied(_("Laporan kematian dari fasilitas kesehatan hanya untuk puskesmas dan RSUD."))
    form = DeathReportForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        digits = "".join(ch for ch in d["nik"] if ch.isdigit())
        resident = Resident.objects.filter(nik=digits).select_related("village").first()
        if resident is None:
            form.add_error("nik", _("NIK ini tidak ada di data kependudukan kabupaten."))
        else:
            try:
                life.death_register(actor=request.user, resident=resident, died_on=d["died_on"], place=d["place"], cause=d["cause"])
                done = {"name": mask_name(resident.name), "village": resident.village.name}
                form = DeathReportForm()
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from exc
            except ValidationError as exc:
                apply_errors(form, exc)
    return render(request, "population/death_report.html", {"form": form, "done": done}, status=400 if form.errors else 200)


@login_required
def resident_export(request: HttpRequest) -> HttpResponse:
    from pendopo.core.errors import ApplicationError
    from pendopo.population import exports

    fmt = "csv" if request.GET.get("fmt") == "csv" else "xlsx"
    back = f"{request.path.rsplit('/', 2)[0]}/?{request.GET.urlencode()}"
    try:
        form = ResidentFilterForm(request.GET, villages=_villages_for(request.user))
        if not form.is_valid():  # the page lists without a wrong field; a file is not made from a filter the officer did not mean
            wrong = "; ".join(f"{form.fields[name].label}: {' '.join(errs)}" for name, errs in form.errors.items())
            messages.error(request, _("Berkas tidak dibuat, saringan salah — %(wrong)s") % {"wrong": wrong})
            return redirect(back)
        content, fmt, _n = exports.resident_export(actor=request.user, f=selectors.ResidentFilter.from_data(form.cleaned_data), fmt=fmt)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except exports.ExportQueued as queued:
        return redirect("population:resident-export-detail", pk=queued.job.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    kind = "text/csv; charset=utf-8" if fmt == "csv" else exports.XLSX_TYPE
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="penduduk.{fmt}"'
    return response


@login_required
def resident_export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A long export being written by the task worker: progress (polled), then the download."""
    from pendopo.population import exports
    from pendopo.population.models import ResidentExportStatus

    try:
        job = exports.export_for(actor=request.user, pk=pk)
    except PermissionDenied as exc:
        raise Http404 from exc
    finished = job.status not in (ResidentExportStatus.QUEUED, ResidentExportStatus.WRITING)
    if request.headers.get("HX-Request") and not finished:
        return render(request, "population/_export_progress.html", {"job": job})
    response = render(request, "population/resident_export.html", {"job": job, "keep_hours": exports.KEEP_HOURS})
    if request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def resident_export_file(request: HttpRequest, pk: int) -> HttpResponse:
    from django.http import FileResponse

    from pendopo.core.errors import ApplicationError
    from pendopo.population import exports

    try:
        path, job = exports.export_file(actor=request.user, pk=pk)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("population:resident-export-detail", pk=pk)
    kind = "text/csv; charset=utf-8" if job.fmt == "csv" else exports.XLSX_TYPE
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"penduduk-{job.pk}.{job.fmt}", content_type=kind)


@login_required
def resident_figures(request: HttpRequest) -> HttpResponse:
    from pendopo.population import exports

    village = request.GET.get("village", "")
    try:
        villages = _villages_for(request.user)
        if village and village not in {code for code, _n in villages}:
            raise PermissionDenied("Desa ini di luar kewenangan akun Anda.")
        fig = exports.figures(actor=request.user, village=village)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    chart = {"bands": [b for b, _m, _f in fig.pyramid], "male": [-m for _b, m, _f in fig.pyramid], "female": [f for _b, _m, f in fig.pyramid],
             "edu_labels": [k for k, _n in fig.education], "edu": [n for _k, n in fig.education],
             "job_labels": [k for k, _n in fig.occupation], "job": [n for _k, n in fig.occupation]}
    return render(request, "population/resident_figures.html", {"fig": fig, "chart": chart, "villages": villages, "village": village,
                                                                "village_name": dict(villages).get(village, "")})


@login_required
def registry_upload(request: HttpRequest) -> HttpResponse:
    from pendopo.population import uploads

    try:
        past = list(uploads.registry_upload_list(actor=request.user)[:15])
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    error = ""
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            error = _("Pilih berkas ekstrak (.csv atau .xlsx).")
        else:
            try:
                up = uploads.registry_upload_submit(actor=request.user, file_name=f.name, content=f.read())
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect("population:registry-upload-detail", pk=up.pk)
    return render(request, "population/registry_upload.html", {"past": past, "error": error}, status=400 if error else 200)


@login_required
def registry_upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from pendopo.population import uploads
    from pendopo.population.models import RegistryUploadStatus

    try:
        up = uploads.registry_upload_list(actor=request.user).filter(pk=pk).first()
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    if up is None:
        raise Http404
    finished = up.status in (RegistryUploadStatus.DONE, RegistryUploadStatus.FAILED)
    if request.headers.get("HX-Request") and not finished:
        return render(request, "population/_registry_progress.html", {"u": up})
    response = render(request, "population/registry_upload_detail.html", {
        "u": up, "problems": list(up.registry_import.quarantined.order_by("line")[:50]) if up.registry_import else []})
    if request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def quarantine_download(request: HttpRequest, pk: int) -> HttpResponse:
    from pendopo.population import uploads
    from pendopo.population.models import RegistryImport

    record = RegistryImport.objects.filter(pk=pk).first()
    if record is None:
        raise Http404
    try:
        content = uploads.quarantine_csv(actor=request.user, registry_import=record)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="karantina-impor-{record.pk}.csv"'
    return response
