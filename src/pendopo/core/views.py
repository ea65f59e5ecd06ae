from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pendopo.core import selectors, services
from pendopo.core.errors import PermissionDenied
from pendopo.core.forms import (
    AuditFilterForm,
    LoginForm,
    PasswordChangeForm,
    TokenForm,
    UserEditForm,
    UserForm,
    apply_errors,
)
from pendopo.core.home import panels_for
from pendopo.core.models import Region, RegionLevel, User
from pendopo.core.roles import Role

View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            selectors.require_admin(request.user)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc
        return view(request, *args, **kwargs)

    return wrapped


ROLE_INTROS = {
    Role.ADMIN: gettext_lazy("Kelola pengguna, unit kerja, wilayah, token API, dan periksa jejak audit."),
    Role.REGENT_OFFICE: gettext_lazy("Pantau seluruh kabupaten: penduduk per kecamatan, unit kerja, dan kinerja layanan."),
    Role.AGENCY_HEAD: gettext_lazy("Pimpin OPD Anda: staf, klaster koordinasi, dan data yang menjadi kewenangan OPD."),
    Role.AGENCY_STAFF: gettext_lazy("Kerjakan tugas OPD Anda dan laporkan kemajuan."),
    Role.DINSOS: gettext_lazy("Periksa data kependudukan seluruh kabupaten untuk penyaringan bansos."),
    Role.KECAMATAN_OFFICER: gettext_lazy("Dampingi desa/kelurahan di kecamatan Anda dan pantau datanya."),
    Role.VILLAGE_HEAD: gettext_lazy("Pantau data penduduk desa Anda dan tandatangani layanan desa."),
    Role.VILLAGE_OPERATOR: gettext_lazy("Layani warga di desa Anda: data penduduk dan keluarga."),
    Role.RESIDENT: gettext_lazy("Lihat data kependudukan Anda dan keluarga Anda."),
}


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        districts = selectors.district_list(regency_code=settings.PENDOPO_REGENCY_CODE)
        return render(request, "core/home_public.html", {"districts": districts})
    return render(
        request,
        "core/home.html",
        {"panels": panels_for(user), "intro": ROLE_INTROS.get(Role(user.role), "") if user.role in Role.values else ""},
    )


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(
                actor=request.user, old_password=form.cleaned_data["old_password"],  # type: ignore[arg-type]
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Kata sandi berhasil diganti."))
            return redirect("core:home")
    return render(request, "core/password_change.html", {"form": form})


def region_list(request: HttpRequest) -> HttpResponse:
    districts = selectors.district_list(regency_code=settings.PENDOPO_REGENCY_CODE)
    return render(request, "core/region_list.html", {"districts": districts})


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code, level=RegionLevel.DISTRICT)
    villages = region.children.order_by("code")
    return render(request, "core/region_detail.html", {"region": region, "villages": villages})


def unit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/unit_list.html", {"agencies": selectors.agency_list()})


@admin_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    f = selectors.AuditFilter()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.AuditFilter(
            q=d["q"], kind=d["kind"], action=d["action"], actor=d["actor"],
            personal_data=None if d["personal_data"] == "" else d["personal_data"] == "1",
            date_from=d["date_from"], date_to=d["date_to"],
        )
    page = Paginator(selectors.audit_list(actor=request.user, f=f), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    q, role = request.GET.get("q", ""), request.GET.get("role", "")
    page = Paginator(selectors.user_list(actor=request.user, q=q, role=role), 50).get_page(request.GET.get("page"))
    return render(request, "core/user_list.html", {"page": page, "q": q, "role": role, "roles": Role.choices})


@admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user, username=d["username"], role=d["role"], unit=d["unit"],  # type: ignore[arg-type]
                full_name=d["full_name"], position=d["position"], email=d["email"],
            )
            password = services.user_password_reset(actor=request.user, user=user)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Akun %(u)s dibuat. Kata sandi sementara: %(p)s (sampaikan secara langsung; wajib diganti saat masuk pertama).") % {"u": user.username, "p": password})
            return redirect("core:user-list")
    return render(request, "core/user_form.html", {"form": form, "title": _("Akun baru")})


@admin_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    initial = {"username": user.username, "full_name": user.full_name, "role": user.role, "unit": user.unit,
               "position": user.position, "email": user.email, "is_active": user.is_active}
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.user_update(
                actor=request.user, user=user, full_name=d["full_name"], role=d["role"], unit=d["unit"],  # type: ignore[arg-type]
                position=d["position"], email=d["email"], is_active=d["is_active"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Perubahan akun %(u)s disimpan.") % {"u": user.username})
            return redirect("core:user-list")
    return render(request, "core/user_form.html", {"form": form, "title": user.username, "edited": user})


@admin_required
@require_POST
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    password = services.user_password_reset(actor=request.user, user=user)  # type: ignore[arg-type]
    messages.warning(request, _("Kata sandi %(u)s diatur ulang. Kata sandi sementara: %(p)s") % {"u": user.username, "p": password})
    return redirect("core:user-list")


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _, new_token = services.token_create(actor=request.user, user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        form = TokenForm()
    tokens = selectors.token_list_for(actor=request.user)  # type: ignore[arg-type]
    return render(request, "core/token_list.html", {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.token_list_for(actor=request.user), pk=pk)  # type: ignore[arg-type]
    services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("Token %(p)s… dicabut.") % {"p": token.prefix})
    return redirect("core:token-list")


def denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.html", {"reason": str(exception or "")}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)

