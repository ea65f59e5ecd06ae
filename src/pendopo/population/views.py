from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pendopo.core.errors import PermissionDenied
from pendopo.core.models import Region
from pendopo.core.scopes import scope_for
from pendopo.population import selectors
from pendopo.population.forms import ResidentFilterForm


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
        if form.is_valid():
            d = form.cleaned_data
            f = selectors.ResidentFilter(q=d["q"], village=d["village"], status=d["status"], sex=d["sex"])
        qs = selectors.resident_list(actor=request.user, f=f)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
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
    members = list(selectors.family_members_on(membership.family)) if membership else []
    history = resident.memberships.select_related("family").order_by("valid_from", "id")
    return render(request, "population/resident_detail.html",
                  {"resident": resident, "membership": membership, "members": members, "history": history})
