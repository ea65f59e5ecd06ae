"""Screening sentences in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from pendopo.aid.screening import Text, render

register = template.Library()


@register.filter
def in_reader_language(text: Text) -> str:
    """A ``screening.Text`` rendered through the active language's catalogue."""
    return render(text, gettext)
