from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone

from pendopo.core.masking import mask_name, mask_number, show_identity

register = template.Library()


@register.filter
def masked(value: str | None) -> str:
    return mask_number(value)


@register.filter
def masked_name(value: str | None) -> str:
    return mask_name(value)


@register.simple_tag(takes_context=True)
def identity(context: template.Context, value: str | None) -> str:
    """A NIK or KK as this viewer may see it: full for roles that need it, masked otherwise."""
    request = context.get("request")
    return show_identity(getattr(request, "user", None), value)


@register.filter
def wib(value: dt.datetime | None) -> str:
    """A moment in Indonesian format and Western Indonesian Time: ``23 November 2026 14.30 WIB``."""
    if value is None:
        return ""
    return f"{formats.date_format(timezone.localtime(value), 'DATETIME_FORMAT')} WIB"
