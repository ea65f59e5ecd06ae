from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from pendopo.core.context import RequestInfo, current_request


def client_ip(request: HttpRequest) -> str | None:
    # Behind the regency's reverse proxy set PENDOPO_TRUST_X_FORWARDED_FOR; see docs/operations.md.
    from django.conf import settings

    if getattr(settings, "PENDOPO_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Makes the client address and path available to the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(RequestInfo(ip=client_ip(request), path=request.path))
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class PasswordChangeRequiredMiddleware:
    """After an administrator's reset, the temporary password only opens the change form."""

    ALLOWED_PREFIXES = ("/static/", "/api/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse("core:password-change"), reverse("core:logout")}
            if request.path not in allowed and not request.path.startswith(self.ALLOWED_PREFIXES):
                return redirect("core:password-change")
        return self.get_response(request)
