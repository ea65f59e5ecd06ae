from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation

from pendopo.core.home import nav_for


def navigation(request: HttpRequest) -> dict[str, object]:
    current = translation.get_language() or settings.LANGUAGE_CODE
    switch = [
        {"code": code, "name": name, "url": translate_url(request.get_full_path(), code), "active": code == current}
        for code, name in settings.LANGUAGES
    ]
    return {
        "nav_items": nav_for(getattr(request, "user", None)),
        "language_switch": switch,
        "regency_name": settings.PENDOPO_REGENCY_NAME,
    }
