from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pendopo.aid.forms import StatusCheckForm
from pendopo.aid.status import TooManyChecks, status_check
from pendopo.core.middleware import client_ip


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
